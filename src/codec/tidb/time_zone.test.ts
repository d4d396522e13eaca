// Proves civil-day arithmetic against a day-by-day model and TIMESTAMP zone conversions (fixed offsets and IANA zones).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MysqlType } from './field_type.ts';
import { coreTimeFromFields, daysInMonth, formatCoreTime, parseTime } from './time.ts';
import { civilFromDays, coreTimeShiftSeconds, coreTimeUtcToZone, coreTimeZoneToUtc, daysFromCivil } from './time_zone.ts';
import { arbTimeFields, propertySeed } from './test_support.ts';

const seed = propertySeed();

describe('civil days', () => {
  it('counts days like a day-by-day walk and inverts', () => {
    // Model: walk from 1970-01-01 through each month.
    let days = 0;
    for (let y = 1970; y < 2030; y++) {
      for (let m = 1; m <= 12; m++) {
        expect(daysFromCivil(y, m, 1)).toBe(days);
        expect(civilFromDays(days)).toEqual({ year: y, month: m, day: 1 });
        days += daysInMonth(y, m);
      }
    }
    fc.assert(
      fc.property(arbTimeFields, (f) => {
        expect(civilFromDays(daysFromCivil(f.year, f.month, f.day))).toEqual({ year: f.year, month: f.month, day: f.day });
      }),
      { seed, numRuns: 300 },
    );
  });

  it('shifting by +s then -s is the identity', () => {
    fc.assert(
      fc.property(
        arbTimeFields.filter((f) => f.year > 1 && f.year < 9999),
        fc.integer({ min: -50 * 86400, max: 50 * 86400 }),
        (f, s) => {
          const ct = coreTimeFromFields(f, MysqlType.Timestamp, 6);
          expect(coreTimeShiftSeconds(coreTimeShiftSeconds(ct, s), -s)).toBe(ct);
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

describe('zone conversion', () => {
  const ts = (s: string): bigint => parseTime(s, MysqlType.Timestamp, 6);
  it('fixed offsets and named zones', () => {
    expect(formatCoreTime(coreTimeUtcToZone(ts('2024-02-28 20:30:00.5'), { offsetSeconds: 8 * 3600 }))).toBe('2024-02-29 04:30:00.500000');
    expect(formatCoreTime(coreTimeUtcToZone(ts('2024-01-01 00:00:00'), { name: 'Asia/Shanghai' }))).toBe('2024-01-01 08:00:00.000000');
    expect(formatCoreTime(coreTimeUtcToZone(ts('2024-07-01 12:00:00'), { name: 'America/New_York' }))).toBe('2024-07-01 08:00:00.000000');
    expect(formatCoreTime(coreTimeUtcToZone(ts('2024-01-01 12:00:00'), { name: 'America/New_York' }))).toBe('2024-01-01 07:00:00.000000');
    expect(formatCoreTime(coreTimeZoneToUtc(ts('2024-07-01 08:00:00'), { name: 'America/New_York' }))).toBe('2024-07-01 12:00:00.000000');
    expect(coreTimeUtcToZone(ts('0000-00-00 00:00:00'), { name: 'Asia/Shanghai' })).toBe(ts('0000-00-00 00:00:00'));
    expect(() => coreTimeUtcToZone(ts('2024-01-01 00:00:00'), { name: 'Not/AZone' })).toThrow(/unknown time zone/);
  });
});
