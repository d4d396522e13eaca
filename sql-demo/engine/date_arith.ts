import { coreTimeFromFields, coreTimeToFields, MysqlType, type TimeFields } from '../tidb_codec.ts';
import { ER, sqlError } from '../errors.ts';

/** INTERVAL units DATE_ADD / DATE_SUB / `± INTERVAL` accept (single-field units). */
export const INTERVAL_UNITS = ['microsecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];

/** Units that keep a DATE a DATE (no time of day appears). */
export function isDateUnit(u: IntervalUnit): boolean {
  return u === 'day' || u === 'week' || u === 'month' || u === 'quarter' || u === 'year';
}

export function intervalUnit(name: string): IntervalUnit {
  const u = name.toLowerCase();
  if ((INTERVAL_UNITS as readonly string[]).includes(u)) return u as IntervalUnit;
  throw sqlError(ER.NOT_SUPPORTED_YET, `This version doesn't yet support 'INTERVAL ... ${name.toUpperCase()}'`);
}

const MICROS_PER: Record<string, bigint> = {
  microsecond: 1n,
  second: 1_000_000n,
  minute: 60_000_000n,
  hour: 3_600_000_000n,
  day: 86_400_000_000n,
  week: 604_800_000_000n,
};
const MONTHS_PER: Record<string, number> = { month: 1, quarter: 3, year: 12 };
const MS_PER_DAY = 86_400_000;

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** Days since 1970-01-01 (proleptic Gregorian, years 0..9999), through UTC dates. */
function dayNumber(f: TimeFields): number {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  return Math.round(d.getTime() / MS_PER_DAY);
}

function fromDayNumber(n: number): { year: number; month: number; day: number } {
  const d = new Date(n * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * `t + amount unit` as MySQL computes it: month-based units keep the day, clamped to the
 * target month's last day (2024-01-31 + 1 MONTH = 2024-02-29); the others are exact
 * microsecond arithmetic. Null when the result leaves 0001-01-01 .. 9999-12-31 (MySQL
 * returns NULL with a warning). `tp`/`fsp` give the result's type.
 */
export function addInterval(core: bigint, amount: bigint, unit: IntervalUnit, tp: number, fsp: number): bigint | null {
  const f = coreTimeToFields(core);
  if (f.month === 0 || f.day === 0) return null;
  let out: TimeFields;
  const months = MONTHS_PER[unit];
  if (months !== undefined) {
    const total = BigInt(f.year) * 12n + BigInt(f.month - 1) + amount * BigInt(months);
    const year = Number(total / 12n);
    const month = Number(total % 12n) + 1;
    if (total < 0n || year < 1 || year > 9999) return null;
    out = { ...f, year, month, day: Math.min(f.day, daysInMonth(year, month)) };
  } else {
    const dayUs = 86_400_000_000n;
    const us = BigInt(dayNumber(f)) * dayUs + BigInt(((f.hour * 60 + f.minute) * 60 + f.second) * 1_000_000 + f.microsecond) + amount * MICROS_PER[unit]!;
    let days = us / dayUs;
    let rem = us % dayUs;
    if (rem < 0n) {
      rem += dayUs;
      days -= 1n;
    }
    if (days < -800_000n || days > 3_000_000n) return null;
    const ymd = fromDayNumber(Number(days));
    if (ymd.year < 1 || ymd.year > 9999) return null;
    const r = Number(rem);
    out = { ...ymd, hour: Math.floor(r / 3_600_000_000), minute: Math.floor(r / 60_000_000) % 60, second: Math.floor(r / 1_000_000) % 60, microsecond: r % 1_000_000 };
  }
  if (tp === MysqlType.Date) out = { ...out, hour: 0, minute: 0, second: 0, microsecond: 0 };
  return coreTimeFromFields(out, tp, fsp);
}

/** DATEDIFF: whole days from `b` to `a`, ignoring the time of day. */
export function dateDiffDays(a: bigint, b: bigint): bigint | null {
  const fa = coreTimeToFields(a);
  const fb = coreTimeToFields(b);
  if (fa.month === 0 || fa.day === 0 || fb.month === 0 || fb.day === 0) return null;
  return BigInt(dayNumber(fa) - dayNumber(fb));
}
