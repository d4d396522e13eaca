import fc from 'fast-check';
import { daysInMonth, type TimeFields } from './time.ts';

/**
 * Shared pieces of the property tests in this folder. `CODEC_TIDB_SEED=<n>` replays a
 * run; the seed is printed so that every failure can be reproduced.
 */
const DEFAULT_SEED = 20261123;

export function propertySeed(): number {
  const env = process.env['CODEC_TIDB_SEED'];
  const seed = env !== undefined && env !== '' ? Number(env) : DEFAULT_SEED;
  console.log(`codec-tidb property seed ${seed} (CODEC_TIDB_SEED=${seed} to replay)`);
  return seed;
}

/** Valid calendar date-times between year 1 and 9999. */
export const arbTimeFields: fc.Arbitrary<TimeFields> = fc
  .record({
    year: fc.integer({ min: 1, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    microsecond: fc.integer({ min: 0, max: 999999 }),
  })
  .map((f) => ({ ...f, day: Math.min(f.day, daysInMonth(f.year, f.month)) }));
