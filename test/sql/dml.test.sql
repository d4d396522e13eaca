# DML: INSERT forms, ON DUPLICATE KEY UPDATE, REPLACE, UPDATE/DELETE with ORDER BY/LIMIT, unique checks, atomic statements.
CREATE TABLE u (id INT PRIMARY KEY AUTO_INCREMENT, email VARCHAR(20) NOT NULL, n INT DEFAULT 0, UNIQUE KEY ue (email));
----
ok 0

INSERT INTO u (email) VALUES ('a@x'), ('b@x'), ('c@x');
----
ok 3

SELECT LAST_INSERT_ID();
----
LAST_INSERT_ID()
1

INSERT INTO u (email, n) VALUES ('a@x', 5);
----
error 1062: Duplicate entry 'a@x' for key 'u.ue'

INSERT INTO u (email, n) VALUES ('d@x', 1), ('d@x', 2);
----
error 1062: Duplicate entry 'd@x' for key 'u.ue'

SELECT COUNT(*) FROM u;
----
COUNT(*)
3

INSERT INTO u (email, n) VALUES ('a@x', 5) ON DUPLICATE KEY UPDATE n = n + VALUES(n);
----
ok 2

INSERT INTO u (email, n) VALUES ('a@x', 5) ON DUPLICATE KEY UPDATE n = 5;
----
ok 0

INSERT INTO u (id, email) VALUES (10, 'e@x');
----
ok 1

INSERT INTO u (email) VALUES ('f@x');
----
ok 1

REPLACE INTO u (id, email, n) VALUES (2, 'b2@x', 9);
----
ok 2

REPLACE INTO u (id, email, n) VALUES (3, 'a@x', 1);
----
ok 3

SELECT * FROM u ORDER BY id;
----
id | email | n
2 | b2@x | 9
3 | a@x | 1
10 | e@x | 0
11 | f@x | 0

INSERT IGNORE INTO u (email) VALUES ('a@x'), ('g@x');
----
ok 1 (1 warnings)

SHOW WARNINGS;
----
Level | Code | Message
Warning | 1062 | Duplicate entry 'a@x' for key 'u.ue'

UPDATE u SET n = n + 50 WHERE id > 2 ORDER BY id DESC LIMIT 2;
----
ok 2

SELECT id, n FROM u ORDER BY id;
----
id | n
2 | 9
3 | 1
10 | 0
11 | 50
13 | 50

UPDATE u SET email = 'a@x' WHERE id = 10;
----
error 1062: Duplicate entry 'a@x' for key 'u.ue'

UPDATE u SET id = 100 WHERE id = 10;
----
ok 1

SELECT id, email FROM u WHERE id = 100;
----
id | email
100 | e@x

DELETE FROM u WHERE n >= 50 ORDER BY id LIMIT 1;
----
ok 1

DELETE FROM u WHERE email LIKE 'g%';
----
ok 1

SELECT id, email, n FROM u ORDER BY id;
----
id | email | n
2 | b2@x | 9
3 | a@x | 1
100 | e@x | 0

CREATE TABLE cp (a INT, b VARCHAR(5), c INT, PRIMARY KEY (a, b));
----
ok 0

INSERT INTO cp VALUES (1, 'x', 1), (1, 'y', 2), (2, 'x', 3);
----
ok 3

INSERT INTO cp VALUES (1, 'x', 9);
----
error 1062: Duplicate entry '1-x' for key 'cp.PRIMARY'

UPDATE cp SET b = 'z' WHERE a = 1 AND b = 'y';
----
ok 1

SELECT * FROM cp ORDER BY a, b;
----
a | b | c
1 | x | 1
1 | z | 2
2 | x | 3

CREATE TABLE copy LIKE cp;
----
error 1235: This version doesn't yet support 'CREATE TABLE ... LIKE/AS'

CREATE TABLE cp2 (a INT, b VARCHAR(5), c INT);
----
ok 0

INSERT INTO cp2 SELECT a, b, c * 100 FROM cp WHERE c > 1;
----
ok 2

SELECT * FROM cp2 ORDER BY a;
----
a | b | c
1 | z | 200
2 | x | 300

INSERT INTO cp2 VALUES (1, 2);
----
error 1136: Column count doesn't match value count at row 1

INSERT INTO cp2 (a, nosuch) VALUES (1, 2);
----
error 1054: Unknown column 'nosuch' in 'field list'

CREATE TABLE nn (a INT NOT NULL, b INT NOT NULL DEFAULT 3);
----
ok 0

INSERT INTO nn (b) VALUES (1);
----
error 1364: Field 'a' doesn't have a default value

INSERT INTO nn (a) VALUES (NULL);
----
error 1048: Column 'a' cannot be null

INSERT INTO nn (a) VALUES (1), (NULL);
----
error 1048: Column 'a' cannot be null

SELECT * FROM nn;
----
a | b

CREATE TABLE r (t TINYINT, u TINYINT UNSIGNED, s VARCHAR(3), d DECIMAL(4,1));
----
ok 0

INSERT INTO r (t) VALUES (128);
----
error 1264: Out of range value for column 't' at row 1

INSERT INTO r (u) VALUES (-1);
----
error 1264: Out of range value for column 'u' at row 1

INSERT INTO r (s) VALUES ('abcd');
----
error 1406: Data too long for column 's' at row 1

INSERT INTO r (d) VALUES (1000);
----
error 1264: Out of range value for column 'd' at row 1

INSERT INTO r (t) VALUES ('abc');
----
error 1366: Incorrect integer value: 'abc' for column 't' at row 1

INSERT INTO r VALUES (127, 255, 'abc', 999.94);
----
ok 1

SELECT * FROM r;
----
t | u | s | d
127 | 255 | abc | 999.9

CREATE TABLE tm (d DATE, dt DATETIME, t TIME, y YEAR);
----
ok 0

INSERT INTO tm VALUES ('2024-02-30', NULL, NULL, NULL);
----
error 1292: Incorrect date value: '2024-02-30'

INSERT INTO tm VALUES (NULL, 'not a date', NULL, NULL);
----
error 1292: Incorrect datetime value: 'not a date'

INSERT INTO tm VALUES (NULL, NULL, '25:61:00', NULL);
----
error 1292: Incorrect time value: '25:61:00' for column 't' at row 1

INSERT INTO tm VALUES (NULL, NULL, NULL, 1800);
----
error 1264: Out of range value for column 'y' at row 1

INSERT INTO tm VALUES (20240131, '2024-01-31 23:59:59.6', '-838:59:59', 69);
----
ok 1

SELECT * FROM tm WHERE d = '2024-01-31' AND dt > '2024-02-01';
----
d | dt | t | y

SELECT * FROM tm;
----
d | dt | t | y
2024-01-31 | 2024-02-01 00:00:00 | -838:59:59 | 2069

# MySQL string escapes, in a bulk INSERT and in a query.
CREATE TABLE esc (id INT PRIMARY KEY, s VARCHAR(20));
----
ok 0

INSERT INTO esc VALUES (1, 'O\'Brien'), (2, 'a\\b'), (3, 'c''d'), (4, "e\"f");
----
ok 4

SELECT id, s, LENGTH(s), s = 'O\'Brien' FROM esc ORDER BY id;
----
id | s | LENGTH(s) | s = 'O\'Brien'
1 | O'Brien | 7 | 1
2 | a\b | 3 | 0
3 | c'd | 3 | 0
4 | e"f | 3 | 0

DROP TABLE esc;
----
ok 0
