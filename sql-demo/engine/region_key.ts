import { readIntComparable } from '../tidb_codec.ts';
import { bytesToHex } from '../../src/util/mod.ts';

/** Bytes of `t` + int64 id, `_r`/`_i` + int64: the fixed parts of table keys. */
const TABLE_ID_END = 9;
const INT_PART_BYTES = 8;

/**
 * A region boundary as TiDB prints it: `t_{tableId}_r_{handle}`, `t_{tableId}_i_{indexId}_{hex rest}`,
 * `t_{tableId}_r` / `t_{tableId}_` for prefixes; anything else in uppercase hex ('' = infinity).
 */
export function renderRegionKey(key: Uint8Array): string {
  if (key.length === 0) return '';
  if (key[0] !== 0x74 || key.length < TABLE_ID_END) return bytesToHex(key).toUpperCase();
  const tableId = readIntComparable(key, 1);
  const rest = key.subarray(TABLE_ID_END);
  if (rest.length === 0) return `t_${tableId}_`;
  if (rest[0] !== 0x5f || rest.length < 2) return `t_${tableId}_${bytesToHex(rest).toUpperCase()}`;
  const kind = rest[1];
  if (kind === 0x72) {
    if (rest.length === 2) return `t_${tableId}_r`;
    if (rest.length === 2 + INT_PART_BYTES) return `t_${tableId}_r_${readIntComparable(rest, 2)}`;
    return `t_${tableId}_r_${bytesToHex(rest.subarray(2)).toUpperCase()}`;
  }
  if (kind === 0x69 && rest.length >= 2 + INT_PART_BYTES) {
    const indexId = readIntComparable(rest, 2);
    return `t_${tableId}_i_${indexId}_${bytesToHex(rest.subarray(2 + INT_PART_BYTES)).toUpperCase()}`;
  }
  return `t_${tableId}_${bytesToHex(rest).toUpperCase()}`;
}
