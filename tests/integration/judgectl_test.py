"""judgectl against a real judged: human and --json output, progress, and exit codes
(0 worked, 1 a verdict other than ACCEPTED with --wait, 2 error with a one-line reason)."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

JUDGECTL = os.path.join(harness.BUILD, "bin", "judgectl")
SOL = os.path.join(harness.ROOT, "challenges", "sql-null-trap", "solutions")


class JudgectlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.judged = harness.Judged(extra_args=["--workers", "2", "--rate-limit", "1000"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.judged.cleanup()

    def ctl(self, *args, role="platform", token=None):
        env = dict(os.environ, JUDGE_SERVER=self.judged.address,
                   JUDGE_TOKEN=token if token is not None else self.judged.tokens[role])
        return subprocess.run([JUDGECTL, *args], env=env, capture_output=True, text=True, timeout=120)

    def test_challenges_and_show(self):
        r = self.ctl("challenges")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("sql-null-trap", r.stdout)
        r = self.ctl("--json", "challenges")
        self.assertEqual(len(json.loads(r.stdout)["challenges"]), 4)
        r = self.ctl("show", "slow-query-digest", role="candidate")
        self.assertEqual(r.returncode, 0)
        self.assertIn("pt-query-digest", r.stdout)
        # A class-form challenge: show says which file to write, --stub prints the class to fill in.
        r = self.ctl("show", "ttl-lru-cache-class", role="candidate")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("class form: in python3 write solution.py", r.stdout)
        r = self.ctl("show", "ttl-lru-cache-class", "--stub", "python3", role="candidate")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("class TtlLruCache", r.stdout)
        self.assertNotIn("sys.stdin", r.stdout)
        r = self.ctl("show", "ttl-lru-cache", "--stub", "python3", role="candidate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("judgectl: ttl-lru-cache is not a class-form challenge", r.stderr)
        r = self.ctl("show", "ttl-lru-cache-class", "--stub", "sql", role="candidate")
        self.assertEqual(r.returncode, 2)
        self.assertIn('does not take language "sql"', r.stderr)

    def test_what_a_new_user_ran_into(self):
        # Global options after the command.
        r = self.ctl("challenges", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(json.loads(r.stdout)["challenges"]), 4)
        # A token read from a file ends with a newline: taken without it.
        r = self.ctl("challenges", token=self.judged.tokens["platform"] + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        # Whitespace inside: one line and exit 2, not an abort.
        r = self.ctl("challenges", token="two words")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("token", r.stderr)
        # TLS against a plaintext server: one line of ours, none of gRPC's own.
        r = self.ctl("--tls", "challenges")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        # A live run on custom input says how the run ended, never "ACCEPTED, score 0/100".
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as inp:
            inp.write("1 2\n")
            inp.flush()
            r = self.ctl("live", "--challenge", "sql-null-trap", "--language", "sql", "--stdin", inp.name,
                         os.path.join(SOL, "reference.sql"), role="interviewer")
        self.assertNotIn("score", r.stdout)
        self.assertNotIn("ACCEPTED", r.stdout)
        self.assertIn("ran on custom input", r.stdout)
        # ... and `list` says "custom input" where a score would be, and no made-up candidate.
        lst = self.ctl("list", role="interviewer")
        row = [line for line in lst.stdout.splitlines() if "custom input" in line]
        self.assertTrue(row, lst.stdout)
        self.assertNotIn("0/0", row[0])
        self.assertNotIn(" live ", row[0])

    def test_languages_come_from_the_server(self):
        r = self.ctl("languages", role="candidate")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = {line.split()[0]: line for line in r.stdout.splitlines() if line.strip()}
        self.assertIn(".py", rows["python3"])
        self.assertIn(".cc .cpp .cxx", rows["cpp"])

    def test_a_candidate_practises_with_live(self):
        # The language from the extension; the samples only; not a submission.
        r = self.ctl("live", "--challenge", "sql-null-trap", os.path.join(SOL, "wrong-not-in-null.sql"),
                     role="candidate")
        self.assertEqual(r.returncode, 0, r.stderr)  # the sample passes: the trap is in hidden tests
        self.assertIn("test 1/1", r.stderr)
        self.assertIn("practice run", r.stdout)
        self.assertNotIn("hidden", r.stdout)
        lst = self.ctl("list", role="candidate")
        self.assertNotIn(r.stderr.split()[1], lst.stdout)  # "queued <id>": never listed

    def test_ctrl_c_on_live_stops_the_run_on_the_server(self):
        with tempfile.NamedTemporaryFile("w", suffix=".py") as src:
            src.write("while True:\n    pass\n")
            src.flush()
            env = dict(os.environ, JUDGE_SERVER=self.judged.address,
                       JUDGE_TOKEN=self.judged.tokens["interviewer"])
            p = subprocess.Popen([JUDGECTL, "live", "--challenge", "ttl-lru-cache", src.name], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            first = p.stderr.readline()  # "queued <id>"
            self.assertTrue(first.startswith("queued "), first)
            sid = first.split()[1]
            self.assertEqual(p.stderr.readline().strip(), "compiling...")
            p.send_signal(signal.SIGINT)
            _, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("cancelled on the server", err)
        got = json.loads(self.ctl("--json", "get", sid, role="admin").stdout)
        for _ in range(100):  # bounded: the stop takes at most about a second
            if got.get("state") == "SUBMISSION_STATE_FINISHED":
                break
            time.sleep(0.1)
            got = json.loads(self.ctl("--json", "get", sid, role="admin").stdout)
        self.assertEqual(got["verdict"], "VERDICT_CANCELLED")

    def test_submit_wait_exit_codes_and_progress(self):
        r = self.ctl("submit", "--challenge", "sql-null-trap", "--language", "sql", "--candidate", "c7",
                     "--wait", os.path.join(SOL, "reference.sql"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("compiling", r.stderr)
        self.assertIn("test 12/12", r.stderr)
        self.assertIn("verdict ACCEPTED, score 100/100", r.stdout)
        r = self.ctl("submit", "--challenge", "sql-null-trap", "--language", "sql", "--candidate", "c7",
                     "--wait", os.path.join(SOL, "wrong-not-in-null.sql"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("WRONG_ANSWER", r.stdout)
        sid = self.ctl("submit", "--challenge", "sql-null-trap", "--language", "sql", "--candidate", "c7",
                       os.path.join(SOL, "reference.sql")).stdout.strip()
        self.assertEqual(self.ctl("watch", sid).returncode, 0)
        got = json.loads(self.ctl("--json", "get", sid).stdout)
        self.assertEqual(got["verdict"], "VERDICT_ACCEPTED")
        lst = self.ctl("list", "--candidate", "c7")
        rows = [line.split() for line in lst.stdout.splitlines() if line.strip()]
        self.assertEqual([r[1] for r in rows], ["c7", "c7", "c7"])  # candidate column
        self.assertEqual(rows[0][0], sid)  # newest first

    def test_errors_are_one_line_and_exit_2(self):
        r = self.ctl("challenges", token="wrong-token")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, "judgectl: UNAUTHENTICATED: unknown or malformed bearer token\n")
        with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
            f.write("SELECT 1")
            f.flush()
            r = self.ctl("submit", "--challenge", "nope", "--language", "sql", "--candidate", "x", f.name)
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith("judgectl: INVALID_ARGUMENT: unknown challenge"))
        r = self.ctl("submit", "--challenge", "sql-null-trap", "--language", "sql", "/no/such/file")
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot read /no/such/file: No such file or directory", r.stderr)
        r = self.ctl("show", "nope", role="candidate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("(known: slow-query-digest, sql-null-trap, ttl-lru-cache, ttl-lru-cache-class)", r.stderr)
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            r = self.ctl("submit", "--challenge", "sql-null-trap", "--candidate", "x", f.name)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--language is required", r.stderr)
        r = self.ctl("get", "0000", role="candidate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("NOT_FOUND", r.stderr)
        # A usage error is an error like any other (exit 2, as --help promises), with its reason.
        r = self.ctl("submit", "sql-null-trap", "x.sql")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--challenge is required", r.stderr)
        self.assertEqual(self.ctl("--help").returncode, 0)

    def test_live_with_stdin(self):
        with tempfile.NamedTemporaryFile("w", suffix=".py") as src, tempfile.NamedTemporaryFile("w") as inp:
            src.write("print(int(input()) * 2)\n")
            src.flush()
            inp.write("21\n")
            inp.flush()
            r = self.ctl("live", "--challenge", "ttl-lru-cache", "--language", "python3", "--stdin", inp.name,
                         src.name, role="interviewer")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("stdout:\n42\n", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
