import { currentTimeZone } from './time_zone.ts';
import * as arrow from 'apache-arrow';
import { civilFromDays, coreTimeFromPacked, decodeDatums, Decimal, MY_DECIMAL_STRUCT_BYTES, MysqlType } from '../tidb_codec.ts';
import { ER, sqlError } from '../errors.ts';
import { datumToValue, float32Display, isBinaryString, isIntTp, isStringTp, isUnsigned, type FieldType } from './column_type.ts';
import { SqlDuration, SqlTime, type Value } from './value.ts';

/**
 * How the SQL layer asks the coprocessor to encode results (`tidb_cop_result_encoding`):
 * `arrow` our Arrow IPC stream per chunk (tipb EncodeType 1001), `default` TiDB's datum
 * rows (0), `chunk` TiDB's columnar chunk format (1).
 */
export type CopResultEncoding = 'arrow' | 'default' | 'chunk';

/** tipb.EncodeType numbers (1001 is ours, `proto/README.md` "Our additions"). */
export const ENCODE_TYPE = { default: 0, chunk: 1, arrow: 1001 } as const satisfies Record<CopResultEncoding, number>;

/** The encoding a session variable value names (case-insensitive), or undefined. */
export function parseCopResultEncoding(v: Value): CopResultEncoding | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.toLowerCase();
  return s === 'arrow' || s === 'default' || s === 'chunk' ? s : undefined;
}

/** Rows of one decoded `tipb.Chunk`, each `types.length` wide, in the DAG's output order. */
export type DecodedRows = Value[][];

/** Longest row count one `rows_data` may claim (the coprocessor's batches hold at most 1024; paging adds none). */
export const COP_CHUNK_ROWS_MAX = 1 << 20;

/**
 * Decodes one `tipb.Chunk.rows_data` of a SelectResponse answered in `encodeType` into rows
 * of SQL values, exactly those the root path (row decode + `datumToValue`) gives for columns
 * of `types`: ints bigint, FLOAT shown as float32, DECIMAL exact with its frac, strings JS
 * strings (binary ones `Uint8Array` copies), times `SqlTime` with the column's type and fsp
 * (TIMESTAMP in UTC), TIME `SqlDuration` with the column's fsp, NULL null. Arrow and Chunk
 * are decoded one column at a time over typed arrays, writing into preallocated rows.
 * Malformed input is a MySQL error 1105, never a crash.
 */
export function copDecode(encodeType: number, rowsData: Uint8Array, types: readonly FieldType[]): DecodedRows {
  switch (encodeType) {
    case ENCODE_TYPE.arrow:
      return decodeArrow(rowsData, types);
    case ENCODE_TYPE.chunk:
      return decodeChunk(rowsData, types);
    case ENCODE_TYPE.default:
      return decodeDefault(rowsData, types);
    default:
      throw corrupt(`unknown encode type ${encodeType}`);
  }
}

function corrupt(msg: string): Error {
  return sqlError(ER.UNKNOWN_ERROR, `coprocessor response: ${msg}`);
}

function newRows(n: number, width: number): DecodedRows {
  if (n > COP_CHUNK_ROWS_MAX) throw corrupt(`${n} rows in one chunk (limit ${COP_CHUNK_ROWS_MAX})`);
  const rows: DecodedRows = new Array<Value[]>(n);
  for (let i = 0; i < n; i++) rows[i] = new Array<Value>(width);
  return rows;
}

function isTime(tp: number): boolean {
  return tp === MysqlType.Date || tp === MysqlType.Datetime || tp === MysqlType.Timestamp || tp === MysqlType.NewDate;
}

/** The CoreTime low nibble (fsp << 1 | isTimestamp; 0b1110 = DATE) of a column, as the root decode sets it. */
function fspTt(ft: FieldType): number {
  if (ft.tp === MysqlType.Date || ft.tp === MysqlType.NewDate) return 0b1110;
  return (Math.max(0, ft.decimal) << 1) | (ft.tp === MysqlType.Timestamp ? 1 : 0);
}

/** CoreTime from civil fields (year..second as numbers, µs) with the column's type bits. */
function coreTime(year: number, month: number, day: number, secOfDay: number, micro: number, tt: number): bigint {
  const hour = Math.floor(secOfDay / 3600);
  const minute = Math.floor(secOfDay / 60) % 60;
  const second = secOfDay % 60;
  const high = year * 2 ** 26 + month * 2 ** 22 + day * 2 ** 17 + hour * 2 ** 12 + minute * 64 + second;
  return (BigInt(high) << 24n) | BigInt(micro * 16 + tt);
}

// ---------------------------------------------------------------------------------------
// Default: datum rows

function decodeDefault(bytes: Uint8Array, types: readonly FieldType[]): DecodedRows {
  const width = types.length;
  let datums: ReturnType<typeof decodeDatums>;
  try {
    datums = decodeDatums(bytes);
  } catch (e) {
    throw corrupt(`bad datum rows: ${(e as Error).message}`);
  }
  if (width === 0 || datums.length % width !== 0) throw corrupt(`${datums.length} datums for ${width} columns`);
  const rows = newRows(datums.length / width, width);
  for (let k = 0; k < width; k++) {
    const ft = types[k]!;
    const time = isTime(ft.tp);
    for (let i = 0, p = k; i < rows.length; i++, p += width) {
      const d = datums[p]!;
      // Times travel as packed uints (TiDB `ToPackedUint`): type and fsp come from the column.
      // Default encoding keeps TIMESTAMP in UTC (as stored): shown in the session's zone.
      rows[i]![k] = time && d.kind === 'uint' ? new SqlTime(fromUtcIfTimestamp(coreTimeFromPacked(d.value, ft.tp, Math.max(0, ft.decimal)), ft)) : datumToValue(d, ft);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------
// Arrow IPC

const utf8 = new TextDecoder();

/**
 * Strings of a var-length column: one TextDecoder call for the whole data buffer when it is
 * ASCII (byte offsets are then character offsets), else one call per cell.
 */
function stringAt(data: Uint8Array, ascii: string | undefined, start: number, end: number): string {
  return ascii !== undefined ? ascii.slice(start, end) : utf8.decode(data.subarray(start, end));
}

/**
 * The bytes `start..end` of a var-length column copied once, so its values (views into the
 * copy) keep only this column alive, not the whole response. Node Buffers, as the root
 * path's datum decode gives, so results compare equal.
 */
function columnBytes(data: Uint8Array, start: number, end: number): Buffer {
  return Buffer.from(data.subarray(start, end));
}

function asciiText(data: Uint8Array, start: number, end: number): string | undefined {
  for (let i = start; i < end; i++) if (data[i]! >= 0x80) return undefined;
  return utf8.decode(data.subarray(0, end));
}

function expectType(c: number, ft: FieldType, type: arrow.DataType, ok: boolean): void {
  if (!ok) throw corrupt(`column ${c}: Arrow type ${String(type)} does not carry MySQL type ${ft.tp}`);
}

function decodeArrow(bytes: Uint8Array, types: readonly FieldType[]): DecodedRows {
  let table: arrow.Table;
  try {
    table = arrow.tableFromIPC(bytes);
  } catch (e) {
    throw corrupt(`bad Arrow IPC stream: ${(e as Error).message}`);
  }
  const width = types.length;
  if (table.numCols !== width) throw corrupt(`${table.numCols} Arrow columns for ${width} output columns`);
  const rows = newRows(table.numRows, width);
  for (let k = 0; k < width; k++) {
    let base = 0;
    for (const d of table.getChildAt(k)!.data) {
      decodeArrowColumn(d, types[k]!, k, rows, base);
      base += d.length;
    }
  }
  return rows;
}

/** Writes column `k` of rows `base .. base + d.length` from one Arrow `Data`. */
function decodeArrowColumn(d: arrow.Data, ft: FieldType, k: number, rows: DecodedRows, base: number): void {
  const n = d.length;
  const off = d.offset;
  const bitmap = d.nullCount > 0 ? d.nullBitmap : undefined;
  const isNull = (i: number): boolean => bitmap !== undefined && ((bitmap[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 0;
  const type = d.type as arrow.DataType;
  const tp = ft.tp;
  if (isIntTp(tp)) {
    expectType(k, ft, type, arrow.DataType.isInt(type) && (type as arrow.Int).bitWidth === 64);
    const v = d.values as BigInt64Array | BigUint64Array;
    // Our coprocessor sends Uint64 for unsigned columns; a store that sends the bit pattern
    // as Int64 (or the reverse) is reinterpreted rather than misread.
    const unsigned = isUnsigned(ft);
    if (unsigned === (type as arrow.Int).isSigned) {
      for (let i = 0; i < n; i++) rows[base + i]![k] = isNull(i) ? null : unsigned ? BigInt.asUintN(64, v[off + i]!) : BigInt.asIntN(64, v[off + i]!);
      return;
    }
    for (let i = 0; i < n; i++) rows[base + i]![k] = isNull(i) ? null : v[off + i]!;
    return;
  }
  switch (tp) {
    case MysqlType.Float:
    case MysqlType.Double: {
      expectType(k, ft, type, arrow.DataType.isFloat(type));
      const v = d.values as Float32Array | Float64Array;
      const f32 = tp === MysqlType.Float;
      for (let i = 0; i < n; i++) rows[base + i]![k] = isNull(i) ? null : f32 ? float32Display(v[off + i]!) : v[off + i]!;
      return;
    }
    case MysqlType.NewDecimal: {
      expectType(k, ft, type, arrow.DataType.isDecimal(type));
      const t = type as arrow.Decimal;
      const words = t.bitWidth / 32;
      const v = d.values as Uint32Array;
      if (t.bitWidth === 128 && v.byteOffset % 8 === 0) {
        // Two 64-bit reads; most values fit the low word (sign-extended), one bigint then.
        const w64 = new BigInt64Array(v.buffer, v.byteOffset, v.length >> 1);
        for (let i = 0; i < n; i++) {
          if (isNull(i)) {
            rows[base + i]![k] = null;
            continue;
          }
          const lo = w64[(off + i) * 2]!;
          const hi = w64[(off + i) * 2 + 1]!;
          const unscaled = (hi === 0n && lo >= 0n) || (hi === -1n && lo < 0n) ? lo : (hi << 64n) | BigInt.asUintN(64, lo);
          rows[base + i]![k] = new Decimal(unscaled, t.scale);
        }
        return;
      }
      for (let i = 0; i < n; i++) {
        if (isNull(i)) {
          rows[base + i]![k] = null;
          continue;
        }
        const at = (off + i) * words;
        let u = 0n;
        for (let w = words - 1; w >= 0; w--) u = (u << 32n) | BigInt(v[at + w]!);
        rows[base + i]![k] = new Decimal(BigInt.asIntN(t.bitWidth, u), t.scale);
      }
      return;
    }
    case MysqlType.Duration: {
      expectType(k, ft, type, arrow.DataType.isDuration(type));
      const v = d.values as BigInt64Array;
      const fsp = Math.max(0, ft.decimal);
      for (let i = 0; i < n; i++) rows[base + i]![k] = isNull(i) ? null : new SqlDuration(v[off + i]!, fsp);
      return;
    }
    case MysqlType.Date:
    case MysqlType.NewDate:
    case MysqlType.Datetime:
    case MysqlType.Timestamp:
      decodeArrowTime(d, ft, k, rows, base, isNull);
      return;
  }
  if (isStringTp(tp)) {
    expectType(k, ft, type, arrow.DataType.isBinary(type) || arrow.DataType.isUtf8(type));
    const offsets = d.valueOffsets as Int32Array;
    const data = d.values as Uint8Array;
    if (isBinaryString(ft)) {
      const first = offsets[off]!;
      const col = columnBytes(data, first, offsets[off + n]!);
      for (let i = 0; i < n; i++) rows[base + i]![k] = isNull(i) ? null : col.subarray(offsets[off + i]! - first, offsets[off + i + 1]! - first);
      return;
    }
    const ascii = asciiText(data, offsets[off]!, offsets[off + n]!);
    for (let i = 0; i < n; i++) rows[base + i]![k] = isNull(i) ? null : stringAt(data, ascii, offsets[off + i]!, offsets[off + i + 1]!);
    return;
  }
  throw corrupt(`column ${k}: MySQL type ${tp} is not decoded from Arrow`);
}

/**
 * DATE from Date32 days; DATETIME (wall clock) and TIMESTAMP (UTC instant) from
 * Timestamp(µs). The 64-bit µs are split into int32 halves so the day/second arithmetic
 * stays exact in doubles (year 9999 needs 58 bits).
 */
function decodeArrowTime(d: arrow.Data, ft: FieldType, k: number, rows: DecodedRows, base: number, isNull: (i: number) => boolean): void {
  const n = d.length;
  const off = d.offset;
  const type = d.type as arrow.DataType;
  const tt = fspTt(ft);
  if (ft.tp === MysqlType.Date || ft.tp === MysqlType.NewDate) {
    expectType(k, ft, type, arrow.DataType.isDate(type) && (type as arrow.Date_).unit === arrow.DateUnit.DAY);
    const v = d.values as Int32Array;
    for (let i = 0; i < n; i++) {
      if (isNull(i)) {
        rows[base + i]![k] = null;
        continue;
      }
      const c = civilFromDays(v[off + i]!);
      rows[base + i]![k] = new SqlTime(coreTime(c.year, c.month, c.day, 0, 0, tt));
    }
    return;
  }
  expectType(k, ft, type, arrow.DataType.isTimestamp(type) && (type as arrow.Timestamp).unit === arrow.TimeUnit.MICROSECOND);
  const v = d.values as BigInt64Array;
  const halves = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
  let lastDay = NaN;
  let civil = { year: 0, month: 0, day: 0 };
  for (let i = 0; i < n; i++) {
    if (isNull(i)) {
      rows[base + i]![k] = null;
      continue;
    }
    // µs = hi * 2^32 + lo = hi * 4294 * 10^6 + (hi * 967296 + lo): both terms exact.
    const lo = halves[(off + i) * 2]! >>> 0;
    const hi = halves[(off + i) * 2 + 1]!;
    const r = hi * 967_296 + lo;
    const rSec = Math.floor(r / 1e6);
    const micro = r - rSec * 1e6;
    const sec = hi * 4294 + rSec;
    const day = Math.floor(sec / 86_400);
    if (day !== lastDay) {
      civil = civilFromDays(day);
      lastDay = day;
    }
    // Arrow timestamps are UTC instants: TIMESTAMP shows in the session's zone.
    rows[base + i]![k] = new SqlTime(fromUtcIfTimestamp(coreTime(civil.year, civil.month, civil.day, sec - day * 86_400, micro, tt), ft));
  }
}

function fromUtcIfTimestamp(core: bigint, ft: FieldType): bigint {
  return ft.tp === MysqlType.Timestamp ? currentTimeZone().fromUtc(core) : core;
}

// ---------------------------------------------------------------------------------------
// TiDB chunk format

/** Fixed cell width of a column in the chunk format, or 0 for var-length (offsets + data). */
function chunkWidth(ft: FieldType): number {
  if (isStringTp(ft.tp)) return 0;
  if (ft.tp === MysqlType.Float) return 4;
  if (ft.tp === MysqlType.NewDecimal) return MY_DECIMAL_STRUCT_BYTES;
  return 8;
}

/**
 * TiDB `util/chunk/codec.go`: per column `u32 length, u32 null_count, [bitmap], [i64
 * offsets × (length + 1)], data`, little-endian. Times are CoreTime in the request's zone,
 * which is the session's, so TIMESTAMP arrives already as the session shows it.
 */
function decodeChunk(bytes: Uint8Array, types: readonly FieldType[]): DecodedRows {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const need = (len: number): void => {
    if (len < 0 || p + len > bytes.length) throw corrupt('truncated chunk');
  };
  let rows: DecodedRows | undefined;
  for (let k = 0; k < types.length; k++) {
    const ft = types[k]!;
    need(8);
    const n = view.getUint32(p, true);
    const nullCount = view.getUint32(p + 4, true);
    p += 8;
    if (rows === undefined) rows = newRows(n, types.length);
    else if (rows.length !== n) throw corrupt(`column ${k} has ${n} rows, column 0 ${rows.length}`);
    let bitmap: Uint8Array | undefined;
    if (nullCount > 0) {
      need((n + 7) >> 3);
      bitmap = bytes.subarray(p, p + ((n + 7) >> 3));
      p += (n + 7) >> 3;
    }
    const isNull = (i: number): boolean => bitmap !== undefined && ((bitmap[i >> 3]! >> (i & 7)) & 1) === 0;
    const width = chunkWidth(ft);
    if (width === 0) {
      need((n + 1) * 8);
      const offsets = new Array<number>(n + 1);
      for (let i = 0; i <= n; i++) offsets[i] = Number(view.getBigInt64(p + i * 8, true));
      p += (n + 1) * 8;
      const dataLen = offsets[n]!;
      need(dataLen);
      for (let i = 0; i < n; i++) if (offsets[i]! > offsets[i + 1]! || offsets[i]! < 0) throw corrupt(`column ${k}: bad offsets`);
      const data = bytes.subarray(p, p + dataLen);
      p += dataLen;
      if (isBinaryString(ft)) {
        const col = columnBytes(data, 0, dataLen);
        for (let i = 0; i < n; i++) rows[i]![k] = isNull(i) ? null : col.subarray(offsets[i]!, offsets[i + 1]!);
      } else {
        const ascii = asciiText(data, 0, dataLen);
        for (let i = 0; i < n; i++) rows[i]![k] = isNull(i) ? null : stringAt(data, ascii, offsets[i]!, offsets[i + 1]!);
      }
      continue;
    }
    need(n * width);
    const start = p;
    p += n * width;
    const tp = ft.tp;
    if (isIntTp(tp)) {
      const unsigned = isUnsigned(ft);
      for (let i = 0; i < n; i++) rows[i]![k] = isNull(i) ? null : unsigned ? view.getBigUint64(start + i * 8, true) : view.getBigInt64(start + i * 8, true);
    } else if (tp === MysqlType.Float) {
      for (let i = 0; i < n; i++) rows[i]![k] = isNull(i) ? null : float32Display(view.getFloat32(start + i * 4, true));
    } else if (tp === MysqlType.Double) {
      for (let i = 0; i < n; i++) rows[i]![k] = isNull(i) ? null : view.getFloat64(start + i * 8, true);
    } else if (tp === MysqlType.NewDecimal) {
      for (let i = 0; i < n; i++) {
        if (isNull(i)) rows[i]![k] = null;
        else {
          try {
            rows[i]![k] = Decimal.fromChunk(bytes, start + i * width);
          } catch (e) {
            throw corrupt(`column ${k}: ${(e as Error).message}`);
          }
        }
      }
    } else if (tp === MysqlType.Duration) {
      const fsp = Math.max(0, ft.decimal);
      for (let i = 0; i < n; i++) rows[i]![k] = isNull(i) ? null : new SqlDuration(view.getBigInt64(start + i * 8, true), fsp);
    } else if (isTime(tp)) {
      const tt = BigInt(fspTt(ft));
      for (let i = 0; i < n; i++) rows[i]![k] = isNull(i) ? null : new SqlTime((view.getBigUint64(start + i * 8, true) & ~0xfn) | tt);
    } else {
      throw corrupt(`column ${k}: MySQL type ${tp} is not decoded from a chunk`);
    }
  }
  if (p !== bytes.length) throw corrupt(`${bytes.length - p} trailing bytes after the chunk`);
  return rows ?? [];
}
