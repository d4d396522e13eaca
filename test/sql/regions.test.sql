# SPLIT TABLE (BETWEEN / BY) and SHOW TABLE REGIONS over MemoryKvClient: split keys on record keys, TiDB-style key rendering, region stats.
CREATE TABLE r (id INT PRIMARY KEY, v INT);
----
ok 0

# @compare: memory (region ids, boundaries and stats are per deployment)
SHOW TABLE r REGIONS;
----
REGION_ID | START_KEY | END_KEY | LEADER_ID | LEADER_STORE_ID | PEERS | APPROXIMATE_SIZE(MB) | APPROXIMATE_KEYS
1 |  |  | 1 | 1 | 1 | 0 | 5

SPLIT TABLE r BETWEEN (0) AND (100) REGIONS 4;
----
TOTAL_SPLIT_REGION | SCATTER_FINISH_RATIO
3 | 1

INSERT INTO r VALUES (1, 1), (30, 2), (60, 3), (99, 4), (-5, 5);
----
ok 5

# @compare: memory (region ids, boundaries and stats are per deployment)
SHOW TABLE r REGIONS;
----
REGION_ID | START_KEY | END_KEY | LEADER_ID | LEADER_STORE_ID | PEERS | APPROXIMATE_SIZE(MB) | APPROXIMATE_KEYS
1 |  | t_101_r_25 | 1 | 1 | 1 | 0 | 7
2 | t_101_r_25 | t_101_r_50 | 2 | 1 | 2 | 0 | 1
3 | t_101_r_50 | t_101_r_75 | 3 | 1 | 3 | 0 | 1
4 | t_101_r_75 |  | 4 | 1 | 4 | 0 | 1

SPLIT TABLE r BETWEEN (0) AND (100) REGIONS 4;
----
TOTAL_SPLIT_REGION | SCATTER_FINISH_RATIO
0 | 1

SPLIT TABLE r BY (10), (20), (25);
----
TOTAL_SPLIT_REGION | SCATTER_FINISH_RATIO
2 | 1

# @compare: memory (region ids, boundaries and stats are per deployment)
SHOW TABLE r REGIONS;
----
REGION_ID | START_KEY | END_KEY | LEADER_ID | LEADER_STORE_ID | PEERS | APPROXIMATE_SIZE(MB) | APPROXIMATE_KEYS
1 |  | t_101_r_10 | 1 | 1 | 1 | 0 | 7
5 | t_101_r_10 | t_101_r_20 | 5 | 1 | 5 | 0 | 0
6 | t_101_r_20 | t_101_r_25 | 6 | 1 | 6 | 0 | 0
2 | t_101_r_25 | t_101_r_50 | 2 | 1 | 2 | 0 | 1
3 | t_101_r_50 | t_101_r_75 | 3 | 1 | 3 | 0 | 1
4 | t_101_r_75 |  | 4 | 1 | 4 | 0 | 1

SELECT * FROM r WHERE id > 0 ORDER BY id;
----
id | v
1 | 1
30 | 2
60 | 3
99 | 4

CREATE TABLE nohandle (a VARCHAR(10));
----
ok 0

SPLIT TABLE nohandle BETWEEN (0) AND (1000) REGIONS 2;
----
TOTAL_SPLIT_REGION | SCATTER_FINISH_RATIO
1 | 1

# @compare: memory (region ids, boundaries and stats are per deployment)
SHOW TABLE nohandle REGIONS;
----
REGION_ID | START_KEY | END_KEY | LEADER_ID | LEADER_STORE_ID | PEERS | APPROXIMATE_SIZE(MB) | APPROXIMATE_KEYS
4 | t_101_r_75 | t_102_r_500 | 4 | 1 | 4 | 0 | 1
7 | t_102_r_500 |  | 7 | 1 | 7 | 0 | 0

SPLIT TABLE r BETWEEN (10) AND (5) REGIONS 4;
----
error 8212: Split table `r` region lower value 10 should less than the upper value 5

SPLIT TABLE r BETWEEN (0) AND (10) REGIONS 5000;
----
error 8212: Split table region num exceeded the limit 1000

SPLIT TABLE missing BY (1);
----
error 1146: Table 'test.missing' doesn't exist
