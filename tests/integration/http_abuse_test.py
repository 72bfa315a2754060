"""The HTTP door under abuse (label abuse), against a real judged with --http-listen.

What the door promises, and what each test holds it to:
- header bytes are bounded while they are read: 64 KiB in all, 16 KiB a line; past that 431 and
  the connection closed (HeaderBombTest, DoorTest). The whole header must come within 5 s of the
  connection opening or of the previous answer; an idle keep-alive connection is closed after
  5 s (DoorTest, FloodTest). A body over its bound (4 MiB at least;
  max(4 MiB, 6 x --max-source-bytes + 6 MiB)) is 413 (DoorTest);
- HTTP connections count against the gRPC acceptor's budget (--max-connections,
  --max-connections-per-peer, --fd-reserve); out of descriptors, judged sheds connections and
  judging goes on (BudgetTest);
- an event stream costs no thread; --http-max-streams counts them, and a stream refused at the
  limit gets 429 and is closed (StreamLimitTest, StreamThreadsTest);
- pipelined requests are answered in order (DoorTest);
- a NUL in Authorization is 401 (or 400), two Authorization headers 400, a negative
  Content-Length 400 at once, /index.html%00.js never index.html (DoorTest);
- fair queues: live runs go first only while the oldest queued take-home submission has waited
  less than 2 s; a live run whose client has gone is stopped within a second; one key holds at
  most 4 live runs at once (FairnessTest);
- metrics: judge_http_connections{state}, judge_http_refused_total{reason},
  judge_queue_wait_seconds{queue,quantile}.

Hostile connections come from other loopback addresses (127.0.0.2 and up, 127.N.0.x) than the
well-behaved client (127.0.0.1), as they would from other hosts. Nothing waits for luck: every
wait polls a condition against a deadline."""
import heapq
import http.client
import json
import os
import re
import resource
import select
import selectors
import socket
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

ECHO_CHALLENGES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "challenges")
PY_OK = "import sys\nsys.stdout.write(sys.stdin.read())\n"
PY_SLEEP = "import time\ntime.sleep(%s)\n" + PY_OK  # echo's wall limit is 2.5 s
PY_BUSY = "while True:\n    pass\n"                 # TIME_LIMIT_EXCEEDED after ~1.5 s

# The door's contract.
HEADER_TOTAL = 64 << 10
HEADER_LINE = 16 << 10
HEADER_DEADLINE_S = 5.0
IDLE_S = 5.0
MAX_SOURCE_BYTES = 64 << 10  # judged's default --max-source-bytes
# The body bound: 4 MiB at least, room for a JSON-escaped source and custom input (README's
# limits table: max(4 MiB, 6 x source + 6 MiB), 6.4 MiB by default).
BODY_LIMIT = max(4 << 20, 6 * MAX_SOURCE_BYTES + (6 << 20))
LIVE_PER_KEY = 4
TAKE_HOME_PRIORITY_S = 2.0
LIVE_STOP_S = 1.0


# --- the process and its metrics

def raise_own_fd_limit(want=65536):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:  # root may raise its hard limit too
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, hard), max(want, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def start_judged(extra, nofile=None, web_root=None):
    args = ["--workers", "1", "--live-workers", "0", "--rate-limit", "1000", "--http-listen", "127.0.0.1:0"]
    if web_root:
        args += ["--web-root", web_root]
    judged = harness.Judged(extra_args=args + list(extra), challenges=ECHO_CHALLENGES)
    if nofile:
        judged.args = ["prlimit", "--nofile=%d:%d" % (nofile, nofile)] + judged.args
    return judged.start()


def cleanup_judged(judged):
    """Stops judged, lets the harness's log reader see the end of its stderr (or it trips over the
    closed pipe), and removes its work dir."""
    judged.stop()
    for th in threading.enumerate():
        if th.name.endswith("(pump)"):
            th.join(5)
    judged.cleanup()


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def proc_status(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def scrape(judged):
    """[(name, {label: value}, value)] from the metrics port."""
    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % judged.metrics_port, timeout=10).read().decode()
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)', line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        try:
            out.append((m.group(1), labels, float(m.group(3))))
        except ValueError:
            pass
    return out


def metric(judged, name, **labels):
    """The sum of `name`'s samples whose labels include `labels`; None when judged exports no
    such sample at all (a missing metric must not pass for a zero)."""
    found = [v for n, l, v in scrape(judged) if n == name and all(l.get(k) == w for k, w in labels.items())]
    return sum(found) if found else None


def counter(judged, name, **labels):
    return metric(judged, name, **labels) or 0.0


def refused(judged, reason):
    return counter(judged, "judge_http_refused_total", reason=reason)


def poll(condition, timeout, interval=0.05):
    """Calls `condition` until it returns something true or `timeout` passes; returns the last
    value."""
    deadline = time.monotonic() + timeout
    while True:
        got = condition()
        if got or time.monotonic() >= deadline:
            return got
        time.sleep(interval)


# --- HTTP by hand

def request_bytes(method, path, token=None, body=None, headers=(), close=False):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: judge"]
    if token is not None:
        lines.append("Authorization: Bearer " + token)
    if body is not None:
        lines += ["Content-Type: application/json", "Content-Length: %d" % len(body)]
    lines += list(headers)
    if close:
        lines.append("Connection: close")
    out = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return out + (body or b"")


class Reader:
    """Reads HTTP/1.1 answers off one socket: several in a row (pipelining), each framed by its
    Content-Length or chunked encoding, or by the end of the connection."""

    def __init__(self, sock):
        self.sock, self.buf, self.eof = sock, b"", False

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("no answer in time")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
        self.buf += data
        return data

    def _until(self, marker, deadline):
        while marker not in self.buf:
            if self.eof or not self._fill(deadline):
                raise ConnectionError("closed before %r (have %r)" % (marker, self.buf[:200]))
        head, _, self.buf = self.buf.partition(marker)
        return head

    def _exactly(self, n, deadline):
        while len(self.buf) < n:
            if self.eof or not self._fill(deadline):
                raise ConnectionError("closed %d bytes short" % (n - len(self.buf)))
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def response(self, timeout=5.0, head_only=False):
        """(status, {lower-case header: value}, body bytes)."""
        deadline = time.monotonic() + timeout
        head = self._until(b"\r\n\r\n", deadline).decode("latin-1")
        status_line, *lines = head.split("\r\n")
        status = int(status_line.split()[1])
        headers = {}
        for line in lines:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if head_only:
            return status, headers, b""
        if "content-length" in headers:
            return status, headers, self._exactly(int(headers["content-length"]), deadline)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._until(b"\r\n", deadline).split(b";")[0], 16)
                body += self._exactly(size, deadline)
                self._until(b"\r\n", deadline)
                if size == 0:
                    return status, headers, body
        while not self.eof:
            self._fill(deadline)
        body, self.buf = self.buf, b""
        return status, headers, body

    def closed_within(self, timeout):
        """True when the peer closes (EOF or reset) within `timeout`, nothing more to read."""
        deadline = time.monotonic() + timeout
        try:
            while not self.eof:
                self._fill(deadline)
        except (socket.timeout, OSError):
            return self.eof
        return True


def raw_exchange(port, data, timeout=5.0, source="127.0.0.1"):
    """Sends `data` on a fresh connection; (status, headers, body, seconds to the answer)."""
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    try:
        started = time.monotonic()
        s.sendall(data)
        status, headers, body = Reader(s).response(timeout)
        return status, headers, body, time.monotonic() - started
    finally:
        s.close()


def http_call(port, method, path, token=None, body=None, timeout=10.0, headers=None):
    """One call on a fresh connection: (status, parsed JSON or text)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        try:
            return r.status, json.loads(text) if text else None
        except ValueError:
            return r.status, text
    finally:
        c.close()


def timed_get(port, token, path="/v1/challenges", timeout=1.0):
    """A fresh connection's GET: (ok, seconds, status); ok means 200 within `timeout`; status is
    None when no answer came (refused, reset, or the timeout)."""
    started = time.monotonic()
    try:
        status, body = http_call(port, "GET", path, token, timeout=timeout)
        took = time.monotonic() - started
        return status == 200 and took <= timeout, took, status
    except (OSError, http.client.HTTPException):
        return False, time.monotonic() - started, None


class GetProbe:
    """Fresh GETs from 127.0.0.1 every `interval` s in a thread until stopped."""

    def __init__(self, port, token, interval=0.2, timeout=1.0):
        self.port, self.token, self.interval, self.timeout = port, token, interval, timeout
        self.results = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopped.is_set():
            self.results.append(timed_get(self.port, self.token, timeout=self.timeout))
            self.stopped.wait(self.interval)

    def stop(self):
        """(answered 200 within the timeout, tries, slowest seconds)."""
        self.stopped.set()
        self.thread.join(10)
        ok = sum(1 for good, _, _ in self.results if good)
        return ok, len(self.results), max((t for _, t, _ in self.results), default=0)

    def statuses(self):
        return sorted(set(st for _, _, st in self.results))


def submit_http(port, token, source=PY_OK, request_id=None, candidate="http-abuse", tries=3):
    """POST /v1/submissions (retried with the same request id: an acknowledged one comes back)."""
    body = {"challengeId": "echo", "language": "python3", "source": source, "candidateId": candidate,
            "requestId": request_id or "req-%d-%f" % (os.getpid(), time.time())}
    last = None
    for _ in range(tries):
        try:
            status, sub = http_call(port, "POST", "/v1/submissions", token, body, timeout=10)
            if status == 200:
                return sub
            last = (status, sub)
        except (OSError, http.client.HTTPException) as e:
            last = e
    raise AssertionError("POST /v1/submissions failed: %r" % (last,))


def sse_events(response, limit=None, until=None):
    """[(event, data)] from a server-sent event stream (http.client response), to its end, to
    `limit` events, or to the first event named `until`."""
    out, fields = [], {}
    while True:
        line = response.readline()
        if not line:
            return out
        line = line.decode().rstrip("\r\n")
        if line == "":
            if "data" in fields:
                out.append((fields.get("event"), json.loads(fields["data"])))
                if (limit and len(out) >= limit) or (until and out[-1][0] == until):
                    return out
            fields = {}
        elif not line.startswith(":"):
            k, _, v = line.partition(":")
            fields[k] = v[1:] if v.startswith(" ") else v


def open_stream(port, method, path, token, body=None, timeout=120, source=None):
    """(connection, response) of an event stream request; the caller reads and closes."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                   source_address=(source, 0) if source else None)
    h = {"Authorization": "Bearer " + token}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    c.request(method, path, body=data, headers=h)
    return c, c.getresponse()


def watch_to_end(port, token, sid, timeout=120):
    c, r = open_stream(port, "GET", "/v1/submissions/%s/events" % sid, token, timeout=timeout)
    try:
        assert r.status == 200, (r.status, r.read())
        return sse_events(r)
    finally:
        close_stream(c, r)


def live_body(source):
    return {"challengeId": "echo", "language": "python3", "source": source}


def hard_close(sock):
    """Closes with a reset: the client is gone at once, whatever was unread."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    sock.close()


def close_stream(conn, response, reset=False):
    """Closes an event stream from open_stream for good. (http.client hands the socket to the
    response when the answer has no length: closing the connection alone leaves it open.)"""
    sock = conn.sock
    if sock is None and response is not None and response.fp is not None:
        sock = getattr(response.fp.raw, "_sock", None)
    if reset and sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass
    if response is not None:
        response.close()
    conn.close()
    if sock is not None:
        sock.close()


# --- hostile connections

def peer(pool, i, spread=200):
    """The i-th hostile source address of a pool: 127.0.0.2.. for pool 0 (as abuse_test), then
    127.<pool>.0.2..; `spread` addresses a pool."""
    return "127.%d.0.%d" % (pool, 2 + i % spread)


class Flood:
    """Keeps `n` hostile connections of one kind open against `port` from a pool of loopback
    addresses, opening a new one `reopen_s` after judged closes one, in one thread:
      idle       connects and sends nothing;
      slowloris  sends one byte of a never-ending header every `interval` s;
      bomb       streams header lines (`line` bytes each) as fast as judged reads them, up to
                 `bomb_bytes` a connection, and stops at the first error.
    Records what judged did to each: how long it stayed open, what it answered."""

    def __init__(self, port, kind, n, pool=0, spread=200, interval=2.0, reopen_s=0.2, line=8 << 10,
                 bomb_bytes=200 << 20, reopen=True):
        self.port, self.kind, self.n, self.pool, self.spread = port, kind, n, pool, spread
        self.interval, self.reopen_s, self.reopen = interval, reopen_s, reopen
        self.bomb_bytes = bomb_bytes
        # Header lines of `line` bytes, or with line=None one line that never ends.
        self.prefix = b"GET /v1/challenges HTTP/1.1\r\nHost: judge\r\n" + (b"X-Bomb: " if line is None else b"")
        unit = b"b" * 65536 if line is None else b"X-Bomb: " + b"b" * (line - 10) + b"\r\n"
        self.chunk = unit * max(1, (256 << 10) // len(unit))
        self.unit = len(unit)
        self.opened = self.closed_by_server = self.connect_errors = 0
        self.bytes_sent = 0
        self.lifetimes = []       # (seconds open, bytes sent) of connections judged closed
        self.answers = []         # first line of whatever judged answered before closing
        self.conns = {}           # fd -> state
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.sel = selectors.DefaultSelector()
        self.timers = []          # heap of (when, seq, what, arg)
        self.seq = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    # timers
    def _at(self, when, what, arg):
        self.seq += 1
        heapq.heappush(self.timers, (when, self.seq, what, arg))

    def _connect(self, i):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.bind((peer(self.pool, i, self.spread), 0))
            s.connect_ex(("127.0.0.1", self.port))
        except OSError:
            s.close()
            self.connect_errors += 1
            self._at(time.monotonic() + 0.5, "open", i)
            return
        now = time.monotonic()
        c = {"sock": s, "i": i, "opened": now, "sent": 0, "head": b"", "slow": 0}
        self.conns[s.fileno()] = c
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.kind == "bomb" else 0)
        self.sel.register(s, events, c)
        self.opened += 1
        if self.kind == "slowloris":
            self._at(now + self.interval * (0.5 + (i % 10) / 10), "drip", c)

    def _closed(self, c):
        """judged closed (or reset, or refused) connection `c`."""
        s = c["sock"]
        if self.conns.get(s.fileno()) is not c:
            return
        try:  # whatever judged answered before it closed
            while True:
                more = s.recv(65536)
                if not more:
                    break
                c["head"] = (c["head"] + more)[:512]
        except OSError:
            pass
        del self.conns[s.fileno()]
        self.sel.unregister(s)
        s.close()
        with self.lock:
            self.closed_by_server += 1
            self.lifetimes.append((time.monotonic() - c["opened"], c["sent"]))
            if c["head"]:
                self.answers.append(c["head"].split(b"\r\n", 1)[0].decode("latin-1"))
        if self.reopen and not self.stop_event.is_set():
            self._at(time.monotonic() + self.reopen_s, "open", c["i"])

    def _drip(self, c):
        s = c["sock"]
        if self.conns.get(s.fileno()) is not c:
            return
        prefix = b"GET /v1/challenges HTTP/1.1\r\nHost: judge\r\nX-Slow: "
        byte = prefix[c["slow"]:c["slow"] + 1] or b"s"  # then one more byte of X-Slow, for ever
        try:
            if s.send(byte) == 1:
                c["slow"] += 1
                c["sent"] += 1
        except BlockingIOError:
            pass
        except OSError:
            return self._closed(c)
        self._at(time.monotonic() + self.interval, "drip", c)

    def _pump(self, c):
        s = c["sock"]
        if c["sent"] < len(self.prefix):
            data = self.prefix[c["sent"]:] + self.chunk
        else:
            off = (c["sent"] - len(self.prefix)) % self.unit  # the byte stream stays whole lines
            data = self.chunk[off:]
        try:
            n = s.send(data)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return self._closed(c)
        c["sent"] += n
        self.bytes_sent += n
        if c["sent"] >= self.bomb_bytes:
            self.sel.modify(s, selectors.EVENT_READ, c)

    def run(self):
        for i in range(self.n):
            self._connect(i)
        while not self.stop_event.is_set():
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, what, arg = heapq.heappop(self.timers)
                if what == "open":
                    self._connect(arg)
                else:
                    self._drip(arg)
            timeout = 0.1 if not self.timers else max(0.0, min(0.1, self.timers[0][0] - now))
            for key, mask in self.sel.select(timeout):
                c = key.data
                if self.conns.get(key.fd) is not c:
                    continue
                if mask & selectors.EVENT_READ:
                    try:
                        data = c["sock"].recv(65536)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        self._closed(c)
                        continue
                    c["head"] = (c["head"] + data)[:512]
                if mask & selectors.EVENT_WRITE and self.conns.get(key.fd) is c:
                    self._pump(c)
        for c in list(self.conns.values()):
            c["sock"].close()
        self.conns.clear()
        self.sel.close()

    def open_now(self):
        return len(self.conns)

    def oldest_open(self):
        """Seconds the longest-open connection has been open now."""
        now = time.monotonic()
        return max((now - c["opened"] for c in list(self.conns.values())), default=0.0)

    def stop(self):
        self.stop_event.set()
        self.thread.join(30)


# --- the tests

class FloodTest(unittest.TestCase):
    """5,000 idle connections and 300 slowloris ones held for 30 s: the well-behaved client is
    served within a second and judging goes on."""

    FLOOD, SLOW, HOLD_S = 5000, 300, 30.0

    @classmethod
    def setUpClass(cls):
        cls.own_limit = raise_own_fd_limit()
        # 5,300 hostile connections fit the budget: 8,192 less the default reserve of 1,024.
        cls.judged = start_judged([], nofile=8192)
        cls.tok = cls.judged.tokens

    @classmethod
    def tearDownClass(cls):
        cleanup_judged(cls.judged)

    def test_idle_and_slowloris_flood(self):
        self.assertGreater(self.own_limit, self.FLOOD + self.SLOW + 200, "raise `ulimit -Hn` for this test")
        port = self.judged.http_port
        timeouts_before = refused(self.judged, "header_timeout")
        idle = Flood(port, "idle", self.FLOOD, pool=0)
        slow = Flood(port, "slowloris", self.SLOW, pool=0, interval=2.0)
        probe = None
        result = {}
        try:
            self.assertTrue(poll(lambda: idle.opened >= self.FLOOD and slow.opened >= self.SLOW, 20),
                            "the flood did not get its connections out (%d, %d)" % (idle.opened, slow.opened))
            probe = GetProbe(port, self.tok["platform"], interval=0.2, timeout=1.0)

            def judge_one():
                try:
                    s = submit_http(port, self.tok["platform"], request_id="flood-%d" % os.getpid())
                    result["events"] = watch_to_end(port, self.tok["platform"], s["id"], timeout=60)
                    result["final"] = http_call(port, "GET", "/v1/submissions/" + s["id"], self.tok["platform"],
                                                timeout=10)
                except Exception as e:  # noqa: BLE001 (reported below)
                    result["error"] = repr(e)
            judging = threading.Thread(target=judge_one, daemon=True)
            judging.start()
            window_end = time.monotonic() + self.HOLD_S
            open_seen = []
            oldest_slow = 0.0
            while time.monotonic() < window_end:
                oldest_slow = max(oldest_slow, slow.oldest_open())
                if len(open_seen) < 5:
                    try:
                        open_seen.append(metric(self.judged, "judge_http_connections"))
                    except OSError:
                        pass
                time.sleep(0.5)
            judging.join(60)
        finally:
            ok, tries, worst = probe.stop() if probe else (0, 0, 0)
            idle.stop()
            slow.stop()
        self.assertGreaterEqual(ok / max(1, tries), 0.95, "only %d of %d fresh GETs answered within 1 s during the "
                                                          "flood (slowest %.2f s)" % (ok, tries, worst))
        self.assertGreaterEqual(tries, 20)
        self.assertNotIn("error", result, result.get("error"))
        events = result["events"]
        self.assertNotIn("INTERNAL_ERROR", json.dumps(events))
        self.assertEqual(events[-1][0], "finished", events[-1:])
        self.assertEqual(events[-1][1]["submission"]["verdict"], "VERDICT_ACCEPTED")
        status, final = result["final"]
        self.assertEqual((status, final["verdict"]), (200, "VERDICT_ACCEPTED"))
        # The header deadline: no slowloris connection outlived 5 s (and some slack) ...
        oldest_slow = max([oldest_slow] + [t for t, _ in slow.lifetimes])
        self.assertLess(oldest_slow, HEADER_DEADLINE_S + 3.0,
                        "a slowloris connection (a byte every 2 s) stayed open %.1f s" % oldest_slow)
        self.assertGreaterEqual(slow.closed_by_server, self.SLOW * 3)  # each cut every ~5 s, 30 s long
        # ... nor did an idle one, so every one of them was cut at least once in 30 s.
        self.assertGreaterEqual(idle.closed_by_server, self.FLOOD,
                                "judged closed %d of %d idle connections in %d s" % (idle.closed_by_server, self.FLOOD,
                                                                                     self.HOLD_S))
        # Metrics: the connections were counted while open, and the cut ones by reason.
        self.assertTrue(open_seen and open_seen[0] is not None, "judge_http_connections{state} is not exported")
        self.assertGreater(max(v or 0 for v in open_seen), 1000, open_seen)
        self.assertGreaterEqual(refused(self.judged, "header_timeout") - timeouts_before, self.SLOW,
                                "judge_http_refused_total{reason=\"header_timeout\"} did not count them")
        # Gone from the gauge once the clients hang up.
        self.assertTrue(poll(lambda: (metric(self.judged, "judge_http_connections") or 0) <= 5, 15, 0.25),
                        "judge_http_connections is still %s" % metric(self.judged, "judge_http_connections"))
        self.assertTrue(timed_get(port, self.tok["platform"])[0])


class BudgetTest(unittest.TestCase):
    """2,048 descriptors, 512 of them reserved: at most 1,536 connections, gRPC's and HTTP's
    together, 10 per peer address."""

    NOFILE, RESERVE, PER_PEER = 2048, 512, 10

    @classmethod
    def setUpClass(cls):
        raise_own_fd_limit()
        cls.judged = start_judged(["--fd-reserve", str(cls.RESERVE), "--max-connections-per-peer", str(cls.PER_PEER),
                                   "--handshake-timeout-ms", "20000"], nofile=cls.NOFILE)
        cls.tok = cls.judged.tokens
        cls.channel = grpc.insecure_channel(cls.judged.address)
        cls.stub = rpc.JudgeServiceStub(cls.channel)
        cls.md = harness.metadata(cls.tok["platform"])
        cls.stub.ListChallenges(pb.ListChallengesRequest(), metadata=cls.md, timeout=10)  # connected now

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cleanup_judged(cls.judged)

    def grpc_judge(self, n):
        sub = self.stub.Submit(pb.SubmitRequest(challenge_id="echo", language="python3", source=PY_OK + "# %d\n" % n,
                                                candidate_id="budget"), metadata=self.md, timeout=10)
        return list(self.stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=sub.id), metadata=self.md,
                                              timeout=60))

    def test_descriptors_stay_within_the_budget_and_judging_goes_on(self):
        pid = self.judged.proc.pid
        baseline = open_fds(pid)
        before = {r: refused(self.judged, r) for r in ("total", "descriptors", "per_peer")}
        flood = Flood(self.judged.http_port, "idle", 2500, pool=1, spread=250, reopen_s=0.5)
        samples = []
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                try:
                    samples.append(open_fds(pid))
                except OSError:
                    pass
                stop.wait(0.05)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        events = []
        try:
            self.assertTrue(poll(lambda: flood.opened >= 2500, 20))
            # Judging while every connection the budget allows is taken (and more knock).
            for n in range(3):
                events.append(self.grpc_judge(n))
        finally:
            stop.set()
            sampler.join(5)
            flood.stop()
        budget = self.NOFILE - self.RESERVE
        self.assertLessEqual(max(samples), budget + baseline + 64,
                             "judged held %d descriptors (limit %d, %d reserved for judging, %d at rest)"
                             % (max(samples), self.NOFILE, self.RESERVE, baseline))
        shed = sum(refused(self.judged, r) - before[r] for r in ("total", "descriptors"))
        self.assertGreater(shed, 400, "judge_http_refused_total{reason=total|descriptors} grew by %d" % shed)
        for ev in events:
            self.assertNotIn(pb.VERDICT_INTERNAL_ERROR, [e.submission.verdict for e in ev])
            self.assertEqual(ev[-1].submission.verdict, pb.VERDICT_ACCEPTED)
        self.assertEqual(counter(self.judged, "judge_submissions_total", verdict="INTERNAL_ERROR"), 0)
        self.assertEqual(counter(self.judged, "judge_sandbox_failures_total"), 0)
        # The budget comes back: a fresh HTTP client is served once the flood is gone.
        self.assertTrue(poll(lambda: timed_get(self.judged.http_port, self.tok["platform"])[0], 10, 0.2))

    def knock(self, source, n, port):
        socks = []
        for _ in range(n):
            s = socket.socket()
            s.bind((source, 0))
            try:
                s.connect(("127.0.0.1", port))
            except ConnectionResetError:
                pass  # accepted and reset before connect() returned: refused, and seen so below
            socks.append(s)
        return socks

    def refused_now(self, socks, within=2.0):
        """The sockets judged closed (or reset) within `within` s, well before any 5 s timeout."""
        deadline = time.monotonic() + within
        shut = set()
        while time.monotonic() < deadline and len(shut) < len(socks):
            sel = selectors.DefaultSelector()
            for s in socks:
                if s not in shut:
                    sel.register(s, selectors.EVENT_READ)
            for key, _ in sel.select(max(0.0, deadline - time.monotonic())):
                try:
                    key.fileobj.recv(4096)  # an answer before the close counts as refused too
                except OSError:
                    pass
                shut.add(key.fileobj)
            sel.close()
        return shut

    def test_per_peer_bound_counts_both_doors(self):
        # Six gRPC connections waiting for their preface from one address, then eight HTTP ones:
        # four fit.
        before = refused(self.judged, "per_peer")
        g = self.knock("127.2.0.1", 6, self.judged.port)
        try:
            self.assertTrue(poll(lambda: counter(self.judged, "judge_connections", state="checking") >= 6, 5))
            h = self.knock("127.2.0.1", 8, self.judged.http_port)
            shut = self.refused_now(h)
            self.assertGreaterEqual(len(shut), 4, "8 HTTP connections beside 6 gRPC ones from one address, "
                                                  "%d refused (per peer: %d)" % (len(shut), self.PER_PEER))
            self.assertLessEqual(len(h) - len(shut), 4)
            self.assertGreaterEqual(refused(self.judged, "per_peer") - before, 4,
                                    "judge_http_refused_total{reason=\"per_peer\"} did not count them")
            for s in h:
                s.close()
        finally:
            for s in g:
                s.close()
        # The other way round: HTTP first, then gRPC finds the address full.
        grpc_before = counter(self.judged, "judge_connections_refused_total", reason="per_peer")
        h = self.knock("127.2.0.2", 8, self.judged.http_port)
        try:
            self.assertEqual(len(self.refused_now(h, 0.5)), 0, "HTTP connections refused below the bound")
            g = self.knock("127.2.0.2", 6, self.judged.port)
            shut = self.refused_now(g)
            self.assertGreaterEqual(len(shut), 4)
            self.assertGreaterEqual(counter(self.judged, "judge_connections_refused_total", reason="per_peer")
                                    - grpc_before, 4)
            for s in g:
                s.close()
        finally:
            for s in h:
                s.close()

    def test_total_bound_counts_both_doors(self):
        # 1,000 gRPC connections (5 per address) take most of the 1,536; then 1,000 HTTP ones
        # (5 per address elsewhere): at least 464 of those are refused at once.
        before = refused(self.judged, "total") + refused(self.judged, "descriptors")
        g = [s for i in range(200) for s in self.knock(peer(3, i), 5, self.judged.port)]
        try:
            self.assertTrue(poll(lambda: counter(self.judged, "judge_connections", state="checking") >= 900, 10))
            h = [s for i in range(200) for s in self.knock(peer(4, i), 5, self.judged.http_port)]
            try:
                shut = self.refused_now(h, 2.0)
                self.assertGreaterEqual(len(shut), 1000 + 1000 - (self.NOFILE - self.RESERVE) - 10,
                                        "HTTP connections past the shared total: only %d refused" % len(shut))
                self.assertGreaterEqual(refused(self.judged, "total") + refused(self.judged, "descriptors") - before,
                                        400)
            finally:
                for s in h:
                    s.close()
        finally:
            for s in g:
                s.close()
        self.assertTrue(poll(lambda: timed_get(self.judged.http_port, self.tok["platform"])[0], 10, 0.2))


class HeaderBombTest(unittest.TestCase):
    """Four connections each streaming 200 MB of header lines: each cut at 64 KiB with 431,
    judged's memory unmoved."""

    @classmethod
    def setUpClass(cls):
        cls.judged = start_judged([])
        cls.tok = cls.judged.tokens

    @classmethod
    def tearDownClass(cls):
        cleanup_judged(cls.judged)

    def test_header_bombs_are_cut_off(self):
        pid = self.judged.proc.pid
        rss_before = proc_status(pid, "VmRSS")
        limit_before = refused(self.judged, "header_limit")
        # Two bombs of many 8 KiB lines (the 64 KiB total), two of one endless line (16 KiB).
        bombs = [Flood(self.judged.http_port, "bomb", 2, pool=5 + k, line=line, bomb_bytes=200 << 20, reopen=False)
                 for k, line in enumerate((8 << 10, None))]
        peak = rss_before
        deadline = time.monotonic() + 25
        try:
            while time.monotonic() < deadline and any(b.closed_by_server < 2 for b in bombs):
                peak = max(peak, proc_status(pid, "VmRSS"))
                time.sleep(0.05)
            peak = max(peak, proc_status(pid, "VmRSS"))
            sent = [(b.bytes_sent, b.closed_by_server, list(b.answers)) for b in bombs]
        finally:
            for b in bombs:
                b.stop()
        for (total, closed, answers), kind in zip(sent, ("many lines", "one long line")):
            with self.subTest(bomb=kind):
                self.assertEqual(closed, 2, "%s: judged read %d MB and did not close" % (kind, total >> 20))
                # judged stopped reading at the bound: what was sent is the bound plus the socket
                # buffers, not 200 MB.
                self.assertLess(total, 2 * 32 << 20, "%s: %d MB sent before the cut" % (kind, total >> 20))
                self.assertEqual(len(answers), 2, "%s: closed without an answer" % kind)
                for a in answers:
                    self.assertRegex(a, r"^HTTP/1\.[01] 431 ")
        self.assertLess(peak - rss_before, 64 << 10, "judged's RSS rose %d MiB" % ((peak - rss_before) >> 10))
        self.assertGreaterEqual(refused(self.judged, "header_limit") - limit_before, 4,
                                "judge_http_refused_total{reason=\"header_limit\"} did not count them")
        self.assertTrue(timed_get(self.judged.http_port, self.tok["platform"])[0])


class DoorTest(unittest.TestCase):
    """The door's parsing and timing rules, one connection at a time."""

    @classmethod
    def setUpClass(cls):
        cls.web = tempfile.mkdtemp(prefix="judge-http-abuse-web-")
        cls.marker = "index-page-%s" % os.getpid()
        with open(os.path.join(cls.web, "index.html"), "w") as f:
            f.write("<!doctype html><title>%s</title>\n" % cls.marker)
        cls.judged = start_judged([], web_root=cls.web)
        cls.port = cls.judged.http_port
        cls.tok = cls.judged.tokens

    @classmethod
    def tearDownClass(cls):
        cleanup_judged(cls.judged)
        harness.shutil.rmtree(cls.web, ignore_errors=True)

    def test_pipelined_requests_are_answered_in_order(self):
        t = self.tok["platform"]
        batch = (request_bytes("GET", "/v1/whoami", t)
                 + request_bytes("POST", "/v1/submissions", t, body=b'{"colour": "red"}')
                 + request_bytes("GET", "/v1/challenges/echo", t)
                 + request_bytes("GET", "/v1/nothing-here", t)
                 + request_bytes("GET", "/v1/challenges", t, close=True))
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        try:
            s.sendall(batch)  # one send: all five in the server's first read
            r = Reader(s)
            answers = []
            for _ in range(5):
                try:
                    answers.append(r.response(5.0))
                except (OSError, ConnectionError) as e:
                    self.fail("answer %d of 5 never came (%r); got %s" % (len(answers) + 1, e,
                                                                           [a[0] for a in answers]))
            self.assertTrue(r.closed_within(2.0), "Connection: close on the last request was not honoured")
        finally:
            s.close()
        (s1, _, b1), (s2, _, b2), (s3, _, b3), (s4, _, b4), (s5, _, b5) = answers
        self.assertEqual((s1, json.loads(b1)["role"]), (200, "ROLE_PLATFORM"))
        self.assertEqual(s2, 400)
        self.assertIn("colour", json.loads(b2)["message"])
        self.assertEqual((s3, json.loads(b3)["summary"]["id"]), (200, "echo"))
        self.assertEqual((s4, json.loads(b4)["code"]), (404, "NOT_FOUND"))
        self.assertEqual(s5, 200)
        self.assertEqual([c["id"] for c in json.loads(b5)["challenges"]], ["echo"])

    def test_a_connection_moves_to_the_trusted_thread_once_its_key_is_valid(self):
        # A request with a valid key moves its connection, between two requests, to the I/O
        # thread that unproven connections (idle, slow, bombs) never reach; one refused 401
        # stays. The connection goes on answering there.
        trusted = lambda: metric(self.judged, "judge_http_trusted_connections")  # noqa: E731
        self.assertTrue(poll(lambda: trusted() == 0, 10), "judge_http_trusted_connections is %s" % trusted())
        moved_before = counter(self.judged, "judge_http_trusted_total")
        a = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        b = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        try:
            ra, rb = Reader(a), Reader(b)
            a.sendall(request_bytes("GET", "/v1/whoami", "not-a-key"))
            self.assertEqual(ra.response(5.0)[0], 401)
            b.sendall(request_bytes("GET", "/v1/whoami", self.tok["candidate"]))
            self.assertEqual(rb.response(5.0)[0], 200)
            # b moved, a did not: one connection there (two if the 401 had moved a).
            self.assertTrue(poll(lambda: trusted() == 1, 10), "trusted connections: %s" % trusted())
            b.close()
            self.assertTrue(poll(lambda: trusted() == 0, 10), "trusted connections: %s" % trusted())
            a.sendall(request_bytes("GET", "/v1/challenges", self.tok["platform"]))
            status, _, body = ra.response(5.0)
            self.assertEqual((status, [c["id"] for c in json.loads(body)["challenges"]]), (200, ["echo"]))
            self.assertTrue(poll(lambda: trusted() == 1, 10), "trusted connections: %s" % trusted())
            a.sendall(request_bytes("GET", "/v1/whoami", self.tok["platform"]))
            status, _, body = ra.response(5.0)
            self.assertEqual((status, json.loads(body)["role"]), (200, "ROLE_PLATFORM"))
        finally:
            a.close()
            b.close()
        self.assertEqual(counter(self.judged, "judge_http_trusted_total") - moved_before, 2)
        self.assertTrue(poll(lambda: trusted() == 0, 10), "trusted connections: %s" % trusted())

    def test_malformed_authorization_length_and_path(self):
        t = self.tok["platform"].encode()
        cases = [
            ("NUL in Authorization", b"GET /v1/whoami HTTP/1.1\r\nHost: j\r\nAuthorization: Bearer " + t
             + b"\x00admin\r\nConnection: close\r\n\r\n", (400, 401)),
            ("NUL before the token", b"GET /v1/whoami HTTP/1.1\r\nHost: j\r\nAuthorization: Bearer \x00" + t
             + b"\r\nConnection: close\r\n\r\n", (400, 401)),
            ("two Authorization headers", b"GET /v1/whoami HTTP/1.1\r\nHost: j\r\nAuthorization: Bearer " + t
             + b"\r\nAuthorization: Bearer not-a-token\r\nConnection: close\r\n\r\n", (400,)),
            ("two Authorization headers, bad first", b"GET /v1/whoami HTTP/1.1\r\nHost: j\r\nAuthorization: Bearer x"
             b"\r\nAuthorization: Bearer " + t + b"\r\nConnection: close\r\n\r\n", (400,)),
            ("the same Authorization twice", b"GET /v1/whoami HTTP/1.1\r\nHost: j\r\nAuthorization: Bearer " + t
             + b"\r\nauthorization: Bearer " + t + b"\r\nConnection: close\r\n\r\n", (400,)),
            ("negative Content-Length", b"POST /v1/submissions HTTP/1.1\r\nHost: j\r\nAuthorization: Bearer " + t
             + b"\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n", (400,)),
            ("negative Content-Length with a body", b"POST /v1/submissions HTTP/1.1\r\nHost: j\r\nAuthorization: "
             b"Bearer " + t + b"\r\nContent-Type: application/json\r\nContent-Length: -20\r\n\r\n{}", (400,)),
        ]
        for name, data, statuses in cases:
            with self.subTest(case=name):
                try:
                    status, headers, body, took = raw_exchange(self.port, data, timeout=3.0)
                except (OSError, ConnectionError) as e:
                    self.fail("%s: no answer within 3 s (%r)" % (name, e))
                self.assertIn(status, statuses, body[:200])
                self.assertLess(took, 1.0, "%s answered after %.2f s" % (name, took))
                self.assertNotIn(b"ROLE_", body)  # never taken for a key
        for path in (b"/index.html%00.js", b"/index.html%00", b"/%00index.html", b"/index.html\x00.js"):
            with self.subTest(path=path):
                try:
                    status, _, body, _ = raw_exchange(self.port, b"GET " + path + b" HTTP/1.1\r\nHost: j\r\n"
                                                      b"Connection: close\r\n\r\n", timeout=3.0)
                except (OSError, ConnectionError):
                    continue  # closed without an answer: not served either
                self.assertNotIn(self.marker.encode(), body)
                if b"%00" in path:
                    self.assertIn(status, (400, 404))
        # The page itself is still served (the marker is what it looks like).
        status, _, body, _ = raw_exchange(self.port, b"GET /index.html HTTP/1.1\r\nHost: j\r\nConnection: close\r\n\r\n")
        self.assertEqual(status, 200)
        self.assertIn(self.marker.encode(), body)

    def test_header_bounds(self):
        t = self.tok["platform"]
        limit_before = refused(self.judged, "header_limit")
        # Within the bounds: a 15 KiB line, 60 KiB in all.
        ok_line = request_bytes("GET", "/v1/whoami", t, headers=["X-Pad: " + "p" * (15 << 10)], close=True)
        ok_total = request_bytes("GET", "/v1/whoami", t, headers=["X-Pad-%d: %s" % (i, "p" * (7 << 10))
                                                                  for i in range(8)], close=True)
        for name, data in (("15 KiB line", ok_line), ("60 KiB of headers", ok_total)):
            with self.subTest(case=name):
                self.assertLess(len(data), HEADER_TOTAL)
                status, _, body, _ = raw_exchange(self.port, data)
                self.assertEqual(status, 200, body[:200])
        # Past them: 431, then the connection closed.
        over_line = request_bytes("GET", "/v1/whoami", t, headers=["X-Pad: " + "p" * (17 << 10)])
        over_total = request_bytes("GET", "/v1/whoami", t, headers=["X-Pad-%d: %s" % (i, "p" * (7 << 10))
                                                                    for i in range(10)])
        for name, data in (("17 KiB line", over_line), ("70 KiB of headers", over_total)):
            with self.subTest(case=name):
                s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                try:
                    try:
                        s.sendall(data)
                    except OSError:
                        pass  # cut while we wrote: the answer must be there anyway
                    r = Reader(s)
                    status, _, _ = r.response(5.0)
                    self.assertEqual(status, 431)
                    self.assertTrue(r.closed_within(2.0), "left open after 431")
                finally:
                    s.close()
        self.assertGreaterEqual(refused(self.judged, "header_limit") - limit_before, 2,
                                "judge_http_refused_total{reason=\"header_limit\"} did not count them")

    def post_oversized(self, size):
        """POSTs a body of `size` bytes (declared, then streamed while judged lets us): judged's
        status line, or None when it closed without one; and how much of the body went out."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        try:
            s.sendall(request_bytes("POST", "/v1/submissions", self.tok["platform"])[:-2]
                      + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size)
            s.setblocking(False)
            got, left, deadline = b"", size, time.monotonic() + 15
            chunk = b"x" * (256 << 10)
            while b"\r\n" not in got and time.monotonic() < deadline:
                r, w, _ = select.select([s], [s] if left else [], [], 0.5)
                if r:
                    try:
                        more = s.recv(65536)
                    except OSError:
                        more = b""
                    if not more:
                        break
                    got += more
                if w and left:
                    try:
                        left -= s.send(chunk[:left])
                    except BlockingIOError:
                        pass
                    except OSError:
                        left = 0
            line = got.split(b"\r\n", 1)[0].decode("latin-1") if b"\r\n" in got else None
            return line, size - left
        finally:
            s.close()

    def test_an_address_that_keeps_breaking_the_header_bounds_is_shut_out_for_a_while(self):
        # 20 oversized headers from one address within 10 s: its next connections are held unread
        # until the penalty is over (no 64 KiB read each, no reconnecting at once), then answered
        # 429; another address is served as before, meanwhile.
        bomber = "127.0.0.91"
        big = b"GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-Fill: " + b"a" * (70 << 10) + b"\r\n\r\n"
        before = refused(self.judged, "penalized")
        for _ in range(20):
            try:
                status = raw_exchange(self.port, big, source=bomber)[0]
                self.assertEqual(status, 431)
            except (OSError, ConnectionError):
                pass  # the answer may be lost to the close that follows it
        # A held connection whose client goes away gives its descriptor and place back within
        # a few seconds (it is looked at every 3 s, by a sweep four times a second), not when the penalty
        # ends.
        gone = socket.socket()
        gone.bind((bomber, 0))
        gone.connect(("127.0.0.1", self.port))
        held_now = lambda: metric(self.judged, "judge_http_connections", state="held") or 0  # noqa: E731
        self.assertTrue(poll(lambda: held_now() >= 1, 10), "the connection was not held")
        gone.close()
        left = time.monotonic()
        self.assertTrue(poll(lambda: held_now() == 0, 5), "a held connection outlived its client")
        self.assertLess(time.monotonic() - left, 5)
        result = {}

        def held():
            result["answer"] = raw_exchange(self.port, request_bytes("GET", "/v1/whoami", self.tok["platform"]),
                                            timeout=30, source=bomber)
        t = threading.Thread(target=held)
        t.start()
        deadline = time.monotonic() + 10
        while refused(self.judged, "penalized") == before and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreater(refused(self.judged, "penalized"), before)
        # While that connection is held, another address is served.
        status = raw_exchange(self.port, request_bytes("GET", "/v1/whoami", self.tok["platform"]),
                              source="127.0.0.92")[0]
        self.assertEqual(status, 200)
        self.assertTrue(t.is_alive(), "the offending address was answered at once")
        t.join(30)
        status, headers, _, seconds = result["answer"]
        self.assertEqual(status, 429, "a well-formed request from the offending address was served")
        self.assertEqual(headers.get("retry-after"), "10")

    def test_a_target_that_is_not_a_path_is_refused_and_the_door_stays_up(self):
        # "GET ?x" once threw out of the page's file lookup on a worker, which ends the process.
        for target in (b"?x", b"x", b"*", b"http:"):
            status = raw_exchange(self.port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")[0]
            self.assertEqual(status, 400, target)
        status = raw_exchange(self.port, request_bytes("GET", "/v1/whoami", self.tok["platform"]))[0]
        self.assertEqual(status, 200)
        self.assertIsNone(self.judged.proc.poll(), "judged is gone")

    def test_body_bound(self):
        body_before = refused(self.judged, "body_limit")
        # Far over the bound: 413 (RESOURCE_EXHAUSTED), whether judged reads the body or not.
        line, _ = self.post_oversized(16 << 20)
        self.assertRegex(line or "(closed without an answer)", r"^HTTP/1\.[01] 413 ")
        # One byte over it: 413 too.
        line, _ = self.post_oversized(BODY_LIMIT + 1)
        self.assertRegex(line or "(closed without an answer)", r"^HTTP/1\.[01] 413 ",
                         "a body of %d bytes (the bound + 1) was not refused" % (BODY_LIMIT + 1))
        self.assertGreaterEqual(refused(self.judged, "body_limit") - body_before, 2,
                                "judge_http_refused_total{reason=\"body_limit\"} did not count them")
        # Exactly the bound: read and answered by the API (the source is too large for it: 400).
        body = {"challengeId": "echo", "language": "python3", "candidateId": "c", "source": ""}
        body["source"] = "#" * (BODY_LIMIT - len(json.dumps(body).encode()))
        big = json.dumps(body).encode()
        self.assertEqual(len(big), BODY_LIMIT)
        status, _, answer, _ = raw_exchange(self.port, request_bytes("POST", "/v1/submissions", self.tok["platform"],
                                                                     body=big, close=True), timeout=10)
        self.assertNotEqual(status, 413, answer[:200])
        self.assertEqual(json.loads(answer)["code"], "INVALID_ARGUMENT")
        self.assertTrue(timed_get(self.port, self.tok["platform"])[0])

    def test_header_deadline_and_idle_keep_alive(self):
        t = self.tok["platform"]
        timeouts_before = refused(self.judged, "header_timeout")
        results = {}

        def fresh_slow():
            # A header dripped from the connection's opening: cut within 5 s of the opening.
            s = socket.create_connection(("127.0.0.1", self.port), timeout=15)
            opened = time.monotonic()
            results["fresh"] = drip_until_closed(s, b"GET /v1/whoami HTTP/1.1\r\nHost: j\r\nX-Slow: " + b"s" * 100,
                                                 opened)

        def after_answer_slow():
            # The next request's header dripped after an answer: cut within 5 s of the answer.
            s = socket.create_connection(("127.0.0.1", self.port), timeout=15)
            s.sendall(request_bytes("GET", "/v1/whoami", t))
            r = Reader(s)
            status, _, _ = r.response(5)
            answered = time.monotonic()
            assert status == 200, status
            results["after"] = drip_until_closed(s, b"GET /v1/whoami HTTP/1.1\r\nHost: j\r\nX-Slow: " + b"s" * 100,
                                                 answered)

        def idle_after_answer():
            # Keep-alive with nothing more to say: closed after 5 s, not before.
            s = socket.create_connection(("127.0.0.1", self.port), timeout=15)
            s.sendall(request_bytes("GET", "/v1/whoami", t))
            r = Reader(s)
            r.response(5)
            answered = time.monotonic()
            closed = r.closed_within(12)
            results["idle"] = (time.monotonic() - answered) if closed else None
            s.close()

        def idle_fresh():
            s = socket.create_connection(("127.0.0.1", self.port), timeout=15)
            opened = time.monotonic()
            closed = Reader(s).closed_within(12)
            results["idle-fresh"] = (time.monotonic() - opened) if closed else None
            s.close()

        threads = [threading.Thread(target=f) for f in (fresh_slow, after_answer_slow, idle_after_answer, idle_fresh)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(30)
        for name in ("fresh", "after", "idle", "idle-fresh"):
            with self.subTest(connection=name):
                took = results.get(name)
                self.assertIsNotNone(took, "%s: still open after 12 s" % name)
                self.assertLess(took, HEADER_DEADLINE_S + 1.5, "%s: closed after %.1f s" % (name, took))
                if name.startswith("idle"):
                    self.assertGreater(took, IDLE_S - 0.5, "%s: closed after only %.1f s" % (name, took))
        self.assertGreaterEqual(refused(self.judged, "header_timeout") - timeouts_before, 2,
                                "judge_http_refused_total{reason=\"header_timeout\"} did not count them")
        self.assertTrue(timed_get(self.port, t)[0])


def drip_until_closed(sock, data, since, every=0.4):
    """Sends `data` a byte every `every` s until the peer closes; seconds from `since`, or None
    when it is still open after 12 s. Closes `sock` either way."""
    sock.setblocking(False)
    try:
        for i in range(int(12 / every)):
            try:
                if not sock.recv(4096):
                    return time.monotonic() - since
            except BlockingIOError:
                pass
            except OSError:
                return time.monotonic() - since
            try:
                sock.send(data[i % len(data):i % len(data) + 1])
            except BlockingIOError:
                pass
            except OSError:
                return time.monotonic() - since
            time.sleep(every)
        return None
    finally:
        sock.close()


class StreamLimitTest(unittest.TestCase):
    """Four event streams at most: 200 more are refused with 429 at once, and closed; the GETs
    go on."""

    @classmethod
    def setUpClass(cls):
        cls.judged = start_judged(["--http-max-streams", "4"])
        cls.port = cls.judged.http_port
        cls.tok = cls.judged.tokens

    @classmethod
    def tearDownClass(cls):
        cleanup_judged(cls.judged)

    def test_streams_past_the_limit_get_429_and_are_closed(self):
        # Four busy programs, ~1.5 s each on the one worker: the last stays queued for seconds.
        subs = [submit_http(self.port, self.tok["platform"], source=PY_BUSY + "# %d\n" % i) for i in range(4)]
        last = subs[-1]["id"]
        held = [open_stream(self.port, "GET", "/v1/submissions/%s/events" % last, self.tok["admin"]) for _ in range(4)]
        try:
            for c, r in held:
                self.assertEqual(r.status, 200)
                self.assertEqual(sse_events(r, limit=1)[0][0], "queued")
            streams_before = refused(self.judged, "streams")
            probe = GetProbe(self.port, self.tok["platform"], interval=0.05, timeout=1.0)
            slow, statuses, left_open = [], [], 0
            try:
                for i in range(200):
                    if i % 10 == 9:  # a live run is a stream too, refused before anything is queued
                        data = request_bytes("POST", "/v1/live", self.tok["interviewer"],
                                             body=json.dumps(live_body(PY_OK)).encode())
                    else:
                        data = request_bytes("GET", "/v1/submissions/%s/events" % last, self.tok["admin"])
                    s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                    try:
                        started = time.monotonic()
                        s.sendall(data)  # keep-alive asked for: judged closes anyway
                        r = Reader(s)
                        try:
                            status, headers, body = r.response(3.0)
                        except (OSError, ConnectionError):
                            status, body = None, b""
                        took = time.monotonic() - started
                        statuses.append(status)
                        if took > 1.0:
                            slow.append(took)
                        if status == 429 and not r.closed_within(1.0):
                            left_open += 1
                            self.assertLess(left_open, 5, "refused streams are left open (keep-alive)")
                        if status == 429:
                            self.assertEqual(json.loads(body)["code"], "RESOURCE_EXHAUSTED")
                    finally:
                        s.close()
            finally:
                ok, tries, worst = probe.stop()
            self.assertEqual(left_open, 0, "%d refused streams were left open" % left_open)
            self.assertEqual(statuses.count(429), 200, "not 429: %s" % [s for s in statuses if s != 429][:10])
            self.assertEqual(slow, [], "429s that took over a second")
            self.assertGreaterEqual(ok / max(1, tries), 0.95, "GETs during the refusals: %d of %d within 1 s "
                                                              "(slowest %.2f s)" % (ok, tries, worst))
            self.assertEqual(probe.statuses(), [200], "a GET was not answered 200")
            self.assertGreaterEqual(refused(self.judged, "streams") - streams_before, 200,
                                    "judge_http_refused_total{reason=\"streams\"} did not count them")
            # The held streams were not disturbed: one runs to its end.
            rest = sse_events(held[0][1])
            self.assertEqual(rest[-1][0], "finished")
            self.assertEqual(rest[-1][1]["submission"]["verdict"], "VERDICT_TIME_LIMIT_EXCEEDED")
        finally:
            for c, r in held:
                close_stream(c, r)


class StreamThreadsTest(unittest.TestCase):
    """An event stream costs no thread: 300 open streams leave judged's thread count where it
    was."""

    STREAMS = 300

    @classmethod
    def setUpClass(cls):
        raise_own_fd_limit()
        cls.judged = start_judged(["--http-max-streams", "1000", "--max-connections-per-peer", "1000"])
        cls.port = cls.judged.http_port
        cls.tok = cls.judged.tokens

    @classmethod
    def tearDownClass(cls):
        cleanup_judged(cls.judged)

    def test_streams_cost_no_thread(self):
        pid = self.judged.proc.pid
        subs = [submit_http(self.port, self.tok["platform"], source=PY_SLEEP % 2 + "# %d\n" % i) for i in range(6)]
        last = subs[-1]["id"]
        # judged starts some of its threads lazily (gRPC's, the sandbox's): the count at rest is
        # the one that holds still for a second, with judging under way.
        seen = []

        def settled():
            seen.append(proc_status(pid, "Threads"))
            return len(seen) > 5 and len(set(seen[-5:])) == 1
        poll(settled, 15, 0.25)
        threads_at_rest = seen[-1]
        held = []
        try:
            for _ in range(self.STREAMS):
                c, r = open_stream(self.port, "GET", "/v1/submissions/%s/events" % last, self.tok["admin"], timeout=30)
                self.assertEqual(r.status, 200)
                held.append((c, r))
            for _, r in held:
                self.assertEqual(sse_events(r, limit=1)[0][0], "queued")
            streams = metric(self.judged, "judge_http_connections")
            threads_open = proc_status(pid, "Threads")
            self.assertTrue(timed_get(self.port, self.tok["platform"])[0])
        finally:
            for c, r in held:
                close_stream(c, r)
        self.assertIsNotNone(streams, "judge_http_connections{state} is not exported")
        self.assertGreaterEqual(streams, self.STREAMS)
        # The door's threads do not grow with the streams, nor with --http-max-streams.
        self.assertLess(threads_open - threads_at_rest, 16,
                        "%d threads with %d streams open, %d at rest" % (threads_open, self.STREAMS, threads_at_rest))
        self.assertLess(threads_open, 200, "%d threads with --http-max-streams 1000" % threads_open)


class FairnessTest(unittest.TestCase):
    """One worker for everything: live runs first only while the oldest take-home submission has
    waited under 2 s; at most 4 live runs a key; a vanished client's run stopped within 1 s."""

    @classmethod
    def setUpClass(cls):
        cls.judged = start_judged(["--http-max-streams", "64"])
        cls.port = cls.judged.http_port
        cls.tok = cls.judged.tokens
        cls.channel = grpc.insecure_channel(cls.judged.address)
        cls.stub = rpc.JudgeServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cleanup_judged(cls.judged)

    def setUp(self):
        # Start from an idle worker: nothing queued, and a probe judged to its end.
        self.assertTrue(poll(lambda: metric(self.judged, "judge_queue_depth") == 0, 60, 0.1))
        sub = submit_http(self.port, self.tok["platform"], source=PY_OK + "# probe %f\n" % time.time())
        watch_to_end(self.port, self.tok["platform"], sub["id"])

    def time_to_start(self, sid, timeout=30):
        """Seconds from now until `sid`'s stream shows its judging has begun (COMPILING), and the
        stream's events to its end."""
        started = time.monotonic()
        c, r = open_stream(self.port, "GET", "/v1/submissions/%s/events" % sid, self.tok["platform"], timeout=timeout)
        try:
            head = sse_events(r, until="compiling")
            took = time.monotonic() - started
            return took, head + sse_events(r)
        finally:
            close_stream(c, r)

    def test_a_fifth_live_run_of_one_key_is_refused(self):
        held = []
        try:
            for i in range(LIVE_PER_KEY):
                c, r = open_stream(self.port, "POST", "/v1/live", self.tok["interviewer"],
                                   body=live_body(PY_BUSY + "# %d\n" % i))
                held.append((c, r))
                self.assertEqual(r.status, 200, r.read()[:200] if r.status != 200 else "")
                self.assertEqual(sse_events(r, limit=1)[0][0], "queued")
            c, r = open_stream(self.port, "POST", "/v1/live", self.tok["interviewer"], body=live_body(PY_OK), timeout=10)
            status = r.status
            body = r.read() if status != 200 else b"(a stream: the run was queued)"
            close_stream(c, r, reset=True)
            self.assertEqual(status, 429, body)
            self.assertEqual(json.loads(body)["code"], "RESOURCE_EXHAUSTED")
            with self.assertRaises(grpc.RpcError) as ctx:
                list(self.stub.RunLive(pb.RunLiveRequest(challenge_id="echo", language="python3", source=PY_OK),
                                       metadata=harness.metadata(self.tok["interviewer"]), timeout=10))
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
            # Another key is not held to this one's count.
            c, r = open_stream(self.port, "POST", "/v1/live", self.tok["admin"], body=live_body(PY_OK))
            self.assertEqual(r.status, 200)
            close_stream(c, r, reset=True)
        finally:
            for c, r in held:
                close_stream(c, r, reset=True)
        # The key's runs stop with their clients: it may start runs again within a second or so.
        def again():
            c, r = open_stream(self.port, "POST", "/v1/live", self.tok["interviewer"], body=live_body(PY_OK), timeout=10)
            close_stream(c, r, reset=True)
            return r.status == 200
        started = time.monotonic()
        self.assertTrue(poll(again, 5, 0.1), "the key's slots never came back")
        self.assertLess(time.monotonic() - started, LIVE_STOP_S + 1.0)

    def test_a_live_run_whose_client_left_is_stopped_within_a_second(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        sock.sendall(request_bytes("POST", "/v1/live", self.tok["interviewer"],
                                   body=json.dumps(live_body(PY_SLEEP % 2)).encode()))
        seen = b""
        while b"event: compiling" not in seen:
            more = sock.recv(4096)
            self.assertTrue(more, seen)
            seen += more
        sid = re.search(rb'"submissionId":\s*"([0-9a-z-]+)"', seen).group(1).decode()
        hard_close(sock)  # the tab closed
        closed = time.monotonic()

        def finished():
            status, got = http_call(self.port, "GET", "/v1/submissions/" + sid, self.tok["admin"])
            return got if got.get("state") == "SUBMISSION_STATE_FINISHED" else None
        got = poll(finished, 10, 0.05)
        took = time.monotonic() - closed
        self.assertIsNotNone(got, "the run never finished")
        self.assertEqual(got["verdict"], "VERDICT_CANCELLED", "it ran to its end (sleeps 2 s)")
        self.assertLess(took, LIVE_STOP_S + 0.5, "stopped %.2f s after its client left" % took)

    def test_abandoned_live_runs_do_not_hold_up_a_take_home_submission(self):
        accepted_before = counter(self.judged, "judge_submissions_total", verdict="ACCEPTED")
        for i in range(10):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s.sendall(request_bytes("POST", "/v1/live", self.tok["interviewer"],
                                    body=json.dumps(live_body(PY_SLEEP % 2 + "# %d\n" % i)).encode()))
            s.close()  # gone without reading a byte
        sub = submit_http(self.port, self.tok["platform"], source=PY_OK + "# after the abandoned\n")
        took, events = self.time_to_start(sub["id"])
        self.assertLess(took, TAKE_HOME_PRIORITY_S + 1.0, "the take-home submission started after %.2f s" % took)
        self.assertEqual(events[-1][1]["submission"]["verdict"], "VERDICT_ACCEPTED")
        # None of the abandoned runs was judged to its end.
        self.assertTrue(poll(lambda: metric(self.judged, "judge_queue_depth") == 0, 30, 0.1))
        self.assertEqual(counter(self.judged, "judge_submissions_total", verdict="ACCEPTED") - accepted_before, 1)

    def test_live_runs_go_first_for_two_seconds_at_most(self):
        # One key keeps four live runs going (~0.5 s each: one judged, three queued) ...
        stop = threading.Event()
        stats = {"finished": 0, "refused": 0, "errors": []}
        first_event = [threading.Event() for _ in range(LIVE_PER_KEY)]

        def keep_going(k):
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    c, r = open_stream(self.port, "POST", "/v1/live", self.tok["interviewer"],
                                       body=live_body(PY_SLEEP % 0.3 + "# %d %d\n" % (k, n)), timeout=30)
                    try:
                        if r.status == 429:  # a slot freed a moment after its last event
                            stats["refused"] += 1
                            stop.wait(0.05)
                            continue
                        if r.status != 200:
                            stats["errors"].append(r.status)
                            stop.wait(0.2)
                            continue
                        sse_events(r, limit=1)
                        first_event[k].set()
                        sse_events(r)
                        stats["finished"] += 1
                    finally:
                        close_stream(c, r)
                except (OSError, http.client.HTTPException, ValueError) as e:
                    stats["errors"].append(repr(e))
        keepers = [threading.Thread(target=keep_going, args=(k,), daemon=True) for k in range(LIVE_PER_KEY)]
        for th in keepers:
            th.start()
        try:
            self.assertTrue(all(e.wait(20) for e in first_event), stats)
            # ... and a take-home submission arrives: it waits 2 s at most, then the run in hand.
            # (The live runs stop by themselves after 12 s, so that a starving queue shows as a
            # long wait, not a hang.)
            sub = submit_http(self.port, self.tok["platform"], source=PY_OK + "# fair\n")
            give_up = threading.Timer(12.0, stop.set)
            give_up.start()
            took, events = self.time_to_start(sub["id"], timeout=60)
            give_up.cancel()
            live_done = stats["finished"]
        finally:
            stop.set()
            for th in keepers:
                th.join(30)
        self.assertEqual(stats["errors"], [])
        self.assertGreater(live_done, 2, "the live runs did not keep the worker busy: %s" % stats)
        self.assertLess(took, TAKE_HOME_PRIORITY_S + 1.5,
                        "a take-home submission waited %.2f s behind a stream of live runs" % took)
        self.assertEqual(events[-1][1]["submission"]["verdict"], "VERDICT_ACCEPTED")
        # The waits show in the metrics, per queue.
        for queue in ("live", "take_home"):
            for q in ("0.5", "0.99"):
                with self.subTest(queue=queue, quantile=q):
                    v = metric(self.judged, "judge_queue_wait_seconds", queue=queue, quantile=q)
                    self.assertIsNotNone(v, "judge_queue_wait_seconds{queue=%s,quantile=%s} is not exported"
                                         % (queue, q))
                    self.assertGreaterEqual(v, 0)
        self.assertLess(metric(self.judged, "judge_queue_wait_seconds", queue="take_home", quantile="0.99"),
                        TAKE_HOME_PRIORITY_S + 1.5)
        self.assertGreater(metric(self.judged, "judge_queue_wait_seconds", queue="live", quantile="0.99"), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
