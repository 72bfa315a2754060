-- expect: WRONG_ANSWER
-- fails-on: all-orders-cancelled
-- Trap: filtering the right table in WHERE turns the LEFT JOIN into an inner one for
-- customers whose every order is cancelled.
SELECT c.id, c.name,
       COALESCE(c.city, '(unknown)') AS city,
       COUNT(o.id) AS orders,
       COUNT(o.id) - COUNT(o.amount) AS unknown_amounts,
       COALESCE(SUM(o.amount), 0) AS total,
       AVG(o.amount) AS avg_amount
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.id
WHERE c.closed_at IS NULL
  AND (o.id IS NULL OR o.status IS NULL OR o.status <> 'cancelled')
  AND NOT EXISTS (SELECT 1 FROM blocklist b WHERE b.customer_id = c.id)
GROUP BY c.id
ORDER BY c.city IS NULL, c.city, c.id;
