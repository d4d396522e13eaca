import { type TimeFields, coreTimeFromFields, coreTimeFsp, coreTimeToFields, coreTimeType, daysInMonth, formatCoreTime } from '../src/codec/tidb/mod.ts';
import { DagFlag, type EvalContext, EvalError, MysqlErrorCode, SqlMode } from './eval_context.ts';
import { MysqlType } from './field_type.ts';

/**
 * Building DATE/DATETIME/TIMESTAMP values from strings, numbers and parts with MySQL's rules
 * as TiKV applies them (`Time::parse`, `parse_from_i64`, `TimeArgs::check`): loose
 * delimiters, 2-digit years, compact digit strings, ISO 8601 zone suffixes, fraction
 * rounding with carry, and the sql_mode checks for zero dates, zero-in-date parts and
 * invalid dates. A TIMESTAMP is validated as a wall-clock time in the request's zone and
 * returned in UTC (this project's TIMESTAMP representation).
 *
 * Every builder answers a CoreTime, or null when the value is invalid; the caller reports
 * that (TiKV: "Incorrect datetime value", through `EvalContext.invalidTime`). Warnings that
 * the checks themselves emit (1265 when a zero date is cleared) go straight to the context.
 */

/** The time type a cast produces. */
export type TimeTarget = { readonly tp: number; readonly fsp: number };

/** TIMESTAMP range in epoch seconds (TiKV MIN_TIMESTAMP..MAX_TIMESTAMP). */
const TIMESTAMP_SECONDS_MIN = 0;
const TIMESTAMP_SECONDS_MAX = 2 ** 31 - 1;
const YEAR_MAX = 9999;
const MICROS_PER_SECOND = 1_000_000;
/** Most digit groups a datetime string may have (date 3, time 3, fraction 1, zone 2). */
const COMPONENTS_MAX = 9;
const ISO_ZONE_HOURS_MAX = 14;

const isDateTp = (tp: number): boolean => tp === MysqlType.Date || tp === MysqlType.NewDate;

/** Fsp of a cast's target type: unspecified (-1) is 0, above 6 is refused as TiKV does. */
export function targetFsp(decimal: number | undefined): number {
  const fsp = decimal ?? 0;
  if (fsp < 0) return 0;
  if (fsp > 6) throw new EvalError(MysqlErrorCode.UnknownError, `Invalid fsp ${fsp}`);
  return fsp;
}

const zeroFields = (): TimeFields => ({ year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, microsecond: 0 });
const isZero = (f: TimeFields): boolean => f.year === 0 && f.month === 0 && f.day === 0 && f.hour === 0 && f.minute === 0 && f.second === 0 && f.microsecond === 0;
/** TiKV `last_day_of_month`: month 0 (and any non-month) counts 31 days. */
const lastDay = (year: number, month: number): number => (month >= 1 && month <= 12 ? daysInMonth(year, month) : 31);

type Check = 'keep' | 'zero' | 'invalid';

function zeroDateCheck(ctx: EvalContext): Check {
  if ((ctx.sqlMode & SqlMode.NoZeroDate) === 0n) return 'keep';
  if (ctx.isStrict() && (ctx.flags & DagFlag.IgnoreTruncate) === 0n) return 'invalid';
  ctx.warn(MysqlErrorCode.DataTruncated, 'Data Truncated');
  return 'zero';
}

function zeroInDateCheck(ctx: EvalContext): Check {
  if ((ctx.sqlMode & SqlMode.NoZeroInDate) === 0n) return 'keep';
  if (ctx.isStrict() && (ctx.flags & DagFlag.IgnoreTruncate) === 0n) return 'invalid';
  ctx.warn(MysqlErrorCode.DataTruncated, 'Data Truncated');
  // The value becomes the zero date, which NO_ZERO_DATE then judges.
  return zeroDateCheck(ctx) === 'invalid' ? 'invalid' : 'zero';
}

function invalidDateCheck(ctx: EvalContext): Check {
  if ((ctx.sqlMode & SqlMode.InvalidDates) === 0n) return 'invalid';
  return zeroDateCheck(ctx) === 'invalid' ? 'invalid' : 'zero';
}

/** Wall-clock fields as seconds since the epoch as if they were UTC (fields must form a real date). */
function wallSeconds(f: TimeFields): number {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute, f.second, 0);
  return d.getTime() / 1000;
}
function fieldsOfUtcSeconds(seconds: number, microsecond: number): TimeFields {
  const d = new Date(0);
  d.setTime(seconds * 1000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), microsecond };
}

/**
 * Validates parts as a value of `target` (TiKV `Time::new`): the checked CoreTime (TIMESTAMP
 * in UTC; DATE with its time cleared), or null when invalid.
 */
export function newTime(ctx: EvalContext, f0: TimeFields, target: TimeTarget): bigint | null {
  let f = { ...f0 };
  if (target.tp === MysqlType.Timestamp) {
    if (isZero(f)) {
      const c = zeroDateCheck(ctx);
      if (c === 'invalid') return null;
      return coreTimeFromFields(zeroFields(), MysqlType.Timestamp, target.fsp);
    }
    const valid = f.year <= YEAR_MAX && f.month >= 1 && f.month <= 12 && f.day >= 1 && f.day <= lastDay(f.year, f.month) && f.hour <= 23 && f.minute <= 59 && f.second <= 59 && f.microsecond < MICROS_PER_SECOND;
    const utc = valid ? ctx.localToUtcSecondsExact(wallSeconds(f)) : null;
    if (utc === null || utc < TIMESTAMP_SECONDS_MIN || utc > TIMESTAMP_SECONDS_MAX) {
      const c = invalidDateCheck(ctx);
      if (c === 'invalid') return null;
      return coreTimeFromFields(zeroFields(), MysqlType.Timestamp, target.fsp);
    }
    return coreTimeFromFields(fieldsOfUtcSeconds(utc, f.microsecond), MysqlType.Timestamp, target.fsp);
  }
  const { year, month, day } = f;
  let result: Check = 'keep';
  if (isZero(f)) result = zeroDateCheck(ctx);
  if (result === 'keep' && (month === 0 || day === 0)) {
    const c = zeroInDateCheck(ctx);
    if (c === 'invalid') result = 'invalid';
    else if (c === 'zero') f = zeroFields();
  }
  if (result === 'keep' && (year > YEAR_MAX || month > 12 || day > 31 || ((ctx.sqlMode & SqlMode.InvalidDates) === 0n && day > lastDay(year, month)))) result = invalidDateCheck(ctx);
  if (result === 'keep' && (f.hour > 23 || f.minute > 59 || f.second > 59 || f.microsecond >= MICROS_PER_SECOND)) result = invalidDateCheck(ctx);
  if (result === 'invalid') return null;
  if (result === 'zero') f = zeroFields();
  if (isDateTp(target.tp)) return coreTimeFromFields({ ...f, hour: 0, minute: 0, second: 0, microsecond: 0 }, MysqlType.Date, 0);
  return coreTimeFromFields(f, MysqlType.Datetime, target.fsp);
}

/** A CoreTime's fields as the request sees them: TIMESTAMPs shifted from UTC to the request zone. */
export function localFields(ct: bigint, ctx: EvalContext): TimeFields {
  const f = coreTimeToFields(ct);
  if (coreTimeType(ct) !== MysqlType.Timestamp || f.month === 0 || f.day === 0) return f;
  const utc = wallSeconds(f);
  return fieldsOfUtcSeconds(utc + ctx.offsetSecondsAtUtc(utc), f.microsecond);
}

/**
 * Carries parts that overflowed after rounding (microsecond = 1e6, then seconds, ...; TiKV
 * `round_components`); false when a carry would run into a zero year/month/day part.
 */
function carryParts(p: number[]): boolean {
  const modulus = [Number.MAX_SAFE_INTEGER, 12, lastDay(p[0]!, p[1]!), 24, 60, 60, MICROS_PER_SECOND];
  for (let i = 6; i >= 1; i--) {
    const ymd = i < 3 ? 1 : 0;
    if (p[i]! >= modulus[i]! + ymd) {
      p[i] = p[i]! - modulus[i]!;
      if ((i < 4 && p[i - 1] === 0) || p[i - 1]! > modulus[i - 1]!) return false;
      p[i - 1] = p[i - 1]! + 1;
    }
  }
  return true;
}

/**
 * Rounds microseconds half up to `fsp` digits (TiKV `round_frac`); `frac` may carry a 7th
 * digit (values ≥ 1e6 are 7-digit fractions). Returns the microseconds, possibly 1e6 (carry).
 */
function roundMicros(frac: number, fsp: number): number {
  if (frac < MICROS_PER_SECOND && fsp === 6) return frac;
  const width = frac >= MICROS_PER_SECOND ? 7 : 6;
  const mask = 10 ** (width - fsp - 1);
  return Math.floor((Math.floor(frac / mask) + 5) / 10) * mask * (width === 6 ? 10 : 1);
}

/** Fraction digits → microseconds rounded to `fsp` (reads at most fsp+1 digits). */
function parseFraction(digits: string, fsp: number): number {
  const used = fsp >= digits.length ? digits : digits.slice(0, fsp + 1);
  return roundMicros(Number(used) * 10 ** Math.max(0, 6 - used.length), fsp);
}

function fromParts(ctx: EvalContext, parts: number[], target: TimeTarget): bigint | null {
  if (parts[6]! >= MICROS_PER_SECOND && !carryParts(parts)) return null;
  const [year, month, day, hour, minute, second, microsecond] = parts as [number, number, number, number, number, number, number];
  return newTime(ctx, { year, month, day, hour, minute, second, microsecond }, target);
}

const isAsciiDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAsciiSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
const isAsciiPunct = (c: number): boolean => (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
/** Digits as an unsigned 32-bit number, or null when it does not fit. */
function digitsValue(s: string): number | null {
  const v = s === '' ? 0 : Number(s);
  return v > 0xffffffff ? null : v;
}

interface Components {
  parts: string[];
  /** Seconds east of UTC of an ISO 8601 suffix (`Z`, `+08:00`, `-0800`, `+08`), or null. */
  zoneOffsetSeconds: number | null;
}

/** Splits a trimmed datetime string into digit groups, the separators between them and a zone suffix. */
function splitComponents(s: string): Components | null {
  const parts: string[] = [];
  const seps: string[] = [];
  let p = 0;
  while (p < s.length) {
    const start = p;
    while (p < s.length && isAsciiDigit(s.charCodeAt(p))) p++;
    if (p === start) return null;
    parts.push(s.slice(start, p));
    if (parts.length > COMPONENTS_MAX) return null;
    if (p === s.length) break;
    const c = s.charCodeAt(p);
    const sepStart = p;
    if (isAsciiSpace(c)) {
      if (parts.length !== 3) return null;
      while (p < s.length && isAsciiSpace(s.charCodeAt(p))) p++;
    } else if (s[p] === 'T') {
      if (parts.length !== 3) return null;
      p++;
    } else if (s[p] === 'Z') {
      if (parts.length !== 6 && parts.length !== 7) return null;
      p++;
    } else if (isAsciiPunct(c)) {
      while (p < s.length && isAsciiPunct(s.charCodeAt(p))) p++;
      // Trailing punctuation is not a separator (TiKV needs something after it).
      if (p === s.length) return null;
    } else {
      return null;
    }
    seps.push(s.slice(sepStart, p));
  }
  let hasZone = false;
  let sign = '';
  let zoneHour = '';
  let zoneMinute = '';
  const tail = (from: number): string => seps.slice(from).join('\u0000');
  switch (parts.length) {
    case 9:
      if (seps.length !== 8) return null;
      if (tail(6) !== '+\u0000:' && tail(6) !== '-\u0000:') return null;
      hasZone = true;
      sign = seps[6]!;
      zoneMinute = parts.pop()!;
      zoneHour = parts.pop()!;
      break;
    case 8:
      if (seps.length !== 7) return null;
      if (tail(5) === '.\u0000-' || tail(5) === '.\u0000+') {
        hasZone = true;
        sign = seps[6]!;
        zoneHour = parts.pop()!;
      } else if (tail(5) === '+\u0000:' || tail(5) === '-\u0000:') {
        hasZone = true;
        sign = seps[5]!;
        zoneMinute = parts.pop()!;
        zoneHour = parts.pop()!;
      } else return null;
      break;
    case 7:
      if (seps.length === 7) {
        if (seps[6] !== 'Z') return null;
        hasZone = true;
      } else if (seps.length === 6) {
        if (seps[5] === '+' || seps[5] === '-') {
          hasZone = true;
          sign = seps[5];
          zoneHour = parts.pop()!;
        }
      } else return null;
      break;
    case 6:
      if (seps.length === 6 && seps[5] === 'Z') hasZone = true;
      break;
  }
  let zoneOffsetSeconds: number | null = null;
  if (hasZone) {
    if (zoneHour.length === 4) {
      zoneMinute = zoneHour.slice(2);
      zoneHour = zoneHour.slice(0, 2);
    }
    if ((zoneHour.length !== 2 && zoneHour !== '') || (zoneMinute.length !== 2 && zoneMinute !== '')) return null;
    const h = Number(zoneHour || '0');
    const m = Number(zoneMinute || '0');
    if (h > ISO_ZONE_HOURS_MAX || m > 59 || (h === ISO_ZONE_HOURS_MAX && m !== 0) || (sign === '-' && h === 0 && m === 0)) return null;
    zoneOffsetSeconds = (sign === '-' ? -1 : 1) * (h * 60 + m) * 60;
  }
  // A fraction (7 groups, or 2 groups) must follow a '.'.
  if ((parts.length === 7 || parts.length === 2) && seps[parts.length - 2] !== '.') return null;
  return { parts, zoneOffsetSeconds };
}

/** 2-digit years: 00..69 → 2000s, 70..99 → 1900s. */
const adjustYear = (y: number): number => (y <= 69 ? 2000 + y : y <= 99 ? 1900 + y : y);

/** A digit string without delimiters (YYYYMMDD[hhmmss] or YYMMDD[hhmmss] and shorter forms) as 7 parts. */
function wholeDigits(s: string): number[] | null {
  const yearDigits = s.length === 14 || s.length === 8 ? 4 : (s.length >= 9 && s.length <= 12) || (s.length >= 5 && s.length <= 7) ? 2 : 0;
  if (yearDigits === 0) return null;
  const parts = [Number(s.slice(0, yearDigits)), 0, 0, 0, 0, 0, 0];
  if (yearDigits === 2) parts[0] = adjustYear(parts[0]!);
  for (let i = yearDigits, k = 1; i < s.length; i += 2, k++) parts[k] = Number(s.slice(i, i + 2));
  return parts;
}

/**
 * Parses a string as DATE/DATETIME/TIMESTAMP (CAST(str AS DATETIME), TiKV `Time::parse` with
 * rounding): the CoreTime, or null when the string is not a valid time of the target.
 */
export function parseStringAsTime(ctx: EvalContext, input: string, target: TimeTarget): bigint | null {
  const trimmed = input.trim();
  if (trimmed === '') return null;
  const split = splitComponents(trimmed);
  if (split === null) return null;
  const { parts: comps, zoneOffsetSeconds } = split;
  let t: bigint | null;
  if (comps.length === 1 || comps.length === 2) {
    const whole = wholeDigits(comps[0]!);
    if (whole === null) return null;
    if (comps.length === 2) {
      const len = comps[0]!.length;
      if (len !== 10 && len !== 12 && len !== 14) return null;
      whole[6] = parseFraction(comps[1]!, target.fsp);
    }
    t = fromParts(ctx, whole, target);
  } else if (comps.length >= 3 && comps.length <= 7) {
    const parts: number[] = [];
    for (const c of comps.slice(0, 6)) {
      const v = digitsValue(c);
      if (v === null) return null;
      parts.push(v);
    }
    while (parts.length < 6) parts.push(0);
    parts.push(comps.length === 7 ? parseFraction(comps[6]!, target.fsp) : 0);
    if (comps[0]!.length === 2 && !parts.every((x) => x === 0)) parts[0] = adjustYear(parts[0]!);
    t = fromParts(ctx, parts, target);
  } else {
    return null;
  }
  if (t === null || zoneOffsetSeconds === null) return t;
  // The string named its own zone: move the instant into the request's zone.
  const f = localFields(t, ctx);
  if (f.month === 0 || f.day === 0) return null;
  const instant = wallSeconds(f) - zoneOffsetSeconds;
  return newTime(ctx, fieldsOfUtcSeconds(instant + ctx.offsetSecondsAtUtc(instant), f.microsecond), target);
}

/**
 * A number as a time (CAST(int AS DATETIME), TiKV `parse_from_i64`): YYMMDD, YYYYMMDD,
 * YYMMDDhhmmss or YYYYMMDDhhmmss; 0 is the zero date; anything else is invalid (null).
 */
export function timeFromInt(ctx: EvalContext, n: bigint, target: TimeTarget): bigint | null {
  if (n === 0n) return newTime(ctx, zeroFields(), target);
  let aligned: bigint;
  if (n >= 101n && n <= 691_231n) aligned = (n + 20_000_000n) * 1_000_000n;
  else if (n >= 700_101n && n <= 991_231n) aligned = (n + 19_000_000n) * 1_000_000n;
  else if (n >= 991_232n && n <= 99_991_231n) aligned = n * 1_000_000n;
  else if (n >= 101_000_000n && n <= 691_231_235_959n) aligned = n + 20_000_000_000_000n;
  else if (n >= 700_101_000_000n && n <= 991_231_235_959n) aligned = n + 19_000_000_000_000n;
  else if (n >= 1_000_000_000_000n) aligned = n;
  else return null;
  const ymd = aligned / 1_000_000n;
  const hms = aligned % 1_000_000n;
  // Beyond u32 the year cannot be valid; keep the arithmetic in safe integers.
  if (ymd > 0xffffffffn) return null;
  const y = Number(ymd);
  const h = Number(hms);
  return newTime(ctx, { year: Math.floor(y / 10000), month: Math.floor(y / 100) % 100, day: y % 100, hour: Math.floor(h / 10000), minute: Math.floor(h / 100) % 100, second: h % 100, microsecond: 0 }, target);
}

/**
 * The decimal text of a REAL or DECIMAL as a time (TiKV `parse_from_float_string`): the
 * integer part as by `timeFromInt`, then the fraction (kept only when the integer part has
 * 9 to 14 digits) rounded to the target fsp with carry.
 */
export function timeFromNumberText(ctx: EvalContext, text: string, target: TimeTarget): bigint | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return null;
  const intText = m[1]!;
  let n: bigint;
  try {
    n = BigInt(intText);
  } catch {
    return null;
  }
  if (n > (1n << 63n) - 1n) return null;
  const whole = timeFromInt(ctx, n, target);
  if (whole === null) return null;
  const wf = coreTimeToFields(whole);
  // A zero date is judged by NO_ZERO_DATE once more before it is rebuilt (as TiKV does).
  if (isZero(wf)) return zeroDateCheck(ctx) === 'keep' ? newTime(ctx, zeroFields(), target) : null;
  // TIMESTAMP parts come back in UTC; the fraction applies to the wall clock.
  const f = localFields(whole, ctx);
  const parts = [f.year, f.month, f.day, f.hour, f.minute, f.second, 0];
  if (m[2] !== undefined && intText.length >= 9 && intText.length <= 14) parts[6] = parseFraction(m[2], target.fsp);
  return fromParts(ctx, parts, target);
}

/**
 * Rounds a time to `target` (TiKV `Time::round_frac` after `set_time_type`): DATE drops the
 * time; a smaller fsp rounds microseconds half up and carries into seconds, minutes, ...,
 * days; a carry into a zero month/day gives the zero date. TIMESTAMP↔DATETIME moves
 * between UTC and the request zone's wall clock (TiDB's conversion; TiKV refuses
 * DATETIME→TIMESTAMP).
 */
export function roundTime(ctx: EvalContext, ct: bigint, target: TimeTarget): bigint | null {
  const srcTp = coreTimeType(ct);
  if (srcTp === MysqlType.Timestamp && target.tp === MysqlType.Timestamp) return roundTimestamp(ct, target.fsp);
  const f = localFields(ct, ctx);
  if (isDateTp(target.tp)) return coreTimeFromFields({ ...f, hour: 0, minute: 0, second: 0, microsecond: 0 }, MysqlType.Date, 0);
  if (isZero(f)) return coreTimeFromFields(zeroFields(), target.tp, target.fsp);
  const srcFsp = srcTp === MysqlType.Date ? 0 : coreTimeFsp(ct);
  if (target.fsp > srcFsp && srcTp === target.tp) return coreTimeFromFields(coreTimeToFields(ct), target.tp, target.fsp);
  const parts = [f.year, f.month, f.day, f.hour, f.minute, f.second, roundMicros(f.microsecond, target.fsp)];
  if (parts[6]! >= MICROS_PER_SECOND && !carryParts(parts)) return newTime(ctx, zeroFields(), target);
  return fromParts(ctx, parts, target);
}

/** A TIMESTAMP rounded in UTC (zone-independent, so DST overlaps cannot move it); null past the range. */
function roundTimestamp(ct: bigint, fsp: number): bigint | null {
  const f = coreTimeToFields(ct);
  if (isZero(f) || fsp >= coreTimeFsp(ct)) return coreTimeFromFields(f, MysqlType.Timestamp, fsp);
  const us = roundMicros(f.microsecond, fsp);
  if (us < MICROS_PER_SECOND) return coreTimeFromFields({ ...f, microsecond: us }, MysqlType.Timestamp, fsp);
  const seconds = wallSeconds(f) + 1;
  return seconds > TIMESTAMP_SECONDS_MAX ? null : coreTimeFromFields(fieldsOfUtcSeconds(seconds, 0), MysqlType.Timestamp, fsp);
}

/** "Incorrect datetime value" text of a CoreTime (as the request sees it). */
export function showTime(ct: bigint, ctx: EvalContext): string {
  const f = localFields(ct, ctx);
  return formatCoreTime(coreTimeFromFields(f, coreTimeType(ct) === MysqlType.Date ? MysqlType.Date : MysqlType.Datetime, coreTimeFsp(ct)));
}

/**
 * A TIME as a DATETIME/TIMESTAMP on the request's current date (CAST(time AS DATETIME)):
 * today's midnight in the request zone plus the duration (negative durations reach back
 * into earlier days), built with the duration's fsp and then rounded to the target's.
 * TiDB takes "today" in the session zone; TiKV takes the UTC date. This follows TiDB so the
 * pushed-down result equals what TiDB computes itself.
 */
export function durationToTime(ctx: EvalContext, ns: bigint, durationFsp: number, target: TimeTarget): bigint | null {
  const nowSeconds = Math.floor(ctx.nowMs() / 1000);
  const localNow = nowSeconds + ctx.offsetSecondsAtUtc(nowSeconds);
  const midnight = Math.floor(localNow / 86_400) * 86_400;
  // Floor to whole microseconds, also below zero (a time of day is never negative).
  const totalNs = BigInt(midnight) * 1_000_000_000n + ns;
  let seconds = totalNs / 1_000_000_000n;
  let restNs = totalNs % 1_000_000_000n;
  if (restNs < 0n) {
    restNs += 1_000_000_000n;
    seconds -= 1n;
  }
  const micros = restNs / 1000n;
  const f = fieldsOfUtcSeconds(Number(seconds), Number(micros));
  const t = newTime(ctx, f, { tp: target.tp, fsp: durationFsp });
  return t === null ? null : roundTime(ctx, t, target);
}
