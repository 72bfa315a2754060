#!/usr/bin/env python3
"""Soak: constant mixed load on one judged for MINUTES, sampling what must level off.

    bench/soak.py MINUTES [--sample-s 30] [--clients 3] [--csv FILE]

Starts its own judged (build/bin/judged) and keeps it busy with: every challenge's reference in
every language (take-home, through Submit and Watch), hostile programs (a fork bomb, a memory
hog, an endless loop, a blocked syscall), interviewers' live runs (tests and custom input), and
watchers that vanish after their first event. Every --sample-s it records judged's RSS, open
descriptors and threads, the RocksDB directory's size, and the memory cgroups the kernel still
holds (live ones, and dying ones: removed but not yet freed, counted from /proc/cgroups against
the directories that exist). At the end it prints the series and, for each measure, the growth
over the last half of the run against the first half: a leak grows on; a cache levels off.
"""
import argparse
import csv
import glob
import os
import random
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import harness  # noqa: E402
import grpc  # noqa: E402

pb, rpc = harness.load_stubs("/tmp/judge-soak-stubs")
EXT = {"c": "c", "cpp": "cc", "python3": "py", "sql": "sql", "java": "java", "javascript": "js",
       "typescript": "ts", "go": "go", "rust": "rs"}
HOSTILE = [
    ("ttl-lru-cache", "python3", "import os\nwhile True:\n    os.fork()\n"),
    ("ttl-lru-cache", "python3", "x = []\nwhile True:\n    x.append(' ' * 10**7)\n"),
    ("ttl-lru-cache", "cpp", "int main() { for (;;) {} }\n"),
    ("ttl-lru-cache", "c", "#include <sys/socket.h>\nint main() { return socket(2, 1, 0); }\n"),
]


def references():
    out = []
    for ch in ("sql-null-trap", "ttl-lru-cache", "slow-query-digest"):
        for lang, ext in EXT.items():
            path = os.path.join(harness.ROOT, "challenges", ch, "solutions", "reference." + ext)
            if os.path.exists(path):
                out.append((ch, lang, open(path).read()))
    return out


def memory_cgroups():
    """(live, dying) memory cgroups on this host: the memory controller's count in /proc/cgroups
    (which holds removed cgroups the kernel has not freed yet) against the directories of its
    hierarchy; on cgroup v2, cgroup.stat says it."""
    total = hierarchy = None
    with open("/proc/cgroups") as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] == "memory":
                hierarchy, total = int(parts[1]), int(parts[2])
    v1 = "/sys/fs/cgroup/memory"
    if hierarchy and os.path.isdir(v1):  # memory on a v1 hierarchy
        live = sum(len(dirs) for _, dirs, _ in os.walk(v1)) + 1
        return live, total - live
    for stat in ("/sys/fs/cgroup/cgroup.stat", "/sys/fs/cgroup/unified/cgroup.stat"):
        if os.path.exists(stat):
            values = dict(line.split() for line in open(stat))
            return int(values.get("nr_descendants", 0)) + 1, int(values.get("nr_dying_descendants", 0))
    return None, None


def sample(judged):
    pid = judged.proc.pid
    status = dict(line.split(":", 1) for line in open("/proc/%d/status" % pid) if ":" in line)
    rss_kib = int(status["VmRSS"].split()[0])
    threads = int(status["Threads"])
    fds = len(os.listdir("/proc/%d/fd" % pid))
    db = os.path.join(judged.data_dir, "db")
    db_bytes = sum(os.path.getsize(p) for p in glob.glob(db + "/*") if os.path.isfile(p))
    live, dying = memory_cgroups()
    return {"rss_mib": rss_kib / 1024, "fds": fds, "threads": threads, "db_mib": db_bytes / 2**20,
            "memcg_live": live, "memcg_dying": dying}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("minutes", type=float)
    ap.add_argument("--sample-s", type=float, default=30)
    ap.add_argument("--clients", type=int, default=3)
    ap.add_argument("--csv", help="also write the samples here")
    args = ap.parse_args()
    judged = harness.Judged(extra_args=["--workers", "2", "--rate-limit", "100000", "--queue-limit", "100000"]).start()
    stop = threading.Event()
    counts = {"submitted": 0, "finished": 0, "live": 0, "vanished": 0, "hostile": 0, "errors": 0}
    lock = threading.Lock()

    def bump(k):
        with lock:
            counts[k] += 1

    try:
        channel = grpc.insecure_channel(judged.address)
        stub = rpc.JudgeServiceStub(channel)
        md = harness.metadata(judged.tokens["platform"])
        md_live = harness.metadata(judged.tokens["admin"])
        refs = references()

        def take_home(i):
            rnd = random.Random(i)
            n = 0
            while not stop.is_set():
                try:
                    if rnd.random() < 0.15:
                        ch, lang, src = rnd.choice(HOSTILE)
                        bump("hostile")
                    else:
                        ch, lang, src = rnd.choice(refs)
                    # A comment makes each source new: no two are one cache entry.
                    marker = {"python3": "#", "sql": "--"}.get(lang, "//")
                    s = stub.Submit(pb.SubmitRequest(challenge_id=ch, language=lang, candidate_id="soak-%d-%d" % (i, n % 50),
                                                     source=src + "\n%s %d %d\n" % (marker, i, n)), metadata=md)
                    bump("submitted")
                    for _ in stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=s.id), metadata=md):
                        pass
                    bump("finished")
                except grpc.RpcError:
                    bump("errors")
                n += 1

        def live_runs():
            rnd = random.Random(99)
            while not stop.is_set():
                try:
                    ch, lang, src = rnd.choice([r for r in refs if r[0] != "ttl-lru-cache"] or refs)
                    custom = rnd.random() < 0.5
                    req = pb.RunLiveRequest(challenge_id=ch, language=lang, source=src,
                                            use_custom_stdin=custom and lang != "sql",
                                            custom_stdin="1\n" if custom and lang != "sql" else "")
                    for _ in stub.RunLive(req, metadata=md_live):
                        pass
                    bump("live")
                except grpc.RpcError:
                    bump("errors")

        def vanishing_watchers():
            while not stop.is_set():
                try:
                    page = stub.ListSubmissions(pb.ListSubmissionsRequest(page_size=5), metadata=md)
                    for s in page.submissions:
                        call = stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=s.id), metadata=md)
                        next(call, None)
                        call.cancel()  # gone after one event
                        bump("vanished")
                except grpc.RpcError:
                    bump("errors")
                stop.wait(1)

        threads = [threading.Thread(target=take_home, args=(i,), daemon=True) for i in range(args.clients)]
        threads += [threading.Thread(target=live_runs, daemon=True), threading.Thread(target=vanishing_watchers, daemon=True)]
        for t in threads:
            t.start()
        start = time.monotonic()
        rows = []
        end = start + args.minutes * 60
        while True:
            row = {"t_min": (time.monotonic() - start) / 60}
            row.update(sample(judged))
            with lock:
                row.update(counts)
            rows.append(row)
            print("t=%5.1f min  rss %6.1f MiB  fds %4d  threads %3d  db %6.1f MiB  memcg live %s dying %s  "
                  "finished %d live %d hostile %d vanished %d errors %d" % (
                      row["t_min"], row["rss_mib"], row["fds"], row["threads"], row["db_mib"], row["memcg_live"],
                      row["memcg_dying"], row["finished"], row["live"], row["hostile"], row["vanished"], row["errors"]),
                  flush=True)
            if time.monotonic() >= end:
                break
            time.sleep(min(args.sample_s, max(0, end - time.monotonic())))
        stop.set()
        if args.csv:
            with open(args.csv, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
        half = len(rows) // 2
        print("\ngrowth, first half of the run against the second (a leak keeps growing):")
        for k in ("rss_mib", "fds", "threads", "db_mib", "memcg_live", "memcg_dying"):
            if rows[0][k] is None:
                continue
            first = rows[half][k] - rows[0][k]
            second = rows[-1][k] - rows[half][k]
            print("  %-12s start %8.1f  middle %8.1f  end %8.1f   +%.1f then +%.1f" % (
                k, rows[0][k], rows[half][k], rows[-1][k], first, second))
    finally:
        stop.set()
        judged.cleanup()


if __name__ == "__main__":
    main()
