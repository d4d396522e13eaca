# Common table expressions: WITH (several, chained, shadowing a table, in subqueries and derived tables, column lists) and WITH RECURSIVE (UNION ALL / DISTINCT, hierarchies, depth limit), with errors.
CREATE TABLE emp (id INT PRIMARY KEY, mgr INT, name VARCHAR(10), salary DECIMAL(8,2));
----
ok 0

INSERT INTO emp VALUES (1, NULL, 'ceo', 300.00), (2, 1, 'vp', 200.00), (3, 2, 'dir', 150.00), (4, 2, 'dir2', 140.00), (5, 3, 'eng', 100.00), (6, NULL, 'solo', 50.00);
----
ok 6

WITH rich AS (SELECT id, name FROM emp WHERE salary >= 150) SELECT * FROM rich ORDER BY id;
----
id | name
1 | ceo
2 | vp
3 | dir

WITH a(x) AS (SELECT 1), b AS (SELECT x + 1 AS y FROM a) SELECT a.x, b.y FROM a JOIN b;
----
x | y
1 | 2

WITH emp AS (SELECT 7 AS id) SELECT * FROM emp;
----
id
7

SELECT name FROM emp WHERE id IN (WITH w AS (SELECT mgr FROM emp WHERE mgr IS NOT NULL) SELECT mgr FROM w) ORDER BY name;
----
name
ceo
dir
vp

SELECT d.total FROM (WITH s AS (SELECT SUM(salary) AS total FROM emp) SELECT total FROM s) d;
----
total
940.00

WITH per_mgr AS (SELECT mgr, COUNT(*) AS n, AVG(salary) AS avg_sal FROM emp WHERE mgr IS NOT NULL GROUP BY mgr) SELECT e.name, p.n, p.avg_sal FROM per_mgr p JOIN emp e ON e.id = p.mgr ORDER BY e.name;
----
name | n | avg_sal
ceo | 1 | 200.000000
dir | 1 | 100.000000
vp | 2 | 145.000000

WITH empty AS (SELECT * FROM emp WHERE id < 0) SELECT COUNT(*), MAX(name) FROM empty;
----
COUNT(*) | MAX(name)
0 | NULL

WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 5) SELECT n, n * n AS sq FROM seq;
----
n | sq
1 | 1
2 | 4
3 | 9
4 | 16
5 | 25

WITH RECURSIVE chain AS (SELECT id, name, 0 AS lvl, CAST(name AS CHAR(100)) AS path FROM emp WHERE mgr IS NULL UNION ALL SELECT e.id, e.name, c.lvl + 1, CONCAT(c.path, '>', e.name) FROM emp e JOIN chain c ON e.mgr = c.id) SELECT * FROM chain ORDER BY lvl, id;
----
id | name | lvl | path
1 | ceo | 0 | ceo
6 | solo | 0 | solo
2 | vp | 1 | ceo>vp
3 | dir | 2 | ceo>vp>dir
4 | dir2 | 2 | ceo>vp>dir2
5 | eng | 3 | ceo>vp>dir>eng

# UNION (DISTINCT) ends a cycle: the graph 1→2→3→1 yields each node once.
WITH RECURSIVE reach(n) AS (SELECT 1 UNION SELECT CASE n WHEN 3 THEN 1 ELSE n + 1 END FROM reach) SELECT * FROM reach ORDER BY n;
----
n
1
2
3

WITH RECURSIVE fib(i, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT i + 1, b, a + b FROM fib WHERE i < 10) SELECT SUM(a), MAX(b) FROM fib;
----
SUM(a) | MAX(b)
88 | 55

WITH RECURSIVE forever(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM forever) SELECT COUNT(*) FROM forever;
----
error 3636: Recursive query aborted after 1001 iterations. Try increasing @@cte_max_recursion_depth to a larger value.

SET SESSION cte_max_recursion_depth = 2000;
----
ok 0

WITH RECURSIVE deep(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM deep WHERE n < 1500) SELECT COUNT(*), MAX(n) FROM deep;
----
COUNT(*) | MAX(n)
1500 | 1500

WITH RECURSIVE bad AS (SELECT n FROM bad UNION ALL SELECT 1) SELECT * FROM bad;
----
error 3574: Recursive Common Table Expression 'bad' should have one or more non-recursive query blocks followed by one or more recursive ones

WITH RECURSIVE agg(n) AS (SELECT 1 UNION ALL SELECT COUNT(*) FROM agg) SELECT * FROM agg;
----
error 3575: Recursive Common Table Expression 'agg' can contain neither aggregation nor window functions in recursive query block

WITH x AS (SELECT 1), x AS (SELECT 2) SELECT * FROM x;
----
error 1066: Not unique table/alias: 'x'

WITH x(a, b) AS (SELECT 1) SELECT * FROM x;
----
error 1353: In definition of view, derived table or common table expression, SELECT list and column names list have different column counts

WITH x(a, a) AS (SELECT 1, 2) SELECT * FROM x;
----
error 1060: Duplicate column name 'a'

WITH x AS (SELECT 1 AS v) SELECT * FROM nosuch;
----
error 1146: Table 'test.nosuch' doesn't exist
