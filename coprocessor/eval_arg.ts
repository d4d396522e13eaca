import { EvalType, isUnsigned } from './field_type.ts';
import type { FieldType } from './dag_types.ts';
import type { Scalar, Vector } from './vector.ts';

/**
 * One evaluated operand for `n` logical rows: logical row i lives at physical row `idx[i]`
 * of `vec`. Columns keep the batch's selection as `idx`, constants use an all-zero `idx`,
 * computed results are dense (`idx[i] = i`): no operand is ever copied to line it up.
 */
export interface EvalArg {
  readonly vec: Vector;
  readonly idx: Int32Array;
  readonly fieldType: FieldType;
}

/** The value at logical row i (null for NULL); unsigned Int operands read as unsigned. */
export function argScalar(a: EvalArg, i: number): Scalar {
  const r = a.idx[i]!;
  if (a.vec.nulls[r] === 1) return null;
  const v = a.vec.values.data[r]!;
  if (typeof v === 'bigint' && v < 0n && a.vec.evalType === EvalType.Int && isUnsigned(a.fieldType)) return BigInt.asUintN(64, v);
  return v;
}
