# SQL-level prepared statements: PREPARE … FROM 'text' | @var, EXECUTE … USING @vars (re-executed with new values, inside transactions), DEALLOCATE / DROP PREPARE, and their errors.
CREATE TABLE kv (k INT PRIMARY KEY, v VARCHAR(20));
----
ok 0

PREPARE ins FROM 'INSERT INTO kv VALUES (?, ?)';
----
ok 0

SET @k = 1, @v = 'one';
----
ok 0

EXECUTE ins USING @k, @v;
----
ok 1

SET @k = 2, @v = 'two';
----
ok 0

EXECUTE ins USING @k, @v;
----
ok 1

EXECUTE ins USING @k, @v;
----
error 1062: Duplicate entry '2' for key 'kv.PRIMARY'

SET @q = 'SELECT v FROM kv WHERE k >= ? ORDER BY k';
----
ok 0

PREPARE sel FROM @q;
----
ok 0

SET @lo = 2;
----
ok 0

EXECUTE sel USING @lo;
----
v
two

SET @lo = 0;
----
ok 0

EXECUTE sel USING @lo;
----
v
one
two

PREPARE cnt FROM "SELECT COUNT(*) FROM kv WHERE v <> 'x'";
----
ok 0

EXECUTE cnt;
----
COUNT(*)
2

BEGIN;
----
ok 0

SET @k = 3, @v = NULL;
----
ok 0

EXECUTE ins USING @k, @v;
----
ok 1

ROLLBACK;
----
ok 0

EXECUTE cnt;
----
COUNT(*)
2

EXECUTE sel;
----
error 1210: Incorrect arguments to EXECUTE

EXECUTE nosuch;
----
error 1243: Unknown prepared statement handler (nosuch) given to EXECUTE

DEALLOCATE PREPARE sel;
----
ok 0

EXECUTE sel USING @lo;
----
error 1243: Unknown prepared statement handler (sel) given to EXECUTE

DROP PREPARE sel;
----
error 1243: Unknown prepared statement handler (sel) given to DEALLOCATE PREPARE

PREPARE bad FROM 'SELEC 1';
----
error 1064: You have an error in your SQL syntax; Expected "#", "--", "/*", ":=", "=", or [ \t\n\r] but "1" found. near 'SELEC 1'

PREPARE nested FROM 'PREPARE x FROM ''SELECT 1''';
----
error 1295: This command is not supported in the prepared statement protocol yet

SET @nothing = NULL;
----
ok 0

PREPARE fromnull FROM @nothing;
----
error 1064: You have an error in your SQL syntax; Expected "#", "--", ".", "/*", ":=", "=", [ \t\n\r], or [A-Za-z0-9_$\x80-￿] but end of input found. near 'NULL'
