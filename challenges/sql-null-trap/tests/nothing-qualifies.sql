CREATE TABLE customers (
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

BEGIN;
INSERT INTO customers VALUES (1, 'Ann', 'Berlin', '2024-02-01');
INSERT INTO customers VALUES (2, 'Bob', 'Amsterdam', NULL);
INSERT INTO orders VALUES (1, 1, 10, 'paid');
INSERT INTO orders VALUES (2, 2, 20, 'paid');
INSERT INTO blocklist VALUES (2);
COMMIT;
