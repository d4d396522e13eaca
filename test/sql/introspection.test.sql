# Introspection: SHOW, DESCRIBE, EXPLAIN plan shapes (point get, index lookup, range scan, pushdown boundary), session variables.
CREATE TABLE p (id INT PRIMARY KEY, k INT, u VARCHAR(10), v INT, UNIQUE KEY uu (u), KEY kk (k, v));
----
ok 0

INSERT INTO p VALUES (1, 10, 'a', 1), (2, 20, 'b', 2), (3, 20, 'c', 3), (4, NULL, NULL, 4);
----
ok 4

EXPLAIN SELECT * FROM p WHERE id = 2;
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | p.id, p.k, p.u, p.v
└─Selection_2 | N/A | root |  | id = 2
  └─Point_Get_3 | N/A | root | table:p | table:p, handle:2

EXPLAIN SELECT * FROM p WHERE id IN (1, 3);
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | p.id, p.k, p.u, p.v
└─Selection_2 | N/A | root |  | id in (1, 3)
  └─Batch_Point_Get_3 | N/A | root | table:p | table:p, handle:1 3

# @compare: memory root (the pushed run names the operators really sent to TiKV)
EXPLAIN SELECT * FROM p WHERE id > 2;
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | p.id, p.k, p.u, p.v
└─TableReader_2 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
  └─Selection_3 | N/A | cop[tikv] |  | id > 2
    └─TableRangeScan_4 | N/A | cop[tikv] | table:p | table:p, range:(2,+inf]

EXPLAIN SELECT * FROM p WHERE u = 'b';
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | p.id, p.k, p.u, p.v
└─Selection_2 | N/A | root |  | u = 'b'
  └─Point_Get_3 | N/A | root | table:p | table:p, index:uu(u)

EXPLAIN SELECT * FROM p WHERE k = 20 AND v > 2;
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | p.id, p.k, p.u, p.v
└─Selection_2 | N/A | root |  | k = 20 and v > 2
  └─IndexLookUp_3 | N/A | root | table:p | table:p, index:kk(k, v), range:[20 >2]

# @compare: memory root (the pushed run names the operators really sent to TiKV)
EXPLAIN SELECT k, COUNT(*) FROM p WHERE v > 0 GROUP BY k ORDER BY k LIMIT 1;
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | k, COUNT(*)
└─TopN_2 | N/A | root |  | k, offset:0, count:1
  └─Projection_3 | N/A | root |  | k, count(*), k
    └─HashAgg(final)_4 | N/A | root |  | group by:k, funcs:count(*)
      └─TableReader_5 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
        └─HashAgg(partial)_6 | N/A | cop[tikv] |  | group by:k, funcs:count(*)
          └─Selection_7 | N/A | cop[tikv] |  | v > 0
            └─TableFullScan_8 | N/A | cop[tikv] | table:p | table:p, keep order:false

# @compare: memory root (the pushed run names the operators really sent to TiKV)
EXPLAIN SELECT * FROM p a JOIN p b ON a.id = b.k;
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | a.id, a.k, a.u, a.v, b.id, b.k, b.u, b.v
└─HashJoin_2 | N/A | root |  | inner join, equal:[eq(a.id, b.k)]
  ├─TableReader_3 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
  │ └─TableFullScan_4 | N/A | cop[tikv] | table:a | table:a, keep order:false
  └─TableReader_5 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
    └─TableFullScan_6 | N/A | cop[tikv] | table:b | table:b, keep order:false

SELECT * FROM p WHERE id = 2;
----
id | k | u | v
2 | 20 | b | 2

SELECT * FROM p WHERE id IN (1, 3, 99);
----
id | k | u | v
1 | 10 | a | 1
3 | 20 | c | 3

SELECT id FROM p WHERE id > 2 ORDER BY id;
----
id
3
4

SELECT id FROM p WHERE id >= 2 AND id < 4 ORDER BY id;
----
id
2
3

SELECT * FROM p WHERE u = 'b';
----
id | k | u | v
2 | 20 | b | 2

SELECT id FROM p WHERE k = 20 AND v > 2;
----
id
3

SELECT id FROM p WHERE k < 15;
----
id
1

SELECT id FROM p WHERE k BETWEEN 10 AND 20 ORDER BY id;
----
id
1
2
3

SELECT id FROM p WHERE u = 'zzzzzzzzzzzzz';
----
id

SELECT id FROM p WHERE id = 'abc';
----
id

SHOW TABLES;
----
Tables_in_test
p

SHOW FULL TABLES;
----
Tables_in_test | Table_type
p | BASE TABLE

DESC p;
----
Field | Type | Null | Key | Default | Extra
id | int | NO | PRI | NULL | 
k | int | YES | MUL | NULL | 
u | varchar(10) | YES | UNI | NULL | 
v | int | YES |  | NULL | 

SHOW COLUMNS FROM p;
----
Field | Type | Null | Key | Default | Extra
id | int | NO | PRI | NULL | 
k | int | YES | MUL | NULL | 
u | varchar(10) | YES | UNI | NULL | 
v | int | YES |  | NULL | 

SHOW CREATE DATABASE test;
----
Database | Create Database
test | CREATE DATABASE `test` /*!40100 DEFAULT CHARACTER SET utf8mb4 */

SELECT @@version_comment, @@max_allowed_packet, @@character_set_client, @@collation_connection, @@autocommit;
----
@@version_comment | @@max_allowed_packet | @@character_set_client | @@collation_connection | @@autocommit
TiKV-TS SQL layer (TiDB compatible), MySQL protocol | 67108864 | utf8mb4 | utf8mb4_bin | 1

SELECT @@tx_isolation, @@transaction_isolation, @@session.auto_increment_increment, @@global.sql_mode, @@interactive_timeout;
----
@@tx_isolation | @@transaction_isolation | @@session.auto_increment_increment | @@global.sql_mode | @@interactive_timeout
REPEATABLE-READ | REPEATABLE-READ | 1 | ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION | 28800

SELECT @@nosuchvar;
----
error 1193: Unknown system variable 'nosuchvar'

SET NAMES utf8mb4;
----
ok 0

SET @x = 5;
----
ok 0

SELECT @x + 1, @undefined;
----
@x + 1 | @undefined
6 | NULL

SET SESSION sql_mode = 'STRICT_TRANS_TABLES';
----
ok 0

SELECT @@sql_mode;
----
@@sql_mode
STRICT_TRANS_TABLES

SHOW VARIABLES LIKE 'version%';
----
Variable_name | Value
version | 8.0.11-TiKV-TS-0.1.0
version_comment | TiKV-TS SQL layer (TiDB compatible), MySQL protocol
version_compile_machine | x86_64
version_compile_os | linux

SELECT CONNECTION_ID() > 0;
----
CONNECTION_ID() > 0
1

# @compare: memory root (the pushed run names the operators really sent to TiKV)
EXPLAIN SELECT id FROM p ORDER BY v DESC LIMIT 2, 1;
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | id
└─TopN_2 | N/A | root |  | v:desc, offset:2, count:1
  └─Projection_3 | N/A | root |  | id, v
    └─TableReader_4 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
      └─TopN_5 | N/A | cop[tikv] |  | v:desc, offset:0, count:1+2
        └─TableFullScan_6 | N/A | cop[tikv] | table:p | table:p, keep order:false

SELECT id FROM p ORDER BY v DESC LIMIT 2, 1;
----
id
2

# @compare: memory root (the pushed run names the operators really sent to TiKV)
EXPLAIN SELECT id FROM p WHERE v > 1 LIMIT 2;
----
id | estRows | task | access object | operator info
Limit_1 | N/A | root |  | offset:0, count:2
└─Projection_2 | N/A | root |  | id
  └─TableReader_3 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
    └─Limit_4 | N/A | cop[tikv] |  | offset:0, count:2
      └─Selection_5 | N/A | cop[tikv] |  | v > 1
        └─TableFullScan_6 | N/A | cop[tikv] | table:p | table:p, keep order:false

SELECT id FROM p WHERE v > 1 LIMIT 2;
----
id
2
3

SELECT id, v AS w FROM p ORDER BY w LIMIT 1;
----
id | w
1 | 1

SELECT id FROM p ORDER BY 1 DESC LIMIT 1;
----
id
4
