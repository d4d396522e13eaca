import { Decimal } from '../src/codec/tidb/mod.ts';

/**
 * Test support: a plain, row-at-a-time model of the casts to and among times and durations
 * and of REAL → string, for the property test that compares it with the vectorized kernels.
 * It covers the inputs the property test generates (valid and invalid values in the shapes
 * `YYYY-MM-DD[ hh:mm:ss[.ffffff]]`, `YYYYMMDDhhmmss`, `[-]h:mm:ss[.ffffff]`, numbers), under
 * TiDB's SELECT flags, sql_mode 0 and the UTC zone; the scenario file covers everything else.
 * Written independently of the implementation: fields are packed and unpacked by bit
 * arithmetic here, calendars come from day counts.
 */

/** A time value's parts. */
interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  us: number;
}
/** The target of a cast to a time. */
export type ModelTarget = { kind: 'date' } | { kind: 'datetime'; fsp: number } | { kind: 'timestamp'; fsp: number };
/** Counts the warnings the model expects. */
export interface ModelWarnings {
  n: number;
}

const DUR_MAX_NS = (838n * 3600n + 59n * 60n + 59n) * 1_000_000_000n;
const TS_MAX_SECONDS = 2 ** 31 - 1;

function pack(p: Parts, t: ModelTarget): bigint {
  const tt = t.kind === 'date' ? 0b1110 : (t.fsp << 1) | (t.kind === 'timestamp' ? 1 : 0);
  const q = t.kind === 'date' ? { ...p, h: 0, mi: 0, s: 0, us: 0 } : p;
  return (BigInt(q.y) << 50n) | (BigInt(q.mo) << 46n) | (BigInt(q.d) << 41n) | (BigInt(q.h) << 36n) | (BigInt(q.mi) << 30n) | (BigInt(q.s) << 24n) | (BigInt(q.us) << 4n) | BigInt(tt);
}
function unpack(ct: bigint): Parts & { fsp: number; date: boolean } {
  const n = (shift: bigint, bits: bigint): number => Number((ct >> shift) & ((1n << bits) - 1n));
  const tt = n(0n, 4n);
  return { y: n(50n, 14n), mo: n(46n, 4n), d: n(41n, 5n), h: n(36n, 5n), mi: n(30n, 6n), s: n(24n, 6n), us: n(4n, 20n), fsp: tt === 0b1110 ? 0 : tt >> 1, date: tt === 0b1110 };
}
const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const monthDays = (y: number, m: number): number => (m === 2 ? (leap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);
/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function modelDayCount(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}
/** The proleptic Gregorian date `days` after 1970-01-01. */
export function modelCivil(days: number): { y: number; mo: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const mo = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (mo <= 2 ? 1 : 0), mo, d: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}
const isZero = (p: Parts): boolean => p.y + p.mo + p.d + p.h + p.mi + p.s + p.us === 0;

/** Validates parts for the target with sql_mode 0 (zero dates and zero parts allowed); null = invalid. */
function build(p: Parts, t: ModelTarget): bigint | null {
  if (t.kind === 'timestamp') {
    if (isZero(p)) return pack(p, t);
    if (p.mo < 1 || p.mo > 12 || p.d < 1 || p.d > monthDays(p.y, p.mo) || p.y > 9999 || p.h > 23 || p.mi > 59 || p.s > 59) return null;
    const secs = modelDayCount(p.y, p.mo, p.d) * 86400 + p.h * 3600 + p.mi * 60 + p.s;
    return secs < 0 || secs > TS_MAX_SECONDS ? null : pack(p, t);
  }
  if (p.y > 9999 || p.mo > 12 || p.d > 31 || (p.mo >= 1 && p.d > monthDays(p.y, p.mo)) || p.h > 23 || p.mi > 59 || p.s > 59) return null;
  return pack(p, t);
}

/**
 * Rounds the microseconds of `p` to `fsp` digits from `fracDigits` (the first fsp+1 count).
 * A carry ripples up and, on its way, folds every part that is out of range (second 60,
 * hour 24, day past the month's end) into the next one; it fails on a zero day, month or
 * year it would have to step past, or on a part more than one past its range.
 */
function roundParts(p: Parts, fracDigits: string, fsp: number): Parts | null {
  const used = fracDigits.slice(0, fsp + 1).padEnd(fsp + 1, '0');
  let us: number;
  if (fsp === 6) us = Number(fracDigits.slice(0, 6).padEnd(6, '0')) + (fracDigits.length > 6 && Number(fracDigits[6]) >= 5 ? 1 : 0);
  else us = Math.floor((Number(used) + 5) / 10) * 10 ** (6 - fsp);
  if (us < 1_000_000) return { ...p, us };
  return carry({ ...p, us });
}
function carry(p0: Parts): Parts | null {
  const p = { ...p0 };
  const dim = p.mo >= 1 && p.mo <= 12 ? monthDays(p.y, p.mo) : 31;
  if (p.us >= 1_000_000) {
    p.us -= 1_000_000;
    if (p.s > 60) return null;
    p.s++;
  }
  if (p.s >= 60) {
    p.s -= 60;
    if (p.mi > 60) return null;
    p.mi++;
  }
  if (p.mi >= 60) {
    p.mi -= 60;
    if (p.h > 24) return null;
    p.h++;
  }
  if (p.h >= 24) {
    p.h -= 24;
    if (p.d === 0 || p.d > dim) return null;
    p.d++;
  }
  if (p.d >= dim + 1) {
    p.d -= dim;
    if (p.mo === 0 || p.mo > 12) return null;
    p.mo++;
  }
  if (p.mo >= 13) {
    p.mo -= 12;
    if (p.y === 0) return null;
    p.y++;
  }
  return p;
}

const fspOf = (t: ModelTarget): number => (t.kind === 'date' ? 0 : t.fsp);
/** 6-digit fraction text of a microsecond count. */
const micros6 = (us: number): string => String(us).padStart(6, '0');

/** CAST(string AS time) for the generated shapes. */
export function modelStringToTime(text: string, t: ModelTarget, w: ModelWarnings): bigint | null {
  let m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?$/.exec(text);
  m ??= /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (m === null) return (w.n++, null);
  const p: Parts = { y: +m[1]!, mo: +m[2]!, d: +m[3]!, h: +(m[4] ?? 0), mi: +(m[5] ?? 0), s: +(m[6] ?? 0), us: 0 };
  const r = roundParts(p, m[7] ?? '', fspOf(t));
  const out = r === null ? null : build(r, t);
  if (out === null) w.n++;
  return out;
}

/** CAST(int AS time). */
export function modelIntToTime(n: bigint, t: ModelTarget, w: ModelWarnings): bigint | null {
  const p = intParts(n);
  const out = p === null ? null : build(p, t);
  if (out === null) w.n++;
  return out;
}
function intParts(n: bigint): Parts | null {
  if (n === 0n) return { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0, us: 0 };
  const digits = n.toString();
  let full: string;
  if (n < 0n) return null;
  if (n <= 691231n && n >= 101n) full = `20${digits.padStart(6, '0')}000000`;
  else if (n >= 700101n && n <= 991231n) full = `19${digits}000000`;
  else if (n >= 991232n && n <= 99991231n) full = `${digits.padStart(8, '0')}000000`;
  else if (n >= 101000000n && n <= 691231235959n) full = `20${digits.padStart(12, '0')}`;
  else if (n >= 700101000000n && n <= 991231235959n) full = `19${digits}`;
  else if (n >= 1000000000000n) full = digits.padStart(14, '0');
  else return null;
  if (full.length > 14) return null;
  const at = (i: number, len: number): number => Number(full.slice(i, i + len));
  return { y: at(0, 4), mo: at(4, 2), d: at(6, 2), h: at(8, 2), mi: at(10, 2), s: at(12, 2), us: 0 };
}

/** CAST(real|decimal AS time) from the number's text. */
export function modelNumberTextToTime(text: string, t: ModelTarget, w: ModelWarnings): bigint | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  const p = m === null || BigInt(m[1]!) >= 1n << 63n ? null : intParts(BigInt(m[1]!));
  const base = p === null ? null : build(p, t);
  if (base === null) return (w.n++, null);
  if (isZero(p!)) return base;
  const q = t.kind === 'date' ? { ...p!, h: 0, mi: 0, s: 0 } : p!;
  const keepFrac = m![2] !== undefined && m![1]!.length >= 9 && m![1]!.length <= 14;
  const r = roundParts(q, keepFrac ? m![2]! : '', fspOf(t));
  const out = r === null ? null : build(r, t);
  if (out === null) w.n++;
  return out;
}

/** CAST(time AS time): DATE drops the time, a smaller fsp rounds with carry, TIMESTAMP needs its range. */
export function modelTimeToTime(ct: bigint, t: ModelTarget, w: ModelWarnings): bigint | null {
  const p = unpack(ct);
  if (t.kind === 'date') return pack(p, t);
  if (isZero(p)) return pack(p, t);
  // A larger fsp only relabels; an equal or smaller one rounds what the value holds.
  const r = t.fsp > p.fsp ? p : roundParts(p, micros6(p.us), t.fsp);
  const out = r === null ? pack({ y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0, us: 0 }, t) : build(r, t);
  if (out === null) w.n++;
  return out;
}

/** CAST(time AS TIME(fsp)): time of day rounded half up. */
export function modelTimeToDuration(ct: bigint, fsp: number): bigint {
  const p = unpack(ct);
  return modelRoundNs(BigInt((p.h * 3600 + p.mi * 60 + p.s) * 1_000_000 + p.us) * 1000n, fsp);
}

/** Rounds nanoseconds half away from zero to `fsp` fraction digits. */
export function modelRoundNs(ns: bigint, fsp: number): bigint {
  const unit = 10n ** BigInt(9 - fsp);
  const a = ns < 0n ? -ns : ns;
  const r = ((a + unit / 2n) / unit) * unit;
  return ns < 0n ? -r : r;
}

/**
 * CAST(TIME AS time) on the day whose UTC midnight is `midnightSeconds`: the time's fields
 * with its own fsp (`durationFsp`), then rounded to the target's when that is not larger.
 */
export function modelDurationToTime(ns: bigint, durationFsp: number, midnightSeconds: number, t: ModelTarget, w: ModelWarnings): bigint | null {
  const totalUs = BigInt(midnightSeconds) * 1_000_000n * 1000n + ns;
  const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  const us = floorDiv(totalUs, 1000n);
  const secs = Number(floorDiv(us, 1_000_000n));
  const day = Math.floor(secs / 86400);
  const sod = secs - day * 86400;
  const c = modelCivil(day);
  const p: Parts = { y: c.y, mo: c.mo, d: c.d, h: Math.floor(sod / 3600), mi: Math.floor(sod / 60) % 60, s: sod % 60, us: Number(us - BigInt(secs) * 1_000_000n) };
  if (build(p, { kind: 'datetime', fsp: durationFsp }) === null) return (w.n++, null);
  if (t.kind === 'date') return pack(p, t);
  const r = t.fsp > durationFsp ? p : roundParts(p, micros6(p.us), t.fsp);
  const out = r === null ? pack({ y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0, us: 0 }, t) : build(r, t);
  if (out === null) w.n++;
  return out;
}

/** CAST(string AS TIME(fsp)) for `[-]h:mm:ss[.f]` strings; 'x' and the like are invalid. */
export function modelStringToDuration(text: string, fsp: number, w: ModelWarnings): bigint | null {
  const m = /^(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text);
  if (m === null) return (w.n++, null);
  return durationOfParts(m[1] !== undefined, Number(m[2]), Number(m[3]), Number(m[4]), m[5] ?? '', fsp, false, w);
}

function durationOfParts(neg: boolean, h: number, mi: number, s: number, frac: string, fsp: number, overflowAsNull: boolean, w: ModelWarnings): bigint | null {
  if (mi > 59 || s > 59) return (w.n++, null);
  if (h > 838) {
    w.n++;
    return overflowAsNull ? null : neg ? -DUR_MAX_NS : DUR_MAX_NS;
  }
  const digits = frac.slice(0, fsp + 1).padEnd(9, '0');
  const ns = BigInt((h * 3600 + mi * 60 + s)) * 1_000_000_000n + BigInt(digits);
  const r = modelRoundNs(ns, fsp);
  if (ns > DUR_MAX_NS || r > DUR_MAX_NS) return (w.n++, null);
  return neg ? -r : r;
}

/** CAST(real|decimal AS TIME(fsp)) from the number's text: compact hhmmss, 12/14 digits as a datetime. */
export function modelNumberTextToDuration(text: string, fsp: number, w: ModelWarnings): bigint | null {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return (w.n++, null);
  const intText = m[2]!;
  const n = Number(intText);
  if (n > 0xffffffff) {
    if (intText.length !== 12 && intText.length !== 14) return (w.n++, null);
    const full = intText.length === 12 ? `${Number(intText.slice(0, 2)) <= 69 ? '20' : '19'}${intText}` : intText;
    const p: Parts = { y: +full.slice(0, 4), mo: +full.slice(4, 6), d: +full.slice(6, 8), h: +full.slice(8, 10), mi: +full.slice(10, 12), s: +full.slice(12, 14), us: 0 };
    const r = roundParts(p, m[3] ?? '', fsp);
    if (r === null || build(r, { kind: 'datetime', fsp }) === null) return (w.n++, null);
    return isZero(r) ? 0n : BigInt(r.h * 3600 + r.mi * 60 + r.s) * 1_000_000_000n + BigInt(r.us) * 1000n;
  }
  return durationOfParts(m[1] !== undefined, Math.floor(n / 10000), Math.floor(n / 100) % 100, n % 100, m[3] === undefined ? '' : m[3], fsp, true, w);
}

/** CAST(int AS TIME(fsp)). */
export function modelIntToDuration(n: bigint, fsp: number, w: ModelWarnings): bigint | null {
  if (n > 8385959n || n < -8385959n) {
    const p = n >= 10_000_000_000n ? intParts(n) : null;
    if (p !== null && build(p, { kind: 'datetime', fsp }) !== null) return isZero(p) ? 0n : modelRoundNs(BigInt(p.h * 3600 + p.mi * 60 + p.s) * 1_000_000_000n, fsp);
    return (w.n++, null);
  }
  const a = n < 0n ? -n : n;
  const ns = durationOfParts(n < 0n, Number(a / 10000n), Number((a / 100n) % 100n), Number(a % 100n), '', fsp, true, w);
  return ns;
}

/** Shortest round-trip digits of a double (or of a float32 when `single`) in positional notation. */
export function modelRealToString(x: number, single: boolean): string {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(single ? Math.fround(x) : x);
  if (a === Infinity) return neg ? '-inf' : 'inf';
  if (a === 0) return neg ? '-0' : '0';
  let text = '';
  for (let p = 1; p <= 17; p++) {
    text = a.toExponential(p - 1);
    const back = Number(text);
    if (single ? Math.fround(back) === a : back === a) break;
  }
  const [mant, expText] = text.split('e') as [string, string];
  const digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  const exp = Number(expText);
  let out: string;
  if (exp < 0) out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else if (exp + 1 >= digits.length) out = digits + '0'.repeat(exp + 1 - digits.length);
  else out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return (neg ? '-' : '') + out;
}

/** The text a DECIMAL value casts through. */
export function modelDecimalText(d: Decimal): string {
  return d.toString();
}
