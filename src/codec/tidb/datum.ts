import { assertNever } from '../../util/assert.ts';
import { CorruptionError } from '../../util/errors.ts';
import { bytesCompare } from '../../util/bytes.ts';
import type { Decoded } from '../memcomparable.ts';
import { ByteWriter } from './byte_writer.ts';
import { DECIMAL_FRAC_MAX, Decimal } from './decimal.ts';
import {
  memComparableBytesEnd,
  readCompactBytes,
  readFloatComparable,
  readIntComparable,
  readMemComparableBytes,
  readUintComparable,
  readUvarint,
  readVarint,
  readVarintLength,
  writeCompactBytes,
  writeFloatComparable,
  writeIntComparable,
  writeMemComparableBytes,
  writeUintComparable,
  writeUvarint,
  writeVarint,
} from './primitive.ts';
import { u32le } from './scratch.ts';
import { coreTimeToPacked } from './time.ts';

/**
 * TiDB datums and their flag-prefixed encodings (`pkg/util/codec`, coprocessor.md §6.2).
 * ENUM/SET/BIT values are flattened to `uint` datums, as TiDB does before encoding; a
 * `uint` read back from storage is re-interpreted by the caller from the column type.
 */
export type Datum =
  | { readonly kind: 'null' }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'uint'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  /** Strings are their utf-8 bytes; binary collation only (no collation sort keys). */
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  /** `prec`/`frac` are the column's DECIMAL(prec, frac); absent means the value's own. */
  | { readonly kind: 'decimal'; readonly value: Decimal; readonly prec?: number; readonly frac?: number }
  /** CoreTime layout (see time.ts); encoded as the packed uint. */
  | { readonly kind: 'time'; readonly value: bigint }
  /** Nanoseconds. */
  | { readonly kind: 'duration'; readonly value: bigint }
  /** JSON type byte followed by TiDB binary JSON. */
  | { readonly kind: 'json'; readonly value: Uint8Array }
  /** TiDB VectorFloat32 serialization (u32 LE count + float32 LE elements). */
  | { readonly kind: 'vectorFloat32'; readonly value: Uint8Array }
  /** Range sentinel sorting after NULL and before every value (lone `bytesFlag`). */
  | { readonly kind: 'minNotNull' }
  /** Range sentinel sorting after every value (`maxFlag`). */
  | { readonly kind: 'maxValue' };

export type DatumKind = Datum['kind'];

/** The flag byte in front of every encoded datum. */
export const DatumFlag = {
  Nil: 0,
  Bytes: 1,
  CompactBytes: 2,
  Int: 3,
  Uint: 4,
  Float: 5,
  Decimal: 6,
  Duration: 7,
  Varint: 8,
  Uvarint: 9,
  Json: 10,
  VectorFloat32: 20,
  Max: 250,
} as const;

const NULL_DATUM: Datum = { kind: 'null' };
const MIN_NOT_NULL: Datum = { kind: 'minNotNull' };
const MAX_VALUE: Datum = { kind: 'maxValue' };

/** Datum constructors. */
export const Datums = {
  null: (): Datum => NULL_DATUM,
  int: (value: bigint): Datum => ({ kind: 'int', value }),
  uint: (value: bigint): Datum => ({ kind: 'uint', value }),
  float: (value: number): Datum => ({ kind: 'float', value }),
  bytes: (value: Uint8Array): Datum => ({ kind: 'bytes', value }),
  string: (value: string): Datum => ({ kind: 'bytes', value: new TextEncoder().encode(value) }),
  decimal: (value: Decimal, prec?: number, frac?: number): Datum =>
    prec === undefined ? { kind: 'decimal', value } : { kind: 'decimal', value, prec, frac: frac ?? value.frac },
  time: (coreTime: bigint): Datum => ({ kind: 'time', value: coreTime }),
  duration: (ns: bigint): Datum => ({ kind: 'duration', value: ns }),
  json: (value: Uint8Array): Datum => ({ kind: 'json', value }),
  minNotNull: (): Datum => MIN_NOT_NULL,
  maxValue: (): Datum => MAX_VALUE,
};

/** Precision and frac a decimal datum is encoded with (TiDB `EncodeDecimal`). */
export function decimalDatumPrecFrac(d: { value: Decimal; prec?: number; frac?: number }): [number, number] {
  if (d.prec !== undefined && d.prec > 0) return [d.prec, d.frac ?? d.value.frac];
  return [d.value.precision, d.value.frac];
}

function writeDecimalPayload(w: ByteWriter, d: { value: Decimal; prec?: number; frac?: number }): void {
  const [prec, frac] = decimalDatumPrecFrac(d);
  w.u8(prec);
  w.u8(frac);
  const size = Decimal.binSize(prec, frac);
  w.reserve(size);
  const tmp = new Uint8Array(size);
  d.value.writeBin(tmp, 0, prec, frac);
  w.bytes(tmp);
}

/** Appends the memcomparable (key) encoding of one datum (TiDB `EncodeKey`). */
export function writeDatumKey(w: ByteWriter, d: Datum): void {
  switch (d.kind) {
    case 'null':
      w.u8(DatumFlag.Nil);
      return;
    case 'int':
      w.u8(DatumFlag.Int);
      writeIntComparable(w, d.value);
      return;
    case 'uint':
      w.u8(DatumFlag.Uint);
      writeUintComparable(w, d.value);
      return;
    case 'float':
      w.u8(DatumFlag.Float);
      writeFloatComparable(w, d.value);
      return;
    case 'bytes':
      w.u8(DatumFlag.Bytes);
      writeMemComparableBytes(w, d.value);
      return;
    case 'decimal':
      w.u8(DatumFlag.Decimal);
      writeDecimalPayload(w, d);
      return;
    case 'time':
      w.u8(DatumFlag.Uint);
      writeUintComparable(w, coreTimeToPacked(d.value));
      return;
    case 'duration':
      w.u8(DatumFlag.Duration);
      writeIntComparable(w, d.value);
      return;
    case 'json':
      w.u8(DatumFlag.Json);
      w.bytes(d.value);
      return;
    case 'vectorFloat32':
      w.u8(DatumFlag.VectorFloat32);
      w.bytes(d.value);
      return;
    case 'minNotNull':
      w.u8(DatumFlag.Bytes);
      return;
    case 'maxValue':
      w.u8(DatumFlag.Max);
      return;
    default:
      assertNever(d);
  }
}

/** Appends the value (non-comparable) encoding of one datum (TiDB `EncodeValue`). */
export function writeDatumValue(w: ByteWriter, d: Datum): void {
  switch (d.kind) {
    case 'int':
      w.u8(DatumFlag.Varint);
      writeVarint(w, d.value);
      return;
    case 'uint':
      w.u8(DatumFlag.Uvarint);
      writeUvarint(w, d.value);
      return;
    case 'bytes':
      w.u8(DatumFlag.CompactBytes);
      writeCompactBytes(w, d.value);
      return;
    default:
      writeDatumKey(w, d);
  }
}

/**
 * The "default" (datum) encoding of a coprocessor response column (coprocessor.md §4.3,
 * TiKV's datum writer): ints as `03`+comparable i64 (not varint), uints `04`, bytes as
 * compact bytes `02`, floats/decimals/durations/JSON as in keys, times as `04`+packed.
 */
export function writeDatumForResponse(w: ByteWriter, d: Datum): void {
  if (d.kind === 'bytes') {
    w.u8(DatumFlag.CompactBytes);
    writeCompactBytes(w, d.value);
    return;
  }
  writeDatumKey(w, d);
}

/** Memcomparable encoding of datums (index keys, common handles): order follows value order. */
export function encodeDatumKey(datums: readonly Datum[]): Uint8Array {
  const w = new ByteWriter(datums.length * 10);
  for (const d of datums) writeDatumKey(w, d);
  return w.finish();
}

/** Value encoding of datums (row format v1, default-encoded responses). */
export function encodeDatumValue(datums: readonly Datum[]): Uint8Array {
  const w = new ByteWriter(datums.length * 10);
  for (const d of datums) writeDatumValue(w, d);
  return w.finish();
}

/** JSON binary type codes (TiDB `types.JSONTypeCode*`). */
export const JsonTypeCode = {
  Object: 0x01,
  Array: 0x03,
  Literal: 0x04,
  Int64: 0x09,
  Uint64: 0x0a,
  Float64: 0x0b,
  String: 0x0c,
  Opaque: 0x0d,
  Date: 0x0e,
  Datetime: 0x0f,
  Timestamp: 0x10,
  Time: 0x11,
} as const;

/** Offset past the JSON value (type byte + binary) at `offset` (TiDB `PeekBytesAsJSON`). */
export function jsonEnd(buf: Uint8Array, offset: number): number {
  if (offset >= buf.length) throw new CorruptionError('json: truncated');
  const tp = buf[offset]!;
  const o = offset + 1;
  let end: number;
  switch (tp) {
    case JsonTypeCode.Object:
    case JsonTypeCode.Array: {
      if (o + 8 > buf.length) throw new CorruptionError('json: truncated header');
      const size = u32le(buf, o + 4);
      end = o + size;
      break;
    }
    case JsonTypeCode.Literal:
      end = o + 1;
      break;
    case JsonTypeCode.Int64:
    case JsonTypeCode.Uint64:
    case JsonTypeCode.Float64:
    case JsonTypeCode.Date:
    case JsonTypeCode.Datetime:
    case JsonTypeCode.Timestamp:
      end = o + 8;
      break;
    case JsonTypeCode.Time:
      end = o + 12;
      break;
    case JsonTypeCode.String: {
      const len = readUvarint(buf, o);
      end = len.next + Number(len.value);
      break;
    }
    case JsonTypeCode.Opaque: {
      const len = readUvarint(buf, o + 1);
      end = len.next + Number(len.value);
      break;
    }
    default:
      throw new CorruptionError(`json: bad type code ${tp}`);
  }
  if (end > buf.length) throw new CorruptionError('json: truncated value');
  return end;
}

function vectorEnd(buf: Uint8Array, offset: number): number {
  if (offset + 4 > buf.length) throw new CorruptionError('vector: truncated');
  const n = u32le(buf, offset);
  const end = offset + 4 + n * 4;
  if (end > buf.length) throw new CorruptionError('vector: truncated');
  return end;
}

function need(buf: Uint8Array, offset: number, n: number): void {
  if (offset + n > buf.length) throw new CorruptionError(`datum: need ${n} bytes at ${offset}`);
}

/**
 * Decodes one datum (either encoding) at `offset` (TiDB `DecodeOne`): varint/int flags give
 * `int`, uvarint/uint give `uint` (packed times, enums, sets and bits included), both byte
 * flags give `bytes`. Compact bytes, JSON and vectors are views into `buf`; memcomparable
 * bytes are copied. Throws `CorruptionError` on malformed input.
 */
export function decodeDatum(buf: Uint8Array, offset: number): Decoded<Datum> {
  if (offset >= buf.length) throw new CorruptionError('datum: empty');
  const flag = buf[offset]!;
  const o = offset + 1;
  switch (flag) {
    case DatumFlag.Nil:
      return { value: NULL_DATUM, next: o };
    case DatumFlag.Int:
      need(buf, o, 8);
      return { value: { kind: 'int', value: readIntComparable(buf, o) }, next: o + 8 };
    case DatumFlag.Uint:
      need(buf, o, 8);
      return { value: { kind: 'uint', value: readUintComparable(buf, o) }, next: o + 8 };
    case DatumFlag.Float:
      need(buf, o, 8);
      return { value: { kind: 'float', value: readFloatComparable(buf, o) }, next: o + 8 };
    case DatumFlag.Duration:
      need(buf, o, 8);
      return { value: { kind: 'duration', value: readIntComparable(buf, o) }, next: o + 8 };
    case DatumFlag.Varint: {
      const v = readVarint(buf, o);
      return { value: { kind: 'int', value: v.value }, next: v.next };
    }
    case DatumFlag.Uvarint: {
      const v = readUvarint(buf, o);
      return { value: { kind: 'uint', value: v.value }, next: v.next };
    }
    case DatumFlag.Bytes: {
      const v = readMemComparableBytes(buf, o);
      return { value: { kind: 'bytes', value: v.value }, next: v.next };
    }
    case DatumFlag.CompactBytes: {
      const v = readCompactBytes(buf, o);
      return { value: { kind: 'bytes', value: v.value }, next: v.next };
    }
    case DatumFlag.Decimal: {
      need(buf, o, 2);
      const prec = buf[o]!;
      const frac = buf[o + 1]!;
      const value = Decimal.fromBin(buf, o + 2, prec, frac);
      return { value: { kind: 'decimal', value, prec, frac }, next: o + 2 + Decimal.binSize(prec, frac) };
    }
    case DatumFlag.Json: {
      const end = jsonEnd(buf, o);
      return { value: { kind: 'json', value: buf.subarray(o, end) }, next: end };
    }
    case DatumFlag.VectorFloat32: {
      const end = vectorEnd(buf, o);
      return { value: { kind: 'vectorFloat32', value: buf.subarray(o, end) }, next: end };
    }
    case DatumFlag.Max:
      return { value: MAX_VALUE, next: o };
    default:
      throw new CorruptionError(`datum: unknown flag ${flag}`);
  }
}

/** Offset past the datum at `offset` without materializing it (TiDB `CutOne`/`peek`). */
export function datumEnd(buf: Uint8Array, offset: number): number {
  if (offset >= buf.length) throw new CorruptionError('datum: empty');
  const flag = buf[offset]!;
  const o = offset + 1;
  switch (flag) {
    case DatumFlag.Nil:
    case DatumFlag.Max:
      return o;
    case DatumFlag.Int:
    case DatumFlag.Uint:
    case DatumFlag.Float:
    case DatumFlag.Duration:
      need(buf, o, 8);
      return o + 8;
    case DatumFlag.Varint:
    case DatumFlag.Uvarint:
      return readUvarint(buf, o).next;
    case DatumFlag.Bytes:
      return memComparableBytesEnd(buf, o);
    case DatumFlag.CompactBytes: {
      const len = readVarintLength(buf, o, 'compact bytes');
      need(buf, len.next, len.value);
      return len.next + len.value;
    }
    case DatumFlag.Decimal: {
      need(buf, o, 2);
      const prec = buf[o]!;
      const frac = buf[o + 1]!;
      if (prec < 1 || frac > prec || frac > DECIMAL_FRAC_MAX) throw new CorruptionError(`datum: bad decimal precision/frac ${prec},${frac}`);
      const end = o + 2 + Decimal.binSize(prec, frac);
      need(buf, o, end - o);
      return end;
    }
    case DatumFlag.Json:
      return jsonEnd(buf, o);
    case DatumFlag.VectorFloat32:
      return vectorEnd(buf, o);
    default:
      throw new CorruptionError(`datum: unknown flag ${flag}`);
  }
}

/** Decodes every datum in `buf[offset, end)`. */
export function decodeDatums(buf: Uint8Array, offset = 0, end = buf.length): Datum[] {
  const out: Datum[] = [];
  const view = end === buf.length ? buf : buf.subarray(0, end);
  let o = offset;
  while (o < end) {
    const d = decodeDatum(view, o);
    out.push(d.value);
    o = d.next;
  }
  return out;
}

const KIND_RANK: Record<DatumKind, number> = {
  null: 0,
  minNotNull: 1,
  int: 2,
  uint: 2,
  float: 2,
  decimal: 2,
  bytes: 3,
  time: 4,
  duration: 5,
  json: 6,
  vectorFloat32: 7,
  maxValue: 9,
};

/**
 * Value order of two datums of the same column type (NULL < MinNotNull < values <
 * MaxValue); numbers compare numerically across int/uint/float/decimal, bytes
 * lexicographically (binary collation), times by instant, durations by length.
 */
export function compareDatum(a: Datum, b: Datum): number {
  const ra = KIND_RANK[a.kind];
  const rb = KIND_RANK[b.kind];
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (a.kind) {
    case 'null':
    case 'minNotNull':
    case 'maxValue':
      return 0;
    case 'bytes':
    case 'json':
    case 'vectorFloat32':
      return bytesCompare(a.value, (b as { value: Uint8Array }).value);
    case 'time':
    case 'duration': {
      const x = a.value;
      const y = (b as { value: bigint }).value;
      return a.kind === 'time' ? cmpBig(x >> 4n, y >> 4n) : cmpBig(x, y);
    }
    default:
      return compareNumeric(a, b);
  }
}

function cmpBig(x: bigint, y: bigint): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareNumeric(a: Datum, b: Datum): number {
  if (a.kind === 'float' || b.kind === 'float') {
    const x = numericAsFloat(a);
    const y = numericAsFloat(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return numericAsDecimal(a).compare(numericAsDecimal(b));
}

function numericAsFloat(d: Datum): number {
  switch (d.kind) {
    case 'float':
      return d.value;
    case 'int':
    case 'uint':
      return Number(d.value);
    case 'decimal':
      return d.value.toFloat();
    default:
      return NaN;
  }
}

function numericAsDecimal(d: Datum): Decimal {
  switch (d.kind) {
    case 'int':
    case 'uint':
      return Decimal.fromBigInt(d.value);
    case 'decimal':
      return d.value;
    default:
      return Decimal.ZERO;
  }
}
