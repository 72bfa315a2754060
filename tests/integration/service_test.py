"""Integration tests: a real judged on a free loopback port, driven through real gRPC.

Every RPC, streaming progress, every role against every RPC, bad input of each kind, idempotent
Submit, priority of live runs, queue overflow and the metrics endpoint.
"""
import os
import sys
import threading
import time
import unittest
import urllib.request

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

pb, rpc = harness.load_stubs(os.environ.get("JUDGE_IT_TMP", "/tmp/judge-it-stubs-%d" % os.getpid()))
SQL_REF = harness.read("challenges/sql-null-trap/solutions/reference.sql")
SQL_WRONG = harness.read("challenges/sql-null-trap/solutions/wrong-not-in-null.sql")
SLOW_PY = "while True: pass\n"  # burns its cpu limit: keeps a worker busy
BUSY_CHALLENGES = os.path.join(os.path.dirname(__file__), "challenges")


class ServiceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.judged = harness.Judged(extra_args=["--workers", "2", "--rate-limit", "1000"]).start()
        cls.channel = grpc.insecure_channel(cls.judged.address)
        cls.stub = rpc.JudgeServiceStub(cls.channel)
        cls.tok = cls.judged.tokens

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code = cls.judged.stop()
        cls.judged.cleanup()
        assert code == 0, "judged did not stop cleanly on SIGTERM: %s" % code

    def md(self, role):
        return harness.metadata(self.tok[role])

    def code_of(self, fn, *args, **kw):
        try:
            fn(*args, **kw)
            return grpc.StatusCode.OK
        except grpc.RpcError as e:
            return e.code()

    def submit(self, role="platform", source=SQL_REF, **kw):
        req = dict(challenge_id="sql-null-trap", language="sql", source=source, candidate_id="cand-1")
        req.update(kw)
        return self.stub.Submit(pb.SubmitRequest(**req), metadata=self.md(role))

    def watch(self, sid, role="platform"):
        return list(self.stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=sid), metadata=self.md(role)))

    # --- every RPC

    def test_list_and_get_challenge_never_show_hidden_data(self):
        resp = self.stub.ListChallenges(pb.ListChallengesRequest(), metadata=self.md("candidate"))
        self.assertEqual([c.id for c in resp.challenges], ["slow-query-digest", "sql-null-trap", "ttl-lru-cache", "ttl-lru-cache-class"])
        d = self.stub.GetChallenge(pb.GetChallengeRequest(challenge_id="ttl-lru-cache"), metadata=self.md("candidate"))
        self.assertIn("LRU", d.statement)
        self.assertEqual([s.name for s in d.samples], ["sample"])
        self.assertEqual(d.samples[0].expected_output.split(), "100 -1 300 2 400 -1 1 0".split())
        self.assertEqual(d.hidden_tests, 18)
        self.assertEqual(d.max_score, 100)
        self.assertEqual(d.limits.cpu_time_ms, 1500)
        self.assertEqual(self.code_of(self.stub.GetChallenge, pb.GetChallengeRequest(challenge_id="nope"),
                                      metadata=self.md("candidate")), grpc.StatusCode.NOT_FOUND)

    def test_submit_streams_progress_in_order_and_stores_the_verdict(self):
        s = self.submit()
        self.assertEqual(s.state, pb.SUBMISSION_STATE_QUEUED)
        self.assertEqual(s.source, SQL_REF)  # the submission as stored, never an empty source
        events = self.watch(s.id)
        states = [e.state for e in events]
        self.assertEqual(states[0], pb.SUBMISSION_STATE_QUEUED)
        self.assertEqual(states[1], pb.SUBMISSION_STATE_COMPILING)
        self.assertEqual(states[-1], pb.SUBMISSION_STATE_FINISHED)
        tests = [e.test for e in events if e.state == pb.SUBMISSION_STATE_RUNNING]
        self.assertEqual([t.index for t in tests], list(range(1, 13)))
        self.assertTrue(all(e.tests_total == 12 for e in events if e.state == pb.SUBMISSION_STATE_RUNNING))
        final = events[-1].submission
        self.assertEqual(final.verdict, pb.VERDICT_ACCEPTED)
        self.assertEqual(final.score, 100)
        got = self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=s.id), metadata=self.md("platform"))
        self.assertEqual(got.verdict, pb.VERDICT_ACCEPTED)
        self.assertEqual(got.source, SQL_REF)
        self.assertEqual(len(got.tests), 12)

    def test_candidates_never_see_hidden_test_names(self):
        # A wrong answer to the NULL trap: it fails hidden tests whose names name the trap.
        wrong = harness.read("challenges/sql-null-trap/solutions/wrong-eq-null.sql")
        sub = self.submit(role="candidate", source=wrong)
        as_candidate = self.watch(sub.id, role="candidate")
        as_interviewer = self.watch(sub.id, role="interviewer")
        shown = [e.test for e in as_candidate if e.HasField("test")] + list(as_candidate[-1].submission.tests)
        real = list(as_interviewer[-1].submission.tests)
        self.assertEqual(len(real), 12)
        self.assertEqual(len(shown), 24)  # every test as it ran, then in the final submission
        for t in shown:
            if not t.sample:
                self.assertRegex(t.name, r"^hidden-\d+$")
                self.assertEqual(t.message, "")
        hidden_real = {t.name for t in real if not t.sample}
        self.assertTrue(hidden_real)
        # Interviewers read what each failed test catches; candidates never do.
        failed = [t for t in real if t.verdict != pb.VERDICT_ACCEPTED and not t.sample]
        self.assertTrue(failed)
        # ... where the trap explains the failure: the timing trap of the performance test is
        # not shown beside its WRONG_ANSWER.
        self.assertTrue(all(t.trap for t in failed if t.group != "performance"), failed)
        self.assertTrue(all(not t.trap for t in failed if t.group == "performance"), failed)
        self.assertTrue(all(not t.trap for t in real if t.verdict == pb.VERDICT_ACCEPTED))
        self.assertTrue(all(not t.trap for t in shown))
        # ... and the beginning of a failed hidden test's input, answer and output: never a
        # candidate.
        self.assertTrue(all(t.detail.expected and t.detail.input for t in failed), failed)
        self.assertTrue(all(not t.HasField("detail") for t in shown))
        for name in hidden_real:
            self.assertNotRegex(name, r"^hidden-")
        got = self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=sub.id), metadata=self.md("candidate"))
        text = str(got) + str(as_candidate) + str(self.stub.ListSubmissions(
            pb.ListSubmissionsRequest(), metadata=self.md("candidate")))
        for name in hidden_real:
            self.assertNotIn(name, text, "a hidden test's name reached the candidate")
        admin = self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=sub.id), metadata=self.md("admin"))
        self.assertTrue(hidden_real & {t.name for t in admin.tests})

    def test_similar_submissions_are_paired_for_interviewers(self):
        import re
        ref = harness.read("challenges/slow-query-digest/solutions/reference.py")
        # A copy with every name of its own renamed and its comments changed.
        names = {}
        def rename(m):
            w = m.group(0)
            if len(w) < 5 or w in ("import", "return", "print", "while", "break", "continue", "False",
                                   "True", "None", "lambda", "partition", "endswith", "startswith"):
                return w
            return names.setdefault(w, "zz%d" % len(names))
        copy = re.sub(r"\b[a-z_][a-z_]*\b", rename, ref).replace("# ", "# note: ")
        def submit(candidate, source):
            return self.stub.Submit(pb.SubmitRequest(challenge_id="slow-query-digest", language="python3",
                                                     source=source, candidate_id=candidate), metadata=self.md("platform"))
        a = submit("sim-a", ref)
        b = submit("sim-b", copy)
        own = submit("sim-a", ref + "\n# again\n")  # the same candidate again: never a pair
        for sid in (a.id, b.id, own.id):
            self.watch(sid)
            # Fingerprinted (and paired) right after its verdict is published.
            self.judged.wait_for_log(r"submission=%s fingerprinted" % sid, timeout=60)
        req = pb.ListSimilarSubmissionsRequest(challenge_id="slow-query-digest", candidate_id="sim-b")
        pairs = self.stub.ListSimilarSubmissions(req, metadata=self.md("interviewer")).pairs
        found = [p for p in pairs if {p.submission_a, p.submission_b} == {a.id, b.id}]
        self.assertEqual(len(found), 1, pairs)
        self.assertGreaterEqual(found[0].score, 0.5)
        self.assertTrue(found[0].lines_a and found[0].lines_b)
        self.assertEqual({found[0].candidate_a, found[0].candidate_b}, {"sim-a", "sim-b"})
        everything = self.stub.ListSimilarSubmissions(
            pb.ListSimilarSubmissionsRequest(challenge_id="slow-query-digest", min_score=0.01),
            metadata=self.md("admin")).pairs
        self.assertFalse([p for p in everything if p.candidate_a == p.candidate_b])
        self.assertEqual(self.code_of(self.stub.ListSimilarSubmissions, req, metadata=self.md("candidate")),
                         grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(self.code_of(self.stub.ListSimilarSubmissions,
                                      pb.ListSimilarSubmissionsRequest(challenge_id="nope"),
                                      metadata=self.md("admin")), grpc.StatusCode.NOT_FOUND)
        # The interviewer's report: the similar pair, and CPU against the reference once the
        # reference in that language has been measured (in the background, after the first one).
        import time
        deadline = time.monotonic() + 120
        while True:
            report = self.stub.GetReport(pb.GetReportRequest(submission_id=a.id), metadata=self.md("interviewer"))
            if (report.cpu_ratio > 0 and report.growth.fitted and report.reference_growth.fitted) \
                    or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        # The growth estimate: the reference against itself, about linear.
        self.assertTrue(report.growth.fitted, report.growth.note)
        self.assertLess(report.growth.exponent, 1.5)
        self.assertGreater(len(report.growth.points), 3)
        self.assertEqual(report.submission.id, a.id)
        self.assertEqual(report.submission.source, "")
        self.assertIn(b.id, [p.submission_a for p in report.similar] + [p.submission_b for p in report.similar])
        self.assertGreater(report.cpu_ratio, 0, report.note)  # the reference against itself: about 1
        self.assertTrue(all(t.reference_cpu_ms > 0 for t in report.tests))
        self.assertEqual(self.code_of(self.stub.GetReport, pb.GetReportRequest(submission_id=b.id),
                                      metadata=self.md("candidate")), grpc.StatusCode.PERMISSION_DENIED)

    def test_late_watcher_gets_the_current_state(self):
        s = self.submit(source=SQL_WRONG)
        first = self.watch(s.id)
        late = self.watch(s.id, role="admin")  # joins after the end: one FINISHED event
        self.assertEqual(len(late), 1)
        self.assertEqual(late[0].state, pb.SUBMISSION_STATE_FINISHED)
        self.assertEqual(late[0].tests_total, len(late[0].submission.tests))
        self.assertEqual(first[-1].tests_total, 12)
        self.assertEqual(late[0].submission.verdict, pb.VERDICT_WRONG_ANSWER)
        self.assertEqual(first[-1].submission.verdict, pb.VERDICT_WRONG_ANSWER)
        # Hidden tests carry no message; the sample does.
        results = {t.name: t for t in late[0].submission.tests}
        self.assertEqual(results["null-in-blocklist"].message, "")
        self.assertFalse(results["null-in-blocklist"].sample)

    def test_watchers_joining_mid_run_see_every_event_once(self):
        s = self.submit()
        streams = [None, None, None]

        def run(i):
            streams[i] = self.watch(s.id, role="interviewer")
        threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for events in streams:
            self.assertEqual(events[-1].state, pb.SUBMISSION_STATE_FINISHED)
            idx = [e.test.index for e in events if e.state == pb.SUBMISSION_STATE_RUNNING]
            self.assertEqual(idx, sorted(set(idx)))  # in order, no duplicates

    def test_list_submissions_newest_first_with_pages(self):
        ids = [self.submit(candidate_id="lister", source=SQL_REF + "\n-- %d" % i).id for i in range(5)]
        for sid in ids:
            self.watch(sid)
        page1 = self.stub.ListSubmissions(pb.ListSubmissionsRequest(candidate_id="lister", page_size=3),
                                          metadata=self.md("platform"))
        self.assertEqual([s.id for s in page1.submissions], ids[::-1][:3])
        self.assertTrue(page1.next_page_token)
        self.assertTrue(all(s.source == "" for s in page1.submissions))
        page2 = self.stub.ListSubmissions(pb.ListSubmissionsRequest(candidate_id="lister", page_size=3,
                                                                    page_token=page1.next_page_token),
                                          metadata=self.md("platform"))
        self.assertEqual([s.id for s in page2.submissions], ids[::-1][3:])
        self.assertEqual(page2.next_page_token, "")
        by_challenge = self.stub.ListSubmissions(pb.ListSubmissionsRequest(challenge_id="sql-null-trap",
                                                                           page_size=100), metadata=self.md("admin"))
        self.assertTrue(set(ids) <= {s.id for s in by_challenge.submissions})

    def test_idempotent_submit(self):
        a = self.submit(request_id="retry-me")
        b = self.submit(request_id="retry-me")
        self.assertEqual(a.id, b.id)
        c = self.submit(request_id="retry-me", role="admin")  # another caller, another scope
        self.assertNotEqual(a.id, c.id)
        self.watch(a.id)
        self.watch(c.id)

    def test_run_live_with_custom_stdin_returns_output(self):
        src = "print(input()[::-1])\n"
        events = list(self.stub.RunLive(pb.RunLiveRequest(challenge_id="ttl-lru-cache", language="python3",
                                                          source=src, use_custom_stdin=True,
                                                          custom_stdin="hello\n"),
                                         metadata=self.md("interviewer")))
        final = events[-1].submission
        self.assertEqual(final.mode, pb.SUBMISSION_MODE_LIVE)
        self.assertEqual(final.verdict, pb.VERDICT_ACCEPTED)
        self.assertEqual(final.custom_stdout, "olleh\n")
        stored = self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=final.id), metadata=self.md("admin"))
        self.assertEqual(stored.mode, pb.SUBMISSION_MODE_LIVE)

    def test_a_candidate_practises_on_the_samples_without_submitting(self):
        wrong = harness.read("challenges/sql-null-trap/solutions/wrong-eq-null.sql")
        before = self.stub.ListSubmissions(pb.ListSubmissionsRequest(page_size=100), metadata=self.md("admin"))
        events = list(self.stub.RunLive(pb.RunLiveRequest(challenge_id="sql-null-trap", language="sql", source=wrong),
                                        metadata=self.md("candidate")))
        final = events[-1].submission
        self.assertEqual(final.mode, pb.SUBMISSION_MODE_PRACTICE)
        self.assertEqual(final.candidate_id, "cand-1")
        self.assertTrue(final.samples_only)
        self.assertEqual([t.sample for t in final.tests], [True])  # never a hidden test
        self.assertEqual((final.score, final.max_score), (0, 0))
        self.assertTrue(all(e.tests_total == 1 for e in events if e.state == pb.SUBMISSION_STATE_RUNNING))
        # The candidate reads it again; another candidate cannot; nobody's listing has it.
        self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=final.id), metadata=self.md("candidate"))
        self.assertEqual(self.code_of(self.stub.GetSubmission, pb.GetSubmissionRequest(submission_id=final.id),
                                      metadata=self.md("candidate2")), grpc.StatusCode.NOT_FOUND)
        for role in ("candidate", "admin", "interviewer"):
            listed = self.stub.ListSubmissions(pb.ListSubmissionsRequest(page_size=100), metadata=self.md(role))
            self.assertNotIn(final.id, [s.id for s in listed.submissions], role)
        after = self.stub.ListSubmissions(pb.ListSubmissionsRequest(page_size=100), metadata=self.md("admin"))
        self.assertEqual([s.id for s in before.submissions][:5], [s.id for s in after.submissions][:5])
        # On the candidate's own input too; and never as anyone else.
        own = list(self.stub.RunLive(pb.RunLiveRequest(challenge_id="ttl-lru-cache", language="python3",
                                                       source="print(input()[::-1])\n", use_custom_stdin=True,
                                                       custom_stdin="abc\n"), metadata=self.md("candidate")))
        self.assertEqual(own[-1].submission.custom_stdout, "cba\n")
        self.assertEqual(self.code_of(lambda: list(self.stub.RunLive(
            pb.RunLiveRequest(challenge_id="sql-null-trap", language="sql", source=SQL_REF, candidate_id="cand-9"),
            metadata=self.md("candidate")))), grpc.StatusCode.PERMISSION_DENIED)

    def test_a_live_run_whose_client_is_gone_is_stopped(self):
        call = self.stub.RunLive(pb.RunLiveRequest(challenge_id="ttl-lru-cache", language="python3", source=SLOW_PY),
                                 metadata=self.md("interviewer"))
        sid = None
        for e in call:
            sid = e.submission_id
            if e.state == pb.SUBMISSION_STATE_RUNNING or e.state == pb.SUBMISSION_STATE_COMPILING:
                break
        call.cancel()  # Ctrl-C, a closed tab
        self.assertTrue(sid)
        deadline = time.monotonic() + 10  # a bound, not a wait: the spin alone runs 18 x 4.5 s
        while time.monotonic() < deadline:
            got = self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=sid), metadata=self.md("admin"))
            if got.state == pb.SUBMISSION_STATE_FINISHED:
                break
            time.sleep(0.1)
        self.assertEqual(got.state, pb.SUBMISSION_STATE_FINISHED)
        self.assertEqual(got.verdict, pb.VERDICT_CANCELLED)
        self.assertLessEqual(len(got.tests), 1)  # stopped in its first test, or before

    def test_live_sql_on_custom_input_maps_sql_runner_outcomes(self):
        def live(query):
            events = list(self.stub.RunLive(pb.RunLiveRequest(
                challenge_id="sql-null-trap", language="sql", source=query, use_custom_stdin=True,
                custom_stdin="CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2);"),
                metadata=self.md("interviewer")))
            return events[-1].submission
        ok = live("SELECT sum(x) AS s FROM t")
        self.assertEqual(ok.verdict, pb.VERDICT_ACCEPTED)
        self.assertEqual(ok.custom_stdout, "#cols\ts\nI3\n")
        endless = live("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n")
        self.assertEqual(endless.verdict, pb.VERDICT_TIME_LIMIT_EXCEEDED)
        refused = live("DELETE FROM t")
        self.assertEqual(refused.verdict, pb.VERDICT_COMPILATION_ERROR)
        self.assertIn("read-only", refused.compile_output)

    # --- roles

    def test_role_matrix(self):
        sub = self.submit(candidate_id="cand-1")
        other = self.submit(candidate_id="cand-9")
        self.watch(sub.id)
        self.watch(other.id)
        OK, DENIED, UNAUTH = grpc.StatusCode.OK, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED
        # Another candidate's submission looks exactly like an id that does not exist.
        NOTFOUND = grpc.StatusCode.NOT_FOUND
        calls = {
            "ListChallenges": lambda md: self.stub.ListChallenges(pb.ListChallengesRequest(), metadata=md),
            "GetChallenge": lambda md: self.stub.GetChallenge(pb.GetChallengeRequest(challenge_id="sql-null-trap"), metadata=md),
            "SubmitSelf": lambda md: self.stub.Submit(pb.SubmitRequest(challenge_id="sql-null-trap", language="sql",
                                                                       source=SQL_REF, candidate_id="cand-1"), metadata=md),
            "SubmitOther": lambda md: self.stub.Submit(pb.SubmitRequest(challenge_id="sql-null-trap", language="sql",
                                                                        source=SQL_REF, candidate_id="cand-9"), metadata=md),
            "GetOwn": lambda md: self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=sub.id), metadata=md),
            "GetOther": lambda md: self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=other.id), metadata=md),
            "ListOther": lambda md: self.stub.ListSubmissions(pb.ListSubmissionsRequest(candidate_id="cand-9"), metadata=md),
            "WatchOther": lambda md: list(self.stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=other.id), metadata=md)),
            "RunLive": lambda md: list(self.stub.RunLive(pb.RunLiveRequest(challenge_id="sql-null-trap", language="sql",
                                                                           source=SQL_REF), metadata=md)),
        }
        expected = {
            #                ListCh GetCh SubSelf SubOther GetOwn GetOther ListOther WatchOther RunLive
            "candidate":   [OK, OK, OK, DENIED, OK, NOTFOUND, DENIED, NOTFOUND, OK],
            "candidate2":  [OK, OK, DENIED, DENIED, NOTFOUND, NOTFOUND, DENIED, NOTFOUND, OK],
            "interviewer": [OK, OK, DENIED, DENIED, OK, OK, OK, OK, OK],
            "platform":    [OK, OK, OK, OK, OK, OK, OK, OK, DENIED],
            "admin":       [OK, OK, OK, OK, OK, OK, OK, OK, OK],
            "nobody":      [UNAUTH] * 9,
        }
        for role, codes in expected.items():
            md = self.md(role) if role != "nobody" else harness.metadata("not-a-token")
            for (name, call), want in zip(calls.items(), codes):
                with self.subTest(role=role, rpc=name):
                    self.assertEqual(self.code_of(call, md), want)
        self.assertEqual(self.code_of(calls["ListChallenges"], []), UNAUTH)
        # What a cluster's nodes send each other is refused by a judged that is no node, even
        # next to a good token: a client cannot pose as a node vouching for another key.
        posing = self.md("candidate") + harness.forged_peer_metadata(
            self.judged.address, self.judged.tokens["admin"], mac="0" * 64)
        with self.assertRaises(grpc.RpcError) as err:
            calls["GetOther"](posing)
        self.assertEqual(err.exception.code(), UNAUTH)
        self.assertIn("not a node of a cluster", err.exception.details())
        # Let the submissions made by the matrix finish before the suite ends.
        for s in self.stub.ListSubmissions(pb.ListSubmissionsRequest(page_size=100), metadata=self.md("admin")).submissions:
            self.watch(s.id, role="admin")

    # --- bad input

    def test_bad_input_gets_precise_invalid_argument(self):
        INVALID = grpc.StatusCode.INVALID_ARGUMENT
        cases = [
            (dict(challenge_id="nope"), "unknown challenge \"nope\""),
            (dict(language="cobol"), "language \"cobol\" is not offered"),
            (dict(language="python3"), "language \"python3\" is not offered by sql-null-trap"),
            (dict(source=""), "source is empty"),
            (dict(source="   \n"), "source is empty"),
            (dict(source="x" * (64 * 1024 + 1)), "the limit is 65536"),
            (dict(candidate_id="bad id with spaces"), "candidate_id must be"),
            (dict(request_id="r" * 200), "request_id"),
        ]
        for change, message in cases:
            with self.subTest(change=str(change)[:60]):
                with self.assertRaises(grpc.RpcError) as ctx:
                    self.submit(**change)
                self.assertEqual(ctx.exception.code(), INVALID)
                self.assertIn(message, ctx.exception.details())
        with self.assertRaises(grpc.RpcError) as ctx:
            self.stub.ListSubmissions(pb.ListSubmissionsRequest(page_size=101), metadata=self.md("admin"))
        self.assertEqual(ctx.exception.code(), INVALID)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.stub.ListSubmissions(pb.ListSubmissionsRequest(page_token="../../etc"), metadata=self.md("admin"))
        self.assertEqual(ctx.exception.code(), INVALID)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id="ffff0000ffff0000ffff"), metadata=self.md("admin"))
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.NOT_FOUND)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id="../x"), metadata=self.md("admin"))
        self.assertEqual(ctx.exception.code(), INVALID)
        with self.assertRaises(grpc.RpcError) as ctx:
            list(self.stub.RunLive(pb.RunLiveRequest(challenge_id="sql-null-trap", language="sql", source=SQL_REF,
                                                     custom_stdin="x"), metadata=self.md("interviewer")))
        self.assertEqual(ctx.exception.code(), INVALID)
        # Raw invalid UTF-8 in a string field: refused, and the server lives on.
        raw = rpc.JudgeServiceStub(self.channel)
        method = self.channel.unary_unary("/judge.v1.JudgeService/Submit",
                                          request_serializer=lambda b: b, response_deserializer=lambda b: b)
        bad = pb.SubmitRequest(challenge_id="sql-null-trap", language="sql", source="SELECT 1",
                               candidate_id="cand-1").SerializeToString().replace(b"SELECT 1", b"SELECT \xff")
        self.assertNotEqual(self.code_of(method, bad, metadata=self.md("platform")), grpc.StatusCode.OK)
        self.assertEqual(self.code_of(raw.ListChallenges, pb.ListChallengesRequest(), metadata=self.md("admin")),
                         grpc.StatusCode.OK)

    def test_standard_health_service(self):
        # grpc.health.v1.Health/Check by hand (Debian ships no grpc_health module): request
        # {service: "judge.v1.JudgeService"}, response {status: SERVING = 1}.
        check = self.channel.unary_unary("/grpc.health.v1.Health/Check",
                                         request_serializer=lambda b: b, response_deserializer=lambda b: b)
        service = b"judge.v1.JudgeService"
        self.assertEqual(check(b"\x0a" + bytes([len(service)]) + service), b"\x08\x01")
        self.assertEqual(check(b""), b"\x08\x01")

    def test_garbage_requests_never_crash_the_server(self):
        # Random bytes into every method, authenticated and not: each call fails cleanly and the
        # server keeps answering.
        import random
        rng = random.Random(7)
        methods = ["ListChallenges", "GetChallenge", "Submit", "GetSubmission", "ListSubmissions"]
        streams = ["WatchSubmission", "RunLive"]
        for i in range(120):
            payload = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
            md = self.md(rng.choice(["admin", "candidate", "interviewer"])) if i % 3 else []
            name = rng.choice(methods + streams)
            path = "/judge.v1.JudgeService/" + name
            if name in streams:
                call = self.channel.unary_stream(path, request_serializer=lambda b: b,
                                                 response_deserializer=lambda b: b)
                try:
                    list(call(payload, metadata=md, timeout=30))
                except grpc.RpcError as e:
                    self.assertNotEqual(e.code(), grpc.StatusCode.UNAVAILABLE, "server went away")
            else:
                call = self.channel.unary_unary(path, request_serializer=lambda b: b,
                                                response_deserializer=lambda b: b)
                try:
                    call(payload, metadata=md, timeout=30)
                except grpc.RpcError as e:
                    self.assertNotEqual(e.code(), grpc.StatusCode.UNAVAILABLE, "server went away")
        self.assertIsNone(self.judged.proc.poll())
        self.assertEqual(self.code_of(self.stub.ListChallenges, pb.ListChallengesRequest(), metadata=self.md("admin")),
                         grpc.StatusCode.OK)
        # Let anything the garbage happened to queue finish before the suite ends.
        for s in self.stub.ListSubmissions(pb.ListSubmissionsRequest(page_size=100), metadata=self.md("admin")).submissions:
            self.watch(s.id, role="admin")

    def test_metrics_endpoint(self):
        s = self.submit()
        self.watch(s.id)
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.judged.metrics_port, timeout=10).read().decode()
        self.assertIn('judge_submissions_total{verdict="ACCEPTED"}', text)
        self.assertIn("judge_queue_depth", text)
        self.assertIn("judge_latency_seconds_bucket", text)
        self.assertIn("judge_sandbox_failures_total 0", text)


class QueueTest(unittest.TestCase):
    """One worker and a take-home queue of three: overflow, and live runs, which have a queue
    and a worker of their own, never refused and never waiting behind take-home work."""

    @classmethod
    def setUpClass(cls):
        cls.judged = harness.Judged(extra_args=["--workers", "1", "--queue-limit", "3", "--rate-limit", "1000"],
                                    challenges=BUSY_CHALLENGES).start()
        cls.channel = grpc.insecure_channel(cls.judged.address)
        cls.stub = rpc.JudgeServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.judged.cleanup()

    def test_overflow_and_live_priority(self):
        md = harness.metadata(self.judged.tokens["platform"])
        def busy(i):
            return self.stub.Submit(pb.SubmitRequest(challenge_id="echo", language="python3",
                                                     source=SLOW_PY + "# %d\n" % i, candidate_id="q"), metadata=md)
        first = busy(0)
        # Wait until the only worker has taken it: the queue is then empty again.
        self.judged.wait_for_log(r"submission=%s" % first.id)
        it = self.stub.WatchSubmission(pb.WatchSubmissionRequest(submission_id=first.id), metadata=md)
        for ev in it:
            if ev.state == pb.SUBMISSION_STATE_COMPILING:
                break
        queued = [busy(i) for i in (1, 2, 3)]
        with self.assertRaises(grpc.RpcError) as ctx:
            busy(4)  # 3 take-home submissions queued: full
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("queue is full", ctx.exception.details())
        # The take-home queue is full; an interviewer's live run is still taken, and run at once.
        live_events = []
        imd = harness.metadata(self.judged.tokens["interviewer"])
        live = threading.Thread(target=lambda: live_events.extend(self.stub.RunLive(
            pb.RunLiveRequest(challenge_id="echo", language="python3", source="print(1)\n",
                              use_custom_stdin=True, custom_stdin=""), metadata=imd)))
        live.start()
        live.join()
        live_final = live_events[-1].submission
        self.assertEqual(live_final.custom_stdout, "1\n")
        # The live run finished before the take-home submissions queued ahead of it.
        q1 = self.stub.GetSubmission(pb.GetSubmissionRequest(submission_id=queued[0].id), metadata=md)
        self.assertNotEqual(q1.state, pb.SUBMISSION_STATE_FINISHED)


class TlsTest(unittest.TestCase):
    """--tls-cert/--tls-key: a TLS client with the CA gets through; a plaintext one does not."""

    def test_tls(self):
        import subprocess
        import tempfile
        tmp = tempfile.mkdtemp(prefix="judge-tls-")
        cert, key = harness.self_signed_cert(tmp)
        judged = harness.Judged(extra_args=["--workers", "1", "--tls-cert", cert, "--tls-key", key]).start()
        try:
            with open(cert, "rb") as f:
                creds = grpc.ssl_channel_credentials(root_certificates=f.read())
            md = harness.metadata(judged.tokens["admin"])
            with grpc.secure_channel(judged.address, creds) as channel:
                resp = rpc.JudgeServiceStub(channel).ListChallenges(pb.ListChallengesRequest(), metadata=md, timeout=30)
                self.assertEqual(len(resp.challenges), 4)
            with grpc.insecure_channel(judged.address) as channel:
                with self.assertRaises(grpc.RpcError) as ctx:
                    rpc.JudgeServiceStub(channel).ListChallenges(pb.ListChallengesRequest(), metadata=md, timeout=10)
                self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAVAILABLE)
            ctl = subprocess.run([os.path.join(harness.BUILD, "bin", "judgectl"), "--server", "localhost:%d" % judged.port,
                                  "--token", judged.tokens["admin"], "--tls", "--ca", cert, "challenges"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(ctl.returncode, 0, ctl.stderr)
            self.assertIn("sql-null-trap", ctl.stdout)
        finally:
            judged.cleanup()
            harness.shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
