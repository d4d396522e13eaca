// Proves CoreTime/packed conversions, time and duration parse/format round trips and rounding carries (seeded fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, roundDuration } from './duration.ts';
import { MysqlType } from './field_type.ts';
import {
  coreTimeFromFields,
  coreTimeFsp,
  coreTimeToFields,
  coreTimeToPacked,
  coreTimeType,
  formatCoreTime,
  packedFromFields,
  packedToFields,
  parseTime,
} from './time.ts';
import { arbTimeFields, propertySeed } from './test_support.ts';
import { fieldsToEpochSeconds } from './time_zone.ts';

const seed = propertySeed();
const RUNS = 250;

const arbFields = arbTimeFields;

describe('time layouts', () => {
  it('fields <-> CoreTime <-> packed round trip with type and fsp preserved', () => {
    fc.assert(
      fc.property(arbFields, fc.constantFrom(MysqlType.Datetime, MysqlType.Timestamp, MysqlType.Date), fc.integer({ min: 0, max: 6 }), (f, tp, fsp) => {
        const ct = coreTimeFromFields(f, tp, fsp);
        expect(coreTimeToFields(ct)).toEqual(f);
        expect(coreTimeType(ct)).toBe(tp);
        expect(coreTimeFsp(ct)).toBe(tp === MysqlType.Date ? 0 : fsp);
        expect(coreTimeToPacked(ct)).toBe(packedFromFields(f));
        expect(packedToFields(packedFromFields(f))).toEqual(f);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('format then parse gives the same value (fsp 6) and parse rounds half up', () => {
    fc.assert(
      fc.property(arbFields, (f) => {
        const ct = coreTimeFromFields(f, MysqlType.Datetime, 6);
        expect(parseTime(formatCoreTime(ct), MysqlType.Datetime, 6)).toBe(ct);
        const r = parseTime(formatCoreTime(ct), MysqlType.Datetime, 0);
        const secs = (x: bigint): number => fieldsToEpochSeconds(coreTimeToFields(x));
        const expected = secs(ct) + (f.microsecond >= 500000 ? 1 : 0);
        if (f.year < 9999 || f.month < 12 || f.day < 31) expect(secs(r)).toBe(expected);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('rejects invalid dates', () => {
    expect(() => parseTime('2023-02-29', MysqlType.Date, 0)).toThrow();
    expect(() => parseTime('2023-13-01 00:00:00', MysqlType.Datetime, 0)).toThrow();
    expect(() => parseTime('2023-01-01 24:00:00', MysqlType.Datetime, 0)).toThrow();
    expect(formatCoreTime(parseTime('0000-00-00 00:00:00', MysqlType.Datetime, 0))).toBe('0000-00-00 00:00:00');
    expect(formatCoreTime(parseTime('20240102030405.5', MysqlType.Datetime, 1))).toBe('2024-01-02 03:04:05.5');
  });
});

describe('durations', () => {
  it('format then parse round trips at fsp 6, and rounding is half up', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -3020399999999000n, max: 3020399999999000n }), fc.integer({ min: 0, max: 6 }), (ns0, fsp) => {
        const ns = (ns0 / 1000n) * 1000n;
        if (ns > 3020399000000000n || ns < -3020399000000000n) return;
        expect(parseDuration(formatDuration(ns, 6), 6)).toBe(ns);
        const r = roundDuration(ns, fsp);
        const unit = 10n ** BigInt(9 - fsp);
        expect(r % unit).toBe(0n);
        const diff = r - ns;
        expect(diff <= unit / 2n && diff >= -unit / 2n).toBe(true);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('rejects out of range', () => {
    expect(() => parseDuration('839:00:00', 0)).toThrow();
    expect(() => parseDuration('12:60:00', 0)).toThrow();
    expect(parseDuration('838:59:59.4', 0)).toBe(3020399000000000n);
  });
});
