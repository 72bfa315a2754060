-- expect: WRONG_ANSWER
-- fails-on: unknown-cities-last
-- Trap: SQLite sorts NULL first.
SELECT c.id, c.name,
       COALESCE(c.city, '(unknown)') AS city,
       COUNT(o.id) AS orders,
       COUNT(o.id) - COUNT(o.amount) AS unknown_amounts,
       COALESCE(SUM(o.amount), 0) AS total,
       AVG(o.amount) AS avg_amount
FROM customers c
LEFT JOIN orders o
  ON o.customer_id = c.id AND (o.status IS NULL OR o.status <> 'cancelled')
WHERE c.closed_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM blocklist b WHERE b.customer_id = c.id)
GROUP BY c.id
ORDER BY c.city, c.id;
