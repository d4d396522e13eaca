# Transactions: BEGIN/COMMIT/ROLLBACK, snapshot isolation between sessions, first committer wins (9007), statement atomicity.
CREATE TABLE acct (id INT PRIMARY KEY, bal INT NOT NULL);
----
ok 0

INSERT INTO acct VALUES (1, 100), (2, 100);
----
ok 2

BEGIN;
----
ok 0

UPDATE acct SET bal = bal - 30 WHERE id = 1;
----
ok 1

UPDATE acct SET bal = bal + 30 WHERE id = 2;
----
ok 1

SELECT * FROM acct ORDER BY id;
----
id | bal
1 | 70
2 | 130

@c2 SELECT * FROM acct ORDER BY id;
----
id | bal
1 | 100
2 | 100

COMMIT;
----
ok 0

@c2 SELECT * FROM acct ORDER BY id;
----
id | bal
1 | 70
2 | 130

START TRANSACTION;
----
ok 0

DELETE FROM acct WHERE id = 1;
----
ok 1

SELECT COUNT(*) FROM acct;
----
COUNT(*)
1

ROLLBACK;
----
ok 0

SELECT COUNT(*) FROM acct;
----
COUNT(*)
2

@c2 BEGIN;
----
ok 0

@c2 SELECT bal FROM acct WHERE id = 1;
----
bal
70

UPDATE acct SET bal = 0 WHERE id = 1;
----
ok 1

@c2 SELECT bal FROM acct WHERE id = 1;
----
bal
70

@c2 COMMIT;
----
ok 0

BEGIN;
----
ok 0

@c2 BEGIN;
----
ok 0

UPDATE acct SET bal = bal + 1 WHERE id = 2;
----
ok 1

@c2 UPDATE acct SET bal = bal + 2 WHERE id = 2;
----
ok 1

@c2 COMMIT;
----
ok 0

COMMIT;
----
error 9007: Write conflict, txnStartTS=<ts>, conflictCommitTS=<ts>, key={tableID=<id>, handle=2}, reason=Optimistic [try again later]

SELECT * FROM acct ORDER BY id;
----
id | bal
1 | 0
2 | 132

BEGIN;
----
ok 0

INSERT INTO acct VALUES (3, 3);
----
ok 1

INSERT INTO acct VALUES (4, 4), (1, 1);
----
error 1062: Duplicate entry '1' for key 'acct.PRIMARY'

SELECT * FROM acct ORDER BY id;
----
id | bal
1 | 0
2 | 132
3 | 3

COMMIT;
----
ok 0

SELECT * FROM acct ORDER BY id;
----
id | bal
1 | 0
2 | 132
3 | 3

SET autocommit = 0;
----
ok 0

SELECT @@autocommit;
----
@@autocommit
0

INSERT INTO acct VALUES (5, 5);
----
ok 1

@c2 SELECT COUNT(*) FROM acct;
----
COUNT(*)
3

COMMIT;
----
ok 0

@c2 SELECT COUNT(*) FROM acct;
----
COUNT(*)
4

SET autocommit = 1;
----
ok 0

BEGIN;
----
ok 0

INSERT INTO acct VALUES (6, 6);
----
ok 1

CREATE TABLE other (a INT);
----
ok 0

@c2 SELECT COUNT(*) FROM acct WHERE id = 6;
----
COUNT(*)
1

BEGIN;
----
ok 0

@c2 BEGIN;
----
ok 0

INSERT INTO acct VALUES (7, 7);
----
ok 1

@c2 INSERT INTO acct VALUES (7, 8);
----
ok 1

COMMIT;
----
ok 0

@c2 COMMIT;
----
error 9007: Write conflict, txnStartTS=<ts>, conflictCommitTS=<ts>, key={tableID=<id>, handle=7}, reason=Optimistic [try again later]

SELECT * FROM acct WHERE id = 7;
----
id | bal
7 | 7
