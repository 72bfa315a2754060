"""Starts a real judged for integration tests and gives typed gRPC stubs.

Stubs are generated from proto/ at test time with Debian's protoc and grpc_python_plugin, so the
tests use nothing but what any client in another language would: the .proto files.
"""
import hashlib
import os
import random
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("JUDGE_BUILD_DIR", os.path.join(ROOT, "build"))
JUDGED = os.path.join(BUILD, "bin", "judged")
ROLES = ("candidate", "candidate2", "interviewer", "platform", "admin")


def load_stubs(workdir):
    out = os.path.join(workdir, "stubs")
    protos = [os.path.join(ROOT, "proto", "judge", "v1", p) for p in ("challenge.proto", "judge.proto")]
    stamp = os.path.join(out, "judge", "v1", "judge_pb2.py")
    # Generated again whenever a .proto is newer than the stubs (a build dir outlives edits).
    if not os.path.exists(stamp) or max(os.path.getmtime(p) for p in protos) > os.path.getmtime(stamp):
        os.makedirs(out, exist_ok=True)
        subprocess.run(["protoc", "-I" + os.path.join(ROOT, "proto"), "--python_out=" + out,
                        "--grpc_python_out=" + out, "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin"]
                       + protos, check=True)
    if out not in sys.path:
        sys.path.insert(0, out)
    from judge.v1 import judge_pb2, judge_pb2_grpc  # noqa: E402
    return judge_pb2, judge_pb2_grpc


class Judged:
    """One judged process on a free loopback port with its own data dir and keys."""

    def __init__(self, workdir=None, extra_args=(), tokens=None, data_dir=None, challenges=None):
        self.workdir = workdir or tempfile.mkdtemp(prefix="judged-it-")
        os.chmod(self.workdir, 0o711)
        self.data_dir = data_dir or os.path.join(self.workdir, "data")
        self.tokens = tokens or {role: secrets.token_urlsafe(24) for role in ROLES}
        keys = os.path.join(self.workdir, "keys")
        with open(keys, "w") as f:
            for role, token in self.tokens.items():
                digest = hashlib.sha256(token.encode()).hexdigest()
                if role == "candidate":
                    f.write("%s candidate cand-1\n" % digest)
                elif role == "candidate2":
                    f.write("%s candidate cand-2\n" % digest)
                else:
                    f.write("%s %s\n" % (digest, role))
        self.args = [JUDGED, "--listen", "127.0.0.1:0", "--data-dir", self.data_dir, "--challenges",
                     challenges or os.path.join(ROOT, "challenges"), "--keys", keys, "--metrics-listen", "127.0.0.1:0",
                     "--sandbox-dir", os.path.join(self.workdir, "sandbox")] + list(extra_args)
        self.proc = None
        self.log_lines = []
        self.cond = threading.Condition()

    def start(self, timeout=60):
        self.log = open(os.path.join(self.workdir, "judged.log"), "a")
        self.proc = subprocess.Popen(self.args, stderr=subprocess.PIPE, stdout=self.log)
        self.port = self.metrics_port = self.http_port = None
        deadline = time.monotonic() + timeout
        # Wait for the line that says it listens: no guessing with sleeps.
        while self.port is None:
            line = self._read_line(deadline)
            if line is None:
                raise RuntimeError("judged did not start:\n" + "".join(self.log_lines[-20:]))
            m = re.search(r"metrics on \S+ \(port (\d+)\)", line)
            if m:
                self.metrics_port = int(m.group(1))
            m = re.search(r"http on \S+ \(port (\d+)", line)
            if m:
                self.http_port = int(m.group(1))
            m = re.search(r"judged listening on \S+ \(port (\d+)\)", line)
            if m:
                self.port = int(m.group(1))
        self.address = "127.0.0.1:%d" % self.port
        self.drain_log()
        return self

    def _read_line(self, deadline):
        buf = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.proc.stderr], [], [], remaining)
            if not ready:
                return None
            ch = os.read(self.proc.stderr.fileno(), 1)
            if not ch:
                return None
            if ch == b"\n":
                line = buf.decode(errors="replace") + "\n"
                with self.cond:
                    self.log_lines.append(line)
                self.log.write(line)
                return line
            buf += ch

    def wait_for_log(self, pattern, count=1, timeout=120):
        """Blocks until `count` log lines (since start) match `pattern`."""
        rx = re.compile(pattern)
        with self.cond:
            ok = self.cond.wait_for(lambda: sum(1 for l in self.log_lines if rx.search(l)) >= count
                                    or self.proc.poll() is not None, timeout=timeout)
            if not ok or sum(1 for l in self.log_lines if rx.search(l)) < count:
                raise RuntimeError("timed out waiting for %r" % pattern)

    def drain_log(self):
        """Keeps reading judged's log in the background (the pipe must never fill up)."""
        def pump():
            while True:
                line = self._read_line(time.monotonic() + 3600)
                with self.cond:
                    self.cond.notify_all()
                if line is None:
                    return
        threading.Thread(target=pump, daemon=True).start()

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def cleanup_process_only(self):
        """Stops the process and closes its log; the work and data dirs stay."""
        self.stop()
        for f in (getattr(self, "log", None), self.proc.stderr if self.proc else None):
            if f is not None:
                f.close()

    def cleanup(self):
        self.cleanup_process_only()
        shutil.rmtree(self.workdir, ignore_errors=True)


def metadata(token):
    return [("authorization", "Bearer " + token)]


def forged_peer_metadata(address, token, mac=None):
    """What a cluster node sends when it forwards a call for `token`'s key to the node at
    `address` (an assertion, and its MAC if given), made up by a client posing as a node."""
    md = [("x-judge-peer", "v1 node-0 %s %s %d" % (address, hashlib.sha256(token.encode()).hexdigest(),
                                                   (time.time() + 30) * 1000))]
    return md + [("x-judge-peer-mac", mac)] if mac else md


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def _openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True)


def self_signed_cert(directory):
    """A certificate for localhost and 127.0.0.1 that is its own CA: (cert path, key path)."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert)
    return cert, key


def ca_signed_cert(directory, name):
    """A CA of its own and a certificate it signs for localhost and 127.0.0.1, usable by a server
    and a client: (ca cert, ca key, cert, key)."""
    ca = (os.path.join(directory, name + "-ca.pem"), os.path.join(directory, name + "-ca-key.pem"))
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=%s CA" % name,
             "-keyout", ca[1], "-out", ca[0])
    cert, key, csr = (os.path.join(directory, name + s) for s in (".pem", "-key.pem", ".csr"))
    ext = os.path.join(directory, name + ".ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=%s" % name, "-keyout", key, "-out", csr)
    _openssl("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial", "-days", "1",
             "-extfile", ext, "-out", cert)
    return ca[0], ca[1], cert, key


def free_port():
    """A loopback TCP port nobody listens on now, for a process that must be told its port
    before it starts. Chosen below the kernel's ephemeral range, so that the local end of some
    outgoing connection cannot take it in the meantime (a port from bind(0) can be)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port below %d" % low)
