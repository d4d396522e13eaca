# Session time_zone: TIMESTAMP stored in UTC and shown/read in the session's zone (numeric offsets and IANA names with DST), DATETIME untouched, NOW()/UTC_TIMESTAMP()/UNIX_TIMESTAMP()/FROM_UNIXTIME(), comparisons, index lookups, aggregates and ordering on TIMESTAMP, bad zones.
CREATE TABLE ev (id INT PRIMARY KEY, ts TIMESTAMP NULL, dt DATETIME NULL, KEY kts (ts));
----
ok 0

SELECT @@time_zone, @@system_time_zone;
----
@@time_zone | @@system_time_zone
SYSTEM | UTC

SET time_zone = '+00:00';
----
ok 0

INSERT INTO ev VALUES (1, '2024-01-01 12:00:00', '2024-01-01 12:00:00');
----
ok 1

SET time_zone = '+08:00';
----
ok 0

INSERT INTO ev VALUES (2, '2024-01-01 08:00:00', '2024-01-01 08:00:00'), (3, '2024-07-01 12:30:00', '2024-07-01 12:30:00'), (4, NULL, NULL);
----
ok 3

SELECT id, ts, dt FROM ev ORDER BY id;
----
id | ts | dt
1 | 2024-01-01 20:00:00 | 2024-01-01 12:00:00
2 | 2024-01-01 08:00:00 | 2024-01-01 08:00:00
3 | 2024-07-01 12:30:00 | 2024-07-01 12:30:00
4 | NULL | NULL

SELECT id FROM ev WHERE ts = '2024-01-01 20:00:00';
----
id
1

SELECT id FROM ev WHERE ts > '2024-01-01 09:00:00' ORDER BY id;
----
id
1
3

SELECT id FROM ev WHERE dt > '2024-01-01 09:00:00' ORDER BY id;
----
id
1
3

SELECT MIN(ts), MAX(ts), COUNT(ts) FROM ev;
----
MIN(ts) | MAX(ts) | COUNT(ts)
2024-01-01 08:00:00 | 2024-07-01 12:30:00 | 3

SELECT id, ts FROM ev ORDER BY ts DESC LIMIT 2;
----
id | ts
3 | 2024-07-01 12:30:00
1 | 2024-01-01 20:00:00

SELECT id, UNIX_TIMESTAMP(ts), UNIX_TIMESTAMP(dt) FROM ev ORDER BY id;
----
id | UNIX_TIMESTAMP(ts) | UNIX_TIMESTAMP(dt)
1 | 1704110400 | 1704081600
2 | 1704067200 | 1704067200
3 | 1719808200 | 1719808200
4 | NULL | NULL

SELECT NOW(), UTC_TIMESTAMP(), CURDATE(), UNIX_TIMESTAMP();
----
NOW() | UTC_TIMESTAMP() | CURDATE() | UNIX_TIMESTAMP()
2026-01-02 11:04:05 | 2026-01-02 03:04:05 | 2026-01-02 | 1767323045

SET time_zone = 'UTC';
----
ok 0

SELECT id, ts, dt FROM ev ORDER BY id;
----
id | ts | dt
1 | 2024-01-01 12:00:00 | 2024-01-01 12:00:00
2 | 2024-01-01 00:00:00 | 2024-01-01 08:00:00
3 | 2024-07-01 04:30:00 | 2024-07-01 12:30:00
4 | NULL | NULL

SELECT NOW(), FROM_UNIXTIME(1704110400), FROM_UNIXTIME(1704110400.5);
----
NOW() | FROM_UNIXTIME(1704110400) | FROM_UNIXTIME(1704110400.5)
2026-01-02 03:04:05 | 2024-01-01 12:00:00 | 2024-01-01 12:00:00.5

SET time_zone = 'America/New_York';
----
ok 0

# January is EST (-05:00), July EDT (-04:00).
SELECT id, ts FROM ev ORDER BY id;
----
id | ts
1 | 2024-01-01 07:00:00
2 | 2023-12-31 19:00:00
3 | 2024-07-01 00:30:00
4 | NULL

SELECT FROM_UNIXTIME(1704110400), FROM_UNIXTIME(1719837000), UNIX_TIMESTAMP('2024-07-01 08:30:00');
----
FROM_UNIXTIME(1704110400) | FROM_UNIXTIME(1719837000) | UNIX_TIMESTAMP('2024-07-01 08:30:00')
2024-01-01 07:00:00 | 2024-07-01 08:30:00 | 1719837000

UPDATE ev SET ts = '2024-03-10 01:30:00' WHERE id = 4;
----
ok 1

SET time_zone = '+00:00';
----
ok 0

SELECT ts FROM ev WHERE id = 4;
----
ts
2024-03-10 06:30:00

SET time_zone = 'Mars/Olympus_Mons';
----
error 1298: Unknown or incorrect time zone: 'Mars/Olympus_Mons'

SET time_zone = '+15:00';
----
error 1298: Unknown or incorrect time zone: '+15:00'

SET time_zone = 'SYSTEM';
----
ok 0

SELECT @@time_zone, ts FROM ev WHERE id = 1;
----
@@time_zone | ts
SYSTEM | 2024-01-01 12:00:00
