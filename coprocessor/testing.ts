import { encodeBytes, encodeI64Comparable } from '../src/codec/mod.ts';
import { concatBytes } from '../src/util/mod.ts';
import type { ColumnInfo, Expr, FieldType } from './dag_types.ts';
import { EvalType, FieldFlag, MysqlType, evalTypeOfTp } from './field_type.ts';
import { ExprType } from './rpn_expression.ts';
import { partsToPacked, type TimeParts } from './time_convert.ts';
import type { Scalar } from './vector.ts';

/**
 * Test support: builds TiDB-format keys, row v2 values, tipb expressions, and decodes the
 * Chunk / Default encodings back to scalars. Used by this folder's tests only. The row
 * encoder is a stand-in for src/codec/tidb's `encodeRowV2` until that branch lands.
 */

export const FT = {
  bigint: { tp: MysqlType.LongLong, flag: 0, flen: 20 } as FieldType,
  ubigint: { tp: MysqlType.LongLong, flag: FieldFlag.Unsigned, flen: 20 } as FieldType,
  int: { tp: MysqlType.Long, flag: 0, flen: 11 } as FieldType,
  double: { tp: MysqlType.Double, flag: 0, flen: 22, decimal: -1 } as FieldType,
  float: { tp: MysqlType.Float, flag: 0, flen: 12, decimal: -1 } as FieldType,
  varchar: { tp: MysqlType.Varchar, flag: 0, flen: 255, collate: -46, charset: 'utf8mb4' } as FieldType,
  varcharCi: { tp: MysqlType.Varchar, flag: 0, flen: 255, collate: -45, charset: 'utf8mb4' } as FieldType,
  binary: { tp: MysqlType.VarString, flag: FieldFlag.Binary, flen: 255, collate: 63, charset: 'binary' } as FieldType,
  datetime: { tp: MysqlType.Datetime, flag: 0, flen: 26, decimal: 6 } as FieldType,
  date: { tp: MysqlType.Date, flag: 0, flen: 10, decimal: 0 } as FieldType,
  timestamp: { tp: MysqlType.Timestamp, flag: 0, flen: 19, decimal: 0 } as FieldType,
  duration: { tp: MysqlType.Duration, flag: 0, flen: 10, decimal: 0 } as FieldType,
};

/** `t{tableId}_r{handle}`. */
export function recordKey(tableId: bigint, handle: bigint): Uint8Array {
  return concatBytes(new Uint8Array([0x74]), encodeI64Comparable(tableId), new Uint8Array([0x5f, 0x72]), encodeI64Comparable(handle));
}

/** The whole record range of a table. */
export function tableRange(tableId: bigint): { start: Uint8Array; end: Uint8Array } {
  const prefix = concatBytes(new Uint8Array([0x74]), encodeI64Comparable(tableId), new Uint8Array([0x5f, 0x72]));
  return { start: prefix, end: concatBytes(new Uint8Array([0x74]), encodeI64Comparable(tableId), new Uint8Array([0x5f, 0x73])) };
}

/** Comparable (key) datum of a scalar: int `03`, uint `04`, bytes `01`, NULL `00`. */
export function keyDatum(v: Scalar, unsigned = false): Uint8Array {
  if (v === null) return new Uint8Array([0]);
  if (typeof v === 'bigint') {
    if (unsigned) {
      const b = new Uint8Array(9);
      b[0] = 4;
      new DataView(b.buffer).setBigUint64(1, BigInt.asUintN(64, v));
      return b;
    }
    return concatBytes(new Uint8Array([3]), encodeI64Comparable(v));
  }
  if (v instanceof Uint8Array) return concatBytes(new Uint8Array([1]), encodeBytes(v));
  const b = new Uint8Array(9);
  b[0] = 5;
  b.set(comparableFloat(v), 1);
  return b;
}

/** `t{tableId}_i{indexId}{datums}`. */
export function indexKey(tableId: bigint, indexId: bigint, datums: Uint8Array[]): Uint8Array {
  return concatBytes(new Uint8Array([0x74]), encodeI64Comparable(tableId), new Uint8Array([0x5f, 0x69]), encodeI64Comparable(indexId), ...datums);
}

export function comparableFloat(x: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setFloat64(0, x);
  const bits = v.getBigUint64(0);
  v.setBigUint64(0, (bits & (1n << 63n)) === 0n ? bits | (1n << 63n) : ~bits & 0xffff_ffff_ffff_ffffn);
  return b;
}

/** Row v2 value bytes for one column value of MySQL type `ft`. */
function v2Value(v: Exclude<Scalar, null>, ft: FieldType): Uint8Array {
  const et = evalTypeOfTp(ft.tp ?? 0);
  if (et === EvalType.Real) return comparableFloat(v as number);
  if (et === EvalType.Bytes) return v as Uint8Array;
  const x = v as bigint;
  const unsigned = et === EvalType.DateTime || ((ft.flag ?? 0) & FieldFlag.Unsigned) !== 0;
  for (const size of [1, 2, 4, 8]) {
    const bits = BigInt(size * 8);
    const fits = unsigned ? x >= 0n && x < 1n << bits : x >= -(1n << (bits - 1n)) && x < 1n << (bits - 1n);
    if (!fits && size < 8) continue;
    const b = new Uint8Array(size);
    const dv = new DataView(b.buffer);
    const u = BigInt.asUintN(64, x);
    for (let i = 0; i < size; i++) dv.setUint8(i, Number((u >> BigInt(8 * i)) & 0xffn));
    return b;
  }
  throw new Error('unreachable');
}

/** Encodes a row in TiDB's row format v2 (small or large layout as needed). */
export function encodeRowV2(cols: ReadonlyArray<{ id: number; ft: FieldType; value: Scalar }>): Uint8Array {
  const sorted = [...cols].sort((a, b) => a.id - b.id);
  const notNull = sorted.filter((c) => c.value !== null);
  const nulls = sorted.filter((c) => c.value === null);
  const values = notNull.map((c) => v2Value(c.value!, c.ft));
  const dataLen = values.reduce((s, v) => s + v.length, 0);
  const large = sorted.some((c) => c.id > 255) || dataLen > 0xffff;
  const idSize = large ? 4 : 1;
  const offSize = large ? 4 : 2;
  const out = new Uint8Array(6 + (notNull.length + nulls.length) * idSize + notNull.length * offSize + dataLen);
  const dv = new DataView(out.buffer);
  out[0] = 0x80;
  out[1] = large ? 1 : 0;
  dv.setUint16(2, notNull.length, true);
  dv.setUint16(4, nulls.length, true);
  let p = 6;
  for (const c of [...notNull, ...nulls]) {
    if (large) dv.setUint32(p, c.id, true);
    else out[p] = c.id;
    p += idSize;
  }
  let end = 0;
  for (const v of values) {
    end += v.length;
    if (large) dv.setUint32(p, end, true);
    else dv.setUint16(p, end, true);
    p += offSize;
  }
  for (const v of values) {
    out.set(v, p);
    p += v.length;
  }
  return out;
}

export function columnInfo(id: number, ft: FieldType, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return { columnId: BigInt(id), tp: ft.tp, flag: ft.flag ?? 0, columnLen: ft.flen ?? 0, decimal: ft.decimal ?? 0, collation: ft.collate ?? 0, ...extra };
}

/** Expression builders. */
export const E = {
  col(offset: number, fieldType: FieldType): Expr {
    return { tp: ExprType.ColumnRef, val: encodeI64Comparable(BigInt(offset)), fieldType };
  },
  int(v: bigint | number): Expr {
    return { tp: ExprType.Int64, val: encodeI64Comparable(BigInt(v)), fieldType: FT.bigint };
  },
  uint(v: bigint): Expr {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v);
    return { tp: ExprType.Uint64, val: b, fieldType: FT.ubigint };
  },
  real(v: number): Expr {
    return { tp: ExprType.Float64, val: comparableFloat(v), fieldType: FT.double };
  },
  str(s: string, fieldType: FieldType = FT.varchar): Expr {
    return { tp: ExprType.String, val: new TextEncoder().encode(s), fieldType };
  },
  null(fieldType: FieldType): Expr {
    return { tp: ExprType.Null, fieldType };
  },
  time(t: TimeParts, fieldType: FieldType = FT.datetime): Expr {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, partsToPacked(t));
    return { tp: ExprType.MysqlTime, val: b, fieldType };
  },
  fn(sig: number, fieldType: FieldType, ...children: Expr[]): Expr {
    return { tp: ExprType.ScalarFunc, sig, fieldType, children };
  },
  agg(tp: number, fieldType: FieldType, ...children: Expr[]): Expr {
    return { tp, fieldType, children };
  },
};

/** Decodes one Chunk-format `rows_data` back to rows of scalars (test oracle of TiDB's decoder). */
export function decodeChunk(data: Uint8Array, types: readonly FieldType[]): Scalar[][] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let p = 0;
  const columns: Scalar[][] = [];
  for (const ft of types) {
    const n = dv.getUint32(p, true);
    const nullCount = dv.getUint32(p + 4, true);
    p += 8;
    let bitmap: Uint8Array | null = null;
    if (nullCount > 0) {
      bitmap = data.subarray(p, p + ((n + 7) >> 3));
      p += (n + 7) >> 3;
    }
    const isNull = (i: number) => bitmap !== null && (bitmap[i >> 3]! & (1 << (i & 7))) === 0;
    const et = evalTypeOfTp(ft.tp ?? 0)!;
    const col: Scalar[] = [];
    if (et === EvalType.Bytes) {
      const offsets: number[] = [];
      for (let i = 0; i <= n; i++) offsets.push(Number(dv.getBigInt64(p + 8 * i, true)));
      p += 8 * (n + 1);
      for (let i = 0; i < n; i++) col.push(isNull(i) ? null : data.slice(p + offsets[i]!, p + offsets[i + 1]!));
      p += offsets[n]!;
    } else {
      const width = ft.tp === MysqlType.Float ? 4 : 8;
      for (let i = 0; i < n; i++) {
        const at = p + i * width;
        if (isNull(i)) col.push(null);
        else if (et === EvalType.Real) col.push(width === 4 ? dv.getFloat32(at, true) : dv.getFloat64(at, true));
        else if (et === EvalType.DateTime) col.push(dv.getBigUint64(at, true));
        else if (et === EvalType.Int && ((ft.flag ?? 0) & FieldFlag.Unsigned) !== 0) col.push(dv.getBigUint64(at, true));
        else col.push(dv.getBigInt64(at, true));
      }
      p += n * width;
    }
    columns.push(col);
  }
  const rows: Scalar[][] = [];
  const n = columns[0]?.length ?? 0;
  for (let i = 0; i < n; i++) rows.push(columns.map((c) => c[i]!));
  return rows;
}
