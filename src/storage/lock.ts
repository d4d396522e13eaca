import { CorruptionError } from '../util/mod.ts';
import { RecordReader, RecordWriter } from './record_codec.ts';
import { Op, type LockInfo } from './kvrpc_types.ts';

/**
 * The lock CF record (TiKV `txn_types::Lock`), stored at `encodeKey(userKey)`. Layout:
 * type byte, compact-bytes primary, var-u64 start_ts, var-u64 ttl, then optional tagged
 * fields: 'v' short value (u8 length), 'f' for_update_ts, 't' txn_size, 'c' min_commit_ts
 * (u64 each), 'a' async-commit secondaries (var count, compact bytes each), 'r' rollback_ts
 * (var count, u64 each), 'l' last_change_ts + var versions_to_last_change, 's' txn_source.
 */
export enum LockType {
  Put = 0x50, // 'P'
  Delete = 0x44, // 'D'
  Lock = 0x4c, // 'L'
  Pessimistic = 0x53, // 'S'
}

const FLAG_SHORT_VALUE = 0x76; // 'v'
const FLAG_FOR_UPDATE_TS = 0x66; // 'f'
const FLAG_TXN_SIZE = 0x74; // 't'
const FLAG_MIN_COMMIT_TS = 0x63; // 'c'
const FLAG_ASYNC_COMMIT = 0x61; // 'a'
const FLAG_ROLLBACK_TS = 0x72; // 'r'
const FLAG_LAST_CHANGE = 0x6c; // 'l'
const FLAG_TXN_SOURCE = 0x73; // 's'
const FLAG_PESSIMISTIC_WITH_CONFLICT = 0x46; // 'F'

/** Values up to this many bytes live inline in the lock / write record. */
export const SHORT_VALUE_BYTES_MAX = 255;

/** Whether `value` is stored inline in the lock / write record rather than in the default CF. */
export function isShortValue(value: Uint8Array): boolean {
  return value.length <= SHORT_VALUE_BYTES_MAX;
}

/** Constructor fields of a `Lock`; optional ones default to zero / empty / false. */
export interface LockFields {
  lockType: LockType;
  primary: Uint8Array;
  startTs: bigint;
  ttl: bigint;
  shortValue?: Uint8Array | undefined;
  forUpdateTs?: bigint;
  txnSize?: bigint;
  minCommitTs?: bigint;
  useAsyncCommit?: boolean;
  /** Raw user keys of the secondaries (primary lock of an async-commit transaction only). */
  secondaries?: Uint8Array[];
  /** start_ts of rollbacks that overlap a possible commit_ts of this lock's transaction. */
  rollbackTs?: bigint[];
  lastChangeTs?: bigint;
  versionsToLastChange?: bigint;
  txnSource?: bigint;
}

/** A Percolator lock. Mutable by design: actions adjust ttl/min_commit_ts and re-put it. */
export class Lock {
  lockType: LockType;
  primary: Uint8Array;
  startTs: bigint;
  ttl: bigint;
  shortValue: Uint8Array | undefined;
  forUpdateTs: bigint;
  txnSize: bigint;
  minCommitTs: bigint;
  useAsyncCommit: boolean;
  secondaries: Uint8Array[];
  rollbackTs: bigint[];
  lastChangeTs: bigint;
  versionsToLastChange: bigint;
  txnSource: bigint;
  pessimisticWithConflict = false;

  constructor(f: LockFields) {
    this.lockType = f.lockType;
    this.primary = f.primary;
    this.startTs = f.startTs;
    this.ttl = f.ttl;
    this.shortValue = f.shortValue;
    this.forUpdateTs = f.forUpdateTs ?? 0n;
    this.txnSize = f.txnSize ?? 0n;
    this.minCommitTs = f.minCommitTs ?? 0n;
    this.useAsyncCommit = f.useAsyncCommit ?? false;
    this.secondaries = f.secondaries ?? [];
    this.rollbackTs = f.rollbackTs ?? [];
    this.lastChangeTs = f.lastChangeTs ?? 0n;
    this.versionsToLastChange = f.versionsToLastChange ?? 0n;
    this.txnSource = f.txnSource ?? 0n;
  }

  /** A pessimistic transaction's lock (for_update_ts is set on all of them). */
  isPessimisticTxn(): boolean {
    return this.forUpdateTs !== 0n;
  }

  isPessimisticLock(): boolean {
    return this.lockType === LockType.Pessimistic;
  }

  clone(): Lock {
    const l = new Lock(this);
    l.secondaries = [...this.secondaries];
    l.rollbackTs = [...this.rollbackTs];
    l.pessimisticWithConflict = this.pessimisticWithConflict;
    return l;
  }

  encode(): Uint8Array {
    const w = new RecordWriter();
    w.byte(this.lockType);
    w.compactBytes(this.primary);
    w.varU64(this.startTs);
    w.varU64(this.ttl);
    if (this.shortValue !== undefined) {
      w.byte(FLAG_SHORT_VALUE);
      w.byte(this.shortValue.length);
      w.bytes(this.shortValue);
    }
    if (this.forUpdateTs !== 0n) {
      w.byte(FLAG_FOR_UPDATE_TS);
      w.u64(this.forUpdateTs);
    }
    if (this.txnSize !== 0n) {
      w.byte(FLAG_TXN_SIZE);
      w.u64(this.txnSize);
    }
    if (this.minCommitTs !== 0n) {
      w.byte(FLAG_MIN_COMMIT_TS);
      w.u64(this.minCommitTs);
    }
    if (this.useAsyncCommit) {
      w.byte(FLAG_ASYNC_COMMIT);
      w.varU64(BigInt(this.secondaries.length));
      for (const s of this.secondaries) w.compactBytes(s);
    }
    if (this.rollbackTs.length > 0) {
      w.byte(FLAG_ROLLBACK_TS);
      w.varU64(BigInt(this.rollbackTs.length));
      for (const ts of this.rollbackTs) w.u64(ts);
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
    if (this.pessimisticWithConflict) w.byte(FLAG_PESSIMISTIC_WITH_CONFLICT);
    return w.finish();
  }

  /** Decodes a persisted lock; malformed bytes throw `CorruptionError`. */
  static decode(bytes: Uint8Array): Lock {
    const r = new RecordReader(bytes, 'lock record');
    const typeByte = r.byte();
    if (!isLockType(typeByte)) throw new CorruptionError(`lock record: bad lock type ${typeByte}`);
    const lock = new Lock({ lockType: typeByte, primary: r.compactBytes(), startTs: r.varU64(), ttl: r.varU64() });
    while (r.remaining > 0) {
      const flag = r.byte();
      switch (flag) {
        case FLAG_SHORT_VALUE:
          lock.shortValue = r.bytes(r.byte());
          break;
        case FLAG_FOR_UPDATE_TS:
          lock.forUpdateTs = r.u64();
          break;
        case FLAG_TXN_SIZE:
          lock.txnSize = r.u64();
          break;
        case FLAG_MIN_COMMIT_TS:
          lock.minCommitTs = r.u64();
          break;
        case FLAG_ASYNC_COMMIT: {
          lock.useAsyncCommit = true;
          const n = r.count(1);
          for (let i = 0; i < n; i++) lock.secondaries.push(r.compactBytes());
          break;
        }
        case FLAG_ROLLBACK_TS: {
          const n = r.count(8);
          for (let i = 0; i < n; i++) lock.rollbackTs.push(r.u64());
          break;
        }
        case FLAG_LAST_CHANGE:
          lock.lastChangeTs = r.u64();
          lock.versionsToLastChange = r.varU64();
          break;
        case FLAG_TXN_SOURCE:
          lock.txnSource = r.varU64();
          break;
        case FLAG_PESSIMISTIC_WITH_CONFLICT:
          lock.pessimisticWithConflict = true;
          break;
        default:
          throw new CorruptionError(`lock record: unknown flag ${flag}`);
      }
    }
    return lock;
  }

  /** The `kvrpcpb.LockInfo` a client sees for this lock on `rawKey`. */
  toLockInfo(rawKey: Uint8Array): LockInfo {
    return {
      primaryLock: this.primary,
      lockVersion: this.startTs,
      key: rawKey,
      lockTtl: this.ttl,
      txnSize: this.txnSize,
      lockType: lockTypeToOp(this.lockType),
      lockForUpdateTs: this.forUpdateTs,
      useAsyncCommit: this.useAsyncCommit,
      minCommitTs: this.minCommitTs,
      secondaries: this.secondaries,
      durationToLastUpdateMs: 0n,
    };
  }
}

function isLockType(b: number): b is LockType {
  return b === LockType.Put || b === LockType.Delete || b === LockType.Lock || b === LockType.Pessimistic;
}

/** The wire `Op` for a lock type, as TiKV reports it in `LockInfo.lock_type`. */
export function lockTypeToOp(t: LockType): Op {
  switch (t) {
    case LockType.Put:
      return Op.Put;
    case LockType.Delete:
      return Op.Del;
    case LockType.Lock:
      return Op.Lock;
    case LockType.Pessimistic:
      return Op.PessimisticLock;
  }
}
