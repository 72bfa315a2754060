"""The slow-query-digest reference on real MySQL slow logs (Percona Toolkit's samples in
../shared/data/mysql-slowlogs/, never copied into the project). Each expectation below was
checked by reading the raw log. Skips cleanly when the data is absent."""
import os
import subprocess
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "data", "mysql-slowlogs"))
REFERENCE = os.path.join(ROOT, "challenges", "slow-query-digest", "solutions", "reference.py")


def digest(name, header="0 20"):
    with open(os.path.join(DATA, name), "rb") as f:
        log = f.read()
    out = subprocess.run(["/usr/bin/python3", REFERENCE], input=header.encode() + b"\n" + log,
                         capture_output=True, timeout=60, check=True).stdout.decode()
    lines = out.splitlines()
    return lines[0], [l.split("\t") for l in lines[1:]]


@unittest.skipUnless(os.path.isdir(DATA), "no real slow logs at %s" % DATA)
class RealSlowLogsTest(unittest.TestCase):
    def test_mysql_5_0_log_with_banner_and_use_lines(self):
        head, rows = digest("slow001.txt")
        self.assertEqual(head, "2 2")
        self.assertEqual([r[4] for r in rows], ["select sleep(?) from n", "select sleep(?) from test.n"])
        self.assertEqual(rows[0][1], "2.000000")

    def test_percona_headers_and_administrator_commands(self):
        head, rows = digest("slow013.txt")
        self.assertEqual(head, "4 3")  # 5 events, one "# administrator command: Quit;"
        by_fp = {r[4]: r for r in rows}
        self.assertEqual(by_fp["set autocommit=?"][:2], ["2", "0.000082"])  # =1 and =0 merge
        self.assertEqual(by_fp["show status"][3], "226")
        self.assertIn("commit", by_fp)

    def test_multi_row_values_collapse(self):
        head, rows = digest("slow018.txt")
        self.assertEqual(head, "1 1")
        self.assertEqual(rows[0][4], "insert into `foo` values(?+)")

    def test_identical_statements_group_and_ties_order_by_fingerprint(self):
        head, rows = digest("slow006.txt")
        self.assertEqual(head, "6 2")
        self.assertEqual([r[4] for r in rows], ["select col from bar_tbl", "select col from foo_tbl"])
        self.assertEqual(rows[0][:3], ["3", "0.000036", "0.000012"])

    def test_mysql_5_7_limit_offset(self):
        head, rows = digest("mysql5.7.log")
        self.assertEqual(head, "2 2")
        self.assertEqual(rows[0][4], "select * from db_facturacion.facturas limit ?")
        self.assertEqual(rows[0][3], "2000")

    def test_threshold_applies_to_real_logs(self):
        head, _ = digest("slow002.txt", header="0.5 5")
        self.assertEqual(head, "1 1")  # only the 0.726052 s UPDATE is over half a second
        head, _ = digest("slow002.txt")
        self.assertEqual(head, "8 7")


if __name__ == "__main__":
    unittest.main(verbosity=2)
