import { bytesCompare, bytesToHex, DomainError, hexToBytes, notImplemented, realClock, type Clock } from '../../src/util/mod.ts';
import { bufferedScan, type BufferedWrite } from './buffered_scan.ts';
import {
  DeadlockError,
  LockWaitTimeoutError,
  TxnClosedError,
  WriteConflictError,
  type LockKeysOptions,
  type CopRequest,
  type CopResult,
  type KvClient,
  type KvSnapshotReader,
  type KvTxn,
  type RegionInfo,
} from './kv_client.ts';

/** Rows returned by one scan when the caller gives no limit. */
export const MEMORY_SCAN_ROWS_MAX = 10_000_000;

/**
 * How long a commit waits for another transaction's pessimistic lock on a key it writes
 * (TikvKvClient's prewrite budget is the same 40 s), then fails with LockWaitTimeoutError.
 */
export const MEMORY_COMMIT_LOCK_WAIT_MS = 40_000;

/** A pessimistic lock: the owner's start_ts and the newest for_update_ts it was taken at. */
interface PessimisticLock {
  readonly owner: bigint;
  forUpdateTs: bigint;
}

interface Version {
  readonly commitTs: bigint;
  /** `undefined` = delete tombstone. */
  readonly value: Uint8Array | undefined;
}

/**
 * In-memory MVCC store: per key a newest-first version list, keys kept sorted by their
 * lowercase hex (which orders like the bytes). Snapshot isolation at start_ts; commit is
 * one synchronous critical section (no await between the conflict check and the apply),
 * so the first committer of a key wins and later committers get `WriteConflictError`.
 * This is the engine for `--memory` runs and SQL-engine tests; it has no coprocessor.
 */
export class MemoryKvClient implements KvClient {
  readonly coprocessorSupported = false;
  private tsLast = 0n;
  private readonly versions = new Map<string, Version[]>();
  private sortedKeys: string[] = [];
  private splitKeys: string[] = [];
  /** Region id by start key (hex; '' = the first region): a split gives the right half a new id. */
  private readonly regionIds = new Map<string, bigint>([['', 1n]]);
  private regionIdLast = 1n;
  private closed = false;
  /** Pessimistic locks by key hex. */
  private readonly locks = new Map<string, PessimisticLock>();
  /** Wake-ups of transactions waiting for a key's lock to go away. */
  private readonly lockWaiters = new Map<string, Set<() => void>>();
  /** Wait-for graph: waiting txn start_ts -> lock owner start_ts (deadlock detection). */
  private readonly waitFor = new Map<bigint, bigint>();
  private readonly clock: Clock;

  constructor(opts: { clock?: Clock } = {}) {
    this.clock = opts.clock ?? realClock;
  }

  /** A monotonic timestamp (the local TSO). */
  async getTs(): Promise<bigint> {
    return this.nextTs();
  }

  nextTs(): bigint {
    this.tsLast += 1n;
    return this.tsLast;
  }

  async begin(opts?: { pessimistic?: boolean }): Promise<KvTxn> {
    this.checkOpen();
    return new MemoryTxn(this, this.nextTs(), opts?.pessimistic === true);
  }

  async snapshot(ts?: bigint): Promise<KvSnapshotReader> {
    this.checkOpen();
    return new MemorySnapshot(this, ts ?? this.nextTs());
  }

  async splitRegions(keys: Uint8Array[]): Promise<void> {
    const set = new Set(this.splitKeys);
    for (const k of keys) {
      if (k.length === 0) continue;
      const hex = bytesToHex(k);
      set.add(hex);
      if (!this.regionIds.has(hex)) this.regionIds.set(hex, ++this.regionIdLast);
    }
    this.splitKeys = [...set].sort();
  }

  async regions(start: Uint8Array, end: Uint8Array): Promise<RegionInfo[]> {
    const bounds = ['', ...this.splitKeys, ''];
    const out: RegionInfo[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const s = bounds[i]!;
      const e = bounds[i + 1]!;
      const startKey = hexToBytes(s);
      const endKey = hexToBytes(e);
      if (end.length > 0 && bytesCompare(startKey, end) >= 0 && s !== '') continue;
      if (e !== '' && bytesCompare(endKey, start) <= 0) continue;
      // One store, one peer per region (peer id = region id); size counts the newest live versions.
      const id = this.regionIds.get(s)!;
      const stats = this.liveStats(s, e);
      out.push({ id, startKey, endKey, leaderStoreId: 1n, leaderPeerId: id, peers: [{ id, storeId: 1n }], approximateKeys: stats.keys, approximateSizeBytes: stats.bytes });
    }
    return out;
  }

  /** Keys whose newest version is not a delete in `[startHex, endHex)` ('' end = +inf), and their key+value bytes. */
  private liveStats(startHex: string, endHex: string): { keys: number; bytes: number } {
    const lo = lowerBound(this.sortedKeys, startHex);
    const hi = endHex === '' ? this.sortedKeys.length : lowerBound(this.sortedKeys, endHex);
    let keys = 0;
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const k = this.sortedKeys[i]!;
      const v = this.versions.get(k)?.[0]?.value;
      if (v === undefined) continue;
      keys++;
      bytes += k.length / 2 + v.length;
    }
    return { keys, bytes };
  }

  // eslint-disable-next-line require-yield
  async *coprocessor(_req: CopRequest): AsyncIterable<CopResult> {
    throw notImplemented('MemoryKvClient has no coprocessor; the SQL layer executes all operators at the root');
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new TxnClosedError(0n);
  }

  /** The newest version of `hex` with commit_ts <= ts. */
  readAt(hex: string, ts: bigint): Uint8Array | undefined {
    const vs = this.versions.get(hex);
    if (vs === undefined) return undefined;
    for (const v of vs) if (v.commitTs <= ts) return v.value;
    return undefined;
  }

  /** Keys in `[start, end)` visible at ts, in order. Materialized: the snapshot cannot change under it. */
  scanAt(start: Uint8Array, end: Uint8Array, ts: bigint, reverse: boolean, limit: number): Array<{ key: Uint8Array; value: Uint8Array }> {
    const s = bytesToHex(start);
    const e = end.length === 0 ? undefined : bytesToHex(end);
    const out: Array<{ key: Uint8Array; value: Uint8Array }> = [];
    const lo = lowerBound(this.sortedKeys, s);
    const hi = e === undefined ? this.sortedKeys.length : lowerBound(this.sortedKeys, e);
    if (!reverse) {
      for (let i = lo; i < hi && out.length < limit; i++) {
        const k = this.sortedKeys[i]!;
        const v = this.readAt(k, ts);
        if (v !== undefined) out.push({ key: hexToBytes(k), value: v });
      }
    } else {
      for (let i = hi - 1; i >= lo && out.length < limit; i--) {
        const k = this.sortedKeys[i]!;
        const v = this.readAt(k, ts);
        if (v !== undefined) out.push({ key: hexToBytes(k), value: v });
      }
    }
    return out;
  }

  /**
   * Takes pessimistic locks on `keys` for txn `startTs` in order, as TiKV's PessimisticLock
   * does: a lock held by another txn is waited for (deadlock-checked against the wait-for
   * graph first), a version committed after `forUpdateTs` is a WriteConflictError.
   */
  async lockKeys(startTs: bigint, keys: readonly Uint8Array[], opts: LockKeysOptions, owned: Set<string>, isActive: () => boolean): Promise<void> {
    const deadlineMs = this.clock.monotonicMs() + opts.waitTimeoutMs;
    for (const key of keys) {
      const hex = bytesToHex(key);
      for (;;) {
        // Rolled back while waiting (the client went away): take nothing more.
        if (!isActive()) throw new TxnClosedError(startTs);
        const held = this.locks.get(hex);
        if (held !== undefined && held.owner !== startTs) {
          if (this.closesCycle(startTs, held.owner)) throw new DeadlockError(startTs, held.owner, key);
          const leftMs = deadlineMs - this.clock.monotonicMs();
          if (leftMs <= 0) throw new LockWaitTimeoutError(startTs, key, opts.waitTimeoutMs);
          this.waitFor.set(startTs, held.owner);
          try {
            await this.waitRelease(hex, leftMs);
          } finally {
            this.waitFor.delete(startTs);
          }
          continue;
        }
        const newest = this.versions.get(hex)?.[0];
        if (newest !== undefined && newest.commitTs > opts.forUpdateTs) throw new WriteConflictError(key, startTs, newest.commitTs);
        if (held === undefined) this.locks.set(hex, { owner: startTs, forUpdateTs: opts.forUpdateTs });
        else if (opts.forUpdateTs > held.forUpdateTs) held.forUpdateTs = opts.forUpdateTs;
        owned.add(hex);
        break;
      }
    }
  }

  /** Whether `waiter` waiting for `owner` closes a cycle in the wait-for graph. */
  private closesCycle(waiter: bigint, owner: bigint): boolean {
    let cur: bigint | undefined = owner;
    for (let hops = 0; cur !== undefined && hops <= this.waitFor.size; hops++) {
      if (cur === waiter) return true;
      cur = this.waitFor.get(cur);
    }
    return false;
  }

  /** Resolves when `hex`'s lock is released or after `timeoutMs`. */
  private waitRelease(hex: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.lockWaiters.get(hex);
      if (set === undefined) this.lockWaiters.set(hex, (set = new Set()));
      const wake = (): void => {
        cancel();
        set.delete(wake);
        if (set.size === 0 && this.lockWaiters.get(hex) === set) this.lockWaiters.delete(hex);
        resolve();
      };
      const cancel = this.clock.setTimeout(wake, timeoutMs);
      set.add(wake);
    });
  }

  /** Drops txn `startTs`'s locks on `owned` and wakes their waiters. */
  releaseLocks(startTs: bigint, owned: Set<string>): void {
    for (const hex of owned) {
      if (this.locks.get(hex)?.owner !== startTs) continue;
      this.locks.delete(hex);
      for (const wake of [...(this.lockWaiters.get(hex) ?? [])]) wake();
    }
    owned.clear();
  }

  /**
   * Commits txn `startTs`: waits (bounded) while another txn holds a pessimistic lock on a
   * written key, then checks conflicts and applies in one synchronous step. Keys the txn
   * locked itself are checked against nothing (the lock kept writers out since its
   * for_update_ts); other keys conflict with any version committed after start_ts.
   * `checkOnly` keys are conflict-checked like writes but not written (TiKV Op Lock).
   */
  async commitTxn(startTs: bigint, writes: Map<string, Uint8Array | undefined>, owned: Set<string>, checkOnly: ReadonlySet<string> = new Set()): Promise<bigint> {
    const deadlineMs = this.clock.monotonicMs() + MEMORY_COMMIT_LOCK_WAIT_MS;
    for (;;) {
      let blocked: string | undefined;
      for (const hex of [...writes.keys(), ...checkOnly]) {
        const held = this.locks.get(hex);
        if (held !== undefined && held.owner !== startTs) {
          blocked = hex;
          break;
        }
      }
      if (blocked === undefined) break;
      const leftMs = deadlineMs - this.clock.monotonicMs();
      if (leftMs <= 0) throw new LockWaitTimeoutError(startTs, hexToBytes(blocked), MEMORY_COMMIT_LOCK_WAIT_MS);
      await this.waitRelease(blocked, leftMs);
    }
    const commitTs = this.commitWrites(startTs, writes, owned, checkOnly);
    this.releaseLocks(startTs, owned);
    return commitTs;
  }

  /**
   * Conflict check and apply in one synchronous step; returns the commit_ts.
   * Throws WriteConflictError if any key not in `owned` has a version committed after startTs.
   */
  commitWrites(startTs: bigint, writes: Map<string, Uint8Array | undefined>, owned: ReadonlySet<string> = new Set(), checkOnly: ReadonlySet<string> = new Set()): bigint {
    for (const hex of [...writes.keys(), ...checkOnly]) {
      if (owned.has(hex)) continue;
      const vs = this.versions.get(hex);
      const newest = vs?.[0];
      if (newest !== undefined && newest.commitTs > startTs) throw new WriteConflictError(hexToBytes(hex), startTs, newest.commitTs);
    }
    const commitTs = this.nextTs();
    for (const [hex, value] of writes) {
      let vs = this.versions.get(hex);
      if (vs === undefined) {
        vs = [];
        this.versions.set(hex, vs);
        this.sortedKeys.splice(lowerBound(this.sortedKeys, hex), 0, hex);
      }
      vs.unshift({ commitTs, value });
    }
    return commitTs;
  }
}

function lowerBound(arr: readonly string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class MemorySnapshot implements KvSnapshotReader {
  constructor(
    protected readonly store: MemoryKvClient,
    readonly ts: bigint,
  ) {}

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.store.readAt(bytesToHex(key), this.ts);
  }

  async batchGet(keys: Uint8Array[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const k of keys) {
      const v = await this.get(k);
      if (v !== undefined) out.set(bytesToHex(k), v);
    }
    return out;
  }

  async *scan(start: Uint8Array, end: Uint8Array, opts?: { limit?: number; reverse?: boolean }): AsyncIterable<{ key: Uint8Array; value: Uint8Array }> {
    yield* this.store.scanAt(start, end, this.ts, opts?.reverse === true, opts?.limit ?? MEMORY_SCAN_ROWS_MAX);
  }
}

class MemoryTxn extends MemorySnapshot implements KvTxn {
  private readonly writes = new Map<string, Uint8Array | undefined>();
  /** Keys this txn holds pessimistic locks on (hex). */
  private readonly owned = new Set<string>();
  /** Keys only conflict-checked at commit (`lockAtCommit`). */
  private readonly checkOnly = new Set<string>();
  private finished = false;

  constructor(
    store: MemoryKvClient,
    readonly startTs: bigint,
    readonly pessimistic: boolean,
  ) {
    super(store, startTs);
  }

  override async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getAt(key, this.ts);
  }

  override async *scan(start: Uint8Array, end: Uint8Array, opts?: { limit?: number; reverse?: boolean }): AsyncIterable<{ key: Uint8Array; value: Uint8Array }> {
    yield* this.scanAt(start, end, this.ts, opts);
  }

  /** The buffer over the store at `readTs`. */
  async getAt(key: Uint8Array, readTs: bigint): Promise<Uint8Array | undefined> {
    this.checkActive();
    const hex = bytesToHex(key);
    if (this.writes.has(hex)) return this.writes.get(hex);
    return this.store.readAt(hex, readTs);
  }

  async *scanAt(start: Uint8Array, end: Uint8Array, readTs: bigint, opts?: { limit?: number; reverse?: boolean }): AsyncIterable<{ key: Uint8Array; value: Uint8Array }> {
    this.checkActive();
    const reverse = opts?.reverse === true;
    const limit = opts?.limit ?? MEMORY_SCAN_ROWS_MAX;
    const s = bytesToHex(start);
    const e = end.length === 0 ? undefined : bytesToHex(end);
    const buffered: BufferedWrite[] = [];
    for (const [hex, value] of this.writes) {
      if (hex >= s && (e === undefined || hex < e)) buffered.push({ key: hexToBytes(hex), value });
    }
    buffered.sort((a, b) => (reverse ? -bytesCompare(a.key, b.key) : bytesCompare(a.key, b.key)));
    const base = this.store.scanAt(start, end, readTs, reverse, limit + buffered.length);
    yield* bufferedScan(toAsync(base), buffered, reverse, limit);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.checkActive();
    this.writes.set(bytesToHex(key), value);
  }

  delete(key: Uint8Array): void {
    this.checkActive();
    this.writes.set(bytesToHex(key), undefined);
  }

  async lockKeys(keys: readonly Uint8Array[], opts: LockKeysOptions): Promise<void> {
    this.checkActive();
    if (!this.pessimistic) throw new DomainError('InvalidArgument', 'lockKeys needs a pessimistic transaction');
    await this.store.lockKeys(this.startTs, keys, opts, this.owned, () => !this.finished);
  }

  currentRead(forUpdateTs: bigint): KvSnapshotReader {
    const txn = this;
    return {
      ts: forUpdateTs,
      get: (key) => txn.getAt(key, forUpdateTs),
      async batchGet(keys) {
        const out = new Map<string, Uint8Array>();
        for (const k of keys) {
          const v = await txn.getAt(k, forUpdateTs);
          if (v !== undefined) out.set(bytesToHex(k), v);
        }
        return out;
      },
      scan: (start, end, opts) => txn.scanAt(start, end, forUpdateTs, opts),
    };
  }

  lockAtCommit(keys: readonly Uint8Array[]): void {
    this.checkActive();
    for (const k of keys) this.checkOnly.add(bytesToHex(k));
  }

  async commit(): Promise<bigint> {
    this.checkActive();
    this.finished = true;
    if (this.writes.size === 0 && this.checkOnly.size === 0) {
      this.store.releaseLocks(this.startTs, this.owned);
      return this.startTs;
    }
    try {
      return await this.store.commitTxn(this.startTs, this.writes, this.owned, this.checkOnly);
    } finally {
      this.store.releaseLocks(this.startTs, this.owned);
    }
  }

  async rollback(): Promise<void> {
    this.finished = true;
    this.writes.clear();
    this.store.releaseLocks(this.startTs, this.owned);
  }

  private checkActive(): void {
    if (this.finished) throw new TxnClosedError(this.startTs);
  }
}

async function* toAsync<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}
