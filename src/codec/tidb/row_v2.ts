import { assert, assertNever } from '../../util/assert.ts';
import { CorruptionError, DomainError } from '../../util/errors.ts';
import { ByteWriter } from './byte_writer.ts';
import { decimalDatumPrecFrac, type Datum } from './datum.ts';
import { Decimal } from './decimal.ts';
import { ColumnFlag, isIntegerType, isStringType, isTimeType, MysqlType } from './field_type.ts';
import { readFloatComparable, writeFloatComparable } from './primitive.ts';
import { loadScratch, SCRATCH_VIEW, u16le, u32le } from './scratch.ts';
import { coreTimeFromPacked, coreTimeToPacked } from './time.ts';

/**
 * TiDB row format v2 (`pkg/util/rowcodec`, coprocessor.md §6.4):
 *   0x80 | flags | u16 LE not-null count | u16 LE null count | column ids (not-null sorted,
 *   then null sorted; u8 or u32 LE when large) | end offsets of not-null values (u16 or u32
 *   LE) | values | [checksum].
 * Values: ints/uints as the shortest of 1/2/4/8 LE bytes, floats as comparable u64, decimals
 * as prec+frac+bin, times as the packed uint, durations as int ns, strings/JSON raw.
 */

export const ROW_V2_CODEC_VERSION = 0x80;
const FLAG_LARGE = 0x01;
/** Row flag bit saying a checksum follows the data (ignored when decoding). */
export const ROW_V2_FLAG_CHECKSUM = 0x02;
const HEADER_BYTES = 6;
/** Column ids above this force the large layout (u32 ids and offsets). */
const SMALL_COLUMN_ID_MAX = 255;
/** Data of this many bytes or more forces the large layout (TiDB: `>= math.MaxUint16`). */
const SMALL_DATA_BYTES_LIMIT = 65535;
/** Column ids must fit u32. */
const COLUMN_ID_MAX = 0xffffffff;

/** Result of `RowV2Decoder.locate`. */
export const RowV2Lookup = {
  /** The column is absent from the row: use its default value (or NULL). */
  Missing: -1,
  /** The column is present and NULL. */
  Null: 0,
  /** The column has a value in `[valueStart, valueEnd)`. */
  Value: 1,
} as const;

/** True when `value` is a row-v2 value (first byte 0x80); row v1 starts with a datum flag. */
export function isRowV2(value: Uint8Array): boolean {
  return value.length > 0 && value[0] === ROW_V2_CODEC_VERSION;
}

/**
 * Parses a row-v2 header once and finds columns by id (binary search) without decoding
 * the others. Reusable: `reset(value)` re-points it at another row without allocating.
 */
export class RowV2Decoder {
  private buf: Uint8Array = new Uint8Array(0);
  private large = false;
  private idsStart = 0;
  private offsetsStart = 0;
  private dataStart = 0;
  private dataEnd = 0;
  /** Number of non-NULL columns stored. */
  notNullCount = 0;
  /** Number of NULL columns stored. */
  nullCount = 0;
  /** Whether the row carries a checksum after its data. */
  hasChecksum = false;
  /** Value range of the last successful `locate`. */
  valueStart = 0;
  valueEnd = 0;

  constructor(value?: Uint8Array) {
    if (value !== undefined) this.reset(value);
  }

  /** Parses the header of `value`; throws `CorruptionError` if it is not a sane v2 row. */
  reset(value: Uint8Array): this {
    if (value.length < HEADER_BYTES || value[0] !== ROW_V2_CODEC_VERSION) throw new CorruptionError('row v2: bad header');
    this.buf = value;
    const flags = value[1]!;
    this.large = (flags & FLAG_LARGE) !== 0;
    this.hasChecksum = (flags & ROW_V2_FLAG_CHECKSUM) !== 0;
    this.notNullCount = u16le(value, 2);
    this.nullCount = u16le(value, 4);
    const idBytes = this.large ? 4 : 1;
    const offBytes = this.large ? 4 : 2;
    this.idsStart = HEADER_BYTES;
    this.offsetsStart = this.idsStart + (this.notNullCount + this.nullCount) * idBytes;
    this.dataStart = this.offsetsStart + this.notNullCount * offBytes;
    if (this.dataStart > value.length) throw new CorruptionError('row v2: truncated header');
    this.dataEnd = this.dataStart + (this.notNullCount > 0 ? this.offsetAt(this.notNullCount - 1) : 0);
    if (this.dataEnd > value.length) throw new CorruptionError('row v2: truncated data');
    return this;
  }

  /** The row bytes the decoder currently points at. */
  get row(): Uint8Array {
    return this.buf;
  }

  /** Column id at position `i` (not-null columns first, then NULL columns). */
  columnIdAt(i: number): number {
    return this.large ? u32le(this.buf, this.idsStart + i * 4) : this.buf[this.idsStart + i]!;
  }

  private offsetAt(i: number): number {
    return this.large ? u32le(this.buf, this.offsetsStart + i * 4) : u16le(this.buf, this.offsetsStart + i * 2);
  }

  private search(lo: number, hi: number, colId: number): number {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const id = this.columnIdAt(mid);
      if (id === colId) return mid;
      if (id < colId) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /**
   * Finds column `colId`: returns RowV2Lookup.Value (and sets valueStart/valueEnd into
   * `row`), RowV2Lookup.Null, or RowV2Lookup.Missing. Allocation-free.
   */
  locate(colId: number): number {
    const i = this.search(0, this.notNullCount, colId);
    if (i >= 0) {
      const start = i === 0 ? 0 : this.offsetAt(i - 1);
      const end = this.offsetAt(i);
      this.valueStart = this.dataStart + start;
      this.valueEnd = this.dataStart + end;
      if (end < start || this.valueEnd > this.dataEnd) throw new CorruptionError('row v2: bad value offsets');
      return RowV2Lookup.Value;
    }
    if (this.nullCount > 0 && this.search(this.notNullCount, this.notNullCount + this.nullCount, colId) >= 0) return RowV2Lookup.Null;
    return RowV2Lookup.Missing;
  }

  /** The value bytes of `colId` (a view), `null` if NULL, `undefined` if absent. */
  find(colId: number): Uint8Array | null | undefined {
    const r = this.locate(colId);
    if (r === RowV2Lookup.Value) return this.buf.subarray(this.valueStart, this.valueEnd);
    return r === RowV2Lookup.Null ? null : undefined;
  }

  /** Signed integer column (also YEAR, DURATION ns). */
  readInt(colId: number): bigint | null | undefined {
    const r = this.locate(colId);
    if (r !== RowV2Lookup.Value) return r === RowV2Lookup.Null ? null : undefined;
    return decodeV2Int(this.buf, this.valueStart, this.valueEnd);
  }

  /** Unsigned integer column (also ENUM/SET/BIT values). */
  readUint(colId: number): bigint | null | undefined {
    const r = this.locate(colId);
    if (r !== RowV2Lookup.Value) return r === RowV2Lookup.Null ? null : undefined;
    return decodeV2Uint(this.buf, this.valueStart, this.valueEnd);
  }

  /** FLOAT/DOUBLE column as a double (narrow FLOAT with Math.fround if needed). */
  readFloat(colId: number): number | null | undefined {
    const r = this.locate(colId);
    if (r !== RowV2Lookup.Value) return r === RowV2Lookup.Null ? null : undefined;
    return decodeV2Float(this.buf, this.valueStart, this.valueEnd);
  }

  /** DECIMAL column (frac = the stored frac). */
  readDecimal(colId: number): Decimal | null | undefined {
    const r = this.locate(colId);
    if (r !== RowV2Lookup.Value) return r === RowV2Lookup.Null ? null : undefined;
    return decodeV2Decimal(this.buf, this.valueStart, this.valueEnd);
  }

  /** DATE/DATETIME/TIMESTAMP column as a CoreTime of type `tp` and `fsp`. */
  readTime(colId: number, tp: number, fsp: number): bigint | null | undefined {
    const r = this.locate(colId);
    if (r !== RowV2Lookup.Value) return r === RowV2Lookup.Null ? null : undefined;
    return coreTimeFromPacked(decodeV2Uint(this.buf, this.valueStart, this.valueEnd), tp, fsp);
  }

  /** TIME column as nanoseconds. */
  readDuration(colId: number): bigint | null | undefined {
    return this.readInt(colId);
  }

  /** String/binary/JSON column bytes (a view). */
  readBytes(colId: number): Uint8Array | null | undefined {
    return this.find(colId);
  }
}

/** Little-endian two's complement of 1, 2, 4 or 8 bytes (TiDB rowcodec `decodeInt`). */
export function decodeV2Int(buf: Uint8Array, start: number, end: number): bigint {
  switch (end - start) {
    case 1:
      return BigInt((buf[start]! << 24) >> 24);
    case 2:
      return BigInt((u16le(buf, start) << 16) >> 16);
    case 4:
      return BigInt(u32le(buf, start) | 0);
    case 8:
      loadScratch(buf, start);
      return SCRATCH_VIEW.getBigInt64(0, true);
    default:
      throw new CorruptionError(`row v2: int of ${end - start} bytes`);
  }
}

/** Little-endian unsigned of 1, 2, 4 or 8 bytes. */
export function decodeV2Uint(buf: Uint8Array, start: number, end: number): bigint {
  switch (end - start) {
    case 1:
      return BigInt(buf[start]!);
    case 2:
      return BigInt(u16le(buf, start));
    case 4:
      return BigInt(u32le(buf, start));
    case 8:
      loadScratch(buf, start);
      return SCRATCH_VIEW.getBigUint64(0, true);
    default:
      throw new CorruptionError(`row v2: uint of ${end - start} bytes`);
  }
}

/**
 * The v2 int in `[start, end)` as a JS number when it is a safe integer (|v| < 2^53), else
 * `null`: lets vectorized callers avoid a bigint per value.
 */
export function decodeV2IntAsNumber(buf: Uint8Array, start: number, end: number): number | null {
  switch (end - start) {
    case 1:
      return (buf[start]! << 24) >> 24;
    case 2:
      return (u16le(buf, start) << 16) >> 16;
    case 4:
      return u32le(buf, start) | 0;
    case 8: {
      const lo = u32le(buf, start);
      const hi = u32le(buf, start + 4) | 0;
      if (hi >= -0x200000 && hi < 0x200000) return hi * 0x100000000 + lo;
      return null;
    }
    default:
      throw new CorruptionError(`row v2: int of ${end - start} bytes`);
  }
}

/**
 * Widens the v2 int (or, with `unsigned`, uint) in `[start, end)` to 8 little-endian bytes
 * at `out[outOffset]` — the int64/uint64 element of an Arrow or chunk column — without
 * creating a bigint. Sign-extends signed values, zero-extends unsigned ones.
 */
export function copyV2IntAs64LE(buf: Uint8Array, start: number, end: number, unsigned: boolean, out: Uint8Array, outOffset: number): void {
  const n = end - start;
  if (n !== 1 && n !== 2 && n !== 4 && n !== 8) throw new CorruptionError(`row v2: int of ${n} bytes`);
  for (let i = 0; i < n; i++) out[outOffset + i] = buf[start + i]!;
  const fill = !unsigned && (buf[end - 1]! & 0x80) !== 0 ? 0xff : 0;
  for (let i = n; i < 8; i++) out[outOffset + i] = fill;
}

/** Comparable 8-byte float. */
export function decodeV2Float(buf: Uint8Array, start: number, end: number): number {
  if (end - start !== 8) throw new CorruptionError(`row v2: float of ${end - start} bytes`);
  return readFloatComparable(buf, start);
}

/** `prec u8 | frac u8 | decimal bin`. */
export function decodeV2Decimal(buf: Uint8Array, start: number, end: number): Decimal {
  if (end - start < 3) throw new CorruptionError('row v2: decimal too short');
  const prec = buf[start]!;
  const frac = buf[start + 1]!;
  if (start + 2 + Decimal.binSize(prec, frac) !== end) throw new CorruptionError('row v2: decimal length mismatch');
  return Decimal.fromBin(buf, start + 2, prec, frac);
}

/**
 * Converts a v2 value to the datum TiDB/TiKV would produce for a column of MySQL type `tp`
 * with column `flag` and `fsp` (FieldType.decimal for times): unsigned ints and
 * ENUM/SET/BIT give `uint`, times give a CoreTime `time` datum, TIME gives `duration`.
 */
export function decodeV2ValueAsDatum(buf: Uint8Array, start: number, end: number, tp: number, flag: number, fsp: number): Datum {
  if (isIntegerType(tp)) {
    return (flag & ColumnFlag.Unsigned) !== 0 ? { kind: 'uint', value: decodeV2Uint(buf, start, end) } : { kind: 'int', value: decodeV2Int(buf, start, end) };
  }
  if (isTimeType(tp)) return { kind: 'time', value: coreTimeFromPacked(decodeV2Uint(buf, start, end), tp, fsp) };
  if (isStringType(tp)) return { kind: 'bytes', value: buf.subarray(start, end) };
  switch (tp) {
    case MysqlType.Float:
    case MysqlType.Double:
      return { kind: 'float', value: decodeV2Float(buf, start, end) };
    case MysqlType.NewDecimal: {
      const value = decodeV2Decimal(buf, start, end);
      return { kind: 'decimal', value, prec: buf[start]!, frac: buf[start + 1]! };
    }
    case MysqlType.Duration:
      return { kind: 'duration', value: decodeV2Int(buf, start, end) };
    case MysqlType.Enum:
    case MysqlType.Set:
    case MysqlType.Bit:
      return { kind: 'uint', value: decodeV2Uint(buf, start, end) };
    case MysqlType.JSON:
      return { kind: 'json', value: buf.subarray(start, end) };
    case MysqlType.Null:
      return { kind: 'null' };
    default:
      throw new DomainError('NotImplemented', `row v2: column type ${tp} not supported`);
  }
}

/** Shortest little-endian two's complement (TiDB rowcodec `encodeInt`). */
export function writeV2Int(w: ByteWriter, v: bigint): void {
  if (v >= -128n && v <= 127n) w.u8(Number(v) & 0xff);
  else if (v >= -32768n && v <= 32767n) w.u16le(Number(v) & 0xffff);
  else if (v >= -2147483648n && v <= 2147483647n) w.u32le(Number(v) >>> 0);
  else w.u64le(v);
}

/** Shortest little-endian unsigned (TiDB rowcodec `encodeUint`). */
export function writeV2Uint(w: ByteWriter, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  if (u <= 0xffn) w.u8(Number(u));
  else if (u <= 0xffffn) w.u16le(Number(u));
  else if (u <= 0xffffffffn) w.u32le(Number(u));
  else w.u64le(u);
}

/** Appends the v2 value bytes of one non-NULL datum (TiDB `EncodeValueDatum`). */
export function writeV2Value(w: ByteWriter, d: Datum): void {
  switch (d.kind) {
    case 'int':
    case 'duration':
      writeV2Int(w, d.value);
      return;
    case 'uint':
      writeV2Uint(w, d.value);
      return;
    case 'time':
      writeV2Uint(w, coreTimeToPacked(d.value));
      return;
    case 'float':
      writeFloatComparable(w, d.value);
      return;
    case 'bytes':
    case 'json':
    case 'vectorFloat32':
      w.bytes(d.value);
      return;
    case 'decimal': {
      const [prec, frac] = decimalDatumPrecFrac(d);
      w.u8(prec);
      w.u8(frac);
      const tmp = new Uint8Array(Decimal.binSize(prec, frac));
      d.value.writeBin(tmp, 0, prec, frac);
      w.bytes(tmp);
      return;
    }
    case 'null':
    case 'minNotNull':
    case 'maxValue':
      return;
    default:
      assertNever(d);
  }
}

/**
 * Encodes a row in format v2 (TiDB `rowcodec.Encoder.Encode`): `colIds[i]` holds
 * `datums[i]`; NULL datums go to the null id list. Uses the large layout when an id
 * exceeds 255 or the data reaches 65535 bytes. Ids must be distinct and in [0, 2^32).
 */
export function encodeRowV2(colIds: ReadonlyArray<number | bigint>, datums: readonly Datum[]): Uint8Array {
  assert(colIds.length === datums.length, 'encodeRowV2: ids and datums differ in length');
  const n = colIds.length;
  if (n > 0xffff) throw new DomainError('InvalidArgument', `row v2: ${n} columns`);
  const ids = new Array<number>(n);
  let large = false;
  for (let i = 0; i < n; i++) {
    const id = Number(colIds[i]);
    if (!Number.isInteger(id) || id < 0 || id > COLUMN_ID_MAX) throw new DomainError('InvalidArgument', `row v2: column id ${colIds[i]} out of range`);
    if (id > SMALL_COLUMN_ID_MAX) large = true;
    ids[i] = id;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
  const notNull: number[] = [];
  const nulls: number[] = [];
  for (const i of order) {
    (datums[i]!.kind === 'null' ? nulls : notNull).push(i);
  }
  for (let k = 1; k < order.length; k++) {
    if (ids[order[k]!] === ids[order[k - 1]!]) throw new DomainError('InvalidArgument', `row v2: duplicate column id ${ids[order[k]!]}`);
  }
  const data = new ByteWriter(64);
  const ends = new Array<number>(notNull.length);
  for (let k = 0; k < notNull.length; k++) {
    writeV2Value(data, datums[notNull[k]!]!);
    ends[k] = data.length;
  }
  if (data.length >= SMALL_DATA_BYTES_LIMIT) large = true;
  const w = new ByteWriter(HEADER_BYTES + n * (large ? 8 : 3) + data.length);
  w.u8(ROW_V2_CODEC_VERSION);
  w.u8(large ? FLAG_LARGE : 0);
  w.u16le(notNull.length);
  w.u16le(nulls.length);
  for (const i of notNull) large ? w.u32le(ids[i]!) : w.u8(ids[i]!);
  for (const i of nulls) large ? w.u32le(ids[i]!) : w.u8(ids[i]!);
  for (const e of ends) large ? w.u32le(e) : w.u16le(e);
  w.bytes(data.finish());
  return w.finish();
}
