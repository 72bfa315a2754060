-- expect: COMPILATION_ERROR
-- Exactly one statement is allowed.
SELECT 1 AS id; SELECT 2 AS id;
