"""Operating the judge: online backups and restore, and erasing a candidate's data.

A real judged over gRPC (and judgectl): a backup taken while submissions pour in is restored
into a new data dir, and a judged started on it has every submission acknowledged before the
backup, each judged to the same verdict; erasing a candidate leaves nothing of them readable
through any RPC, nor in any file of the store.
"""
import os
import secrets
import subprocess
import sys
import threading
import unittest

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

pb, rpc = harness.load_stubs(os.environ.get("JUDGE_IT_TMP", "/tmp/judge-it-stubs-%d" % os.getpid()))
SQL_REF = harness.read("challenges/sql-null-trap/solutions/reference.sql")
SQL_WRONG = harness.read("challenges/sql-null-trap/solutions/wrong-not-in-null.sql")
JUDGECTL = os.path.join(harness.BUILD, "bin", "judgectl")


def files_holding(root, needle):
    """The files under `root` whose bytes contain `needle`."""
    hits = []
    for dirpath, _, names in os.walk(root):
        for n in names:
            path = os.path.join(dirpath, n)
            try:
                with open(path, "rb") as f:
                    if needle in f.read():
                        hits.append(path)
            except OSError:
                pass
    return hits


class Base(unittest.TestCase):
    def md(self, role):
        return harness.metadata(self.judged.tokens[role])

    def submit(self, candidate, source=SQL_REF, role="platform", **kw):
        return self.stub.Submit(pb.SubmitRequest(challenge_id="sql-null-trap", language="sql", source=source,
                                                 candidate_id=candidate, **kw), metadata=self.md(role))

    def finish(self, sid, stub=None, role="admin"):
        events = list((stub or self.stub).WatchSubmission(pb.WatchSubmissionRequest(submission_id=sid),
                                                          metadata=self.md(role)))
        return events[-1].submission

    def code_of(self, fn):
        try:
            fn()
            return grpc.StatusCode.OK
        except grpc.RpcError as e:
            return e.code()


class BackupTest(Base):
    def test_backup_under_load_restores_every_acknowledged_submission(self):
        self.judged = harness.Judged(extra_args=["--workers", "2", "--rate-limit", "1000"]).start()
        restored = None
        try:
            self.stub = rpc.JudgeServiceStub(grpc.insecure_channel(self.judged.address))
            acked, lock = [], threading.Condition()
            stop = threading.Event()

            def load(i):
                n = 0
                while not stop.is_set():
                    source = SQL_REF if n % 2 else SQL_WRONG
                    s = self.submit("load-%d" % i, source=source + "\n-- %d %d\n" % (i, n))
                    with lock:
                        acked.append(s.id)
                        lock.notify_all()
                    n += 1

            threads = [threading.Thread(target=load, args=(i,)) for i in range(3)]
            for t in threads:
                t.start()
            with lock:  # let some land and some be judged first
                lock.wait_for(lambda: len(acked) >= 15, timeout=120)
                before = list(acked)  # acknowledged before the backup was asked for
            backup_dir = os.path.join(self.judged.workdir, "backup")
            resp = self.stub.Backup(pb.BackupRequest(dir=backup_dir), metadata=self.md("admin"))
            stop.set()
            for t in threads:
                t.join()
            self.assertGreaterEqual(resp.submissions, len(before))
            self.assertGreater(resp.size_bytes, 0)
            verdicts = {sid: self.finish(sid).verdict for sid in before}
            # Only admins back up; the path must be absolute.
            self.assertEqual(self.code_of(lambda: self.stub.Backup(pb.BackupRequest(dir=backup_dir),
                                                                   metadata=self.md("platform"))),
                             grpc.StatusCode.PERMISSION_DENIED)
            self.assertEqual(self.code_of(lambda: self.stub.Backup(pb.BackupRequest(dir="relative/dir"),
                                                                   metadata=self.md("admin"))),
                             grpc.StatusCode.INVALID_ARGUMENT)
            # judgectl takes another (incremental) backup into the same directory.
            ctl = subprocess.run([JUDGECTL, "--server", self.judged.address, "--token", self.judged.tokens["admin"],
                                  "admin", "backup", backup_dir], capture_output=True, text=True, timeout=120)
            self.assertEqual(ctl.returncode, 0, ctl.stderr)
            self.assertRegex(ctl.stdout, r"backup 2 in .*: \d+ submissions")

            # Restoring into a data dir that holds a store is refused, and changes nothing.
            refused = subprocess.run(self.judged.args + ["--restore-from", backup_dir],
                                     capture_output=True, text=True, timeout=120)
            self.assertEqual(refused.returncode, 1)
            self.assertIn("already holds a store", refused.stderr)

            # A new judged on a new data dir, from the backup (the first one: the latest is
            # restored, which holds at least as much).
            self.judged.stop()
            restored = harness.Judged(tokens=self.judged.tokens,
                                      extra_args=["--workers", "2", "--restore-from", backup_dir]).start()
            restored.wait_for_log("restored the store from")
            stub2 = rpc.JudgeServiceStub(grpc.insecure_channel(restored.address))
            for sid in before:
                got = self.finish(sid, stub=stub2)  # pending ones are judged again at start
                self.assertEqual(got.verdict, verdicts[sid], sid)
        finally:
            self.judged.cleanup()
            if restored:
                restored.cleanup()


class EraseTest(Base):
    @classmethod
    def setUpClass(cls):
        cls.judged = harness.Judged(extra_args=["--workers", "2", "--rate-limit", "1000"]).start()
        cls.stub = rpc.JudgeServiceStub(grpc.insecure_channel(cls.judged.address))

    @classmethod
    def tearDownClass(cls):
        cls.judged.cleanup()

    def test_erasing_a_candidate_leaves_nothing_readable_nor_on_disk(self):
        marker = secrets.token_hex(32)  # random: no compression hides it
        source = SQL_REF + "\n-- " + marker + "\n"
        mine = [self.submit("erase-me", source=source, request_id="r-%d" % i) for i in range(3)]
        # A copy by someone else (a similar pair), under its own marker.
        other = self.submit("keep-me", source=SQL_REF + "\n-- " + secrets.token_hex(32) + "\n")
        for s in mine + [other]:
            self.finish(s.id)
        pairs = self.stub.ListSimilarSubmissions(pb.ListSimilarSubmissionsRequest(challenge_id="sql-null-trap",
                                                                                  candidate_id="erase-me"),
                                                 metadata=self.md("admin")).pairs
        self.assertTrue(pairs, "the copies should pair up before erasure")
        db = os.path.join(self.judged.data_dir, "db")
        self.assertTrue(files_holding(db, marker.encode()), "the source is in the store's files")

        # Who may erase: not a candidate, not an interviewer.
        req = pb.EraseCandidateRequest(candidate_id="erase-me")
        for role in ("candidate", "interviewer"):
            self.assertEqual(self.code_of(lambda: self.stub.EraseCandidate(req, metadata=self.md(role))),
                             grpc.StatusCode.PERMISSION_DENIED)
        # The platform that made every submission may.
        resp = self.stub.EraseCandidate(req, metadata=self.md("platform"))
        self.assertEqual(resp.submissions_erased, 3)

        for s in mine:
            for role in ("admin", "platform", "interviewer"):
                self.assertEqual(self.code_of(lambda: self.stub.GetSubmission(
                    pb.GetSubmissionRequest(submission_id=s.id), metadata=self.md(role))), grpc.StatusCode.NOT_FOUND)
                self.assertEqual(self.code_of(lambda: self.stub.GetReport(
                    pb.GetReportRequest(submission_id=s.id), metadata=self.md(role))), grpc.StatusCode.NOT_FOUND)
            self.assertEqual(self.code_of(lambda: list(self.stub.WatchSubmission(
                pb.WatchSubmissionRequest(submission_id=s.id), metadata=self.md("admin")))), grpc.StatusCode.NOT_FOUND)
        listed = self.stub.ListSubmissions(pb.ListSubmissionsRequest(candidate_id="erase-me", page_size=100),
                                           metadata=self.md("admin")).submissions
        self.assertEqual(list(listed), [])
        everything = self.stub.ListSubmissions(pb.ListSubmissionsRequest(challenge_id="sql-null-trap", page_size=100),
                                               metadata=self.md("admin")).submissions
        self.assertNotIn("erase-me", [s.candidate_id for s in everything])
        self.assertIn(other.id, [s.id for s in everything])  # others keep theirs
        for p in self.stub.ListSimilarSubmissions(pb.ListSimilarSubmissionsRequest(challenge_id="sql-null-trap"),
                                                  metadata=self.md("admin")).pairs:
            self.assertNotIn("erase-me", (p.candidate_a, p.candidate_b))
        # The idempotency record went too: the same request id makes a new submission.
        again = self.submit("erase-me", source=SQL_WRONG, request_id="r-0")
        self.assertNotIn(again.id, [s.id for s in mine])
        self.finish(again.id)
        # Compacted away: no file of the store holds the source any more.
        self.assertEqual(files_holding(db, marker.encode()), [])
        # judgectl, as an admin, erases the new one; erasing again finds nothing.
        for expected in ("1 submissions erased", "0 submissions erased"):
            ctl = subprocess.run([JUDGECTL, "--server", self.judged.address, "--token", self.judged.tokens["admin"],
                                  "admin", "erase-candidate", "erase-me"], capture_output=True, text=True, timeout=120)
            self.assertEqual(ctl.returncode, 0, ctl.stderr)
            self.assertIn(expected, ctl.stdout)

    def test_a_platform_erases_only_candidates_it_submitted_for(self):
        self.finish(self.submit("shared", role="platform").id)
        self.finish(self.submit("shared", role="admin").id)
        code = self.code_of(lambda: self.stub.EraseCandidate(pb.EraseCandidateRequest(candidate_id="shared"),
                                                             metadata=self.md("platform")))
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(len(self.stub.ListSubmissions(pb.ListSubmissionsRequest(candidate_id="shared"),
                                                       metadata=self.md("admin")).submissions), 2)
        self.assertEqual(self.code_of(lambda: self.stub.EraseCandidate(pb.EraseCandidateRequest(candidate_id="bad id!"),
                                                                       metadata=self.md("admin"))),
                         grpc.StatusCode.INVALID_ARGUMENT)


class RetentionTest(Base):
    def test_sources_older_than_the_retention_are_dropped_verdicts_kept(self):
        # 0.00003 days = 2.6 s (whole seconds: 2); checked every half second.
        self.judged = harness.Judged(extra_args=["--workers", "1", "--rate-limit", "1000",
                                                 "--retain-sources-days", "0.00003"]).start()
        try:
            self.stub = rpc.JudgeServiceStub(grpc.insecure_channel(self.judged.address))
            marker = secrets.token_hex(32)
            old = self.submit("retained", source=SQL_REF + "\n-- " + marker + "\n")
            judged = self.finish(old.id)
            self.assertEqual(judged.verdict, pb.VERDICT_ACCEPTED)
            db = os.path.join(self.judged.data_dir, "db")
            self.judged.wait_for_log(r"retention: dropped the sources of 1 submissions", timeout=60)
            got = self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=old.id), metadata=self.md("admin"))
            self.assertEqual(got.source, "")
            self.assertTrue(got.HasField("source_dropped_at"))
            # The verdict and every test result stay.
            self.assertEqual(got.verdict, pb.VERDICT_ACCEPTED)
            self.assertEqual(got.score, judged.score)
            self.assertEqual([(t.name, t.verdict) for t in got.tests], [(t.name, t.verdict) for t in judged.tests])
            # Out of the store's files too (flushed and compacted).
            self.assertEqual(files_holding(db, marker.encode()), [])
            # judgectl says so rather than printing an empty source.
            ctl = subprocess.run([JUDGECTL, "--server", self.judged.address, "--token", self.judged.tokens["admin"],
                                  "get", "--source", old.id], capture_output=True, text=True, timeout=60)
            self.assertEqual(ctl.returncode, 0, ctl.stderr)
            self.assertIn("source: dropped on", ctl.stdout)
        finally:
            self.judged.cleanup()

    def test_a_negative_retention_is_refused(self):
        out = subprocess.run([harness.JUDGED, "--retain-sources-days", "-1"], capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("--retain-sources-days", out.stderr + out.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
