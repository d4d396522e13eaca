import { coreTimeFromFields, coreTimeToFields } from '../src/codec/tidb/mod.ts';
import type { TimeZone } from './time_zone.ts';

/**
 * Shifts a TIMESTAMP CoreTime from UTC (how TIMESTAMPs are stored and evaluated) to the
 * request's time zone (how the chunk format carries them), keeping type and fsp. Zero and
 * zero-date values stay as they are (MySQL keeps them zero).
 */
export function utcToLocalCoreTime(ct: bigint, tz: TimeZone): bigint {
  const t = coreTimeToFields(ct);
  if (t.month === 0 || t.day === 0) return ct;
  const utc = new Date(0);
  utc.setUTCFullYear(t.year, t.month - 1, t.day);
  utc.setUTCHours(t.hour, t.minute, t.second, 0);
  const utcMs = utc.getTime();
  const d = new Date(utcMs + tz.offsetSecondsAt(utcMs) * 1000);
  const fspTt = Number(ct & 0xfn);
  const shifted = coreTimeFromFields(
    { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), microsecond: t.microsecond },
    0,
    0,
  );
  return (shifted & ~0xfn) | BigInt(fspTt);
}
