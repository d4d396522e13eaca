import { Lock, LockType } from '../lock.ts';
import { WriteConflictReason } from '../kvrpc_types.ts';
import type { MvccReader } from '../mvcc_reader.ts';
import type { MvccTxn } from '../mvcc_txn.ts';
import { TS_MAX } from '../timestamp.ts';
import { txnError } from '../txn_error.ts';
import { WriteType } from '../write.ts';
import { checkDataConstraint } from './constraint.ts';

/** The request-level inputs of one pessimistic lock acquisition. */
export interface PessimisticLockProps {
  startTs: bigint;
  primary: Uint8Array;
  forUpdateTs: bigint;
  lockTtl: bigint;
  minCommitTs: bigint;
  needValue: boolean;
  needCheckExistence: boolean;
  lockOnlyIfExists: boolean;
}

/** The value (when asked) and existence of the key at for_update_ts, as the client sees them. */
export interface PessimisticLockKeyOutcome {
  value: Uint8Array | undefined;
  exists: boolean;
}

/**
 * Acquires a pessimistic lock on `key` (TiKV `acquire_pessimistic_lock`): another
 * transaction's lock is `KeyIsLocked` (the command may wait on it); a commit newer than
 * for_update_ts is `WriteConflict(PessimisticRetry)`; our own rollback is
 * `PessimisticLockRolledBack`; an existing own pessimistic lock is refreshed (idempotent).
 */
export async function acquirePessimisticLock(
  txn: MvccTxn,
  reader: MvccReader,
  key: Uint8Array,
  shouldNotExist: boolean,
  p: PessimisticLockProps,
): Promise<PessimisticLockKeyOutcome> {
  // Returning a value or its existence is a read at for_update_ts: async commits must land above it.
  if (shouldNotExist || p.needValue || p.needCheckExistence) txn.concurrencyManager.updateMaxTs(p.forUpdateTs);
  const needLoad = p.needValue || p.needCheckExistence || p.lockOnlyIfExists;

  const newLock = (): Lock =>
    new Lock({
      lockType: LockType.Pessimistic,
      primary: p.primary,
      startTs: p.startTs,
      ttl: p.lockTtl,
      forUpdateTs: p.forUpdateTs,
      minCommitTs: p.minCommitTs,
    });

  const existing = await reader.loadLock(key);
  if (existing !== undefined) {
    if (existing.startTs !== p.startTs) {
      throw txnError({ kind: 'KeyIsLocked', lockInfo: existing.toLockInfo(key) });
    }
    if (existing.lockType !== LockType.Pessimistic) {
      throw txnError({ kind: 'LockTypeNotMatch', startTs: p.startTs, key, pessimistic: false });
    }
    let value: Uint8Array | undefined;
    let exists = false;
    if (needLoad) {
      value = await reader.get(key, p.forUpdateTs);
      exists = value !== undefined;
    }
    if (p.forUpdateTs > existing.forUpdateTs) txn.putLock(key, newLock());
    return { value: p.needValue ? value : undefined, exists };
  }

  let value: Uint8Array | undefined;
  let exists = false;
  const newest = await reader.seekWrite(key, TS_MAX);
  if (newest !== undefined) {
    const { commitTs, write } = newest;
    if (commitTs > p.forUpdateTs) {
      throw txnError({
        kind: 'WriteConflict',
        startTs: p.startTs,
        conflictStartTs: write.startTs,
        conflictCommitTs: commitTs,
        key,
        primary: p.primary,
        reason: WriteConflictReason.PessimisticRetry,
      });
    }
    if (commitTs === p.startTs && (write.writeType === WriteType.Rollback || write.hasOverlappedRollback)) {
      throw txnError({ kind: 'PessimisticLockRolledBack', startTs: p.startTs, key });
    }
    if (commitTs > p.startTs) {
      const older = await reader.seekWrite(key, p.startTs);
      if (
        older !== undefined &&
        older.commitTs === p.startTs &&
        (older.write.writeType === WriteType.Rollback || older.write.hasOverlappedRollback)
      ) {
        throw txnError({ kind: 'PessimisticLockRolledBack', startTs: p.startTs, key });
      }
    }
    await checkDataConstraint(reader, shouldNotExist, write, commitTs, key);
    if (needLoad) {
      switch (write.writeType) {
        case WriteType.Put:
          if (write.validAsLatestAt(p.startTs)) {
            exists = true;
            if (p.needValue) value = await reader.loadData(key, write);
          }
          break;
        case WriteType.Delete:
          break;
        case WriteType.Lock:
        case WriteType.Rollback:
          value = await reader.get(key, commitTs - 1n);
          exists = value !== undefined;
          break;
      }
    }
  }
  if (p.lockOnlyIfExists && !exists) return { value: undefined, exists: false };
  txn.putLock(key, newLock());
  return { value: p.needValue ? value : undefined, exists };
}
