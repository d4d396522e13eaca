# System tables: information_schema (SCHEMATA, TABLES, COLUMNS, STATISTICS, TIKV_REGION_STATUS) and mysql.user, computed from the catalog, PD and the accounts; read-only.
CREATE DATABASE shop;
----
ok 1

CREATE TABLE shop.orders (id BIGINT PRIMARY KEY AUTO_INCREMENT, customer VARCHAR(40) NOT NULL, total DECIMAL(10,2) DEFAULT '0.00', placed DATETIME(3), note TEXT, UNIQUE KEY uc (customer, placed), KEY kt (total));
----
ok 0

SHOW DATABASES;
----
Database
INFORMATION_SCHEMA
mysql
shop
test

SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT LIKE '%SCHEMA' ORDER BY SCHEMA_NAME;
----
SCHEMA_NAME | DEFAULT_CHARACTER_SET_NAME | DEFAULT_COLLATION_NAME
mysql | utf8mb4 | utf8mb4_bin
shop | utf8mb4 | utf8mb4_bin
test | utf8mb4 | utf8mb4_bin

SELECT table_schema, table_name, table_type, engine FROM information_schema.tables WHERE table_schema = 'shop';
----
table_schema | table_name | table_type | engine
shop | orders | BASE TABLE | InnoDB

SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, COLUMN_TYPE, COLUMN_KEY, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'orders' ORDER BY ORDINAL_POSITION;
----
COLUMN_NAME | ORDINAL_POSITION | COLUMN_DEFAULT | IS_NULLABLE | DATA_TYPE | CHARACTER_MAXIMUM_LENGTH | NUMERIC_PRECISION | NUMERIC_SCALE | DATETIME_PRECISION | COLUMN_TYPE | COLUMN_KEY | EXTRA
id | 1 | NULL | NO | bigint | NULL | 20 | 0 | NULL | bigint | PRI | auto_increment
customer | 2 | NULL | NO | varchar | 40 | NULL | NULL | NULL | varchar(40) | MUL | 
total | 3 | 0.00 | YES | decimal | NULL | 10 | 2 | NULL | decimal(10,2) | MUL | 
placed | 4 | NULL | YES | datetime | NULL | NULL | NULL | 3 | datetime(3) |  | 
note | 5 | NULL | YES | text | 65535 | NULL | NULL | NULL | text |  | 

SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, NULLABLE FROM information_schema.STATISTICS WHERE TABLE_NAME = 'orders' ORDER BY INDEX_NAME, SEQ_IN_INDEX;
----
INDEX_NAME | NON_UNIQUE | SEQ_IN_INDEX | COLUMN_NAME | NULLABLE
PRIMARY | 0 | 1 | id | 
kt | 1 | 1 | total | YES
uc | 0 | 1 | customer | 
uc | 0 | 2 | placed | YES

SELECT t.TABLE_NAME, COUNT(*) AS cols FROM information_schema.TABLES t JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME WHERE t.TABLE_SCHEMA = 'shop' GROUP BY t.TABLE_NAME;
----
TABLE_NAME | cols
orders | 5

USE information_schema;
----
ok 0

SHOW TABLES;
----
Tables_in_INFORMATION_SCHEMA
COLUMNS
EVENTS
FILES
PARTITIONS
ROUTINES
SCHEMATA
STATISTICS
TABLES
TIKV_REGION_STATUS
TRIGGERS
VIEWS

SELECT COUNT(*) > 0 FROM TIKV_REGION_STATUS WHERE DB_NAME = 'shop' AND TABLE_NAME = 'orders';
----
COUNT(*) > 0
1

DESCRIBE mysql.user;
----
Field | Type | Null | Key | Default | Extra
Host | varchar(255) | YES |  | NULL | 
User | varchar(32) | YES |  | NULL | 
authentication_string | varchar(4096) | YES |  | NULL | 
plugin | varchar(64) | YES |  | NULL | 

SELECT Host, User, plugin FROM mysql.user ORDER BY User;
----
Host | User | plugin
% | root | mysql_native_password

CREATE USER reader IDENTIFIED BY 'pw';
----
ok 0

SELECT User, authentication_string FROM mysql.user WHERE User = 'reader';
----
User | authentication_string
reader | *D821809F681A40A6E379B50D0463EFAE20BDD122

# Accounts are cluster-wide: the cluster runs of this file share them, so leave none behind.
DROP USER reader;
----
ok 0

SELECT * FROM information_schema.nope;
----
error 1146: Table 'information_schema.nope' doesn't exist

CREATE TABLE information_schema.t (a INT);
----
error 1044: Access denied for user 'root'@'%' to database 'INFORMATION_SCHEMA'

INSERT INTO mysql.user VALUES ('%', 'x', '', 'mysql_native_password');
----
error 1044: Access denied for user 'root'@'%' to database 'mysql'

DROP DATABASE information_schema;
----
error 1044: Access denied for user 'root'@'%' to database 'INFORMATION_SCHEMA'

USE test;
----
ok 0

EXPLAIN SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop';
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | TABLE_NAME
└─Selection_2 | N/A | root |  | TABLE_SCHEMA = 'shop'
  └─MemTableScan_3 | N/A | root | table:TABLES | computed in the SQL layer from the catalog and PD
