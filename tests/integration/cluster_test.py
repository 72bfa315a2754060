"""Cluster tests: a local nats-server with JetStream and three judged nodes on loopback.

Each test starts its own NATS and nodes (fresh streams), so the tests are independent:
forwarded reads with the roles enforced; submissions through one entry point judged on every
node; kill -9 of a worker and of an owner; idempotent Submit through different nodes; NATS
restarted mid-load; a node without NATS refusing Submit; a stopped peer failing fast; mutual
TLS between the nodes and to NATS, and clients posing as nodes refused; an interview session
created through one node and held through another (its pad, a run in it, notes, the end).
"""
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import json
import threading
import time
import unittest
import urllib.request

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from sessions_test import Http, Pad, change, text_of  # noqa: E402

pb, rpc = harness.load_stubs(os.environ.get("JUDGE_IT_TMP", "/tmp/judge-it-stubs-%d" % os.getpid()))
NATS_SERVER = shutil.which("nats-server") or "/usr/bin/nats-server"
SQL = "sql-null-trap"
ACCEPTED_SQL = harness.read("challenges/sql-null-trap/solutions/reference.sql")
WRONG_SQL = harness.read("challenges/sql-null-trap/solutions/wrong-not-in-null.sql")
# Submissions in the load test (the figure is 300; JUDGE_CLUSTER_LOAD changes it).
LOAD = int(os.environ.get("JUDGE_CLUSTER_LOAD", "300"))


free_port = harness.free_port


class Nats:
    def __init__(self, workdir, tls=None):
        self.dir = os.path.join(workdir, "nats")
        self.port = free_port()
        self.url = "nats://127.0.0.1:%d" % self.port
        self.proc = None
        # (ca, cert, key): TLS only, and only clients with a certificate the CA signed.
        self.tls_args = ["--tlsverify", "--tlscacert", tls[0], "--tlscert", tls[1], "--tlskey", tls[2]] if tls else []

    def start(self):
        self.log = open(self.dir + ".log", "a")
        self.proc = subprocess.Popen([NATS_SERVER, "-js", "-sd", self.dir, "-a", "127.0.0.1", "-p", str(self.port)]
                                     + self.tls_args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.log.close()


class Cluster:
    """NATS plus `n` judged nodes sharing one keys file (same tokens everywhere)."""

    def __init__(self, n=3, workers=1, extra_args=(), wrap=None, mtls=False):
        self.workdir = tempfile.mkdtemp(prefix="judge-cluster-")
        os.chmod(self.workdir, 0o711)
        # How the nodes know each other's forwarded calls: a shared secret, or mutual TLS with
        # one CA (then clients reach the nodes over TLS too).
        self.creds = None
        nats_tls = None
        if mtls:
            # NATS too: TLS with client certificates of the same CA.
            ca, _, cert, key = harness.ca_signed_cert(self.workdir, "node")
            self.ca = ca
            nats_tls = (ca, cert, key)
            with open(ca, "rb") as f:
                self.creds = grpc.ssl_channel_credentials(root_certificates=f.read())
            trust = ["--tls-cert", cert, "--tls-key", key, "--peer-ca", ca, "--peer-cert", cert, "--peer-key", key,
                     "--nats-ca", ca, "--nats-cert", cert, "--nats-key", key]
        else:
            secret = os.path.join(self.workdir, "cluster-secret")
            with open(secret, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
            trust = ["--cluster-secret-file", secret]
        extra_args = trust + list(extra_args)
        self.nats = Nats(self.workdir, tls=nats_tls).start()
        self.tokens = None
        self.nodes = []
        self.extra_args = list(extra_args)
        self.workers = workers
        self.wrap = wrap  # (node id, argv) -> argv, e.g. to start a node in a CPU cgroup
        for i in range(n):
            self.nodes.append(self.start_node("node-%d" % i))
        self.wait_for_members(len(self.nodes))

    def start_node(self, node_id, data_dir=None, port=None, tweak=None):
        """Starts a node (on `port` if given and still free); `tweak(node)` may change its args.
        A port taken between choosing and listening is replaced by another: the node's address
        is whatever it advertises."""
        for attempt in range(5):
            node = self.make_node(node_id, data_dir=data_dir, port=port if attempt == 0 else None)
            if tweak:
                tweak(node)
            try:
                return node.start()
            except RuntimeError as e:
                node.cleanup_process_only()
                if "Address already in use" not in str(e) or attempt == 4:
                    raise

    def make_node(self, node_id, data_dir=None, port=None):
        port = port or free_port()
        workdir = os.path.join(self.workdir, node_id)
        os.makedirs(workdir, exist_ok=True)
        node = harness.Judged(workdir=workdir, tokens=self.tokens, data_dir=data_dir,
                              extra_args=["--nats", self.nats.url, "--node-id", node_id,
                                          "--advertise", "127.0.0.1:%d" % port, "--workers", str(self.workers),
                                          "--rate-limit", "1000", "--node-ttl-s", "3", "--lease-s", "5",
                                          "--peer-timeout-ms", "1000", "--rejudge-delay-ms", "500"] + self.extra_args)
        node.args[node.args.index("--listen") + 1] = "127.0.0.1:%d" % port
        node.node_id = node_id
        if self.wrap:
            node.args = self.wrap(node_id, node.args)
        self.tokens = node.tokens
        return node

    def restart(self, node):
        again = self.start_node(node.node_id, data_dir=node.data_dir, port=node.port)
        self.nodes[self.nodes.index(node)] = again
        return again

    def stub(self, node):
        if self.creds:
            return rpc.JudgeServiceStub(grpc.secure_channel(node.address, self.creds))
        return rpc.JudgeServiceStub(grpc.insecure_channel(node.address))

    def md(self, role="platform"):
        return harness.metadata(self.tokens[role])

    def wait_for_members(self, n, timeout=30):
        """Until a ListSubmissions fan-out from every node reaches n nodes (membership is up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(metric(node, "judge_cluster_nodes") >= n for node in self.nodes if node.proc.poll() is None):
                return
            time.sleep(0.1)
        raise RuntimeError("the nodes did not see each other")

    def cleanup(self):
        for node in self.nodes:
            try:
                node.cleanup()
            except Exception:  # noqa: BLE001 - a node killed by the test
                pass
        self.nats.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def metric(node, name):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % node.metrics_port, timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return 0.0


def submit(stub, md, i, source=ACCEPTED_SQL, candidate=None, request_id=None, timeout=30):
    return stub.Submit(pb.SubmitRequest(challenge_id=SQL, language="sql", source=source + "\n-- %d\n" % i,
                                        candidate_id=candidate or "cand-%d" % (i % 5),
                                        request_id=request_id or ""), metadata=md, timeout=timeout)


def final(stub, md, sid, timeout=300):
    events = list(stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=sid), metadata=md, timeout=timeout))
    return events


class ClusterTest(unittest.TestCase):
    def setUp(self):
        self.cluster = None

    def tearDown(self):
        if self.cluster:
            self.cluster.cleanup()

    def test_any_node_answers_for_any_owner_with_roles_enforced(self):
        c = self.cluster = Cluster(3)
        a, b, cc = c.nodes
        md = c.md()
        # Submitted through B and C (so owned by them), as candidate cand-1 and cand-2.
        on_b = submit(c.stub(b), c.md("candidate"), 1, candidate="cand-1")
        on_c = submit(c.stub(cc), c.md("candidate2"), 2, source=WRONG_SQL, candidate="cand-2")
        self.assertTrue(on_b.id.endswith(".node-1"), on_b.id)
        self.assertTrue(on_c.id.endswith(".node-2"), on_c.id)
        sa = c.stub(a)
        # Watched through A: the owner's events, FINISHED last with the verdict.
        events = final(sa, md, on_b.id)
        self.assertEqual(events[-1].state, pb.SUBMISSION_STATE_FINISHED)
        self.assertEqual(events[-1].submission.verdict, pb.VERDICT_ACCEPTED)
        self.assertGreater(sum(1 for e in events if e.state == pb.SUBMISSION_STATE_RUNNING), 3)
        self.assertEqual(final(sa, md, on_c.id)[-1].submission.verdict, pb.VERDICT_WRONG_ANSWER)
        # Forwarded watches one after another (each a stream to the owner) all answer: once,
        # a forwarded watch left a gRPC thread of A waiting and A stalled after three.
        for _ in range(40):
            events = list(sa.WatchSubmission(pb.WatchSubmissionRequest(submission_id=on_b.id),
                                             metadata=md, timeout=10))
            self.assertEqual([e.state for e in events], [pb.SUBMISSION_STATE_FINISHED])
        got = sa.GetSubmission(pb.GetSubmissionRequest(submission_id=on_c.id), metadata=md)
        self.assertEqual(got.verdict, pb.VERDICT_WRONG_ANSWER)
        self.assertTrue(got.source.startswith(WRONG_SQL[:20]))
        report = sa.GetReport(pb.GetReportRequest(submission_id=on_b.id), metadata=c.md("interviewer"))
        self.assertEqual(report.submission.id, on_b.id)
        # Listing through A merges every node's, newest first.
        listed = sa.ListSubmissions(pb.ListSubmissionsRequest(), metadata=md)
        self.assertEqual([s.id for s in listed.submissions], [on_c.id, on_b.id])
        # Roles, forwarded exactly as local: cand-1 reads its own through A but cand-2's is NOT_FOUND;
        # a candidate gets no report; cand-1's listing through A has its own only.
        mine = sa.GetSubmission(pb.GetSubmissionRequest(submission_id=on_b.id), metadata=c.md("candidate"))
        self.assertEqual(mine.id, on_b.id)
        for call in (lambda: sa.GetSubmission(pb.GetSubmissionRequest(submission_id=on_c.id), metadata=c.md("candidate")),
                     lambda: list(sa.WatchSubmission(pb.WatchSubmissionRequest(submission_id=on_c.id),
                                                     metadata=c.md("candidate")))):
            with self.assertRaises(grpc.RpcError) as err:
                call()
            self.assertEqual(err.exception.code(), grpc.StatusCode.NOT_FOUND)
        with self.assertRaises(grpc.RpcError) as err:
            sa.GetReport(pb.GetReportRequest(submission_id=on_b.id), metadata=c.md("candidate"))
        self.assertEqual(err.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        with self.assertRaises(grpc.RpcError) as err:
            sa.GetSubmission(pb.GetSubmissionRequest(submission_id=on_b.id), metadata=[("authorization", "Bearer nope")])
        self.assertEqual(err.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        # A client posing as a node (an assertion for the admin's key, without the cluster's
        # secret) is refused by the owner, whatever token it also sends.
        posing = c.md("candidate") + harness.forged_peer_metadata(b.address, c.tokens["admin"], mac="0" * 64)
        with self.assertRaises(grpc.RpcError) as err:
            c.stub(b).GetSubmission(pb.GetSubmissionRequest(submission_id=on_c.id), metadata=posing)
        self.assertEqual(err.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("not signed with this cluster's secret", err.exception.details())
        own = sa.ListSubmissions(pb.ListSubmissionsRequest(), metadata=c.md("candidate"))
        self.assertEqual([s.id for s in own.submissions], [on_b.id])
        # A candidate's view through A hides hidden test names, as on the owner.
        self.assertTrue(all(t.name.startswith("hidden-") or t.name.startswith("sample")
                            for t in mine.tests), [t.name for t in mine.tests])

    def test_load_spreads_over_every_node_and_pages_merge(self):
        c = self.cluster = Cluster(3)
        entry = c.stub(c.nodes[0])
        md = c.md()
        ids = []
        for i in range(LOAD):
            ids.append(submit(entry, md, i, source=ACCEPTED_SQL if i % 3 else WRONG_SQL).id)
        self.assertTrue(all(i.endswith(".node-0") for i in ids))
        for i, sid in enumerate(ids):
            s = final(entry, md, sid)[-1].submission
            self.assertEqual(s.verdict, pb.VERDICT_ACCEPTED if i % 3 else pb.VERDICT_WRONG_ANSWER, sid)
        taken = [metric(n, "judge_jobs_taken_total") for n in c.nodes]
        print("jobs taken per node:", taken, file=sys.stderr)
        self.assertEqual(sum(taken), LOAD)  # each exactly once: no lease ran out
        for t in taken:
            self.assertGreater(t, LOAD * 0.15, taken)
        # Paging through another node: every submission once, newest first.
        seen, token = [], ""
        while True:
            page = c.stub(c.nodes[2]).ListSubmissions(pb.ListSubmissionsRequest(page_size=37, page_token=token),
                                                      metadata=md)
            seen += [s.id for s in page.submissions]
            token = page.next_page_token
            if not token:
                break
        self.assertEqual(seen, list(reversed(ids)))

    def test_kill_a_worker_and_an_owner(self):
        c = self.cluster = Cluster(3, extra_args=["--http-listen", "127.0.0.1:0"])
        a, b, cc = c.nodes
        md = c.md()
        owned_by_a = [submit(c.stub(a), md, i).id for i in range(24)]
        # B dies (kill -9) while judging A's jobs: its leases run out, others judge them.
        b.wait_for_log(r"taken from the shared queue", count=2)
        b.kill9()
        errors, calls = self._reads_during(lambda: [final(c.stub(a), md, sid) for sid in owned_by_a], c, a)
        for sid in owned_by_a:
            got = c.stub(cc).GetSubmission(pb.GetSubmissionRequest(submission_id=sid), metadata=md)
            self.assertEqual(got.verdict, pb.VERDICT_ACCEPTED, sid)
        print("reads during the worker's outage: %d errors in %d calls" % (errors, calls), file=sys.stderr)
        self.assertEqual(errors, 0)
        # Exactly once in the record: the owner recorded one verdict per submission, although
        # the jobs B held were judged twice.
        for sid in owned_by_a:
            recorded = [l for l in a.log_lines if ("submission=%s challenge=" % sid) in l]
            self.assertEqual(len(recorded), 1, recorded)
        self.assertEqual(c.nodes[1].proc.returncode, -9)

        # The owner A dies while C judges its jobs: results wait in A's stream and apply at restart.
        more = [submit(c.stub(a), md, 100 + i, source=WRONG_SQL).id for i in range(10)]
        # Watches through C of the last of them (still queued behind the others), over gRPC and
        # over the JSON API's event stream, are open when A dies.
        watch = c.stub(cc).WatchSubmission(pb.WatchSubmissionRequest(submission_id=more[-1]), metadata=md,
                                           timeout=60)
        self.assertNotEqual(next(watch).state, pb.SUBMISSION_STATE_FINISHED, "the watch must be open when A dies")
        sse = urllib.request.urlopen(urllib.request.Request(
            "http://127.0.0.1:%d/v1/submissions/%s/events" % (cc.http_port, more[-1]),
            headers={"Authorization": "Bearer " + c.tokens["platform"]}), timeout=60)
        self.assertTrue(sse.readline().startswith(b"id: 1"))
        a.kill9()
        # Both end at once with the reason rather than waiting for events that never come.
        with self.assertRaises(grpc.RpcError) as err:
            for e in watch:
                self.assertNotEqual(e.state, pb.SUBMISSION_STATE_FINISHED)
        self.assertEqual(err.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertRegex(err.exception.details(), r"kept by node node-0, which stopped answering .* watch again")
        blocks = sse.read().decode().split("\n\n")
        sse.close()
        error = [b for b in blocks if b.startswith("event: error")]
        self.assertEqual(len(error), 1, blocks)
        self.assertIn('"code":"UNAVAILABLE"', error[0])
        self.assertIn("kept by node node-0", error[0])
        restarted_b = c.restart(c.nodes[1])  # B back too (its store and id)
        with self.assertRaises(grpc.RpcError) as err:
            c.stub(cc).GetSubmission(pb.GetSubmissionRequest(submission_id=more[0]), metadata=md, timeout=5)
        self.assertEqual(err.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertIn("node-0", err.exception.details())
        # C keeps serving its own meanwhile.
        own = submit(c.stub(cc), md, 200)
        self.assertEqual(final(c.stub(cc), md, own.id)[-1].submission.verdict, pb.VERDICT_ACCEPTED)
        restarted_b.wait_for_log(r"taken from the shared queue|verdict=", count=1)
        back = c.restart(c.nodes[0])
        for sid in more:
            self.assertEqual(final(c.stub(back), md, sid)[-1].submission.verdict, pb.VERDICT_WRONG_ANSWER, sid)
        for sid in owned_by_a:  # nothing acknowledged before the crash is lost
            got = c.stub(back).GetSubmission(pb.GetSubmissionRequest(submission_id=sid), metadata=md)
            self.assertEqual(got.verdict, pb.VERDICT_ACCEPTED)

    def _reads_during(self, work, c, node):
        """Runs `work` while a reader hammers GetSubmission/ListSubmissions on `node`; counts errors."""
        stop = threading.Event()
        counts = {"errors": 0, "calls": 0}
        probe = submit(c.stub(node), c.md(), 999)

        def reader():
            stub = c.stub(node)
            while not stop.is_set():
                counts["calls"] += 1
                try:
                    stub.GetSubmission(pb.GetSubmissionRequest(submission_id=probe.id), metadata=c.md(), timeout=5)
                except grpc.RpcError:
                    counts["errors"] += 1
                time.sleep(0.02)
        t = threading.Thread(target=reader)
        t.start()
        try:
            work()
        finally:
            stop.set()
            t.join()
        return counts["errors"], counts["calls"]

    def test_idempotent_submit_through_different_nodes(self):
        c = self.cluster = Cluster(3)
        md = c.md()
        first = submit(c.stub(c.nodes[0]), md, 7, request_id="retry-me")
        for node in c.nodes[1:]:
            again = submit(c.stub(node), md, 7, request_id="retry-me")
            self.assertEqual(again.id, first.id)
        # The same request id with other content is refused, naming the submission.
        with self.assertRaises(grpc.RpcError) as err:
            submit(c.stub(c.nodes[2]), md, 8, request_id="retry-me")
        self.assertEqual(err.exception.code(), grpc.StatusCode.ALREADY_EXISTS)
        self.assertIn(first.id, err.exception.details())
        # Concurrent retries through all three nodes: one submission.
        ids, threads = [], []
        for node in c.nodes:
            t = threading.Thread(target=lambda n=node: ids.append(submit(c.stub(n), md, 9, request_id="race").id))
            threads.append(t)
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(ids), 3)
        self.assertEqual(len(set(ids)), 1, ids)
        listed = c.stub(c.nodes[1]).ListSubmissions(pb.ListSubmissionsRequest(page_size=100), metadata=md)
        self.assertEqual(len(listed.submissions), 2)

    def test_nats_restart_mid_load_and_a_node_without_nats(self):
        c = self.cluster = Cluster(3)
        md = c.md()
        entry = c.stub(c.nodes[0])
        acked = [submit(entry, md, i).id for i in range(20)]
        c.nats.stop()
        # Without NATS no node takes new work it cannot queue: UNAVAILABLE, with the reason.
        with self.assertRaises(grpc.RpcError) as err:
            submit(entry, md, 50, timeout=10)
        self.assertEqual(err.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertIn("NATS", err.exception.details())
        # Its own submissions stay readable, and so do the other nodes' (through it), past the
        # membership TTL: without NATS the last known addresses serve.
        entry.GetSubmission(pb.GetSubmissionRequest(submission_id=acked[0]), metadata=md)
        elsewhere = c.stub(c.nodes[1])
        time.sleep(3.5)  # the node TTL (3 s in these tests) passes without a heartbeat
        got = elsewhere.GetSubmission(pb.GetSubmissionRequest(submission_id=acked[0]), metadata=md)
        self.assertEqual(got.id, acked[0])
        c.nats.start()
        deadline = time.monotonic() + 30
        while True:
            try:
                acked.append(submit(entry, md, 60).id)
                break
            except grpc.RpcError:
                self.assertLess(time.monotonic(), deadline, "Submit still refused after NATS came back")
                time.sleep(0.2)
        for sid in acked:  # nothing acknowledged was lost
            self.assertEqual(final(entry, md, sid)[-1].submission.verdict, pb.VERDICT_ACCEPTED, sid)

    def test_a_challenge_imported_through_one_node_is_judged_on_every_node(self):
        # Imported through node 0 (a zip over gRPC); shared through JetStream, so node 1 serves
        # it and its workers judge it; a node started afterwards fetches it; a new version
        # reaches the others.
        import io
        import zipfile
        c = self.cluster = Cluster(2, workers=1)
        md = c.md()
        pkg = os.path.join(harness.ROOT, "tests", "fixtures", "packages", "sum-split")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for root, _, files in os.walk(pkg):
                for f in files:
                    z.write(os.path.join(root, f), os.path.join("sum-split", os.path.relpath(os.path.join(root, f), pkg)))
        data = buf.getvalue()

        def do_import(node, challenge_id=""):
            chunk = pb.ImportChallengeChunk(data=data, challenge_id=challenge_id, file_name="sum-split.zip")
            return c.stub(node).ImportChallenge(iter([chunk]), metadata=md, timeout=300)

        resp = do_import(c.nodes[0])
        self.assertTrue(resp.verified)
        right = "a, b = map(int, input().split())\nprint(b, a)\n"
        detail = c.stub(c.nodes[1]).GetChallenge(pb.GetChallengeRequest(challenge_id="sum-split"),
                                                 metadata=md, timeout=30)
        self.assertEqual(detail.summary.title, "Split the sum")
        # Many submissions through node 1: both nodes' workers judge them.
        ids = [c.stub(c.nodes[1]).Submit(pb.SubmitRequest(challenge_id="sum-split", language="python3",
                                                          source=right + "# %d\n" % i, candidate_id="c%d" % i),
                                         metadata=md, timeout=30).id for i in range(6)]
        for sid in ids:
            self.assertEqual(final(c.stub(c.nodes[0]), md, sid)[-1].submission.verdict, pb.VERDICT_ACCEPTED)
        self.assertGreater(metric(c.nodes[0], "judge_jobs_taken_total"), 0)
        self.assertGreater(metric(c.nodes[1], "judge_jobs_taken_total"), 0)
        # Version 2 through node 1; a submission through node 0 is judged on it.
        self.assertEqual(do_import(c.nodes[1], "sum-split").version, 2)
        # Node 0 is told of it (JetStream delivers the new record).
        deadline = time.monotonic() + 30
        while c.stub(c.nodes[0]).GetChallenge(pb.GetChallengeRequest(challenge_id="sum-split"),
                                              metadata=md, timeout=30).summary.version < 2:
            self.assertLess(time.monotonic(), deadline, "node 0 never had version 2")
            time.sleep(0.05)
        s = c.stub(c.nodes[0]).Submit(pb.SubmitRequest(challenge_id="sum-split", language="python3",
                                                       source=right, candidate_id="v2"), metadata=md, timeout=30)
        done = final(c.stub(c.nodes[0]), md, s.id)[-1].submission
        self.assertEqual((done.verdict, done.challenge_version), (pb.VERDICT_ACCEPTED, 2))

    def test_a_job_longer_than_its_lease_is_judged_once(self):
        # Known-slow Python: its big tests run to the time limit, so judging takes several leases
        # (5 s in these tests); the worker renews its lease and no other node takes the job.
        c = self.cluster = Cluster(3)
        md = c.md()
        slow = harness.read("challenges/ttl-lru-cache/solutions/tle-linear-lru.py")
        start = time.monotonic()
        s = c.stub(c.nodes[0]).Submit(pb.SubmitRequest(challenge_id="ttl-lru-cache", language="python3",
                                                       source=slow, candidate_id="slow"), metadata=md)
        verdict = final(c.stub(c.nodes[1]), md, s.id)[-1].submission.verdict
        took = time.monotonic() - start
        self.assertEqual(verdict, pb.VERDICT_TIME_LIMIT_EXCEEDED)
        self.assertGreater(took, 2 * 5, "judging must outlast the lease for this test to mean anything")
        self.assertEqual(sum(metric(n, "judge_jobs_taken_total") for n in c.nodes), 1)

    def test_the_clusters_queue_is_bounded(self):
        # --queue-limit bounds the shared queue (queued or being judged, all nodes together):
        # beyond it Submit is RESOURCE_EXHAUSTED and nothing is kept.
        c = self.cluster = Cluster(1, extra_args=["--queue-limit", "2"])
        md = c.md()
        slow = "import time\ntime.sleep(60)\n"  # each test runs to its wall-clock limit, idle
        stub = c.stub(c.nodes[0])

        def submit_slow(i):
            return stub.Submit(pb.SubmitRequest(challenge_id="ttl-lru-cache", language="python3", source=slow,
                                                candidate_id="slow-%d" % i), metadata=md)
        kept = [submit_slow(i).id for i in range(2)]
        with self.assertRaises(grpc.RpcError) as err:
            submit_slow(2)
        self.assertEqual(err.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("the cluster's queue is full (2 submissions", err.exception.details())
        listed = stub.ListSubmissions(pb.ListSubmissionsRequest(), metadata=md)
        self.assertEqual(sorted(s.id for s in listed.submissions), sorted(kept))
        c.nodes[0].kill9()  # rather than wait for the sleepers to be judged

    def test_a_stopped_peer_fails_fast(self):
        c = self.cluster = Cluster(3)
        md = c.md()
        on_b = submit(c.stub(c.nodes[1]), md, 1)
        final(c.stub(c.nodes[0]), md, on_b.id)
        os.kill(c.nodes[1].proc.pid, signal.SIGSTOP)
        try:
            for call in (lambda: c.stub(c.nodes[0]).GetSubmission(
                             pb.GetSubmissionRequest(submission_id=on_b.id), metadata=md, timeout=20),
                         lambda: list(c.stub(c.nodes[0]).WatchSubmission(
                             pb.WatchSubmissionRequest(submission_id=on_b.id), metadata=md, timeout=20))):
                start = time.monotonic()
                with self.assertRaises(grpc.RpcError) as err:
                    call()
                elapsed = time.monotonic() - start
                self.assertEqual(err.exception.code(), grpc.StatusCode.UNAVAILABLE)
                self.assertIn("did not answer", err.exception.details())
                self.assertLess(elapsed, 3.0)
        finally:
            os.kill(c.nodes[1].proc.pid, signal.SIGCONT)

    def test_mutual_tls_between_nodes_and_to_nats(self):
        c = self.cluster = Cluster(2, mtls=True)
        a, b = c.nodes
        md = c.md()
        # NATS takes TLS with a client certificate only (so the nodes, which work, use both).
        with socket.create_connection(("127.0.0.1", c.nats.port), timeout=5) as s:
            info = s.recv(4096).decode()
        self.assertIn('"tls_required":true', info)
        self.assertIn('"tls_verify":true', info)
        on_b = submit(c.stub(b), md, 1, source=WRONG_SQL)
        # Forwarded over TLS with A's client certificate, which B's CA check accepts.
        self.assertEqual(final(c.stub(a), md, on_b.id)[-1].submission.verdict, pb.VERDICT_WRONG_ANSWER)
        got = c.stub(a).GetSubmission(pb.GetSubmissionRequest(submission_id=on_b.id), metadata=md)
        self.assertEqual(got.verdict, pb.VERDICT_WRONG_ANSWER)
        listed = c.stub(a).ListSubmissions(pb.ListSubmissionsRequest(), metadata=md)
        self.assertEqual([s.id for s in listed.submissions], [on_b.id])
        # A client over TLS but without a node's certificate cannot pose as a node.
        posing = c.md("candidate") + harness.forged_peer_metadata(b.address, c.tokens["admin"])
        with self.assertRaises(grpc.RpcError) as err:
            c.stub(b).GetSubmission(pb.GetSubmissionRequest(submission_id=on_b.id), metadata=posing)
        self.assertEqual(err.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("without a client certificate", err.exception.details())
        # A node started with another --lease-s and --queue-limit joins, and sets the shared lease
        # and bound, rather than failing to subscribe to the job queue.
        def tweak(node):
            node.args[node.args.index("--lease-s") + 1] = "7"
            node.args += ["--queue-limit", "500"]
        third = c.start_node("node-2", tweak=tweak)
        c.nodes.append(third)
        third.wait_for_log(r"the lease of jobs on every node is now 7 s \(it was 5 s\)")
        third.wait_for_log(r"stream JUDGE_JOBS now holds at most 500 messages \(it was 1000\)")
        c.wait_for_members(3)
        # A certificate from another CA does not even get a connection.
        _, _, rogue_cert, rogue_key = harness.ca_signed_cert(c.workdir, "rogue")
        with open(c.ca, "rb") as ca, open(rogue_cert, "rb") as cert, open(rogue_key, "rb") as key:
            creds = grpc.ssl_channel_credentials(root_certificates=ca.read(), private_key=key.read(),
                                                 certificate_chain=cert.read())
        with grpc.secure_channel(b.address, creds) as channel:
            with self.assertRaises(grpc.RpcError) as err:
                rpc.JudgeServiceStub(channel).GetSubmission(pb.GetSubmissionRequest(submission_id=on_b.id),
                                                            metadata=posing, timeout=10)
            self.assertEqual(err.exception.code(), grpc.StatusCode.UNAVAILABLE)


    def test_a_session_created_on_one_node_is_held_through_another(self):
        c = self.cluster = Cluster(2, extra_args=["--http-listen", "127.0.0.1:0"])
        a, b = c.nodes
        ia, ib = c.md("interviewer"), c.md("interviewer")
        sa, sb = c.stub(a), c.stub(b)
        s = sa.CreateSession(pb.CreateSessionRequest(challenge_id=SQL, candidate_id="cand-1", language="sql",
                                                     document="SELECT 1;\n"), metadata=ia)
        self.assertTrue(s.id.endswith(".node-0"), s.id)
        try:
            # The interviewer on A, the candidate through B: one pad.
            interviewer = Pad(a.http_port, s.id, c.tokens["interviewer"])
            candidate = Pad(b.http_port, s.id, c.tokens["candidate"])
            interviewer.welcome()
            candidate.welcome()
            self.assertEqual(candidate.doc, interviewer.doc)
            candidate.insert(lambda doc: len(doc) // 2, "-- typed through node-1\n")
            interviewer.next_updates()
            self.assertEqual(text_of(interviewer.doc), "SELECT 1;\n-- typed through node-1\n")
            interviewer.edit(lambda doc: change(len(doc) // 2, 0, len("SELECT 1;"), ACCEPTED_SQL.strip()))
            candidate.next_updates()
            self.assertEqual(candidate.doc, interviewer.doc)
            for stub in (sa, sb):
                got = stub.GetSession(pb.GetSessionRequest(session_id=s.id), metadata=ib)
                self.assertEqual(got.document, text_of(interviewer.doc))
                self.assertEqual(sorted(got.participants), ["candidate", "interviewer"])
            # The candidate's run, asked of B, runs beside the pad on A: both pads see it, and
            # it is on the timeline whichever node is asked.
            status, events = Http(b.http_port).live(c.tokens["candidate"], {
                "challengeId": SQL, "language": "sql", "source": text_of(candidate.doc), "sessionId": s.id})
            self.assertEqual(status, 200, events)
            done = events[-1][1]["submission"]
            self.assertEqual(done["verdict"], "VERDICT_ACCEPTED")
            self.assertTrue(done["id"].endswith(".node-0"), done["id"])
            for pad in (interviewer, candidate):
                pad.take(lambda f: f.get("event", {}).get("state") == "SUBMISSION_STATE_FINISHED", type="run")
            timeline = sb.GetSessionTimeline(pb.GetSessionTimelineRequest(session_id=s.id), metadata=ib).events
            self.assertIn(done["id"], [e.run_started for e in timeline])
            self.assertIn(done["id"], [e.run_finished.id for e in timeline if e.HasField("run_finished")])
            # Notes through B are kept on A, and never reach the candidate through either node.
            sb.SetSessionNotes(pb.SetSessionNotesRequest(session_id=s.id, notes="knew the NULL trap"), metadata=ib)
            self.assertEqual(sa.GetSession(pb.GetSessionRequest(session_id=s.id), metadata=ia).notes,
                             "knew the NULL trap")
            for stub in (sa, sb):
                seen = stub.GetSession(pb.GetSessionRequest(session_id=s.id), metadata=c.md("candidate"))
                self.assertEqual(seen.notes, "")
                # Another candidate learns nothing, through either node.
                with self.assertRaises(grpc.RpcError) as err:
                    stub.GetSession(pb.GetSessionRequest(session_id=s.id), metadata=c.md("candidate2"))
                self.assertEqual(err.exception.code(), grpc.StatusCode.NOT_FOUND)
            other = Pad(b.http_port, s.id, c.tokens["candidate2"])
            self.assertEqual(other.take(type="error")["code"], "NOT_FOUND")
            self.assertTrue(other.wait_closed())
            # Listed through either node; another session on B merges in, newest first.
            s2 = sb.CreateSession(pb.CreateSessionRequest(challenge_id=SQL, candidate_id="cand-1"), metadata=ib)
            self.assertTrue(s2.id.endswith(".node-1"), s2.id)
            for stub in (sa, sb):
                listed = stub.ListSessions(pb.ListSessionsRequest(candidate_id="cand-1"), metadata=ib)
                self.assertEqual([x.id for x in listed.sessions], [s2.id, s.id])
            # Ended through B: the candidate's pad, reached through B, hears it and closes.
            sb.EndSession(pb.EndSessionRequest(session_id=s.id), metadata=ib)
            candidate.take(type="ended")
            self.assertTrue(candidate.wait_closed())
            self.assertEqual(sa.GetSession(pb.GetSessionRequest(session_id=s.id), metadata=ia).state,
                             pb.SESSION_STATE_ENDED)
            # The pad over gRPC, as a client that speaks gRPC (and as the nodes do): read-only now.
            hello = pb.PadFrame(json='{"type":"hello","session":"%s","version":-1}' % s.id)
            through = threading.Event()

            def requests():
                yield hello
                through.wait(20)  # the client stays on until the judge's last frame
            frames = []
            for f in sb.JoinPad(requests(), metadata=ia, timeout=20):
                frames.append(f)
                if f.last:
                    break
            through.set()
            self.assertEqual(json.loads(frames[0].json)["type"], "welcome")
            self.assertEqual(json.loads(frames[0].json)["doc"], text_of(interviewer.doc))
            self.assertTrue(frames[-1].last)
            self.assertEqual(json.loads(frames[-1].json)["type"], "ended")
        finally:
            for pad in Pad.opened:
                pad.drop()
            Pad.opened.clear()

if __name__ == "__main__":
    unittest.main()
