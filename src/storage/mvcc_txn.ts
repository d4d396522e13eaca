import { encodeKey, encodeKeyWithTs } from '../codec/mod.ts';
import type { ConcurrencyManager, MemoryLockGuard } from './concurrency_manager.ts';
import type { Lock } from './lock.ts';
import type { Modify } from './region_kv.ts';
import type { Write } from './write.ts';

/** A lock that a 1PC prewrite turns straight into a commit record at the end. */
export interface OnePcLock {
  key: Uint8Array;
  lock: Lock;
  /** The key held this transaction's pessimistic lock, which must be removed. */
  deletePessimisticLock: boolean;
}

/**
 * The write buffer of one command (TiKV `MvccTxn`): actions append `Modify`s here and the
 * scheduler applies them in one `RegionKv.write`. Also carries the memory-lock guards that
 * must outlive the write, and the keys whose locks were released (to wake lock waiters).
 */
export class MvccTxn {
  readonly modifies: Modify[] = [];
  readonly locksFor1pc: OnePcLock[] = [];
  readonly guards: MemoryLockGuard[] = [];
  /** Raw keys whose lock this command removes. */
  readonly releasedLockKeys: Uint8Array[] = [];
  /** Approximate bytes of the buffered modifications (for batch limits). */
  writeBytes = 0;

  constructor(
    /** The transaction being acted on; resolve_lock switches it per lock. */
    public startTs: bigint,
    readonly concurrencyManager: ConcurrencyManager,
  ) {}

  putLock(key: Uint8Array, lock: Lock): void {
    const k = encodeKey(key);
    const v = lock.encode();
    this.writeBytes += k.length + v.length;
    this.modifies.push({ type: 'put', cf: 'lock', key: k, value: v });
  }

  unlockKey(key: Uint8Array): void {
    this.modifies.push({ type: 'delete', cf: 'lock', key: encodeKey(key) });
    this.releasedLockKeys.push(key);
  }

  putValue(key: Uint8Array, startTs: bigint, value: Uint8Array): void {
    const k = encodeKeyWithTs(key, startTs);
    this.writeBytes += k.length + value.length;
    this.modifies.push({ type: 'put', cf: 'default', key: k, value });
  }

  deleteValue(key: Uint8Array, startTs: bigint): void {
    this.modifies.push({ type: 'delete', cf: 'default', key: encodeKeyWithTs(key, startTs) });
  }

  putWrite(key: Uint8Array, commitTs: bigint, write: Write): void {
    const k = encodeKeyWithTs(key, commitTs);
    const v = write.encode();
    this.writeBytes += k.length + v.length;
    this.modifies.push({ type: 'put', cf: 'write', key: k, value: v });
  }

  deleteWrite(key: Uint8Array, commitTs: bigint): void {
    this.modifies.push({ type: 'delete', cf: 'write', key: encodeKeyWithTs(key, commitTs) });
  }

  /**
   * Records `startTs` in another transaction's lock, so that if that transaction commits
   * at exactly our start_ts its commit record carries the overlapped-rollback flag instead
   * of silently replacing our protected rollback.
   */
  markRollbackOnMismatchingLock(key: Uint8Array, lock: Lock, isProtected: boolean): void {
    if (!isProtected || lock.startTs >= this.startTs) return;
    const updated = lock.clone();
    updated.rollbackTs.push(this.startTs);
    this.putLock(key, updated);
  }

  releaseGuards(): void {
    for (const g of this.guards) g.release();
    this.guards.length = 0;
  }
}
