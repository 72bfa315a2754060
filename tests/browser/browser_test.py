"""The page in a real browser: Debian's headless Chromium, driven by Selenium, against a real
judged serving the built page (build/web) with --http-listen.

Each test saves a screenshot under build/screenshots/ and asserts on what the page shows.
"""
import json
import os
import shutil
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

SHOTS = os.path.join(harness.BUILD, "screenshots")
WEB = os.path.join(harness.BUILD, "web")
SOL = os.path.join(harness.ROOT, "challenges", "ttl-lru-cache", "solutions")
DOCS = os.path.join(harness.ROOT, "web", "docs")
# Burns CPU until stopped (Python's time limit on the challenge is 9 s of CPU per test).
SPIN_PY = "while True:\n    pass\n"
HOSTILE_STATEMENT = """# Echo <script>window.__xss = 1</script>

<img src=x onerror="window.__xss = 2"> and [a link](javascript:window.__xss=3)

Print the input line.
"""


def make_challenges(root):
    """The built-in challenges (hard links: no copy of their test data) and an echo challenge
    whose statement is hostile HTML."""
    for name in os.listdir(os.path.join(harness.ROOT, "challenges")):
        src = os.path.join(harness.ROOT, "challenges", name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(root, name), copy_function=os.link)
    echo = os.path.join(root, "echo")
    shutil.copytree(os.path.join(harness.ROOT, "tests", "integration", "challenges", "echo"), echo)
    with open(os.path.join(echo, "statement.md"), "w") as f:
        f.write(HOSTILE_STATEMENT)
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)


class BrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(SHOTS, exist_ok=True)
        base = os.environ.get("JUDGE_IT_TMP") or tempfile.mkdtemp(prefix="browser-")
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(base)
        os.chmod(base, 0o711)
        cls.base = base
        challenges = os.path.join(base, "challenges")
        os.makedirs(challenges)
        make_challenges(challenges)
        os.makedirs(os.path.join(base, "judged"))
        cls.judged = harness.Judged(
            workdir=os.path.join(base, "judged"),
            challenges=challenges,
            extra_args=["--http-listen", "127.0.0.1:0", "--web-root", WEB, "--workers", "2",
                        "--rate-interviewer", "50", "--rate-candidate", "5"])
        cls.judged.start()
        cls.url = "http://127.0.0.1:%d/" % cls.judged.http_port
        opts = webdriver.ChromeOptions()
        opts.binary_location = "/usr/bin/chromium"
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                  "--window-size=1440,1000", "--user-data-dir=" + os.path.join(base, "chrome-profile")):
            opts.add_argument(a)
        cls.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        cls.driver.set_page_load_timeout(30)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.judged.cleanup()
        shutil.rmtree(cls.base, ignore_errors=True)

    # ---- helpers ----

    def shot(self, name):
        path = os.path.join(SHOTS, name + ".png")
        self.driver.save_screenshot(path)
        return path

    def wait(self, seconds=20):
        return WebDriverWait(self.driver, seconds)

    def fresh_tab(self, fragment):
        """The page as a new tab sees it: nothing in sessionStorage, loaded anew."""
        d = self.driver
        d.get(self.url)
        d.execute_script("sessionStorage.clear()")
        d.get("about:blank")
        d.get(self.url + fragment)

    def sign_in(self, role):
        d = self.driver
        self.fresh_tab("#/signin")
        box = self.wait().until(EC.element_to_be_clickable((By.ID, "token")))
        box.clear()
        box.send_keys(self.judged.tokens[role])
        d.find_element(By.ID, "signin").click()
        self.wait().until(EC.presence_of_element_located((By.ID, "challenges")))
        self.wait().until(lambda d: d.find_element(By.ID, "role").text != "")

    def open_challenge(self, challenge_id):
        d = self.driver
        d.get(self.url + "#/challenges")
        card = self.wait().until(EC.element_to_be_clickable(
            (By.CSS_SELECTOR, '#challenges a.card[data-id="%s"]' % challenge_id)))
        card.click()
        self.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, "#editor .cm-content")))

    def type_source(self, language, source):
        """Picks the language and types `source` into the editor, replacing what is there (as
        an input method would: one insertion, so the editor's auto-indent does not re-indent)."""
        d = self.driver
        Select(d.find_element(By.ID, "language")).select_by_value(language)
        content = d.find_element(By.CSS_SELECTOR, "#editor .cm-content")
        content.click()
        content.send_keys(Keys.CONTROL, "a")
        d.execute_cdp_cmd("Input.insertText", {"text": source})
        self.wait().until(lambda d: d.execute_script(
            "return document.querySelector('#editor .cm-content').innerText.length") > len(source) // 2)

    def final_verdict(self, seconds=180):
        el = self.wait(seconds).until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, "#summary .verdict")))
        return el.get_attribute("data-verdict")

    def api(self, path, role, body=None):
        headers = {"Authorization": "Bearer " + self.judged.tokens[role]}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        req = urllib.request.Request(self.url.rstrip("/") + path, data=data, headers=headers)
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def live(self, role, body):
        """POST /v1/live and reads its event stream to the end: the finished submission."""
        req = urllib.request.Request(self.url.rstrip("/") + "/v1/live", data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + self.judged.tokens[role],
                                              "Content-Type": "application/json"})
        last = None
        with urllib.request.urlopen(req, timeout=180) as r:
            for line in r:
                line = line.decode().rstrip("\n")
                if line.startswith("data: "):
                    last = json.loads(line[6:])
        self.assertIsNotNone(last)
        self.assertIn("submission", last, last)
        return last["submission"]

    def wait_finished(self, submission_id, role="admin", seconds=180):
        deadline = time.time() + seconds
        while True:
            s = self.api("/v1/submissions/" + submission_id, role)
            if s["state"] == "SUBMISSION_STATE_FINISHED" or time.time() > deadline:
                return s
            time.sleep(0.5)

    def draft(self, challenge, language):
        return self.driver.execute_script(
            "return sessionStorage.getItem(arguments[0])", "judge.draft.%s.%s" % (challenge, language))

    def doc_shot(self, name, element=None, height=860):
        """A screenshot for the README: 1200 px wide, `element` scrolled to the top. The
        window gets its usual size back afterwards."""
        d = self.driver
        d.set_window_size(1200, height)
        try:
            if element is not None:
                d.execute_script("arguments[0].scrollIntoView({block: 'start'})", element)
            time.sleep(0.3)
            return self.shot(name)
        finally:
            d.set_window_size(1440, 1000)

    # ---- the flows ----

    def test_bad_token_is_refused_with_a_clear_message(self):
        d = self.driver
        self.fresh_tab("#/challenges")  # no token: sent to sign in
        self.wait().until(lambda d: d.current_url.endswith("#/signin"))
        box = self.wait().until(EC.element_to_be_clickable((By.ID, "token")))
        box.send_keys("not-a-real-token")
        box.send_keys(Keys.ENTER)
        status = self.wait().until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#signin-status .error")))
        self.shot("bad-token")
        self.assertIn("That token was not accepted", status.text)
        self.assertIn("unknown or malformed bearer token", status.text)
        self.assertIsNone(d.execute_script("return sessionStorage.getItem('judge.token')"))

    def test_interviewer_runs_the_reference_and_every_test_turns_green(self):
        self.sign_in("interviewer")
        self.assertEqual(self.driver.find_element(By.ID, "role").text, "interviewer")
        self.open_challenge("ttl-lru-cache")
        statement = self.driver.find_element(By.ID, "statement").text
        self.assertIn("TTL", statement)
        with open(os.path.join(SOL, "reference.cc")) as f:
            self.type_source("cpp", f.read())
        # Ctrl+Enter from the editor runs.
        self.driver.find_element(By.CSS_SELECTOR, "#editor .cm-content").send_keys(Keys.CONTROL, Keys.ENTER)
        self.wait(10).until(EC.presence_of_element_located((By.ID, "status")))
        verdict = self.final_verdict()
        self.shot("interviewer-run-accepted")
        self.assertEqual(verdict, "ACCEPTED")
        detail = self.api("/v1/challenges/ttl-lru-cache", "interviewer")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#tests tr.test")
        self.assertEqual(len(rows), len(detail["samples"]) + detail["hiddenTests"])
        verdicts = [r.find_element(By.CSS_SELECTOR, ".verdict").get_attribute("data-verdict") for r in rows]
        self.assertEqual(set(verdicts), {"ACCEPTED"})
        # Time is shown against the limit in C++.
        cpp_limit = [l for l in detail["languageLimits"] if l["language"] == "cpp"][0]["limits"]
        self.assertIn("/ %d" % cpp_limit["cpuTimeMs"], rows[0].text)
        self.assertEqual(self.driver.find_element(By.ID, "score").text,
                         "%d / %d" % (detail["maxScore"], detail["maxScore"]))

    def test_candidate_submits_a_wrong_solution_and_sees_the_sample_diff(self):
        self.sign_in("candidate")
        self.assertEqual(self.driver.find_element(By.ID, "role").text, "candidate")
        self.open_challenge("ttl-lru-cache")
        # Candidates have Run (a practice run on the samples) beside Submit.
        self.assertEqual(len(self.driver.find_elements(By.ID, "run")), 1)
        with open(os.path.join(SOL, "wrong-get-does-not-refresh.py")) as f:
            self.type_source("python3", f.read())
        self.driver.find_element(By.ID, "submit").click()
        verdict = self.final_verdict()
        self.shot("candidate-wrong-answer")
        self.assertEqual(verdict, "WRONG_ANSWER")
        sample_row = self.driver.find_element(By.CSS_SELECTOR, '#tests tr.test[data-index="1"]')
        self.assertEqual(sample_row.find_element(By.CSS_SELECTOR, ".verdict").get_attribute("data-verdict"),
                         "WRONG_ANSWER")
        diff = self.driver.find_element(By.CSS_SELECTOR, "#tests pre.message").text
        self.assertRegex(diff, r"line \d+: expected")
        # Hidden tests show aliases, never their names, and no traps.
        names = [r.find_elements(By.TAG_NAME, "td")[1].text for r in
                 self.driver.find_elements(By.CSS_SELECTOR, "#tests tr.test")[1:]]
        self.assertTrue(all(n.startswith("hidden") for n in names), names)
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "#tests tr.trap"), [])
        # The submission is in the candidate's history, with its source on its page.
        self.driver.get(self.url + "#/submissions")
        link = self.wait().until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#submissions a")))
        self.shot("candidate-history")
        self.assertNotIn("null", self.driver.find_element(By.ID, "submissions").text)
        self.assertIn("Wrong answer", self.driver.find_element(By.ID, "submissions").text)
        link.click()
        source = self.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, "#source .cm-content")))
        self.wait().until(lambda d: "refresh" in source.text or "def " in source.text)
        self.shot("candidate-submission-page")
        self.assertEqual(self.final_verdict(10), "WRONG_ANSWER")

    def test_custom_input_shows_stdout(self):
        self.sign_in("interviewer")
        self.open_challenge("ttl-lru-cache")
        self.type_source("python3", "import sys\nprint(sys.stdin.read().strip()[::-1])\n")
        self.driver.find_element(By.CSS_SELECTOR, "details.custom summary").click()
        box = self.wait().until(EC.element_to_be_clickable((By.ID, "custom-stdin")))
        box.send_keys("hello judge")
        self.assertTrue(self.driver.find_element(By.ID, "use-custom").is_selected())
        self.driver.find_element(By.ID, "run").click()
        out = self.wait(60).until(EC.visibility_of_element_located((By.ID, "custom-stdout")))
        self.shot("custom-input")
        self.assertEqual(out.text, "egduj olleh")
        # Nothing was checked: no score (and no stray "null" in its place), and no "Accepted".
        self.assertEqual(self.driver.find_element(By.ID, "summary").text, "Exited normally")

    def test_hostile_statement_and_compiler_output_are_shown_as_text(self):
        self.sign_in("interviewer")
        self.open_challenge("echo")
        statement = self.driver.find_element(By.ID, "statement")
        self.assertIn("<script>window.__xss = 1</script>", statement.text)
        self.assertIn('<img src=x onerror="window.__xss = 2">', statement.text)
        self.assertEqual(statement.find_elements(By.TAG_NAME, "img"), [])
        self.assertEqual(statement.find_elements(By.TAG_NAME, "script"), [])
        self.assertEqual(statement.find_elements(By.CSS_SELECTOR, 'a[href^="javascript"]'), [])
        # Compiler output that is HTML.
        self.open_challenge("ttl-lru-cache")
        self.type_source("c", '#error <img src=x onerror="window.__xss=4"><script>window.__xss=5</script>\n')
        self.driver.find_element(By.ID, "run").click()
        verdict = self.final_verdict(60)
        self.assertEqual(verdict, "COMPILATION_ERROR")
        out = self.driver.find_element(By.ID, "compile-output")
        self.shot("hostile-compiler-output")
        self.assertIn('<img src=x onerror="window.__xss=4">', out.text)
        self.assertEqual(out.find_elements(By.TAG_NAME, "img"), [])
        self.assertIsNone(self.driver.execute_script("return window.__xss === undefined ? null : window.__xss"))

    # ---- the practice issue: candidates run, Stop, what a hidden test got, the report ----

    def test_candidate_runs_the_samples_with_ctrl_enter_and_on_custom_input(self):
        d = self.driver
        self.sign_in("candidate")
        self.open_challenge("ttl-lru-cache")
        detail = self.api("/v1/challenges/ttl-lru-cache", "candidate")
        run = d.find_element(By.ID, "run")
        submit = d.find_element(By.ID, "submit")
        self.assertTrue(run.is_displayed() and submit.is_displayed())
        self.assertEqual(d.find_elements(By.ID, "candidate"), [])  # a candidate is who its token says
        self.assertIn("samples only", d.find_element(By.ID, "hint").text)
        before = {s["id"] for s in self.api("/v1/submissions", "candidate")["submissions"]}
        with open(os.path.join(SOL, "wrong-get-does-not-refresh.py")) as f:
            self.type_source("python3", f.read())
        # Ctrl+Enter runs for a candidate (a practice run is harmless; Submit hands in).
        d.find_element(By.CSS_SELECTOR, "#editor .cm-content").send_keys(Keys.CONTROL, Keys.ENTER)
        self.assertEqual(self.final_verdict(), "WRONG_ANSWER")
        self.assertIn("practice run", d.find_element(By.ID, "status").text)
        rows = d.find_elements(By.CSS_SELECTOR, "#tests tr.test")
        self.assertEqual(len(rows), len(detail["samples"]))  # hidden tests never appear
        for r in rows:
            self.assertEqual(len(r.find_elements(By.CSS_SELECTOR, ".tag")), 1, r.text)  # "sample"
        self.assertEqual(d.find_elements(By.ID, "score"), [])  # not graded: no "0 / 0"
        self.assertRegex(d.find_element(By.CSS_SELECTOR, "#tests pre.message").text, r"line \d+: expected")
        self.assertEqual(d.find_elements(By.CSS_SELECTOR, "#tests tr.detail, #tests tr.trap"), [])
        self.shot("candidate-practice-run")
        self.doc_shot("doc-candidate-run", height=1040)
        # Custom input, as the interviewer's.
        d.find_element(By.CSS_SELECTOR, "details.custom summary").click()
        self.type_source("python3", "import sys\nprint(sys.stdin.read().strip().upper())\n")
        box = self.wait().until(EC.element_to_be_clickable((By.ID, "custom-stdin")))
        box.send_keys("practice makes perfect")
        self.assertTrue(d.find_element(By.ID, "use-custom").is_selected())
        d.find_element(By.ID, "run").click()
        out = self.wait(60).until(EC.visibility_of_element_located((By.ID, "custom-stdout")))
        self.shot("candidate-custom-input")
        self.assertEqual(out.text, "PRACTICE MAKES PERFECT")
        # Practice runs are not submissions: the candidate's list has nothing new.
        after = {s["id"] for s in self.api("/v1/submissions", "candidate")["submissions"]}
        self.assertEqual(after, before)
        d.get(self.url + "#/submissions")
        self.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, "#submissions table, #submissions p")))
        self.assertNotIn("practice", d.find_element(By.ID, "submissions").text)

    def test_stop_ends_a_run_for_candidate_and_interviewer(self):
        d = self.driver
        for role in ("candidate", "interviewer"):
            self.sign_in(role)
            self.open_challenge("ttl-lru-cache")
            self.assertFalse(d.find_element(By.ID, "stop").is_displayed())
            self.type_source("python3", SPIN_PY)
            if role == "interviewer":
                d.find_element(By.ID, "candidate").send_keys("stopped-cand")
            d.find_element(By.ID, "run").click()
            stop = self.wait(10).until(EC.element_to_be_clickable((By.ID, "stop")))
            self.assertFalse(d.find_element(By.ID, "run").is_enabled())
            self.wait(30).until(lambda d: "Queued" not in d.find_element(By.ID, "status").text)
            time.sleep(1.5)  # the program is spinning in the box
            stop.click()
            badge = self.wait(10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#summary .verdict")))
            self.shot("stopped-" + role)
            self.assertEqual(badge.get_attribute("data-verdict"), "CANCELLED")
            self.assertEqual(badge.text, "Stopped")
            self.assertIn("Stopped", d.find_element(By.ID, "status").text)
            self.wait(5).until(lambda d: not d.find_element(By.ID, "stop").is_displayed())
            self.assertTrue(d.find_element(By.ID, "run").is_enabled())
        # The judge cancelled the interviewer's run (a spinning program would otherwise take
        # 9 s of CPU on every test), and its page says so.
        deadline = time.time() + 10
        while True:
            subs = self.api("/v1/submissions?candidate_id=stopped-cand", "interviewer")["submissions"]
            if (subs and subs[0]["state"] == "SUBMISSION_STATE_FINISHED") or time.time() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(len(subs), 1)
        self.assertEqual(subs[0]["verdict"], "VERDICT_CANCELLED")
        d.get(self.url + "#/submissions/" + subs[0]["id"])
        self.assertEqual(self.final_verdict(10), "CANCELLED")
        self.assertEqual(d.find_element(By.CSS_SELECTOR, "#summary .verdict").text, "Stopped")

    def check_hidden_test_details(self):
        """Every failed hidden test has its diff right under it: the input's head and expected
        against got, with the first differing line highlighted (or, when the heads the judge
        sends agree, a note that the difference comes later)."""
        d = self.driver
        failed = [r for r in d.find_elements(By.CSS_SELECTOR, "#tests tr.test")
                  if not r.find_elements(By.CSS_SELECTOR, ".tag")
                  and r.find_element(By.CSS_SELECTOR, ".verdict").get_attribute("data-verdict") == "WRONG_ANSWER"]
        self.assertTrue(failed)
        shown = 0
        for r in failed:
            index = r.get_attribute("data-index")
            detail = d.find_element(By.CSS_SELECTOR, '#tests tr.detail[data-index="%s"]' % index)
            self.assertTrue(detail.find_element(By.CSS_SELECTOR, "pre.detail-input").text.strip())
            self.assertTrue(detail.find_elements(By.CSS_SELECTOR, "table.linediff tbody tr"))
            firsts = detail.find_elements(By.CSS_SELECTOR, "table.linediff tr.first-diff")
            if not firsts:
                self.assertIn("the difference comes later", detail.find_element(By.CSS_SELECTOR, "h4.agree").text)
                continue
            self.assertEqual(len(firsts), 1)
            cells = firsts[0].find_elements(By.TAG_NAME, "td")
            self.assertNotEqual(cells[1].text.strip(), cells[2].text.strip())
            self.assertIn("First difference at line %s" % firsts[0].get_attribute("data-line"), detail.text)
            shown += 1
        self.assertGreater(shown, 0)  # put-existing-key differs on line 1
        # Passed tests have none.
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#tests tr.detail")), len(failed))

    def test_interviewer_sees_what_a_failed_hidden_test_got(self):
        d = self.driver
        self.sign_in("interviewer")
        self.open_challenge("ttl-lru-cache")
        with open(os.path.join(SOL, "wrong-put-existing-evicts.py")) as f:
            self.type_source("python3", f.read())
        d.find_element(By.ID, "candidate").send_keys("diff-cand")
        d.find_element(By.ID, "run").click()
        self.assertEqual(self.final_verdict(), "WRONG_ANSWER")
        self.check_hidden_test_details()
        first = d.find_element(By.CSS_SELECTOR, "#tests tr.detail")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", first)
        self.assertIn("What this test catches", d.find_element(By.CSS_SELECTOR, "#tests tr.trap").text)
        self.shot("interviewer-hidden-test-diff")
        # The same on the run's own page.
        d.find_element(By.CSS_SELECTOR, "#status a").click()
        self.assertEqual(self.final_verdict(20), "WRONG_ANSWER")
        self.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, "#source .cm-content")))
        self.check_hidden_test_details()
        self.shot("interviewer-submission-hidden-test-diff")

    def test_interviewer_reads_the_report_of_a_submission(self):
        d = self.driver
        with open(os.path.join(SOL, "reference.cc")) as f:
            source = f.read()
        ids = {}
        for cand, src in (("report-alice", source), ("report-bob", source.replace("recency", "lru_list"))):
            s = self.api("/v1/submissions", "platform", {"challengeId": "ttl-lru-cache", "language": "cpp",
                                                         "source": src, "candidateId": cand})
            ids[cand] = s["id"]
        for i in ids.values():
            self.assertEqual(self.wait_finished(i)["verdict"], "VERDICT_ACCEPTED")
        self.sign_in("interviewer")
        d.get(self.url + "#/submissions/" + ids["report-bob"])
        report = self.wait().until(EC.presence_of_element_located((By.ID, "report")))
        self.assertEqual(self.final_verdict(20), "ACCEPTED")
        # CPU against the reference: the total ratio and one row per test.
        ratio = self.wait(180).until(EC.presence_of_element_located((By.ID, "cpu-ratio")))
        self.assertRegex(ratio.text, r"\d+\.\d\d×")
        n_tests = len(d.find_elements(By.CSS_SELECTOR, "#tests tr.test"))
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#report-tests tbody tr")), n_tests)
        # The growth plot: this submission's series beside the reference's, log-log.
        self.wait(240).until(lambda d: len(d.find_elements(
            By.CSS_SELECTOR, '#growth-plot g[data-series="mine"] circle')) >= 3 and len(d.find_elements(
            By.CSS_SELECTOR, '#growth-plot g[data-series="ref"] circle')) >= 3)
        self.assertRegex(d.find_element(By.ID, "growth-submission").text, r"CPU ~ n\s*\d\.\d\d")
        self.assertRegex(d.find_element(By.ID, "growth-reference").text, r"CPU ~ n\s*\d\.\d\d")
        report_api = self.api("/v1/submissions/%s/report" % ids["report-bob"], "interviewer")
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, '#growth-plot g[data-series="mine"] circle, '
                                                              '#growth-plot g[data-series="mine"] path.over')),
                         len(report_api["growth"]["points"]))
        # Similar submissions: alice's, linked.
        link = self.wait(30).until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, '#similar tr[data-id="%s"] a' % ids["report-alice"])))
        self.assertIn("report-alice", d.find_element(By.ID, "similar").text)
        self.shot("interviewer-report")
        self.doc_shot("doc-interviewer-report", report)
        link.click()
        self.wait().until(lambda d: d.current_url.endswith("#/submissions/" + ids["report-alice"]))
        self.wait().until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, '#similar tr[data-id="%s"]' % ids["report-bob"])))
        # Candidates get no report on their own submissions.
        mine = self.api("/v1/submissions", "candidate", {"challengeId": "echo", "language": "python3",
                                                         "source": "print(input())\n"})
        self.wait_finished(mine["id"])
        self.sign_in("candidate")
        d.get(self.url + "#/submissions/" + mine["id"])
        self.assertEqual(self.final_verdict(20), "ACCEPTED")
        self.assertEqual(d.find_elements(By.ID, "report"), [])

    def test_python_indents_with_four_spaces(self):
        self.sign_in("interviewer")
        self.open_challenge("echo")
        self.type_source("python3", "def f():")
        content = self.driver.find_element(By.CSS_SELECTOR, "#editor .cm-content")
        content.send_keys(Keys.END, Keys.ENTER, "return 1")
        self.wait().until(lambda d: (self.draft("echo", "python3") or "").endswith("return 1"))
        self.assertTrue(self.draft("echo", "python3").startswith("def f():\n    return 1"),
                        repr(self.draft("echo", "python3")))

    def test_source_size_limit_is_shown_and_enforced(self):
        d = self.driver
        self.sign_in("interviewer")
        self.open_challenge("echo")
        limit = self.api("/v1/challenges/echo", "interviewer").get("maxSourceBytes", 65536)
        size = d.find_element(By.ID, "source-size")
        self.assertIn("/ {:,} bytes".format(limit), size.text)
        # Counted in UTF-8 bytes: 40,001 characters, 80,001 bytes (typed, not pasted: the
        # editor only draws what is in view, so its text is read back from the saved draft).
        big = "#" + "é" * 40000
        Select(d.find_element(By.ID, "language")).select_by_value("python3")
        content = d.find_element(By.CSS_SELECTOR, "#editor .cm-content")
        content.click()
        content.send_keys(Keys.CONTROL, "a")
        d.execute_cdp_cmd("Input.insertText", {"text": big})
        # (Select-all sometimes leaves the template's last newline behind.)
        self.wait(60).until(lambda d: (self.draft("echo", "python3") or "").strip() == big)
        n = len(self.draft("echo", "python3").encode())
        self.assertLess(len(self.draft("echo", "python3")), limit)
        self.assertGreater(n, limit)
        self.wait().until(lambda d: "over" in size.get_attribute("class"))
        self.assertIn("{:,} / {:,} bytes".format(n, limit), size.text)
        d.find_element(By.ID, "run").click()
        msg = self.wait().until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#results .error")))
        self.shot("source-too-large")
        self.assertIn("{:,} bytes".format(n), msg.text)
        self.assertIn("over the limit of {:,} bytes".format(limit), msg.text)
        self.assertEqual(d.find_elements(By.ID, "status"), [])  # nothing was sent
        # A paste that would go over is refused: the source stays as it was.
        self.type_source("python3", "print(input())\n")
        self.wait().until(lambda d: "over" not in size.get_attribute("class"))
        small = self.draft("echo", "python3")
        d.execute_script("""
            const dt = new DataTransfer();
            dt.setData('text/plain', 'x'.repeat(arguments[0]));
            document.querySelector('#editor .cm-content').dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
        """, limit + 10)
        refused = self.wait().until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#editor-message .error")))
        self.shot("paste-refused")
        self.assertIn("not inserted", refused.text)
        self.assertEqual(self.draft("echo", "python3"), small)
        # A paste within the limit goes in.
        d.execute_script("""
            const dt = new DataTransfer();
            dt.setData('text/plain', '# ok');
            document.querySelector('#editor .cm-content').dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
        """)
        self.wait().until(lambda d: "# ok" in (self.draft("echo", "python3") or ""))

    def test_submission_list_labels_custom_input_and_runs_without_a_candidate(self):
        d = self.driver
        custom = self.live("interviewer", {"challengeId": "echo", "language": "python3",
                                           "source": "print(input())\n", "useCustomStdin": True,
                                           "customStdin": "hi\n"})
        graded = self.live("interviewer", {"challengeId": "echo", "language": "python3",
                                           "source": "print(input())\n", "candidateId": "label-cand"})
        practice = self.live("candidate", {"challengeId": "echo", "language": "python3",
                                           "source": "print(input())\n", "useCustomStdin": False,
                                           "customStdin": ""})
        self.assertEqual(practice["mode"], "SUBMISSION_MODE_PRACTICE")
        self.sign_in("interviewer")
        d.get(self.url + "#/submissions")
        row = self.wait().until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, '#submissions tr[data-id="%s"]' % custom["id"])))
        self.shot("submissions-labels")
        self.assertEqual(row.find_element(By.CSS_SELECTOR, "td.points").text, "custom input")
        self.assertEqual(row.find_element(By.CSS_SELECTOR, "td.candidate").text, "—")
        self.assertEqual(row.find_element(By.CSS_SELECTOR, "td.mode").text, "live")
        other = d.find_element(By.CSS_SELECTOR, '#submissions tr[data-id="%s"]' % graded["id"])
        self.assertRegex(other.find_element(By.CSS_SELECTOR, "td.points").text, r"^\d+ / \d+$")
        self.assertEqual(other.find_element(By.CSS_SELECTOR, "td.candidate").text, "label-cand")
        self.assertEqual(d.find_elements(By.CSS_SELECTOR, '#submissions tr[data-id="%s"]' % practice["id"]), [])
        row.find_element(By.TAG_NAME, "a").click()
        fact = self.wait().until(EC.presence_of_element_located((By.ID, "fact-candidate")))
        self.assertEqual(fact.text, "—")
        self.assertEqual(d.find_elements(By.ID, "report"), [])  # nothing to report on custom input


if __name__ == "__main__":
    unittest.main(verbosity=2)
