#!/usr/bin/env python3
"""sandbox-run as a command: its JSON result, its exit status, bad usage, and what the program
sees of the host (its own network namespace, the judge's CPUs). Needs root, like the sandbox.

    sandbox_run_test.py PATH/TO/sandbox-run
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

SANDBOX_RUN = sys.argv[1] if len(sys.argv) > 1 else "build/bin/sandbox-run"


def run(*args, timeout=60):
    """Runs sandbox-run; returns (exit status, stdout, stderr)."""
    p = subprocess.run([SANDBOX_RUN, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def result_of(*args):
    """Runs sandbox-run with --result; returns (exit status, program stdout, result dict)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "result.json")
        code, out, err = run("--result", path, *args)
        if code != 0:
            raise AssertionError(f"sandbox-run exited {code}: {err.strip()}")
        with open(path) as f:
            return code, out, json.load(f)


class SandboxRunTest(unittest.TestCase):
    def test_a_run_prints_its_result_as_json_on_stderr_after_the_output(self):
        code, out, err = run("--", "/bin/echo", "hello")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, "hello\n")
        result = json.loads(err.strip().splitlines()[-1])
        self.assertEqual(result["status"], "OK")
        self.assertEqual(result["exit_code"], 0)
        for key in ("signal", "syscall", "cpu_ms", "wall_ms", "memory_kib", "message",
                    "approximate"):
            self.assertIn(key, result)

    def test_the_program_exit_code_is_in_the_result_not_in_our_status(self):
        code, out, result = result_of("--profile", "compile", "--",
                                      "/bin/sh", "-c", "echo hi; exit 3")
        self.assertEqual(code, 0)
        self.assertEqual(out, "hi\n")
        self.assertEqual(result["status"], "NONZERO_EXIT")
        self.assertEqual(result["exit_code"], 3)

    def test_a_blocked_syscall_is_named(self):
        # /bin/sh forks with vfork, which the run profile (threads only) refuses.
        _, _, result = result_of("--", "/bin/sh", "-c", "/bin/true; true")
        self.assertEqual(result["status"], "SECURITY_VIOLATION")
        self.assertEqual(result["syscall"], "vfork")

    def test_bad_usage_exits_2_with_one_line(self):
        for args in (["--memory", "lots", "--", "/bin/true"], [], ["--no-such-flag"],
                     ["--profile", "root", "--", "/bin/true"],
                     ["--env", "NOEQUALS", "--", "/bin/true"], ["--cpu-time"]):
            with self.subTest(args=args):
                code, out, err = run(*args)
                self.assertEqual(code, 2, err)
                self.assertEqual(out, "")
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertTrue(err.startswith("sandbox-run: "), err)

    def test_everything_after_the_double_dash_is_the_programs(self):
        code, out, err = run("--", "/bin/echo", "--env", "--memory")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, "--env --memory\n")

    def test_the_program_has_a_network_namespace_of_its_own_with_only_loopback(self):
        ours = os.readlink("/proc/self/ns/net")
        _, out, result = result_of("--", "/bin/readlink", "/proc/self/ns/net")
        self.assertEqual(result["status"], "OK", result)
        self.assertTrue(out.startswith("net:["), out)
        self.assertNotEqual(out.strip(), ours)
        _, out, result = result_of("--", "/bin/cat", "/proc/net/dev")
        self.assertEqual(result["status"], "OK", result)
        interfaces = [line.split(":")[0].strip() for line in out.splitlines()[2:]]
        self.assertEqual(interfaces, ["lo"])

    def test_the_program_may_use_every_cpu_we_may(self):
        with open("/proc/self/status") as f:
            ours = [line for line in f if line.startswith("Cpus_allowed_list:")]
        for _ in range(3):
            _, out, _ = result_of("--", "/bin/grep", "^Cpus_allowed_list:", "/proc/self/status")
            self.assertEqual(out.splitlines(keepends=True), ours)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("sandbox-run needs root", file=sys.stderr)
        sys.exit(1)
    unittest.main(argv=sys.argv[:1], verbosity=2)
