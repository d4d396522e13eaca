import { LockType } from '../lock.ts';
import type { MvccReader } from '../mvcc_reader.ts';
import type { MvccTxn } from '../mvcc_txn.ts';
import { txnError } from '../txn_error.ts';
import { Write, WriteType, writeTypeFromLockType } from '../write.ts';

/**
 * Commits txn.startTs on `key` at `commitTs` (TiKV `actions/commit.rs`): writes the commit
 * record typed after the lock and removes the lock. Idempotent: an existing commit record
 * is success; a rollback (or nothing at all) is `TxnLockNotFound`. A lock whose
 * min_commit_ts is above `commitTs` (async commit / pushed by a reader) is `CommitTsExpired`.
 */
export async function commit(txn: MvccTxn, reader: MvccReader, key: Uint8Array, commitTs: bigint): Promise<void> {
  const lock = await reader.loadLock(key);
  if (lock === undefined || lock.startTs !== txn.startTs) {
    const record = await reader.getTxnCommitRecord(key, txn.startTs);
    if (record.kind === 'single' && record.write.writeType !== WriteType.Rollback) return;
    throw txnError({ kind: 'TxnLockNotFound', startTs: txn.startTs, commitTs, key });
  }
  if (commitTs < lock.minCommitTs) {
    throw txnError({
      kind: 'CommitTsExpired',
      startTs: txn.startTs,
      commitTs,
      key,
      minCommitTs: lock.minCommitTs,
    });
  }
  // A leftover pessimistic lock of a committed transaction commits as a Lock record.
  const lockType = lock.lockType === LockType.Pessimistic ? LockType.Lock : lock.lockType;
  const write = new Write({
    writeType: writeTypeFromLockType(lockType),
    startTs: txn.startTs,
    shortValue: lock.shortValue,
    hasOverlappedRollback: lock.rollbackTs.includes(commitTs),
  });
  txn.putWrite(key, commitTs, write);
  txn.unlockKey(key);
}
