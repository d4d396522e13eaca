import { invalidArgument } from '../../util/errors.ts';
import { coreTimeFromFields, coreTimeFsp, coreTimeToFields, coreTimeType, type TimeFields } from './time.ts';

/**
 * TIMESTAMP time-zone conversion. Storage holds TIMESTAMP in UTC; the coprocessor converts
 * to the request's zone (`DAGRequest.time_zone_name`, else `time_zone_offset` seconds) for
 * output and back for comparisons with constants. Calendar math is pure arithmetic
 * (days-from-civil), zone offsets for named zones come from the runtime's IANA data via
 * `Intl`. The zero time is never converted (as TiDB's `ConvertTimeZone`).
 */

const SECONDS_PER_DAY = 86400;

/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of `daysFromCivil`. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Seconds since the epoch of the fields read as UTC (microseconds ignored). */
export function fieldsToEpochSeconds(f: TimeFields): number {
  return daysFromCivil(f.year, f.month, f.day) * SECONDS_PER_DAY + f.hour * 3600 + f.minute * 60 + f.second;
}

function epochSecondsToFields(s: number, microsecond: number): TimeFields {
  const days = Math.floor(s / SECONDS_PER_DAY);
  const rem = s - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  return { year, month, day, hour: Math.floor(rem / 3600), minute: Math.floor(rem / 60) % 60, second: rem % 60, microsecond };
}

function isZero(f: TimeFields): boolean {
  return f.year === 0 && f.month === 0 && f.day === 0 && f.hour === 0 && f.minute === 0 && f.second === 0 && f.microsecond === 0;
}

/** Shifts a CoreTime by whole seconds (fixed-offset zones), keeping its type and fsp. */
export function coreTimeShiftSeconds(ct: bigint, deltaSeconds: number): bigint {
  const f = coreTimeToFields(ct);
  if (isZero(f) || deltaSeconds === 0) return ct;
  const shifted = epochSecondsToFields(fieldsToEpochSeconds(f) + deltaSeconds, f.microsecond);
  return coreTimeFromFields(shifted, coreTimeType(ct), coreTimeFsp(ct));
}

/** A time zone: an IANA name (`Asia/Shanghai`, `UTC`) or a fixed offset east of UTC. */
export type TimeZone = { readonly name: string } | { readonly offsetSeconds: number };

/** Cache of formatters per zone name; a bounded set in practice (zones used by sessions). */
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATTER_CACHE_MAX = 256;

function formatterFor(name: string): Intl.DateTimeFormat {
  let f = formatters.get(name);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      throw invalidArgument(`unknown time zone '${name}'`);
    }
    if (formatters.size >= FORMATTER_CACHE_MAX) formatters.clear();
    formatters.set(name, f);
  }
  return f;
}

/** Offset east of UTC, in seconds, of zone `tz` at the UTC instant `epochSeconds`. */
export function zoneOffsetSeconds(tz: TimeZone, epochSeconds: number): number {
  if ('offsetSeconds' in tz) return tz.offsetSeconds;
  const parts = formatterFor(tz.name).formatToParts(epochSeconds * 1000);
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of parts) {
    if (p.type === 'year') year = Number(p.value);
    else if (p.type === 'month') month = Number(p.value);
    else if (p.type === 'day') day = Number(p.value);
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
    else if (p.type === 'second') second = Number(p.value);
    else if (p.type === 'era') bc = p.value.startsWith('B');
  }
  if (bc) year = 1 - year;
  const local = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  return local - epochSeconds;
}

/** TIMESTAMP stored in UTC -> wall clock of `tz` (TiKV's conversion for output). */
export function coreTimeUtcToZone(ct: bigint, tz: TimeZone): bigint {
  const f = coreTimeToFields(ct);
  if (isZero(f)) return ct;
  return coreTimeShiftSeconds(ct, zoneOffsetSeconds(tz, fieldsToEpochSeconds(f)));
}

/**
 * Wall clock of `tz` -> UTC (for storing TIMESTAMP or comparing with stored values). In a
 * DST gap or overlap the offset in force just before the transition is used.
 */
export function coreTimeZoneToUtc(ct: bigint, tz: TimeZone): bigint {
  const f = coreTimeToFields(ct);
  if (isZero(f)) return ct;
  const local = fieldsToEpochSeconds(f);
  const guess = local - zoneOffsetSeconds(tz, local);
  const offset = zoneOffsetSeconds(tz, guess);
  return coreTimeShiftSeconds(ct, -offset);
}
