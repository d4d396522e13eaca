import { invalidArgument } from '../../util/errors.ts';
import { FSP_MAX } from './time.ts';

/**
 * MySQL TIME values are Go `time.Duration`s: int64 nanoseconds (`bigint` here), range
 * ±838:59:59.000000. The fsp is a property of the column, not of the value.
 */

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_MICRO = 1000n;
/** MySQL `TIME` maximum: 838:59:59. */
export const DURATION_HOURS_MAX = 838;
/** Largest |duration| in nanoseconds (838:59:59). */
export const DURATION_NS_MAX = (838n * 3600n + 59n * 60n + 59n) * NS_PER_SECOND;

/** `[-]HH:MM:SS[.f…]` with `fsp` fraction digits (truncated, as TiDB's `Duration.String`). */
export function formatDuration(ns: bigint, fsp: number): string {
  const neg = ns < 0n;
  let a = neg ? -ns : ns;
  const fracNs = a % NS_PER_SECOND;
  a /= NS_PER_SECOND;
  const seconds = Number(a % 60n);
  const minutes = Number((a / 60n) % 60n);
  const hours = Number(a / 3600n);
  let s = `${neg ? '-' : ''}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
  if (fsp > 0) s += '.' + String(fracNs / NS_PER_MICRO).padStart(6, '0').slice(0, Math.min(fsp, FSP_MAX));
  return s;
}

const DURATION_RE = /^(-)?(?:(\d+) )?(\d+):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d*))?$/;
const DURATION_COMPACT_RE = /^(-)?(\d+)(?:\.(\d*))?$/;

/**
 * Parses `[-][D ]HH:MM[:SS][.frac]` or the compact `[-][[HH]MM]SS[.frac]` forms into
 * nanoseconds, rounding the fraction half-up to `fsp` digits. Throws
 * `DomainError('InvalidArgument')` on bad syntax or a value outside ±838:59:59.
 */
export function parseDuration(s: string, fsp: number): bigint {
  const text = s.trim();
  let neg = false;
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  let fracDigits = '';
  const m = DURATION_RE.exec(text);
  if (m !== null) {
    neg = m[1] !== undefined;
    hours = Number(m[2] ?? 0) * 24 + Number(m[3]);
    minutes = Number(m[4]);
    seconds = Number(m[5] ?? 0);
    fracDigits = m[6] ?? '';
  } else {
    const c = DURATION_COMPACT_RE.exec(text);
    if (c === null) throw invalidArgument(`incorrect time value '${s}'`);
    neg = c[1] !== undefined;
    const v = Number(c[2]);
    hours = Math.floor(v / 10000);
    minutes = Math.floor(v / 100) % 100;
    seconds = v % 100;
    fracDigits = c[3] ?? '';
  }
  if (minutes > 59 || seconds > 59) throw invalidArgument(`incorrect time value '${s}'`);
  const f = Math.max(0, Math.min(fsp, FSP_MAX));
  let frac = f === 0 ? 0 : Number(fracDigits.slice(0, f).padEnd(f, '0'));
  if (fracDigits.length > f && fracDigits.charCodeAt(f) >= 53) frac += 1;
  let ns = (BigInt(hours) * 3600n + BigInt(minutes) * 60n + BigInt(seconds)) * NS_PER_SECOND;
  ns += BigInt(frac) * 10n ** BigInt(9 - f);
  if (ns > DURATION_NS_MAX) throw invalidArgument(`time value '${s}' out of range`);
  return neg ? -ns : ns;
}

/** Rounds nanoseconds half-up (away from zero) to `fsp` fraction digits. */
export function roundDuration(ns: bigint, fsp: number): bigint {
  const unit = 10n ** BigInt(9 - Math.max(0, Math.min(fsp, FSP_MAX)));
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const r = ((a + unit / 2n) / unit) * unit;
  return neg ? -r : r;
}
