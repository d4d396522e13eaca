import { DURATION_NS_MAX } from '../src/codec/tidb/mod.ts';
import { DagFlag, type EvalContext, MysqlErrorCode } from './eval_context.ts';
import { MysqlType } from './field_type.ts';
import { localFields, parseStringAsTime, timeFromInt } from './time_parse.ts';

/**
 * Building TIME (duration) values from strings, numbers and times with MySQL's rules as TiKV
 * applies them (`Duration::parse_consider_overflow`, `Duration::from_i64`, Time → Duration):
 * `[-][D ]hh[:mm[:ss]][.frac]`, compact `[[hh]mm]ss[.frac]`, a fallback to a datetime's time
 * of day for strings that look like datetimes, fraction rounding half up, ±838:59:59 limits.
 * Values are nanoseconds (`bigint`).
 */

const NS_PER_SECOND = 1_000_000_000n;
const HOURS_MAX = 838;
/** Largest hhmmss integer a TIME can be written as (838:59:59). */
const HHMMSS_INT_MAX = 8_385_959n;
/** Smallest integer read as a YYYYMMDDhhmmss-like datetime when cast to TIME. */
const DATETIME_INT_MIN = 10_000_000_000n;
const U32_MAX = 0xffffffff;

/** Outcome of building a duration from parts (TiKV `new_from_parts` / `checked_round`). */
type Parts = { ns: bigint } | { overflow: true } | { invalid: true };

/** Rounds ns half away from zero to `fsp` digits. */
function roundNs(ns: bigint, fsp: number): bigint {
  const step = 10n ** BigInt(9 - fsp);
  const rem = ns % step;
  const abs = rem < 0n ? -rem : rem;
  if (abs * 2n < step) return ns - rem;
  return ns - rem + (ns < 0n ? -step : step);
}

function fromParts(neg: boolean, hour: number, minute: number, second: number, fracNs: number, fsp: number): Parts {
  if (minute > 59 || second > 59) return { invalid: true };
  if (hour > HOURS_MAX) return { overflow: true };
  const abs = (BigInt(hour) * 3600n + BigInt(minute) * 60n + BigInt(second)) * NS_PER_SECOND + BigInt(fracNs);
  const ns = neg ? -abs : abs;
  if (abs > DURATION_NS_MAX) return { invalid: true };
  const r = roundNs(ns, fsp);
  return (r < 0n ? -r : r) > DURATION_NS_MAX ? { invalid: true } : { ns: r };
}

/** A small cursor over the input for the grammar below. */
class Cursor {
  constructor(
    readonly s: string,
    public p: number,
  ) {}
  digits(min: number): string | null {
    const start = this.p;
    while (this.p < this.s.length && this.s.charCodeAt(this.p) >= 48 && this.s.charCodeAt(this.p) <= 57) this.p++;
    return this.p - start >= min ? this.s.slice(start, this.p) : null;
  }
  number(): number | null {
    const d = this.digits(1);
    if (d === null) return null;
    const v = Number(d);
    return v > U32_MAX ? null : v;
  }
  spaces(min: number): boolean {
    const start = this.p;
    while (this.s[this.p] === ' ' || this.s[this.p] === '\t') this.p++;
    return this.p - start >= min;
  }
  colon(): boolean {
    const save = this.p;
    this.spaces(0);
    if (this.s[this.p] !== ':') {
      this.p = save;
      return false;
    }
    this.p++;
    this.spaces(0);
    return true;
  }
}

/** `hh[:mm[:ss]]`; with `requireColon` at least `hh:mm`. */
function delimited(c: Cursor, requireColon: boolean): number[] | null {
  const hms = [0, 0, 0];
  const h = c.number();
  if (h === null) return null;
  hms[0] = h;
  for (let i = 1; i <= 2; i++) {
    if (!c.colon()) {
      if (i === 1 && requireColon) return null;
      break;
    }
    const v = c.number();
    if (v === null) return null;
    hms[i] = v;
  }
  return hms;
}

const isAsciiPunct = (ch: string | undefined): boolean => ch !== undefined && /^[!-/:-@[-`{-~]$/.test(ch);

/** Whether the text starts like a datetime (12 or 14 digits, or d-d-d followed by 'T' or ' '). */
function looksLikeDatetime(s: string): boolean {
  const c = new Cursor(s, 0);
  const first = c.digits(1);
  if (first === null) return false;
  if (first.length === 12 || first.length === 14) return true;
  for (let k = 0; k < 2; k++) {
    if (!isAsciiPunct(s[c.p])) return false;
    c.p++;
    if (c.digits(1) === null) return false;
  }
  return s[c.p] === 'T' || s[c.p] === ' ';
}

/** The time of day of a time value as a duration rounded to `fsp` (TiKV `Time` → `Duration`). */
export function timeToDuration(ct: bigint, fsp: number, ctx: EvalContext): bigint {
  const f = localFields(ct, ctx);
  if (f.year === 0 && f.month === 0 && f.day === 0 && f.hour === 0 && f.minute === 0 && f.second === 0 && f.microsecond === 0) return 0n;
  const ns = (BigInt(f.hour * 3600 + f.minute * 60 + f.second) * 1_000_000n + BigInt(f.microsecond)) * 1000n;
  return roundNs(ns, fsp);
}

function datetimeAsDuration(ctx: EvalContext, s: string, fsp: number): bigint | null {
  const t = parseStringAsTime(ctx, s, { tp: MysqlType.Datetime, fsp });
  return t === null ? null : timeToDuration(t, fsp, ctx);
}

/**
 * Parses a string as TIME with `fsp` fraction digits: the nanoseconds, or null when the
 * caller must report "Truncated incorrect TIME value". Above 838:59:59 the value is clipped
 * with a 1690 warning when the flags allow overflow warnings, else null (or always null with
 * `overflowAsNull`, as REAL and DECIMAL sources do). Trailing garbage after a short value is
 * dropped with a 1265 warning.
 */
export function parseStringAsDuration(ctx: EvalContext, input: string, fsp: number, overflowAsNull: boolean): bigint | null {
  const s = input.trim();
  if (s === '') return null;
  const neg = s[0] === '-';
  const c = new Cursor(s, neg ? 1 : 0);
  c.spaces(0);
  const restStart = c.p;
  const rest = s.slice(restStart);
  const restBytes = Buffer.byteLength(rest, 'utf8');
  const fallback = looksLikeDatetime(rest);

  let hms: number[] | null = null;
  // `D hh[:mm[:ss]]`
  const day = c.number();
  if (day !== null && c.spaces(1)) {
    const t = delimited(c, false);
    if (t !== null && day * 24 + t[0]! <= U32_MAX) hms = [day * 24 + t[0]!, t[1]!, t[2]!];
  }
  if (hms === null) {
    c.p = restStart;
    hms = delimited(c, true);
  }
  if (hms === null) {
    c.p = restStart;
    const n = c.number();
    if (n !== null) hms = [Math.floor(n / 10000), Math.floor(n / 100) % 100, n % 100];
  }
  let parts: Parts | null = null;
  let truncated = false;
  if (hms !== null) {
    c.spaces(0);
    let fracNs: number | null = 0;
    if (c.s[c.p] === '.') {
      c.p++;
      const digits = c.digits(0)!;
      const used = fsp >= digits.length ? digits : digits.slice(0, fsp + 1);
      fracNs = used === '' ? null : Number(used) * 10 ** Math.max(0, 9 - used.length);
    }
    if (fracNs !== null) {
      if (c.p < s.length) {
        if (restBytes < 12) {
          truncated = true;
          parts = fromParts(neg, hms[0]!, hms[1]!, hms[2]!, fracNs, fsp);
        }
      } else {
        parts = fromParts(neg, hms[0]!, hms[1]!, hms[2]!, fracNs, fsp);
      }
    }
  }
  if (truncated && fallback) return datetimeAsDuration(ctx, rest, fsp);
  if (parts === null) return fallback ? datetimeAsDuration(ctx, rest, fsp) : null;
  if ('ns' in parts) {
    if (truncated) ctx.truncatedQuietly(MysqlErrorCode.DataTruncated, 'Data Truncated');
    return parts.ns;
  }
  if ('overflow' in parts) {
    if (overflowAsNull || (ctx.flags & DagFlag.OverflowAsWarning) === 0n) return null;
    ctx.warn(MysqlErrorCode.DataOutOfRange, 'DURATION OVERFLOW');
    return neg ? -DURATION_NS_MAX : DURATION_NS_MAX;
  }
  return null;
}

/**
 * An integer hhmmss as TIME (TiKV `Duration::from_i64`): ±838:59:59 at most; from
 * 10000000000 up the number is read as a datetime and its time of day is taken. Outcomes
 * the caller reports: 'overflow' (1690, "Duration value is out of range") and 'invalid'
 * (1292, minutes or seconds above 59).
 */
export function durationFromInt(ctx: EvalContext, n: bigint, fsp: number): bigint | 'overflow' | 'invalid' {
  if (n > HHMMSS_INT_MAX || n < -HHMMSS_INT_MAX) {
    if (n >= DATETIME_INT_MIN) {
      const t = timeFromInt(ctx, n, { tp: MysqlType.Datetime, fsp });
      if (t !== null) return timeToDuration(t, fsp, ctx);
    }
    return 'overflow';
  }
  const abs = Number(n < 0n ? -n : n);
  const r = fromParts(n < 0n, Math.floor(abs / 10000), Math.floor(abs / 100) % 100, abs % 100, 0, fsp);
  return 'ns' in r ? r.ns : 'invalid';
}

/** Rounds a duration to `fsp` digits half away from zero (CAST(time AS TIME(fsp))). */
export function roundDurationTo(ns: bigint, fsp: number): bigint {
  return roundNs(ns, fsp);
}
