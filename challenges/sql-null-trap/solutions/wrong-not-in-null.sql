-- expect: WRONG_ANSWER
-- fails-on: null-in-blocklist
-- Trap: x NOT IN (..., NULL) is never true, so one NULL in the blocklist hides everyone.
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
  AND c.id NOT IN (SELECT customer_id FROM blocklist)
GROUP BY c.id
ORDER BY c.city IS NULL, c.city, c.id;
