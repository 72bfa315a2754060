#!/usr/bin/python3
"""Requests per second a well-behaved client gets from judged while 0, 1, 100 and 10,000 hostile
connections are held open against it (issue 14).

The hostile side opens TCP connections that send nothing, from many loopback addresses
(127.0.0.2 and up, 90 a piece, as from many hosts), and opens a new one whenever judged closes
one, so that N are always open or being opened. The well-behaved client, on 127.0.0.1, calls
GetChallenge over one channel from 4 threads for a few seconds at each level.

  /usr/bin/python3 bench/abuse.py [--seconds 5] [--levels 1,100,10000]
Starts its own judged (build/bin/judged) with default flags on a free port."""
import argparse
import os
import resource
import selectors
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import grpc  # noqa: E402

import harness  # noqa: E402

pb, rpc = harness.load_stubs("/tmp/judge-bench-abuse-stubs")


class Hostile:
    """Keeps `n` idle connections open or opening until stopped."""

    def __init__(self, port, n):
        self.port, self.n = port, n
        self.stop = threading.Event()
        self.opened = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def connect(self, i, sel):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.bind(("127.0.0.%d" % (2 + (i // 90) % 250), 0))
            s.connect(("127.0.0.1", self.port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            return
        sel.register(s, selectors.EVENT_READ, i)
        self.opened += 1

    def run(self):
        sel = selectors.DefaultSelector()
        for i in range(self.n):
            self.connect(i, sel)
        while not self.stop.is_set():
            for key, _ in sel.select(timeout=0.2):
                s = key.fileobj
                try:
                    data = s.recv(1)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:  # judged closed it: open another in its place
                    sel.unregister(s)
                    s.close()
                    self.connect(key.data, sel)
        for key in list(sel.get_map().values()):
            key.fileobj.close()


def rate(address, token, seconds, threads=4):
    channel = grpc.insecure_channel(address)
    stub = rpc.JudgeServiceStub(channel)
    md = harness.metadata(token)
    stub.GetChallenge(pb.GetChallengeRequest(challenge_id="sql-null-trap"), metadata=md, timeout=5)
    counts, errors = [0] * threads, [0] * threads
    deadline = time.monotonic() + seconds

    def work(k):
        while time.monotonic() < deadline:
            try:
                stub.GetChallenge(pb.GetChallengeRequest(challenge_id="sql-null-trap"), metadata=md, timeout=5)
                counts[k] += 1
            except grpc.RpcError:
                errors[k] += 1

    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    channel.close()
    return sum(counts) / seconds, sum(errors)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--levels", default="1,100,10000")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    levels = [int(x) for x in args.levels.split(",")]
    if max(levels) + 500 > hard:
        sys.exit("abuse.py: needs %d descriptors, the hard limit is %d" % (max(levels) + 500, hard))
    judged = harness.Judged(extra_args=["--workers", "1"]).start()
    try:
        token = judged.tokens["platform"]
        clean, err = rate(judged.address, token, args.seconds)
        print("%-22s %10s %8s %8s" % ("hostile connections", "req/s", "of clean", "errors"))
        print("%-22s %10.0f %8s %8d" % ("0", clean, "100%", err))
        for n in levels:
            hostile = Hostile(judged.port, n)
            time.sleep(1.0)
            got, err = rate(judged.address, token, args.seconds)
            hostile.stop.set()
            hostile.thread.join()
            print("%-22s %10.0f %7.0f%% %8d   (%d hostile connects)" % (n, got, 100 * got / clean, err,
                                                                     hostile.opened))
            sys.stdout.flush()
            time.sleep(1.0)
    finally:
        judged.cleanup()


if __name__ == "__main__":
    main()
