# Multi-table UPDATE and DELETE (JOIN and comma forms, aliases, several targets, rowid tables, outer joins, each target row changed once), with their errors.
CREATE TABLE cust (id INT PRIMARY KEY, name VARCHAR(10), tier VARCHAR(8), spent DECIMAL(8,2) DEFAULT '0.00');
----
ok 0

CREATE TABLE ord (oid INT PRIMARY KEY, cid INT, amount DECIMAL(8,2), status VARCHAR(8), KEY kc (cid));
----
ok 0

CREATE TABLE note (cid INT, txt VARCHAR(20));
----
ok 0

INSERT INTO cust VALUES (1, 'ann', 'basic', 0), (2, 'bob', 'basic', 0), (3, 'cy', 'basic', 0), (4, 'dee', 'gold', 0);
----
ok 4

INSERT INTO ord VALUES (10, 1, 50.00, 'open'), (11, 1, 70.00, 'open'), (12, 2, 5.00, 'open'), (13, 9, 1.00, 'open');
----
ok 4

INSERT INTO note VALUES (1, 'vip'), (1, 'vip'), (3, 'late'), (NULL, 'orphan');
----
ok 4

# Each customer row changes once (with its first matching order), as MySQL does.
UPDATE cust c JOIN ord o ON o.cid = c.id SET c.spent = c.spent + o.amount WHERE o.amount > 1;
----
ok 2

SELECT id, spent FROM cust ORDER BY id;
----
id | spent
1 | 50.00
2 | 5.00
3 | 0.00
4 | 0.00

UPDATE cust, ord SET cust.tier = 'silver', ord.status = 'vip' WHERE ord.cid = cust.id AND ord.amount >= 50;
----
ok 3

SELECT id, tier FROM cust ORDER BY id;
----
id | tier
1 | silver
2 | basic
3 | basic
4 | gold

SELECT oid, status FROM ord ORDER BY oid;
----
oid | status
10 | vip
11 | vip
12 | open
13 | open

UPDATE cust c LEFT JOIN ord o ON o.cid = c.id SET c.tier = 'none' WHERE o.oid IS NULL;
----
ok 2

SELECT id, tier FROM cust ORDER BY id;
----
id | tier
1 | silver
2 | basic
3 | none
4 | none

# Both identical note rows of customer 1 go (a table without a primary key).
DELETE n FROM note n JOIN cust c ON c.id = n.cid WHERE c.tier = 'silver';
----
ok 2

SELECT cid, txt FROM note ORDER BY txt;
----
cid | txt
3 | late
NULL | orphan

DELETE cust, ord FROM cust JOIN ord ON ord.cid = cust.id WHERE cust.id = 2;
----
ok 2

SELECT (SELECT COUNT(*) FROM cust) AS custs, (SELECT COUNT(*) FROM ord) AS ords;
----
custs | ords
3 | 3

# Orders of customers that do not exist.
DELETE o FROM ord o LEFT JOIN cust c ON c.id = o.cid WHERE c.id IS NULL;
----
ok 1

SELECT oid FROM ord ORDER BY oid;
----
oid
10
11

DELETE x FROM cust c JOIN ord o ON o.cid = c.id;
----
error 1109: Unknown table 'x' in MULTI DELETE

UPDATE cust c JOIN ord o ON o.cid = c.id SET nosuch = 1;
----
error 1054: Unknown column 'nosuch' in 'field list'

UPDATE cust c JOIN cust d ON c.id = d.id SET id = 5;
----
error 1052: Column 'id' in field list is ambiguous

UPDATE cust c JOIN ord o ON o.cid = c.id SET c.tier = 'x' ORDER BY c.id LIMIT 1;
----
error 1221: Incorrect usage of UPDATE and ORDER BY / LIMIT

UPDATE cust c JOIN ord o ON o.cid = c.id SET c.name = NULL;
----
ok 1
