import { LockType, type Lock } from '../lock.ts';
import type { MvccReader } from '../mvcc_reader.ts';
import type { MvccTxn } from '../mvcc_txn.ts';
import { TS_MAX, physicalMs } from '../timestamp.ts';
import { rollbackLock } from './rollback.ts';
import type { TxnStatus } from './txn_status.ts';

/**
 * check_txn_status when the primary lock of txn.startTs exists (TiKV
 * `check_txn_status_lock_exists`):
 * - async-commit locks are never rolled back or pushed here (unless `forceSyncCommit`);
 * - an expired lock (start_ts physical ms + ttl < current_ts physical ms) is rolled back, or
 *   for a pessimistic lock being resolved as such, only removed;
 * - otherwise min_commit_ts is pushed past `callerStartTs` so the caller can read around it.
 */
export async function checkTxnStatusLockExists(
  txn: MvccTxn,
  reader: MvccReader,
  primaryKey: Uint8Array,
  lock: Lock,
  currentTs: bigint,
  callerStartTs: bigint,
  forceSyncCommit: boolean,
  resolvingPessimisticLock: boolean,
): Promise<TxnStatus> {
  if (lock.useAsyncCommit && !forceSyncCommit) {
    return { kind: 'uncommitted', lock, minCommitTsPushed: false };
  }
  const isPessimisticTxn = lock.isPessimisticTxn();
  if (physicalMs(lock.startTs) + lock.ttl < physicalMs(currentTs)) {
    if (resolvingPessimisticLock && lock.lockType === LockType.Pessimistic) {
      txn.unlockKey(primaryKey);
      return { kind: 'pessimisticRollBack' };
    }
    await rollbackLock(txn, reader, primaryKey, lock, isPessimisticTxn, true);
    return { kind: 'ttlExpire' };
  }
  // min_commit_ts 0 marks a lock from a client that cannot handle a pushed commit ts.
  if (lock.minCommitTs !== 0n && callerStartTs !== TS_MAX && callerStartTs >= lock.minCommitTs) {
    lock.minCommitTs = callerStartTs + 1n;
    if (lock.minCommitTs < currentTs) lock.minCommitTs = currentTs;
    txn.putLock(primaryKey, lock);
  }
  const minCommitTsPushed = (callerStartTs !== 0n && lock.minCommitTs > callerStartTs) || callerStartTs === TS_MAX;
  return { kind: 'uncommitted', lock, minCommitTsPushed };
}
