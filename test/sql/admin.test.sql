# ADMIN CHECKSUM TABLE: CRC-64/XZ of key‖value XORed over the record and index ranges (TiDB's output), changing with the data and equal for equal data.
CREATE TABLE ck (id INT PRIMARY KEY, v VARCHAR(10), KEY kv (v));
----
ok 0

ADMIN CHECKSUM TABLE ck;
----
Db_name | Table_name | Checksum_crc64_xor | Total_kvs | Total_bytes
test | ck | 0 | 0 | 0

INSERT INTO ck VALUES (1, 'a'), (2, 'b'), (3, NULL);
----
ok 3

# @compare: memory (checksums cover keys, which carry table ids the cluster harness allocates differently and prefixes per file; test/sql/cluster_regions.test.ts compares stores and SQL layer)
ADMIN CHECKSUM TABLE ck;
----
Db_name | Table_name | Checksum_crc64_xor | Total_kvs | Total_bytes
test | ck | 12283201856086780493 | 6 | 192

CREATE TABLE ck2 (id INT PRIMARY KEY, v VARCHAR(10), KEY kv (v));
----
ok 0

INSERT INTO ck2 SELECT * FROM ck;
----
ok 3

# Same rows, different table id: the checksums differ (keys carry the table id) but the counts agree.
# @compare: memory (as above)
ADMIN CHECKSUM TABLE ck, test.ck2;
----
Db_name | Table_name | Checksum_crc64_xor | Total_kvs | Total_bytes
test | ck | 12283201856086780493 | 6 | 192
test | ck2 | 4800361842568016536 | 6 | 192

DELETE FROM ck2 WHERE id = 3;
----
ok 1

# @compare: memory (as above)
ADMIN CHECKSUM TABLE ck2;
----
Db_name | Table_name | Checksum_crc64_xor | Total_kvs | Total_bytes
test | ck2 | 8632063148276172430 | 4 | 136

ADMIN CHECKSUM TABLE nosuch;
----
error 1146: Table 'test.nosuch' doesn't exist
