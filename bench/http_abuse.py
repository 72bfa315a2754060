#!/usr/bin/python3
"""The HTTP door under abuse: the JSON API's GET rate while hostile connections are held
against it, as a share of the rate with none; and a clean GET's latency next to gRPC's.

For each kind of hostile connection and each level (default 100, 1,000 and 10,000 held at
once), a child process keeps that many connections open against the HTTP port from many
loopback addresses (127.0.0.2 and up, 40 a piece, as from many hosts; each level and round
from addresses not used before, so no penalty carries over), opening a new one whenever judged
closes one:
  idle       connects and sends nothing;
  slowloris  sends one byte of a never-ending header every 2 s;
  bomb       streams 8 KiB header lines as fast as judged reads them (the door cuts each at
             64 KiB with 431), through a 64 KiB send buffer as a network would bound it.
Meanwhile --clients processes, each on its own kept-alive connection from 127.0.0.1, GET
/v1/challenges, measured two ways, each for --seconds with the level held:
  saturating  as fast as answers come: the rate as a share of the clean rate. On one machine
              this also measures the machine: every bit of CPU the attacker and its packets
              take (a Python process here, on the same two cores) is CPU the clients and judged
              do not get;
  paced       --offered GETs a second in all (default half the clean rate), each due at a fixed
              time: the share answered (200) within --deadline-ms of when due, as a share of the
              same in the clean window. This is what a door under attack owes its users: the
              load they bring, served on time.
Goal: every level >= 95%. Then one kept-alive connection's GET p50 against gRPC ListChallenges'
p50 on one channel (goal: HTTP within 1.5x).

The hostile child runs at nice 19 by default (--hostile-nice), so that on one machine its own
CPU does not pass for the server's slowness (on a network it would run elsewhere); its CPU use
is shown per level. So is what holding the level costs judged itself: its CPU (share of one
core) over a window with the level held and no clean load (only when the bench starts judged).
Each level runs --rounds rounds (clean windows, windows under the level, cost window); the
median round's figures are shown, and every round's share.

  bench/http_abuse.py                       starts its own judged (build/bin/judged)
  bench/http_abuse.py --target 127.0.0.1:8080 --token T [--grpc 127.0.0.1:50051]
                      [--metrics 127.0.0.1:9090]      a judged already running
About 12 minutes with the defaults."""
import argparse
import heapq
import json
import multiprocessing
import os
import re
import resource
import select
import selectors
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

GOAL_SHARE = 0.95
GOAL_P50_RATIO = 1.5


def raise_fd_limit(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limit in ((max(want, hard), max(want, hard)), (hard, hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, limit)
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- the hostile side (a child process: `http_abuse.py --hostile KIND N HOST PORT`)

def hostile_main(kind, n, host, port, per_address, first_address):
    raise_fd_limit(n + 1024)
    loopback = host.startswith("127.")
    prefix = b"GET /v1/challenges HTTP/1.1\r\nHost: judge\r\n"
    unit = b"X-Bomb: " + b"b" * (8 << 10) + b"\r\n"
    chunk = unit * 4
    sel = selectors.DefaultSelector()
    conns, timers = {}, []
    stats = {"opened": 0, "cut": 0, "bytes": 0, "errors": 0, "answers": {}}
    seq = [0]

    def at(when, what, arg):
        seq[0] += 1
        heapq.heappush(timers, (when, seq[0], what, arg))

    def connect(i):
        s = socket.socket()
        s.setblocking(False)
        if kind == "bomb":
            # A bounded send buffer, as a network would bound it: on loopback the kernel grows it
            # to megabytes a connection, and this process spent a third of both cores copying
            # into buffers that judged's reset then threw away unread.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 << 10)
        try:
            if loopback:
                a = first_address + i // per_address
                s.bind(("127.%d.%d.%d" % (a // 62500 % 250, a // 250 % 250, 2 + a % 250), 0))
            s.connect_ex((host, port))
        except OSError:
            s.close()
            stats["errors"] += 1
            at(time.monotonic() + 0.5, "open", i)
            return
        c = {"s": s, "i": i, "sent": 0, "head": b""}
        conns[s.fileno()] = c
        sel.register(s, selectors.EVENT_READ | (selectors.EVENT_WRITE if kind == "bomb" else 0), c)
        stats["opened"] += 1
        if kind == "slowloris":
            at(time.monotonic() + 2.0 * (0.5 + (i % 10) / 10), "drip", c)

    def closed(c):
        s = c["s"]
        if conns.get(s.fileno()) is not c:
            return
        del conns[s.fileno()]
        sel.unregister(s)
        s.close()
        stats["cut"] += 1
        if c["head"]:
            line = c["head"].split(b"\r\n", 1)[0].decode("latin-1")[:40]
            stats["answers"][line] = stats["answers"].get(line, 0) + 1
        at(time.monotonic() + 0.2, "open", c["i"])

    def drip(c):
        s = c["s"]
        if conns.get(s.fileno()) is not c:
            return
        data = prefix + b"X-Slow: "
        try:
            s.send(data[c["sent"]:c["sent"] + 1] or b"s")
            c["sent"] += 1
        except BlockingIOError:
            pass
        except OSError:
            return closed(c)
        at(time.monotonic() + 2.0, "drip", c)

    def pump(c):
        s = c["s"]
        if c["sent"] < len(prefix):
            data = prefix[c["sent"]:] + chunk
        else:
            data = chunk[(c["sent"] - len(prefix)) % len(unit):]
        try:
            k = s.send(data)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return closed(c)
        c["sent"] += k
        stats["bytes"] += k

    for i in range(n):
        connect(i)
    print(json.dumps({"ready": stats["opened"]}), flush=True)
    while True:
        if select.select([sys.stdin], [], [], 0)[0]:
            break  # the parent closed our stdin: stop
        now = time.monotonic()
        while timers and timers[0][0] <= now:
            _, _, what, arg = heapq.heappop(timers)
            connect(arg) if what == "open" else drip(arg)
        timeout = 0.05 if not timers else max(0.0, min(0.05, timers[0][0] - now))
        for key, mask in sel.select(timeout):
            c = key.data
            if conns.get(key.fd) is not c:
                continue
            if mask & selectors.EVENT_READ:
                try:
                    data = c["s"].recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    closed(c)
                    continue
                c["head"] = (c["head"] + data)[:256]
            if mask & selectors.EVENT_WRITE and conns.get(key.fd) is c:
                pump(c)
    stats["open_at_end"] = len(conns)
    print(json.dumps(stats), flush=True)


class Hostile:
    """The child process, seen from the parent."""

    # Each hostile child takes addresses no earlier one used: an address's penalty (and its
    # doubling) from one level must not carry into the next, or a level would measure
    # connections held from the start instead of its own attack.
    next_address = 2

    def __init__(self, kind, n, host, port, nice, per_address=40):
        first = Hostile.next_address
        Hostile.next_address += (n + per_address - 1) // per_address
        cmd = [sys.executable, os.path.abspath(__file__), "--hostile", kind, str(n), host, str(port),
               "--per-address", str(per_address), "--first-address", str(first)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     preexec_fn=lambda: os.nice(nice))
        self.n = n

    def _line(self, timeout):
        if not select.select([self.proc.stdout], [], [], timeout)[0]:
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def ready(self, timeout=30):
        got = self._line(timeout)
        return got is not None and got.get("ready", 0) >= self.n * 0.95

    def cpu_seconds(self):
        return process_cpu(self.proc.pid)

    def stop(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        stats = self._line(30) or {}
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return stats


# --- the well-behaved side

class KeepAlive:
    """One kept-alive HTTP/1.1 connection doing GETs by hand (no client library in the way)."""

    def __init__(self, host, port, path, token):
        self.addr = (host, port)
        self.req = ("GET %s HTTP/1.1\r\nHost: judge\r\nAuthorization: Bearer %s\r\n\r\n" % (path, token)).encode()
        self.sock, self.buf = None, b""

    def _connect(self):
        self.sock = socket.create_connection(self.addr, timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def get(self):
        """The status of one GET; raises on a broken connection (then reconnects next time)."""
        if self.sock is None:
            self._connect()
        try:
            self.sock.sendall(self.req)
            while b"\r\n\r\n" not in self.buf:
                more = self.sock.recv(65536)
                if not more:
                    raise ConnectionError("closed")
                self.buf += more
            head, _, self.buf = self.buf.partition(b"\r\n\r\n")
            m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            length = int(m.group(1)) if m else 0
            while len(self.buf) < length:
                more = self.sock.recv(65536)
                if not more:
                    raise ConnectionError("closed mid-body")
                self.buf += more
            self.buf = self.buf[length:]
            return int(head.split(b" ", 2)[1])
        except (OSError, ValueError):
            self.close()
            raise

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def _connect_warm(host, port, token, start, window):
    """A client process's kept-alive connection, connected and warm before the window opens:
    (connection, errors so far, the window's end). Waits for every client (the window's end is
    set between the two waits)."""
    c = KeepAlive(host, port, "/v1/challenges", token)
    errors = 0
    try:
        c.get()
    except Exception:  # noqa: BLE001
        errors += 1
    start.wait()
    start.wait()
    return c, errors, window.value


def _client(start, window, out, host, port, token):
    """One client process as fast as answers come: GETs until the window ends."""
    c, errors, end = _connect_warm(host, port, token, start, window)
    count, lat = 0, []
    while True:
        t = time.perf_counter()
        if time.monotonic() >= end:
            break
        try:
            if c.get() == 200:
                count += 1
                lat.append(time.perf_counter() - t)
            else:
                errors += 1
        except Exception:  # noqa: BLE001
            errors += 1
            time.sleep(0.01)
    c.close()
    out.put((count, errors, lat))


def _paced_client(start, window, out, host, port, token, seconds, per_second, deadline):
    """One client process at a fixed pace: GET k is due at the window's start + k / per_second,
    sent then (or at once, when the answers fell behind), and on time when its answer arrives
    within `deadline` seconds of when it was due. Requests whose turn came and went unsent by
    the window's end count as late."""
    c, errors, end = _connect_warm(host, port, token, start, window)
    on_time, lateness = 0, []
    begin = end - seconds
    due_total = int(seconds * per_second)
    for k in range(due_total):
        due = begin + k / per_second
        now = time.monotonic()
        if now >= end:
            break
        if due > now:
            time.sleep(due - now)
        try:
            status = c.get()
        except Exception:  # noqa: BLE001
            errors += 1
            continue
        late = time.monotonic() - due
        lateness.append(late)
        if status == 200 and late <= deadline:
            on_time += 1
        elif status != 200:
            errors += 1
    c.close()
    out.put((on_time, due_total, errors, lateness))


def _run_clients(target, args, clients, seconds):
    """What each of `clients` processes running target(start, window, out, *args) reported for
    a window of `seconds` that opens once all are connected and warm. Processes, not threads:
    threads of one Python take turns at its lock, and that, not judged, set the pace."""
    ctx = multiprocessing.get_context("fork")
    start, window, out = ctx.Barrier(clients + 1), ctx.Value("d", 0.0), ctx.Queue()
    procs = [ctx.Process(target=target, args=(start, window, out) + args, daemon=True) for _ in range(clients)]
    for p in procs:
        p.start()
    start.wait()  # every client connected and warm
    window.value = time.monotonic() + seconds
    start.wait()
    results = [out.get(timeout=seconds + 30) for _ in procs]
    for p in procs:
        p.join(10)
    return results


def paced(host, port, token, seconds, clients, offered, deadline):
    """(share of the GETs due that were answered on time, errors, p99 lateness in seconds) of
    `clients` processes offering `offered` GETs a second in all."""
    results = _run_clients(_paced_client, (host, port, token, seconds, offered / clients, deadline),
                           clients, seconds)
    due = sum(r[1] for r in results)
    return (sum(r[0] for r in results) / due if due else 0, sum(r[2] for r in results),
            pct([x for r in results for x in r[3]], 0.99))


def rate(host, port, token, seconds, clients):
    """(requests a second, errors, p99 seconds) of `clients` processes, each on a kept-alive
    connection, as fast as answers come."""
    results = _run_clients(_client, (host, port, token), clients, seconds)
    return (sum(r[0] for r in results) / seconds, sum(r[1] for r in results),
            pct([x for r in results for x in r[2]], 0.99))


def process_cpu(pid):
    """CPU seconds (user and system) process `pid` has used so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def http_connections(metrics):
    if not metrics:
        return None
    try:
        text = urllib.request.urlopen("http://%s/metrics" % metrics, timeout=5).read().decode()
    except OSError:
        return None
    vals = [float(l.rsplit(" ", 1)[1]) for l in text.splitlines() if l.startswith("judge_http_connections")]
    return sum(vals) if vals else None


def drain(metrics, timeout=20):
    """Waits until judged has let go of the last level's connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = http_connections(metrics)
        if n is None:
            time.sleep(2)
            return
        if n <= 10:
            return
        time.sleep(0.25)


def latencies(host, port, token, grpc_target, calls):
    """[(name, p50 s, p99 s)] for HTTP GET on one kept-alive connection and gRPC on one channel."""
    out = []
    c = KeepAlive(host, port, "/v1/challenges", token)
    for _ in range(200):
        c.get()
    xs = []
    for _ in range(calls):
        t = time.perf_counter()
        c.get()
        xs.append(time.perf_counter() - t)
    c.close()
    out.append(("HTTP GET /v1/challenges (one kept-alive connection)", pct(xs, 0.5), pct(xs, 0.99)))
    if grpc_target:
        import grpc
        import harness
        pb, rpc = harness.load_stubs("/tmp/judge-bench-http-abuse-stubs")
        with grpc.insecure_channel(grpc_target) as ch:
            stub = rpc.JudgeServiceStub(ch)
            md = harness.metadata(token)
            for _ in range(200):
                stub.ListChallenges(pb.ListChallengesRequest(), metadata=md, timeout=5)
            ys = []
            for _ in range(calls):
                t = time.perf_counter()
                stub.ListChallenges(pb.ListChallengesRequest(), metadata=md, timeout=5)
                ys.append(time.perf_counter() - t)
        out.append(("gRPC ListChallenges (one channel)", pct(ys, 0.5), pct(ys, 0.99)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=4, help="measuring window per level (default 4)")
    ap.add_argument("--levels", default="100,1000,10000", help="hostile connections held at once (default "
                    "100,1000,10000)")
    ap.add_argument("--kinds", default="idle,slowloris,bomb", help="hostile kinds (default idle,slowloris,bomb)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds a level; its median counts (default 3)")
    ap.add_argument("--clients", type=int, default=4, help="well-behaved client processes (default 4)")
    ap.add_argument("--offered", type=float, default=0, help="GETs a second the paced clients offer in all "
                    "(default: half the clean rate measured at the start)")
    ap.add_argument("--deadline-ms", type=float, default=100, help="a paced GET is on time when answered "
                    "within this of when it was due (default 100)")
    ap.add_argument("--calls", type=int, default=2000, help="sequential calls for the p50s (default 2000)")
    ap.add_argument("--hostile-nice", type=int, default=19, help="nice of the hostile process (default 19)")
    ap.add_argument("--target", help="HOST:PORT of a running judged's HTTP door (default: start one)")
    ap.add_argument("--token", help="an API key for --target")
    ap.add_argument("--grpc", help="HOST:PORT of --target's gRPC port, for the p50 comparison")
    ap.add_argument("--metrics", help="HOST:PORT of --target's metrics (to wait for each level to drain)")
    ap.add_argument("--hostile", nargs=4, metavar=("KIND", "N", "HOST", "PORT"), help=argparse.SUPPRESS)
    ap.add_argument("--per-address", type=int, default=40, help=argparse.SUPPRESS)
    ap.add_argument("--first-address", type=int, default=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.hostile:
        kind, n, host, port = args.hostile
        return hostile_main(kind, int(n), host, int(port), args.per_address, args.first_address)

    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    for k in kinds:
        if k not in ("idle", "slowloris", "bomb"):
            ap.error("unknown kind %r" % k)
    need = max(levels + [0]) + args.clients + 200
    own = raise_fd_limit(need)
    if own < need:
        sys.exit("http_abuse.py: needs %d descriptors, the limit is %d (raise `ulimit -Hn`)" % (need, own))

    judged = None
    if args.target:
        if not args.token:
            ap.error("--target needs --token")
        host, port = args.target.rsplit(":", 1)
        port, token, grpc_target, metrics = int(port), args.token, args.grpc, args.metrics
        judged_pid = None
    else:
        import harness
        judged = harness.Judged(extra_args=["--workers", "1", "--rate-limit", "100000", "--http-listen", "127.0.0.1:0"])
        # Room for the biggest level beside the descriptors judging keeps (--fd-reserve): as
        # many as this process may have (judged raises its soft limit to its hard one).
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        if hard < max(levels + [0]) + 2048:
            sys.exit("http_abuse.py: judged would get %d descriptors, too few for %d connections and its "
                     "reserve (raise `ulimit -Hn`)" % (hard, max(levels)))
        judged.args = ["prlimit", "--nofile=%d:%d" % (hard, hard)] + judged.args
        judged.start()
        host, port, token = "127.0.0.1", judged.http_port, judged.tokens["platform"]
        grpc_target, metrics = judged.address, "127.0.0.1:%d" % judged.metrics_port
        judged_pid = judged.proc.pid
    try:
        print("HTTP door under abuse: GET /v1/challenges on %s:%d, %d clients on kept-alive connections, "
              "%g s a level" % (host, port, args.clients, args.seconds))
        print("hostile connections: from 127.0.0.2 and up (%d an address), nice %d\n"
              % (40, args.hostile_nice))
        rate(host, port, token, 1.0, args.clients)  # warm-up
        offered = args.offered
        if offered <= 0:
            offered = round(rate(host, port, token, args.seconds, args.clients)[0] / 2, -2)
        deadline = args.deadline_ms / 1e3
        print("paced: %d clients offering %.0f GETs a second in all; on time = answered within %g ms of "
              "when due\n" % (args.clients, offered, args.deadline_ms))
        # Each level is measured right after a clean window of its own, and compared with it: a
        # machine's load drifts over minutes (a build next door), a pair of windows barely.
        head = "%-10s %7s %9s %9s %9s %7s %8s   %-9s %8s %9s  %10s  %9s  %-14s  %8s %8s  %-9s %s" % (
            "hostile", "conns", "clean/s", "req/s", "of clean", "errors*", "p99 ms", "goal", "cut", "MB sent",
            "hostile CPU", "judged CPU", "rounds %", "paced", "late p99", "goal", "rounds %")
        print(head)
        print("-" * len(head))
        sys.stdout.flush()
        worst = worst_paced = None
        for kind in kinds:
            for n in levels:
                # Each round: a clean window, then one with the level held. The level's share
                # is its median round's: now and then something else on the host takes a
                # window's CPU (a clean window alone can swing by a third).
                rounds = []
                for _ in range(args.rounds):
                    clean, _, _ = rate(host, port, token, args.seconds, args.clients)
                    clean_paced, _, _ = paced(host, port, token, args.seconds, args.clients, offered, deadline)
                    hostile = Hostile(kind, n, host, port, args.hostile_nice)
                    ready = hostile.ready(60)
                    time.sleep(1.0)  # the first wave of cuts (bombs) and refusals settles
                    cpu0 = hostile.cpu_seconds()
                    got, err, p99 = rate(host, port, token, args.seconds, args.clients)
                    cpu = (hostile.cpu_seconds() - cpu0) / args.seconds
                    on_time, perr, late = paced(host, port, token, args.seconds, args.clients, offered, deadline)
                    stats = hostile.stop()
                    # What holding the level alone costs judged (no clean load): its own CPU.
                    cost = None
                    if judged_pid:
                        hostile = Hostile(kind, n, host, port, args.hostile_nice)
                        hostile.ready(60)
                        time.sleep(1.0)
                        c0, t0 = process_cpu(judged_pid), time.monotonic()
                        time.sleep(args.seconds)
                        cost = (process_cpu(judged_pid) - c0) / (time.monotonic() - t0)
                        hostile.stop()
                    rounds.append((got / clean if clean else 0, clean, got, err, p99, cpu, stats, ready, cost,
                                   on_time / clean_paced if clean_paced else 0, perr, late))
                    drain(metrics)
                by_paced = sorted(rounds, key=lambda r: r[9])
                pshare, perrs, late = by_paced[len(rounds) // 2][9], sum(r[10] for r in rounds), by_paced[len(rounds) // 2][11]
                rounds.sort(key=lambda r: r[0])
                share, clean, got, err, p99, cpu, stats, ready, cost = rounds[len(rounds) // 2][:9]
                worst = share if worst is None else min(worst, share)
                worst_paced = pshare if worst_paced is None else min(worst_paced, pshare)
                answers = ", ".join("%s x%d" % (a.split(" ", 1)[-1][:24], c)
                                    for a, c in sorted(stats.get("answers", {}).items(), key=lambda x: -x[1])[:2])
                print("%-10s %7d %9.0f %9.0f %8.0f%% %7d %8.2f   %-9s %8d %9.1f  %9.0f%%  %9s  %-14s  %7.0f%% %8.2f  %-9s %s%s%s" % (
                    kind, n, clean, got, 100 * share, sum(r[3] for r in rounds), p99 * 1e3, "ok" if share >= GOAL_SHARE else "BELOW",
                    stats.get("cut", 0), stats.get("bytes", 0) / 1e6, 100 * cpu,
                    "-" if cost is None else "%.0f%%" % (100 * cost),
                    "/".join("%.0f" % (100 * r[0]) for r in rounds),
                    100 * pshare, late * 1e3, ("ok" if pshare >= GOAL_SHARE else "BELOW") + ("" if not perrs else " err%d" % perrs),
                    "/".join("%.0f" % (100 * r[9]) for r in by_paced),
                    "" if ready else "  (not all connected)", ("  answers: " + answers) if answers else ""))
                sys.stdout.flush()
        if worst is not None:
            print("\nworst level, saturating clients: %.0f%% of the clean rate (goal >= %.0f%%)"
                  % (100 * worst, 100 * GOAL_SHARE))
            print("worst level, paced clients: %.0f%% of the clean on-time share (goal >= %.0f%%)"
                  % (100 * worst_paced, 100 * GOAL_SHARE))
        print()
        rows = latencies(host, port, token, grpc_target, args.calls)
        for name, p50, p99 in rows:
            print("%-54s p50 %7.3f ms   p99 %7.3f ms" % (name, p50 * 1e3, p99 * 1e3))
        if len(rows) == 2:
            ratio = rows[0][1] / rows[1][1]
            print("HTTP p50 / gRPC p50: %.2fx (goal <= %.1fx): %s" % (ratio, GOAL_P50_RATIO,
                                                                      "ok" if ratio <= GOAL_P50_RATIO else "ABOVE"))
    finally:
        if judged is not None:
            judged.cleanup()


if __name__ == "__main__":
    sys.exit(main())
