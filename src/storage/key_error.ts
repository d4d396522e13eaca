import { DomainError } from '../util/mod.ts';
import type { KeyError } from './kvrpc_types.ts';
import { TxnError, describe } from './txn_error.ts';

/**
 * The one place where storage errors become `kvrpcpb.KeyError` (TiKV
 * `storage::errors::extract_key_error`): locks, conflicts and the other typed variants get
 * their own fields; retry-worthy states go to `retryable`; everything else is `abort` with a
 * debug string. Bugs (`AssertionError`) and corruption are not mapped: they propagate.
 */
export function toKeyError(err: TxnError | DomainError): KeyError {
  if (!(err instanceof TxnError)) return { abort: `${err.code}: ${err.message}` };
  const d = err.detail;
  switch (d.kind) {
    case 'KeyIsLocked':
      return { locked: d.lockInfo };
    case 'WriteConflict':
      return {
        conflict: {
          startTs: d.startTs,
          conflictTs: d.conflictStartTs,
          key: d.key,
          primary: d.primary,
          conflictCommitTs: d.conflictCommitTs,
          reason: d.reason,
        },
        // TiKV fills `retryable` too, for clients that only look there.
        retryable: describe(d),
      };
    case 'AlreadyExist':
      return { alreadyExist: { key: d.key } };
    case 'Deadlock':
      return {
        deadlock: { lockTs: d.lockTs, lockKey: d.lockKey, deadlockKeyHash: d.deadlockKeyHash, waitChain: [] },
        abort: describe(d),
      };
    case 'CommitTsExpired':
      return {
        commitTsExpired: {
          startTs: d.startTs,
          attemptedCommitTs: d.commitTs,
          key: d.key,
          minCommitTs: d.minCommitTs,
        },
      };
    case 'TxnNotFound':
      return { txnNotFound: { startTs: d.startTs, primaryKey: d.key } };
    case 'CommitTsTooLarge':
      return { commitTsTooLarge: { commitTs: d.minCommitTs } };
    case 'AssertionFailed':
      return {
        assertionFailed: {
          startTs: d.startTs,
          key: d.key,
          assertion: d.assertion,
          existingStartTs: d.existingStartTs,
          existingCommitTs: d.existingCommitTs,
        },
      };
    case 'TxnLockNotFound':
    case 'PessimisticLockNotFound':
    case 'PessimisticLockRolledBack':
      return { retryable: describe(d) };
    case 'LockTypeNotMatch':
    case 'Committed':
    case 'InvalidTxnTso':
    case 'KeyTooLarge':
    case 'InvalidRequest':
      return { abort: describe(d) };
  }
}

/** A plain string for RPCs whose error field is a string (raw KV, DeleteRange). */
export function toErrorString(err: DomainError): string {
  return err instanceof TxnError ? describe(err.detail) : err.message;
}
