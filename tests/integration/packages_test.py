"""Challenges from problem packages (the Kattis/ICPC format) imported into a running judged:
through judgectl (a folder), gRPC (a .zip in chunks) and HTTP is not the door here. Each package
under tests/fixtures/packages is written from the format's specification; each bad package is one
of them with one thing broken, and must be refused with an error naming that thing."""
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import zipfile

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

JUDGECTL = os.path.join(harness.BUILD, "bin", "judgectl")
PACKAGES = os.path.join(harness.ROOT, "tests", "fixtures", "packages")


def write(path, mode, text):
    with open(path, mode) as f:
        f.write(text)


def zip_folder(folder, top):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for root, _, files in os.walk(folder):
            for f in files:
                path = os.path.join(root, f)
                z.write(path, os.path.join(top, os.path.relpath(path, folder)))
    return buf.getvalue()


class PackagesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="packages-it-")
        cls.judged = harness.Judged(extra_args=["--workers", "2", "--rate-limit", "1000",
                                               "--http-listen", "127.0.0.1:0"]).start()
        cls.pb, cls.pb_grpc = harness.load_stubs(os.environ.get("JUDGE_IT_TMP", cls.tmp))
        cls.channel = grpc.insecure_channel(cls.judged.address)
        cls.stub = cls.pb_grpc.JudgeServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.judged.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def ctl(self, *args, role="platform"):
        env = dict(os.environ, JUDGE_SERVER=self.judged.address, JUDGE_TOKEN=self.judged.tokens[role])
        return subprocess.run([JUDGECTL, *args], env=env, capture_output=True, text=True, timeout=600)

    def md(self, role="platform"):
        return harness.metadata(self.judged.tokens[role])

    def copy(self, name, as_name=None):
        dst = os.path.join(self.tmp, as_name or name)
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(os.path.join(PACKAGES, name), dst)
        return dst

    def grpc_import(self, data, challenge_id="", strict=False, file_name="p.zip", role="platform"):
        def chunks():
            step = 64 << 10
            for off in range(0, max(len(data), 1), step):
                c = self.pb.ImportChallengeChunk(data=data[off:off + step])
                if off == 0:
                    c.challenge_id, c.strict, c.file_name = challenge_id, strict, file_name
                yield c
        return self.stub.ImportChallenge(chunks(), metadata=self.md(role), timeout=600)

    def submit_and_wait(self, challenge, language, source, role="platform"):
        sub = self.stub.Submit(self.pb.SubmitRequest(challenge_id=challenge, language=language,
                                                     source=source, candidate_id="cand-1"),
                               metadata=self.md(role), timeout=30)
        for _ in self.stub.WatchSubmission(self.pb.WatchSubmissionRequest(submission_id=sub.id),
                                           metadata=self.md(role), timeout=300):
            pass
        return self.stub.GetSubmission(self.pb.GetSubmissionRequest(submission_id=sub.id),
                                       metadata=self.md(role), timeout=30)

    def test_default_validator_flags_and_a_computed_time_limit(self):
        # judgectl sends the folder; --strict passes: every submission gets its folder's verdict.
        r = self.ctl("challenges", "import", "--strict", self.copy("mean-value"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("imported mean-value version 1: Mean value", r.stdout)
        self.assertIn("verified: all 9 submissions got their folder's verdict", r.stdout)
        # Folders of several files (Python modules, C++ sources and a header), a Java class not
        # named Main.
        for path in ("submissions/accepted/split_py", "submissions/accepted/split_cpp",
                     "submissions/accepted/Averager.java"):
            self.assertRegex(r.stdout, r"ok\s+%s" % path)
        # No limit stated: five times the slowest accepted run, whole seconds.
        self.assertIn("5 x the slowest accepted submission", r.stdout)
        for path in ("submissions/wrong_answer/shouts.py", "submissions/time_limit_exceeded/spins.py",
                     "submissions/run_time_error/divides_by_zero.py"):
            self.assertRegex(r.stdout, r"ok\s+%s" % path)
        # Served at once, to candidates too, with hidden tests aliased.
        detail = self.stub.GetChallenge(self.pb.GetChallengeRequest(challenge_id="mean-value"),
                                        metadata=self.md("candidate"), timeout=10)
        self.assertEqual(detail.summary.title, "Mean value")
        self.assertEqual(len(detail.samples), 1)
        self.assertEqual(detail.hidden_tests, 3)
        self.assertIn("Read `n`", detail.statement)
        # Tokens compare case-insensitively by default and numbers within the tolerance; the
        # strict-case group's own flag makes case count there only.
        shouting = "n = int(input())\nxs = list(map(int, input().split()))\nprint('MEAN', sum(xs) / n + 1e-9)\n"
        s = self.submit_and_wait("mean-value", "python3", shouting)
        self.assertEqual(s.verdict, self.pb.VERDICT_WRONG_ANSWER)
        self.assertEqual(s.challenge_version, 1)
        failed = [t for t in s.tests if t.verdict != self.pb.VERDICT_ACCEPTED]
        self.assertEqual([t.group for t in failed], ["secret/strict-case"])
        quiet = shouting.replace("'MEAN'", "'mean'")
        s = self.submit_and_wait("mean-value", "python3", quiet)
        self.assertEqual(s.verdict, self.pb.VERDICT_ACCEPTED, s)
        off = quiet.replace("+ 1e-9", "+ 1e-3")
        self.assertEqual(self.submit_and_wait("mean-value", "python3", off).verdict,
                         self.pb.VERDICT_WRONG_ANSWER)

    def test_a_submission_of_several_files(self):
        self.assertEqual(self.ctl("challenges", "import", self.copy("mean-value", "mean-files"),
                                  "--id", "mean-files").returncode, 0)
        folder = os.path.join(PACKAGES, "mean-value", "submissions", "accepted", "split_py")
        r = self.ctl("submit", "--challenge", "mean-files", "--candidate", "cand-1", "--wait", folder)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("ACCEPTED", r.stdout)
        # Over gRPC: the entry is found (the C++ file with main), the header beside it.
        folder = os.path.join(PACKAGES, "mean-value", "submissions", "accepted", "split_cpp")
        files = []
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name)) as f:
                files.append(self.pb.SourceFile(name=name, content=f.read()))
        sub = self.stub.Submit(self.pb.SubmitRequest(challenge_id="mean-files", language="cpp", files=files,
                                                     candidate_id="cand-1"), metadata=self.md(), timeout=30)
        self.assertEqual(sub.source, files[0].content)  # main.cc
        self.assertEqual([f.name for f in sub.files], ["mean.cc", "mean.h"])
        for _ in self.stub.WatchSubmission(self.pb.WatchSubmissionRequest(submission_id=sub.id),
                                           metadata=self.md(), timeout=300):
            pass
        done = self.stub.GetSubmission(self.pb.GetSubmissionRequest(submission_id=sub.id), metadata=self.md())
        self.assertEqual(done.verdict, self.pb.VERDICT_ACCEPTED, done.compile_output)
        # Refusals, each naming the problem.
        for files, language, message in (
                ([("a.py", "print(1)"), ("b.py", "print(2)")], "python3", "none is main.py"),
                ([("main.js", "1"), ("x.js", "2")], "javascript", "javascript takes one file"),
                ([("main.py", "import x"), ("../x.py", "")], "python3", "must be a plain name")):
            with self.assertRaises(grpc.RpcError) as e:
                self.stub.Submit(self.pb.SubmitRequest(
                    challenge_id="mean-files", language=language, candidate_id="cand-1",
                    files=[self.pb.SourceFile(name=n, content=c) for n, c in files]), metadata=self.md(), timeout=30)
            self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn(message, e.exception.details())

    def test_custom_validator_over_grpc_and_versions(self):
        data = zip_folder(os.path.join(PACKAGES, "sum-split"), "sum-split")
        resp = self.grpc_import(data, strict=True, file_name="sum-split.zip")
        self.assertTrue(resp.verified)
        self.assertEqual(resp.version, 1)
        self.assertEqual(resp.time_limit_ms, 1500)
        self.assertEqual(resp.time_limit_source, ".timelimit")
        self.assertEqual(sorted((c.path, c.ok) for c in resp.checks),
                         [("submissions/accepted/all_left.py", True),
                          ("submissions/accepted/as_given.cpp", True),
                          ("submissions/wrong_answer/negative.py", True)])
        # Any split is right: the validator decides, not the answer file.
        right = "a, b = map(int, input().split())\nprint(0, a + b)\n"
        s = self.submit_and_wait("sum-split", "python3", right)
        self.assertEqual(s.verdict, self.pb.VERDICT_ACCEPTED, s)
        # The validator's message reaches a sample's result, never a hidden test's.
        wrong = "print(1, 2)\n"
        s = self.submit_and_wait("sum-split", "python3", wrong)
        self.assertEqual(s.verdict, self.pb.VERDICT_WRONG_ANSWER)
        # The validator's words for the judges reach the platform, never the candidate.
        self.assertIn("x + y is not a + b", s.tests[0].detail.validator_message)
        seen = self.stub.GetSubmission(self.pb.GetSubmissionRequest(submission_id=s.id),
                                       metadata=self.md("candidate"), timeout=10)
        self.assertEqual(seen.tests[0].detail.validator_message, "")
        self.assertNotIn("x + y", str(seen))
        # Again under the same id: version 2; the earlier submission keeps its version.
        again = self.grpc_import(data, challenge_id="sum-split", file_name="sum-split.zip")
        self.assertEqual(again.version, 2)
        # The package's files were stored already: only the manifest, which names the version, is new.
        self.assertLess(again.new_bytes, 2048)
        self.assertGreater(again.package_bytes, again.new_bytes)
        s2 = self.submit_and_wait("sum-split", "python3", right)
        self.assertEqual(s2.challenge_version, 2)
        first = self.stub.GetSubmission(self.pb.GetSubmissionRequest(submission_id=s.id),
                                        metadata=self.md(), timeout=10)
        self.assertEqual(first.challenge_version, 1)
        # Re-judged on the current version, the earlier verdict kept beside it.
        r = self.ctl("admin", "rejudge", "--challenge", "sum-split", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreaterEqual(json.loads(r.stdout)["queued"], 2)
        deadline = time.time() + 120
        while time.time() < deadline:
            first = self.stub.GetSubmission(self.pb.GetSubmissionRequest(submission_id=s.id),
                                            metadata=self.md(), timeout=10)
            if first.state == self.pb.SUBMISSION_STATE_FINISHED:
                break
            time.sleep(0.2)
        self.assertEqual(first.challenge_version, 2)
        self.assertEqual(first.verdict, self.pb.VERDICT_WRONG_ANSWER)
        self.assertEqual([(e.challenge_version, e.verdict) for e in first.earlier],
                         [(1, self.pb.VERDICT_WRONG_ANSWER)])
        # Candidates may not import.
        with self.assertRaises(grpc.RpcError) as e:
            self.grpc_import(data, challenge_id="x", role="candidate")
        self.assertEqual(e.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

    def test_an_interactive_problem(self):
        # The validator holds the number and answers each guess; the verdicts come from it and
        # from how the program ended, whichever came first.
        r = self.ctl("challenges", "import", "--strict", self.copy("guess"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("verified: all 5 submissions got their folder's verdict", r.stdout)
        self.assertIn("time limit 2000 ms (limits.time_limit in problem.yaml)", r.stdout)
        with open(os.path.join(PACKAGES, "guess", "submissions", "accepted", "bisect.py")) as f:
            bisect = f.read()
        s = self.submit_and_wait("guess", "python3", bisect)
        self.assertEqual(s.verdict, self.pb.VERDICT_ACCEPTED, s)
        self.assertEqual(len(s.tests), 4)
        # A wrong guess protocol: the validator's words on the sample.
        s = self.submit_and_wait("guess", "python3", "print('guess 5', flush=True)\ninput()\n")
        self.assertEqual(s.verdict, self.pb.VERDICT_WRONG_ANSWER)
        self.assertIn('a guess starts with "?"', s.tests[0].detail.validator_message)
        # Too many queries.
        s = self.submit_and_wait("guess", "python3", "for x in range(1, 1001):\n    print('?', 1001 - x, flush=True)\n    if input() == '=': break\n")
        self.assertEqual(s.verdict, self.pb.VERDICT_WRONG_ANSWER)
        # A program that never answers: its time runs out while both wait.
        s = self.submit_and_wait("guess", "cpp", "#include <unistd.h>\nint main() { pause(); }\n")
        self.assertEqual(s.verdict, self.pb.VERDICT_TIME_LIMIT_EXCEEDED)
        # A hostile one is stopped as anywhere else.
        s = self.submit_and_wait("guess", "python3", "import socket\nsocket.socket()\n")
        self.assertEqual(s.verdict, self.pb.VERDICT_SECURITY_VIOLATION)
        # No custom input for an interactive challenge.
        with self.assertRaises(grpc.RpcError) as e:
            list(self.stub.RunLive(self.pb.RunLiveRequest(challenge_id="guess", language="python3",
                                                          source="print(1)", use_custom_stdin=True,
                                                          custom_stdin="5"),
                                   metadata=self.md("interviewer"), timeout=30))
        self.assertIn("interactive challenge takes no custom input", e.exception.details())

    def test_a_scoring_problem(self):
        # Subtasks of 30 and 70 points (min within each), summed; a submission that solves only
        # the first is accepted with 30 points; the sample counts for nothing (ignore_sample).
        r = self.ctl("challenges", "import", "--strict", "--json", self.copy("triangle"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        resp = json.loads(r.stdout)
        self.assertEqual(resp["challenge"]["maxScore"], 100)
        points = {c["path"]: (c["got"], c.get("points", 0)) for c in resp["checks"]}
        self.assertEqual(points["submissions/accepted/formula.py"], ("VERDICT_ACCEPTED", 100))
        self.assertEqual(points["submissions/accepted/counts.cpp"], ("VERDICT_ACCEPTED", 30))
        self.assertEqual(points["submissions/wrong_answer/off_by_one.py"][0], "VERDICT_WRONG_ANSWER")
        # A submission's points, as a platform reads them.
        s = self.submit_and_wait("triangle", "python3",
                                 "n = int(input())\nprint(sum(range(n + 1)) if n <= 1000 else 0)\n")
        self.assertEqual(s.verdict, self.pb.VERDICT_ACCEPTED)
        self.assertEqual((s.points, s.max_points, s.score, s.max_score), (30, 100, 30, 100))
        by_test = {t.name: t.points for t in s.tests}
        self.assertEqual(by_test["secret/group1/1"], 30)
        self.assertEqual(by_test["secret/group2/1"], 0)
        # A wrong @EXPECTED_SCORE@ fails verification, naming both.
        pkg = self.copy("triangle", "triangle-wrong-tag")
        path = os.path.join(pkg, "submissions", "accepted", "formula.py")
        with open(path) as f:
            text = f.read()
        write(path, "w", text.replace("@EXPECTED_SCORE@: 100", "@EXPECTED_SCORE@: 70"))
        r = self.ctl("challenges", "import", "--strict", pkg)
        self.assertEqual(r.returncode, 2)
        self.assertIn("points 100, expected 70", r.stderr)

    def test_a_multi_pass_problem(self):
        # The validator hands the program its own first answer back as the next pass's input.
        r = self.ctl("challenges", "import", "--strict", self.copy("remember"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("verified: all 2 submissions", r.stdout)
        one_pass = "print(int(input()) + 7)\n"  # never decodes
        s = self.submit_and_wait("remember", "python3", one_pass)
        self.assertEqual(s.verdict, self.pb.VERDICT_RUNTIME_ERROR)  # "decode 12" is not a number
        # Always 0: a fine first pass on the sample (5), the wrong number back in the second.
        s = self.submit_and_wait("remember", "python3", "input()\nprint(0)\n")
        self.assertEqual(s.verdict, self.pb.VERDICT_WRONG_ANSWER)
        self.assertIn("pass 2: did not give the number back", s.tests[0].detail.validator_message)

    def test_a_validator_that_breaks_is_the_authors_error(self):
        pkg = self.copy("sum-split", "crashing-validator")
        with open(os.path.join(pkg, "output_validators", "split_checker", "validate.cpp"), "w") as f:
            f.write("#include <cstdlib>\nint main() { std::abort(); }\n")
        r = self.ctl("challenges", "import", "--strict", pkg)
        self.assertEqual(r.returncode, 2)
        self.assertIn("strict import of crashing-validator refused", r.stderr)
        self.assertIn("output validator of crashing-validator failed on test", r.stderr)
        # Nothing was stored or served.
        r = self.ctl("challenges")
        self.assertNotIn("crashing-validator", r.stdout)

    def test_bad_packages_are_refused_naming_the_problem(self):
        def broken(name, edit):
            pkg = self.copy("mean-value", name)
            edit(pkg)
            return self.ctl("challenges", "import", pkg)

        cases = [
            ("missing-answer", lambda p: os.remove(os.path.join(p, "data/secret/loose/2.ans")),
             "data/secret/loose/2.in: has no data/secret/loose/2.ans beside it"),
            ("unknown-key", lambda p: write(os.path.join(p, "problem.yaml"), "a", "tim_limit: 2\n"),
             'problem.yaml: unknown key "tim_limit"'),
            ("bad-flag", lambda p: write(os.path.join(p, "data/secret/strict-case/testdata.yaml"), "w",
                                   "output_validator_flags: float_tolerance\n"),
             "data/secret/strict-case/testdata.yaml: output_validator_flags: validator flag "
             "float_tolerance needs a number"),
            ("interactive", lambda p: write(os.path.join(p, "problem.yaml"), "a", "type: interactive\n"),
             "problem.yaml: validation: an interactive problem needs its validator"),
            ("submit-answer", lambda p: write(os.path.join(p, "problem.yaml"), "a", "type: submit-answer\n"),
             "type: submit-answer problems are not judged by this judge yet"),
            ("no-secret", lambda p: shutil.rmtree(os.path.join(p, "data/secret")),
             "data/secret: missing"),
            ("odd-shape", lambda p: write(os.path.join(p, "problem.yaml"), "w", "name: {en: [x]}\n"),
             "a value of an unexpected shape"),
            ("bad-yaml", lambda p: write(os.path.join(p, "problem.yaml"), "a", "limits: [1,\n"),
             "problem.yaml: line"),
        ]
        for name, edit, message in cases:
            with self.subTest(name):
                r = broken(name, edit)
                self.assertEqual(r.returncode, 2, r.stdout)
                self.assertIn(message, r.stderr)
                # After the progress line, one line: the reason.
                self.assertEqual(r.stderr.count("judgectl:"), 1, r.stderr)
                self.assertTrue(r.stderr.strip().splitlines()[-1].startswith("judgectl: "))
        # DOMjudge's way of stating the time limit.
        pkg = self.copy("mean-value", "domjudge-limit")
        write(os.path.join(pkg, "domjudge-problem.ini"), "w", "timelimit = '3'\n")
        r = self.ctl("challenges", "import", pkg)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("time limit 3000 ms (timelimit in domjudge-problem.ini)", r.stdout)
        # A validator that does not compile: the compiler's words.
        pkg = self.copy("sum-split", "uncompilable")
        with open(os.path.join(pkg, "output_validators", "split_checker", "validate.cpp"), "a") as f:
            f.write("\nthis is not C++\n")
        r = self.ctl("challenges", "import", pkg)
        self.assertEqual(r.returncode, 2)
        self.assertIn("output validator of uncompilable does not compile", r.stderr)
        # Archives that try to leave their folder, or hold links.
        for name, build in (("dotdot", lambda t: t.addfile(tarfile.TarInfo("../evil.in"), io.BytesIO())),
                            ("link", lambda t: t.addfile(self._symlink("p/data", "/etc")))):
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w:gz") as t:
                build(t)
            with self.assertRaises(grpc.RpcError) as e:
                self.grpc_import(buf.getvalue(), challenge_id=name, file_name=name + ".tar.gz")
            self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        # Not an archive at all; a built-in id.
        with self.assertRaises(grpc.RpcError) as e:
            self.grpc_import(b"hello", challenge_id="x")
        self.assertIn("not a .zip or .tar", e.exception.details())
        with self.assertRaises(grpc.RpcError) as e:
            self.grpc_import(zip_folder(os.path.join(PACKAGES, "sum-split"), "x"),
                             challenge_id="ttl-lru-cache")
        self.assertEqual(e.exception.code(), grpc.StatusCode.ALREADY_EXISTS)
        # The judge still serves.
        self.assertEqual(self.ctl("challenges").returncode, 0)

    @staticmethod
    def _symlink(name, target):
        info = tarfile.TarInfo(name)
        info.type = tarfile.SYMTYPE
        info.linkname = target
        return info

    def test_import_over_http(self):
        import urllib.error
        import urllib.request
        data = zip_folder(os.path.join(PACKAGES, "sum-split"), "sum-split")
        url = "http://127.0.0.1:%d/v1/challenges?id=over-http&strict=1" % self.judged.http_port
        req = urllib.request.Request(url, data=data, method="POST", headers={
            "Authorization": "Bearer " + self.judged.tokens["admin"],
            "Content-Type": "application/zip"})
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                body = json.loads(r.read())
        except urllib.error.HTTPError as e:
            self.fail(e.read().decode())
        self.assertTrue(body["verified"])
        self.assertEqual(body["challenge"]["summary"]["id"], "over-http")
        # A candidate's archive is refused before its body is read beyond the small bound.
        req = urllib.request.Request(url.replace("over-http", "cand"), data=data, method="POST",
                                     headers={"Authorization": "Bearer " + self.judged.tokens["candidate"]})
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=60)
        self.assertEqual(e.exception.code, 403)

    def test_imports_survive_a_restart(self):
        data = zip_folder(os.path.join(PACKAGES, "sum-split"), "sum-split")
        self.grpc_import(data, challenge_id="kept-over-restart")
        self.judged.stop()
        # The served folder is gone: rebuilt from the store's bytes.
        shutil.rmtree(os.path.join(self.judged.data_dir, "imported", "kept-over-restart"))
        self.judged.start()
        self.channel.close()
        type(self).channel = grpc.insecure_channel(self.judged.address)
        type(self).stub = self.pb_grpc.JudgeServiceStub(self.channel)
        s = self.submit_and_wait("kept-over-restart", "python3",
                                 "a, b = map(int, input().split())\nprint(a, b)\n")
        self.assertEqual(s.verdict, self.pb.VERDICT_ACCEPTED, s)


if __name__ == "__main__":
    unittest.main()
