#!/usr/bin/python3
"""The class form's harness overhead: each language's ttl-lru-cache-class reference (the class,
called by the challenge's harness) against its ttl-lru-cache reference (a whole program reading
stdin), judged in the sandbox on the 10^6-operation tests, CPU per test (best of --reps).

Goal (issue: function-signature challenges): at most 10% more CPU for c, cpp, go, rust and java;
the others are reported. Both forms do the same work on the same input, so the difference is
the harness's reading, calls and printing against the stdin reference's own.

  /usr/bin/python3 bench/class_form.py [--reps 3] [--languages c,cpp,...]
Starts its own judged (build/bin/judged, or $JUDGE_BUILD_DIR/bin/judged) with one worker, so
that runs never share the CPU with each other. A few minutes."""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

LANGUAGES = ["c", "cpp", "go", "rust", "java", "javascript", "typescript", "python3"]
GOAL = {"c": 10, "cpp": 10, "go": 10, "rust": 10, "java": 10}
EXT = {"c": "c", "cpp": "cc", "go": "go", "rust": "rs", "java": "java", "javascript": "js",
       "typescript": "ts", "python3": "py"}
BIG = ["large-lru-1e6", "large-expiry-1e6"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3, help="submissions per form and language (default 3)")
    ap.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated (default: all eight)")
    args = ap.parse_args()
    langs = [l for l in args.languages.split(",") if l]
    unknown = [l for l in langs if l not in EXT]
    if unknown:
        ap.error("unknown language(s): %s (known: %s)" % (", ".join(unknown), ", ".join(LANGUAGES)))
    if not 1 <= args.reps <= 20:
        ap.error("--reps must be between 1 and 20")

    import grpc
    import harness
    pb, rpc = harness.load_stubs("/tmp/judge-bench-class-form-stubs")
    judged = harness.Judged(extra_args=["--workers", "1", "--rate-limit", "100000"]).start()
    try:
        stub = rpc.JudgeServiceStub(grpc.insecure_channel(judged.address))
        md = harness.metadata(judged.tokens["platform"])
        best = {}  # (language, form, test) -> ms
        for lang in langs:
            for form, challenge in (("stdin", "ttl-lru-cache"), ("class", "ttl-lru-cache-class")):
                with open(os.path.join(harness.ROOT, "challenges", challenge, "solutions",
                                       "reference." + EXT[lang])) as f:
                    source = f.read()
                for rep in range(args.reps):
                    s = stub.Submit(pb.SubmitRequest(challenge_id=challenge, language=lang,
                                                     source=source + ("\n" if rep % 2 else ""),
                                                     candidate_id="bench-%s-%s-%d" % (lang, form, rep)),
                                    metadata=md)
                    events = list(stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=s.id),
                                                       metadata=md, timeout=600))
                    done = events[-1].submission
                    if done.verdict != pb.VERDICT_ACCEPTED:
                        sys.exit("class_form.py: the %s reference of %s in %s got %s: %s" % (
                            form, challenge, lang, pb.Verdict.Name(done.verdict), done.message))
                    for t in done.tests:
                        if t.name in BIG:
                            key = (lang, form, t.name)
                            best[key] = min(best.get(key, 1 << 30), t.cpu_ms)
                print("%-10s %-5s %s" % (lang, form, "  ".join("%s %d ms" % (t, best[(lang, form, t)]) for t in BIG)),
                      flush=True)
    finally:
        judged.cleanup()

    print()
    print("%-11s %-18s %9s %9s %9s %8s" % ("language", "test", "stdin", "class", "overhead", "goal"))
    print("-" * 70)
    for lang in langs:
        worst = max(100.0 * (best[(lang, "class", t)] - best[(lang, "stdin", t)]) / max(1, best[(lang, "stdin", t)])
                    for t in BIG)
        for t in BIG:
            a, b = best[(lang, "stdin", t)], best[(lang, "class", t)]
            goal = GOAL.get(lang)
            verdict = "" if goal is None else ("ok" if worst <= goal else "MISSED")
            print("%-11s %-18s %6d ms %6d ms %8.1f%% %8s" % (
                lang, t, a, b, 100.0 * (b - a) / max(1, a), ("<= %d%% %s" % (goal, verdict)) if goal else "report"))


if __name__ == "__main__":
    main()
