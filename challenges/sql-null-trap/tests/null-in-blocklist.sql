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
INSERT INTO customers VALUES (1, 'Ann', 'Berlin', NULL);
INSERT INTO customers VALUES (2, 'Bob', 'Amsterdam', NULL);
INSERT INTO customers VALUES (3, 'Cid', 'Berlin', '2024-01-31');
INSERT INTO customers VALUES (4, 'Dan', 'Oslo', NULL);
INSERT INTO customers VALUES (5, 'Eve', 'Amsterdam', NULL);
INSERT INTO customers VALUES (6, 'Fay', 'Lisbon', NULL);
INSERT INTO orders VALUES (1, 1, 100, 'paid');
INSERT INTO orders VALUES (2, 1, 300, 'paid');
INSERT INTO orders VALUES (3, 2, 80, 'paid');
INSERT INTO orders VALUES (4, 3, 999, 'paid');
INSERT INTO orders VALUES (5, 4, 10, 'paid');
INSERT INTO orders VALUES (6, 5, 20, 'paid');
INSERT INTO orders VALUES (7, 5, 40, 'paid');
INSERT INTO orders VALUES (8, 6, 70, 'paid');
INSERT INTO blocklist VALUES (4);
INSERT INTO blocklist VALUES (NULL);
COMMIT;
