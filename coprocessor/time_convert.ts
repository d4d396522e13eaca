import { MysqlType } from './field_type.ts';
import type { TimeZone } from './time_zone.ts';

/** Broken-down MySQL datetime (month/day may be 0 for zero dates). */
export interface TimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
}

/** Splits the packed storage form (`ToPackedUint`) into its fields. */
export function packedToParts(p: bigint): TimeParts {
  const microsecond = Number(p & 0xffffffn);
  const ymdhms = p >> 24n;
  const ymd = Number(ymdhms >> 17n);
  const hms = Number(ymdhms & 0x1ffffn);
  const ym = ymd >> 5;
  return {
    year: Math.floor(ym / 13),
    month: ym % 13,
    day: ymd & 31,
    hour: hms >> 12,
    minute: (hms >> 6) & 63,
    second: hms & 63,
    microsecond,
  };
}

/** Joins fields into the packed storage form. */
export function partsToPacked(t: TimeParts): bigint {
  const ymd = BigInt(((t.year * 13 + t.month) << 5) | t.day);
  const hms = BigInt((t.hour << 12) | (t.minute << 6) | t.second);
  return (((ymd << 17n) | hms) << 24n) | BigInt(t.microsecond);
}

/**
 * Shifts a UTC TIMESTAMP (packed) into the request's time zone. Zero / zero-date values are
 * left as they are (MySQL keeps them zero).
 */
export function utcToLocal(p: bigint, tz: TimeZone): TimeParts {
  const t = packedToParts(p);
  if (p === 0n || t.month === 0 || t.day === 0) return t;
  const utc = new Date(0);
  utc.setUTCFullYear(t.year, t.month - 1, t.day);
  utc.setUTCHours(t.hour, t.minute, t.second, 0);
  const utcMs = utc.getTime();
  const d = new Date(utcMs + tz.offsetSecondsAt(utcMs) * 1000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), microsecond: t.microsecond };
}

/**
 * TiDB's in-memory CoreTime (the chunk format): year 63..50, month 49..46, day 45..41,
 * hour 40..36, minute 35..30, second 29..24, microsecond 23..4, fspTt 3..0 where
 * fspTt = fsp << 1 | isTimestamp, or 0b1110 for DATE.
 */
export function partsToCoreTime(t: TimeParts, tp: number, fsp: number): bigint {
  const f = fsp >= 0 && fsp <= 6 ? fsp : 0;
  const fspTt = tp === MysqlType.Date || tp === MysqlType.NewDate ? 0b1110 : (f << 1) | (tp === MysqlType.Timestamp ? 1 : 0);
  return (
    (BigInt(t.year) << 50n) |
    (BigInt(t.month) << 46n) |
    (BigInt(t.day) << 41n) |
    (BigInt(t.hour) << 36n) |
    (BigInt(t.minute) << 30n) |
    (BigInt(t.second) << 24n) |
    (BigInt(t.microsecond) << 4n) |
    BigInt(fspTt)
  );
}
