import { Lock, LockType, isShortValue } from '../lock.ts';
import { Assertion, AssertionLevel, Op, PessimisticAction, WriteConflictReason } from '../kvrpc_types.ts';
import type { CommittedWrite, MvccReader } from '../mvcc_reader.ts';
import type { MvccTxn } from '../mvcc_txn.ts';
import { TxnError, txnError } from '../txn_error.ts';
import { WriteType } from '../write.ts';
import { checkDataConstraint } from './constraint.ts';

/** How the transaction wants to commit; async and 1PC carry the client's max_commit_ts (0 = no limit). */
export type CommitKind = { kind: '2pc' } | { kind: 'async'; maxCommitTs: bigint } | { kind: '1pc'; maxCommitTs: bigint };

/** Per-request properties shared by every mutation of one prewrite (TiKV `TransactionProperties`). */
export interface TxnProps {
  startTs: bigint;
  primary: Uint8Array;
  /** 0 for optimistic transactions. */
  forUpdateTs: bigint;
  /** Optimistic only: the client asks to skip the newer-version check. */
  skipConstraintCheck: boolean;
  commitKind: CommitKind;
  txnSize: bigint;
  lockTtl: bigint;
  minCommitTs: bigint;
  isRetryRequest: boolean;
  assertionLevel: number;
}

/** One decoded `kvrpcpb.Mutation` of a prewrite (defaults filled in). */
export interface PrewriteMutation {
  op: Op;
  key: Uint8Array;
  value: Uint8Array;
  assertion: number;
}

type LockStatus = { kind: 'none' } | { kind: 'pessimistic' } | { kind: 'locked'; minCommitTs: bigint };

function lockTypeOf(op: Op): LockType | undefined {
  switch (op) {
    case Op.Put:
    case Op.Insert:
      return LockType.Put;
    case Op.Del:
      return LockType.Delete;
    case Op.Lock:
      return LockType.Lock;
    case Op.CheckNotExists:
      return undefined;
    default:
      throw txnError({ kind: 'InvalidRequest', message: `mutation op ${op} cannot be prewritten` });
  }
}

function isPessimistic(props: TxnProps): boolean {
  return props.forUpdateTs !== 0n;
}

/**
 * Prewrites one mutation (TiKV `actions/prewrite.rs`): checks the key's lock and newer
 * writes, then buffers a lock (and a default-CF value when it is long). Returns the key's
 * min_commit_ts for async commit / 1PC (0 otherwise). `secondaries` is set on the primary
 * mutation of an async-commit transaction only. Never awaits between computing an async
 * min_commit_ts and installing its memory lock.
 */
export async function prewrite(
  txn: MvccTxn,
  reader: MvccReader,
  props: TxnProps,
  m: PrewriteMutation,
  secondaries: Uint8Array[] | undefined,
  pessimisticAction: PessimisticAction,
): Promise<bigint> {
  const pessimistic = isPessimistic(props);
  const shouldNotWrite = m.op === Op.CheckNotExists;
  if (pessimistic && shouldNotWrite) {
    throw txnError({ kind: 'InvalidRequest', message: 'cannot handle CheckNotExists in a pessimistic prewrite' });
  }
  const shouldNotExist = m.op === Op.Insert || m.op === Op.CheckNotExists;
  const lockType = lockTypeOf(m.op);
  const isPessimisticLock = pessimisticAction === PessimisticAction.DoPessimisticCheck;
  const needMinCommitTs = props.commitKind.kind !== '2pc';
  let lockTtl = props.lockTtl;
  let minCommitTs = props.minCommitTs;

  // Insert reads the key: its absence must stay true for readers at later timestamps.
  if (shouldNotExist) txn.concurrencyManager.updateMaxTs(props.startTs);

  let lockAmended = false;
  let status: LockStatus = { kind: 'none' };
  const existing = await reader.loadLock(m.key);
  if (existing !== undefined) {
    if (existing.startTs !== props.startTs) {
      if (isPessimisticLock) throw txnError({ kind: 'PessimisticLockNotFound', startTs: props.startTs, key: m.key });
      const info = existing.toLockInfo(m.key);
      // Pessimistic transactions lock row keys first; a lock on an unlocked secondary index
      // key is resolved at once rather than waited out.
      if (pessimistic) info.lockTtl = 0n;
      throw txnError({ kind: 'KeyIsLocked', lockInfo: info });
    }
    if (existing.lockType === LockType.Pessimistic) {
      if (!pessimistic) {
        throw txnError({ kind: 'LockTypeNotMatch', startTs: props.startTs, key: m.key, pessimistic: true });
      }
      if (existing.ttl > lockTtl) lockTtl = existing.ttl;
      if (existing.minCommitTs > minCommitTs) minCommitTs = existing.minCommitTs;
      status = { kind: 'pessimistic' };
    } else {
      // Duplicate prewrite: the lock is already there.
      status = { kind: 'locked', minCommitTs: existing.useAsyncCommit ? existing.minCommitTs : 0n };
    }
  } else if (isPessimisticLock) {
    await amendPessimisticLock(reader, props, m.key, shouldNotExist);
    lockAmended = true;
  }
  if (status.kind === 'locked') return status.minCommitTs;

  const skipConstraintCheck = pessimistic ? isPessimisticLock || !props.isRetryRequest : props.skipConstraintCheck;
  let prevWrite: CommittedWrite | undefined;
  let prevWriteLoaded = false;
  if (!skipConstraintCheck) {
    prevWrite = await checkForNewerVersion(reader, props, m.key, shouldNotExist);
    prevWriteLoaded = true;
  }
  if (!lockAmended) {
    await checkAssertion(reader, props, m, prevWrite, prevWriteLoaded, skipConstraintCheck, shouldNotExist);
  }

  if (shouldNotWrite) {
    txn.concurrencyManager.updateMaxTs(props.startTs);
    if (!needMinCommitTs) return 0n;
    return minCommitTs > props.startTs + 1n ? minCommitTs : props.startTs + 1n;
  }

  return writeLock(txn, props, m, lockType!, status.kind === 'pessimistic', lockTtl, minCommitTs, secondaries);
}

/** A DO_PESSIMISTIC_CHECK key whose pessimistic lock is gone: allowed only if nothing committed since start_ts. */
async function amendPessimisticLock(
  reader: MvccReader,
  props: TxnProps,
  key: Uint8Array,
  shouldNotExist: boolean,
): Promise<void> {
  const newest = await reader.seekWrite(key, (1n << 64n) - 1n);
  if (newest === undefined) return;
  if (newest.commitTs >= props.startTs) {
    throw txnError({ kind: 'PessimisticLockNotFound', startTs: props.startTs, key });
  }
  await checkDataConstraint(reader, shouldNotExist, newest.write, newest.commitTs, key);
}

async function checkForNewerVersion(
  reader: MvccReader,
  props: TxnProps,
  key: Uint8Array,
  shouldNotExist: boolean,
): Promise<CommittedWrite | undefined> {
  const newest = await reader.seekWrite(key, (1n << 64n) - 1n);
  if (newest === undefined) return undefined;
  const { commitTs, write } = newest;
  const conflict = (reason: WriteConflictReason): TxnError =>
    txnError({
      kind: 'WriteConflict',
      startTs: props.startTs,
      conflictStartTs: write.startTs,
      conflictCommitTs: commitTs,
      key,
      primary: props.primary,
      reason,
    });
  if (commitTs > props.startTs) {
    throw conflict(isPessimistic(props) ? WriteConflictReason.PessimisticRetry : WriteConflictReason.Optimistic);
  }
  if (commitTs === props.startTs && (write.writeType === WriteType.Rollback || write.hasOverlappedRollback)) {
    throw conflict(WriteConflictReason.SelfRolledBack);
  }
  await checkDataConstraint(reader, shouldNotExist, write, commitTs, key);
  return newest;
}

async function checkAssertion(
  reader: MvccReader,
  props: TxnProps,
  m: PrewriteMutation,
  loaded: CommittedWrite | undefined,
  loadedFlag: boolean,
  skipConstraintCheck: boolean,
  shouldNotExist: boolean,
): Promise<void> {
  if (m.assertion === Assertion.None || props.assertionLevel === AssertionLevel.Off) return;
  if (props.assertionLevel !== AssertionLevel.Strict && !loadedFlag) return;
  let write = loaded;
  if (write !== undefined && write.write.gcFence !== undefined && write.write.gcFence !== 0n) write = undefined;
  const needReload =
    !loadedFlag ||
    (write !== undefined && write.write.writeType !== WriteType.Put && write.write.writeType !== WriteType.Delete);
  if (needReload) {
    const at = write?.commitTs ?? (1n << 64n) - 1n;
    write = await newestDataVersion(reader, m.key, at);
  }
  let failed: { startTs: bigint; commitTs: bigint } | undefined;
  if (m.assertion === Assertion.Exist) {
    if (write === undefined) failed = { startTs: 0n, commitTs: 0n };
    else if (write.write.writeType === WriteType.Delete) failed = { startTs: write.write.startTs, commitTs: write.commitTs };
  } else if (m.assertion === Assertion.NotExist) {
    if (write !== undefined && write.write.writeType === WriteType.Put) {
      failed = { startTs: write.write.startTs, commitTs: write.commitTs };
    }
  }
  if (failed === undefined) return;
  // A rollback can make an assertion fail; report the conflict instead when there is one.
  if (skipConstraintCheck) await checkForNewerVersion(reader, props, m.key, shouldNotExist);
  throw txnError({
    kind: 'AssertionFailed',
    startTs: props.startTs,
    key: m.key,
    assertion: m.assertion,
    existingStartTs: failed.startTs,
    existingCommitTs: failed.commitTs,
  });
}

/** The newest Put or Delete record of `key` at or below `ts` (Lock/Rollback skipped). */
async function newestDataVersion(reader: MvccReader, key: Uint8Array, ts: bigint): Promise<CommittedWrite | undefined> {
  let at = ts;
  for (;;) {
    const w = await reader.seekWrite(key, at);
    if (w === undefined) return undefined;
    if (w.write.writeType === WriteType.Put || w.write.writeType === WriteType.Delete) return w;
    if (w.commitTs === 0n) return undefined;
    at = w.commitTs - 1n;
  }
}

/**
 * Buffers the lock. For async commit / 1PC this is the concurrency-manager critical section:
 * install the memory lock, read max_ts, compute min_commit_ts, all without awaiting.
 */
function writeLock(
  txn: MvccTxn,
  props: TxnProps,
  m: PrewriteMutation,
  lockType: LockType,
  hadPessimisticLock: boolean,
  lockTtl: bigint,
  minCommitTs: bigint,
  secondaries: Uint8Array[] | undefined,
): bigint {
  let tryOnePc = props.commitKind.kind === '1pc';
  const lock = new Lock({
    lockType,
    primary: props.primary,
    startTs: props.startTs,
    ttl: lockTtl,
    forUpdateTs: props.forUpdateTs,
    txnSize: props.txnSize,
    minCommitTs,
  });
  if (lockType === LockType.Put) {
    if (isShortValue(m.value)) lock.shortValue = m.value;
    else txn.putValue(m.key, props.startTs, m.value);
  }
  if (secondaries !== undefined) {
    lock.useAsyncCommit = true;
    lock.secondaries = secondaries;
  }
  let finalMinCommitTs = 0n;
  let tooLarge: TxnError | undefined;
  if (lock.useAsyncCommit || tryOnePc) {
    const maxCommitTs = props.commitKind.kind === '2pc' ? 0n : props.commitKind.maxCommitTs;
    const cm = txn.concurrencyManager;
    let computed = cm.maxTs();
    if (props.startTs > computed) computed = props.startTs;
    if (props.forUpdateTs > computed) computed = props.forUpdateTs;
    computed += 1n;
    if (lock.minCommitTs > computed) computed = lock.minCommitTs;
    if (maxCommitTs !== 0n && computed > maxCommitTs) {
      tryOnePc = false;
      lock.useAsyncCommit = false;
      lock.secondaries = [];
      tooLarge = txnError({ kind: 'CommitTsTooLarge', startTs: props.startTs, minCommitTs: computed, maxCommitTs });
    } else {
      lock.minCommitTs = computed;
      txn.guards.push(cm.lockKey(m.key, lock));
      finalMinCommitTs = computed;
    }
  }
  if (tryOnePc) txn.locksFor1pc.push({ key: m.key, lock, deletePessimisticLock: hadPessimisticLock });
  else txn.putLock(m.key, lock);
  if (tooLarge !== undefined) throw tooLarge;
  return finalMinCommitTs;
}
