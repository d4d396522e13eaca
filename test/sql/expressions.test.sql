# Expressions: arithmetic (int/decimal/float), NULL three-valued logic, comparisons, string functions, CAST, CASE.
SELECT 1 + 2, 7 - 10, 3 * 4, 7 / 2, 7 DIV 2, 7 % 3, -7 % 3, 1.5 * 2, 0.1 + 0.2, 1e1 + 1;
----
1 + 2 | 7 - 10 | 3 * 4 | 7 / 2 | 7 DIV 2 | 7 % 3 | -7 % 3 | 1.5 * 2 | 0.1 + 0.2 | 1e1 + 1
3 | -3 | 12 | 3.5000 | 3 | 1 | -1 | 3.0 | 0.3 | 11

SELECT 1 / 0, 5 % 0, 5 DIV 0;
----
1 / 0 | 5 % 0 | 5 DIV 0
NULL | NULL | NULL

SHOW WARNINGS;
----
Level | Code | Message
Warning | 1365 | Division by 0
Warning | 1365 | Division by 0
Warning | 1365 | Division by 0

SELECT 9223372036854775807 + 1;
----
error 1690: BIGINT value is out of range in '9223372036854775807 + 1'

SELECT 18446744073709551615, -9223372036854775808;
----
18446744073709551615 | -9223372036854775808
18446744073709551615 | -9223372036854775808

SELECT NULL + 1, NULL = NULL, NULL <> 1, 1 = 1, 1 < 2, 'a' = 'a   ', 'a' < 'b', 'abc' = 'ABC';
----
NULL + 1 | NULL = NULL | NULL <> 1 | 1 = 1 | 1 < 2 | 'a' = 'a   ' | 'a' < 'b' | 'abc' = 'ABC'
NULL | NULL | NULL | 1 | 1 | 1 | 1 | 0

SELECT NULL AND 0, NULL AND 1, NULL OR 1, NULL OR 0, NOT NULL, 1 XOR 1, 1 XOR NULL;
----
NULL AND 0 | NULL AND 1 | NULL OR 1 | NULL OR 0 | not(NULL) | 1 XOR 1 | 1 XOR NULL
0 | NULL | 1 | NULL | NULL | 0 | NULL

SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, NULL), NULL IN (1), 3 BETWEEN 1 AND 5, 3 NOT BETWEEN 1 AND 2;
----
1 IN (1, NULL) | 2 IN (1, NULL) | 2 NOT IN (1, NULL) | NULL IN (1) | 3 BETWEEN 1 AND 5 | 3 NOT BETWEEN 1 AND 2
1 | NULL | NULL | NULL | 1 | 1

SELECT NULL IS NULL, 1 IS NOT NULL, 0 IS FALSE, 2 IS TRUE, NULL IS TRUE;
----
NULL IS NULL | 1 IS NOT NULL | 0 IS FALSE | 2 IS TRUE | NULL IS TRUE
1 | 1 | 1 | 1 | 0

SELECT '10' + 5, '3.5' * 2, 'abc' + 1, 10 = '10', '10' = 10.0;
----
'10' + 5 | '3.5' * 2 | 'abc' + 1 | 10 = '10' | '10' = 10.0
15 | 7 | 1 | 1 | 1

SELECT CONCAT('a', 'b', 'c'), CONCAT('a', NULL), CONCAT_WS('-', 'a', NULL, 'b'), LENGTH('héllo'), CHAR_LENGTH('héllo');
----
CONCAT('a', 'b', 'c') | CONCAT('a', NULL) | CONCAT_WS('-', 'a', NULL, 'b') | LENGTH('héllo') | CHAR_LENGTH('héllo')
abc | NULL | a-b | 6 | 5

SELECT UPPER('abc'), LOWER('ABC'), SUBSTRING('hello', 2, 3), SUBSTRING('hello', -3), LEFT('hello', 2), RIGHT('hello', 2);
----
UPPER('abc') | LOWER('ABC') | SUBSTRING('hello', 2, 3) | SUBSTRING('hello', -3) | LEFT('hello', 2) | RIGHT('hello', 2)
ABC | abc | ell | llo | he | lo

SELECT TRIM('  x  '), LTRIM('  x'), RTRIM('x  '), REPLACE('aXbXc', 'X', '-'), REVERSE('abc'), REPEAT('ab', 3);
----
TRIM('  x  ') | LTRIM('  x') | RTRIM('x  ') | REPLACE('aXbXc', 'X', '-') | REVERSE('abc') | REPEAT('ab', 3)
x | x | x | a-b-c | cba | ababab

SELECT LPAD('5', 3, '0'), RPAD('ab', 4, '.'), INSTR('foobar', 'bar'), LOCATE('o', 'foo', 3), ASCII('A'), HEX(255), HEX('ab');
----
LPAD('5', 3, '0') | RPAD('ab', 4, '.') | INSTR('foobar', 'bar') | LOCATE('o', 'foo', 3) | ASCII('A') | HEX(255) | HEX('ab')
005 | ab.. | 4 | 3 | 65 | FF | 6162

SELECT ABS(-5), ABS(-2.5), CEIL(1.2), FLOOR(-1.2), ROUND(2.5), ROUND(-2.5), ROUND(1.2345, 2), ROUND(1234, -2), TRUNCATE(1.999, 1), SIGN(-3);
----
ABS(-5) | ABS(-2.5) | CEIL(1.2) | FLOOR(-1.2) | ROUND(2.5) | ROUND(-2.5) | ROUND(1.2345, 2) | ROUND(1234, -2) | TRUNCATE(1.999, 1) | SIGN(-3)
5 | 2.5 | 2 | -2 | 3 | -3 | 1.23 | 1200 | 1.9 | -1

SELECT IFNULL(NULL, 'x'), COALESCE(NULL, NULL, 3), NULLIF(1, 1), NULLIF(1, 2), IF(1 > 0, 'y', 'n'), ISNULL(NULL), GREATEST(1, 5, 3), LEAST('b', 'a');
----
IFNULL(NULL, 'x') | COALESCE(NULL, NULL, 3) | NULLIF(1, 1) | NULLIF(1, 2) | IF(1 > 0, 'y', 'n') | ISNULL(NULL) | GREATEST(1, 5, 3) | LEAST('b', 'a')
x | 3 | NULL | 1 | y | 1 | 5 | a

SELECT CAST('12' AS SIGNED), CAST(-1 AS UNSIGNED), CAST(3.7 AS SIGNED), CAST('2024-01-02' AS DATE), CAST('2024-01-02 10:11:12' AS DATETIME), CAST(1.5 AS CHAR), CAST('1.555' AS DECIMAL(4,2));
----
cast('12' as signed) | cast(-1 as unsigned) | cast(3.7 as signed) | cast('2024-01-02' as date) | cast('2024-01-02 10:11:12' as datetime) | cast(1.5 as char) | cast('1.555' as decimal)
12 | 18446744073709551615 | 4 | 2024-01-02 | 2024-01-02 10:11:12 | 1.5 | 1.56

SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END, CASE WHEN NULL THEN 1 END;
----
case | case
two | NULL

SELECT 'a%' LIKE 'a!%' ESCAPE '!', 'abc' LIKE 'a_c', 'abc' NOT LIKE '%d', NULL LIKE 'a', 'x' REGEXP '^[a-z]$';
----
'a%' LIKE 'a!%' ESCAPE '!' | 'abc' LIKE 'a_c' | 'abc' NOT LIKE '%d' | NULL LIKE 'a' | 'x' REGEXP '^[a-z]$'
1 | 1 | 1 | NULL | 1

SELECT 5 & 3, 5 | 3, 5 ^ 3, 1 << 4, 256 >> 4, ~0;
----
5 & 3 | 5 | 3 | 5 ^ 3 | 1 << 4 | 256 >> 4 | ~0
1 | 7 | 6 | 16 | 16 | 18446744073709551615

SELECT YEAR('2024-03-15'), MONTH('2024-03-15'), DAY('2024-03-15 10:20:30'), HOUR('2024-03-15 10:20:30');
----
YEAR('2024-03-15') | MONTH('2024-03-15') | DAY('2024-03-15 10:20:30') | HOUR('2024-03-15 10:20:30')
2024 | 3 | 15 | 10

SELECT NOW(), CURDATE(), DATABASE(), USER(), VERSION();
----
NOW() | CURDATE() | DATABASE() | USER() | VERSION()
2026-01-02 03:04:05 | 2026-01-02 | test | root@localhost | 8.0.11-TiKV-TS-0.1.0

SELECT nosuchfunc(1);
----
error 1305: FUNCTION nosuchfunc does not exist

SELECT SUBSTRING('abc');
----
error 1582: Incorrect parameter count in the call to native function 'substring'

SELECT 1 +;
----
error 1064: You have an error in your SQL syntax; Expected "!", "#", "$", "'", "(", "*", "+", "-", "--", "/*", "0x", ":", "?", "@", "@@", "AVG", "CASE", "CAST", "COUNT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "DATE", "DATETIME", "DATE_TRUNC", "EXTRACT", "FALSE", "GROUP_CONCAT", "INTERVAL", "MATCH", "MAX", "MIN", "N", "NULL", "SESSION_USER", "SUM", "SYSTEM_USER", "TIME", "TIMESTAMP", "TRUE", "USER", "X", "\"", "_binary", "_latin1", "`", "b", "binary", "convert", "trim", "~", [ \t\n\r], [0-9], or [A-Za-z_一-龥À-ſ] but end of input found. near 'SELECT 1 +'

# A signed exponent makes a DOUBLE literal.
SELECT 6e-10, 1.5E+3 * 2, 2e-1 + 1;
----
6e-10 | 1.5E+3 * 2 | 2e-1 + 1
6e-10 | 3000 | 1.2

CREATE DATABASE `odd name`;
----
ok 1

DROP DATABASE `odd name`;
----
ok 0

# Date arithmetic: INTERVAL operands, DATE_ADD/DATE_SUB/ADDDATE/SUBDATE, DATEDIFF.
SELECT DATE '1998-12-01' - INTERVAL '90' DAY, DATE_ADD('2024-01-31', INTERVAL 1 MONTH), DATE_SUB(DATE '2024-03-31', INTERVAL 1 QUARTER);
----
DATE '1998-12-01' - INTERVAL '90' DAY | DATE_ADD('2024-01-31', INTERVAL 1 MONTH) | DATE_SUB(DATE '2024-03-31', INTERVAL 1 QUARTER)
1998-09-02 | 2024-02-29 | 2023-12-31

SELECT INTERVAL 1 YEAR + DATE '2024-02-29', CAST('2024-12-31 23:59:59' AS DATETIME) + INTERVAL 1 SECOND, DATE '2024-01-01' + INTERVAL 90 MINUTE;
----
INTERVAL 1 YEAR + DATE '2024-02-29' | CAST('2024-12-31 23:59:59' AS DATETIME) + INTERVAL 1 SECOND | DATE '2024-01-01' + INTERVAL 90 MINUTE
2025-02-28 | 2025-01-01 00:00:00 | 2024-01-01 01:30:00

SELECT ADDDATE('2024-02-28', 2), SUBDATE(DATE '2024-03-01', INTERVAL 1 WEEK), DATE_ADD('9999-12-31', INTERVAL 1 DAY), DATE_ADD(NULL, INTERVAL 1 DAY), DATE_ADD('nonsense', INTERVAL 1 DAY);
----
ADDDATE('2024-02-28', 2) | SUBDATE(DATE '2024-03-01', INTERVAL 1 WEEK) | DATE_ADD('9999-12-31', INTERVAL 1 DAY) | DATE_ADD(NULL, INTERVAL 1 DAY) | DATE_ADD('nonsense', INTERVAL 1 DAY)
2024-03-01 | 2024-02-23 | NULL | NULL | NULL

SELECT DATEDIFF('2024-03-01', '2024-02-01'), DATEDIFF(DATE '2023-01-01', '2024-01-01 23:00:00'), DATEDIFF(NULL, '2024-01-01');
----
DATEDIFF('2024-03-01', '2024-02-01') | DATEDIFF(DATE '2023-01-01', '2024-01-01 23:00:00') | DATEDIFF(NULL, '2024-01-01')
29 | -365 | NULL

SELECT DATE_ADD('2024-01-01', INTERVAL 1 DAY_HOUR);
----
error 1235: This version doesn't yet support 'INTERVAL ... DAY_HOUR'

SELECT INTERVAL 1 DAY;
----
error 1064: You have an error in your SQL syntax; INTERVAL is allowed only in DATE_ADD/DATE_SUB or after + / -

# EXPLAIN keeps the parentheses that matter.
CREATE TABLE paren (id INT PRIMARY KEY, a INT);
----
ok 0

# @compare: memory root (the pushed run names the operators really sent to TiKV)
EXPLAIN SELECT a FROM paren WHERE (a > 1 OR a < -1) AND a * (1 - a) <> a - (a - 1);
----
id | estRows | task | access object | operator info
Projection_1 | N/A | root |  | a
└─TableReader_2 | N/A | root |  | pushdown boundary: children run per region (cop[tikv])
  └─Selection_3 | N/A | cop[tikv] |  | (a > 1 or a < -1) and a * (1 - a) <> a - (a - 1)
    └─TableFullScan_4 | N/A | cop[tikv] | table:paren | table:paren, keep order:false

DROP TABLE paren;
----
ok 0
