#!/usr/bin/env python3
"""Test generator for sql-null-trap.

Writes each test's fixture (SQL script) and expected result (sql-runner's typed canonical
form), computed here procedurally from the data, never by running SQL.

  gen.py --out DIR [--large]   small tests (checked in) or only the large one (made at build time)
"""
import argparse
import os
import random

SCHEMA = """CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  city TEXT,        -- NULL: unknown
  closed_at TEXT    -- NULL: the account is open
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  amount INTEGER,   -- NULL: not known yet
  status TEXT       -- 'paid', 'cancelled', or NULL = pending
);
CREATE TABLE blocklist (customer_id INTEGER);
CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX blocklist_customer ON blocklist(customer_id);
"""

COLUMNS = ["id", "name", "city", "orders", "unknown_amounts", "total", "avg_amount"]


def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + v.replace("'", "''") + "'"


def fixture(customers, orders, blocklist):
    out = [SCHEMA, "BEGIN;"]
    for c in customers:
        out.append("INSERT INTO customers VALUES (%s);" % ", ".join(lit(x) for x in c))
    for o in orders:
        out.append("INSERT INTO orders VALUES (%s);" % ", ".join(lit(x) for x in o))
    for b in blocklist:
        out.append("INSERT INTO blocklist VALUES (%s);" % lit(b))
    out.append("COMMIT;")
    return "\n".join(out) + "\n"


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def expected(customers, orders, blocklist):
    """The task, spelled out: open customers not on the blocklist, their non-cancelled orders."""
    blocked = {b for b in blocklist if b is not None}
    by_customer = {}
    for (_, cid, amount, status) in orders:
        if status == "cancelled":
            continue  # pending (NULL) and paid both count
        by_customer.setdefault(cid, []).append(amount)
    rows = []
    for (cid, name, city, closed_at) in customers:
        if closed_at is not None or cid in blocked:
            continue
        amounts = by_customer.get(cid, [])
        known = [a for a in amounts if a is not None]
        total = sum(known)
        avg = (total / len(known)) if known else None
        rows.append((city is None, city or "", cid, name, city, len(amounts),
                     len(amounts) - len(known), total, avg))
    rows.sort(key=lambda r: (r[0], r[1].encode(), r[2]))
    lines = ["#cols\t" + "\t".join(COLUMNS)]
    for (_, _, cid, name, city, n, unknown, total, avg) in rows:
        vals = ["I%d" % cid, "T" + esc(name), "T" + esc(city if city is not None else "(unknown)"),
                "I%d" % n, "I%d" % unknown, "I%d" % total,
                "N" if avg is None else "R%s" % repr(float(avg))]
        lines.append("\t".join(vals))
    return "\n".join(lines) + "\n"


def base():
    """Clean data: every customer open or closed, known city, non-cancelled known orders."""
    customers = [(1, "Ann", "Berlin", None), (2, "Bob", "Amsterdam", None),
                 (3, "Cid", "Berlin", "2024-01-31"), (4, "Dan", "Oslo", None),
                 (5, "Eve", "Amsterdam", None), (6, "Fay", "Lisbon", None)]
    orders = [(1, 1, 100, "paid"), (2, 1, 300, "paid"), (3, 2, 80, "paid"), (4, 3, 999, "paid"),
              (5, 4, 10, "paid"), (6, 5, 20, "paid"), (7, 5, 40, "paid"), (8, 6, 70, "paid")]
    return customers, orders, [4]


def tests():
    """(name, customers, orders, blocklist): one trap each, named after it."""
    out = []
    c, o, b = base()
    out.append(("open-customers-only", c, o, b))

    c, o, b = base()
    c = c + [(7, "Gus", "Madrid", None)]  # open, never ordered
    out.append(("customer-without-orders", c, o, b))

    c, o, b = base()
    o = o + [(9, 2, 50, None), (10, 6, 30, None)]  # pending orders count
    out.append(("pending-status-null", c, o, b))

    c, o, b = base()
    c = c + [(7, "Gus", "Madrid", None)]
    o = o + [(9, 7, 500, "cancelled"), (10, 7, 20, "cancelled"), (11, 1, 5, "cancelled")]
    out.append(("all-orders-cancelled", c, o, b))

    c, o, b = base()
    o = o + [(9, 1, None, "paid"), (10, 5, None, "paid")]  # unknown amounts
    out.append(("null-amounts", c, o, b))

    c, o, b = base()
    c = c + [(7, "Gus", "Madrid", None)]
    o = o + [(9, 7, None, "paid"), (10, 7, None, None)]
    out.append(("every-amount-unknown", c, o, b))

    c, o, b = base()
    b = b + [None]
    out.append(("null-in-blocklist", c, o, b))

    c, o, b = base()
    c = c + [(7, "Gus", None, None), (8, "Hal", None, None), (9, "Ivy", "Zagreb", None)]
    o = o + [(9, 7, 1, "paid"), (10, 8, 2, "paid"), (11, 9, 3, "paid")]
    out.append(("unknown-cities-last", c, o, b))

    c, o, b = base()
    o = o + [(9, 2, 81, "paid"), (10, 6, 1, "paid"), (11, 6, 1, "paid")]  # 80.5, 24.0
    o = [x for x in o if x[0] != 8] + [(12, 6, 70, "paid")]
    out.append(("fractional-averages", c, o, b))

    c = [(1, "Ann", "Berlin", "2024-02-01"), (2, "Bob", "Amsterdam", None)]
    o = [(1, 1, 10, "paid"), (2, 2, 20, "paid")]
    out.append(("nothing-qualifies", c, o, [2]))
    return out


def large(seed=20240531):
    """20,000 customers, ~100,000 orders: an indexed join passes, a scan per customer does not."""
    rng = random.Random(seed)
    cities = ["Amsterdam", "Berlin", "Lisbon", "Madrid", "Oslo", "Paris", "Rome", "Vienna", None]
    customers = []
    for i in range(1, 20001):
        closed = "2024-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.1 else None
        customers.append((i, "customer%05d" % i, rng.choice(cities), closed))
    orders = []
    oid = 1
    for i in range(1, 20001):
        for _ in range(rng.randint(0, 9)):
            amount = rng.randint(1, 10000) if rng.random() > 0.05 else None
            status = rng.choice(["paid", "paid", "paid", "cancelled", None])
            orders.append((oid, i, amount, status))
            oid += 1
    blocklist = rng.sample(range(1, 20001), 500) + [None]
    return [("large-20000-customers", customers, orders, blocklist)]


def sample():
    c = [(1, "Ann", "Berlin", None), (2, "Bob", "Amsterdam", None), (3, "Cid", "Berlin", "2024-01-31"),
         (4, "Dan", "Oslo", None), (5, "Eve", "Amsterdam", None)]
    o = [(1, 1, 100, "paid"), (2, 1, 300, "paid"), (3, 1, 50, "cancelled"), (4, 2, 80, "paid"),
         (5, 3, 999, "paid"), (6, 4, 10, "paid"), (7, 5, 20, "paid"), (8, 5, 40, "paid"),
         (9, 5, 70, "cancelled")]
    return [("sample", c, o, [4])]


def write(outdir, items):
    os.makedirs(outdir, exist_ok=True)
    for (name, c, o, b) in items:
        with open(os.path.join(outdir, name + ".sql"), "w") as f:
            f.write(fixture(c, o, b))
        with open(os.path.join(outdir, name + ".ans"), "w") as f:
            f.write(expected(c, o, b))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--large", action="store_true", help="only the large test")
    args = ap.parse_args()
    write(args.out, large() if args.large else sample() + tests())


if __name__ == "__main__":
    main()
