"""Webhooks: a platform's take-home verdicts POSTed to its URL, signed, at least once.

A receiver on loopback checks each delivery's HMAC-SHA256 signature; it answers 503 for a while
(the judge retries with backoff), it is away while judged is killed with -9 between the verdict
and the delivery (delivered after the restart), and a URL on the metadata address is refused.
"""
import hashlib
import hmac
import http.server
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import unittest
import urllib.request

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

pb, rpc = harness.load_stubs(os.environ.get("JUDGE_IT_TMP", "/tmp/judge-it-stubs-%d" % os.getpid()))
SQL_WRONG = harness.read("challenges/sql-null-trap/solutions/wrong-not-in-null.sql")
SECRET = secrets.token_hex(16)


def key_id(token):
    return hashlib.sha256(token.encode()).hexdigest()[:12]


class Receiver:
    """An HTTP server on loopback that records deliveries; `fail` answers 503 that many times."""

    def __init__(self, port=0):
        self.deliveries = []
        self.fail = 0
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.cond:
                    if outer.fail > 0:
                        outer.fail -= 1
                        self.send_response(503)
                        self.end_headers()
                        return
                    outer.deliveries.append((dict(self.headers), body))
                    outer.cond.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, submission_id, timeout=60):
        with self.cond:
            ok = self.cond.wait_for(lambda: any(h.get("X-Judge-Delivery") == submission_id
                                                for h, _ in self.deliveries), timeout=timeout)
        if not ok:
            raise AssertionError("no delivery for %s" % submission_id)
        return [(h, b) for h, b in self.deliveries if h.get("X-Judge-Delivery") == submission_id]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


free_port = harness.free_port


def metric(port, labels):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("judge_webhook_deliveries_total{" + labels + "}"):
                return float(line.split()[1])
    return None


def judged_with_hooks(workdir_tokens, url, extra=()):
    tokens = workdir_tokens
    tmp = harness.tempfile.mkdtemp(prefix="judge-hooks-")
    os.chmod(tmp, 0o711)
    hooks = os.path.join(tmp, "hooks")
    with open(hooks, "w") as f:
        f.write("# key id, url, secret\n%s %s %s\n" % (key_id(tokens["platform"]), url, SECRET))
        f.write("%s http://169.254.169.254/latest/hook %s\n" % (key_id(tokens["interviewer"]), SECRET))
    return harness.Judged(workdir=tmp, tokens=tokens,
                          extra_args=["--workers", "2", "--rate-limit", "1000", "--webhooks", hooks] + list(extra))


class WebhooksTest(unittest.TestCase):
    def submit(self, judged, role="platform", candidate="hooked"):
        stub = rpc.JudgeServiceStub(grpc.insecure_channel(judged.address))
        md = harness.metadata(judged.tokens[role])
        s = stub.Submit(pb.SubmitRequest(challenge_id="sql-null-trap", language="sql", source=SQL_WRONG,
                                         candidate_id=candidate), metadata=md)
        final = list(stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=s.id), metadata=md))[-1]
        return final.submission

    def check_signed(self, headers, body, sub):
        ts = headers["X-Judge-Timestamp"]
        self.assertLess(abs(int(ts) - time.time()), 120)
        want = "sha256=" + hmac.new(SECRET.encode(), ("%s." % ts).encode() + body, hashlib.sha256).hexdigest()
        self.assertTrue(hmac.compare_digest(headers["X-Judge-Signature"], want))
        doc = json.loads(body)
        self.assertEqual(doc["id"], sub.id)
        self.assertEqual(doc["verdict"], "VERDICT_WRONG_ANSWER")
        self.assertEqual(doc["state"], "SUBMISSION_STATE_FINISHED")
        self.assertEqual(doc["source"], "")  # never the source
        self.assertEqual(headers["Content-Type"], "application/json")

    def test_signed_delivery_retries_and_refusals(self):
        receiver = Receiver()
        tokens = {r: secrets.token_urlsafe(24) for r in harness.ROLES}
        judged = judged_with_hooks(tokens, "http://127.0.0.1:%d/hook?from=judge" % receiver.port).start()
        try:
            # A verdict arrives, signed.
            sub = self.submit(judged)
            [(headers, body)] = receiver.wait_for(sub.id)
            self.check_signed(headers, body, sub)
            # The receiver fails twice: the judge tries again, with backoff, until it takes it.
            with receiver.cond:
                receiver.fail = 2
            sub2 = self.submit(judged)
            [(headers, body)] = receiver.wait_for(sub2.id, timeout=90)
            self.check_signed(headers, body, sub2)
            # The receiver records a delivery before its 204 reaches the judge, which counts it
            # only then: wait for the judge's own word that it is delivered.
            judged.wait_for_log(r"webhook submission=%s delivered" % sub2.id)
            self.assertGreaterEqual(metric(judged.metrics_port, 'result="failed_attempt"'), 2)
            self.assertEqual(metric(judged.metrics_port, 'result="delivered"'), 2)
            # A key without a hook (admin) gets nothing: by the time a later platform verdict
            # arrives (deliveries go in id order), the admin's would have been sent first.
            admins = self.submit(judged, role="admin")
            sub3 = self.submit(judged)
            receiver.wait_for(sub3.id)
            self.assertNotIn(admins.id, [h.get("X-Judge-Delivery") for h, _ in receiver.deliveries])
        finally:
            judged.cleanup()
            receiver.close()

    def test_metadata_address_is_refused(self):
        tokens = {r: secrets.token_urlsafe(24) for r in harness.ROLES}
        # The platform's own hook points at the metadata address this time.
        tmp_url = "http://169.254.169.254/latest/meta-data"
        judged = judged_with_hooks(tokens, tmp_url).start()
        try:
            sub = self.submit(judged)
            judged.wait_for_log(r"webhook submission=%s given up after 1 attempts: .*link-local or metadata" % sub.id)
            self.assertEqual(metric(judged.metrics_port, 'result="refused_address"'), 1)
            self.assertEqual(metric(judged.metrics_port, 'result="gave_up"'), 1)
            self.assertEqual(metric(judged.metrics_port, 'result="delivered"'), 0)
        finally:
            judged.cleanup()

    def test_kill9_between_verdict_and_delivery_still_delivers(self):
        port = free_port()  # nobody listens yet: every attempt is refused
        tokens = {r: secrets.token_urlsafe(24) for r in harness.ROLES}
        judged = judged_with_hooks(tokens, "http://127.0.0.1:%d/hook" % port).start()
        receiver = None
        try:
            sub = self.submit(judged)
            judged.wait_for_log(r"webhook submission=%s attempt 1 failed" % sub.id)
            judged.kill9()
            receiver = Receiver(port)
            again = harness.Judged(workdir=judged.workdir, tokens=tokens, data_dir=judged.data_dir)
            again.args = judged.args
            again.start()
            try:
                [(headers, body)] = receiver.wait_for(sub.id)
                self.check_signed(headers, body, sub)
            finally:
                again.cleanup()
        finally:
            judged.cleanup()
            if receiver:
                receiver.close()

    def test_a_bad_webhooks_file_stops_judged_with_the_line(self):
        tmp = harness.tempfile.mkdtemp(prefix="judge-hooks-")
        hooks = os.path.join(tmp, "hooks")
        with open(hooks, "w") as f:
            f.write("# ok so far\n0123456789ab ftp://example.com/x %s\n" % SECRET)
        judged = harness.Judged(extra_args=["--webhooks", hooks])
        r = subprocess.run(judged.args, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s:2: a webhook URL is http:// or https://" % hooks, r.stderr)
        harness.shutil.rmtree(tmp, ignore_errors=True)
        harness.shutil.rmtree(judged.workdir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
