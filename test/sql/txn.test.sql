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

# Pessimistic transactions: a second writer waits for the row lock, then sees the first one's commit (no 9007).
CREATE TABLE pacct (id INT PRIMARY KEY, bal INT NOT NULL, u INT, UNIQUE KEY uk (u));
----
ok 0

INSERT INTO pacct VALUES (1, 100, 1), (2, 100, 2);
----
ok 2

BEGIN PESSIMISTIC;
----
ok 0

UPDATE pacct SET bal = bal + 10 WHERE id = 1;
----
ok 1

@c2 BEGIN PESSIMISTIC;
----
ok 0

@c2& UPDATE pacct SET bal = bal * 2 WHERE id = 1;
----
blocked

SELECT bal FROM pacct WHERE id = 1;
----
bal
110

COMMIT;
----
ok 0

@c2 @wait;
----
ok 1

@c2 SELECT bal FROM pacct WHERE id = 1;
----
bal
220

@c2 COMMIT;
----
ok 0

SELECT * FROM pacct ORDER BY id;
----
id | bal | u
1 | 220 | 1
2 | 100 | 2

# START TRANSACTION under tidb_txn_mode = 'pessimistic'; SELECT … FOR UPDATE locks; lock wait timeout (1205) ends only the statement.
SET tidb_txn_mode = 'pessimistic';
----
ok 0

START TRANSACTION;
----
ok 0

SELECT bal FROM pacct WHERE id = 2 FOR UPDATE;
----
bal
100

@c2 SET innodb_lock_wait_timeout = 1;
----
ok 0

@c2 BEGIN PESSIMISTIC;
----
ok 0

@c2 UPDATE pacct SET bal = 0 WHERE id = 2;
----
error 1205: Lock wait timeout exceeded; try restarting transaction

@c2 SELECT bal FROM pacct WHERE id = 2;
----
bal
100

COMMIT;
----
ok 0

@c2 UPDATE pacct SET bal = 0 WHERE id = 2;
----
ok 1

@c2 COMMIT;
----
ok 0

# Deadlock: the session that closes the wait cycle gets 1213 and its transaction is rolled back; the other proceeds.
BEGIN;
----
ok 0

@c2 BEGIN PESSIMISTIC;
----
ok 0

UPDATE pacct SET bal = bal + 1 WHERE id = 1;
----
ok 1

@c2 UPDATE pacct SET bal = bal + 1 WHERE id = 2;
----
ok 1

@c1& UPDATE pacct SET bal = bal + 1 WHERE id = 2;
----
blocked

@c2 UPDATE pacct SET bal = bal + 1 WHERE id = 1;
----
error 1213: Deadlock found when trying to get lock; try restarting transaction

@wait;
----
ok 1

COMMIT;
----
ok 0

@c2 COMMIT;
----
ok 0

SELECT * FROM pacct ORDER BY id;
----
id | bal | u
1 | 221 | 1
2 | 1 | 2

# A unique key taken by a pessimistic insert: the second insert waits, then reports the duplicate.
BEGIN;
----
ok 0

INSERT INTO pacct VALUES (3, 0, 3);
----
ok 1

@c2 BEGIN PESSIMISTIC;
----
ok 0

@c2& INSERT INTO pacct VALUES (4, 0, 3);
----
blocked

COMMIT;
----
ok 0

@c2 @wait;
----
error 1062: Duplicate entry '3' for key 'pacct.uk'

@c2 COMMIT;
----
ok 0

SELECT * FROM pacct ORDER BY id;
----
id | bal | u
1 | 221 | 1
2 | 1 | 2
3 | 0 | 3

# Optimistic SELECT … FOR UPDATE: the rows read are checked at commit, so another session's newer write fails it (9007).
BEGIN OPTIMISTIC;
----
ok 0

SELECT bal FROM pacct WHERE id = 3 FOR UPDATE;
----
bal
0

@c2 UPDATE pacct SET bal = 5 WHERE id = 3;
----
ok 1

COMMIT;
----
error 9007: Write conflict, txnStartTS=<ts>, conflictCommitTS=<ts>, key={tableID=<id>, handle=3}, reason=Optimistic [try again later]

SELECT bal FROM pacct WHERE id = 3;
----
bal
5
