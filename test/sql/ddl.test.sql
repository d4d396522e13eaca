# Catalog and DDL: databases, tables of every supported type, keys, ALTER, TRUNCATE, restart.
CREATE DATABASE shop;
----
ok 1

CREATE DATABASE shop;
----
error 1007: Can't create database 'shop'; database exists

CREATE DATABASE IF NOT EXISTS shop;
----
ok 0 (1 warnings)

SHOW DATABASES;
----
Database
INFORMATION_SCHEMA
mysql
shop
test

USE nosuchdb;
----
error 1049: Unknown database 'nosuchdb'

CREATE TABLE shop.alltypes (
  id BIGINT UNSIGNED PRIMARY KEY,
  ti TINYINT, si SMALLINT, mi MEDIUMINT, i INT UNSIGNED, b BOOL,
  d DECIMAL(12,3) NOT NULL DEFAULT 0, f FLOAT, db DOUBLE,
  c CHAR(4), vc VARCHAR(10) DEFAULT 'hi', tx TEXT, bl BLOB,
  dt DATE, dtm DATETIME(3), ts TIMESTAMP, tm TIME, y YEAR
);
----
ok 0

SHOW CREATE TABLE shop.alltypes;
----
Table | Create Table
alltypes | CREATE TABLE `alltypes` (\n  `id` bigint unsigned NOT NULL,\n  `ti` tinyint DEFAULT NULL,\n  `si` smallint DEFAULT NULL,\n  `mi` mediumint DEFAULT NULL,\n  `i` int unsigned DEFAULT NULL,\n  `b` tinyint(1) DEFAULT NULL,\n  `d` decimal(12,3) NOT NULL DEFAULT '0.000',\n  `f` float DEFAULT NULL,\n  `db` double DEFAULT NULL,\n  `c` char(4) DEFAULT NULL,\n  `vc` varchar(10) DEFAULT 'hi',\n  `tx` text,\n  `bl` blob,\n  `dt` date DEFAULT NULL,\n  `dtm` datetime(3) DEFAULT NULL,\n  `ts` timestamp DEFAULT NULL,\n  `tm` time DEFAULT NULL,\n  `y` year DEFAULT NULL,\n  PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin

INSERT INTO shop.alltypes VALUES (18446744073709551615, -128, 32767, -8388608, 4294967295, true, 123456789.1235, 1.1, 2.5e10, 'ab  ', 'xyz', 'long text', x'00ff', '2024-02-29', '2024-01-02 03:04:05.678', '2024-01-02 03:04:05', '-12:34:56', 2024);
----
ok 1

INSERT INTO shop.alltypes (id) VALUES (1);
----
ok 1

SELECT * FROM shop.alltypes ORDER BY id;
----
id | ti | si | mi | i | b | d | f | db | c | vc | tx | bl | dt | dtm | ts | tm | y
1 | NULL | NULL | NULL | NULL | NULL | 0.000 | NULL | NULL | NULL | hi | NULL | NULL | NULL | NULL | NULL | NULL | NULL
18446744073709551615 | -128 | 32767 | -8388608 | 4294967295 | 1 | 123456789.124 | 1.1 | 25000000000 | ab | xyz | long text | 0x00ff | 2024-02-29 | 2024-01-02 03:04:05.678 | 2024-01-02 03:04:05 | -12:34:56 | 2024

DESCRIBE shop.alltypes;
----
Field | Type | Null | Key | Default | Extra
id | bigint unsigned | NO | PRI | NULL | 
ti | tinyint | YES |  | NULL | 
si | smallint | YES |  | NULL | 
mi | mediumint | YES |  | NULL | 
i | int unsigned | YES |  | NULL | 
b | tinyint(1) | YES |  | NULL | 
d | decimal(12,3) | NO |  | 0.000 | 
f | float | YES |  | NULL | 
db | double | YES |  | NULL | 
c | char(4) | YES |  | NULL | 
vc | varchar(10) | YES |  | hi | 
tx | text | YES |  | NULL | 
bl | blob | YES |  | NULL | 
dt | date | YES |  | NULL | 
dtm | datetime(3) | YES |  | NULL | 
ts | timestamp | YES |  | NULL | 
tm | time | YES |  | NULL | 
y | year | YES |  | NULL | 

CREATE TABLE t1 (a INT, b INT, c VARCHAR(10), PRIMARY KEY (a, b), UNIQUE KEY uc (c), KEY kb (b));
----
ok 0

SHOW INDEX FROM t1;
----
Table | Non_unique | Key_name | Seq_in_index | Column_name | Collation | Cardinality | Sub_part | Packed | Null | Index_type | Comment | Index_comment | Visible | Expression | Clustered
t1 | 0 | PRIMARY | 1 | a | A | 0 | NULL | NULL |  | BTREE |  |  | YES | NULL | YES
t1 | 0 | PRIMARY | 2 | b | A | 0 | NULL | NULL |  | BTREE |  |  | YES | NULL | YES
t1 | 0 | uc | 1 | c | A | 0 | NULL | NULL | YES | BTREE |  |  | YES | NULL | NO
t1 | 1 | kb | 1 | b | A | 0 | NULL | NULL |  | BTREE |  |  | YES | NULL | NO

CREATE TABLE t2 (a INT PRIMARY KEY, b INT PRIMARY KEY);
----
error 1068: Multiple primary key defined

CREATE TABLE t2 (a INT, a INT);
----
error 1060: Duplicate column name 'a'

CREATE TABLE t2 (a INT AUTO_INCREMENT);
----
error 1075: Incorrect table definition; there can be only one auto column and it must be defined as a key

CREATE TABLE t2 (a INT, KEY (nosuch));
----
error 1072: Key column 'nosuch' doesn't exist in table

CREATE TABLE t2 (a DECIMAL(70,2));
----
error 1426: Too big precision 70 specified. Maximum is 65.

CREATE TABLE t2 (a INT NOT NULL DEFAULT NULL);
----
error 1067: Invalid default value for 'a'

CREATE TABLE t2 (a INT DEFAULT 'abc');
----
error 1067: Invalid default value for 'a'

CREATE TABLE t3 (id INT PRIMARY KEY, v VARCHAR(10));
----
ok 0

INSERT INTO t3 VALUES (1, 'one'), (2, 'two'), (3, NULL);
----
ok 3

ALTER TABLE t3 ADD COLUMN n INT NOT NULL DEFAULT 7;
----
ok 0

ALTER TABLE t3 ADD COLUMN m VARCHAR(5);
----
ok 0

SELECT * FROM t3 ORDER BY id;
----
id | v | n | m
1 | one | 7 | NULL
2 | two | 7 | NULL
3 | NULL | 7 | NULL

INSERT INTO t3 (id, v, n, m) VALUES (4, 'four', 40, 'x');
----
ok 1

ALTER TABLE t3 DROP COLUMN v;
----
ok 0

SELECT * FROM t3 ORDER BY id;
----
id | n | m
1 | 7 | NULL
2 | 7 | NULL
3 | 7 | NULL
4 | 40 | x

ALTER TABLE t3 DROP COLUMN nosuch;
----
error 1091: Can't DROP 'nosuch'; check that column/key exists

CREATE INDEX im ON t3 (m);
----
ok 0

SELECT id FROM t3 WHERE m = 'x';
----
id
4

CREATE UNIQUE INDEX un ON t3 (n);
----
error 1062: Duplicate entry '7' for key 't3.un'

ALTER TABLE t3 ADD INDEX inn (n);
----
ok 0

SHOW INDEX FROM t3;
----
Table | Non_unique | Key_name | Seq_in_index | Column_name | Collation | Cardinality | Sub_part | Packed | Null | Index_type | Comment | Index_comment | Visible | Expression | Clustered
t3 | 0 | PRIMARY | 1 | id | A | 0 | NULL | NULL |  | BTREE |  |  | YES | NULL | YES
t3 | 1 | im | 1 | m | A | 0 | NULL | NULL | YES | BTREE |  |  | YES | NULL | NO
t3 | 1 | inn | 1 | n | A | 0 | NULL | NULL |  | BTREE |  |  | YES | NULL | NO

ALTER TABLE t3 DROP INDEX inn;
----
ok 0

DROP INDEX im ON t3;
----
ok 0

SHOW CREATE TABLE t3;
----
Table | Create Table
t3 | CREATE TABLE `t3` (\n  `id` int NOT NULL,\n  `n` int NOT NULL DEFAULT '7',\n  `m` varchar(5) DEFAULT NULL,\n  PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin

TRUNCATE TABLE t3;
----
ok 0

SELECT COUNT(*) FROM t3;
----
COUNT(*)
0

INSERT INTO t3 (id) VALUES (9);
----
ok 1

@restart;
----
ok

SELECT * FROM t3;
----
id | n | m
9 | 7 | NULL

SHOW TABLES;
----
Tables_in_test
t1
t3

DROP TABLE t3, nosuch;
----
error 1051: Unknown table 'test.nosuch'

DROP TABLE IF EXISTS t3, nosuch;
----
ok 0 (1 warnings)

SHOW WARNINGS;
----
Level | Code | Message
Note | 1051 | Unknown table 'test.nosuch'

DROP DATABASE shop;
----
ok 0

DROP DATABASE shop;
----
error 1008: Can't drop database 'shop'; database doesn't exist

SHOW DATABASES;
----
Database
INFORMATION_SCHEMA
mysql
test
