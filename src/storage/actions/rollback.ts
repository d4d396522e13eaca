import { assert, bytesEqual } from '../../util/mod.ts';
import { physicalMs } from '../timestamp.ts';
import { LockType, type Lock } from '../lock.ts';
import type { MvccReader } from '../mvcc_reader.ts';
import type { MvccTxn } from '../mvcc_txn.ts';
import { txnError } from '../txn_error.ts';
import { Write, WriteType } from '../write.ts';
import type { MissingLockAction, TxnStatus } from './txn_status.ts';

/**
 * Rollback building blocks shared by cleanup, batch rollback, check_txn_status,
 * check_secondary_locks and resolve_lock (TiKV `actions/check_txn_status.rs`).
 */

/**
 * The rollback record to write for `startTs`: a fresh one, or, when another transaction
 * already committed at commit_ts == startTs, that record with the overlapped-rollback flag
 * (only if the rollback must be protected; otherwise nothing is written).
 */
export function makeRollback(
  startTs: bigint,
  isProtected: boolean,
  overlapped: { write: Write; gcFence: bigint } | undefined,
): Write | undefined {
  if (overlapped === undefined) return Write.rollback(startTs, isProtected);
  assert(startTs > overlapped.write.startTs, 'overlapped write must start before the rolled-back txn');
  if (!isProtected) return undefined;
  const w = new Write({ ...overlapped.write, hasOverlappedRollback: true, gcFence: overlapped.gcFence });
  return w;
}

/** Deletes the previous unprotected rollback record of `key` (at or below start_ts): keeps rollbacks from piling up. */
export async function collapsePrevRollback(txn: MvccTxn, reader: MvccReader, key: Uint8Array): Promise<void> {
  const prev = await reader.seekWrite(key, txn.startTs);
  if (prev !== undefined && prev.write.writeType === WriteType.Rollback && !prev.write.isProtectedRollback()) {
    txn.deleteWrite(key, prev.commitTs);
  }
}

/** Rolls back `lock` (owned by txn.startTs) on `key`: rollback record, value removal, unlock. */
export async function rollbackLock(
  txn: MvccTxn,
  reader: MvccReader,
  key: Uint8Array,
  lock: Lock,
  isPessimisticTxn: boolean,
  collapseRollback: boolean,
): Promise<void> {
  const record = await reader.getTxnCommitRecord(key, txn.startTs);
  if (record.kind === 'single') {
    // Our own rollback (a retry), or a commit record next to a stale lock that a late,
    // unchecked prewrite left behind: either way only the lock has to go; a committed
    // transaction must never get a rollback record.
    txn.unlockKey(key);
    return;
  }
  if (record.kind === 'overlappedRollback') {
    txn.unlockKey(key);
    return;
  }
  if (lock.shortValue === undefined && lock.lockType === LockType.Put) txn.deleteValue(key, lock.startTs);
  // Only the primary key of a pessimistic transaction needs a protected rollback.
  const isProtected = isPessimisticTxn && bytesEqual(key, lock.primary);
  const write = makeRollback(txn.startTs, isProtected, record.overlapped);
  if (write !== undefined) txn.putWrite(key, txn.startTs, write);
  if (collapseRollback) await collapsePrevRollback(txn, reader, key);
  txn.unlockKey(key);
}

/**
 * The status of txn.startTs on `key` when its lock is not there (`mismatchLock` is another
 * transaction's lock on the key, if any). Depending on `action` it may write a rollback
 * record so that a late prewrite cannot succeed.
 */
export async function checkTxnStatusMissingLock(
  txn: MvccTxn,
  reader: MvccReader,
  key: Uint8Array,
  mismatchLock: Lock | undefined,
  action: MissingLockAction,
  resolvingPessimisticLock: boolean,
): Promise<TxnStatus> {
  const record = await reader.getTxnCommitRecord(key, txn.startTs);
  if (record.kind === 'single') {
    return record.write.writeType === WriteType.Rollback
      ? { kind: 'rolledBack' }
      : { kind: 'committed', commitTs: record.commitTs };
  }
  if (record.kind === 'overlappedRollback') return { kind: 'rolledBack' };
  if (action === 'returnError') throw txnError({ kind: 'TxnNotFound', startTs: txn.startTs, key });
  if (resolvingPessimisticLock) return { kind: 'lockNotExistDoNothing' };
  if (action === 'rollback') await collapsePrevRollback(txn, reader, key);
  if (mismatchLock !== undefined && record.overlapped === undefined) {
    txn.markRollbackOnMismatchingLock(key, mismatchLock, action === 'protectedRollback');
  }
  const write = makeRollback(txn.startTs, action === 'protectedRollback', record.overlapped);
  if (write !== undefined) txn.putWrite(key, txn.startTs, write);
  return { kind: 'lockNotExist' };
}

/**
 * Rolls back txn.startTs on `key` (TiKV `cleanup`). With `currentTs` != 0 a lock whose TTL
 * has not expired is reported as locked instead. A committed transaction is an error.
 */
export async function cleanup(
  txn: MvccTxn,
  reader: MvccReader,
  key: Uint8Array,
  currentTs: bigint,
  protectRollback: boolean,
): Promise<void> {
  const lock = await reader.loadLock(key);
  if (lock !== undefined && lock.startTs === txn.startTs) {
    if (currentTs !== 0n && physicalMs(lock.startTs) + lock.ttl >= physicalMs(currentTs)) {
      throw txnError({ kind: 'KeyIsLocked', lockInfo: lock.toLockInfo(key) });
    }
    await rollbackLock(txn, reader, key, lock, lock.isPessimisticTxn(), !protectRollback);
    return;
  }
  const status = await checkTxnStatusMissingLock(
    txn,
    reader,
    key,
    lock,
    protectRollback ? 'protectedRollback' : 'rollback',
    false,
  );
  if (status.kind === 'committed') {
    throw txnError({ kind: 'Committed', startTs: txn.startTs, commitTs: status.commitTs, key });
  }
}
