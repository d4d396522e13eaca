import { assert, bytesToHex } from '../util/mod.ts';
import type { Lock } from './lock.ts';
import { TS_MAX } from './timestamp.ts';

/** A memory lock held by an in-flight async-commit / 1PC prewrite. */
export interface MemoryLockGuard {
  readonly key: Uint8Array;
  readonly lock: Lock;
  release(): void;
}

/**
 * The store's max observed read timestamp and the memory locks of prewrites that are
 * computing or persisting an async-commit / 1PC `min_commit_ts` (TiKV `ConcurrencyManager`).
 *
 * Safety argument for one JavaScript thread: a reader calls `updateMaxTs(ts)` and then
 * `readKeyCheck` / `readRangeCheck` with no `await` in between; a prewrite calls `lockKey`
 * and reads `maxTs()` with no `await` in between. Whichever runs first, either the prewrite's
 * min_commit_ts is above the reader's ts (the reader need not see it) or the reader finds
 * the memory lock and reports the key as locked. The guard is released only after the lock
 * (or the 1PC commit record) is applied to the engine, so it is always visible one way or
 * the other.
 */
export class ConcurrencyManager {
  private maxTsValue: bigint;
  private readonly memoryLocks = new Map<string, MemoryLockGuard>();

  constructor(initialMaxTs = 0n) {
    this.maxTsValue = initialMaxTs;
  }

  maxTs(): bigint {
    return this.maxTsValue;
  }

  /** Raises max_ts to `ts`. `TS_MAX` (autocommit point get) is ignored: it would block every async commit. */
  updateMaxTs(ts: bigint): void {
    if (ts !== TS_MAX && ts > this.maxTsValue) this.maxTsValue = ts;
  }

  /** Installs a memory lock on `key`. Key latches guarantee no other guard exists on it. */
  lockKey(key: Uint8Array, lock: Lock): MemoryLockGuard {
    const id = bytesToHex(key);
    assert(!this.memoryLocks.has(id), 'memory lock already held: latches must serialize writers of a key');
    const locks = this.memoryLocks;
    const guard: MemoryLockGuard = {
      key,
      lock,
      release() {
        if (locks.get(id) === guard) locks.delete(id);
      },
    };
    locks.set(id, guard);
    return guard;
  }

  /** Runs `check` on the memory lock of `key`, if any; returns what `check` returns. */
  readKeyCheck<T>(key: Uint8Array, check: (key: Uint8Array, lock: Lock) => T | undefined): T | undefined {
    if (this.memoryLocks.size === 0) return undefined;
    const guard = this.memoryLocks.get(bytesToHex(key));
    return guard === undefined ? undefined : check(guard.key, guard.lock);
  }

  /**
   * Runs `check` on memory locks whose raw key passes `inRange`; returns the first
   * non-undefined result.
   */
  readRangeCheck<T>(
    inRange: (key: Uint8Array) => boolean,
    check: (key: Uint8Array, lock: Lock) => T | undefined,
  ): T | undefined {
    if (this.memoryLocks.size === 0) return undefined;
    for (const guard of this.memoryLocks.values()) {
      if (!inRange(guard.key)) continue;
      const r = check(guard.key, guard.lock);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /** Number of in-flight memory locks (for tests and metrics). */
  get memoryLockCount(): number {
    return this.memoryLocks.size;
  }
}
