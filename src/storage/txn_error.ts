import { DomainError, type ErrorCode } from '../util/mod.ts';
import type { LockInfo } from './kvrpc_types.ts';

/**
 * Expected failures of MVCC actions and storage commands (TiKV `mvcc::ErrorInner` and
 * `txn::ErrorInner`), thrown as `TxnError` and turned into `kvrpcpb.KeyError` in exactly one
 * place, `key_error.ts`. Keys are raw user keys.
 */
export type TxnErrorDetail =
  | { kind: 'KeyIsLocked'; lockInfo: LockInfo }
  | {
      kind: 'WriteConflict';
      startTs: bigint;
      conflictStartTs: bigint;
      conflictCommitTs: bigint;
      key: Uint8Array;
      primary: Uint8Array;
      reason: number;
    }
  | { kind: 'AlreadyExist'; key: Uint8Array }
  | { kind: 'Deadlock'; startTs: bigint; lockTs: bigint; lockKey: Uint8Array; deadlockKeyHash: bigint }
  | { kind: 'CommitTsExpired'; startTs: bigint; commitTs: bigint; key: Uint8Array; minCommitTs: bigint }
  | { kind: 'TxnNotFound'; startTs: bigint; key: Uint8Array }
  | { kind: 'CommitTsTooLarge'; startTs: bigint; minCommitTs: bigint; maxCommitTs: bigint }
  | {
      kind: 'AssertionFailed';
      startTs: bigint;
      key: Uint8Array;
      assertion: number;
      existingStartTs: bigint;
      existingCommitTs: bigint;
    }
  | { kind: 'TxnLockNotFound'; startTs: bigint; commitTs: bigint; key: Uint8Array }
  | { kind: 'PessimisticLockNotFound'; startTs: bigint; key: Uint8Array }
  | { kind: 'PessimisticLockRolledBack'; startTs: bigint; key: Uint8Array }
  | { kind: 'LockTypeNotMatch'; startTs: bigint; key: Uint8Array; pessimistic: boolean }
  | { kind: 'Committed'; startTs: bigint; commitTs: bigint; key: Uint8Array }
  | { kind: 'InvalidTxnTso'; startTs: bigint; commitTs: bigint }
  | { kind: 'KeyTooLarge'; size: number; limit: number }
  | { kind: 'InvalidRequest'; message: string };

/** The discriminant of `TxnErrorDetail`. */
export type TxnErrorKind = TxnErrorDetail['kind'];

/** A typed MVCC / transaction failure; `detail` says which and carries its data. */
export class TxnError extends DomainError {
  override name = 'TxnError';
  constructor(readonly detail: TxnErrorDetail) {
    super(codeFor(detail.kind), describe(detail));
  }
}

/** Shorthand used by actions: `throw txnError({ kind: ..., ... })`. */
export function txnError(detail: TxnErrorDetail): TxnError {
  return new TxnError(detail);
}

function codeFor(kind: TxnErrorKind): ErrorCode {
  switch (kind) {
    case 'KeyTooLarge':
      return 'KeyTooLarge';
    case 'InvalidRequest':
    case 'InvalidTxnTso':
      return 'InvalidArgument';
    case 'AlreadyExist':
      return 'AlreadyExists';
    case 'TxnNotFound':
    case 'TxnLockNotFound':
    case 'PessimisticLockNotFound':
      return 'NotFound';
    default:
      return 'Unavailable';
  }
}

/** A debug string in the spirit of TiKV's `{:?}` output, for `retryable` / `abort`. */
export function describe(d: TxnErrorDetail): string {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  switch (d.kind) {
    case 'KeyIsLocked':
      return `KeyIsLocked { key: ${hex(d.lockInfo.key)}, primary: ${hex(d.lockInfo.primaryLock)}, ts: ${d.lockInfo.lockVersion} }`;
    case 'WriteConflict':
      return `WriteConflict { start_ts: ${d.startTs}, conflict_start_ts: ${d.conflictStartTs}, conflict_commit_ts: ${d.conflictCommitTs}, key: ${hex(d.key)}, primary: ${hex(d.primary)}, reason: ${d.reason} }`;
    case 'AlreadyExist':
      return `AlreadyExist { key: ${hex(d.key)} }`;
    case 'Deadlock':
      return `Deadlock { start_ts: ${d.startTs}, lock_ts: ${d.lockTs}, lock_key: ${hex(d.lockKey)} }`;
    case 'CommitTsExpired':
      return `CommitTsExpired { start_ts: ${d.startTs}, commit_ts: ${d.commitTs}, key: ${hex(d.key)}, min_commit_ts: ${d.minCommitTs} }`;
    case 'TxnNotFound':
      return `TxnNotFound { start_ts: ${d.startTs}, key: ${hex(d.key)} }`;
    case 'CommitTsTooLarge':
      return `CommitTsTooLarge { start_ts: ${d.startTs}, min_commit_ts: ${d.minCommitTs}, max_commit_ts: ${d.maxCommitTs} }`;
    case 'AssertionFailed':
      return `AssertionFailed { start_ts: ${d.startTs}, key: ${hex(d.key)}, assertion: ${d.assertion}, existing_start_ts: ${d.existingStartTs}, existing_commit_ts: ${d.existingCommitTs} }`;
    case 'TxnLockNotFound':
      return `TxnLockNotFound { start_ts: ${d.startTs}, commit_ts: ${d.commitTs}, key: ${hex(d.key)} }`;
    case 'PessimisticLockNotFound':
      return `PessimisticLockNotFound { start_ts: ${d.startTs}, key: ${hex(d.key)} }`;
    case 'PessimisticLockRolledBack':
      return `PessimisticLockRolledBack { start_ts: ${d.startTs}, key: ${hex(d.key)} }`;
    case 'LockTypeNotMatch':
      return `LockTypeNotMatch { start_ts: ${d.startTs}, key: ${hex(d.key)}, pessimistic: ${d.pessimistic} }`;
    case 'Committed':
      return `Committed { start_ts: ${d.startTs}, commit_ts: ${d.commitTs}, key: ${hex(d.key)} }`;
    case 'InvalidTxnTso':
      return `InvalidTxnTso { start_ts: ${d.startTs}, commit_ts: ${d.commitTs} }`;
    case 'KeyTooLarge':
      return `KeyTooLarge { size: ${d.size}, limit: ${d.limit} }`;
    case 'InvalidRequest':
      return `InvalidRequest: ${d.message}`;
  }
}
