"""Crash test: 50 submissions, kill -9 while judging (and while more are being submitted),
restart on the same data dir, and every acknowledged submission ends with its correct verdict;
none is lost or duplicated, and retried submits return the same ids."""
import os
import sys
import threading
import unittest

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

pb, rpc = harness.load_stubs(os.environ.get("JUDGE_IT_TMP", "/tmp/judge-it-stubs-%d" % os.getpid()))
SOURCES = {
    pb.VERDICT_ACCEPTED: harness.read("challenges/sql-null-trap/solutions/reference.sql"),
    pb.VERDICT_WRONG_ANSWER: harness.read("challenges/sql-null-trap/solutions/wrong-not-in-null.sql"),
    pb.VERDICT_COMPILATION_ERROR: harness.read("challenges/sql-null-trap/solutions/ce-mysql-if.sql"),
}
KINDS = list(SOURCES)
TOTAL = 50


class CrashTest(unittest.TestCase):
    def test_kill_minus_nine_loses_nothing(self):
        first = harness.Judged(extra_args=["--workers", "2", "--rate-limit", "1000"]).start()
        try:
            self._run(first)
        finally:
            first.cleanup()

    def _run(self, first):
        md = harness.metadata(first.tokens["platform"])
        acked = {}  # request id -> (submission id, expected verdict)
        lock = threading.Lock()

        def submit_all(address, start, end):
            channel = grpc.insecure_channel(address)
            stub = rpc.JudgeServiceStub(channel)
            for i in range(start, end):
                kind = KINDS[i % len(KINDS)]
                try:
                    s = stub.Submit(pb.SubmitRequest(challenge_id="sql-null-trap", language="sql",
                                                     source=SOURCES[kind] + "\n-- %d\n" % i,
                                                     candidate_id="crash-%d" % (i % 7), request_id="req-%d" % i),
                                    metadata=md, timeout=30)
                    with lock:
                        acked["req-%d" % i] = (s.id, kind)
                except grpc.RpcError:
                    return  # the server died under us: the rest is retried after the restart
            channel.close()

        submit_all(first.address, 0, 30)
        # Keep submitting while the server is killed mid-judging.
        late = threading.Thread(target=submit_all, args=(first.address, 30, TOTAL))
        late.start()
        first.wait_for_log(r"verdict=", count=3)  # it is judging
        first.kill9()
        late.join()
        self.assertGreaterEqual(len(acked), 30)

        second = harness.Judged(workdir=first.workdir, data_dir=first.data_dir, tokens=first.tokens,
                                extra_args=["--workers", "2", "--rate-limit", "1000"]).start()
        try:
            channel = grpc.insecure_channel(second.address)
            stub = rpc.JudgeServiceStub(channel)
            # Retry every submit (acknowledged or not) with the same request id.
            before = dict(acked)
            acked.clear()
            submit_all(second.address, 0, TOTAL)
            self.assertEqual(len(acked), TOTAL)
            for req, (sid, _) in before.items():
                self.assertEqual(acked[req][0], sid, "a retried submit made a duplicate")
            # Every submission reaches its verdict (watching blocks until it does).
            for req, (sid, kind) in acked.items():
                events = list(stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=sid), metadata=md))
                final = events[-1].submission
                self.assertEqual(final.verdict, kind, "%s (%s)" % (sid, req))
            listed = []
            token = ""
            while True:
                page = stub.ListSubmissions(pb.ListSubmissionsRequest(page_size=100, page_token=token), metadata=md)
                listed += [s.id for s in page.submissions]
                token = page.next_page_token
                if not token:
                    break
            self.assertEqual(sorted(listed), sorted(sid for sid, _ in acked.values()))
            self.assertEqual(len(set(listed)), TOTAL)
            self.assertTrue(all(s.state == pb.SUBMISSION_STATE_FINISHED for s in
                                stub.ListSubmissions(pb.ListSubmissionsRequest(page_size=100), metadata=md).submissions))
            self.assertTrue(any("requeued after restart" in l for l in second.log_lines))
            channel.close()
            self.assertEqual(second.stop(), 0)
        finally:
            second.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
