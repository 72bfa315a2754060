#!/usr/bin/env python3
"""The HTTP door against gRPC on the same judged: latency of GetSubmission and GetChallenge
over one kept-alive connection each, and the time from Submit to the final event through
WatchSubmission (gRPC) and through server-sent events (HTTP).

    bench/http_vs_grpc.py [--calls 2000]

Starts its own judged (build/bin/judged) on loopback ports.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import harness  # noqa: E402
import grpc  # noqa: E402

pb, rpc = harness.load_stubs("/tmp/judge-bench-stubs")
SQL = harness.read("challenges/sql-null-trap/solutions/reference.sql")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def report(name, xs):
    print("%-44s p50 %7.3f ms   p99 %7.3f ms   mean %7.3f ms" % (
        name, pct(xs, 0.5) * 1e3, pct(xs, 0.99) * 1e3, statistics.mean(xs) * 1e3))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--submissions", type=int, default=20)
    args = ap.parse_args()
    judged = harness.Judged(extra_args=["--workers", "2", "--rate-limit", "100000", "--http-listen", "127.0.0.1:0"]).start()
    try:
        token = judged.tokens["admin"]
        md = harness.metadata(token)
        stub = rpc.JudgeServiceStub(grpc.insecure_channel(judged.address))
        conn = http.client.HTTPConnection("127.0.0.1", judged.http_port)
        hdr = {"Authorization": "Bearer " + token}

        def http_get(path):
            conn.request("GET", path, headers=hdr)
            r = conn.getresponse()
            body = r.read()
            assert r.status == 200, body
            return json.loads(body)

        sub = stub.Submit(pb.SubmitRequest(challenge_id="sql-null-trap", language="sql", source=SQL,
                                           candidate_id="bench"), metadata=md)
        list(stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=sub.id), metadata=md))
        for name, fn in [
            ("gRPC GetSubmission", lambda: stub.GetSubmission(pb.GetSubmissionRequest(submission_id=sub.id), metadata=md)),
            ("HTTP GET /v1/submissions/{id}", lambda: http_get("/v1/submissions/" + sub.id)),
            ("gRPC GetChallenge", lambda: stub.GetChallenge(pb.GetChallengeRequest(challenge_id="ttl-lru-cache"), metadata=md)),
            ("HTTP GET /v1/challenges/{id}", lambda: http_get("/v1/challenges/ttl-lru-cache")),
        ]:
            for _ in range(100):
                fn()
            xs = []
            for _ in range(args.calls):
                t = time.perf_counter()
                fn()
                xs.append(time.perf_counter() - t)
            report(name, xs)

        def via_grpc():
            s = stub.Submit(pb.SubmitRequest(challenge_id="sql-null-trap", language="sql", source=SQL,
                                             candidate_id="bench"), metadata=md)
            list(stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=s.id), metadata=md))

        def via_http():
            c = http.client.HTTPConnection("127.0.0.1", judged.http_port)
            c.request("POST", "/v1/submissions", body=json.dumps({
                "challengeId": "sql-null-trap", "language": "sql", "source": SQL, "candidateId": "bench"}),
                headers=dict(hdr, **{"Content-Type": "application/json"}))
            s = json.loads(c.getresponse().read())
            c.request("GET", "/v1/submissions/%s/events" % s["id"], headers=hdr)
            r = c.getresponse()
            while r.readline():
                pass
            c.close()

        # Interleaved, so that both see the same machine (the engine measures references in
        # the background after the first submissions).
        runs = {"gRPC Submit + WatchSubmission to FINISHED": (via_grpc, []),
                "HTTP POST + event stream to finished": (via_http, [])}
        for _ in range(args.submissions):
            for fn, xs in runs.values():
                t = time.perf_counter()
                fn()
                xs.append(time.perf_counter() - t)
        for name, (_, xs) in runs.items():
            report(name, xs)
    finally:
        judged.cleanup()


if __name__ == "__main__":
    main()
