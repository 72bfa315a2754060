#!/usr/bin/env python3
"""Several nodes against one: throughput, forwarding and queueing latency (issue 17).

    bench/cluster_bench.py [--submissions 24] [--cpu 0.6] [--calls 1000]

1. Throughput: the same mix of the three challenges' references (SQL; the C++ TTL-LRU cache,
   compiled for each submission; the Python slow-query digest) through 1 judged without NATS, and
   through 3 cluster nodes on a local nats-server, every node held to --cpu CPUs by a cgroup v1
   CPU quota (boxes included). Clients spread submissions over the nodes (round robin).
2. The added latency of a forwarded GetSubmission and WatchSubmission (a finished submission):
   asked of its owner, and of another node.
3. Queueing: from Submit's answer to the first event of judging (an idle worker), through the
   local queue (no NATS) and through JetStream.

Starts its own nats-server and judged processes on loopback ports (build/bin/judged).
"""
import argparse
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
os.environ.setdefault("JUDGE_IT_TMP", "/tmp/judge-bench-stubs")
import cluster_test as ct  # noqa: E402
import harness  # noqa: E402
import grpc  # noqa: E402

pb = ct.pb
MIX = [("sql-null-trap", "sql", harness.read("challenges/sql-null-trap/solutions/reference.sql"), "-- %d\n"),
       ("ttl-lru-cache", "cpp", harness.read("challenges/ttl-lru-cache/solutions/reference.cc"), "// %d\n"),
       ("slow-query-digest", "python3", harness.read("challenges/slow-query-digest/solutions/reference.py"), "# %d\n")]
CPU_ROOT = "/sys/fs/cgroup/cpu"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def cpu_wrap(cpus):
    """argv -> argv that first moves the process into its own CPU-quota cgroup."""
    def wrap(name, argv):
        d = os.path.join(CPU_ROOT, "judge-bench-" + name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "cpu.cfs_period_us"), "w") as f:
            f.write("100000")
        with open(os.path.join(d, "cpu.cfs_quota_us"), "w") as f:
            f.write(str(int(cpus * 100000)))
        return ["sh", "-c", 'echo $$ > "%s/cgroup.procs" && exec "$@"' % d, "sh"] + argv
    return wrap


def throughput(stubs, md, n):
    """Submits n submissions (the mix, round robin over stubs) at once; returns (seconds, verdicts)."""
    ids = []
    start = time.monotonic()
    for i in range(n):
        # Every challenge through every node (each node owns, and so reports on, all three).
        challenge, language, source, comment = MIX[i % len(MIX)]
        stub = stubs[(i // len(MIX)) % len(stubs)]
        s = stub.Submit(pb.SubmitRequest(challenge_id=challenge, language=language, source=source + comment % i,
                                         candidate_id="bench-%d" % i), metadata=md, timeout=60)
        ids.append((stub, s.id))
    verdicts = []
    for stub, sid in ids:
        events = list(stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=sid), metadata=md, timeout=900))
        verdicts.append(events[-1].submission.verdict)
    return time.monotonic() - start, verdicts, ids


def cpu_seconds(pid):
    """A process's CPU time with its reaped children's (a node's boxes)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def warm(stubs, md, pids):
    """One of each challenge through each node, then until the nodes are quiet: an owner measures
    the reference it compares with after a first submission, in the background, and that work
    must not count."""
    throughput(stubs, md, len(MIX) * len(stubs))
    quiet = 0
    last = sum(cpu_seconds(p) for p in pids)
    while quiet < 3:
        time.sleep(1)
        now = sum(cpu_seconds(p) for p in pids)
        quiet = quiet + 1 if now - last < 0.05 else 0
        last = now


def queue_latency(stub, md, samples):
    xs = []
    source = MIX[0][2]
    for i in range(samples):
        s = stub.Submit(pb.SubmitRequest(challenge_id="sql-null-trap", language="sql", source=source + "-- q%d\n" % i,
                                         candidate_id="q"), metadata=md, timeout=30)
        t0 = time.monotonic()
        for e in stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=s.id), metadata=md, timeout=60):
            if e.state != pb.SUBMISSION_STATE_QUEUED:
                xs.append(time.monotonic() - t0)
                break
        # Let it finish before the next (an idle worker each time).
        list(stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=s.id), metadata=md, timeout=60))
    return xs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--submissions", type=int, default=24)
    ap.add_argument("--cpu", type=float, default=0.6)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    wrap = cpu_wrap(args.cpu)
    results = {}

    # --- one node, no NATS
    single = harness.Judged(extra_args=["--workers", str(args.workers), "--rate-limit", "1000"])
    single.args = wrap("single", single.args)
    single.start()
    try:
        stub = ct.rpc.JudgeServiceStub(grpc.insecure_channel(single.address))
        md = harness.metadata(single.tokens["platform"])
        warm([stub], md, [single.proc.pid])
        secs, verdicts, _ = throughput([stub], md, args.submissions)
        assert all(v == pb.VERDICT_ACCEPTED for v in verdicts), verdicts
        results["1 node"] = args.submissions / secs
        print("1 node (no NATS), %.1f CPU: %d submissions in %.1f s = %.3f/s" % (
            args.cpu, args.submissions, secs, results["1 node"]), flush=True)
        q_local = queue_latency(stub, md, 20)
    finally:
        single.cleanup()

    # --- three nodes on NATS
    c = ct.Cluster(3, workers=args.workers, wrap=wrap)
    try:
        stubs = [c.stub(n) for n in c.nodes]
        md = c.md()
        warm(stubs, md, [n.proc.pid for n in c.nodes])
        taken0 = [ct.metric(n, "judge_jobs_taken_total") for n in c.nodes]
        secs, verdicts, _ = throughput(stubs, md, args.submissions)
        assert all(v == pb.VERDICT_ACCEPTED for v in verdicts), verdicts
        taken = [ct.metric(n, "judge_jobs_taken_total") - t for n, t in zip(c.nodes, taken0)]
        results["3 nodes"] = args.submissions / secs
        print("3 nodes (NATS), %.1f CPU each: %d submissions in %.1f s = %.3f/s; jobs taken per node %s "
              "(%d in all: %d judged again after a lease ran out)" % (
                  args.cpu, args.submissions, secs, results["3 nodes"], taken, sum(taken),
                  sum(taken) - args.submissions), flush=True)
        print("speed-up: %.2fx (linear: 3x)" % (results["3 nodes"] / results["1 node"]), flush=True)
        q_cluster = queue_latency(stubs[0], md, 20)

        # Forwarding: a submission owned by node-1, asked of node-1 and of node-0, interleaved.
        owned = ct.submit(stubs[1], md, 1)
        ct.final(stubs[1], md, owned.id)
        req = pb.GetSubmissionRequest(submission_id=owned.id)
        wreq = pb.WatchSubmissionRequest(submission_id=owned.id)
        direct, forwarded, wdirect, wforwarded = [], [], [], []
        errors = {}

        def timed(xs, name, call):
            t0 = time.perf_counter()
            try:
                call()
                xs.append(time.perf_counter() - t0)
            except grpc.RpcError as e:
                errors.setdefault(name, []).append(e.details())
        for _ in range(args.calls):
            timed(direct, "Get at the owner", lambda: stubs[1].GetSubmission(req, metadata=md))
            timed(forwarded, "Get forwarded", lambda: stubs[0].GetSubmission(req, metadata=md))
        for _ in range(args.calls // 5):
            timed(wdirect, "Watch at the owner", lambda: list(stubs[1].WatchSubmission(wreq, metadata=md)))
            timed(wforwarded, "Watch forwarded", lambda: list(stubs[0].WatchSubmission(wreq, metadata=md)))
        for name, details in errors.items():
            print("%s: %d errors, e.g. %s" % (name, len(details), details[0]))
    finally:
        c.cleanup()
    for name, xs in (("GetSubmission at the owner", direct), ("GetSubmission forwarded", forwarded),
                     ("WatchSubmission (finished) at the owner", wdirect),
                     ("WatchSubmission (finished) forwarded", wforwarded),
                     ("Submit -> first judging event, local queue", q_local),
                     ("Submit -> first judging event, JetStream", q_cluster)):
        print("%-46s p50 %8.3f ms  p99 %8.3f ms" % (name, pct(xs, 0.5) * 1e3, pct(xs, 0.99) * 1e3))
    print("forwarding adds (p50): Get %.3f ms, Watch %.3f ms" % (
        (pct(forwarded, 0.5) - pct(direct, 0.5)) * 1e3, (pct(wforwarded, 0.5) - pct(wdirect, 0.5)) * 1e3))


if __name__ == "__main__":
    main()
