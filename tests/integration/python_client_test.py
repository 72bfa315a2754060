"""A client in another language: Python with Debian's python3-grpcio, stubs generated from proto/
at test time. Submits each challenge's reference solutions and reads the verdicts."""
import glob
import os
import sys
import unittest

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

pb, rpc = harness.load_stubs(os.environ.get("JUDGE_IT_TMP", "/tmp/judge-it-stubs-%d" % os.getpid()))
LANG = {".sql": "sql", ".py": "python3", ".c": "c", ".cc": "cpp", ".java": "java", ".js": "javascript",
        ".ts": "typescript", ".go": "go", ".rs": "rust", ".cs": "csharp", ".rb": "ruby", ".php": "php"}


class PythonClientTest(unittest.TestCase):
    def test_reference_solutions_are_accepted(self):
        judged = harness.Judged(extra_args=["--workers", "2"]).start()
        try:
            channel = grpc.insecure_channel(judged.address)
            stub = rpc.JudgeServiceStub(channel)
            md = harness.metadata(judged.tokens["platform"])
            submitted = []
            for path in sorted(glob.glob(os.path.join(harness.ROOT, "challenges", "*", "solutions", "reference.*"))):
                challenge = path.split(os.sep)[-3]
                lang = LANG[os.path.splitext(path)[1]]
                with open(path) as f:
                    s = stub.Submit(pb.SubmitRequest(challenge_id=challenge, language=lang, source=f.read(),
                                                     candidate_id="py-client"), metadata=md)
                submitted.append((challenge, lang, s.id))
            # Every challenge the server lists has at least one reference to judge.
            listed = {c.id for c in stub.ListChallenges(pb.ListChallengesRequest(), metadata=md).challenges}
            self.assertEqual({c for c, _, _ in submitted}, listed)
            for challenge, lang, sid in submitted:
                final = list(stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=sid), metadata=md))[-1]
                with self.subTest(challenge=challenge, language=lang):
                    self.assertEqual(pb.Verdict.Name(final.submission.verdict), "VERDICT_ACCEPTED")
                    self.assertEqual(final.submission.score, final.submission.max_score)
            channel.close()
        finally:
            judged.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
