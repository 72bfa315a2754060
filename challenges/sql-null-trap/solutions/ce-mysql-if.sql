-- expect: COMPILATION_ERROR
-- MySQL's IF() does not exist in SQLite 3.40: a compilation error with SQLite's message.
SELECT c.id, c.name, IF(c.city IS NULL, '(unknown)', c.city) AS city
FROM customers c;
