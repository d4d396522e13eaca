import { Decimal } from '../src/codec/tidb/mod.ts';
import type { Collator } from './collation.ts';
import { EvalType } from './field_type.ts';
import type { Scalar } from './vector.ts';

/**
 * Orders two scalars of one eval type, NULL first (MySQL's ascending order). Unsigned ints
 * must already be read as unsigned bigints; times compare without their fspTt bits.
 */
export function compareScalars(a: Scalar, b: Scalar, evalType: EvalType, collator: Collator): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  if (evalType === EvalType.Bytes) return collator.compare(a as Uint8Array, b as Uint8Array);
  if (a instanceof Decimal) return a.compare(b as Decimal);
  if (evalType === EvalType.DateTime) {
    const x = (a as bigint) >> 4n;
    const y = (b as bigint) >> 4n;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
