"""The page in a real browser: Debian's headless Chromium, driven by Selenium, against a real
judged serving the built page (build/web) with --http-listen.

Each test saves a screenshot under build/screenshots/ and asserts on what the page shows.
"""
import json
import os
import shutil
import sys
import tempfile
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

    def api(self, path, role):
        req = urllib.request.Request(self.url.rstrip("/") + path,
                                     headers={"Authorization": "Bearer " + self.judged.tokens[role]})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

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
        self.assertEqual(self.driver.find_elements(By.ID, "run"), [])  # candidates submit
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
