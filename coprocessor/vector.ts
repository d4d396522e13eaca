import { Decimal } from '../src/codec/tidb/mod.ts';
import { assert } from '../src/util/mod.ts';
import { EvalType } from './field_type.ts';

/**
 * The typed storage behind each eval type (strings are byte arrays, decimals the codec's
 * exact `Decimal`, times CoreTime u64s; NULL slots hold a zero value).
 */
export type VectorValues =
  | { evalType: EvalType.Int; data: BigInt64Array }
  | { evalType: EvalType.Real; data: Float64Array }
  | { evalType: EvalType.DateTime; data: BigUint64Array }
  | { evalType: EvalType.Duration; data: BigInt64Array }
  | { evalType: EvalType.Bytes; data: Uint8Array[] }
  | { evalType: EvalType.Decimal; data: Decimal[] };

const EMPTY_BYTES = new Uint8Array(0);

/**
 * A nullable column of `length` physical rows: typed values plus a null map (1 = NULL).
 * Executors pass vectors along with a selection of logical rows instead of copying them.
 */
export class Vector {
  constructor(
    readonly values: VectorValues,
    readonly nulls: Uint8Array,
    readonly length: number,
  ) {
    assert(nulls.length >= length, 'null map shorter than vector');
  }

  get evalType(): EvalType {
    return this.values.evalType;
  }

  /** An all-NULL vector of `length` rows. */
  static allocate(evalType: EvalType, length: number): Vector {
    const nulls = new Uint8Array(length);
    switch (evalType) {
      case EvalType.Int:
        return new Vector({ evalType, data: new BigInt64Array(length) }, nulls, length);
      case EvalType.Real:
        return new Vector({ evalType, data: new Float64Array(length) }, nulls, length);
      case EvalType.DateTime:
        return new Vector({ evalType, data: new BigUint64Array(length) }, nulls, length);
      case EvalType.Duration:
        return new Vector({ evalType, data: new BigInt64Array(length) }, nulls, length);
      case EvalType.Bytes:
        return new Vector({ evalType, data: new Array<Uint8Array>(length).fill(EMPTY_BYTES) }, nulls, length);
      case EvalType.Decimal:
        return new Vector({ evalType, data: new Array<Decimal>(length).fill(Decimal.ZERO) }, nulls, length);
      default:
        throw new Error(`no vector storage for eval type ${evalType}`);
    }
  }

  isNull(row: number): boolean {
    return this.nulls[row] === 1;
  }

  /** The value at a physical row as a scalar (`null` for NULL); for tests and row-at-a-time paths. */
  get(row: number): Scalar {
    if (this.nulls[row] === 1) return null;
    return this.values.data[row]!;
  }

  /** Writes a scalar at a physical row; the scalar's JS type must match the eval type. */
  set(row: number, value: Scalar): void {
    if (value === null) {
      this.nulls[row] = 1;
      return;
    }
    this.nulls[row] = 0;
    const v = this.values;
    switch (v.evalType) {
      case EvalType.Int:
      case EvalType.Duration:
        v.data[row] = BigInt.asIntN(64, value as bigint);
        return;
      case EvalType.DateTime:
        v.data[row] = BigInt.asUintN(64, value as bigint);
        return;
      case EvalType.Real:
        v.data[row] = value as number;
        return;
      case EvalType.Bytes:
        v.data[row] = value as Uint8Array;
        return;
      case EvalType.Decimal:
        v.data[row] = value as Decimal;
        return;
    }
  }

  /** A new vector holding the given physical rows in order (used where rows must be materialized). */
  gather(rows: ArrayLike<number>, count = rows.length): Vector {
    const out = Vector.allocate(this.evalType, count);
    for (let i = 0; i < count; i++) out.set(i, this.get(rows[i]!));
    return out;
  }
}

/** One value of any supported eval type; NULL is `null`. */
export type Scalar = bigint | number | Uint8Array | Decimal | null;
