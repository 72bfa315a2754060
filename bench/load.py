#!/usr/bin/env python3
"""Load generator for judged (issue: throughput and latency).

Starts its own judged (2 workers by default, temp data dir, free port), then from C concurrent
clients submits N ttl-lru-cache reference Python solutions and N sql-null-trap reference
solutions, each client watching its submission to the verdict. Runs the whole load twice and
prints, per run: submissions per second, p50/p99 from Submit to final verdict, the share of
worker time spent outside the candidate's own processes, and judged's resident memory idle and
after each run.

  bench/load.py [--per-challenge 200] [--clients 8] [--workers 2] [--runs 2]
Bounded: every request goes to 127.0.0.1 only; it stops by itself.
"""
import argparse
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import harness  # noqa: E402

import grpc  # noqa: E402


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-challenge", type=int, default=200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    pb, rpc = harness.load_stubs("/tmp/judge-load-stubs-%d" % os.getpid())
    jobs = [("ttl-lru-cache", "python3", harness.read("challenges/ttl-lru-cache/solutions/reference.py")),
            ("sql-null-trap", "sql", harness.read("challenges/sql-null-trap/solutions/reference.sql"))]
    judged = harness.Judged(extra_args=["--workers", str(args.workers), "--rate-limit", "100000",
                                        "--queue-limit", "100000"]).start()
    try:
        md = harness.metadata(judged.tokens["platform"])
        print("judged pid %d, %d workers; RSS idle: %d KiB" % (judged.proc.pid, args.workers,
                                                             rss_kib(judged.proc.pid)), flush=True)
        for run in range(1, args.runs + 1):
            work = []
            for i in range(args.per_challenge):
                for (ch, lang, src) in jobs:
                    # A comment makes every source distinct: each one is really compiled/checked.
                    marker = "# run %d sub %d\n" % (run, i) if lang == "python3" else "\n-- run %d sub %d\n" % (run, i)
                    work.append((ch, lang, src + marker))
            lock = threading.Lock()
            results = []  # (latency_s, judging_s, tests_wall_s, verdict)
            errors = []

            def client():
                channel = grpc.insecure_channel(judged.address)
                stub = rpc.JudgeServiceStub(channel)
                while True:
                    with lock:
                        if not work:
                            break
                        ch, lang, src = work.pop()
                    t0 = time.monotonic()
                    try:
                        s = stub.Submit(pb.SubmitRequest(challenge_id=ch, language=lang, source=src,
                                                         candidate_id="load"), metadata=md, timeout=60)
                        t_compile = None
                        final = None
                        for ev in stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=s.id), metadata=md):
                            if ev.state == pb.SUBMISSION_STATE_COMPILING and t_compile is None:
                                t_compile = time.monotonic()
                            if ev.state == pb.SUBMISSION_STATE_FINISHED:
                                final = ev.submission
                        t1 = time.monotonic()
                        tests_wall = sum(t.wall_ms for t in final.tests) / 1000.0
                        with lock:
                            results.append((t1 - t0, t1 - (t_compile or t0), tests_wall, final.verdict))
                    except grpc.RpcError as e:
                        with lock:
                            errors.append(str(e.code()))
                channel.close()

            start = time.monotonic()
            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - start
            lat = sorted(r[0] for r in results)
            judging = sum(r[1] for r in results)
            inside = sum(r[2] for r in results)
            accepted = sum(1 for r in results if r[3] == pb.VERDICT_ACCEPTED)
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            print("run %d: %d submissions (%d accepted, %d errors) in %.1f s = %.2f submissions/s; "
                  "latency p50 %.2f s, p99 %.2f s; outside the candidate's processes %.1f%% of worker time; "
                  "RSS after: %d KiB" % (run, len(results), accepted, len(errors), elapsed, len(results) / elapsed,
                                         statistics.median(lat), p99, 100.0 * (judging - inside) / judging,
                                         rss_kib(judged.proc.pid)), flush=True)
    finally:
        judged.cleanup()


if __name__ == "__main__":
    main()
