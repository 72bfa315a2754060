"""Under abuse judged keeps serving (label abuse): floods of idle, slow and half-open connections,
connect/close storms, retries under pressure, a candidate probing ids, bad transport input, a
host that breaks mid-judging, and SIGTERM under load. Every test checks that nothing acknowledged
is lost and that judged still serves afterwards. Flood sizes scale with this process's
descriptor limit; hostile connections come from other loopback addresses (127.0.0.2 and up) than
the well-behaved client (127.0.0.1), as they would from other hosts."""
import os
import resource
import socket
import subprocess
import threading
import time
import unittest
import urllib.request

import grpc

import harness

pb, rpc = harness.load_stubs(os.environ.get("JUDGE_IT_TMP", "/tmp/judge-it-stubs-%d" % os.getpid()))

PY_OK = "import sys\nsys.stdout.write(sys.stdin.read())\n"
ECHO_CHALLENGES = os.path.join(harness.ROOT, "tests", "integration", "challenges")
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def raise_own_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def hostile_socket(i, port):
    s = socket.socket()
    s.bind(("127.0.0.%d" % (2 + i % 200), 0))
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def metric(judged, name):
    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % judged.metrics_port, timeout=10).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


class FloodTest(unittest.TestCase):
    """judged with a small descriptor limit, so a flood reaches it in seconds."""

    @classmethod
    def setUpClass(cls):
        cls.own_limit = raise_own_fd_limit()
        # 1,400 descriptors: 1,024 reserved for judging, so at most 376 connections.
        cls.judged = harness.Judged(extra_args=["--workers", "1", "--handshake-timeout-ms", "1500",
                                                "--max-connections-per-peer", "50",
                                                "--idle-timeout-s", "2", "--rate-platform", "1000"],
                                    challenges=ECHO_CHALLENGES)
        cls.judged.args = ["prlimit", "--nofile=1400:1400"] + cls.judged.args
        cls.judged.start()
        cls.channel = grpc.insecure_channel(cls.judged.address)
        cls.stub = rpc.JudgeServiceStub(cls.channel)
        cls.md = harness.metadata(cls.judged.tokens["platform"])

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.judged.cleanup()

    def submit(self, n, stub=None):
        return (stub or self.stub).Submit(pb.SubmitRequest(challenge_id="echo", language="python3",
                                                           source=PY_OK + "# %d\n" % n, candidate_id="flood"),
                                          metadata=self.md, timeout=10)

    def final(self, sid):
        return list(self.stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=sid), metadata=self.md,
                                              timeout=60))[-1].submission

    def test_idle_connection_flood(self):
        flood = min(3000, self.own_limit - 300)
        port = self.judged.port
        socks = [hostile_socket(i, port) for i in range(flood)]
        try:
            # A fresh, well-behaved client is served within a second during the flood.
            started = time.monotonic()
            with grpc.insecure_channel(self.judged.address) as ch:
                stub = rpc.JudgeServiceStub(ch)
                during = self.submit(1, stub)
                stub.ListChallenges(pb.ListChallengesRequest(), metadata=self.md, timeout=1)
            self.assertLess(time.monotonic() - started, 1.5)
            self.assertEqual(self.final(during.id).verdict, pb.VERDICT_ACCEPTED)
            self.assertGreater(metric(self.judged, "judge_connections_refused_total"), 0)
        finally:
            for s in socks:
                s.close()
        # The idle ones are gone after the handshake timeout; judged still serves.
        deadline = time.monotonic() + 10
        while metric(self.judged, 'judge_connections{state="checking"}') > 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(metric(self.judged, 'judge_connections{state="checking"}'), 0)
        self.assertEqual(self.final(self.submit(2).id).verdict, pb.VERDICT_ACCEPTED)

    def test_slowloris_and_half_open_handshakes(self):
        port = self.judged.port
        slow = [hostile_socket(i, port) for i in range(40)]
        time.sleep(0.1)
        for s in slow:
            try:
                s.send(PREFACE[:10])  # half a preface, then nothing
            except OSError:
                pass
        # A connection that completes the preface and then says nothing more is closed by the
        # idle bound (2 s here) after gRPC takes it.
        quiet = socket.create_connection(("127.0.0.1", port))
        quiet.sendall(PREFACE + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")  # an empty SETTINGS frame
        with grpc.insecure_channel(self.judged.address) as ch:
            rpc.JudgeServiceStub(ch).ListChallenges(pb.ListChallengesRequest(), metadata=self.md, timeout=1)
        quiet.settimeout(15)
        closed_at = time.monotonic()
        try:
            while quiet.recv(4096):
                pass
        except (ConnectionResetError, socket.timeout):
            pass
        self.assertLess(time.monotonic() - closed_at, 12, "an idle HTTP/2 connection was kept open")
        for s in slow:
            s.setblocking(True)
            s.settimeout(5)
            try:
                self.assertEqual(s.recv(1), b"")  # closed by judged, not by us
            except ConnectionResetError:
                pass
            s.close()
        self.assertGreaterEqual(metric(self.judged, 'judge_connections_refused_total{reason="no_preface"}'), 40)
        # Slowloris on the HTTP endpoint: idle clients do not hold up a scrape for long.
        idle = [socket.create_connection(("127.0.0.1", self.judged.metrics_port)) for _ in range(20)]
        started = time.monotonic()
        metric(self.judged, "judge_queue_depth")
        self.assertLess(time.monotonic() - started, 2.5)
        for s in idle:
            s.close()

    def test_connect_close_cycles_leave_no_descriptors(self):
        baseline = open_fds(self.judged.proc.pid)
        cycles = 10000
        for i in range(cycles):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.connect(("127.0.0.1", self.judged.port))
            s.close()
        deadline = time.monotonic() + 10
        while open_fds(self.judged.proc.pid) > baseline + 5 and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertLessEqual(open_fds(self.judged.proc.pid), baseline + 5)
        self.assertEqual(self.final(self.submit(3).id).verdict, pb.VERDICT_ACCEPTED)


class PressureTest(unittest.TestCase):
    """Retries under queue-full and rate limit, per-role limits, a candidate probing ids."""

    @classmethod
    def setUpClass(cls):
        cls.judged = harness.Judged(extra_args=["--workers", "1", "--queue-limit", "2", "--rate-platform", "2",
                                                "--rate-candidate", "0.05"],
                                    challenges=ECHO_CHALLENGES)
        # A key of its own with rate=1000 in the keys file.
        cls.judged.tokens["fast"] = "fast-platform-token-for-the-abuse-test"
        import hashlib
        with open(os.path.join(cls.judged.workdir, "keys"), "a") as f:
            f.write("%s platform rate=1000\n" % hashlib.sha256(cls.judged.tokens["fast"].encode()).hexdigest())
        cls.judged.start()
        cls.channel = grpc.insecure_channel(cls.judged.address)
        cls.stub = rpc.JudgeServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.judged.cleanup()

    def req(self, n, request_id="", candidate="p", source=None):
        return pb.SubmitRequest(challenge_id="echo", language="python3", candidate_id=candidate,
                                source=source or ("import time\ntime.sleep(1)\n" + PY_OK + "# %d\n" % n),
                                request_id=request_id)

    def test_retries_under_pressure_and_role_rates(self):
        md = harness.metadata(self.judged.tokens["platform"])
        first = self.stub.Submit(self.req(0, "attempt-0"), metadata=md)
        # Fill the rate limit (burst of 10 s at 2/s: 20) and the queue (2 waiting).
        refused = None
        for i in range(1, 40):
            try:
                self.stub.Submit(self.req(i), metadata=md)
            except grpc.RpcError as e:
                refused = e
                break
        self.assertIsNotNone(refused)
        self.assertEqual(refused.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        # The retry of the acknowledged Submit still gets its submission back.
        again = self.stub.Submit(self.req(0, "attempt-0"), metadata=md)
        self.assertEqual(again.id, first.id)
        # The same request_id with another source is a conflict, named as such.
        with self.assertRaises(grpc.RpcError) as ctx:
            self.stub.Submit(self.req(99, "attempt-0"), metadata=md)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.ALREADY_EXISTS)
        self.assertIn("source", ctx.exception.details())
        # A candidate key: a few a minute (burst of 3 here).
        cmd = harness.metadata(self.judged.tokens["candidate"])
        codes = []
        for i in range(5):
            try:
                self.stub.Submit(self.req(100 + i, candidate="cand-1", source=PY_OK + "# c%d\n" % i), metadata=cmd)
                codes.append("OK")
            except grpc.RpcError as e:
                codes.append(e.code().name)
        self.assertIn("RESOURCE_EXHAUSTED", codes)
        # The key with rate=1000 of its own is not held to the platform default.
        fmd = harness.metadata(self.judged.tokens["fast"])
        for i in range(25):
            try:
                self.stub.Submit(self.req(200 + i, candidate="f"), metadata=fmd)
            except grpc.RpcError as e:
                self.assertIn("queue is full", e.details())  # never the rate limit
        # Nothing acknowledged is lost.
        self.assertEqual(self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=first.id),
                                                 metadata=md).id, first.id)

    def test_candidate_probing_ids_learns_nothing(self):
        pmd = harness.metadata(self.judged.tokens["admin"])
        other = self.stub.Submit(self.req(300, candidate="cand-9", source=PY_OK + "# other\n"), metadata=pmd)
        # An interviewer's live run made with the candidate's own id.
        imd = harness.metadata(self.judged.tokens["interviewer"])
        live = list(self.stub.RunLive(pb.RunLiveRequest(challenge_id="echo", language="python3", source=PY_OK,
                                                        candidate_id="cand-1", use_custom_stdin=True,
                                                        custom_stdin="1 2"), metadata=imd))[-1].submission
        cmd = harness.metadata(self.judged.tokens["candidate"])
        made_up = other.id[:-4] + ("0000" if not other.id.endswith("0000") else "0001")
        details = {}
        for name, sid in (("other", other.id), ("live", live.id), ("made-up", made_up)):
            with self.assertRaises(grpc.RpcError) as ctx:
                self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=sid), metadata=cmd)
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.NOT_FOUND, name)
            details[name] = ctx.exception.details().replace(sid, "ID")
            with self.assertRaises(grpc.RpcError) as ctx:
                list(self.stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=sid), metadata=cmd))
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.NOT_FOUND, name)
        self.assertEqual(len(set(details.values())), 1, details)  # indistinguishable
        listed = self.stub.ListSubmissions(pb.ListSubmissionsRequest(), metadata=cmd).submissions
        self.assertNotIn(live.id, [s.id for s in listed])

    def test_bad_transport_input_gets_a_reason(self):
        md = harness.metadata(self.judged.tokens["platform"])
        call = self.channel.unary_unary("/judge.v1.JudgeService/Submit")

        def field(number, data):
            out, n = bytes([(number << 3) | 2]), len(data)
            while True:
                out += bytes([(n & 0x7F) | (0x80 if n >> 7 else 0)])
                n >>= 7
                if not n:
                    return out + data
        nums = {f.name: f.number for f in pb.SubmitRequest.DESCRIPTOR.fields}
        raw = (field(nums["challenge_id"], b"echo") + field(nums["language"], b"python3")
               + field(nums["source"], b"print(1)\xff\n") + field(nums["candidate_id"], b"u"))
        with self.assertRaises(grpc.RpcError) as ctx:
            call(raw, metadata=md)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("source is not valid UTF-8", ctx.exception.details())
        with self.assertRaises(grpc.RpcError) as ctx:
            self.stub.ListChallenges(pb.ListChallengesRequest(), metadata=harness.metadata("x" * 20000))
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("bytes", ctx.exception.details())
        self.stub.ListChallenges(pb.ListChallengesRequest(), metadata=md)  # still serving


class HostFailureTest(unittest.TestCase):
    """The host breaks while judging (the compile cache's disk is full: ENOSPC): the grading is
    retried, then INTERNAL_ERROR, and judged again by itself once space is back."""

    def test_enospc_is_retried_then_rejudged(self):
        judged = harness.Judged(extra_args=["--workers", "1", "--host-retries", "1", "--rejudge-delay-ms", "1500"],
                                challenges=ECHO_CHALLENGES)
        cache = os.path.join(judged.data_dir, "cache")
        os.makedirs(cache)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", cache], check=True)
        try:
            judged.start()
            filler = os.path.join(cache, "filler")
            subprocess.run(["dd", "if=/dev/zero", "of=" + filler, "bs=64k"], capture_output=True)  # to the last byte
            with grpc.insecure_channel(judged.address) as ch:
                stub = rpc.JudgeServiceStub(ch)
                md = harness.metadata(judged.tokens["platform"])
                sub = stub.Submit(pb.SubmitRequest(challenge_id="echo", language="python3", source=PY_OK + "#" * 4000,
                                                   candidate_id="h"), metadata=md)
                judged.wait_for_log(r"submission=%s attempt 1 failed on the host" % sub.id, timeout=30)
                judged.wait_for_log(r"submission=%s internal error" % sub.id, timeout=30)
                os.unlink(filler)  # the cause is gone
                judged.wait_for_log(r"submission=%s judged again" % sub.id, timeout=30)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    got = stub.GetSubmission(pb.GetSubmissionRequest(submission_id=sub.id), metadata=md)
                    if got.state == pb.SUBMISSION_STATE_FINISHED and got.verdict == pb.VERDICT_ACCEPTED:
                        break
                    time.sleep(0.2)
                self.assertEqual(got.verdict, pb.VERDICT_ACCEPTED)
        finally:
            judged.cleanup()
            subprocess.run(["umount", "-l", cache])


class ShutdownTest(unittest.TestCase):
    """SIGTERM under load: new work refused at once, nothing acknowledged lost, the rest judged
    at the next start; GetSubmission shows the progress while judging."""

    def test_sigterm_under_load(self):
        workdir = None
        judged = harness.Judged(extra_args=["--workers", "1", "--live-workers", "0", "--shutdown-grace-s", "1",
                                            "--rate-platform", "1000"], challenges=ECHO_CHALLENGES)
        workdir = judged.workdir
        judged.start()
        md = harness.metadata(judged.tokens["platform"])
        slow = "import time\ntime.sleep(0.5)\n" + PY_OK
        acked = []
        with grpc.insecure_channel(judged.address) as ch:
            stub = rpc.JudgeServiceStub(ch)
            for i in range(12):
                acked.append(stub.Submit(pb.SubmitRequest(challenge_id="echo", language="python3",
                                                          source=slow + "# %d\n" % i, candidate_id="s"),
                                         metadata=md).id)
            # While the first is judged, GetSubmission says so, as the stream does.
            deadline = time.monotonic() + 30
            state = None
            while time.monotonic() < deadline:
                state = stub.GetSubmission(pb.GetSubmissionRequest(submission_id=acked[0]), metadata=md).state
                if state in (pb.SUBMISSION_STATE_COMPILING, pb.SUBMISSION_STATE_RUNNING):
                    break
                time.sleep(0.02)
            self.assertIn(state, (pb.SUBMISSION_STATE_COMPILING, pb.SUBMISSION_STATE_RUNNING))
            judged.proc.send_signal(15)
            judged.wait_for_log(r"signal 15: shutting down")
            with self.assertRaises(grpc.RpcError) as ctx:
                stub.Submit(pb.SubmitRequest(challenge_id="echo", language="python3", source=PY_OK,
                                             candidate_id="s"), metadata=md, timeout=5)
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(judged.proc.wait(timeout=60), 0)
        # The next start judges whatever was left; every acknowledged submission ends ACCEPTED.
        again = harness.Judged(workdir=workdir, tokens=judged.tokens, extra_args=["--workers", "2"],
                               challenges=ECHO_CHALLENGES).start()
        try:
            with grpc.insecure_channel(again.address) as ch:
                stub = rpc.JudgeServiceStub(ch)
                for sid in acked:
                    final = list(stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=sid), metadata=md,
                                                      timeout=120))[-1].submission
                    self.assertEqual(final.verdict, pb.VERDICT_ACCEPTED, sid)
        finally:
            again.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
