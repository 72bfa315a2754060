#!/usr/bin/env python3
"""Test generator for slow-query-digest.

Every event is written from a spec that carries the fingerprint it must get (or None when it
must not count at all). Expected outputs are computed from those specs, never by parsing the
log, so the reference solution is checked against independent answers.

  gen.py --out DIR [--large]
"""
import argparse
import os
import random

BANNER = ("/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:\n"
          "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\n"
          "Time                 Id Command    Argument\n")


def micros(text):
    whole, _, frac = text.partition(".")
    return int(whole) * 1000000 + int((frac + "000000")[:6])


class Ev:
    def __init__(self, text, qt, fp, rows=0, meta=(), admin=False, percona=False, minimal=False,
                 before=""):
        self.text, self.qt, self.fp, self.rows = text, qt, fp, rows
        self.meta, self.admin, self.percona, self.minimal, self.before = meta, admin, percona, minimal, before

    def render(self, i):
        out = [self.before]
        if not self.minimal:
            out.append("# Time: 2024-05-01T10:%02d:%02d.000000Z\n" % ((i // 60) % 60, i % 60))
            out.append("# User@Host: app[app] @ localhost []  Id: %d\n" % (100 + i))
        if self.percona:
            out.append("# Thread_id: %d  Schema: shop  QC_hit: No\n" % (100 + i))
        out.append("# Query_time: %s  Lock_time: 0.000100 Rows_sent: 1  Rows_examined: %d\n"
                   % (self.qt, self.rows))
        if self.percona:
            out.append("# Bytes_sent: 1024  Tmp_tables: 0  Tmp_disk_tables: 0  Tmp_table_sizes: 0\n"
                       "# QC_Hit: No  Full_scan: Yes  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No\n"
                       "# Filesort: No  Filesort_on_disk: No  Merge_passes: 0\n")
        if self.admin:
            out.append("# administrator command: %s;\n" % self.text)
            return "".join(out)
        for m in self.meta:
            out.append(m + "\n")
        out.append(self.text + "\n")
        return "".join(out)


def expected(threshold, top_n, events):
    t = micros(threshold)
    groups = {}
    counted = 0
    for e in events:
        if e.fp is None or e.admin or micros(e.qt) <= t:
            continue
        counted += 1
        g = groups.setdefault(e.fp, [0, 0, 0, 0])
        q = micros(e.qt)
        g[0] += 1
        g[1] += q
        g[2] = max(g[2], q)
        g[3] += e.rows
    ranked = sorted(groups.items(), key=lambda kv: (-kv[1][1], kv[0].encode()))
    lines = ["%d %d" % (counted, len(groups))]
    for fp, (c, tot, mx, rows) in ranked[:top_n]:
        lines.append("%d\t%d.%06d\t%d.%06d\t%d\t%s" % (c, tot // 10**6, tot % 10**6, mx // 10**6,
                                                    mx % 10**6, rows, fp))
    return "\n".join(lines) + "\n"


def log(header, events, banner=True):
    body = "".join(e.render(i) for i, e in enumerate(events))
    return header + "\n" + (BANNER if banner else "") + body


ORD = "select * from orders where customer_id = ? and status = ?"


def small_tests():
    """(name, threshold, top_n, events): one trap each, named after it."""
    T = []
    T.append(("sample", "1", 10, [
        Ev("SELECT * FROM orders WHERE customer_id = 42 AND status = 'paid';", "2.500000", ORD,
           120000, meta=("use shop;", "SET timestamp=1714557601;")),
        Ev("SELECT * FROM orders WHERE customer_id = 7 AND status = 'paid';", "0.900000", ORD, 90000,
           meta=("SET timestamp=1714557605;",)),
        Ev("select *\n  from orders\n where customer_id = 1001 and status = \"shipped\";", "1.250000",
           ORD, 60001, meta=("SET timestamp=1714557609;",)),
        Ev("UPDATE stock SET qty = qty - 1 WHERE sku IN (10, 11, 12);", "4.000000",
           "update stock set qty = qty - ? where sku in(?+)", 500000, meta=("SET timestamp=1714557612;",)),
        Ev("SELECT * FROM orders WHERE customer_id = 9 AND status = 'paid';", "1.100000", ORD, 59002,
           meta=("SET timestamp=1714557615;",)),
    ]))
    T.append(("metadata-lines", "0", 10, [
        Ev("select name from users where id = 5;", "0.300000", "select name from users where id = ?", 1,
           meta=("use app;", "SET timestamp=1714557601;", "SET insert_id=77;", "", "SET last_insert_id=76;")),
        Ev("select name from users where id = 6;", "0.200000", "select name from users where id = ?", 1,
           meta=("use app;",)),
    ]))
    T.append(("literals", "0", 10, [
        Ev("select * from t where a = 'x1' and b = 12 and c = 3.5 and d = 1e3 and e = 0x1F and f = -7",
           "0.100000", "select * from t where a = ? and b = ? and c = ? and d = ? and e = ? and f = -?"),
        Ev("select * from t where a = \"y\" and b = 99 and c = 0.25 and d = 2E-4 and e = 0xab and f = -1",
           "0.100000", "select * from t where a = ? and b = ? and c = ? and d = ? and e = ? and f = -?"),
    ]))
    T.append(("threshold-is-strict", "1.5", 10, [
        Ev("select a from ta", "1.500000", "select a from ta"),
        Ev("select b from tb", "1.500001", "select b from tb"),
        Ev("select c from tc", "1.499999", "select c from tc"),
        Ev("select d from td", "1.5", "select d from td"),
    ]))
    T.append(("multi-line-queries", "0", 10, [
        Ev("SELECT o.id,\n       o.total\n  FROM orders o\n\n WHERE o.status = 'open'\n ORDER BY o.total DESC",
           "0.700000", "select o.id, o.total from orders o where o.status = ? order by o.total desc", 42),
        Ev("select o.id, o.total from orders o where o.status = 'closed' order by o.total desc", "0.300000",
           "select o.id, o.total from orders o where o.status = ? order by o.total desc", 8),
    ]))
    T.append(("set-autocommit-is-a-query", "0", 10, [
        Ev("SET autocommit=0;", "0.000200", "set autocommit=?", meta=("SET timestamp=1714557601;",)),
        Ev("SET NAMES binary;", "0.000100", "set names binary"),
        Ev("commit;", "0.000300", "commit"),
    ]))
    T.append(("administrator-commands", "0", 10, [
        Ev("Quit", "0.500000", None, admin=True),
        Ev("Ping", "0.600000", None, admin=True),
        Ev("select 1 from dual", "0.100000", "select ? from dual"),
    ]))
    T.append(("in-and-values-lists", "0", 10, [
        Ev("select * from t where id in (1, 2, 3)", "0.100000", "select * from t where id in(?+)"),
        Ev("select * from t where id IN(4,5)", "0.100000", "select * from t where id in(?+)"),
        Ev("insert into t (a, b) values (1, 'x'), (2, 'y'),(3,'z')", "0.200000", "insert into t (a, b) values(?+)"),
        Ev("insert into t (a, b) VALUES(7, NULL)", "0.300000", "insert into t (a, b) values(?+)"),
        Ev("select * from t where id in (select id from u where k = 1)", "0.050000",
           "select * from t where id in (select id from u where k = ?)"),
    ]))
    T.append(("case-and-whitespace", "0", 10, [
        Ev("SELECT   Name\tFROM Users  WHERE   Id = 1 ;", "0.100000", "select name from users where id = ?"),
        Ev("select name from users where id = 2", "0.200000", "select name from users where id = ?"),
        Ev("   Select NAME from USERS where ID=3   ", "0.300000", "select name from users where id=?"),
    ]))
    T.append(("comments", "0", 10, [
        Ev("select /* hint */ a from t where b = 1 -- trailing note", "0.100000", "select a from t where b = ?"),
        Ev("select a from t # why\nwhere b = 2", "0.100000", "select a from t where b = ?"),
        Ev("/* app:checkout */ select a from t where b = 3", "0.100000", "select a from t where b = ?"),
    ]))
    T.append(("digits-in-identifiers", "0", 10, [
        Ev("select * from users_2021 where id = 10", "0.100000", "select * from users_2021 where id = ?"),
        Ev("select col1, 12_13_foo from t2 where x = 3", "0.200000", "select col1, 12_13_foo from t2 where x = ?"),
        Ev("select * from users_2022 where id = 11", "0.300000", "select * from users_2022 where id = ?"),
    ]))
    T.append(("quotes-and-escapes", "0", 10, [
        Ev("select * from t where a = 'it''s -- not a comment' and b = 1", "0.100000",
           "select * from t where a = ? and b = ?"),
        Ev("select * from t where a = 'a\\'b /* no */' and b = 2", "0.100000", "select * from t where a = ? and b = ?"),
        Ev("select * from t where a = \"x # y\" and b = 3", "0.100000", "select * from t where a = ? and b = ?"),
    ]))
    T.append(("banner-mid-log", "0", 10, [
        Ev("select a from t where b = 1", "0.100000", "select a from t where b = ?"),
        Ev("select a from t where b = 2", "0.200000", "select a from t where b = ?", before=BANNER),
    ]))
    T.append(("percona-headers", "0", 10, [
        Ev("select a from t where b = 1", "0.400000", "select a from t where b = ?", 10, percona=True),
        Ev("select a from t where b = 2", "0.100000", "select a from t where b = ?", 5, percona=True,
           minimal=True),
    ]))
    T.append(("top-n-cut-and-tie-order", "0", 3, [
        Ev("select 1 from z", "0.500000", "select ? from z"),
        Ev("select 1 from y", "0.500000", "select ? from y"),
        Ev("select 1 from x", "0.500000", "select ? from x"),
        Ev("select 1 from w", "0.500000", "select ? from w"),
        Ev("select 1 from big", "0.900000", "select ? from big"),
    ]))
    T.append(("exact-time-ties", "0", 10, [
        Ev("select * from b where x = 1", "0.100000", "select * from b where x = ?"),
        Ev("select * from b where x = 2", "0.200000", "select * from b where x = ?"),
        Ev("select * from a where x = 3", "0.300000", "select * from a where x = ?"),
        Ev("select * from c where x = 4", "0.300000", "select * from c where x = ?"),
    ]))
    T.append(("empty-log", "1", 10, []))
    T.append(("nothing-over-threshold", "5", 10, [
        Ev("select a from t", "5.000000", "select a from t"),
        Ev("select b from t", "0.100000", "select b from t"),
    ]))
    return T


def large(rng):
    """~100,000 events and ~50,000 fingerprints in ~27 MB: a linear group lookup is too slow."""
    events = []
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    for i in range(100000):
        k = rng.randrange(50000)
        qt = "%d.%06d" % (rng.randint(0, 3), rng.randint(0, 999999))
        text = ("SELECT c.id, o.total FROM customers_%d c JOIN orders o ON o.customer_id = c.id "
                "WHERE c.id = %d AND o.status = '%s' LIMIT %d, 20;"
                % (k, rng.randint(1, 10**6), rng.choice(words), rng.randint(0, 500)))
        fp = ("select c.id, o.total from customers_%d c join orders o on o.customer_id = c.id "
              "where c.id = ? and o.status = ? limit ?" % k)
        meta = ("SET timestamp=%d;" % (1714557600 + i),) if i % 2 else ()
        events.append(Ev(text, qt, fp, rng.randint(0, 10**6), meta=meta))
    return [("large-100k-events", "0.5", 1000, events)]


def adversarial_long_statement(rng):
    """One 4 MB statement: an IN list of 150,000 numbers, each wrapped in comments and runs of
    whitespace (tabs, newlines), among a few ordinary events. Linear fingerprinting takes well
    under a second; rebuilding the string for every literal replaced is quadratic."""
    parts = []
    for i in range(150000):
        sep = rng.choice([" ", "\t", "  \t ", "\n   ", " " * 20])
        comment = rng.choice(["/* c */", "/* x, y */", "", "-- note\n", "# line\n"])
        parts.append("%d%s%s,%s" % (rng.randint(0, 10**6), sep, comment, sep))
    text = ("SELECT id, name  FROM\tcustomers /* lookup */ WHERE id IN (" + "".join(parts) + "0)"
            + "   AND  name =\n 'x' ;")
    fp = "select id, name from customers where id in(?+) and name = ?"
    events = [Ev(text, "3.000000", fp, 150000)]
    for i in range(50):
        events.append(Ev("select a from t%d where b = %d" % (i % 5, i), "0.%06d" % (900000 + i),
                         "select a from t%d where b = ?" % (i % 5), i))
    return [("adversarial-long-statement", "0.5", 10, events)]


# Each a factor of about sqrt(2) over the last: enough points for a narrow fit.
SCALE_SIZES = [500, 710, 1000, 1410, 2000, 2830, 4000, 5660, 8000, 11310, 16000, 22630, 32000, 45250, 64000, 90510, 128000]


def scale(rng, n):
    """The scaling series: n events over n/2 distinct fingerprints, so that the number of
    groups grows with the log and a linear group lookup shows as n^2."""
    events = []
    for i in range(n):
        k = rng.randrange(max(1, n // 2))
        qt = "%d.%06d" % (rng.randint(0, 3), rng.randint(0, 999999))
        text = "SELECT a, b FROM table_%d WHERE id = %d AND name = 'x%d';" % (k, rng.randint(1, 10**6), i)
        fp = "select a, b from table_%d where id = ? and name = ?" % k
        events.append(Ev(text, qt, fp, rng.randint(0, 1000)))
    return events


def write(outdir, items, banner=True):
    os.makedirs(outdir, exist_ok=True)
    for (name, threshold, top_n, events) in items:
        header = "%s %d" % (threshold, top_n)
        with open(os.path.join(outdir, name + ".in"), "w") as f:
            f.write(log(header, events, banner=banner and bool(events)) if events else header + "\n")
        with open(os.path.join(outdir, name + ".ans"), "w") as f:
            f.write(expected(threshold, top_n, events))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--large", action="store_true")
    args = ap.parse_args()
    if args.large:
        write(args.out, large(random.Random(20241123)))
        write(args.out, adversarial_long_statement(random.Random(7)))
        # Inputs only: the series times a program, its output is not checked.
        for n in SCALE_SIZES:
            with open(os.path.join(args.out, "scale-%d.in" % n), "w") as f:
                f.write(log("0.5 100", scale(random.Random(n), n)))
    else:
        write(args.out, small_tests())


if __name__ == "__main__":
    main()
