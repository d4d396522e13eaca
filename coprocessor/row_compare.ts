import type { Collator } from './collation.ts';
import { EvalType } from './field_type.ts';
import type { Scalar } from './vector.ts';

/**
 * Orders two scalars of one eval type, NULL first (MySQL's ascending order). Unsigned ints
 * must already be read as unsigned bigints.
 */
export function compareScalars(a: Scalar, b: Scalar, evalType: EvalType, collator: Collator): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  if (evalType === EvalType.Bytes) return collator.compare(a as Uint8Array, b as Uint8Array);
  return a < b ? -1 : a > b ? 1 : 0;
}
