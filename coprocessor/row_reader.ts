import { CorruptionError } from '../src/util/mod.ts';
import { decodeDatumAs } from './datum.ts';
import { EvalType, MysqlType } from './field_type.ts';
import type { Scalar } from './vector.ts';

const ROW_V2_VERSION = 0x80;
const ROW_V2_FLAG_LARGE = 0x01;

/** Result of looking a column up in a row: its raw value bytes, NULL, or absent (use the default). */
export type ColumnSlot = { kind: 'value'; bytes: Uint8Array } | { kind: 'null' } | { kind: 'missing' };

const NULL_SLOT: ColumnSlot = { kind: 'null' };
const MISSING_SLOT: ColumnSlot = { kind: 'missing' };

/**
 * Parses one stored row value once and answers per-column lookups (row format v2; v1 rows
 * are decoded to datums). A stand-in for src/codec/tidb's `RowV2Decoder` until that lands.
 */
export class RowReader {
  private v2 = false;
  private large = false;
  private notNullCount = 0;
  private nullCount = 0;
  private idsStart = 0;
  private offsetsStart = 0;
  private dataStart = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(new ArrayBuffer(0));
  private v1: Map<bigint, Uint8Array> | null = null;

  /** Re-targets the reader at another row value (no allocation for v2 rows). */
  reset(value: Uint8Array): void {
    this.buf = value;
    this.view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    this.v1 = null;
    if (value.length > 0 && value[0] === ROW_V2_VERSION) {
      if (value.length < 6) throw new CorruptionError('row v2: header truncated');
      this.v2 = true;
      this.large = (value[1]! & ROW_V2_FLAG_LARGE) !== 0;
      this.notNullCount = this.view.getUint16(2, true);
      this.nullCount = this.view.getUint16(4, true);
      const idSize = this.large ? 4 : 1;
      const offSize = this.large ? 4 : 2;
      this.idsStart = 6;
      this.offsetsStart = this.idsStart + (this.notNullCount + this.nullCount) * idSize;
      this.dataStart = this.offsetsStart + this.notNullCount * offSize;
      if (this.dataStart > value.length) throw new CorruptionError('row v2: column table truncated');
      return;
    }
    this.v2 = false;
    this.v1 = new Map();
    if (value.length === 0 || (value.length === 1 && value[0] === 0)) return;
    let p = 0;
    while (p < value.length) {
      const id = decodeDatumAs(value, p, EvalType.Int);
      const start = id.next;
      const end = skipDatum(value, start);
      this.v1.set(id.value as bigint, value.subarray(start, end));
      p = end;
    }
  }

  /** True when the current row is in the v1 (datum) format; its slots hold datum bytes. */
  get isV1(): boolean {
    return !this.v2;
  }

  find(columnId: bigint): ColumnSlot {
    if (!this.v2) {
      const datum = this.v1!.get(columnId);
      if (datum === undefined) return MISSING_SLOT;
      if (datum[0] === 0) return NULL_SLOT;
      return { kind: 'value', bytes: datum };
    }
    if (columnId < 0n || columnId > 0xffff_ffffn) return MISSING_SLOT;
    const id = Number(columnId);
    const i = this.search(0, this.notNullCount, id);
    if (i >= 0) {
      const offSize = this.large ? 4 : 2;
      const readOff = (k: number): number =>
        this.large ? this.view.getUint32(this.offsetsStart + k * offSize, true) : this.view.getUint16(this.offsetsStart + k * offSize, true);
      const start = i === 0 ? 0 : readOff(i - 1);
      const end = readOff(i);
      if (this.dataStart + end > this.buf.length || start > end) throw new CorruptionError('row v2: value offset out of bounds');
      return { kind: 'value', bytes: this.buf.subarray(this.dataStart + start, this.dataStart + end) };
    }
    if (this.search(this.notNullCount, this.notNullCount + this.nullCount, id) >= 0) return NULL_SLOT;
    return MISSING_SLOT;
  }

  private search(lo: number, hi: number, id: number): number {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const got = this.large ? this.view.getUint32(this.idsStart + mid * 4, true) : this.buf[this.idsStart + mid]!;
      if (got === id) return mid;
      if (got < id) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }
}

/**
 * Decodes a row v2 value slice for a column of MySQL type `tp` to the evaluator's scalar.
 * Ints are 1/2/4/8-byte little-endian; floats comparable 8 bytes; times packed uint.
 */
export function decodeV2Value(bytes: Uint8Array, tp: number, unsigned: boolean, evalType: EvalType): Scalar {
  switch (evalType) {
    case EvalType.Int:
      return unsigned || tp === MysqlType.Bit ? readUintLE(bytes) : readIntLE(bytes);
    case EvalType.Duration:
      return readIntLE(bytes);
    case EvalType.DateTime:
      return readUintLE(bytes);
    case EvalType.Real: {
      if (bytes.length !== 8) throw new CorruptionError('row v2: float value is not 8 bytes');
      return decodeDatumAs(withFlag(5, bytes), 0, EvalType.Real).value;
    }
    case EvalType.Bytes:
      return bytes;
    default:
      throw new CorruptionError(`row v2: no decoder for eval type ${evalType}`);
  }
}

function withFlag(flag: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out[0] = flag;
  out.set(bytes, 1);
  return out;
}

function readIntLE(b: Uint8Array): bigint {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (b.length) {
    case 1:
      return BigInt(v.getInt8(0));
    case 2:
      return BigInt(v.getInt16(0, true));
    case 4:
      return BigInt(v.getInt32(0, true));
    case 8:
      return v.getBigInt64(0, true);
    default:
      throw new CorruptionError(`row v2: int value of ${b.length} bytes`);
  }
}

function readUintLE(b: Uint8Array): bigint {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (b.length) {
    case 1:
      return BigInt(v.getUint8(0));
    case 2:
      return BigInt(v.getUint16(0, true));
    case 4:
      return BigInt(v.getUint32(0, true));
    case 8:
      return v.getBigUint64(0, true);
    default:
      throw new CorruptionError(`row v2: uint value of ${b.length} bytes`);
  }
}

/** Offset just past the datum at `p` (v1 rows are datum sequences). */
function skipDatum(buf: Uint8Array, p: number): number {
  const flag = buf[p];
  switch (flag) {
    case 6: {
      throw new CorruptionError('row v1: decimal datums are not supported yet');
    }
    case 10:
      throw new CorruptionError('row v1: json datums are not supported yet');
    default: {
      const et = flag === 5 ? EvalType.Real : flag === 1 || flag === 2 ? EvalType.Bytes : EvalType.Int;
      return decodeDatumAs(buf, p, et).next;
    }
  }
}
