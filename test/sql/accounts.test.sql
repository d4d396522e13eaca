# Accounts: CREATE / ALTER / DROP USER, SET PASSWORD, GRANT / REVOKE (not enforced, warned), SHOW GRANTS, USER() / CURRENT_USER(), atomic multi-account statements, bad input.
SELECT USER(), CURRENT_USER();
----
USER() | CURRENT_USER()
root@localhost | root@%

CREATE USER 'alice'@'%' IDENTIFIED BY 'pw1', bob@localhost, `carol`@`10.0.%`;
----
ok 0

CREATE USER alice;
----
error 1396: Operation CREATE USER failed for 'alice'@'%'

# One failing account fails the whole statement: dave is not created.
CREATE USER dave, 'alice'@'%';
----
error 1396: Operation CREATE USER failed for 'alice'@'%'

SHOW GRANTS FOR dave;
----
error 1141: There is no such grant defined for user 'dave' on host '%'

CREATE USER IF NOT EXISTS alice, dave IDENTIFIED WITH mysql_native_password AS '*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9';
----
ok 0 (1 warnings)

SHOW WARNINGS;
----
Level | Code | Message
Note | 3163 | User 'alice'@'%' already exists.

SHOW GRANTS FOR 'bob'@'localhost';
----
Grants for bob@localhost
GRANT ALL PRIVILEGES ON *.* TO 'bob'@'localhost' WITH GRANT OPTION

SHOW GRANTS;
----
Grants for root@%
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION

GRANT SELECT, INSERT ON test.* TO alice, 'bob'@'localhost' WITH GRANT OPTION;
----
ok 0 (1 warnings)

SHOW WARNINGS;
----
Level | Code | Message
Warning | 1235 | Privileges are not enforced by this server: every account has all privileges, so GRANT and REVOKE change nothing

GRANT ALL PRIVILEGES ON *.* TO nobody;
----
error 1410: You are not allowed to create a user with GRANT

REVOKE ALL ON *.* FROM 'nobody'@'%';
----
error 1141: There is no such grant defined for user 'nobody' on host '%'

ALTER USER alice IDENTIFIED BY 'pw2';
----
ok 0

ALTER USER nobody IDENTIFIED BY 'x';
----
error 1396: Operation ALTER USER failed for 'nobody'@'%'

ALTER USER IF EXISTS nobody IDENTIFIED BY 'x';
----
ok 0 (1 warnings)

SHOW WARNINGS;
----
Level | Code | Message
Note | 3162 | User 'nobody'@'%' does not exist.

SET PASSWORD FOR 'carol'@'10.0.%' = 'pw3';
----
ok 0

SET PASSWORD FOR carol = 'pw3';
----
error 1396: Operation ALTER USER failed for 'carol'@'%'

CREATE USER eve IDENTIFIED WITH mysql_native_password AS 'not-a-hash';
----
error 1827: The password hash doesn't have the expected format.

CREATE USER frank IDENTIFIED WITH caching_sha2_password BY 'x';
----
error 1235: This version doesn't yet support 'authentication plugin caching_sha2_password' (only mysql_native_password)

CREATE USER 'a_user_name_that_is_far_too_long_for_mysql';
----
error 1470: String 'a_user_name_that_is_far_too_long_for_mysql' is too long for user name (should be no longer than 32)

CREATE USER 'unterminated;
----
error 1064: You have an error in your SQL syntax; check the manual near ''unterminated'

DROP USER alice, nobody;
----
error 1396: Operation DROP USER failed for 'nobody'@'%'

DROP USER IF EXISTS alice, nobody, dave, 'bob'@'localhost', 'carol'@'10.0.%';
----
ok 0 (1 warnings)

SHOW WARNINGS;
----
Level | Code | Message
Note | 3162 | User 'nobody'@'%' does not exist.

SHOW GRANTS FOR alice;
----
error 1141: There is no such grant defined for user 'alice' on host '%'
