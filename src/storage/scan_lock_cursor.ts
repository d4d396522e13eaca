import { decodeBytes, encodeKeyWithTs } from '../codec/mod.ts';
import type { KvEntry, KvIterator, KvSnapshot } from '../engine/mod.ts';
import { CorruptionError } from '../util/mod.ts';
import { Lock, LockType } from './lock.ts';
import { checkLockForRead, type ReadOptions } from './read_check.ts';
import { txnError } from './txn_error.ts';

/** Lock-CF entries read per refill of the lock cursor. */
export const LOCK_BATCH_ENTRIES = 256;

/**
 * A lock in a scanned range that matters to the read (it blocks it, or is read through), or a
 * `boundary`: the last lock of a read batch in which none mattered, so that the cursor reads
 * on only when the scan gets there (read-ahead stays bounded by one batch).
 */
export interface ReadLock {
  /** The lock-CF key: the encoded user key. */
  encKey: Uint8Array;
  rawKey: Uint8Array;
  lock: Lock;
  kind: 'blocked' | 'readThrough' | 'boundary';
}

/**
 * The locks of one scanned range, in scan order, that a snapshot read at `read.ts` must act
 * on (`checkLockForRead` says blocked or read-through); the others are decoded and dropped as
 * they are read. A scan merges `current` with its write-CF keys and calls `apply` when it
 * reaches its key: with no lock in range, its per-key cost is one `undefined` check. Reads
 * `LOCK_BATCH_ENTRIES` at a time, one batch per `advance` at most.
 */
export class ScanLockCursor {
  readonly #snapshot: KvSnapshot;
  readonly #read: ReadOptions;
  readonly #it: KvIterator | undefined;
  #batch: KvEntry[] = [];
  #pos = 0;
  #ended: boolean;
  /** The next lock to act on, undefined when none is left. Valid after `advance`. */
  current: ReadLock | undefined;

  constructor(snapshot: KvSnapshot, read: ReadOptions, lowerEnc: Uint8Array, upperEnc: Uint8Array, reverse: boolean) {
    this.#snapshot = snapshot;
    this.#read = read;
    // Read-committed reads ignore every lock: nothing to read.
    this.#ended = read.ignoreLocks === true;
    this.#it = this.#ended
      ? undefined
      : snapshot.iterator('lock', { lowerBound: lowerEnc, ...(upperEnc.length > 0 ? { upperBound: upperEnc } : {}), reverse });
  }

  /**
   * Moves `current` to the next lock in scan order that blocks or is read through, reading at
   * most one more batch; when that batch holds none, `current` is a `boundary` at its last lock.
   */
  async advance(): Promise<void> {
    this.current = undefined;
    let read = false;
    for (;;) {
      if (this.#pos >= this.#batch.length) {
        if (this.#ended) return;
        if (read) {
          const last = this.#batch[this.#batch.length - 1]!;
          this.current = { encKey: last.key, rawKey: decodeBytes(last.key, 0).value, lock: Lock.decode(last.value), kind: 'boundary' };
          return;
        }
        this.#batch = await this.#it!.nextBatch(LOCK_BATCH_ENTRIES);
        read = true;
        this.#pos = 0;
        if (this.#batch.length < LOCK_BATCH_ENTRIES) this.#ended = true;
        if (this.#batch.length === 0) return;
      }
      const e = this.#batch[this.#pos++]!;
      const lock = Lock.decode(e.value);
      const rawKey = decodeBytes(e.key, 0).value;
      const verdict = checkLockForRead(lock, rawKey, this.#read);
      if (verdict === 'ignore') continue;
      this.current = { encKey: e.key, rawKey, lock, kind: verdict };
      return;
    }
  }

  /**
   * Acts on `current` for its key, then advances: throws `TxnError` KeyIsLocked when it
   * blocks; a read-through Put lock appends its value (inline or default CF at its start_ts).
   * Returns whether the lock decided the key (a read-through Put or Delete lock): its write
   * records are then not read. A boundary only advances.
   */
  async apply(keys: Uint8Array[], values: Uint8Array[]): Promise<boolean> {
    const { rawKey, lock, kind } = this.current!;
    if (kind === 'blocked') throw txnError({ kind: 'KeyIsLocked', lockInfo: lock.toLockInfo(rawKey) });
    let decided = false;
    if (kind === 'boundary') {
      // Nothing to do at this key: the next batch of locks is read now that the scan is here.
    } else if (lock.lockType === LockType.Put) {
      let value = lock.shortValue;
      if (value === undefined) {
        value = this.#snapshot.getSync('default', encodeKeyWithTs(rawKey, lock.startTs));
        if (value === undefined) throw new CorruptionError(`default CF value missing for start_ts ${lock.startTs}`);
      }
      keys.push(rawKey);
      values.push(value);
      decided = true;
    } else if (lock.lockType === LockType.Delete) {
      decided = true;
    }
    await this.advance();
    return decided;
  }

  async close(): Promise<void> {
    this.current = undefined;
    await this.#it?.close();
  }
}
