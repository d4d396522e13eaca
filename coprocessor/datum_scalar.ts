import { type Datum, coreTimeFromPacked } from '../src/codec/tidb/mod.ts';
import { CorruptionError } from '../src/util/mod.ts';
import { EvalType } from './field_type.ts';
import type { Scalar } from './vector.ts';

/**
 * Converts a decoded datum (row v1 value, default value, index key column) into the
 * evaluator's scalar for a column of MySQL type `tp` / `fsp`: packed times become CoreTime,
 * ints and uints both become bigint. A datum of the wrong shape for the column is corruption.
 */
export function datumToScalar(d: Datum, evalType: EvalType, tp: number, fsp: number): Scalar {
  if (d.kind === 'null') return null;
  switch (evalType) {
    case EvalType.Int:
      if (d.kind === 'int' || d.kind === 'uint') return d.value;
      break;
    case EvalType.Real:
      if (d.kind === 'float') return d.value;
      break;
    case EvalType.Decimal:
      if (d.kind === 'decimal') return d.value;
      break;
    case EvalType.Bytes:
      if (d.kind === 'bytes') return d.value;
      break;
    case EvalType.DateTime:
      if (d.kind === 'uint') return coreTimeFromPacked(d.value, tp, fsp);
      if (d.kind === 'time') return d.value;
      break;
    case EvalType.Duration:
      if (d.kind === 'int' || d.kind === 'duration') return d.value;
      break;
    default:
      break;
  }
  throw new CorruptionError(`datum of kind ${d.kind} cannot hold a ${evalType} value`);
}
