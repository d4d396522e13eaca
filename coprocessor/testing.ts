import { encodeI64Comparable } from '../src/codec/mod.ts';
import {
  type Datum,
  Datums,
  Decimal,
  type TimeFields,
  coreTimeFromFields,
  encodeDatumKey,
  encodeIndexKey,
  encodeRecordKey,
  encodeRowV2 as codecEncodeRowV2,
  packedFromFields,
  tableRecordRange,
  writeFloatComparable,
  ByteWriter,
} from '../src/codec/tidb/mod.ts';
import { concatBytes } from '../src/util/mod.ts';
import type { ColumnInfo, Expr, FieldType } from './dag_types.ts';
import { EvalType, FieldFlag, MysqlType, evalTypeOfTp } from './field_type.ts';
import { ExprType } from './rpn_expression.ts';
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
  decimal: { tp: MysqlType.NewDecimal, flag: 0, flen: 20, decimal: 4 } as FieldType,
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
  return encodeRecordKey(tableId, handle);
}

/** The whole record range of a table. */
export function tableRange(tableId: bigint): { start: Uint8Array; end: Uint8Array } {
  return tableRecordRange(tableId);
}

/** A column value as a datum of the column's type (times are CoreTime, decimals exact). */
export function toDatum(v: Scalar, ft: FieldType): Datum {
  if (v === null) return Datums.null();
  const et = evalTypeOfTp(ft.tp ?? 0);
  switch (et) {
    case EvalType.Int:
      return ((ft.flag ?? 0) & FieldFlag.Unsigned) !== 0 ? Datums.uint(BigInt.asUintN(64, v as bigint)) : Datums.int(v as bigint);
    case EvalType.Real:
      return Datums.float(v as number);
    case EvalType.Decimal:
      return Datums.decimal(v as Decimal, ft.flen, ft.decimal);
    case EvalType.Bytes:
      return Datums.bytes(v as Uint8Array);
    case EvalType.DateTime:
      return Datums.time(v as bigint);
    case EvalType.Duration:
      return Datums.duration(v as bigint);
    default:
      throw new Error(`no datum for ${et}`);
  }
}

/** Comparable (key) datum of a scalar. */
export function keyDatum(v: Scalar, ft: FieldType = FT.bigint): Uint8Array {
  return encodeDatumKey([toDatum(v, ft)]);
}

/** `t{tableId}_i{indexId}{datums}`. */
export function indexKey(tableId: bigint, indexId: bigint, datums: Uint8Array[]): Uint8Array {
  return encodeIndexKey(tableId, indexId, concatBytes(...datums));
}

/** Encodes a row in TiDB's row format v2 with the codec's encoder. */
export function encodeRowV2(cols: ReadonlyArray<{ id: number; ft: FieldType; value: Scalar }>): Uint8Array {
  return codecEncodeRowV2(
    cols.map((c) => c.id),
    cols.map((c) => toDatum(c.value, c.ft)),
  );
}

/** A CoreTime for a column of type `ft`. */
export function coreTime(f: TimeFields, ft: FieldType = FT.datetime): bigint {
  return coreTimeFromFields(f, ft.tp ?? MysqlType.Datetime, ft.decimal ?? 0);
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
    const w = new ByteWriter();
    writeFloatComparable(w, v);
    return { tp: ExprType.Float64, val: w.finish(), fieldType: FT.double };
  },
  decimal(d: Decimal, fieldType?: FieldType): Expr {
    const prec = Math.max(d.precision, 1);
    return { tp: ExprType.MysqlDecimal, val: concatBytes(new Uint8Array([prec, d.frac]), d.toBin(prec, d.frac)), fieldType: fieldType ?? { tp: MysqlType.NewDecimal, flen: prec, decimal: d.frac } };
  },
  str(s: string, fieldType: FieldType = FT.varchar): Expr {
    return { tp: ExprType.String, val: new TextEncoder().encode(s), fieldType };
  },
  null(fieldType: FieldType): Expr {
    return { tp: ExprType.Null, fieldType };
  },
  time(t: TimeFields, fieldType: FieldType = FT.datetime): Expr {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, packedFromFields(t));
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
      const width = et === EvalType.Decimal ? 40 : ft.tp === MysqlType.Float ? 4 : 8;
      for (let i = 0; i < n; i++) {
        const at = p + i * width;
        if (isNull(i)) col.push(null);
        else if (et === EvalType.Decimal) col.push(Decimal.fromChunk(data, at));
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
