# Queries the coprocessor can run: on the cluster targets the table spans regions split at handles 2/4/7/100, pushed (per region) vs root vs memory must agree.
CREATE TABLE pd (id BIGINT PRIMARY KEY, a INT, b INT UNSIGNED, d DECIMAL(10,2), r DOUBLE, f FLOAT, s VARCHAR(20), c CHAR(5), bi BIGINT, bu BIGINT UNSIGNED);
----
ok 0

INSERT INTO pd VALUES
  (-5, -1, 0, -1.50, -2.5, 1.5, 'neg', 'n', -9223372036854775808, 0),
  (0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (1, 1, 1, 1.10, 1.5, 0.5, 'a', 'a', 1, 1),
  (2, 2, 4294967295, 99999999.99, 1e300, -0.25, 'b ', 'b', 9223372036854775807, 18446744073709551615),
  (3, 2, 3, 0.01, 0.1, 0.2, 'B', 'bb', -1, 9223372036854775808),
  (4, 3, 4, 4.00, -0.0, 4.5, 'b', 'b', 4, 4),
  (6, 3, 6, -6.60, '6e-10', -6.5, '', '', 6, 6),
  (7, NULL, 7, 7.77, NULL, 7.25, 'seven', 'se', NULL, 7),
  (50, 50, 50, 50.50, 50.5, 50.5, 'fifty', 'f', 50, 50),
  (100, -100, 100, -100.00, -100, -100, 'hundred', 'h', -100, 100),
  (101, 1, 101, 1.10, 1.5, 0.5, 'a', 'a', 101, 101),
  (1000, 2, 1000, 0.01, 1000, 1000, 'z', 'zz', 1000, 1000);
----
ok 12

SELECT * FROM pd;
----
id | a | b | d | r | f | s | c | bi | bu
-5 | -1 | 0 | -1.50 | -2.5 | 1.5 | neg | n | -9223372036854775808 | 0
0 | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL
1 | 1 | 1 | 1.10 | 1.5 | 0.5 | a | a | 1 | 1
2 | 2 | 4294967295 | 99999999.99 | 1e300 | -0.25 | b  | b | 9223372036854775807 | 18446744073709551615
3 | 2 | 3 | 0.01 | 0.1 | 0.2 | B | bb | -1 | 9223372036854775808
4 | 3 | 4 | 4.00 | 0 | 4.5 | b | b | 4 | 4
6 | 3 | 6 | -6.60 | 6e-10 | -6.5 |  |  | 6 | 6
7 | NULL | 7 | 7.77 | NULL | 7.25 | seven | se | NULL | 7
50 | 50 | 50 | 50.50 | 50.5 | 50.5 | fifty | f | 50 | 50
100 | -100 | 100 | -100.00 | -100 | -100 | hundred | h | -100 | 100
101 | 1 | 101 | 1.10 | 1.5 | 0.5 | a | a | 101 | 101
1000 | 2 | 1000 | 0.01 | 1000 | 1000 | z | zz | 1000 | 1000

SELECT id FROM pd WHERE id > -10 AND id < 5;
----
id
-5
0
1
2
3
4

SELECT id FROM pd WHERE id BETWEEN 3 AND 100;
----
id
3
4
6
7
50
100

SELECT id, a FROM pd WHERE a > 1;
----
id | a
2 | 2
3 | 2
4 | 3
6 | 3
50 | 50
1000 | 2

SELECT id FROM pd WHERE a IS NULL;
----
id
0
7

SELECT id FROM pd WHERE a IS NOT NULL AND a <= 2;
----
id
-5
1
2
3
100
101
1000

SELECT id FROM pd WHERE NOT (a = 2);
----
id
-5
1
4
6
50
100
101

SELECT id FROM pd WHERE a = 2 OR s = 'z';
----
id
2
3
1000

SELECT id FROM pd WHERE a BETWEEN -1 AND 3;
----
id
-5
1
2
3
4
6
101
1000

SELECT id FROM pd WHERE a NOT BETWEEN -1 AND 3;
----
id
50
100

SELECT id FROM pd WHERE a IN (1, 3, 50);
----
id
1
4
6
50
101

SELECT id FROM pd WHERE a = id;
----
id
1
2
50

SELECT id FROM pd WHERE b > 6;
----
id
2
7
50
100
101
1000

SELECT id FROM pd WHERE b >= 4294967295;
----
id
2

SELECT id FROM pd WHERE bu > 9223372036854775807;
----
id
2
3

SELECT id FROM pd WHERE bi < 0;
----
id
-5
3
100

SELECT id FROM pd WHERE d > 1;
----
id
1
2
4
7
50
101

SELECT id FROM pd WHERE d = 0.01;
----
id
3
1000

SELECT id FROM pd WHERE d <= -1.5;
----
id
-5
6
100

SELECT id FROM pd WHERE r > 1;
----
id
1
2
50
101
1000

SELECT id FROM pd WHERE r = 0;
----
id
4

SELECT id FROM pd WHERE f < 1;
----
id
1
2
3
6
100
101

SELECT id FROM pd WHERE s = 'b';
----
id
2
4

SELECT id FROM pd WHERE s = 'b ';
----
id
2
4

SELECT id FROM pd WHERE s > 'a' AND s < 'n';
----
id
2
4
50
100

SELECT id FROM pd WHERE s = '';
----
id
6

SELECT id FROM pd WHERE c = 'bb';
----
id
3

SELECT id FROM pd WHERE s LIKE 'f%';
----
id
50

SELECT id FROM pd WHERE a + 1 > 3;
----
id
4
6
50

SELECT id FROM pd WHERE a > '2';
----
id
4
6
50

SELECT COUNT(*), COUNT(a), SUM(a), AVG(a), MIN(a), MAX(a) FROM pd;
----
COUNT(*) | COUNT(a) | SUM(a) | AVG(a) | MIN(a) | MAX(a)
12 | 10 | -37 | -3.7000 | -100 | 50

SELECT SUM(b), AVG(b), MIN(b), MAX(b), SUM(bu), MAX(bu) FROM pd;
----
SUM(b) | AVG(b) | MIN(b) | MAX(b) | SUM(bu) | MAX(bu)
4294968567 | 390451687.9091 | 0 | 4294967295 | 27670116110564328692 | 18446744073709551615

SELECT SUM(d), AVG(d), MIN(d), MAX(d) FROM pd;
----
SUM(d) | AVG(d) | MIN(d) | MAX(d)
99999956.38 | 9090905.125455 | -100.00 | 99999999.99

SELECT SUM(r), MIN(r), MAX(r), SUM(f), AVG(f) FROM pd;
----
SUM(r) | MIN(r) | MAX(r) | SUM(f) | AVG(f)
1e300 | -100 | 1e300 | 958.2 | 87.10909090909091

SELECT MIN(s), MAX(s), MIN(c), MAX(c), COUNT(s) FROM pd;
----
MIN(s) | MAX(s) | MIN(c) | MAX(c) | COUNT(s)
 | z |  | zz | 11

SELECT SUM(bi), MIN(bi), MAX(bi) FROM pd WHERE bi > -100;
----
SUM(bi) | MIN(bi) | MAX(bi)
9223372036854776968 | -1 | 9223372036854775807

SELECT a, COUNT(*), SUM(d), AVG(r), MAX(s) FROM pd GROUP BY a ORDER BY a;
----
a | COUNT(*) | SUM(d) | AVG(r) | MAX(s)
NULL | 2 | 7.77 | NULL | seven
-100 | 1 | -100.00 | -100 | hundred
-1 | 1 | -1.50 | -2.5 | neg
1 | 2 | 2.20 | 1.5 | a
2 | 3 | 100000000.01 | 3.3333333333333335e299 | z
3 | 2 | -2.60 | 3e-10 | b
50 | 1 | 50.50 | 50.5 | fifty

SELECT d, COUNT(*), SUM(a) FROM pd GROUP BY d ORDER BY d;
----
d | COUNT(*) | SUM(a)
NULL | 1 | NULL
-100.00 | 1 | -100
-6.60 | 1 | 3
-1.50 | 1 | -1
0.01 | 2 | 4
1.10 | 2 | 2
4.00 | 1 | 3
7.77 | 1 | NULL
50.50 | 1 | 50
99999999.99 | 1 | 2

SELECT s, COUNT(*) FROM pd GROUP BY s ORDER BY s;
----
s | COUNT(*)
NULL | 1
 | 1
B | 1
a | 2
b  | 2
fifty | 1
hundred | 1
neg | 1
seven | 1
z | 1

SELECT b, COUNT(*) FROM pd WHERE b < 10 GROUP BY b ORDER BY b;
----
b | COUNT(*)
0 | 1
1 | 1
3 | 1
4 | 1
6 | 1
7 | 1

SELECT a, COUNT(DISTINCT d), COUNT(DISTINCT s) FROM pd GROUP BY a ORDER BY a;
----
a | COUNT(DISTINCT d) | COUNT(DISTINCT s)
NULL | 1 | 1
-100 | 1 | 1
-1 | 1 | 1
1 | 1 | 1
2 | 2 | 3
3 | 2 | 2
50 | 1 | 1

SELECT COUNT(*), SUM(a) FROM pd WHERE a > 1000;
----
COUNT(*) | SUM(a)
0 | NULL

SELECT a, COUNT(*) FROM pd WHERE a > 1000 GROUP BY a;
----
a | COUNT(*)

SELECT a, SUM(a) FROM pd GROUP BY a HAVING SUM(a) > 2 ORDER BY a;
----
a | SUM(a)
2 | 6
3 | 6
50 | 50

SELECT id FROM pd LIMIT 3;
----
id
-5
0
1

SELECT id FROM pd WHERE a > 0 LIMIT 4;
----
id
1
2
3
4

SELECT id FROM pd WHERE a > 0 LIMIT 2, 3;
----
id
3
4
6

SELECT id, a FROM pd ORDER BY a DESC, id LIMIT 4;
----
id | a
50 | 50
4 | 3
6 | 3
2 | 2

SELECT id FROM pd ORDER BY id DESC LIMIT 3;
----
id
1000
101
100

SELECT id, s FROM pd WHERE s IS NOT NULL ORDER BY s, id LIMIT 5;
----
id | s
6 | 
3 | B
1 | a
101 | a
2 | b 

SELECT COUNT(*) FROM pd p1 JOIN pd p2 ON p1.a = p2.a;
----
COUNT(*)
20

SELECT id FROM pd WHERE a > (SELECT AVG(a) FROM pd);
----
id
-5
1
2
3
4
6
50
101
1000

DELETE FROM pd WHERE id IN (2, 4, 100);
----
ok 3

UPDATE pd SET a = a + 1 WHERE id > 5;
----
ok 4

SELECT id, a FROM pd WHERE a >= 3;
----
id | a
6 | 4
50 | 51
1000 | 3

SELECT COUNT(*), SUM(a), MAX(d) FROM pd;
----
COUNT(*) | SUM(a) | MAX(d)
9 | 62 | 50.50

TRUNCATE TABLE pd;
----
ok 0

SELECT COUNT(*), SUM(a), MIN(s) FROM pd;
----
COUNT(*) | SUM(a) | MIN(s)
0 | NULL | NULL

SELECT a, COUNT(*) FROM pd GROUP BY a;
----
a | COUNT(*)

# A table with time columns is read at the root (not pushable yet) on every target.
CREATE TABLE ptm (id INT PRIMARY KEY, t DATETIME, dt DATE, tm TIME, ts TIMESTAMP);
----
ok 0

INSERT INTO ptm VALUES (-1, '2024-01-01 00:00:00', '2024-01-01', '-01:00:00', '2024-01-01 00:00:00'), (1, '2024-06-01 12:30:00', '2024-06-01', '12:30:00', NULL), (3, NULL, NULL, NULL, '2030-01-01 00:00:00'), (5, '2025-01-01 00:00:01', '2025-01-01', '838:59:59', '2025-01-01 00:00:01'), (8, '2023-12-31 23:59:59', '2023-12-31', '-838:59:59', '2023-12-31 23:59:59'), (200, '2024-01-01 00:00:00', '2024-01-01', '00:00:00', '1999-01-01 00:00:00');
----
ok 6

SELECT id FROM ptm WHERE t > '2024-06-01';
----
id
1
5

SELECT id FROM ptm WHERE dt = '2024-01-01';
----
id
-1
200

SELECT id FROM ptm WHERE tm > '00:00:00';
----
id
1
5

SELECT MIN(t), MAX(t), MIN(dt), MAX(dt), MIN(tm), MAX(tm), MIN(ts), MAX(ts), COUNT(ts) FROM ptm;
----
MIN(t) | MAX(t) | MIN(dt) | MAX(dt) | MIN(tm) | MAX(tm) | MIN(ts) | MAX(ts) | COUNT(ts)
2023-12-31 23:59:59 | 2025-01-01 00:00:01 | 2023-12-31 | 2025-01-01 | -838:59:59 | 838:59:59 | 1999-01-01 00:00:00 | 2030-01-01 00:00:00 | 5

SELECT dt, COUNT(*) FROM ptm GROUP BY dt ORDER BY dt;
----
dt | COUNT(*)
NULL | 1
2023-12-31 | 1
2024-01-01 | 2
2024-06-01 | 1
2025-01-01 | 1
