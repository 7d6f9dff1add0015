-- 100 users = 50 sender/receiver pairs (ids 1..100 in a fresh database), like the send scenarios.
INSERT INTO users (name, email, password_hash, email_confirmed)
SELECT 'pg' || g, 'pg' || g || '@bench.test', 'x', true FROM generate_series(1, 100) g;
