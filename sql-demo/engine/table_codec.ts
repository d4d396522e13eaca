import {
  RowV2Decoder,
  RowV2Lookup,
  decodeRecordKey,
  decodeIndexHandle,
  decodeV2ValueAsDatum,
  encodeCommonHandleRecordKey,
  encodeDatumKey,
  encodeIndexKey,
  encodeIndexValue,
  encodeRecordKey,
  encodeRowV2,
  isRowV2,
  decodeRowV1,
  Datums,
  type Datum,
  type Handle,
} from '../tidb_codec.ts';
import { concatBytes } from '../../src/util/mod.ts';
import type { ColumnInfo, IndexInfo, TableInfo } from './catalog.ts';
import { datumToValue, valueToDatum, ROW_VALUE_BYTES_MAX } from './column_type.ts';
import { sqlError } from '../errors.ts';
import type { Value } from './value.ts';

export type { Handle };

/** Row values in table column order. */
export type Row = Value[];

/** Index of the int-handle column, or -1. */
export function handleColumnOffset(t: TableInfo): number {
  if (!t.pkIsHandle) return -1;
  const pk = t.indexes.find((i) => i.primary)!;
  return t.columns.findIndex((c) => c.name.toLowerCase() === pk.columns[0]!.toLowerCase());
}

export function primaryIndex(t: TableInfo): IndexInfo | undefined {
  return t.indexes.find((i) => i.primary);
}

export function columnOffset(t: TableInfo, name: string): number {
  return t.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
}

/** The encoded common handle (PK datums, memcomparable) of a row of a clustered table. */
export function commonHandleOf(t: TableInfo, row: Row): Uint8Array {
  const pk = primaryIndex(t)!;
  return encodeDatumKey(pk.columns.map((n) => {
    const off = columnOffset(t, n);
    return valueToDatum(row[off]!, t.columns[off]!.ft);
  }));
}

export function recordKey(t: TableInfo, h: Handle): Uint8Array {
  return h.kind === 'int' ? encodeRecordKey(BigInt(t.id), h.value) : encodeCommonHandleRecordKey(BigInt(t.id), h.encoded);
}

export function handleFromRecordKey(t: TableInfo, key: Uint8Array): Handle {
  const d = decodeRecordKey(key);
  return d.handle;
}

export function handleKey(h: Handle): string {
  return h.kind === 'int' ? `i${h.value}` : `c${Buffer.from(h.encoded).toString('hex')}`;
}

/**
 * Row format v2 value of a row. The int-handle column is left out (it is the key), as
 * TiDB does; every other column is stored, NULLs in the null-id list.
 */
export function encodeRow(t: TableInfo, row: Row): Uint8Array {
  const hOff = handleColumnOffset(t);
  const ids: number[] = [];
  const datums: Datum[] = [];
  t.columns.forEach((c, i) => {
    if (i === hOff) return;
    ids.push(c.id);
    datums.push(valueToDatum(row[i]!, c.ft));
  });
  const out = encodeRowV2(ids, datums);
  if (out.length > ROW_VALUE_BYTES_MAX) throw sqlError([8025, 'HY000'], `entry too large, the max entry size is ${ROW_VALUE_BYTES_MAX}, the size of data is ${out.length}`);
  return out;
}

const decoder = new RowV2Decoder();

/** Int handles are int64 in keys; BIGINT UNSIGNED primary keys reinterpret the bits. */
function handleValue(c: ColumnInfo, h: Handle): bigint {
  const v = (h as { value: bigint }).value;
  return (c.ft.flag & 32) !== 0 ? BigInt.asUintN(64, v) : v;
}

/**
 * Decodes a stored row (v2, or v1 for foreign writers). `missingDefault(col)` supplies
 * the value of columns added after the row was written.
 */
export function decodeRow(t: TableInfo, h: Handle, value: Uint8Array, missingDefault: (c: ColumnInfo) => Value): Row {
  const hOff = handleColumnOffset(t);
  const row: Row = new Array(t.columns.length);
  if (isRowV2(value)) {
    decoder.reset(value);
    t.columns.forEach((c, i) => {
      if (i === hOff) {
        row[i] = handleValue(c, h);
        return;
      }
      const r = decoder.locate(c.id);
      if (r === RowV2Lookup.Value) row[i] = datumToValue(decodeV2ValueAsDatum(value, decoder.valueStart, decoder.valueEnd, c.ft.tp, c.ft.flag, Math.max(0, c.ft.decimal)), c.ft);
      else if (r === RowV2Lookup.Null) row[i] = null;
      else row[i] = missingDefault(c);
    });
    return row;
  }
  const v1 = decodeRowV1(value);
  t.columns.forEach((c, i) => {
    if (i === hOff) {
      row[i] = handleValue(c, h);
      return;
    }
    const d = v1.get(c.id);
    row[i] = d === undefined ? missingDefault(c) : datumToValue(d, c.ft);
  });
  return row;
}

/** One index entry of a row. `unique` = the key alone identifies the row (no handle suffix). */
export interface IndexEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly unique: boolean;
}

/** The encoded index column datums of a row (the key part before any handle). */
export function indexValuesKey(t: TableInfo, idx: IndexInfo, row: Row): { encoded: Uint8Array; hasNull: boolean } {
  let hasNull = false;
  const datums = idx.columns.map((n) => {
    const off = columnOffset(t, n);
    const v = row[off]!;
    if (v === null) hasNull = true;
    return valueToDatum(v, t.columns[off]!.ft);
  });
  return { encoded: encodeDatumKey(datums), hasNull };
}

/**
 * TiDB's index entry: unique without NULLs -> key `t{tid}_i{iid}{values}`, value holds the
 * handle; otherwise the handle is appended to the key and the value is `'0'`.
 */
export function indexEntry(t: TableInfo, idx: IndexInfo, row: Row, h: Handle): IndexEntry {
  const { encoded, hasNull } = indexValuesKey(t, idx, row);
  const tid = BigInt(t.id);
  const iid = BigInt(idx.id);
  if (idx.unique && !hasNull) {
    const value = h.kind === 'int' ? encodeIndexValue({ intHandle: h.value }) : encodeIndexValue({ commonHandle: h.encoded });
    return { key: encodeIndexKey(tid, iid, encoded), value, unique: true };
  }
  const suffix = h.kind === 'int' ? encodeDatumKey([Datums.int(h.value)]) : h.encoded;
  return { key: encodeIndexKey(tid, iid, concatBytes(encoded, suffix)), value: encodeIndexValue({}), unique: false };
}

/** The handle an index entry points at. */
export function handleFromIndexEntry(t: TableInfo, idx: IndexInfo, key: Uint8Array, value: Uint8Array): Handle {
  return decodeIndexHandle(key, value, idx.columns.length, t.isCommonHandle);
}

/** Indexes that have their own KV entries (not the clustered/int-handle primary key). */
export function secondaryIndexes(t: TableInfo): IndexInfo[] {
  return t.indexes.filter((i) => !(i.primary && (t.pkIsHandle || t.isCommonHandle)));
}
