import { invalidArgument } from '../../util/errors.ts';
import { MysqlType } from './field_type.ts';

/**
 * DATE/DATETIME/TIMESTAMP values (coprocessor.md §7.3). Two u64 layouts exist and must not
 * be mixed up:
 *  - CoreTime (TiDB in-memory `types.Time`, the chunk format, and this project's value
 *    representation): year 63..50, month 49..46, day 45..41, hour 40..36, minute 35..30,
 *    second 29..24, microsecond 23..4, fspTt 3..0 (`fsp << 1 | isTimestamp`, 0b1110 = DATE).
 *  - Packed uint (`ToPackedUint`: keys, row v1/v2 values, default-encoded datums):
 *    `((((year*13+month) << 5 | day) << 17 | hour << 12 | minute << 6 | second) << 24) | µs`,
 *    without type or fsp (those come from the column).
 * TIMESTAMP is stored in UTC; converting to a session time zone is the caller's job.
 */

export interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
}

/** MySQL maximum fractional seconds precision. */
export const FSP_MAX = 6;
/** TiDB `types.UnspecifiedFsp`: callers treat it as 0 for storage. */
export const FSP_UNSPECIFIED = -1;
const FSP_TT_DATE = 0b1110;
const YEAR_MAX = 9999;

const TWO_24N = 24n;

function fspTtOf(tp: number, fsp: number): number {
  if (tp === MysqlType.Date || tp === MysqlType.NewDate) return FSP_TT_DATE;
  const f = fsp < 0 ? 0 : fsp;
  return (f << 1) | (tp === MysqlType.Timestamp ? 1 : 0);
}

/** The 40 bits above bit 24 shared (with different meanings) by both layouts. */
function coreHigh(f: TimeFields): number {
  return f.year * 2 ** 26 + f.month * 2 ** 22 + f.day * 2 ** 17 + f.hour * 2 ** 12 + f.minute * 2 ** 6 + f.second;
}

/** Builds a CoreTime from fields; `tp` is MysqlType.Date/Datetime/Timestamp. */
export function coreTimeFromFields(f: TimeFields, tp: number, fsp: number): bigint {
  return (BigInt(coreHigh(f)) << TWO_24N) | BigInt(f.microsecond * 16 + fspTtOf(tp, fsp));
}

/** Splits a CoreTime into its fields. */
export function coreTimeToFields(ct: bigint): TimeFields {
  const high = Number(ct >> TWO_24N);
  const low = Number(ct & 0xffffffn);
  return {
    year: Math.floor(high / 2 ** 26),
    month: Math.floor(high / 2 ** 22) % 16,
    day: Math.floor(high / 2 ** 17) % 32,
    hour: Math.floor(high / 2 ** 12) % 32,
    minute: Math.floor(high / 64) % 64,
    second: high % 64,
    microsecond: low >>> 4,
  };
}

/** MySQL type code encoded in a CoreTime's fspTt bits. */
export function coreTimeType(ct: bigint): number {
  const tt = Number(ct & 0xfn);
  if (tt === FSP_TT_DATE) return MysqlType.Date;
  return tt & 1 ? MysqlType.Timestamp : MysqlType.Datetime;
}

/** Fractional seconds precision of a CoreTime (0 for DATE). */
export function coreTimeFsp(ct: bigint): number {
  const tt = Number(ct & 0xfn);
  return tt === FSP_TT_DATE ? 0 : tt >> 1;
}

/** Packed uint (`ToPackedUint`) from fields. */
export function packedFromFields(f: TimeFields): bigint {
  const ymd = ((f.year * 13 + f.month) * 32 + f.day) * 2 ** 17;
  const hms = f.hour * 4096 + f.minute * 64 + f.second;
  return (BigInt(ymd + hms) << TWO_24N) | BigInt(f.microsecond);
}

/** Fields of a packed uint (`FromPackedUint`). */
export function packedToFields(packed: bigint): TimeFields {
  const ymdhms = Number(packed >> TWO_24N);
  const microsecond = Number(packed & 0xffffffn);
  const ymd = Math.floor(ymdhms / 2 ** 17);
  const hms = ymdhms % 2 ** 17;
  const ym = Math.floor(ymd / 32);
  return {
    year: Math.floor(ym / 13),
    month: ym % 13,
    day: ymd % 32,
    hour: Math.floor(hms / 4096),
    minute: Math.floor(hms / 64) % 64,
    second: hms % 64,
    microsecond,
  };
}

/** TiDB `Time.ToPackedUint` of a CoreTime. */
export function coreTimeToPacked(ct: bigint): bigint {
  const high = Number(ct >> TWO_24N);
  const year = Math.floor(high / 2 ** 26);
  const month = Math.floor(high / 2 ** 22) % 16;
  const dayHms = high % 2 ** 22; // day(5) hour(5) minute(6) second(6): same bits in both layouts
  const ymdhms = (year * 13 + month) * 2 ** 22 + dayHms;
  return (BigInt(ymdhms) << TWO_24N) | BigInt(Number(ct & 0xffffffn) >>> 4);
}

/** CoreTime of a packed uint read from storage for a column of type `tp` and `fsp`. */
export function coreTimeFromPacked(packed: bigint, tp: number, fsp: number): bigint {
  const ymdhms = Number(packed >> TWO_24N);
  const microsecond = Number(packed & 0xffffffn);
  const ym = Math.floor(ymdhms / 2 ** 22);
  const dayHms = ymdhms % 2 ** 22;
  const high = Math.floor(ym / 13) * 2 ** 26 + (ym % 13) * 2 ** 22 + dayHms;
  return (BigInt(high) << TWO_24N) | BigInt(microsecond * 16 + fspTtOf(tp, fsp));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD` for DATE, `YYYY-MM-DD HH:MM:SS[.f…]` (fsp digits) otherwise. */
export function formatCoreTime(ct: bigint): string {
  const f = coreTimeToFields(ct);
  const date = `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`;
  if (coreTimeType(ct) === MysqlType.Date) return date;
  const fsp = coreTimeFsp(ct);
  const s = `${date} ${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}`;
  return fsp > 0 ? `${s}.${pad(f.microsecond, 6).slice(0, fsp)}` : s;
}

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True for a valid date, or the zero date 0000-00-00 (parts may be 0 only all together). */
export function isValidDate(year: number, month: number, day: number): boolean {
  if (year === 0 && month === 0 && day === 0) return true;
  if (year < 0 || year > YEAR_MAX || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/** Rounds a fraction digit string to `fsp` digits half-up; returns µs and carry seconds. */
function roundFraction(digits: string, fsp: number): { microsecond: number; carry: number } {
  if (digits.length === 0) return { microsecond: 0, carry: 0 };
  const keep = digits.slice(0, fsp).padEnd(fsp, '0');
  let v = fsp === 0 ? 0 : Number(keep);
  if (digits.length > fsp && digits.charCodeAt(fsp) >= 53 /* '5' */) v += 1;
  const limit = 10 ** fsp;
  if (v >= limit) return { microsecond: 0, carry: 1 };
  return { microsecond: v * 10 ** (FSP_MAX - fsp), carry: 0 };
}

function addOneSecond(f: TimeFields): void {
  if (++f.second < 60) return;
  f.second = 0;
  if (++f.minute < 60) return;
  f.minute = 0;
  if (++f.hour < 24) return;
  f.hour = 0;
  if (++f.day <= daysInMonth(f.year, f.month)) return;
  f.day = 1;
  if (++f.month <= 12) return;
  f.month = 1;
  f.year++;
}

const DATETIME_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?)?$/;
const DATETIME_COMPACT_RE = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})(?:\.(\d*))?)?$/;

/**
 * Parses `YYYY-MM-DD[( |T)HH:MM[:SS[.frac]]]` or `YYYYMMDD[HHMMSS[.frac]]` into a CoreTime
 * of type `tp` (Date/Datetime/Timestamp), rounding the fraction half-up to `fsp` (DATE drops
 * the time part). Throws `DomainError('InvalidArgument')` on bad syntax or invalid dates.
 */
export function parseTime(s: string, tp: number, fsp: number): bigint {
  const text = s.trim();
  const m = DATETIME_RE.exec(text) ?? DATETIME_COMPACT_RE.exec(text);
  if (m === null) throw invalidArgument(`incorrect datetime value '${s}'`);
  const f: TimeFields = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    microsecond: 0,
  };
  const effFsp = tp === MysqlType.Date || tp === MysqlType.NewDate ? 0 : Math.max(0, Math.min(fsp, FSP_MAX));
  if (!isValidDate(f.year, f.month, f.day) || f.hour > 23 || f.minute > 59 || f.second > 59) {
    throw invalidArgument(`incorrect datetime value '${s}'`);
  }
  if (tp === MysqlType.Date || tp === MysqlType.NewDate) {
    f.hour = f.minute = f.second = 0;
  } else {
    const r = roundFraction(m[7] ?? '', effFsp);
    f.microsecond = r.microsecond;
    if (r.carry) {
      if (f.month === 0) throw invalidArgument(`incorrect datetime value '${s}'`);
      addOneSecond(f);
      if (f.year > YEAR_MAX) throw invalidArgument(`datetime value '${s}' out of range`);
    }
  }
  return coreTimeFromFields(f, tp, effFsp);
}

/** Orders CoreTimes by their time value (ignoring the fspTt bits). */
export function compareCoreTime(a: bigint, b: bigint): number {
  const x = a >> 4n;
  const y = b >> 4n;
  return x < y ? -1 : x > y ? 1 : 0;
}
