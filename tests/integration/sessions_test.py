"""Live interview sessions against a real judged, over gRPC, the JSON API and the pad's WebSocket.

The role matrix of the six session RPCs on both doors; bad input refused precisely; an ended
session read-only; a timeline whose `changes` replay the pad exactly (two clients pushing in turn
and at once, rebasing the simple way; UTF-16 positions with a non-BMP character and multi-line
inserts); a client that reconnects gets exactly what it missed; notes never reach the candidate;
a run in the session shown on both pads as each role may see it; a restart keeps the pad.

The pad client here is websocket-client (Debian's python3-websocket) with a reader thread; a
small ChangeSet applier in UTF-16 code units checks every document.
"""
import http.client
import json
import time
import os
import re
import secrets
import sys
import threading
import unittest

import grpc
import websocket
from websocket import ABNF

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

pb, rpc = harness.load_stubs(os.environ.get("JUDGE_IT_TMP", "/tmp/judge-it-stubs-%d" % os.getpid()))
SQL_REF = harness.read("challenges/sql-null-trap/solutions/reference.sql")
# Passes the sample, fails hidden tests (the NOT IN trap): the interviewer sees which and why.
SQL_WRONG = harness.read("challenges/sql-null-trap/solutions/wrong-not-in-null.sql")
MAX_BYTES = 64 << 10
EMOJI = "\U0001F600"  # two UTF-16 code units, four UTF-8 bytes
WAIT = 20  # seconds: a bound for any one frame or condition, never a sleep
EXTRA_ARGS = ["--workers", "2", "--rate-limit", "1000", "--http-listen", "127.0.0.1:0"]
HTTP_STATUS = {"OK": 200, "INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "UNAUTHENTICATED": 401,
               "PERMISSION_DENIED": 403, "NOT_FOUND": 404}


# --- CodeMirror ChangeSets in UTF-16 code units (documents are kept as UTF-16-LE bytes)

def u16(text):
    return text.encode("utf-16-le")


def units(text):
    return len(u16(text)) // 2


def text_of(doc):
    return doc.decode("utf-16-le")


def apply_changes(doc, changes):
    """Applies ChangeSet.toJSON() output to `doc` (UTF-16-LE bytes): a number keeps that many
    code units, [n, line, ...] replaces n code units by the lines joined with newlines."""
    out, pos = [], 0
    for part in changes:
        if isinstance(part, int):
            assert part >= 0 and pos + part <= len(doc) // 2, (part, pos, len(doc) // 2)
            out.append(doc[2 * pos:2 * (pos + part)])
            pos += part
        else:
            n = part[0]
            assert n >= 0 and pos + n <= len(doc) // 2, (part, pos, len(doc) // 2)
            out.append(u16("\n".join(part[1:])))
            pos += n
    assert pos == len(doc) // 2, "the changes cover %d code units of %d" % (pos, len(doc) // 2)
    return b"".join(out)


def change(doc_len, pos, delete=0, insert=""):
    """The ChangeSet that replaces `delete` code units at `pos` by `insert` in a document of
    `doc_len` code units, as CodeMirror writes it."""
    parts = []
    if pos:
        parts.append(pos)
    if delete or insert:
        parts.append([delete] + insert.split("\n"))
    rest = doc_len - pos - delete
    if rest:
        parts.append(rest)
    return parts


# --- clients

class Http:
    def __init__(self, port):
        self.port = port

    def call(self, method, path, token=None, body=None):
        headers = {}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            c.request(method, path, body=data, headers=headers)
            r = c.getresponse()
            text = r.read().decode()
            return r.status, json.loads(text) if text else None
        finally:
            c.close()

    def live(self, token, body):
        """POST /v1/live: (status, [(event, data), ...]) or (status, error body)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            c.request("POST", "/v1/live", body=json.dumps(body).encode(),
                      headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
            r = c.getresponse()
            if r.status != 200:
                return r.status, json.loads(r.read().decode())
            events, fields = [], {}
            for line in r:
                line = line.decode().rstrip("\n")
                if line == "":
                    if "data" in fields:
                        events.append((fields.get("event"), json.loads(fields["data"])))
                    fields = {}
                elif not line.startswith(":"):
                    k, _, v = line.partition(": ")
                    fields[k] = v
            return r.status, events
        finally:
            c.close()


class Pad:
    """One client of a session's pad: a WebSocket, a reader thread keeping every frame in
    order, and the document as this client knows it (UTF-16-LE bytes) at `version`."""

    opened = []  # every pad of the running test, dropped when it ends

    def __init__(self, port, sid, token, version=-1, hello=True, client_id=None):
        Pad.opened.append(self)
        self.url = "ws://127.0.0.1:%d/v1/sessions/%s/pad" % (port, sid)
        self.ws = websocket.create_connection(self.url, timeout=WAIT)
        self.ws.settimeout(None)
        self.client_id = client_id or secrets.token_hex(4)
        self.frames, self.raw, self.used = [], [], set()
        self.closed = False
        self.cond = threading.Condition()
        self.doc, self.version = None, None
        self.stale = 0  # pushes that lost a race and were made again
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if hello:
            self.send({"type": "hello", "token": token, "version": version})

    def _read(self):
        try:
            while True:
                op, data = self.ws.recv_data()
                if op == ABNF.OPCODE_CLOSE:
                    break
                if op == ABNF.OPCODE_TEXT:
                    text = data.decode()
                    try:
                        msg = json.loads(text)
                    except ValueError:
                        msg = {"type": "not JSON"}
                    with self.cond:
                        self.raw.append(text)
                        self.frames.append(msg)
                        self.cond.notify_all()
        except Exception:  # the socket went away (ours or theirs)
            pass
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def send(self, msg):
        self.ws.send(json.dumps(msg))

    def take(self, pred=None, type=None, timeout=WAIT, what=None):
        """The first frame not taken yet that matches; waits for it until the deadline."""
        def find():
            for i, f in enumerate(self.frames):
                if i not in self.used and (type is None or f.get("type") == type) and (pred is None or pred(f)):
                    return i
            return None
        with self.cond:
            self.cond.wait_for(lambda: find() is not None or self.closed, timeout=timeout)
            i = find()
            if i is None:
                raise AssertionError("no %s frame within %ss (closed=%s); last frames: %s" % (
                    what or type or "matching", timeout, self.closed, self.raw[-8:]))
            self.used.add(i)
            return self.frames[i]

    def pending(self, type=None):
        with self.cond:
            return [f for i, f in enumerate(self.frames) if i not in self.used and
                    (type is None or f.get("type") == type)]

    def wait_closed(self, timeout=WAIT):
        with self.cond:
            return self.cond.wait_for(lambda: self.closed, timeout=timeout)

    def welcome(self):
        """The welcome and the presence frame that follows it (this client among the others)."""
        w = self.take(type="welcome")
        assert w["role"] in self.take(type="presence")["participants"]
        if "doc" in w:
            self.doc = u16(w["doc"])
        else:
            for u in w["updates"]:
                self.doc = apply_changes(self.doc, u["changes"])
        self.version = w["version"]
        return w

    def next_updates(self, timeout=WAIT):
        """The next "updates" frame, applied: it must start at the version this client has."""
        f = self.take(type="updates", timeout=timeout)
        start = f["version"] - len(f["updates"])
        assert start == self.version, "updates from version %d, the client has %d: %s" % (
            start, self.version, f)
        for u in f["updates"]:
            self.doc = apply_changes(self.doc, u["changes"])
        self.version = f["version"]
        return f

    def catch_up(self, version, timeout=WAIT):
        while self.version < version:
            self.next_updates(timeout)

    def edit(self, make):
        """Pushes make(doc) against the version this client has; when another client's push
        won the race (the judge ignores a stale push), applies the winner's updates and makes
        the edit again against the new text. Returns the changes as accepted."""
        while True:
            base, changes = self.version, make(self.doc)
            self.send({"type": "push", "version": base,
                       "updates": [{"clientID": self.client_id, "changes": changes}]})
            f = self.next_updates()
            mine = [u for u in f["updates"] if u["clientID"] == self.client_id]
            if mine:
                assert f["version"] == base + 1 and mine == f["updates"], f
                assert mine[0]["changes"] == changes, (mine, changes)
                return changes
            self.stale += 1

    def insert(self, pos, text):
        return self.edit(lambda doc: change(len(doc) // 2, pos(doc) if callable(pos) else pos, 0, text))

    def close(self):
        """A clean close (the judge answers our close frame)."""
        try:
            self.ws.send_close()
        except Exception:
            pass
        self.wait_closed(5)
        self.ws.shutdown()

    def drop(self):
        """The network goes: no close frame."""
        try:
            self.ws.abort()
        except OSError:
            pass
        self.wait_closed(5)
        self.ws.shutdown()


def hello_and(port, sid, token, *frames):
    """Sends the hello and `frames` in one write, then reads until the judge closes: the frames
    it answered."""
    ws = websocket.create_connection("ws://127.0.0.1:%d/v1/sessions/%s/pad" % (port, sid), timeout=WAIT)
    try:
        msgs = [{"type": "hello", "token": token, "version": -1}] + list(frames)
        ws.sock.sendall(b"".join(ABNF.create_frame(json.dumps(m), ABNF.OPCODE_TEXT).format() for m in msgs))
        got = []
        while True:
            op, data = ws.recv_data()
            if op == ABNF.OPCODE_CLOSE:
                return got
            got.append(json.loads(data.decode()))
    finally:
        ws.shutdown()


class SessionsBase(unittest.TestCase):
    judged = None

    def tearDown(self):
        for p in Pad.opened:
            p.drop()
        Pad.opened.clear()

    @classmethod
    def start_judged(cls, **kw):
        return harness.Judged(extra_args=EXTRA_ARGS, **kw).start()

    @classmethod
    def connect(cls, judged):
        cls.judged = judged
        cls.tok = judged.tokens
        cls.http = Http(judged.http_port)
        cls.channel = grpc.insecure_channel(judged.address)
        cls.stub = rpc.JudgeServiceStub(cls.channel)

    def md(self, role):
        return harness.metadata(self.tok[role])

    def grpc_code(self, fn):
        try:
            fn()
            return "OK"
        except grpc.RpcError as e:
            return e.code().name

    def grpc_error(self, fn):
        try:
            fn()
        except grpc.RpcError as e:
            return e.code().name, e.details()
        return "OK", ""

    def http_code(self, method, path, role, body=None):
        token = self.tok[role] if role in self.tok else "not-a-token"
        status, payload = self.http.call(method, path, token, body)
        code = "OK" if status == 200 else payload["code"]
        self.assertEqual(status, HTTP_STATUS.get(code), (method, path, role, payload))
        return code

    def create(self, challenge="sql-null-trap", candidate="cand-1", document="SELECT 1;\n", role="interviewer",
               **kw):
        return self.stub.CreateSession(pb.CreateSessionRequest(challenge_id=challenge, candidate_id=candidate,
                                                               document=document, **kw), metadata=self.md(role))

    def get(self, sid, role="interviewer"):
        return self.stub.GetSession(pb.GetSessionRequest(session_id=sid), metadata=self.md(role))

    def timeline(self, sid, role="interviewer"):
        return self.stub.GetSessionTimeline(pb.GetSessionTimelineRequest(session_id=sid),
                                            metadata=self.md(role)).events

    def pad(self, sid, role, version=-1, port=None):
        p = Pad(port or self.judged.http_port, sid, self.tok[role], version)
        p.welcome()
        return p


class SessionsTest(SessionsBase):
    @classmethod
    def setUpClass(cls):
        cls.connect(cls.start_judged())

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code = cls.judged.stop()
        cls.judged.cleanup()
        assert code == 0, "judged did not stop cleanly: %s" % code

    def assertServing(self):
        s = self.create()
        self.assertEqual(self.get(s.id).document, "SELECT 1;\n")
        status, _ = self.http.call("GET", "/v1/sessions/" + s.id, self.tok["interviewer"])
        self.assertEqual(status, 200)

    # --- who may do what, on both doors

    def test_role_matrix_over_grpc_and_http(self):
        roles = ("candidate", "candidate2", "interviewer", "platform", "admin", "nobody")

        def md(role):
            return harness.metadata(self.tok.get(role, "not-a-token"))

        # Create.
        want = {"candidate": "PERMISSION_DENIED", "candidate2": "PERMISSION_DENIED", "interviewer": "OK",
                "platform": "OK", "admin": "OK", "nobody": "UNAUTHENTICATED"}
        for role in roles:
            with self.subTest(call="CreateSession", role=role):
                req = pb.CreateSessionRequest(challenge_id="sql-null-trap", candidate_id="cand-1")
                self.assertEqual(self.grpc_code(lambda: self.stub.CreateSession(req, metadata=md(role))), want[role])
                self.assertEqual(self.http_code("POST", "/v1/sessions", role,
                                                {"challengeId": "sql-null-trap", "candidateId": "cand-1"}), want[role])
        s = self.create(document="-- matrix\n")
        other = self.create(candidate="cand-2", document="-- the other candidate's\n")

        # Get and timeline: the named candidate, the interviewer side; another candidate is told
        # what an unknown id gets.
        want = {"candidate": "OK", "candidate2": "NOT_FOUND", "interviewer": "OK", "platform": "OK", "admin": "OK",
                "nobody": "UNAUTHENTICATED"}
        for role in roles:
            with self.subTest(call="GetSession/GetSessionTimeline", role=role):
                g = pb.GetSessionRequest(session_id=s.id)
                t = pb.GetSessionTimelineRequest(session_id=s.id)
                self.assertEqual(self.grpc_code(lambda: self.stub.GetSession(g, metadata=md(role))), want[role])
                self.assertEqual(self.grpc_code(lambda: self.stub.GetSessionTimeline(t, metadata=md(role))), want[role])
                self.assertEqual(self.http_code("GET", "/v1/sessions/" + s.id, role), want[role])
                self.assertEqual(self.http_code("GET", "/v1/sessions/%s/timeline" % s.id, role), want[role])
        unknown = "s" + "0" * 18
        for path in ("/v1/sessions/%s", "/v1/sessions/%s/timeline"):
            hidden = self.http.call("GET", path % s.id, self.tok["candidate2"])
            missing = self.http.call("GET", path % unknown, self.tok["candidate2"])
            self.assertEqual(hidden[0], 404)
            self.assertEqual(hidden[1]["message"].replace(s.id, "ID"), missing[1]["message"].replace(unknown, "ID"))
        code, msg = self.grpc_error(lambda: self.get(s.id, "candidate2"))
        code2, msg2 = self.grpc_error(lambda: self.get(unknown, "candidate2"))
        self.assertEqual((code, msg.replace(s.id, "ID")), (code2, msg2.replace(unknown, "ID")))
        self.assertEqual(self.get(s.id, "candidate").document, "-- matrix\n")

        # Notes and end: the interviewer side only.
        want = {"candidate": "PERMISSION_DENIED", "candidate2": "NOT_FOUND", "interviewer": "OK", "platform": "OK",
                "admin": "OK", "nobody": "UNAUTHENTICATED"}
        for role in roles:
            with self.subTest(call="SetSessionNotes", role=role):
                n = pb.SetSessionNotesRequest(session_id=s.id, notes="by " + role)
                self.assertEqual(self.grpc_code(lambda: self.stub.SetSessionNotes(n, metadata=md(role))), want[role])
                self.assertEqual(self.http_code("POST", "/v1/sessions/%s/notes" % s.id, role, {"notes": "by " + role}),
                                 want[role])
        self.assertEqual(self.get(s.id).notes, "by admin")
        for role in roles:
            with self.subTest(call="EndSession", role=role):
                e1, e2 = self.create(), self.create()
                self.assertEqual(self.grpc_code(lambda: self.stub.EndSession(
                    pb.EndSessionRequest(session_id=e1.id), metadata=md(role))), want[role])
                self.assertEqual(self.http_code("POST", "/v1/sessions/%s/end" % e2.id, role, {}), want[role])
                state = pb.SESSION_STATE_ENDED if want[role] == "OK" else pb.SESSION_STATE_OPEN
                self.assertEqual((self.get(e1.id).state, self.get(e2.id).state), (state, state))
        self.assertEqual(self.get(s.id).state, pb.SESSION_STATE_OPEN)

        # List: a candidate sees its own sessions only.
        mine = self.stub.ListSessions(pb.ListSessionsRequest(page_size=100), metadata=self.md("candidate")).sessions
        self.assertTrue(mine)
        self.assertEqual({x.candidate_id for x in mine}, {"cand-1"})
        self.assertIn(s.id, [x.id for x in mine])
        theirs = self.stub.ListSessions(pb.ListSessionsRequest(page_size=100), metadata=self.md("candidate2")).sessions
        self.assertEqual([x.id for x in theirs], [other.id])
        status, page = self.http.call("GET", "/v1/sessions?page_size=100", self.tok["candidate2"])
        self.assertEqual((status, [x["id"] for x in page["sessions"]]), (200, [other.id]))
        status, page = self.http.call("GET", "/v1/sessions?page_size=100", self.tok["candidate"])
        self.assertEqual({x["candidateId"] for x in page["sessions"]}, {"cand-1"})
        self.assertEqual(self.grpc_code(lambda: self.stub.ListSessions(
            pb.ListSessionsRequest(candidate_id="cand-2"), metadata=self.md("candidate"))), "PERMISSION_DENIED")
        self.assertEqual(self.http_code("GET", "/v1/sessions?candidate_id=cand-2", "candidate"), "PERMISSION_DENIED")
        self.assertEqual(self.http_code("GET", "/v1/sessions", "nobody"), "UNAUTHENTICATED")
        every = self.stub.ListSessions(pb.ListSessionsRequest(page_size=100), metadata=self.md("interviewer")).sessions
        paged, token = [], ""
        while True:
            page = self.stub.ListSessions(pb.ListSessionsRequest(page_size=3, page_token=token),
                                          metadata=self.md("interviewer"))
            self.assertLessEqual(len(page.sessions), 3)
            paged += [x.id for x in page.sessions]
            token = page.next_page_token
            if not token or len(paged) >= len(every):
                break
        self.assertEqual(paged[:len(every)], [x.id for x in every], "pages of 3 are not the listing of 100")
        self.assertEqual(len(set(paged)), len(paged))
        self.assertEqual([x.id for x in every], sorted((x.id for x in every), reverse=True), "not newest first")
        self.assertTrue(all(x.document == "" and x.notes == "" for x in every), "a listing carries texts")
        for role in ("interviewer", "platform", "admin"):
            with self.subTest(call="ListSessions", role=role):
                every = self.stub.ListSessions(pb.ListSessionsRequest(page_size=100), metadata=self.md(role)).sessions
                self.assertTrue({s.id, other.id} <= {x.id for x in every})
                only = self.stub.ListSessions(pb.ListSessionsRequest(candidate_id="cand-2", page_size=100),
                                              metadata=self.md(role)).sessions
                self.assertEqual([x.id for x in only], [other.id])
                status, page = self.http.call("GET", "/v1/sessions?candidate_id=cand-2", self.tok[role])
                self.assertEqual([x["id"] for x in page["sessions"]], [other.id])

        # The pad: the named candidate and the interviewer side join; another candidate is told
        # NOT_FOUND, a bad token UNAUTHENTICATED, and the socket closes.
        for role in ("candidate", "interviewer", "platform", "admin"):
            p = self.pad(s.id, role)
            self.assertEqual(p.frames[0]["role"], role)
            p.close()
        for role, code in (("candidate2", "NOT_FOUND"), ("nobody", "UNAUTHENTICATED")):
            with self.subTest(call="pad", role=role):
                p = Pad(self.judged.http_port, s.id, self.tok.get(role, "not-a-token"))
                err = p.take(type="error")
                self.assertEqual(err["code"], code)
                self.assertTrue(p.wait_closed(), "the socket stays open after a refused hello")
                self.assertFalse([f for f in p.frames if f["type"] != "error"], p.raw)
                with self.subTest("the error frame's message is a string, as for every other error frame"):
                    self.assertIsInstance(err["message"], str, p.raw)

    # --- bad input

    def test_bad_input_is_refused_precisely(self):
        def both(request, body, code, pattern):
            got, details = self.grpc_error(lambda: self.stub.CreateSession(request, metadata=self.md("interviewer")))
            self.assertEqual(got, code, details)
            self.assertRegex(details, pattern)
            status, payload = self.http.call("POST", "/v1/sessions", self.tok["interviewer"], body)
            self.assertEqual((status, payload["code"]), (HTTP_STATUS[code], code), payload)
            self.assertRegex(payload["message"], pattern)

        cases = [
            ("unknown challenge", dict(challenge_id="no-such-challenge", candidate_id="cand-1"),
             "NOT_FOUND", r"no-such-challenge"),
            ("language the challenge does not take", dict(challenge_id="sql-null-trap", candidate_id="cand-1",
                                                          language="python3"),
             "INVALID_ARGUMENT", r"does not take language \"python3\".*sql"),
            ("unknown language", dict(challenge_id="ttl-lru-cache", candidate_id="cand-1", language="cobol"),
             "INVALID_ARGUMENT", r"cobol"),
            ("malformed candidate id", dict(challenge_id="sql-null-trap", candidate_id="cand 1/../x"),
             "INVALID_ARGUMENT", r"candidate_id"),
            ("missing candidate id", dict(challenge_id="sql-null-trap"), "INVALID_ARGUMENT", r"candidate_id"),
            ("candidate id too long", dict(challenge_id="sql-null-trap", candidate_id="c" * 129),
             "INVALID_ARGUMENT", r"candidate_id"),
            ("document over 64 KiB", dict(challenge_id="sql-null-trap", candidate_id="cand-1",
                                          document="x" * (MAX_BYTES + 1)),
             "INVALID_ARGUMENT", r"65536 bytes"),
            ("document over 64 KiB in UTF-8, not in characters",
             dict(challenge_id="sql-null-trap", candidate_id="cand-1", document=EMOJI * (MAX_BYTES // 4) + "x"),
             "INVALID_ARGUMENT", r"65536 bytes"),
        ]
        camel = {"challenge_id": "challengeId", "candidate_id": "candidateId", "language": "language",
                 "document": "document"}
        for name, fields, code, pattern in cases:
            with self.subTest(name):
                both(pb.CreateSessionRequest(**fields), {camel[k]: v for k, v in fields.items()}, code, pattern)
        # At the bound exactly: taken (UTF-8 bytes, the emoji's four).
        edge = self.create(document="x" * (MAX_BYTES - 4) + EMOJI)
        self.assertEqual(len(self.get(edge.id).document.encode()), MAX_BYTES)
        # An empty document is the language's starter.
        starters = {l.id: l.starter for l in self.stub.ListLanguages(pb.ListLanguagesRequest(),
                                                                      metadata=self.md("candidate")).languages}
        s = self.create(challenge="ttl-lru-cache", document="", language="go")
        self.assertEqual((s.language, s.document, s.version), ("go", starters["go"], 1))
        s = self.create(challenge="ttl-lru-cache", document="")
        ch = self.stub.GetChallenge(pb.GetChallengeRequest(challenge_id="ttl-lru-cache"), metadata=self.md("candidate"))
        self.assertEqual((s.language, s.document), (ch.summary.languages[0], starters[ch.summary.languages[0]]))

        # Malformed session ids on every call.
        for bad in ("bad!id", "s" * 65, "s../x", "s%00x"):
            with self.subTest(session_id=bad):
                for fn in (lambda: self.get(bad), lambda: self.timeline(bad),
                           lambda: self.stub.EndSession(pb.EndSessionRequest(session_id=bad),
                                                        metadata=self.md("admin")),
                           lambda: self.stub.SetSessionNotes(pb.SetSessionNotesRequest(session_id=bad, notes="n"),
                                                             metadata=self.md("admin"))):
                    code, details = self.grpc_error(fn)
                    self.assertEqual(code, "INVALID_ARGUMENT", details)
                    self.assertIn("session_id", details)
        for bad in ("bad!id", "s" * 65):
            for method, path, body in (("GET", "/v1/sessions/%s", None), ("GET", "/v1/sessions/%s/timeline", None),
                                       ("POST", "/v1/sessions/%s/end", {}),
                                       ("POST", "/v1/sessions/%s/notes", {"notes": "n"})):
                with self.subTest(method=method, path=path % bad):
                    status, payload = self.http.call(method, path % bad, self.tok["admin"], body)
                    self.assertEqual((status, payload["code"]), (400, "INVALID_ARGUMENT"), payload)
        for bad in ("bad!id", "s" * 65):
            p = Pad(self.judged.http_port, bad, self.tok["interviewer"])
            self.assertEqual(p.take(type="error")["code"], "INVALID_ARGUMENT")
            self.assertTrue(p.wait_closed())
        # Other refusals: a page size, notes over the bound, a body naming another session.
        s = self.create()
        self.assertEqual(self.grpc_error(lambda: self.stub.ListSessions(pb.ListSessionsRequest(page_size=101),
                                                                        metadata=self.md("interviewer")))[0],
                         "INVALID_ARGUMENT")
        self.assertEqual(self.http_code("GET", "/v1/sessions?page_size=abc", "interviewer"), "INVALID_ARGUMENT")
        code, details = self.grpc_error(lambda: self.stub.SetSessionNotes(
            pb.SetSessionNotesRequest(session_id=s.id, notes="n" * (MAX_BYTES + 1)), metadata=self.md("interviewer")))
        self.assertEqual(code, "INVALID_ARGUMENT", details)
        self.assertEqual(self.http_code("POST", "/v1/sessions/%s/notes" % s.id, "interviewer",
                                        {"sessionId": "s" + "1" * 18, "notes": "x"}), "INVALID_ARGUMENT")
        self.assertEqual(self.get(s.id).notes, "")
        # A WebSocket anywhere else is a 404.
        with self.assertRaises(websocket.WebSocketBadStatusException) as cm:
            websocket.create_connection("ws://127.0.0.1:%d/v1/sessions/%s/other" % (self.judged.http_port, s.id),
                                        timeout=WAIT)
        self.assertEqual(cm.exception.status_code, 404)
        self.assertServing()

    def test_bad_frames_on_the_pad_are_refused_and_change_nothing(self):
        s = self.create(challenge="ttl-lru-cache", language="python3", document="x" * (MAX_BYTES - 8))
        p = self.pad(s.id, "interviewer")
        n = units(text_of(p.doc))

        def refused(msg, code, pattern):
            p.send(msg)
            err = p.take(type="error")
            self.assertEqual(err["code"], code, err)
            self.assertIsInstance(err["message"], str)
            if pattern:
                self.assertRegex(err["message"], pattern)

        refused({"type": "push", "version": p.version, "updates": [{"clientID": "a", "changes": [n + 1, [0, "y"]]}]},
                "INVALID_ARGUMENT", "")  # covers more than the text
        refused({"type": "push", "version": p.version, "updates": [{"clientID": "a", "changes": [n - 1, [0, "y"]]}]},
                "INVALID_ARGUMENT", "length")  # covers less
        refused({"type": "push", "version": p.version, "updates": [{"clientID": "a", "changes": "nope"}]},
                "INVALID_ARGUMENT", "")
        refused({"type": "push", "version": p.version, "updates": [{"clientID": "a"}]}, "INVALID_ARGUMENT", "changes")
        refused({"type": "push", "version": p.version}, "INVALID_ARGUMENT", "updates")
        refused({"type": "what"}, "INVALID_ARGUMENT", "unknown frame type")
        refused({"type": "language", "language": "sql"}, "INVALID_ARGUMENT", "python3")
        p.ws.send("not json {")
        self.assertEqual(p.take(type="error")["code"], "INVALID_ARGUMENT")
        # Two updates in one push, the second bad: neither is kept.
        refused({"type": "push", "version": p.version, "updates": [
            {"clientID": "a", "changes": change(n, n, 0, "ok")}, {"clientID": "a", "changes": [1]}]},
            "INVALID_ARGUMENT", "")
        # Over the 64 KiB bound in UTF-8 bytes: an emoji fits (4 bytes of the 8 left), two do not.
        refused({"type": "push", "version": p.version, "updates": [
            {"clientID": "a", "changes": change(n, n, 0, EMOJI * 2 + "!")}]}, "INVALID_ARGUMENT", "65536 bytes")
        self.assertEqual((self.get(s.id).version, self.get(s.id).document), (1, "x" * (MAX_BYTES - 8)))
        p.edit(lambda doc: change(len(doc) // 2, 0, 0, EMOJI + "abc\n"))  # 65536 bytes exactly
        self.assertEqual(len(text_of(p.doc).encode()), MAX_BYTES)
        refused({"type": "push", "version": p.version, "updates": [
            {"clientID": "a", "changes": change(n + 6, 1, 0, "z")}]}, "INVALID_ARGUMENT", "65536 bytes")
        got = self.get(s.id)
        self.assertEqual((got.version, got.document), (2, text_of(p.doc)))
        self.assertFalse(p.pending("updates"), "a refused push was sent to the clients")
        # The socket is still good, and so is the judge.
        p.edit(lambda doc: change(len(doc) // 2, 2, 4))
        self.assertEqual(self.get(s.id).document, text_of(p.doc))
        # A first frame that is not a hello.
        q = Pad(self.judged.http_port, s.id, self.tok["interviewer"], hello=False)
        q.send({"type": "push", "version": 0, "updates": []})
        self.assertEqual(q.take(type="error")["code"], "INVALID_ARGUMENT")
        self.assertTrue(q.wait_closed())
        p.close()
        self.assertServing()

    # --- the pad

    def test_timeline_replays_the_pad_exactly(self):
        start = "class LRU:\n    pass\n"
        s = self.create(challenge="ttl-lru-cache", language="python3", document=start)
        i = self.pad(s.id, "interviewer")
        self.assertEqual((text_of(i.doc), i.version), (start, 1))
        got = self.get(s.id)
        self.assertEqual((list(got.participants), got.HasField("candidate_joined_at")), (["interviewer"], False))
        c = self.pad(s.id, "candidate")
        got = self.get(s.id, "candidate")
        self.assertEqual((list(got.participants), got.HasField("candidate_joined_at")),
                         (["candidate", "interviewer"], True))
        self.assertEqual(i.take(type="presence", pred=lambda f: f["participants"] == ["candidate", "interviewer"])
                         ["participants"], ["candidate", "interviewer"])
        i.take(type="mark", pred=lambda f: f["event"].get("joined") and f["event"]["who"] == "candidate")

        # In turn: a multi-line insert, an emoji, text after the emoji (UTF-16 positions), a
        # deletion across it, a replacement.
        i.edit(lambda d: change(len(d) // 2, units("class LRU:\n"), units("    pass\n"),
                                "    def __init__(self, cap):\n        self.cap = cap\n"))
        c.catch_up(i.version)
        c.edit(lambda d: change(len(d) // 2, 0, 0, "# " + EMOJI + " cache\n"))
        i.catch_up(c.version)
        pos = text_of(c.doc).index("cache")
        c.edit(lambda d: change(len(d) // 2, units(text_of(d)[:pos]), 0, "LRU "))
        i.catch_up(c.version)
        self.assertEqual(text_of(i.doc).splitlines()[0], "# " + EMOJI + " LRU cache")
        i.edit(lambda d: change(len(d) // 2, 2, units(EMOJI + " "), ""))  # the emoji goes
        c.catch_up(i.version)
        i.edit(lambda d: change(len(d) // 2, units(text_of(d)) - 1, 0, "\n    def get(self, k):\n        return -1\n"))
        c.catch_up(i.version)
        i.send({"type": "visibility", "hidden": True})  # only the candidate's tab is watched
        c.send({"type": "visibility", "hidden": True})
        hidden = i.take(type="mark", pred=lambda f: f["event"].get("tabHidden"))
        self.assertEqual(hidden["event"]["who"], "candidate")
        c.send({"type": "visibility", "hidden": False})
        i.take(type="mark", pred=lambda f: f["event"].get("tabVisible"))
        c.send({"type": "cursor", "anchor": 3, "head": 7})
        cur = i.take(type="cursor")
        self.assertEqual((cur["who"], cur["anchor"], cur["head"]), ("candidate", 3, 7))
        i.send({"type": "language", "language": "cpp"})
        for p in (i, c):
            lang = p.take(type="language")
            self.assertEqual((lang["who"], lang["language"]), ("interviewer", "cpp"))
        self.assertEqual(self.get(s.id).language, "cpp")

        # At once: both push against the same version; one wins, the other rebases.
        self.assertEqual(i.version, c.version)
        base = i.version
        for p, text in ((i, "/*i*/"), (c, "/*c*/")):
            p.send({"type": "push", "version": base, "updates": [
                {"clientID": p.client_id, "changes": change(len(p.doc) // 2, 0, 0, text)}]})
        fi, fc = i.next_updates(), c.next_updates()
        self.assertEqual(fi, fc)
        self.assertEqual((fi["version"], len(fi["updates"])), (base + 1, 1), "exactly one of two racing pushes wins")
        loser = c if fi["updates"][0]["clientID"] == i.client_id else i
        self.assertFalse(loser.pending("error"), "a stale push is ignored, not refused")
        loser.insert(0, "/*i*/" if loser is i else "/*c*/")
        (c if loser is i else i).catch_up(loser.version)

        # At once, many: two threads typing, each rebasing whenever the other got in first.
        errors = []

        def typist(p, tag, where):
            try:
                for k in range(15):
                    text = "%s%d%s>" % (tag, k, EMOJI if k % 5 == 0 else "") + ("\n" if k % 4 == 0 else "")
                    p.insert(where, text)
            except Exception as e:  # reported below
                errors.append(repr(e))

        threads = [threading.Thread(target=typist, args=(i, "<I", lambda d: len(d) // 2)),
                   threading.Thread(target=typist, args=(c, "<C", 0))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        final = self.get(s.id)
        for p in (i, c):
            p.catch_up(final.version)
            self.assertEqual(text_of(p.doc), final.document)
        self.assertEqual((final.document.count("/*i*/"), final.document.count("/*c*/")), (1, 1))
        for tag in ("<I", "<C"):
            for k in range(15):
                self.assertEqual(final.document.count("%s%d%s>" % (tag, k, EMOJI if k % 5 == 0 else "")), 1,
                                 (tag, k, final.document))

        # A run, the candidate leaving, the end.
        status, events = self.http.live(self.tok["interviewer"], {
            "challengeId": "ttl-lru-cache", "language": "python3", "sessionId": s.id, "samplesOnly": True,
            "source": harness.read("challenges/ttl-lru-cache/solutions/reference.py")})
        self.assertEqual(status, 200, events)
        run_id = events[-1][1]["submission"]["id"]
        self.assertEqual(events[-1][1]["submission"]["verdict"], "VERDICT_ACCEPTED")
        for p in (i, c):
            p.take(type="run", pred=lambda f: f["event"]["state"] == "SUBMISSION_STATE_FINISHED")
        c.close()
        i.take(type="presence", pred=lambda f: f["participants"] == ["interviewer"])
        i.take(type="mark", pred=lambda f: f["event"].get("left") and f["event"]["who"] == "candidate")
        status, got = self.http.call("GET", "/v1/sessions/" + s.id, self.tok["interviewer"])
        self.assertEqual(got["participants"], ["interviewer"])
        self.stub.EndSession(pb.EndSessionRequest(session_id=s.id), metadata=self.md("interviewer"))
        i.take(type="ended")
        self.assertTrue(i.wait_closed())

        final = self.get(s.id)
        events = self.timeline(s.id)
        seqs = [e.seq for e in events]
        self.assertEqual(seqs, sorted(set(seqs)), "seq is not strictly increasing")
        versions = [e.version for e in events]
        self.assertEqual(versions, sorted(versions), "versions go back")
        self.assertTrue(all(a.at.ToNanoseconds() <= b.at.ToNanoseconds() for a, b in zip(events, events[1:])))
        doc, n = b"", 0
        for e in events:
            if e.WhichOneof("kind") == "changes":
                doc = apply_changes(doc, json.loads(e.changes))
                n += 1
            self.assertEqual(e.version, n, "event %d: the version after it is %d, %d changes so far" % (
                e.seq, e.version, n))
        self.assertEqual(text_of(doc), final.document)
        self.assertEqual(n, final.version)
        self.assertEqual(text_of(i.doc), final.document)
        # The same timeline over HTTP, and as the candidate reads it.
        status, tl = self.http.call("GET", "/v1/sessions/%s/timeline" % s.id, self.tok["candidate"])
        self.assertEqual(status, 200)
        self.assertEqual([int(e["seq"]) for e in tl["events"]], seqs)
        self.assertEqual([e.get("changes") for e in tl["events"]],
                         [e.changes if e.WhichOneof("kind") == "changes" else None for e in events])

        kinds = [(e.WhichOneof("kind"), e.who) for e in events]
        self.assertEqual(kinds[0], ("changes", "interviewer"))  # the starting text
        self.assertEqual(json.loads(events[0].changes), [[0] + start.split("\n")])

        def first(kind, who=None, after=-1):
            for k, (kk, w) in enumerate(kinds):
                if k > after and kk == kind and (who is None or w == who):
                    return k
            self.fail("no %s event%s after %d: %s" % (kind, " by " + who if who else "", after, kinds))

        joined_i, joined_c = first("joined", "interviewer"), first("joined", "candidate")
        self.assertLess(joined_i, joined_c)
        self.assertLess(joined_c, first("changes", after=0))
        hidden_at = first("tab_hidden")
        self.assertEqual(kinds[hidden_at][1], "candidate")
        self.assertEqual(sum(1 for k, _ in kinds if k == "tab_hidden"), 1)
        self.assertLess(hidden_at, first("tab_visible", "candidate"))
        self.assertEqual(events[hidden_at].version, 6)  # after the five edits in turn
        self.assertEqual(events[first("language", "interviewer")].language, "cpp")
        started = first("run_started", "interviewer")
        self.assertEqual(events[started].run_started, run_id)
        finished = first("run_finished", "interviewer", after=started)
        self.assertEqual(events[finished].run_finished.id, run_id)
        self.assertEqual(events[finished].run_finished.verdict, pb.VERDICT_ACCEPTED)
        self.assertEqual(events[finished].run_finished.source, "")
        left = first("left", "candidate", after=finished)
        ended = first("ended", "interviewer", after=left)
        self.assertTrue(events[ended].ended)
        self.assertEqual(sum(1 for k in kinds if k[0] == "ended"), 1)
        self.assertFalse([k for k in kinds[ended + 1:] if k[0] != "left"], kinds[ended:])
        self.assertEqual(sum(1 for k, _ in kinds if k == "changes"), final.version)

    def test_marks_are_the_timeline_events(self):
        s = self.create()
        i = self.pad(s.id, "interviewer")
        c = self.pad(s.id, "candidate")
        c.send({"type": "visibility", "hidden": True})
        mark = i.take(type="mark", pred=lambda f: f["event"].get("tabHidden"))["event"]
        joined = i.take(type="mark", pred=lambda f: f["event"].get("joined") and f["event"]["who"] == "candidate")
        status, tl = self.http.call("GET", "/v1/sessions/%s/timeline" % s.id, self.tok["interviewer"])
        by_kind = {k: e for e in tl["events"] for k in ("tabHidden", "joined") if e.get(k) and e["who"] == "candidate"}
        self.assertEqual(joined["event"], by_kind["joined"], "the mark is not the event on the timeline")
        self.assertEqual(mark, by_kind["tabHidden"], "the mark is not the event on the timeline")
        self.assertFalse(c.pending("mark"), "the candidate got a mark")
        i.close()
        c.close()

    def test_reconnect_gets_exactly_the_missing_updates(self):
        s = self.create(document="line one\nline two\n")
        i = self.pad(s.id, "interviewer")
        c = self.pad(s.id, "candidate")
        c.insert(0, "-- " + EMOJI + "\n")
        i.catch_up(c.version)
        have_version, have_doc = c.version, c.doc
        c.drop()  # gone without a close frame
        i.take(type="presence", pred=lambda f: f["participants"] == ["interviewer"])
        for text in ("a\nb", EMOJI, "end"):
            i.insert(lambda d: len(d) // 2, text)
        # One push of three updates at once.
        v = i.version
        n = len(i.doc) // 2
        three = [change(n, 0, 0, "1"), change(n + 1, 0, 0, "2"), change(n + 2, 3, 1, "")]
        i.send({"type": "push", "version": v, "updates": [{"clientID": i.client_id, "changes": ch} for ch in three]})
        f = i.next_updates()
        self.assertEqual((f["version"], [u["changes"] for u in f["updates"]]), (v + 3, three))
        timeline_updates = [e for e in self.timeline(s.id) if e.WhichOneof("kind") == "changes"]
        # Each update of a push is its own step: the version after it, one more each.
        self.assertEqual([e.version for e in timeline_updates], list(range(1, len(timeline_updates) + 1)))
        expected = [json.loads(e.changes) for e in timeline_updates[have_version:]]
        self.assertEqual(len(expected), 6)

        back = Pad(self.judged.http_port, s.id, self.tok["candidate"], version=have_version)
        w = back.take(type="welcome")
        self.assertNotIn("doc", w)
        self.assertEqual(w["version"], i.version)
        self.assertEqual([u["changes"] for u in w["updates"]], expected)
        self.assertEqual({u["who"] for u in w["updates"]}, {"interviewer"})
        self.assertEqual({u["clientID"] for u in w["updates"]}, {i.client_id})
        back.doc, back.version = have_doc, have_version
        for u in w["updates"]:
            back.doc = apply_changes(back.doc, u["changes"])
        back.version = w["version"]
        self.assertEqual(text_of(back.doc), text_of(i.doc))
        self.assertEqual(text_of(back.doc), self.get(s.id).document)
        # It carries on from there.
        back.insert(0, "!")
        i.catch_up(back.version)
        self.assertEqual(i.doc, back.doc)
        # At the current version: nothing missing; fresh (-1) or ahead of the judge: the text.
        now = Pad(self.judged.http_port, s.id, self.tok["interviewer"], version=i.version)
        w = now.take(type="welcome")
        self.assertEqual((w["version"], w["updates"]), (i.version, []))
        for version in (-1, i.version + 5):
            p = Pad(self.judged.http_port, s.id, self.tok["interviewer"], version=version)
            w = p.take(type="welcome")
            self.assertEqual((w["version"], w["doc"]), (i.version, text_of(i.doc)))
            p.close()
        for p in (i, back, now):
            p.close()

    def test_notes_never_reach_the_candidate(self):
        secret = "NOTE-" + secrets.token_hex(8)
        s = self.create(candidate="cand-1", document="print(1)\n")
        c = self.pad(s.id, "candidate")
        i = self.pad(s.id, "interviewer")
        self.stub.SetSessionNotes(pb.SetSessionNotesRequest(session_id=s.id, notes=secret + " (grpc)"),
                                  metadata=self.md("interviewer"))
        status, got = self.http.call("POST", "/v1/sessions/%s/notes" % s.id, self.tok["platform"],
                                     {"notes": "## " + secret + "\n- over HTTP"})
        self.assertEqual((status, got["notes"]), (200, "## " + secret + "\n- over HTTP"))
        c.insert(0, "# hi\n")
        i.catch_up(c.version)
        c.send({"type": "visibility", "hidden": True})
        i.take(type="mark", pred=lambda f: f["event"].get("tabHidden"))
        late = self.pad(s.id, "candidate")  # joins with the notes set
        # The interviewer side reads them.
        self.assertIn(secret, self.get(s.id, "interviewer").notes)
        for role in ("interviewer", "platform", "admin"):
            status, got = self.http.call("GET", "/v1/sessions/" + s.id, self.tok[role])
            self.assertIn(secret, got["notes"])
        j = self.pad(s.id, "interviewer")
        self.assertIn(secret, j.frames[0]["session"]["notes"])
        # The candidate never does.
        got = self.get(s.id, "candidate")
        self.assertEqual((got.notes, got.created_by), ("", ""))
        self.assertNotIn(secret, str(got))
        status, body = self.http.call("GET", "/v1/sessions/" + s.id, self.tok["candidate"])
        self.assertNotIn(secret, json.dumps(body))
        self.assertEqual(body["notes"], "")
        listed = self.stub.ListSessions(pb.ListSessionsRequest(page_size=100), metadata=self.md("candidate"))
        self.assertIn(s.id, [x.id for x in listed.sessions])
        self.assertNotIn(secret, str(listed))
        self.assertEqual({x.created_by for x in listed.sessions}, {""})
        status, body = self.http.call("GET", "/v1/sessions", self.tok["candidate"])
        self.assertNotIn(secret, json.dumps(body))
        self.assertNotIn(secret, str(self.timeline(s.id, "candidate")))
        for p in (c, late):
            welcome = p.frames[0]
            self.assertEqual(welcome["type"], "welcome")
            self.assertEqual(welcome["session"]["notes"], "")
            self.assertEqual(welcome["session"]["createdBy"], "")
        # Nor any frame on a candidate's socket, whatever happened meanwhile.
        self.stub.SetSessionNotes(pb.SetSessionNotesRequest(session_id=s.id, notes=secret + " again"),
                                  metadata=self.md("interviewer"))
        i.insert(0, "x")
        c.catch_up(i.version)
        late.catch_up(i.version)
        self.stub.EndSession(pb.EndSessionRequest(session_id=s.id), metadata=self.md("interviewer"))
        for p in (c, late):
            p.take(type="ended")
            self.assertTrue(p.wait_closed())
            for raw in p.raw:
                self.assertNotIn(secret, raw)
        self.assertNotIn(secret, str(self.get(s.id, "candidate")))

    def test_a_run_in_the_session_shows_on_both_pads_as_each_may_see_it(self):
        s = self.create(document=SQL_WRONG)
        c = self.pad(s.id, "candidate")
        i = self.pad(s.id, "interviewer")
        interviewer_key = self.stub.WhoAmI(pb.WhoAmIRequest(), metadata=self.md("interviewer")).key_id
        req = pb.RunLiveRequest(challenge_id="sql-null-trap", language="sql", source=SQL_WRONG, session_id=s.id)
        stream = list(self.stub.RunLive(req, metadata=self.md("interviewer")))
        final = stream[-1].submission
        self.assertEqual(final.verdict, pb.VERDICT_WRONG_ANSWER)
        real_hidden = {t.name for t in final.tests if not t.sample}
        failed_hidden = [t for t in final.tests if not t.sample and t.verdict != pb.VERDICT_ACCEPTED]
        self.assertTrue(failed_hidden)

        def frames_of(p):
            p.take(type="run", pred=lambda f: f["event"]["submissionId"] == final.id and
                   f["event"]["state"] == "SUBMISSION_STATE_FINISHED")
            with p.cond:
                return [f for f in p.frames if f["type"] == "run" and f["event"]["submissionId"] == final.id]

        mine, theirs = frames_of(i), frames_of(c)
        shape = [(e.state, e.test.index if e.HasField("test") else 0) for e in stream]
        for frames in (mine, theirs):
            self.assertEqual({f["who"] for f in frames}, {"interviewer"})
            self.assertEqual([(pb.SubmissionState.Value(f["event"]["state"]),
                               f["event"].get("test", {}).get("index", 0)) for f in frames], shape)
        # The interviewer's pad: the hidden tests' names, traps and details.
        last = mine[-1]["event"]["submission"]
        self.assertEqual({t["name"] for t in last["tests"] if not t["sample"]}, real_hidden)
        for t in last["tests"]:
            if not t["sample"] and t["verdict"] != "VERDICT_ACCEPTED" and t["group"] != "performance":
                self.assertTrue(t["trap"], t)
                self.assertTrue(t["detail"]["input"] and t["detail"]["expected"], t)
        # The candidate's pad: hidden-N, nothing of their data.
        tests = [f["event"]["test"] for f in theirs if "test" in f["event"]]
        tests += theirs[-1]["event"]["submission"]["tests"]
        self.assertEqual(len(tests), 2 * len(final.tests))
        for t in tests:
            self.assertEqual(t["trap"], "")
            self.assertNotIn("detail", t)
            if not t["sample"]:
                self.assertRegex(t["name"], r"^hidden-\d+$")
                self.assertEqual(t["message"], "")
        text = "\n".join(c.raw)
        for name in real_hidden:
            self.assertNotIn('"%s"' % name, text, "a hidden test's name reached the candidate's pad")
        for t in failed_hidden:
            if t.trap:
                self.assertNotIn(t.trap, text)
        with self.subTest("the interviewer's key id (submittedBy) never reaches the candidate's pad"):
            leaks = ["%s %s: %s" % (f["type"], f.get("event", {}).get("state", ""),
                                    re.findall(r'"\w+":"%s"' % interviewer_key, raw))
                     for f, raw in zip(c.frames, c.raw) if interviewer_key in raw]
            self.assertEqual(leaks, [], "frames on the candidate's pad carrying the interviewer's key id")
        # The timeline: the run's start and end, each as its reader may see it.
        for role in ("interviewer", "candidate"):
            events = self.timeline(s.id, role)
            kinds = [e.WhichOneof("kind") for e in events]
            started = kinds.index("run_started")
            self.assertEqual((events[started].run_started, events[started].who), (final.id, "interviewer"))
            done = [e for e in events[started:] if e.WhichOneof("kind") == "run_finished"]
            self.assertEqual(len(done), 1)
            run = done[0].run_finished
            self.assertEqual((run.id, run.verdict, run.score), (final.id, final.verdict, final.score))
            names = {t.name for t in run.tests if not t.sample}
            if role == "interviewer":
                self.assertEqual(names, real_hidden)
            else:
                self.assertTrue(all(re.match(r"^hidden-\d+$", n) for n in names), names)
                self.assertTrue(all(not t.trap and not t.HasField("detail") for t in run.tests))
                self.assertEqual(run.submitted_by, "")
        # The candidate's own run in the session: a practice run on the samples, shown to both.
        status, events = self.http.live(self.tok["candidate"], {
            "challengeId": "sql-null-trap", "language": "sql", "source": SQL_REF, "sessionId": s.id})
        self.assertEqual(status, 200, events)
        practice = events[-1][1]["submission"]
        self.assertEqual((practice["mode"], practice["samplesOnly"]), ("SUBMISSION_MODE_PRACTICE", True))
        for p in (i, c):
            f = p.take(type="run", pred=lambda f: f["event"]["submissionId"] == practice["id"] and
                       f["event"]["state"] == "SUBMISSION_STATE_FINISHED")
            self.assertEqual(f["who"], "candidate")
            self.assertEqual(f["event"]["submission"]["verdict"], "VERDICT_ACCEPTED")
        events = self.timeline(s.id)
        self.assertIn(("candidate", practice["id"]),
                      [(e.who, e.run_started) for e in events if e.WhichOneof("kind") == "run_started"])
        # Runs that do not belong: another challenge, another candidate's session, no session.
        code, details = self.grpc_error(lambda: list(self.stub.RunLive(pb.RunLiveRequest(
            challenge_id="ttl-lru-cache", language="python3", source="print(1)\n", session_id=s.id),
            metadata=self.md("interviewer"))))
        self.assertEqual(code, "INVALID_ARGUMENT", details)
        self.assertIn("sql-null-trap", details)
        status, body = self.http.live(self.tok["candidate2"], {
            "challengeId": "sql-null-trap", "language": "sql", "source": SQL_REF, "sessionId": s.id})
        self.assertEqual((status, body["code"]), (404, "NOT_FOUND"))
        code, _ = self.grpc_error(lambda: list(self.stub.RunLive(pb.RunLiveRequest(
            challenge_id="sql-null-trap", language="sql", source=SQL_REF, session_id="s" + "0" * 18),
            metadata=self.md("interviewer"))))
        self.assertEqual(code, "NOT_FOUND")
        runs = [e for e in self.timeline(s.id) if e.WhichOneof("kind") == "run_started"]
        self.assertEqual(len(runs), 2)
        i.close()
        c.close()

    # --- an ended session

    def test_an_ended_session_is_read_only(self):
        s = self.create(document="SELECT 1;\n")
        i = self.pad(s.id, "interviewer")
        c = self.pad(s.id, "candidate")
        c.insert(0, "-- ")
        i.catch_up(c.version)
        status, ended = self.http.call("POST", "/v1/sessions/%s/end" % s.id, self.tok["interviewer"], {})
        self.assertEqual((status, ended["state"]), (200, "SESSION_STATE_ENDED"))
        self.assertTrue(ended.get("endedAt"))
        for p in (i, c):
            p.take(type="ended")
            self.assertTrue(p.wait_closed(), "the pad stays open after the end")
        before = self.get(s.id)
        self.assertEqual((before.document, before.version), ("-- SELECT 1;\n", 2))
        # Ending again changes nothing.
        again = self.stub.EndSession(pb.EndSessionRequest(session_id=s.id), metadata=self.md("interviewer"))
        self.assertEqual(again.ended_at, before.ended_at)
        # A new connection: the text, then "ended", then the close.
        late = Pad(self.judged.http_port, s.id, self.tok["candidate"])
        w = late.take(type="welcome")
        self.assertEqual((w["doc"], w["version"], w["session"]["state"]), (before.document, 2, "SESSION_STATE_ENDED"))
        late.take(type="ended")
        self.assertTrue(late.wait_closed())
        # Pushes and language switches in the same breath as the hello: nothing changes.
        for role in ("candidate", "interviewer"):
            got = hello_and(self.judged.http_port, s.id, self.tok[role],
                            {"type": "push", "version": 2, "updates": [{"clientID": "x", "changes": [0, [0, "X"]]}]},
                            {"type": "language", "language": "sql"})
            types = [f["type"] for f in got]
            self.assertIn("ended", types)
            self.assertNotIn("updates", types)
            self.assertNotIn("language", types)
        after = self.get(s.id)
        self.assertEqual((after.document, after.version, after.state), (before.document, 2, pb.SESSION_STATE_ENDED))
        # Runs in it are refused, on both doors.
        code, details = self.grpc_error(lambda: list(self.stub.RunLive(pb.RunLiveRequest(
            challenge_id="sql-null-trap", language="sql", source=SQL_REF, session_id=s.id),
            metadata=self.md("interviewer"))))
        self.assertEqual(code, "FAILED_PRECONDITION", details)
        self.assertIn("ended", details)
        for role in ("interviewer", "candidate"):
            status, body = self.http.live(self.tok[role], {"challengeId": "sql-null-trap", "language": "sql",
                                                           "source": SQL_REF, "sessionId": s.id})
            self.assertEqual((status, body["code"]), (400, "FAILED_PRECONDITION"), body)
        self.assertFalse([e for e in self.timeline(s.id) if e.WhichOneof("kind") == "run_started"])
        # Notes may still be written.
        self.stub.SetSessionNotes(pb.SetSessionNotesRequest(session_id=s.id, notes="hire"),
                                  metadata=self.md("interviewer"))
        status, body = self.http.call("POST", "/v1/sessions/%s/notes" % s.id, self.tok["interviewer"],
                                      {"notes": "strong hire"})
        self.assertEqual((status, body["notes"], body["state"]), (200, "strong hire", "SESSION_STATE_ENDED"))
        got = self.get(s.id)
        self.assertEqual((got.notes, got.document, got.version), ("strong hire", before.document, 2))
        events = self.timeline(s.id)
        ended_at = [k for k, e in enumerate(events) if e.WhichOneof("kind") == "ended"]
        self.assertEqual(len(ended_at), 1)
        self.assertFalse([e for e in events[ended_at[0]:] if e.WhichOneof("kind") == "changes"])

    def test_a_socket_that_never_says_hello_gives_its_stream_slot_back(self):
        # Slots are --http-max-streams for event streams and pads alike: a silent socket must not
        # keep one (pings would keep it alive for ever otherwise).
        s = self.create(document="x\n")
        ws = websocket.create_connection("ws://127.0.0.1:%d/v1/sessions/%s/pad" % (self.judged.http_port, s.id),
                                         timeout=WAIT)
        started = time.monotonic()
        closed = False
        try:
            while time.monotonic() - started < 15:
                op, _ = ws.recv_data(control_frame=True)
                if op == ABNF.OPCODE_CLOSE:
                    closed = True
                    break
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            closed = True
        finally:
            ws.shutdown()
        self.assertTrue(closed, "a socket without a hello stayed open")
        self.assertLess(time.monotonic() - started, 10)

    def test_an_ended_pad_answers_every_push_with_an_error(self):
        """A push that reaches an ended pad is refused out loud (FAILED_PRECONDITION), not
        dropped with the socket: the client learns that its edit was not kept."""
        s = self.create(document="SELECT 1;\n")
        self.stub.EndSession(pb.EndSessionRequest(session_id=s.id), metadata=self.md("interviewer"))
        answered = 0
        for k in range(10):
            got = hello_and(self.judged.http_port, s.id, self.tok["candidate"],
                            {"type": "push", "version": 1, "updates": [{"clientID": "x", "changes": [[0, "X"], 10]}]})
            errors = [f for f in got if f["type"] == "error"]
            if errors:
                self.assertEqual(errors[0]["code"], "FAILED_PRECONDITION", errors)
                answered += 1
        self.assertEqual(answered, 10, "of 10 pushes sent to an ended pad right after the hello, %d got an error "
                                       "frame; the others were dropped when the judge closed the socket" % answered)
        self.assertEqual(self.get(s.id).version, 1)


    def grpc_pad(self, md, *frames):
        """JoinPad over gRPC: sends `frames` (dicts), then reads until the judge's last frame or
        the stream's end; returns (frames read, a function that sends one more, the call)."""
        import queue
        q = queue.Queue()
        for f in frames:
            q.put(pb.PadFrame(json=json.dumps(f)))

        def requests():
            while True:
                f = q.get()
                if f is None:
                    return
                yield f
        call = self.stub.JoinPad(requests(), metadata=md, timeout=WAIT)
        got = []

        def read_until(pred):
            for f in call:
                got.append((json.loads(f.json), f.last))
                if f.last or pred(got[-1][0]):
                    return got[-1][0]
            return None
        return got, q, call, read_until

    def test_the_pad_over_grpc(self):
        s = self.create(document="SELECT 1;\n")
        web = self.pad(s.id, "interviewer")
        got, q, call, read_until = self.grpc_pad(self.md("candidate"),
                                                 {"type": "hello", "session": s.id, "version": -1})
        welcome = read_until(lambda f: f["type"] == "welcome")
        self.assertEqual((welcome["role"], welcome["doc"], welcome["version"]), ("candidate", "SELECT 1;\n", 1))
        # A push over gRPC reaches the WebSocket client, and the judge's document.
        changes = change(units("SELECT 1;\n"), 0, 0, "-- from gRPC\n")
        q.put(pb.PadFrame(json=json.dumps({"type": "push", "version": 1,
                                           "updates": [{"clientID": "g", "changes": changes}]})))
        self.assertEqual(read_until(lambda f: f["type"] == "updates")["version"], 2)
        web.next_updates()
        self.assertEqual(text_of(web.doc), "-- from gRPC\nSELECT 1;\n")
        self.assertEqual(self.get(s.id).document, "-- from gRPC\nSELECT 1;\n")
        self.assertEqual(self.get(s.id).participants, ["candidate", "interviewer"])
        q.put(None)  # the client is through: it leaves the pad
        list(call)
        web.take(type="presence", pred=lambda f: f["participants"] == ["interviewer"])
        # Refused, each with one error frame that is the last: a first frame that is not a
        # hello, another candidate (as if the session did not exist), no key.
        cases = [(self.md("candidate"), {"type": "push"}, "INVALID_ARGUMENT"),
                 (self.md("candidate2"), {"type": "hello", "session": s.id}, "NOT_FOUND"),
                 ([], {"type": "hello", "session": s.id}, "UNAUTHENTICATED"),
                 (self.md("interviewer"), {"type": "hello", "session": "no-such"}, "NOT_FOUND")]
        for md, first, code in cases:
            got, q, call, read_until = self.grpc_pad(md, first)
            read_until(lambda f: False)
            q.put(None)
            self.assertEqual(len(got), 1, got)
            self.assertEqual((got[0][0]["type"], got[0][0]["code"], got[0][1]), ("error", code, True), first)

class SessionsRestartTest(SessionsBase):
    def test_the_pad_survives_a_restart(self):
        first = self.start_judged()
        second = third = None
        try:
            self.connect(first)
            s = self.create(challenge="ttl-lru-cache", language="python3", document="def main():\n    pass\n")
            i = self.pad(s.id, "interviewer")
            c = self.pad(s.id, "candidate")
            i.insert(0, "# " + EMOJI + " notes\n")
            c.catch_up(i.version)
            old_doc, old_version = c.doc, c.version
            c.insert(lambda d: len(d) // 2, "main()\n")
            i.catch_up(c.version)
            c.send({"type": "visibility", "hidden": True})
            i.take(type="mark", pred=lambda f: f["event"].get("tabHidden"))
            self.stub.SetSessionNotes(pb.SetSessionNotesRequest(session_id=s.id, notes="before restart"),
                                      metadata=self.md("interviewer"))
            done = self.create(document="ended before the restart\n")
            self.stub.EndSession(pb.EndSessionRequest(session_id=done.id), metadata=self.md("interviewer"))
            before = self.get(s.id)
            timeline = [(e.seq, e.WhichOneof("kind"), e.version) for e in self.timeline(s.id)]
            self.channel.close()
            self.assertEqual(first.stop(), 0)
            for p in (i, c):
                self.assertTrue(p.wait_closed())

            second = harness.Judged(workdir=first.workdir, data_dir=first.data_dir, tokens=first.tokens,
                                    extra_args=EXTRA_ARGS).start()
            self.connect(second)
            after = self.get(s.id)
            self.assertEqual((after.document, after.version, after.language, after.notes, after.state),
                             (before.document, before.version, "python3", "before restart", pb.SESSION_STATE_OPEN))
            self.assertEqual(self.get(s.id, "candidate").document, before.document)
            self.assertEqual(self.get(done.id).state, pb.SESSION_STATE_ENDED)
            late = Pad(second.http_port, done.id, self.tok["candidate"])
            self.assertEqual(late.take(type="welcome")["doc"], "ended before the restart\n")
            late.take(type="ended")
            self.assertTrue(late.wait_closed())
            code, _ = self.grpc_error(lambda: list(self.stub.RunLive(pb.RunLiveRequest(
                challenge_id="sql-null-trap", language="sql", source=SQL_REF, session_id=done.id),
                metadata=self.md("interviewer"))))
            self.assertEqual(code, "FAILED_PRECONDITION")
            again = [(e.seq, e.WhichOneof("kind"), e.version) for e in self.timeline(s.id)]
            self.assertEqual(again[:len(timeline)], timeline)
            # The clients come back at the version they had and carry on.
            i2 = Pad(second.http_port, s.id, self.tok["interviewer"], version=i.version)
            w = i2.take(type="welcome")
            self.assertEqual((w["version"], w["updates"]), (before.version, []))
            i2.doc, i2.version = i.doc, i.version
            c2 = Pad(second.http_port, s.id, self.tok["candidate"], version=old_version)
            w = c2.take(type="welcome")
            self.assertEqual((w["version"], len(w["updates"])), (before.version, 1))
            self.assertEqual(w["updates"][0]["who"], "candidate")
            c2.doc, c2.version = apply_changes(old_doc, w["updates"][0]["changes"]), w["version"]
            self.assertEqual(text_of(c2.doc), before.document)
            i2.insert(lambda d: len(d) // 2, "# after\n")
            c2.catch_up(i2.version)
            c2.insert(0, EMOJI)
            i2.catch_up(c2.version)
            now = self.get(s.id)
            self.assertEqual(now.version, before.version + 2)
            self.assertEqual(now.document, text_of(i2.doc))
            self.assertEqual(now.document, EMOJI + before.document + "# after\n")
            # kill -9: whatever a client saw confirmed is there after the restart.
            i2.insert(0, "!")
            c2.catch_up(i2.version)
            want = text_of(i2.doc), i2.version
            self.channel.close()
            second.kill9()
            third = harness.Judged(workdir=first.workdir, data_dir=first.data_dir, tokens=first.tokens,
                                   extra_args=EXTRA_ARGS).start()
            self.connect(third)
            got = self.get(s.id)
            self.assertEqual((got.document, got.version), want)
            doc = b""
            for e in self.timeline(s.id):
                if e.WhichOneof("kind") == "changes":
                    doc = apply_changes(doc, json.loads(e.changes))
            self.assertEqual(text_of(doc), want[0])
            i3 = Pad(third.http_port, s.id, self.tok["interviewer"], version=want[1])
            self.assertEqual(i3.take(type="welcome")["updates"], [])
            i3.doc, i3.version = u16(want[0]), want[1]
            i3.insert(0, "?")
            self.assertEqual(self.get(s.id).document, "?" + want[0])
            i3.close()
            self.channel.close()
            self.assertEqual(third.stop(), 0)
        finally:
            for j in (third, second, first):
                if j is not None:
                    j.cleanup_process_only()
            first.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
