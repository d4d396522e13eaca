import { CorruptionError } from '../util/mod.ts';
import { RecordReader, RecordWriter } from './record_codec.ts';
import { LockType } from './lock.ts';

/**
 * The write CF record (TiKV `txn_types::Write`), stored at `encodeKeyWithTs(userKey,
 * commit_ts)` (a rollback at `start_ts`). Layout: type byte, var-u64 start_ts, then tagged
 * fields: 'v' short value (u8 length), 'R' has_overlapped_rollback, 'F' gc_fence (u64),
 * 'l' last_change_ts (u64) + var versions_to_last_change, 'S' txn_source (var).
 */
export enum WriteType {
  Put = 0x50, // 'P'
  Delete = 0x44, // 'D'
  Lock = 0x4c, // 'L'
  Rollback = 0x52, // 'R'
}

const FLAG_SHORT_VALUE = 0x76; // 'v'
const FLAG_OVERLAPPED_ROLLBACK = 0x52; // 'R'
const FLAG_GC_FENCE = 0x46; // 'F'
const FLAG_LAST_CHANGE = 0x6c; // 'l'
const FLAG_TXN_SOURCE = 0x53; // 'S'
/** A var-u64 never takes more than ten bytes (TiKV `codec::number`). */
const VARINT_BYTES_MAX = 10;

/** Short value marking a rollback record that must survive collapsing. */
const PROTECTED_ROLLBACK_SHORT_VALUE = new Uint8Array([0x70]); // 'p'

/** Constructor fields of a `Write`; optional ones default to zero / empty / false. */
export interface WriteFields {
  writeType: WriteType;
  startTs: bigint;
  shortValue?: Uint8Array | undefined;
  hasOverlappedRollback?: boolean;
  /** Set when an overlapped record is rewritten: the commit_ts of the next newer version (0 = none). */
  gcFence?: bigint | undefined;
  lastChangeTs?: bigint;
  versionsToLastChange?: bigint;
  txnSource?: bigint;
}

/** A commit or rollback record. */
export class Write {
  writeType: WriteType;
  startTs: bigint;
  shortValue: Uint8Array | undefined;
  hasOverlappedRollback: boolean;
  gcFence: bigint | undefined;
  lastChangeTs: bigint;
  versionsToLastChange: bigint;
  txnSource: bigint;

  constructor(f: WriteFields) {
    this.writeType = f.writeType;
    this.startTs = f.startTs;
    this.shortValue = f.shortValue;
    this.hasOverlappedRollback = f.hasOverlappedRollback ?? false;
    this.gcFence = f.gcFence;
    this.lastChangeTs = f.lastChangeTs ?? 0n;
    this.versionsToLastChange = f.versionsToLastChange ?? 0n;
    this.txnSource = f.txnSource ?? 0n;
  }

  /** A rollback record for `startTs`; protected ones are never collapsed. */
  static rollback(startTs: bigint, isProtected: boolean): Write {
    return new Write({
      writeType: WriteType.Rollback,
      startTs,
      shortValue: isProtected ? PROTECTED_ROLLBACK_SHORT_VALUE : undefined,
    });
  }

  isProtectedRollback(): boolean {
    return (
      this.writeType === WriteType.Rollback &&
      this.shortValue !== undefined &&
      this.shortValue.length === 1 &&
      this.shortValue[0] === PROTECTED_ROLLBACK_SHORT_VALUE[0]
    );
  }

  /**
   * Whether this record may be taken as the newest version at `ts`. A non-zero gc_fence is
   * the commit_ts of a newer version that existed when the record was rewritten; a reader at
   * or after the fence must have seen that newer version, so the record is stale for it.
   */
  validAsLatestAt(ts: bigint): boolean {
    return this.gcFence === undefined || this.gcFence === 0n || this.gcFence > ts;
  }

  encode(): Uint8Array {
    const w = new RecordWriter();
    w.byte(this.writeType);
    w.varU64(this.startTs);
    if (this.shortValue !== undefined) {
      w.byte(FLAG_SHORT_VALUE);
      w.byte(this.shortValue.length);
      w.bytes(this.shortValue);
    }
    if (this.hasOverlappedRollback) w.byte(FLAG_OVERLAPPED_ROLLBACK);
    if (this.gcFence !== undefined) {
      w.byte(FLAG_GC_FENCE);
      w.u64(this.gcFence);
    }
    if (this.lastChangeTs !== 0n || this.versionsToLastChange !== 0n) {
      w.byte(FLAG_LAST_CHANGE);
      w.u64(this.lastChangeTs);
      w.varU64(this.versionsToLastChange);
    }
    if (this.txnSource !== 0n) {
      w.byte(FLAG_TXN_SOURCE);
      w.varU64(this.txnSource);
    }
    return w.finish();
  }

  /** Decodes a persisted write record; malformed bytes throw `CorruptionError`. */
  static decode(bytes: Uint8Array): Write {
    const r = new RecordReader(bytes, 'write record');
    const typeByte = r.byte();
    if (!isWriteType(typeByte)) throw new CorruptionError(`write record: bad write type ${typeByte}`);
    const write = new Write({ writeType: typeByte, startTs: r.varU64() });
    while (r.remaining > 0) {
      const flag = r.byte();
      switch (flag) {
        case FLAG_SHORT_VALUE:
          write.shortValue = r.bytes(r.byte());
          break;
        case FLAG_OVERLAPPED_ROLLBACK:
          write.hasOverlappedRollback = true;
          break;
        case FLAG_GC_FENCE:
          write.gcFence = r.u64();
          break;
        case FLAG_LAST_CHANGE:
          write.lastChangeTs = r.u64();
          write.versionsToLastChange = r.varU64();
          break;
        case FLAG_TXN_SOURCE:
          write.txnSource = r.varU64();
          break;
        default:
          throw new CorruptionError(`write record: unknown flag ${flag}`);
      }
    }
    return write;
  }
}

/**
 * The fields of a write record a snapshot read needs, filled in place by `peekWrite` so a scan
 * allocates nothing per record it reads (`Write.decode` builds an object and copies the short
 * value). Offsets index the record bytes given to `peekWrite`.
 */
export class WritePeek {
  writeType: WriteType = WriteType.Put;
  /** Offset of the var-u64 start_ts (decode with `peekStartTs` only when the value is long). */
  startTsOffset = 1;
  /** Offset of the inline value, or -1 when the value lives in the default CF. */
  shortValueOffset = -1;
  shortValueLength = 0;
  /** gc_fence when the record carries one (0 = none), else undefined. */
  gcFence: bigint | undefined = undefined;

  /** `Write.validAsLatestAt` for the peeked record. */
  validAsLatestAt(ts: bigint): boolean {
    return this.gcFence === undefined || this.gcFence === 0n || this.gcFence > ts;
  }
}

/**
 * Parses a persisted write record into `out` without allocating (except a gc_fence bigint),
 * with the same validation as `Write.decode`: malformed bytes throw `CorruptionError`.
 */
export function peekWrite(bytes: Uint8Array, out: WritePeek): void {
  const n = bytes.length;
  if (n < 2) throw new CorruptionError(`write record: truncated at ${n}`);
  const typeByte = bytes[0]!;
  if (!isWriteType(typeByte)) throw new CorruptionError(`write record: bad write type ${typeByte}`);
  out.writeType = typeByte;
  out.startTsOffset = 1;
  out.shortValueOffset = -1;
  out.shortValueLength = 0;
  out.gcFence = undefined;
  let off = skipVarU64(bytes, 1);
  while (off < n) {
    const flag = bytes[off++]!;
    switch (flag) {
      case FLAG_SHORT_VALUE: {
        if (off >= n) throw new CorruptionError(`write record: truncated at ${off}`);
        const len = bytes[off++]!;
        if (off + len > n) throw new CorruptionError(`write record: truncated at ${off}`);
        out.shortValueOffset = off;
        out.shortValueLength = len;
        off += len;
        break;
      }
      case FLAG_OVERLAPPED_ROLLBACK:
        break;
      case FLAG_GC_FENCE:
        if (off + 8 > n) throw new CorruptionError(`write record: truncated at ${off}`);
        out.gcFence = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(off);
        off += 8;
        break;
      case FLAG_LAST_CHANGE:
        if (off + 8 > n) throw new CorruptionError(`write record: truncated at ${off}`);
        off = skipVarU64(bytes, off + 8);
        break;
      case FLAG_TXN_SOURCE:
        off = skipVarU64(bytes, off);
        break;
      default:
        throw new CorruptionError(`write record: unknown flag ${flag}`);
    }
  }
}

/** The start_ts of a record already checked by `peekWrite`. */
export function peekStartTs(bytes: Uint8Array, peek: WritePeek): bigint {
  return new RecordReader(bytes.subarray(peek.startTsOffset), 'write record').varU64();
}

/** Offset past the var-u64 at `off`; a truncated or over-long varint is corruption. */
function skipVarU64(bytes: Uint8Array, off: number): number {
  const end = Math.min(bytes.length, off + VARINT_BYTES_MAX);
  for (let i = off; i < end; i++) if ((bytes[i]! & 0x80) === 0) return i + 1;
  throw new CorruptionError(end - off === VARINT_BYTES_MAX ? 'write record: varint too long' : `write record: truncated at ${bytes.length}`);
}

function isWriteType(b: number): b is WriteType {
  return b === WriteType.Put || b === WriteType.Delete || b === WriteType.Lock || b === WriteType.Rollback;
}

/** The commit record type for a lock; a pessimistic lock commits as a Lock record. */
export function writeTypeFromLockType(t: LockType): WriteType {
  switch (t) {
    case LockType.Put:
      return WriteType.Put;
    case LockType.Delete:
      return WriteType.Delete;
    case LockType.Lock:
    case LockType.Pessimistic:
      return WriteType.Lock;
  }
}
