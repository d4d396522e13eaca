import { bytesEqual } from '../util/mod.ts';
import { LockType, type Lock } from './lock.ts';
import { TS_MAX } from './timestamp.ts';

/** What a snapshot read at `ts` may read through, from `kvrpcpb.Context`. */
export interface ReadOptions {
  ts: bigint;
  /** Read-committed isolation: locks never block (TiKV `IsolationLevel::Rc`). */
  ignoreLocks?: boolean;
  /** Transactions known to be rolled back or committed after `ts`: their locks never block. */
  resolvedLocks: ReadonlySet<bigint>;
  /** Transactions known to be committed at or before `ts`: read their locked values. */
  committedLocks: ReadonlySet<bigint>;
}

/** How a read must treat a lock on the key it reads. */
export type LockVerdict = 'ignore' | 'blocked' | 'readThrough';

/**
 * TiKV `Lock::check_ts_conflict` for snapshot isolation: a lock blocks a read at `ts` only
 * if it started at or before `ts`, is a Put/Delete lock, its min_commit_ts is not above
 * `ts`, and the reader was not told to bypass it. A lock of the reader's own transaction
 * (start_ts == ts) never blocks. An autocommit point get (ts == MAX) ignores a non-async
 * primary lock. Locks listed in committed_locks are read through.
 */
export function checkLockForRead(lock: Lock, rawKey: Uint8Array, opts: ReadOptions): LockVerdict {
  if (opts.ignoreLocks === true) return 'ignore';
  if (lock.startTs > opts.ts || lock.startTs === opts.ts) return 'ignore';
  if (lock.lockType === LockType.Lock || lock.lockType === LockType.Pessimistic) return 'ignore';
  if (lock.minCommitTs > opts.ts) return 'ignore';
  if (opts.resolvedLocks.has(lock.startTs)) return 'ignore';
  if (opts.ts === TS_MAX && !lock.useAsyncCommit && bytesEqual(rawKey, lock.primary)) return 'ignore';
  if (opts.committedLocks.has(lock.startTs)) return 'readThrough';
  return 'blocked';
}
