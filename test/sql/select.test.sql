# Queries: WHERE, GROUP BY/HAVING, aggregates, ORDER BY, LIMIT, DISTINCT, joins, subqueries, UNION, empty tables, NULLs.
CREATE TABLE emp (id INT PRIMARY KEY, name VARCHAR(20), dept INT, salary DECIMAL(10,2), boss INT, KEY kd (dept));
----
ok 0

CREATE TABLE dept (id INT PRIMARY KEY, dname VARCHAR(20));
----
ok 0

SELECT * FROM emp;
----
id | name | dept | salary | boss

SELECT COUNT(*), SUM(salary), AVG(salary), MIN(name), MAX(salary) FROM emp;
----
COUNT(*) | SUM(salary) | AVG(salary) | MIN(name) | MAX(salary)
0 | NULL | NULL | NULL | NULL

SELECT dept, COUNT(*) FROM emp GROUP BY dept;
----
dept | COUNT(*)

INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty');
----
ok 3

INSERT INTO emp VALUES (1, 'ann', 1, 100.00, NULL), (2, 'bob', 1, 80.50, 1), (3, 'cid', 2, 70.25, 1), (4, 'dee', 2, NULL, 3), (5, 'eve', NULL, 60.00, 3);
----
ok 5

SELECT name FROM emp WHERE salary > 75 ORDER BY name;
----
name
ann
bob

SELECT name FROM emp WHERE salary IS NULL OR dept IS NULL ORDER BY id;
----
name
dee
eve

SELECT name FROM emp WHERE dept IN (2, NULL) ORDER BY id;
----
name
cid
dee

SELECT name FROM emp WHERE dept NOT IN (1, NULL);
----
name

SELECT name FROM emp WHERE salary BETWEEN 70 AND 90 ORDER BY salary DESC;
----
name
bob
cid

SELECT name FROM emp WHERE name LIKE '_e%' ORDER BY name;
----
name
dee

SELECT dept, COUNT(*) AS n, COUNT(salary), SUM(salary), AVG(salary) FROM emp GROUP BY dept ORDER BY dept;
----
dept | n | COUNT(salary) | SUM(salary) | AVG(salary)
NULL | 1 | 1 | 60.00 | 60.000000
1 | 2 | 2 | 180.50 | 90.250000
2 | 2 | 1 | 70.25 | 70.250000

SELECT dept, COUNT(*) AS n FROM emp GROUP BY dept HAVING n > 1 ORDER BY n DESC, dept;
----
dept | n
1 | 2
2 | 2

SELECT COUNT(DISTINCT dept), COUNT(dept), COUNT(*) FROM emp;
----
COUNT(DISTINCT dept) | COUNT(dept) | COUNT(*)
2 | 4 | 5

SELECT DISTINCT dept FROM emp ORDER BY dept;
----
dept
NULL
1
2

SELECT name FROM emp ORDER BY salary DESC LIMIT 2;
----
name
ann
bob

SELECT name FROM emp ORDER BY id LIMIT 2 OFFSET 3;
----
name
dee
eve

SELECT name FROM emp ORDER BY id LIMIT 1, 2;
----
name
bob
cid

SELECT e.name, d.dname FROM emp e JOIN dept d ON e.dept = d.id ORDER BY e.name;
----
name | dname
ann | eng
bob | eng
cid | ops
dee | ops

SELECT e.name, d.dname FROM emp e LEFT JOIN dept d ON e.dept = d.id ORDER BY e.id;
----
name | dname
ann | eng
bob | eng
cid | ops
dee | ops
eve | NULL

SELECT e.name, d.dname FROM emp e RIGHT JOIN dept d ON e.dept = d.id ORDER BY d.id, e.name;
----
name | dname
ann | eng
bob | eng
cid | ops
dee | ops
NULL | empty

SELECT a.name, b.name AS boss FROM emp a LEFT JOIN emp b ON a.boss = b.id ORDER BY a.id;
----
name | boss
ann | NULL
bob | ann
cid | ann
dee | cid
eve | cid

SELECT COUNT(*) FROM emp, dept;
----
COUNT(*)
15

SELECT name FROM emp WHERE dept IN (SELECT id FROM dept WHERE dname = 'ops') ORDER BY name;
----
name
cid
dee

SELECT name FROM emp WHERE salary = (SELECT MAX(salary) FROM emp);
----
name
ann

SELECT dname FROM dept WHERE EXISTS (SELECT 1 FROM emp WHERE salary > 90);
----
dname
eng
ops
empty

SELECT dname FROM dept WHERE NOT EXISTS (SELECT 1 FROM emp WHERE salary > 1000) ORDER BY id;
----
dname
eng
ops
empty

SELECT (SELECT name FROM emp WHERE id = 2) AS n;
----
n
bob

SELECT (SELECT name FROM emp) AS n;
----
error 1242: Subquery returns more than 1 row

SELECT name FROM emp WHERE id < 3 UNION SELECT dname FROM dept ORDER BY 1;
----
name
ann
bob
empty
eng
ops

SELECT dept FROM emp UNION ALL SELECT id FROM dept ORDER BY 1 LIMIT 4;
----
dept
NULL
1
1
1

SELECT dept FROM emp UNION SELECT id FROM dept;
----
dept
1
2
NULL
3

SELECT 1, 2 UNION SELECT 1;
----
error 1222: The used SELECT statements have a different number of columns

SELECT * FROM (SELECT dept, COUNT(*) AS n FROM emp GROUP BY dept) AS g WHERE n = 2 ORDER BY dept;
----
dept | n
1 | 2
2 | 2

SELECT dept, MAX(salary) - MIN(salary) AS spread FROM emp WHERE dept IS NOT NULL GROUP BY dept ORDER BY spread DESC;
----
dept | spread
1 | 19.50
2 | 0.00

SELECT name, CASE WHEN salary >= 80 THEN 'high' WHEN salary IS NULL THEN 'unknown' ELSE 'low' END AS band FROM emp ORDER BY id;
----
name | band
ann | high
bob | high
cid | low
dee | unknown
eve | low

SELECT UPPER(name), LENGTH(name), CONCAT(name, '-', dept) FROM emp ORDER BY id LIMIT 3;
----
UPPER(name) | LENGTH(name) | CONCAT(name, '-', dept)
ANN | 3 | ann-1
BOB | 3 | bob-1
CID | 3 | cid-2

SELECT emp.* FROM emp WHERE id = 1;
----
id | name | dept | salary | boss
1 | ann | 1 | 100.00 | NULL

SELECT nosuch FROM emp;
----
error 1054: Unknown column 'nosuch' in 'field list'

SELECT id FROM emp e JOIN dept d ON e.dept = d.id;
----
error 1052: Column 'id' in field list is ambiguous

SELECT name, COUNT(*) FROM emp WHERE COUNT(*) > 1;
----
error 1111: Invalid use of group function

# Correlated subqueries (nested-loop apply, re-run per outer row).
SELECT name FROM emp e WHERE salary > (SELECT AVG(salary) FROM emp x WHERE x.dept = e.dept) ORDER BY name;
----
name
ann

SELECT dname FROM dept d WHERE EXISTS (SELECT 1 FROM emp WHERE emp.dept = d.id) ORDER BY dname;
----
dname
eng
ops

SELECT dname FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp WHERE emp.dept = d.id);
----
dname
empty

SELECT d.dname, (SELECT COUNT(*) FROM emp WHERE emp.dept = d.id) AS n FROM dept d ORDER BY d.id;
----
dname | n
eng | 2
ops | 2
empty | 0

SELECT name FROM emp e WHERE e.id IN (SELECT boss FROM emp b WHERE b.dept = e.dept) ORDER BY name;
----
name
ann
cid

# @compare: memory root (the pushed run names the operators really sent to TiKV)
EXPLAIN SELECT dname FROM dept d WHERE EXISTS (SELECT 1 FROM emp WHERE emp.dept = d.id);
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | dname
└─Apply+Selection_2 | N/A | root |  | exists(subquery)
  ├─TableReader_3 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
  │ └─TableFullScan_4 | N/A | cop[tikv] | table:d | table:d, keep order:false
  └─Projection_5 | N/A | root |  | 1
    └─TableReader_6 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
      └─Selection_7 | N/A | cop[tikv] |  | emp.dept = d.id
        └─TableFullScan_8 | N/A | cop[tikv] | table:emp | table:emp, keep order:false

SELECT id FROM dept d ORDER BY (SELECT COUNT(*) FROM emp WHERE emp.dept = d.id);
----
id
3
1
2

# Comma joins: WHERE equalities between the tables become hash-join keys (no cross product).
SELECT e.name, d.dname, b.name FROM emp e, dept d, emp b WHERE e.dept = d.id AND e.boss = b.id AND d.id > 0 ORDER BY e.name;
----
name | dname | name
bob | eng | ann
cid | ops | ann
dee | ops | cid

# @compare: memory root (the pushed run names the operators really sent to TiKV)
EXPLAIN SELECT e.name, d.dname FROM emp e, dept d WHERE d.id = e.dept AND e.salary > 10;
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | e.name, d.dname
└─Selection_2 | N/A | root |  | d.id = e.dept and e.salary > 10
  └─HashJoin_3 | N/A | root |  | inner join, equal:[eq(e.dept, d.id)]
    ├─TableReader_4 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
    │ └─Selection_5 | N/A | cop[tikv] |  | e.salary > 10
    │   └─TableFullScan_6 | N/A | cop[tikv] | table:e | table:e, keep order:false
    └─TableReader_7 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
      └─TableFullScan_8 | N/A | cop[tikv] | table:d | table:d, keep order:false

SELECT COUNT(*) FROM emp e, dept d WHERE e.dept = d.id OR e.dept IS NULL;
----
COUNT(*)
7
