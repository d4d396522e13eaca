import { CorruptionError } from '../../util/errors.ts';
import { ByteWriter } from './byte_writer.ts';
import { datumEnd, decodeDatum, DatumFlag, type Datum } from './datum.ts';
import { putIntComparable, readIntComparable, writeIntComparable } from './primitive.ts';

/**
 * TiDB table keys (`pkg/tablecodec`, coprocessor.md §6.3):
 *   record key `t{tableId}_r{handle}`, index key `t{tableId}_i{indexId}{datums}`,
 * ids and int handles as comparable int64 (sign bit flipped, big-endian).
 */

const TABLE_PREFIX = 0x74; // 't'
const SEP = 0x5f; // '_'
const RECORD_SEP = 0x72; // 'r'
const INDEX_SEP = 0x69; // 'i'
/** `t` + table id. */
export const TABLE_PREFIX_BYTES = 9;
/** `t` + table id + `_r` / `_i`. */
export const TABLE_KEY_PREFIX_BYTES = 11;
/** A record key with an int handle (TiDB `RecordRowKeyLen`). */
export const RECORD_KEY_INT_HANDLE_BYTES = 19;
/** Common handles shorter than this are zero-padded (TiDB `kv.NewCommonHandle`). */
export const COMMON_HANDLE_BYTES_MIN = 9;
/** TiDB `tablecodec.TempIndexPrefix`: set in index ids of temporary (ingest) indexes. */
export const TEMP_INDEX_ID_PREFIX = 0x7fff000000000000n;

/** A row handle: an int64, or the memcomparable datums of a clustered primary key. */
export type Handle = { readonly kind: 'int'; readonly value: bigint } | { readonly kind: 'common'; readonly encoded: Uint8Array };

export interface KeyRange {
  start: Uint8Array;
  end: Uint8Array;
}

function writePrefix(w: ByteWriter, tableId: bigint, sep: number): void {
  w.u8(TABLE_PREFIX);
  writeIntComparable(w, tableId);
  w.u8(SEP);
  w.u8(sep);
}

/** `t{tableId}` (9 bytes). */
export function encodeTablePrefix(tableId: bigint): Uint8Array {
  const w = new ByteWriter(TABLE_PREFIX_BYTES);
  w.u8(TABLE_PREFIX);
  writeIntComparable(w, tableId);
  return w.finish();
}

/** `t{tableId}_r`: the prefix of every record key of the table. */
export function encodeRecordPrefix(tableId: bigint): Uint8Array {
  const w = new ByteWriter(TABLE_KEY_PREFIX_BYTES);
  writePrefix(w, tableId, RECORD_SEP);
  return w.finish();
}

/** `t{tableId}_i{indexId}`: the prefix of every key of one index. */
export function encodeIndexPrefix(tableId: bigint, indexId: bigint): Uint8Array {
  const w = new ByteWriter(TABLE_KEY_PREFIX_BYTES + 8);
  writePrefix(w, tableId, INDEX_SEP);
  writeIntComparable(w, indexId);
  return w.finish();
}

/** Record key with an int handle: `t{tableId}_r{EncodeInt(handle)}` (19 bytes). */
export function encodeRecordKey(tableId: bigint, handle: bigint): Uint8Array {
  const out = new Uint8Array(RECORD_KEY_INT_HANDLE_BYTES);
  out[0] = TABLE_PREFIX;
  putIntComparable(out, 1, tableId);
  out[9] = SEP;
  out[10] = RECORD_SEP;
  putIntComparable(out, TABLE_KEY_PREFIX_BYTES, handle);
  return out;
}

/**
 * Record key of a clustered (common handle) table: `t{tableId}_r` ++ the memcomparable
 * datums of the primary key (`encodeDatumKey`), zero-padded to 9 bytes like TiDB's
 * `kv.NewCommonHandle` so that it can never be mistaken for an 8-byte int handle.
 */
export function encodeCommonHandleRecordKey(tableId: bigint, encodedHandle: Uint8Array): Uint8Array {
  const w = new ByteWriter(TABLE_KEY_PREFIX_BYTES + Math.max(encodedHandle.length, COMMON_HANDLE_BYTES_MIN));
  writePrefix(w, tableId, RECORD_SEP);
  w.bytes(encodedHandle);
  for (let i = encodedHandle.length; i < COMMON_HANDLE_BYTES_MIN; i++) w.u8(0);
  return w.finish();
}

/** Index key: `t{tableId}_i{indexId}` ++ `encodedValues` (memcomparable datums, maybe a handle). */
export function encodeIndexKey(tableId: bigint, indexId: bigint, encodedValues: Uint8Array): Uint8Array {
  const w = new ByteWriter(TABLE_KEY_PREFIX_BYTES + 8 + encodedValues.length);
  writePrefix(w, tableId, INDEX_SEP);
  writeIntComparable(w, indexId);
  w.bytes(encodedValues);
  return w.finish();
}

/** True when `key` looks like a record key (TiDB `IsRecordKey`). */
export function isRecordKey(key: Uint8Array): boolean {
  return key.length > TABLE_KEY_PREFIX_BYTES && key[0] === TABLE_PREFIX && key[9] === SEP && key[10] === RECORD_SEP;
}

/** True when `key` looks like an index key (TiDB `IsIndexKey`). */
export function isIndexKey(key: Uint8Array): boolean {
  return key.length > TABLE_KEY_PREFIX_BYTES && key[0] === TABLE_PREFIX && key[9] === SEP && key[10] === INDEX_SEP;
}

/** Table id of any `t…` key, or `null` for other keys. */
export function decodeTableId(key: Uint8Array): bigint | null {
  if (key.length < TABLE_PREFIX_BYTES || key[0] !== TABLE_PREFIX) return null;
  return readIntComparable(key, 1);
}

export interface DecodedRecordKey {
  tableId: bigint;
  handle: Handle;
}

/**
 * Splits a record key (TiDB `DecodeRecordKey`): 8 bytes after `_r` are an int handle,
 * anything else a common handle (returned as a view, padding included). Throws
 * `CorruptionError` for keys that are not record keys.
 */
export function decodeRecordKey(key: Uint8Array): DecodedRecordKey {
  if (!isRecordKey(key)) throw new CorruptionError('not a record key');
  const tableId = readIntComparable(key, 1);
  const rest = key.length - TABLE_KEY_PREFIX_BYTES;
  if (rest === 8) return { tableId, handle: { kind: 'int', value: readIntComparable(key, TABLE_KEY_PREFIX_BYTES) } };
  return { tableId, handle: { kind: 'common', encoded: key.subarray(TABLE_KEY_PREFIX_BYTES) } };
}

/** Int handle of a 19-byte record key without other checks (TiKV `decode_int_handle`). */
export function decodeIntHandle(key: Uint8Array): bigint {
  if (key.length < 8) throw new CorruptionError('record key too short');
  return readIntComparable(key, key.length - 8);
}

/**
 * The datums of a common handle, stopping at zero padding (TiDB `NewCommonHandle`).
 * Returns byte ranges `[start, end)` into `encoded`, one per primary key column.
 */
export function splitCommonHandle(encoded: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let o = 0;
  while (o < encoded.length && encoded[o] !== DatumFlag.Nil) {
    const end = datumEnd(encoded, o);
    out.push([o, end]);
    o = end;
  }
  return out;
}

export interface DecodedIndexKey {
  tableId: bigint;
  indexId: bigint;
  /** Everything after the index id: the indexed datums, then maybe the handle. */
  encodedValues: Uint8Array;
}

/** Splits an index key into table id, index id and the encoded values (a view). */
export function decodeIndexKey(key: Uint8Array): DecodedIndexKey {
  if (!isIndexKey(key) || key.length < TABLE_KEY_PREFIX_BYTES + 8) throw new CorruptionError('not an index key');
  return {
    tableId: readIntComparable(key, 1),
    indexId: readIntComparable(key, TABLE_KEY_PREFIX_BYTES),
    encodedValues: key.subarray(TABLE_KEY_PREFIX_BYTES + 8),
  };
}

/** Decodes every datum of an index key's values (index columns, then the handle if present). */
export function decodeIndexKeyDatums(key: Uint8Array): Datum[] {
  const { encodedValues } = decodeIndexKey(key);
  const out: Datum[] = [];
  let o = 0;
  while (o < encodedValues.length) {
    const d = decodeDatum(encodedValues, o);
    out.push(d.value);
    o = d.next;
  }
  return out;
}

/**
 * Cuts the first `columnCount` datums off an index key's values (TiDB `CutIndexKeyNew`):
 * returns their byte ranges (relative to `encodedValues`) and the offset of the rest
 * (the handle suffix of non-unique indexes).
 */
export function cutIndexValues(encodedValues: Uint8Array, columnCount: number): { columns: Array<[number, number]>; restOffset: number } {
  const columns: Array<[number, number]> = [];
  let o = 0;
  for (let i = 0; i < columnCount; i++) {
    const end = datumEnd(encodedValues, o);
    columns.push([o, end]);
    o = end;
  }
  return { columns, restOffset: o };
}

/** The smallest key greater than every key with this prefix (TiDB `PrefixNext`). */
export function prefixNext(prefix: Uint8Array): Uint8Array {
  const out = prefix.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== 0xff) {
      out[i] = out[i]! + 1;
      return out.subarray(0, i + 1).slice();
    }
  }
  // All 0xff: no finite successor by increment; append a zero byte instead.
  const longer = new Uint8Array(prefix.length + 1);
  longer.set(prefix);
  return longer;
}

/** `[t{id}_r, t{id}_s)`: every record key of the table (int and common handles). */
export function tableRecordRange(tableId: bigint): KeyRange {
  const start = encodeRecordPrefix(tableId);
  return { start, end: prefixNext(start) };
}

/** `[t{id}_i{idx}, prefixNext)`: every key of one index. */
export function tableIndexRange(tableId: bigint, indexId: bigint): KeyRange {
  const start = encodeIndexPrefix(tableId, indexId);
  return { start, end: prefixNext(start) };
}

/** `[t{id}, t{id+1})`: every key of the table. */
export function tableRange(tableId: bigint): KeyRange {
  return { start: encodeTablePrefix(tableId), end: encodeTablePrefix(tableId + 1n) };
}
