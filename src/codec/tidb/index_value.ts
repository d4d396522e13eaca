import { CorruptionError, DomainError } from '../../util/errors.ts';
import { ByteWriter } from './byte_writer.ts';
import { DatumFlag } from './datum.ts';
import { readIntComparable, writeIntComparable } from './primitive.ts';
import { loadScratch, SCRATCH_VIEW } from './scratch.ts';
import { cutIndexValues, decodeIndexKey, type Handle } from './table_key.ts';

/**
 * Index values (TiDB `tablecodec.GenIndexValuePortal` / `SplitIndexValue`, coprocessor.md
 * §6.6). Three layouts:
 *  - old (length <= 9): unique = 8-byte big-endian int handle (no sign flip), non-unique =
 *    `'0'`; either may carry a trailing untouched flag `'1'`.
 *  - version 0: `tailLen | options | padding | [int handle 8B BE] | [untouched]`.
 *  - clustered version 1: `tailLen | 0x7D | 0x01 | options | [untouched]`.
 * Options: common handle `0x7F u16BE len bytes`, partition id `0x7E EncodeInt(pid)`,
 * restored data = a row-v2 value (starts with 0x80) for new-collation string columns.
 */

/** TiDB `MaxOldEncodeValueLen`. */
export const INDEX_VALUE_OLD_BYTES_MAX = 9;
/** TiDB `kv.UnCommitIndexKVFlag` ('1'). */
export const UNTOUCHED_FLAG = 0x31;
const NON_UNIQUE_OLD_VALUE = 0x30; // '0'
const COMMON_HANDLE_FLAG = 127;
const PARTITION_ID_FLAG = 126;
const INDEX_VERSION_FLAG = 125;
const RESTORE_DATA_FLAG = 0x80;
/** Version-0 values are padded to at least this many bytes. */
const VERSION0_BYTES_MIN = 10;
const INT_HANDLE_BYTES = 8;

export interface DecodedIndexValue {
  /** 'old' (length <= 9), 0 or 1 (clustered index version). */
  layout: 'old' | 0 | 1;
  /** Int handle stored in the value (unique index on an int-handle table). */
  intHandle: bigint | null;
  /** Memcomparable datums of the clustered primary key (unique index, common handle). */
  commonHandle: Uint8Array | null;
  /** Partition id of a global index entry. */
  partitionId: bigint | null;
  /** Row-v2 encoded restored column values (new collation), a view. */
  restoredData: Uint8Array | null;
  /** The value is an uncommitted "untouched" marker from a transaction's buffer. */
  untouched: boolean;
}

function beInt64(buf: Uint8Array, offset: number): bigint {
  loadScratch(buf, offset);
  return SCRATCH_VIEW.getBigInt64(0, false);
}

/** Splits an index value into its segments. Throws `CorruptionError` on malformed values. */
export function decodeIndexValue(value: Uint8Array): DecodedIndexValue {
  const out: DecodedIndexValue = { layout: 'old', intHandle: null, commonHandle: null, partitionId: null, restoredData: null, untouched: false };
  const n = value.length;
  if (n === 0) throw new CorruptionError('index value: empty');
  if (n <= INDEX_VALUE_OLD_BYTES_MAX) {
    out.untouched = (n === 1 || n === 9) && value[n - 1] === UNTOUCHED_FLAG;
    if (n >= INT_HANDLE_BYTES) out.intHandle = beInt64(value, 0);
    return out;
  }
  const tailLen = value[0]!;
  if (tailLen >= n) throw new CorruptionError('index value: bad tail length');
  let o = 1;
  const end = n - tailLen;
  if ((tailLen === 0 || tailLen === 1) && value[1] === INDEX_VERSION_FLAG) {
    if (value[2] !== 1) throw new CorruptionError(`index value: unknown version ${value[2]}`);
    out.layout = 1;
    o = 3;
    out.untouched = tailLen === 1 && value[n - 1] === UNTOUCHED_FLAG;
  } else {
    out.layout = 0;
    if (tailLen >= INT_HANDLE_BYTES) {
      out.intHandle = beInt64(value, end);
      out.untouched = tailLen === INT_HANDLE_BYTES + 1;
    } else {
      out.untouched = tailLen >= 1 && value[n - 1] === UNTOUCHED_FLAG;
    }
  }
  if (o < end && value[o] === COMMON_HANDLE_FLAG) {
    if (o + 3 > end) throw new CorruptionError('index value: truncated common handle');
    const len = (value[o + 1]! << 8) | value[o + 2]!;
    if (o + 3 + len > end) throw new CorruptionError('index value: truncated common handle');
    out.commonHandle = value.subarray(o + 3, o + 3 + len);
    o += 3 + len;
  }
  if (o < end && value[o] === PARTITION_ID_FLAG) {
    if (o + 9 > end) throw new CorruptionError('index value: truncated partition id');
    out.partitionId = readIntComparable(value, o + 1);
    o += 9;
  }
  if (o < end && value[o] === RESTORE_DATA_FLAG) {
    // In version 0 the restored row runs up to the padding, which is part of the tail.
    out.restoredData = value.subarray(o, end);
  }
  return out;
}

export interface IndexValueOptions {
  /** Unique index on an int-handle table: the row's handle. */
  intHandle?: bigint;
  /** Unique index on a clustered table: the encoded primary key datums. */
  commonHandle?: Uint8Array;
  /** Global index: the row's partition id. */
  partitionId?: bigint;
  /** Row-v2 encoded restored values (new collation). */
  restoredData?: Uint8Array;
  /** Write the untouched flag (transaction buffers only; never committed). */
  untouched?: boolean;
}

/**
 * Encodes an index value like TiDB's `genIndexValueVersion0`: the old layout when only an
 * int handle (or nothing) is stored, the version-0 layout otherwise. The clustered
 * version-1 layout is decoded but not produced.
 */
export function encodeIndexValue(opts: IndexValueOptions): Uint8Array {
  const untouched = opts.untouched === true;
  const newLayout = opts.commonHandle !== undefined || opts.partitionId !== undefined || opts.restoredData !== undefined;
  const w = new ByteWriter(32);
  if (!newLayout) {
    if (opts.intHandle !== undefined) w.u64be(opts.intHandle);
    if (untouched) w.u8(UNTOUCHED_FLAG);
    if (w.length === 0) w.u8(NON_UNIQUE_OLD_VALUE);
    return w.finish();
  }
  if (opts.intHandle !== undefined && opts.commonHandle !== undefined) throw new DomainError('InvalidArgument', 'index value: both int and common handle');
  w.u8(0);
  let tailLen = 0;
  if (opts.commonHandle !== undefined) {
    if (opts.commonHandle.length > 0xffff) throw new DomainError('InvalidArgument', 'index value: common handle too long');
    w.u8(COMMON_HANDLE_FLAG);
    w.u8(opts.commonHandle.length >> 8);
    w.u8(opts.commonHandle.length & 0xff);
    w.bytes(opts.commonHandle);
  }
  if (opts.partitionId !== undefined) {
    w.u8(PARTITION_ID_FLAG);
    writeIntComparable(w, opts.partitionId);
  }
  if (opts.restoredData !== undefined) w.bytes(opts.restoredData);
  if (opts.intHandle !== undefined) {
    tailLen += INT_HANDLE_BYTES;
    w.u64be(opts.intHandle);
  } else if (w.length < VERSION0_BYTES_MIN) {
    const pad = VERSION0_BYTES_MIN - w.length;
    tailLen += pad;
    for (let i = 0; i < pad; i++) w.u8(0);
  }
  if (untouched) {
    tailLen++;
    w.u8(UNTOUCHED_FLAG);
  }
  w.setU8(0, tailLen);
  return w.finish();
}

/**
 * The row handle an index entry points at (TiDB `DecodeIndexHandle`): from the value when
 * it holds one (unique indexes), otherwise the key suffix after the `columnCount` index
 * columns: an int datum for int-handle tables, the rest of the key for clustered tables.
 */
export function decodeIndexHandle(key: Uint8Array, value: Uint8Array, columnCount: number, isCommonHandle: boolean): Handle {
  const v = decodeIndexValue(value);
  if (v.intHandle !== null && !isCommonHandle) return { kind: 'int', value: v.intHandle };
  if (v.commonHandle !== null) return { kind: 'common', encoded: v.commonHandle };
  const { encodedValues } = decodeIndexKey(key);
  const { restOffset } = cutIndexValues(encodedValues, columnCount);
  const rest = encodedValues.subarray(restOffset);
  if (isCommonHandle) return { kind: 'common', encoded: rest };
  if (rest.length !== 9 || rest[0] !== DatumFlag.Int) throw new CorruptionError('index key: no int handle suffix');
  return { kind: 'int', value: readIntComparable(rest, 1) };
}
