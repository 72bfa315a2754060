"""The HTTP door of a real judged (--http-listen): the JSON API is the gRPC API transcoded.

Every route; each error status with its JSON body; the role matrix, checked against the gRPC
answers for the same calls; server-sent events in order, replayed to late watchers; the limits
(413, 429 for streams, 431); a client that vanishes mid-stream; TLS, CORS and the page's files.
"""
import http.client
import json
import re
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

pb, rpc = harness.load_stubs(os.environ.get("JUDGE_IT_TMP", "/tmp/judge-it-stubs-%d" % os.getpid()))
SQL_REF = harness.read("challenges/sql-null-trap/solutions/reference.sql")
SQL_WRONG = harness.read("challenges/sql-null-trap/solutions/wrong-not-in-null.sql")
ECHO_CHALLENGES = os.path.join(os.path.dirname(__file__), "challenges")
WEB = os.path.join(harness.BUILD, "web")


class Http:
    """A tiny client: JSON in, (status, headers, JSON or text) out."""

    def __init__(self, port, tls_context=None):
        self.port = port
        self.tls = tls_context

    def conn(self, timeout=60):
        if self.tls:
            return http.client.HTTPSConnection("localhost", self.port, context=self.tls, timeout=timeout)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def call(self, method, path, token=None, body=None, headers=None, raw=None):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        c = self.conn()
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            text = r.read().decode()
            try:
                payload = json.loads(text) if text else None
            except ValueError:
                payload = text
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), payload
        finally:
            c.close()

    def events(self, method, path, token, body=None):
        """Reads a whole server-sent event stream: [(id, event, data), ...], or raises with the
        error status and body."""
        h = {"Authorization": "Bearer " + token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        c = self.conn(timeout=300)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            if r.status != 200:
                raise HttpError(r.status, json.loads(r.read().decode()))
            assert r.getheader("Content-Type").startswith("text/event-stream"), r.getheader("Content-Type")
            return parse_sse(r)
        finally:
            c.close()


class HttpError(Exception):
    def __init__(self, status, body):
        super().__init__("%s %s" % (status, body))
        self.status = status
        self.body = body


def parse_sse(response, limit=None):
    out, fields = [], {}
    while True:
        line = response.readline()
        if not line:
            return out
        line = line.decode().rstrip("\n")
        if line == "":
            if "data" in fields:
                out.append((int(fields["id"]), fields["event"], json.loads(fields["data"])))
                if limit and len(out) >= limit:
                    return out
            fields = {}
        elif not line.startswith(":"):
            k, _, v = line.partition(": ")
            fields[k] = v


def metric(port, name):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return None


class HttpApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.judged = harness.Judged(extra_args=["--workers", "2", "--rate-limit", "1000",
                                                "--http-listen", "127.0.0.1:0", "--web-root", WEB]).start()
        cls.http = Http(cls.judged.http_port)
        cls.tok = cls.judged.tokens
        cls.channel = grpc.insecure_channel(cls.judged.address)
        cls.stub = rpc.JudgeServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code = cls.judged.stop()
        cls.judged.cleanup()
        assert code == 0, "judged did not stop cleanly: %s" % code

    def submit(self, candidate="cand-1", source=SQL_REF, role="platform", **extra):
        body = {"challengeId": "sql-null-trap", "language": "sql", "source": source, "candidateId": candidate}
        body.update(extra)
        status, _, sub = self.http.call("POST", "/v1/submissions", self.tok[role], body)
        self.assertEqual(status, 200, sub)
        return sub

    def finish(self, sid, role="admin"):
        return self.http.events("GET", "/v1/submissions/%s/events" % sid, self.tok[role])

    # --- every route

    def test_every_route(self):
        status, _, who = self.http.call("GET", "/v1/whoami", self.tok["candidate"])
        self.assertEqual((status, who["role"], who["candidateId"]), (200, "ROLE_CANDIDATE", "cand-1"))
        status, _, lst = self.http.call("GET", "/v1/challenges", self.tok["candidate"])
        self.assertEqual(status, 200)
        self.assertEqual(sorted(c["id"] for c in lst["challenges"]),
                         ["slow-query-digest", "sql-null-trap", "ttl-lru-cache", "ttl-lru-cache-class"])
        status, _, ch = self.http.call("GET", "/v1/challenges/ttl-lru-cache", self.tok["candidate"])
        self.assertEqual(status, 200)
        self.assertGreater(ch["hiddenTests"], 0)
        self.assertTrue(all(s["name"].startswith("sample") for s in ch["samples"]))
        limits = {l["language"]: l["limits"] for l in ch["languageLimits"]}
        self.assertEqual(set(limits), set(ch["summary"]["languages"]))
        self.assertGreater(limits["python3"]["cpuTimeMs"], limits["cpp"]["cpuTimeMs"])  # the multiplier
        # The same detail as gRPC gives, field for field.
        grpc_detail = self.stub.GetChallenge(pb.GetChallengeRequest(challenge_id="ttl-lru-cache"),
                                             metadata=harness.metadata(self.tok["candidate"]))
        self.assertEqual(ch["statement"], grpc_detail.statement)
        self.assertEqual(ch["hiddenTests"], grpc_detail.hidden_tests)
        # A stdin challenge has no stubs; the class form has one per language, with the file name.
        self.assertFalse(any(l.get("stub") for l in ch["languageLimits"]))
        status, _, cls = self.http.call("GET", "/v1/challenges/ttl-lru-cache-class", self.tok["candidate"])
        self.assertEqual(status, 200)
        stubs = {l["language"]: l for l in cls["languageLimits"]}
        self.assertEqual(set(stubs), set(cls["summary"]["languages"]))
        self.assertEqual(stubs["java"]["sourceName"], "TtlLruCache.java")
        self.assertIn("class TtlLruCache", stubs["java"]["stub"])
        self.assertNotIn("os.dup2", json.dumps(cls))  # the harness itself (its code) is never sent

        sub = self.submit(source=SQL_WRONG)
        self.assertEqual(sub["state"], "SUBMISSION_STATE_QUEUED")
        self.assertEqual(sub["source"], SQL_WRONG)  # as stored: an empty one would read as lost
        events = self.finish(sub["id"], role="platform")
        final = events[-1][2]["submission"]
        self.assertEqual(final["verdict"], "VERDICT_WRONG_ANSWER")
        status, _, got = self.http.call("GET", "/v1/submissions/" + sub["id"], self.tok["candidate"])
        self.assertEqual((status, got["verdict"], got["source"]), (200, "VERDICT_WRONG_ANSWER", SQL_WRONG))
        status, _, page = self.http.call("GET", "/v1/submissions?candidate_id=cand-1&challenge_id=sql-null-trap&page_size=1",
                                         self.tok["interviewer"])
        self.assertEqual(status, 200)
        self.assertEqual(len(page["submissions"]), 1)
        if page["nextPageToken"]:
            status, _, page2 = self.http.call("GET", "/v1/submissions?candidate_id=cand-1&page_size=1&page_token="
                                              + page["nextPageToken"], self.tok["interviewer"])
            self.assertEqual(status, 200)
            self.assertNotEqual(page2["submissions"][0]["id"], page["submissions"][0]["id"])
        status, _, report = self.http.call("GET", "/v1/submissions/%s/report" % sub["id"], self.tok["interviewer"])
        self.assertEqual(status, 200)
        self.assertEqual(report["submission"]["id"], sub["id"])
        self.assertTrue(any(t["test"]["trap"] for t in report["tests"]), "a failed test names its trap")
        status, _, similar = self.http.call("GET", "/v1/challenges/sql-null-trap/similar?min_score=0.9",
                                            self.tok["interviewer"])
        self.assertEqual(status, 200)
        self.assertIn("pairs", similar)
        live = self.http.events("POST", "/v1/live", self.tok["interviewer"],
                                {"challengeId": "sql-null-trap", "language": "sql", "source": SQL_REF})
        self.assertEqual(live[-1][1], "finished")
        self.assertEqual(live[-1][2]["submission"]["verdict"], "VERDICT_ACCEPTED")
        self.assertEqual(live[-1][2]["submission"]["candidateId"], "")  # no made-up "live" candidate
        self.assertEqual(ch["maxSourceBytes"], 65536)
        # The language table, as the page and judgectl read it.
        status, _, langs = self.http.call("GET", "/v1/languages", self.tok["candidate"])
        self.assertEqual(status, 200)
        by_id = {l["id"]: l for l in langs["languages"]}
        self.assertEqual(set(by_id), {"c", "cpp", "python3", "sql", "java", "javascript", "typescript", "go", "rust",
                                      "csharp", "ruby", "php"})
        self.assertEqual((by_id["csharp"]["extensions"], by_id["ruby"]["editorMode"], by_id["php"]["extensions"]),
                         ([".cs"], "ruby", [".php"]))
        self.assertEqual(by_id["python3"]["extensions"], [".py"])
        self.assertEqual(by_id["python3"]["editorMode"], "python")
        self.assertIn("sys.stdin", by_id["python3"]["starter"])

    def test_a_live_run_over_http_stops_when_its_client_goes(self):
        body = json.dumps({"challengeId": "ttl-lru-cache", "language": "python3",
                           "source": "while True:\n    pass\n"}).encode()
        sock = socket.create_connection(("127.0.0.1", self.http.port))
        sock.sendall(b"POST /v1/live HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                     % (self.tok["interviewer"].encode(), len(body)) + body)
        seen = b""
        while b"event: compiling" not in seen:  # the run has begun
            chunk = sock.recv(4096)
            self.assertTrue(chunk, seen)
            seen += chunk
        sid = re.search(rb'"submissionId":"([0-9a-f]+)"', seen).group(1).decode()
        sock.close()  # the tab closed
        closed = time.monotonic()
        got = None
        while time.monotonic() - closed < 10:  # a bound: the spin alone would run 18 x 4.5 s
            status, _, got = self.http.call("GET", "/v1/submissions/" + sid, self.tok["admin"])
            if got.get("state") == "SUBMISSION_STATE_FINISHED":
                break
            time.sleep(0.1)
        self.assertEqual(got["verdict"], "VERDICT_CANCELLED")
        self.assertLess(time.monotonic() - closed, 3)

    def test_role_matrix_is_the_grpc_matrix(self):
        sub = self.submit(candidate="cand-1")
        other = self.submit(candidate="cand-9")
        self.finish(sub["id"])
        self.finish(other["id"])
        body = lambda cand: {"challengeId": "sql-null-trap", "language": "sql", "source": SQL_REF, "candidateId": cand}
        live = {"challengeId": "sql-null-trap", "language": "sql", "source": SQL_REF}

        def http_call(method, path, payload=None, stream=False):
            def run(token):
                if stream:
                    try:
                        self.http.events(method, path, token, payload)
                        return 200
                    except HttpError as e:
                        return e.status
                return self.http.call(method, path, token, payload)[0]
            return run

        def grpc_call(fn):
            def run(token):
                try:
                    fn(harness.metadata(token))
                    return grpc.StatusCode.OK
                except grpc.RpcError as e:
                    return e.code()
            return run

        s = self.stub
        calls = {
            "ListChallenges": (http_call("GET", "/v1/challenges"),
                               grpc_call(lambda md: s.ListChallenges(pb.ListChallengesRequest(), metadata=md))),
            "GetChallenge": (http_call("GET", "/v1/challenges/sql-null-trap"),
                             grpc_call(lambda md: s.GetChallenge(pb.GetChallengeRequest(challenge_id="sql-null-trap"), metadata=md))),
            "SubmitSelf": (http_call("POST", "/v1/submissions", body("cand-1")),
                           grpc_call(lambda md: s.Submit(pb.SubmitRequest(challenge_id="sql-null-trap", language="sql", source=SQL_REF, candidate_id="cand-1"), metadata=md))),
            "SubmitOther": (http_call("POST", "/v1/submissions", body("cand-9")),
                            grpc_call(lambda md: s.Submit(pb.SubmitRequest(challenge_id="sql-null-trap", language="sql", source=SQL_REF, candidate_id="cand-9"), metadata=md))),
            "GetOwn": (http_call("GET", "/v1/submissions/" + sub["id"]),
                       grpc_call(lambda md: s.GetSubmission(pb.GetSubmissionRequest(submission_id=sub["id"]), metadata=md))),
            "GetOther": (http_call("GET", "/v1/submissions/" + other["id"]),
                         grpc_call(lambda md: s.GetSubmission(pb.GetSubmissionRequest(submission_id=other["id"]), metadata=md))),
            "ListOther": (http_call("GET", "/v1/submissions?candidate_id=cand-9"),
                          grpc_call(lambda md: s.ListSubmissions(pb.ListSubmissionsRequest(candidate_id="cand-9"), metadata=md))),
            "WatchOther": (http_call("GET", "/v1/submissions/%s/events" % other["id"], stream=True),
                           grpc_call(lambda md: list(s.WatchSubmission(pb.WatchSubmissionRequest(submission_id=other["id"]), metadata=md)))),
            "Report": (http_call("GET", "/v1/submissions/%s/report" % sub["id"]),
                       grpc_call(lambda md: s.GetReport(pb.GetReportRequest(submission_id=sub["id"]), metadata=md))),
            "RunLive": (http_call("POST", "/v1/live", live, stream=True),
                        grpc_call(lambda md: list(s.RunLive(pb.RunLiveRequest(challenge_id="sql-null-trap", language="sql", source=SQL_REF), metadata=md)))),
        }
        OK, DENIED, UNAUTH, NOTFOUND = 200, 403, 401, 404
        expected = {
            #             ListCh GetCh SubSelf SubOther GetOwn GetOther ListOther WatchOther Report RunLive
            "candidate":   [OK, OK, OK, DENIED, OK, NOTFOUND, DENIED, NOTFOUND, DENIED, OK],
            "candidate2":  [OK, OK, DENIED, DENIED, NOTFOUND, NOTFOUND, DENIED, NOTFOUND, DENIED, OK],
            "interviewer": [OK, OK, DENIED, DENIED, OK, OK, OK, OK, OK, OK],
            "platform":    [OK, OK, OK, OK, OK, OK, OK, OK, OK, DENIED],
            "admin":       [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
            "nobody":      [UNAUTH] * 10,
        }
        grpc_to_http = {grpc.StatusCode.OK: 200, grpc.StatusCode.PERMISSION_DENIED: 403,
                        grpc.StatusCode.UNAUTHENTICATED: 401, grpc.StatusCode.NOT_FOUND: 404}
        for role, codes in expected.items():
            token = self.tok[role] if role != "nobody" else "not-a-token"
            for (name, (via_http, via_grpc)), want in zip(calls.items(), codes):
                with self.subTest(role=role, call=name):
                    self.assertEqual(via_http(token), want)
                    self.assertEqual(grpc_to_http.get(via_grpc(token)), want)
        for s2 in self.stub.ListSubmissions(pb.ListSubmissionsRequest(page_size=100),
                                            metadata=harness.metadata(self.tok["admin"])).submissions:
            self.finish(s2.id)

    # --- errors

    def test_each_error_has_its_status_and_a_json_reason(self):
        t = self.tok["platform"]
        cases = [
            # (method, path, token, body, raw, headers, status, code, words in the message)
            ("GET", "/v1/challenges", None, None, None, None, 401, "UNAUTHENTICATED", "authorization"),
            ("GET", "/v1/challenges", "nope", None, None, None, 401, "UNAUTHENTICATED", "unknown or malformed"),
            ("GET", "/v1/challenges/no-such", t, None, None, None, 404, "NOT_FOUND", "no challenge"),
            ("GET", "/v1/submissions/0123abc", t, None, None, None, 404, "NOT_FOUND", "no submission"),
            ("GET", "/v1/submissions/bad$id", t, None, None, None, 400, "INVALID_ARGUMENT", "malformed"),
            ("GET", "/v1/nothing-here", t, None, None, None, 404, "NOT_FOUND", "no such route"),
            ("POST", "/v1/submissions", t, None, b"{not json", {"Content-Type": "application/json"}, 400,
             "INVALID_ARGUMENT", "judge.v1.SubmitRequest"),
            ("POST", "/v1/submissions", t, {"challengeId": "sql-null-trap", "colour": "red"}, None, None, 400,
             "INVALID_ARGUMENT", "colour"),
            ("POST", "/v1/submissions", t, None, b"challengeId=x", {"Content-Type": "application/x-www-form-urlencoded"},
             400, "INVALID_ARGUMENT", "must be JSON"),
            ("POST", "/v1/submissions", t, {"challengeId": "sql-null-trap", "language": "cobol", "source": "x",
                                            "candidateId": "c"}, None, None, 400, "INVALID_ARGUMENT", "cobol"),
            ("POST", "/v1/submissions", self.tok["interviewer"], {"challengeId": "sql-null-trap"}, None, None, 403,
             "PERMISSION_DENIED", "RunLive"),
            ("GET", "/v1/submissions?colour=red", t, None, None, None, 400, "INVALID_ARGUMENT", "colour"),
            ("GET", "/v1/submissions?page_size=many", t, None, None, None, 400, "INVALID_ARGUMENT", "page_size"),
            ("GET", "/v1/submissions?page_size=1000", t, None, None, None, 400, "INVALID_ARGUMENT", "page_size"),
            ("POST", "/v1/live", self.tok["interviewer"], {"challengeId": "sql-null-trap", "language": "sql",
                                                           "source": " "}, None, None, 400, "INVALID_ARGUMENT", "empty"),
            ("POST", "/v1/submissions", t, None, b"x" * (16 << 20), {"Content-Type": "application/json"}, 413,
             "RESOURCE_EXHAUSTED", "too large"),
        ]
        for method, path, token, body, raw, headers, status, code, words in cases:
            with self.subTest(method=method, path=path[:60], status=status):
                got, hdrs, payload = self.http.call(method, path, token, body, headers, raw)
                self.assertEqual(got, status, payload)
                self.assertEqual(hdrs["content-type"], "application/json")
                self.assertEqual(payload["code"], code)
                self.assertIn(words, payload["message"])
                if status == 401:
                    self.assertEqual(hdrs.get("www-authenticate"), "Bearer")
        # 409: a request_id reused for another request.
        first = self.submit(requestId="http-req-1")
        again = self.submit(requestId="http-req-1")
        self.assertEqual(first["id"], again["id"])
        status, _, payload = self.http.call("POST", "/v1/submissions", t, {
            "challengeId": "sql-null-trap", "language": "sql", "source": SQL_WRONG, "candidateId": "cand-1",
            "requestId": "http-req-1"})
        self.assertEqual((status, payload["code"]), (409, "ALREADY_EXISTS"))
        self.assertIn("source", payload["message"])
        self.finish(first["id"])
        # 431: a request with too many headers.
        status, _, payload = self.http.call("GET", "/v1/challenges", t,
                                            headers={"X-Filler-%d" % i: "x" for i in range(120)})
        self.assertEqual(status, 431)
        # The server still answers.
        self.assertEqual(self.http.call("GET", "/v1/whoami", t)[0], 200)

    # --- server-sent events

    def test_events_come_in_order_and_late_watchers_get_the_history(self):
        sub = self.submit(source=SQL_WRONG)
        results = {}
        first_event = threading.Event()

        def early():
            c = self.http.conn(timeout=300)
            c.request("GET", "/v1/submissions/%s/events" % sub["id"],
                      headers={"Authorization": "Bearer " + self.tok["platform"]})
            r = c.getresponse()
            head = parse_sse(r, limit=1)
            first_event.set()
            results["early"] = head + parse_sse(r)
            c.close()

        t = threading.Thread(target=early)
        t.start()
        first_event.wait(120)
        # Joins while the first watcher is connected: gets the whole history too.
        results["late"] = self.http.events("GET", "/v1/submissions/%s/events" % sub["id"], self.tok["platform"])
        t.join(300)
        for name in ("early", "late"):
            ev = results[name]
            with self.subTest(watcher=name):
                self.assertEqual([i for i, _, _ in ev], list(range(1, len(ev) + 1)))
                self.assertEqual(ev[-1][1], "finished")
                self.assertEqual(sum(1 for _, e, _ in ev if e == "finished"), 1)
                order = {"queued": 0, "compiling": 1, "running": 2, "finished": 3}
                states = [order[e] for _, e, _ in ev]
                self.assertEqual(states, sorted(states))
                tests = [d["test"]["index"] for _, e, d in ev if e == "running" and d.get("test")]
                self.assertEqual(tests, sorted(set(tests)))
        # A watcher after the end gets the one FINISHED event with the whole submission.
        after = self.http.events("GET", "/v1/submissions/%s/events" % sub["id"], self.tok["platform"])
        self.assertEqual([(i, e) for i, e, _ in after], [(1, "finished")])
        self.assertEqual(after[0][2]["submission"]["verdict"], "VERDICT_WRONG_ANSWER")
        self.assertEqual(after[0][2]["submission"]["tests"], results["early"][-1][2]["submission"]["tests"])
        # The candidate's own stream shows hidden tests under their aliases, as gRPC does.
        mine = self.http.events("GET", "/v1/submissions/%s/events" % sub["id"], self.tok["candidate"])
        names = [t["name"] for t in mine[0][2]["submission"]["tests"] if not t["sample"]]
        self.assertTrue(names and all(n.startswith("hidden-") for n in names), names)
        self.assertFalse(any(t["trap"] for t in mine[0][2]["submission"]["tests"]))

    # --- the page

    def test_the_page_and_its_headers(self):
        status, hdrs, body = self.http.call("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn('<script src="app.js"></script>', body)
        self.assertIn("script-src 'self'", hdrs["content-security-policy"])
        self.assertEqual(hdrs["x-content-type-options"], "nosniff")
        self.assertNotIn("access-control-allow-origin", hdrs)  # CORS off by default
        status, hdrs, _ = self.http.call("GET", "/app.js")
        self.assertEqual(status, 200)
        self.assertIn("javascript", hdrs["content-type"])
        status, _, _ = self.http.call("GET", "/../../etc/passwd")
        self.assertIn(status, (400, 404))


class HttpLimitsTest(unittest.TestCase):
    """One worker, no live worker, two streams at most, a keep-alive line every second."""

    @classmethod
    def setUpClass(cls):
        cls.judged = harness.Judged(challenges=ECHO_CHALLENGES, extra_args=[
            "--workers", "1", "--live-workers", "0", "--rate-limit", "1000", "--http-listen", "127.0.0.1:0",
            "--http-max-streams", "2", "--http-keepalive-s", "1"]).start()
        cls.http = Http(cls.judged.http_port)
        cls.tok = cls.judged.tokens

    @classmethod
    def tearDownClass(cls):
        cls.judged.cleanup()

    def submit_busy(self):
        status, _, sub = self.http.call("POST", "/v1/submissions", self.tok["platform"], {
            "challengeId": "echo", "language": "python3", "source": "while True: pass\n", "candidateId": "c"})
        self.assertEqual(status, 200, sub)
        return sub

    def open_stream(self, sid):
        c = self.http.conn(timeout=120)
        c.request("GET", "/v1/submissions/%s/events" % sid, headers={"Authorization": "Bearer " + self.tok["admin"]})
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        return c, r

    def wait_metric(self, name, want, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if metric(self.judged.metrics_port, name) == want:
                return
            time.sleep(0.1)
        self.fail("%s never became %s (is %s)" % (name, want, metric(self.judged.metrics_port, name)))

    def test_too_many_streams_then_a_vanished_client_frees_its_slot(self):
        # Five busy programs, 1.5 s of CPU each, one at a time: the last ones stay queued for
        # seconds, and so do their streams.
        subs = [self.submit_busy() for _ in range(5)]
        c1, r1 = self.open_stream(subs[3]["id"])
        c2, r2 = self.open_stream(subs[4]["id"])
        self.assertEqual(parse_sse(r1, limit=1)[0][1], "queued")
        self.assertEqual(parse_sse(r2, limit=1)[0][1], "queued")
        status, _, payload = self.http.call("GET", "/v1/submissions/%s/events" % subs[4]["id"], self.tok["admin"])
        self.assertEqual((status, payload["code"]), (429, "RESOURCE_EXHAUSTED"))
        self.assertIn("too many open event streams", payload["message"])
        status, _, payload = self.http.call("POST", "/v1/live", self.tok["interviewer"], {
            "challengeId": "echo", "language": "python3", "source": "print(1)"})
        self.assertEqual(status, 429)  # refused before anything is queued
        self.assertEqual(metric(self.judged.metrics_port, "judge_http_streams_refused_total"), 2)
        # One client vanishes without a word (RST): its slot is free within a keep-alive or two.
        c1.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c1.sock.close()
        c1.close()
        self.wait_metric("judge_http_streams_open", 1)
        # ... and a new stream gets it; the other stream runs to its end.
        events = self.http.events("GET", "/v1/submissions/%s/events" % subs[4]["id"], self.tok["admin"])
        self.assertEqual(events[-1][2]["submission"]["verdict"], "VERDICT_TIME_LIMIT_EXCEEDED")
        rest = parse_sse(r2)
        self.assertEqual(rest[-1][1], "finished")
        c2.close()
        self.wait_metric("judge_http_streams_open", 0)
        # The judge kept judging throughout.
        for s in subs:
            status, _, got = self.http.call("GET", "/v1/submissions/" + s["id"], self.tok["admin"])
            self.assertEqual(got["state"], "SUBMISSION_STATE_FINISHED")


class HttpShutdownTest(unittest.TestCase):
    def test_submit_while_shutting_down_is_503_and_reads_still_work(self):
        judged = harness.Judged(challenges=ECHO_CHALLENGES, extra_args=[
            "--workers", "1", "--live-workers", "0", "--rate-limit", "1000", "--http-listen", "127.0.0.1:0"]).start()
        try:
            api = Http(judged.http_port)
            body = {"challengeId": "echo", "language": "python3", "candidateId": "c",
                    "source": "import time\ntime.sleep(5)\n"}
            status, _, sub = api.call("POST", "/v1/submissions", judged.tokens["platform"], body)
            self.assertEqual(status, 200)
            # Once it is being judged, stop: the grading (a 5 s sleep) holds the shutdown open.
            c = api.conn(timeout=60)
            c.request("GET", "/v1/submissions/%s/events" % sub["id"],
                      headers={"Authorization": "Bearer " + judged.tokens["platform"]})
            r = c.getresponse()
            while parse_sse(r, limit=1)[0][1] not in ("compiling", "running"):
                pass
            judged.proc.send_signal(harness.signal.SIGTERM)
            judged.wait_for_log(r"shutting down")
            deadline = time.monotonic() + 4
            status = None
            while time.monotonic() < deadline:
                body["source"] = "print(%f)\n" % time.monotonic()
                status, _, payload = api.call("POST", "/v1/submissions", judged.tokens["platform"], body)
                if status != 200:
                    break
            self.assertEqual(status, 503, payload)
            self.assertEqual(payload["code"], "UNAVAILABLE")
            self.assertEqual(api.call("GET", "/v1/submissions/" + sub["id"], judged.tokens["platform"])[0], 200)
            c.close()
        finally:
            judged.cleanup()


class HttpTlsCorsTest(unittest.TestCase):
    def test_tls_with_the_grpc_certificate_and_one_cors_origin(self):
        tmp = tempfile.mkdtemp(prefix="judge-http-tls-")
        cert, key = harness.self_signed_cert(tmp)
        origin = "https://hiring.example.com"
        judged = harness.Judged(challenges=ECHO_CHALLENGES, extra_args=[
            "--workers", "1", "--tls-cert", cert, "--tls-key", key, "--http-listen", "127.0.0.1:0",
            "--http-cors-origin", origin]).start()
        try:
            ctx = ssl.create_default_context(cafile=cert)
            https = Http(judged.http_port, tls_context=ctx)
            status, hdrs, who = https.call("GET", "/v1/whoami", judged.tokens["admin"])
            self.assertEqual((status, who["role"]), (200, "ROLE_ADMIN"))
            self.assertEqual(hdrs["access-control-allow-origin"], origin)
            status, hdrs, _ = https.call("OPTIONS", "/v1/submissions", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type"})
            self.assertEqual(status, 204)
            self.assertIn("Authorization", hdrs["access-control-allow-headers"])
            self.assertIn("POST", hdrs["access-control-allow-methods"])
            # Plain HTTP to the TLS port gets nowhere.
            with self.assertRaises((http.client.HTTPException, ConnectionError, OSError)):
                Http(judged.http_port).call("GET", "/v1/whoami", judged.tokens["admin"])
        finally:
            judged.cleanup()
            harness.shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
