#!/usr/bin/python3
"""Live interview sessions under load: edit latency between the two sides of a pad, judged's
memory per session, and the time to read a long session's timeline.

--sessions sessions (default 100), each with two WebSocket clients on its pad
(/v1/sessions/{id}/pad), the interviewer typing at the start of the text and the candidate at its
end, each --rate characters a second (default 5) for --seconds (default 60). Each client works as
CodeMirror's collab client does: one push in flight; keystrokes made meanwhile go in the next
push; a push that lost the race to the other side's (the judge ignores a stale push) is made
again against the new version. Measured:
  edit latency    from the moment a push is sent to the moment the OTHER client's socket has read
                  the "updates" frame carrying it (p50, p99; goals 50 ms and 150 ms on loopback);
                  also from the keystroke (a keystroke may wait for the push in flight);
  RSS / session   judged's resident memory after the typing less before the sessions were
                  created, over the number of sessions;
  long timeline   one more session brought to --timeline-edits edits (default 20,000) by pushes
                  of --batch one-character updates each, then GET /v1/sessions/{id}/timeline
                  and gRPC GetSessionTimeline, timed (best and median of --reads; goal 1 s);
  in the page     that session's playback (#/sessions/{id}/playback) opened --reads times in
                  headless Chromium: from the request to the pad shown and seekable, and to every
                  edit replayed, and the time of a seek (goal 1 s from the timeline's arrival to
                  shown, as the page's own performance.now() figures; --no-page skips it).

All clients run in this process on one thread (selectors, non-blocking sockets, frames built
and parsed by hand), each session's two sockets from a loopback address of their own (127.0.x.y)
as from separate hosts; judged's and this process's CPU are shown, since on a 2-core machine
they share it.

  /usr/bin/python3 bench/sessions.py [--sessions 100] [--seconds 60] [--rate 5]
                                     [--timeline-edits 20000] [--batch 500] [--no-page]
Starts its own judged (build/bin/judged, or $JUDGE_BUILD_DIR/bin/judged) on free loopback ports.
About --seconds plus 20 s."""
import argparse
import base64
import heapq
import http.client
import json
import os
import random
import resource
import selectors
import socket
import statistics
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

GOAL_P50_MS = 50
GOAL_P99_MS = 150
GOAL_TIMELINE_S = 1.0


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


# --- a minimal WebSocket client (RFC 6455): text frames out (masked), frames in (unmasked)

def ws_frame(text):
    """A masked text frame. The mask is four zero bytes: legal framing that spares this client
    the XOR (the judge unmasks whatever the key)."""
    data = text.encode()
    n = len(data)
    if n < 126:
        head = struct.pack("!BB", 0x81, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
    return head + b"\0\0\0\0" + data


def ws_connect(host, port, path, source=None, timeout=30):
    s = socket.socket()
    if source:
        s.bind((source, 0))
    s.settimeout(timeout)
    s.connect((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, host, port, key)).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("the judge closed the upgrade of %s" % path)
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError("upgrade of %s refused: %s" % (path, head.split(b"\r\n")[0].decode()))
    return s, rest


class Messages:
    """Reassembles messages from frames (the judge fragments long ones)."""

    def __init__(self):
        self.op, self.parts = None, []

    def feed(self, buf):
        """Complete messages at the head of `buf`: ([(opcode, payload bytes)], rest)."""
        frames, rest = ws_frames(buf)
        out = []
        for fin, op, payload in frames:
            if op >= 8:  # control frames come whole, even between fragments
                out.append((op, payload))
                continue
            if op != 0:
                self.op, self.parts = op, []
            self.parts.append(payload)
            if fin:
                out.append((self.op, b"".join(self.parts)))
                self.op, self.parts = None, []
        return out, rest


def ws_frames(buf):
    """Complete frames at the head of `buf`: ([(fin, opcode, payload bytes)], rest)."""
    out, i, n = [], 0, len(buf)
    while n - i >= 2:
        b0, b1 = buf[i], buf[i + 1]
        length, j = b1 & 0x7F, i + 2
        if length == 126:
            if n - j < 2:
                break
            length = struct.unpack_from("!H", buf, j)[0]
            j += 2
        elif length == 127:
            if n - j < 8:
                break
            length = struct.unpack_from("!Q", buf, j)[0]
            j += 8
        if b1 & 0x80:
            j += 4  # a server never masks; skip a key if one came
        if n - j < length:
            break
        out.append((bool(b0 & 0x80), b0 & 0x0F, bytes(buf[j:j + length])))
        i = j + length
    return out, buf[i:]


def doc_units(text):
    return len(text.encode("utf-16-le")) // 2


def length_after(changes, before):
    n = 0
    for part in changes:
        if isinstance(part, int):
            n += part
        else:
            n += sum(doc_units(line) for line in part[1:]) + len(part) - 2
    return n


class Client:
    def __init__(self, bench, session, role, sock, rest, index):
        self.bench, self.session, self.role, self.sock = bench, session, role, sock
        self.buf = bytearray(rest)
        self.messages = Messages()
        self.id = "%s-%d" % (role[0], index)
        self.peer = None
        self.version = None
        self.length = 0
        self.inflight = None  # (base, sent_at, [keystroke times], text)
        self.pending = []     # keystroke times not pushed yet
        self.out = bytearray()
        self.typed = 0

    def send(self, msg):
        self.out += ws_frame(json.dumps(msg, separators=(",", ":")))
        self.flush_out()

    def flush_out(self):
        while self.out:
            try:
                n = self.sock.send(self.out)
            except BlockingIOError:
                break
            del self.out[:n]
        self.bench.want_write(self, bool(self.out))

    def push(self, now):
        if self.inflight or not self.pending or self.version is None:
            return
        text = "".join(chr(ord("a") + (self.typed + k) % 26) for k in range(len(self.pending)))
        self.typed += len(self.pending)
        pos = 0 if self.role == "interviewer" else self.length
        parts = ([pos] if pos else []) + [[0, text]] + ([self.length - pos] if self.length - pos else [])
        self.inflight = (self.version, now, self.pending, text)
        self.bench.records[(self.id, self.version)] = (now, self.pending)
        self.pending = []
        self.bench.pushes += 1
        self.send({"type": "push", "version": self.version,
                   "updates": [{"clientID": self.id, "changes": parts}]})

    def on_frame(self, msg, now):
        t = msg.get("type")
        if t == "welcome":
            self.version = msg["version"]
            self.length = doc_units(msg["doc"])
            return
        if t == "error":
            self.bench.errors.append("%s: %s" % (msg.get("code"), msg.get("message")))
            return
        if t != "updates":
            return
        updates = msg["updates"]
        first = msg["version"] - len(updates)
        if self.version is None or first != self.version:
            self.bench.errors.append("updates from %s while at %s" % (first, self.version))
        for k, u in enumerate(updates):
            base = first + k
            self.length = length_after(u["changes"], self.length)
            if u["clientID"] == self.id:
                if self.inflight:
                    self.bench.echo_ms.append((now - self.inflight[1]) * 1000)
                self.inflight = None
            elif u["clientID"] == self.peer.id:
                rec = self.bench.records.pop((u["clientID"], base), None)
                if rec is not None:
                    sent_at, keys = rec
                    self.bench.push_ms.append((now - sent_at) * 1000)
                    self.bench.key_ms.extend((now - k_at) * 1000 for k_at in keys)
        self.version = msg["version"]
        if self.inflight and self.inflight[0] < self.version:  # lost the race: rebase and push again
            base, _, keys, _ = self.inflight
            self.bench.records.pop((self.id, base), None)
            self.pending = keys + self.pending
            self.typed -= len(keys)
            self.inflight = None
            self.bench.stale += 1
        self.push(now)


class Bench:
    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.records = {}
        self.push_ms, self.key_ms, self.echo_ms, self.errors = [], [], [], []
        self.pushes = self.stale = 0
        self.closed = 0

    def want_write(self, c, on):
        self.sel.modify(c.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if on else 0), c)

    def run(self, clients, rate, seconds):
        timers = []
        start = time.monotonic()
        for c in clients:
            heapq.heappush(timers, (start + random.random() / rate, id(c), c))
        stop = start + seconds
        while True:
            now = time.monotonic()
            if timers and now >= stop:
                timers = []  # typing is over: only what is in flight is still read
                drain_until = now + 3
            if not timers and (now >= drain_until or not any(c.inflight or c.pending for c in clients)):
                return
            timeout = (timers[0][0] - now) if timers else 0.05
            for key, ev in self.sel.select(timeout=max(0.0, timeout)):
                c = key.data
                if ev & selectors.EVENT_WRITE:
                    c.flush_out()
                if ev & selectors.EVENT_READ:
                    self.read(c)
            now = time.monotonic()
            while timers and timers[0][0] <= now:
                at, _, c = heapq.heappop(timers)
                c.pending.append(at)
                c.push(now)
                heapq.heappush(timers, (at + 1.0 / rate, id(c), c))

    def read(self, c):
        try:
            data = c.sock.recv(1 << 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        now = time.monotonic()
        if not data:
            self.sel.unregister(c.sock)
            self.closed += 1
            self.errors.append("the judge closed a pad socket")
            return
        c.buf += data
        frames, rest = c.messages.feed(c.buf)
        c.buf = bytearray(rest)
        for op, payload in frames:
            if op == 1:
                c.on_frame(json.loads(payload), now)
            elif op == 8:
                self.errors.append("close frame from the judge")


def api(port, method, path, token, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        c.request(method, path, body=json.dumps(body) if body is not None else None,
                  headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("%s %s: %d %s" % (method, path, r.status, data[:300]))
        return data
    finally:
        c.close()


def long_timeline(judged, edits, batch, reads):
    """A session of `edits` edits, then its timeline read over HTTP and gRPC."""
    import grpc
    import harness
    pb, rpc = harness.load_stubs("/tmp/judge-bench-sessions-stubs")
    port, tok = judged.http_port, judged.tokens
    s = json.loads(api(port, "POST", "/v1/sessions", tok["interviewer"],
                       {"challengeId": "ttl-lru-cache", "candidateId": "bench-long", "document": "\n"}))
    sock, rest = ws_connect("127.0.0.1", port, "/v1/sessions/%s/pad" % s["id"])
    sock.settimeout(60)
    buf = bytearray(rest)
    messages = Messages()

    def frames_until(pred):
        nonlocal buf
        while True:
            frames, rest = messages.feed(buf)
            buf = bytearray(rest)
            for op, payload in frames:
                if op == 1:
                    msg = json.loads(payload)
                    if msg.get("type") == "error":
                        raise RuntimeError("pad error: %s" % msg)
                    if pred(msg):
                        return msg
            chunk = sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("the judge closed the pad")
            buf += chunk

    sock.sendall(ws_frame(json.dumps({"type": "hello", "token": tok["interviewer"], "version": -1})))
    w = frames_until(lambda m: m.get("type") == "welcome")
    version, length = w["version"], doc_units(w["doc"])
    t0 = time.monotonic()
    done = 0
    while done < edits:
        n = min(batch, edits - done)
        updates = []
        for k in range(n):
            # Alternately type a character and delete it again: the text stays small.
            if (done + k) % 2 == 0:
                updates.append({"clientID": "long", "changes": [[0, "x"], length] if length else [[0, "x"]]})
                length += 1
            else:
                updates.append({"clientID": "long", "changes": [[1], length - 1]})
                length -= 1
        sock.sendall(ws_frame(json.dumps({"type": "push", "version": version, "updates": updates},
                                         separators=(",", ":"))))
        want = version + n
        frames_until(lambda m: m.get("type") == "updates" and m["version"] == want)
        version, done = want, done + n
    build_s = time.monotonic() - t0
    sock.close()
    path = "/v1/sessions/%s/timeline" % s["id"]
    http_times, size, count = [], 0, 0
    for _ in range(reads):
        t = time.monotonic()
        body = api(port, "GET", path, tok["interviewer"])
        http_times.append(time.monotonic() - t)
        size = len(body)
    count = len(json.loads(body)["events"])
    channel = grpc.insecure_channel(judged.address, options=[("grpc.max_receive_message_length", 64 << 20)])
    stub = rpc.JudgeServiceStub(channel)
    grpc_times = []
    for _ in range(reads):
        t = time.monotonic()
        tl = stub.GetSessionTimeline(pb.GetSessionTimelineRequest(session_id=s["id"]),
                                     metadata=harness.metadata(tok["interviewer"]), timeout=120)
        grpc_times.append(time.monotonic() - t)
    channel.close()
    return {"edits": version - 1, "build_s": build_s, "events": count, "grpc_events": len(tl.events),
            "bytes": size, "http": http_times, "grpc": grpc_times, "id": s["id"]}


def page_playback(judged, sid, reads):
    """The long session's playback opened `reads` times in headless Chromium; the page's own
    figures (data-* of #playback-stats, from performance.now()) and three seeks each time."""
    import shutil
    import tempfile
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait
    profile = tempfile.mkdtemp(prefix="bench-sessions-chrome-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
              "--window-size=1440,1000", "--user-data-dir=" + profile):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.set_page_load_timeout(60)
    url = "http://127.0.0.1:%d/" % judged.http_port
    tok = judged.tokens["interviewer"]
    who = api(judged.http_port, "GET", "/v1/whoami", tok)
    out = {"fetch": [], "shown": [], "replay": [], "done": [], "seek": []}
    try:
        d.get(url)
        d.execute_script("sessionStorage.setItem('judge.token', arguments[0]);"
                         "sessionStorage.setItem('judge.caller', arguments[1]);", tok, who.decode())
        for _ in range(reads):
            d.get("about:blank")
            d.get(url + "#/sessions/%s/playback" % sid)
            WebDriverWait(d, 120).until(lambda d: d.execute_script(
                "const s = document.getElementById('playback-stats');"
                "return s && s.getAttribute('data-replayed') === 'true';"))
            a = d.execute_script(
                "const s = document.getElementById('playback-stats');"
                "return ['fetch-ms', 'load-ms', 'replay-ms', 'done-ms', 'consistent']"
                ".map((k) => s.getAttribute('data-' + k));")
            if a[4] != "true":
                raise RuntimeError("the page's replay does not end at the judge's document")
            fetch, load, replay, done = (int(v) for v in a[:4])
            out["fetch"].append(fetch)
            out["shown"].append(load - fetch)
            out["replay"].append(replay)
            out["done"].append(done - fetch)
            n = int(d.execute_script("return document.getElementById('playback-slider').max"))
            for i in (n // 2, 123, max(0, n - 1)):
                out["seek"].append(d.execute_script("""
                    const t0 = performance.now();
                    const s = document.getElementById('playback-slider');
                    s.value = String(arguments[0]);
                    s.dispatchEvent(new Event('input', {bubbles: true}));
                    return performance.now() - t0;""", i))
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=100, help="concurrent sessions (default 100)")
    ap.add_argument("--seconds", type=float, default=60, help="typing time (default 60)")
    ap.add_argument("--rate", type=float, default=5, help="characters a second per client (default 5)")
    ap.add_argument("--timeline-edits", type=int, default=20000, help="edits of the long session (default 20000)")
    ap.add_argument("--batch", type=int, default=500, help="updates per push when building it (default 500)")
    ap.add_argument("--reads", type=int, default=5, help="timeline reads to time (default 5)")
    ap.add_argument("--no-page", action="store_true", help="do not open the long session's playback in Chromium")
    args = ap.parse_args()
    if not 1 <= args.sessions <= 2000:
        ap.error("--sessions must be between 1 and 2000 (judged's --http-max-streams is at most 4096)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * args.sessions + 256
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))

    import grpc
    import harness
    pb, rpc = harness.load_stubs("/tmp/judge-bench-sessions-stubs")
    web = os.path.join(harness.BUILD, "web")
    page = not args.no_page
    if page and not os.path.isfile(os.path.join(web, "index.html")):
        sys.exit("sessions.py: no page at %s (build it, or pass --no-page)" % web)
    if page and not os.path.exists("/usr/bin/chromedriver"):
        sys.exit("sessions.py: the page measure needs chromium and chromium-driver (or pass --no-page)")
    judged = harness.Judged(extra_args=["--workers", "1", "--rate-limit", "100000", "--http-listen", "127.0.0.1:0",
                                        "--http-max-streams", str(min(4096, 2 * args.sessions + 64))]
                            + (["--web-root", web] if page else []))
    judged.start()
    pid = judged.proc.pid
    try:
        print("judged pid %d, HTTP port %d; %d sessions x 2 clients, %g characters/s each, %g s"
              % (pid, judged.http_port, args.sessions, args.rate, args.seconds))
        channel = grpc.insecure_channel(judged.address)
        stub = rpc.JudgeServiceStub(channel)
        md = harness.metadata(judged.tokens["interviewer"])
        # Warm-up: one session, created, joined and read, so the first-use costs are not counted.
        warm = stub.CreateSession(pb.CreateSessionRequest(challenge_id="ttl-lru-cache", candidate_id="warm-up",
                                                          document="\n"), metadata=md)
        s, _ = ws_connect("127.0.0.1", judged.http_port, "/v1/sessions/%s/pad" % warm.id)
        s.sendall(ws_frame(json.dumps({"type": "hello", "token": judged.tokens["interviewer"], "version": -1})))
        s.recv(65536)
        s.close()
        stub.GetSessionTimeline(pb.GetSessionTimelineRequest(session_id=warm.id), metadata=md)
        rss0 = rss_kib(pid)

        t = time.monotonic()
        sessions = [stub.CreateSession(pb.CreateSessionRequest(
            challenge_id="ttl-lru-cache", candidate_id="cand-1", language="python3",
            document="# session %d\n" % k), metadata=md) for k in range(args.sessions)]
        create_s = time.monotonic() - t
        rss_created = rss_kib(pid)

        bench = Bench()
        clients = []
        t = time.monotonic()
        for k, sess in enumerate(sessions):
            source = "127.%d.%d.%d" % (1 + k // 62500 % 250, k // 250 % 250, 1 + k % 250)
            pair = []
            for role in ("interviewer", "candidate"):
                sock, rest = ws_connect("127.0.0.1", judged.http_port, "/v1/sessions/%s/pad" % sess.id, source)
                sock.setblocking(False)
                c = Client(bench, sess.id, role, sock, rest, len(clients))
                bench.sel.register(sock, selectors.EVENT_READ, c)
                c.send({"type": "hello", "token": judged.tokens[role], "version": -1})
                clients.append(c)
                pair.append(c)
            pair[0].peer, pair[1].peer = pair[1], pair[0]
        # Every welcome in before typing starts.
        deadline = time.monotonic() + 60
        while any(c.version is None for c in clients):
            if time.monotonic() > deadline:
                sys.exit("sessions.py: %d pads never got their welcome" % sum(c.version is None for c in clients))
            for key, ev in bench.sel.select(timeout=0.5):
                bench.read(key.data)
        connect_s = time.monotonic() - t
        rss_joined = rss_kib(pid)

        cpu0, own0, t0 = cpu_s(pid), own_cpu_s(), time.monotonic()
        bench.run(clients, args.rate, args.seconds)
        wall = time.monotonic() - t0
        judged_cpu, own_cpu = cpu_s(pid) - cpu0, own_cpu_s() - own0
        rss_typed = rss_kib(pid)

        # Every pad as both clients and the judge know it: the same length and version.
        mismatched = 0
        by_session = {}
        for c in clients:
            by_session.setdefault(c.session, []).append(c)
        for sess in sessions:
            got = stub.GetSession(pb.GetSessionRequest(session_id=sess.id), metadata=md)
            a, b = by_session[sess.id]
            if not (a.version == b.version == got.version and a.length == b.length == doc_units(got.document)):
                mismatched += 1
        typed = sum(c.typed for c in clients)
        for c in clients:
            c.sock.close()

        long = long_timeline(judged, args.timeline_edits, args.batch, args.reads)
        shown = page_playback(judged, long["id"], args.reads) if page else None
        channel.close()
    finally:
        judged.cleanup()

    p50, p99 = pct(bench.push_ms, 50), pct(bench.push_ms, 99)
    k50, k99 = pct(bench.key_ms, 50), pct(bench.key_ms, 99)
    per_session = (rss_typed - rss0) / args.sessions
    http_best, http_med = min(long["http"]), statistics.median(long["http"])
    grpc_best, grpc_med = min(long["grpc"]), statistics.median(long["grpc"])

    def ok(value, goal):
        return "ok" if value <= goal else "MISSED"

    print()
    print("%-44s %14s %12s %s" % ("measure", "value", "goal", ""))
    print("-" * 78)
    rows = [
        ("edit latency p50, push -> other client", "%.1f ms" % p50, "<= %d ms" % GOAL_P50_MS, ok(p50, GOAL_P50_MS)),
        ("edit latency p99, push -> other client", "%.1f ms" % p99, "<= %d ms" % GOAL_P99_MS, ok(p99, GOAL_P99_MS)),
        ("  p90 / p99.9 / max", "%.1f / %.1f / %.0f ms" % (pct(bench.push_ms, 90), pct(bench.push_ms, 99.9),
                                                      max(bench.push_ms or [0])), "", ""),
        ("  from the keystroke: p50 / p99", "%.1f / %.1f ms" % (k50, k99), "", ""),
        ("  the pusher's own echo: p50 / p99", "%.1f / %.1f ms" % (pct(bench.echo_ms, 50), pct(bench.echo_ms, 99)),
         "", ""),
        ("  pushes: measured / sent / rebased", "%d / %d / %d" % (len(bench.push_ms), bench.pushes, bench.stale),
         "", ""),
        ("  characters typed (%.0f/s over %.0f s)" % (typed / wall, wall), "%d" % typed, "", ""),
        ("pads out of step with the judge", "%d of %d" % (mismatched, args.sessions), "0", ok(mismatched, 0)),
        ("errors, closed sockets", "%d, %d" % (len(bench.errors), bench.closed), "0, 0",
         ok(len(bench.errors) + bench.closed, 0)),
        ("judged RSS per session (after typing)", "%.1f KiB" % per_session, "", ""),
        ("  RSS: start / created / joined / typed", "%d / %d / %d / %d MiB" % (
            rss0 >> 10, rss_created >> 10, rss_joined >> 10, rss_typed >> 10), "", ""),
        ("  create %d sessions / join %d pads" % (args.sessions, len(clients)),
         "%.2f s / %.2f s" % (create_s, connect_s), "", ""),
        ("CPU while typing: judged / this client", "%.0f%% / %.0f%%" % (100 * judged_cpu / wall, 100 * own_cpu / wall),
         "", "(of one core)"),
        ("long timeline: %d edits built in" % long["edits"], "%.1f s" % long["build_s"], "", ""),
        ("GET timeline (HTTP), best / median of %d" % len(long["http"]), "%.3f / %.3f s" % (http_best, http_med),
         "<= %.0f s" % GOAL_TIMELINE_S, ok(http_med, GOAL_TIMELINE_S)),
        ("  %d events, JSON body" % long["events"], "%.1f MiB" % (long["bytes"] / 1048576.0), "", ""),
        ("GetSessionTimeline (gRPC), best / median", "%.3f / %.3f s" % (grpc_best, grpc_med),
         "<= %.0f s" % GOAL_TIMELINE_S, ok(grpc_med, GOAL_TIMELINE_S)),
    ]
    if shown:
        med = {k: statistics.median(v) for k, v in shown.items()}
        rows += [
            ("page: timeline fetched, median of %d" % len(shown["fetch"]), "%.0f ms" % med["fetch"], "", ""),
            ("page: fetched -> shown and seekable", "%.0f ms" % med["shown"], "<= %.0f ms" % (GOAL_TIMELINE_S * 1000),
             ok(med["shown"], GOAL_TIMELINE_S * 1000)),
            ("page: every edit replayed (work, in slices)", "%.0f ms" % med["replay"], "", ""),
            ("page: fetched -> all replayed", "%.0f ms" % med["done"], "", ""),
            ("page: a seek, median / max of %d" % len(shown["seek"]),
             "%.1f / %.1f ms" % (statistics.median(shown["seek"]), max(shown["seek"])), "", ""),
        ]
    for name, value, goal, verdict in rows:
        print("%-44s %14s %12s %s" % (name, value, goal, verdict))
    if bench.errors:
        print("\nfirst errors:", "; ".join(bench.errors[:5]))


if __name__ == "__main__":
    main()
