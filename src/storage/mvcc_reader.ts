import { decodeBytes, decodeKeyWithTs, encodeKey, encodeKeyWithTs } from '../codec/mod.ts';
import type { KvIterator, KvSnapshot } from '../engine/mod.ts';
import { CorruptionError } from '../util/mod.ts';
import { prefixNext } from './key_range.ts';
import { Lock } from './lock.ts';
import { TS_MAX } from './timestamp.ts';
import { Write, WriteType } from './write.ts';

/** A write record and the commit_ts it is stored under. */
export interface CommittedWrite {
  commitTs: bigint;
  write: Write;
}

/**
 * What the write CF says about one transaction on one key (TiKV `TxnCommitRecord`):
 * - `single`: the transaction's own commit or rollback record;
 * - `overlappedRollback`: another transaction committed at exactly our start_ts and its
 *   record carries the overlapped-rollback flag, so we count as rolled back;
 * - `none`: no record; `overlapped` is another transaction's record at commit_ts ==
 *   our start_ts (a rollback must then be folded into it), `gcFence` the commit_ts of the
 *   next newer version (0 if none).
 */
export type TxnCommitRecord =
  | { kind: 'single'; commitTs: bigint; write: Write }
  | { kind: 'overlappedRollback'; commitTs: bigint }
  | { kind: 'none'; overlapped?: { write: Write; gcFence: bigint } };

/** A lock found by a lock CF scan, with its raw user key. */
export interface KeyLock {
  key: Uint8Array;
  lock: Lock;
}

/**
 * Reads MVCC records from one snapshot. All keys in and out are raw user keys; the encoded
 * layouts stay inside. Never writes.
 */
export class MvccReader {
  constructor(readonly snapshot: KvSnapshot) {}

  async loadLock(key: Uint8Array): Promise<Lock | undefined> {
    const bytes = this.snapshot.getSync('lock', encodeKey(key));
    return bytes === undefined ? undefined : Lock.decode(bytes);
  }

  /** Iterates the versions of `key` with commit_ts <= `ts`, newest first. */
  private versionIterator(key: Uint8Array, ts: bigint): KvIterator {
    return this.snapshot.iterator('write', {
      lowerBound: encodeKeyWithTs(key, ts),
      upperBound: prefixNext(encodeKey(key)),
    });
  }

  /** The newest write record of `key` with commit_ts <= `ts`, of any type. */
  async seekWrite(key: Uint8Array, ts: bigint): Promise<CommittedWrite | undefined> {
    const it = this.versionIterator(key, ts);
    try {
      const e = await it.next();
      return e === undefined ? undefined : { commitTs: decodeKeyWithTs(e.key).ts, write: Write.decode(e.value) };
    } finally {
      await it.close();
    }
  }

  /**
   * The newest Put visible at `ts` (skipping Lock and Rollback records), or undefined when
   * the key does not exist at `ts` (never written, deleted, or a stale gc-fenced record).
   */
  async getWrite(key: Uint8Array, ts: bigint): Promise<CommittedWrite | undefined> {
    const it = this.versionIterator(key, ts);
    try {
      for (;;) {
        const e = await it.next();
        if (e === undefined) return undefined;
        const write = Write.decode(e.value);
        if (write.writeType === WriteType.Put) {
          if (!write.validAsLatestAt(ts)) return undefined;
          return { commitTs: decodeKeyWithTs(e.key).ts, write };
        }
        if (write.writeType === WriteType.Delete) return undefined;
      }
    } finally {
      await it.close();
    }
  }

  /** The value a Put record refers to: inline short value or the default CF at start_ts. */
  async loadData(key: Uint8Array, write: Write): Promise<Uint8Array> {
    if (write.shortValue !== undefined) return write.shortValue;
    const value = this.snapshot.getSync('default', encodeKeyWithTs(key, write.startTs));
    if (value === undefined) throw new CorruptionError(`default CF value missing for start_ts ${write.startTs}`);
    return value;
  }

  /** The committed value of `key` visible at `ts`, ignoring locks. */
  async get(key: Uint8Array, ts: bigint): Promise<Uint8Array | undefined> {
    const w = await this.getWrite(key, ts);
    return w === undefined ? undefined : this.loadData(key, w.write);
  }

  /**
   * Finds `startTs`'s record on `key`. A pessimistic transaction may commit after a younger
   * one, so this walks every version from the newest down to start_ts.
   */
  async getTxnCommitRecord(key: Uint8Array, startTs: bigint): Promise<TxnCommitRecord> {
    const it = this.versionIterator(key, TS_MAX);
    let gcFence = 0n;
    try {
      for (;;) {
        const e = await it.next();
        if (e === undefined) break;
        const commitTs = decodeKeyWithTs(e.key).ts;
        if (commitTs < startTs) break;
        const write = Write.decode(e.value);
        if (write.startTs === startTs) return { kind: 'single', commitTs, write };
        if (commitTs === startTs) {
          if (write.hasOverlappedRollback) return { kind: 'overlappedRollback', commitTs };
          return { kind: 'none', overlapped: { write, gcFence } };
        }
        gcFence = commitTs;
      }
    } finally {
      await it.close();
    }
    return { kind: 'none' };
  }

  /**
   * Locks in the encoded-key range [lowerEnc, upperEnc) (empty upper = unbounded) that pass
   * `filter`, at most `limit` (0 = no limit), in key order.
   */
  async scanLocks(
    lowerEnc: Uint8Array,
    upperEnc: Uint8Array,
    filter: (lock: Lock) => boolean,
    limit: number,
  ): Promise<KeyLock[]> {
    const it = this.snapshot.iterator('lock', {
      lowerBound: lowerEnc,
      ...(upperEnc.length > 0 ? { upperBound: upperEnc } : {}),
    });
    const out: KeyLock[] = [];
    try {
      for (;;) {
        const e = await it.next();
        if (e === undefined) break;
        const lock = Lock.decode(e.value);
        if (!filter(lock)) continue;
        out.push({ key: decodeBytes(e.key, 0).value, lock });
        if (limit > 0 && out.length >= limit) break;
      }
    } finally {
      await it.close();
    }
    return out;
  }
}
