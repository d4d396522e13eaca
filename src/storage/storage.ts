import { encodeKey } from '../codec/mod.ts';
import type { CfName, KvSnapshot } from '../engine/mod.ts';
import { CorruptionError, DomainError, bytesCompare, bytesEqual, bytesToHex, type Clock } from '../util/mod.ts';
import { acquirePessimisticLock } from './actions/acquire_pessimistic_lock.ts';
import { checkTxnStatusLockExists } from './actions/check_txn_status.ts';
import { commit } from './actions/commit.ts';
import { collectGc } from './actions/gc.ts';
import { prewrite, type CommitKind, type TxnProps } from './actions/prewrite.ts';
import { checkTxnStatusMissingLock, cleanup, collapsePrevRollback, makeRollback } from './actions/rollback.ts';
import type { TxnStatus } from './actions/txn_status.ts';
import { ConcurrencyManager } from './concurrency_manager.ts';
import { toErrorString, toKeyError } from './key_error.ts';
import { maxLower, minUpper } from './key_range.ts';
import * as pb from './kvrpc_types.ts';
import { Latches } from './latches.ts';
import { LockType, type Lock } from './lock.ts';
import { MvccReader } from './mvcc_reader.ts';
import { mvccScan, valueFromLock } from './mvcc_scanner.ts';
import { MvccTxn } from './mvcc_txn.ts';
import { checkLockForRead, type ReadOptions } from './read_check.ts';
import type { Modify, RegionContext, RegionError, RegionKv, RegionRange, RegionRangeSource } from './region_kv.ts';
import { DEFAULT_STORAGE_LIMITS, type StorageLimits } from './storage_limits.ts';
import { TS_MAX } from './timestamp.ts';
import { TxnError, txnError } from './txn_error.ts';
import { Write, WriteType, writeTypeFromLockType } from './write.ts';

/** A command's answer, or the region error that stopped it. */
export type Answer<T> = T | { regionError: RegionError };

/** Whether an answer is a region error. */
export function isRegionError<T extends object>(a: Answer<T>): a is { regionError: RegionError } {
  return 'regionError' in a && (a as { regionError?: RegionError }).regionError !== undefined;
}

/** Thrown inside a command body to leave with a region error (caught by the command runner). */
class RegionErrorSignal extends Error {
  constructor(readonly regionError: RegionError) {
    super(regionError.message);
  }
}

/** What `Storage.gc` did. */
export interface GcResult {
  error?: pb.KeyError;
  keysScanned: number;
  versionsDeleted: number;
}

/** A consistent view for the coprocessor: MVCC reads at `read.ts` within `range`. */
export interface ReadSnapshot {
  snapshot: KvSnapshot;
  range: RegionRange;
  read: ReadOptions;
}

/** A snapshot that carries its region (raftstore `RegionSnapshot`). */
interface RegionCarrier {
  region: RegionRange | null;
}

const EMPTY = new Uint8Array(0);
/** `kvrpcpb.IsolationLevel.RC`: reads ignore locks. */
const ISOLATION_RC = 1;
const WHOLE_RANGE: RegionRange = { startKey: EMPTY, endKey: EMPTY };

/**
 * The storage facade: one async method per kvrpcpb command, taking the decoded request and
 * returning the response without `regionError`, or `{ regionError }`.
 *
 * Write commands: latch the keys -> snapshot -> pure actions into an `MvccTxn` -> one
 * `RegionKv.write` -> release memory locks and latches -> wake lock waiters. Reads take no
 * latches: they bump max_ts and check memory locks synchronously, then read a snapshot.
 * Expected failures come back as `KeyError`s (mapped in `key_error.ts`); corruption and
 * assertion failures propagate as exceptions.
 */
export class Storage {
  readonly concurrencyManager: ConcurrencyManager;
  readonly latches = new Latches();
  readonly limits: StorageLimits;
  /** Lock waiters by raw key (hex): woken when a command removes the key's lock. */
  private readonly lockWaiters = new Map<string, Set<() => void>>();
  /** Pessimistic lock waits in progress: waiter start_ts -> holder start_ts (local deadlock detection). */
  private readonly waitFor = new Map<bigint, { lockTs: bigint; key: Uint8Array }>();

  constructor(
    private readonly regionKv: RegionKv & Partial<RegionRangeSource>,
    private readonly clock: Clock,
    limits: Partial<StorageLimits> = {},
    concurrencyManager?: ConcurrencyManager,
  ) {
    this.limits = { ...DEFAULT_STORAGE_LIMITS, ...limits };
    this.concurrencyManager = concurrencyManager ?? new ConcurrencyManager();
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * The region range for a snapshot: the `region` a raftstore `RegionSnapshot` carries (the
   * region as of the snapshot), else `RegionKv.regionRange`, else the whole keyspace.
   */
  private range(ctx: RegionContext, snapshot: KvSnapshot): RegionRange {
    const carried = (snapshot as Partial<RegionCarrier>).region;
    if (carried !== undefined && carried !== null) return carried;
    return this.regionKv.regionRange?.(ctx) ?? WHOLE_RANGE;
  }

  private async takeSnapshot(ctx: RegionContext): Promise<{ snapshot: KvSnapshot; range: RegionRange }> {
    const r = await this.regionKv.snapshot(ctx);
    if (!r.ok) throw new RegionErrorSignal(r.regionError);
    return { snapshot: r.value, range: this.range(ctx, r.value) };
  }

  /** Runs `fn` on a fresh snapshot of the region and releases it afterwards. */
  private async withSnapshot<T>(
    ctx: RegionContext,
    fn: (snapshot: KvSnapshot, range: RegionRange) => Promise<T>,
  ): Promise<T> {
    const { snapshot, range } = await this.takeSnapshot(ctx);
    try {
      return await fn(snapshot, range);
    } finally {
      snapshot.release();
    }
  }

  private checkKey(key: Uint8Array): void {
    if (key.length > this.limits.keyBytesMax) {
      throw txnError({ kind: 'KeyTooLarge', size: key.length, limit: this.limits.keyBytesMax });
    }
  }

  /** Transactional timestamps from the client must be non-zero (0 is "unset" on the wire). */
  private requireTs(what: string, ts: bigint): bigint {
    if (ts === 0n) throw txnError({ kind: 'InvalidRequest', message: `${what} must be set` });
    return ts;
  }

  private checkKeyCount(n: number): void {
    if (n > this.limits.requestKeysMax) {
      throw txnError({ kind: 'InvalidRequest', message: `too many keys: ${n} > ${this.limits.requestKeysMax}` });
    }
  }

  private keyNotInRegion(ctx: RegionContext, key: Uint8Array, range: RegionRange): RegionError {
    return {
      message: `key ${bytesToHex(key)} is not in region ${ctx.regionId}`,
      keyNotInRegion: { key, regionId: ctx.regionId, startKey: range.startKey, endKey: range.endKey },
    };
  }

  /** Region check for a transactional (encoded) key. */
  private checkTxnKeyInRegion(ctx: RegionContext, key: Uint8Array, range: RegionRange): void {
    if (range.startKey.length === 0 && range.endKey.length === 0) return;
    const enc = encodeKey(key);
    if (bytesCompare(enc, range.startKey) < 0 || (range.endKey.length > 0 && bytesCompare(enc, range.endKey) >= 0)) {
      throw new RegionErrorSignal(this.keyNotInRegion(ctx, key, range));
    }
  }

  private checkRawKeyInRegion(ctx: RegionContext, key: Uint8Array, range: RegionRange): void {
    if (
      bytesCompare(key, range.startKey) < 0 ||
      (range.endKey.length > 0 && bytesCompare(key, range.endKey) >= 0)
    ) {
      throw new RegionErrorSignal(this.keyNotInRegion(ctx, key, range));
    }
  }

  /**
   * Runs `body` with an error mapping: region errors become `{ regionError }`, domain
   * errors go to `onError`; anything else (bugs, corruption) propagates.
   */
  private async guard<T>(body: () => Promise<T>, onError: (e: DomainError) => T): Promise<Answer<T>> {
    try {
      return await body();
    } catch (e) {
      if (e instanceof RegionErrorSignal) return { regionError: e.regionError };
      if (e instanceof DomainError && !(e instanceof CorruptionError)) return onError(e);
      throw e;
    }
  }

  /**
   * The write-command skeleton: latch `keys`, snapshot, run `body` on a fresh write buffer,
   * apply its modifications, release everything, wake waiters. `body` may clear the buffer
   * (`txn.modifies.length = 0`) to skip the write.
   */
  private async runWrite<T>(
    ctx: RegionContext,
    keys: readonly Uint8Array[],
    startTs: bigint,
    body: (txn: MvccTxn, reader: MvccReader, range: RegionRange) => Promise<T>,
  ): Promise<T> {
    const latch = await this.latches.acquire(keys);
    const txn = new MvccTxn(startTs, this.concurrencyManager);
    let snapshot: KvSnapshot | undefined;
    try {
      const snap = await this.takeSnapshot(ctx);
      snapshot = snap.snapshot;
      const result = await body(txn, new MvccReader(snapshot), snap.range);
      if (txn.modifies.length > 0) await this.apply(ctx, txn.modifies);
      this.wakeLockWaiters(txn.releasedLockKeys);
      return result;
    } finally {
      snapshot?.release();
      txn.releaseGuards();
      latch.release();
    }
  }

  private async apply(ctx: RegionContext, modifies: Modify[]): Promise<void> {
    const w = await this.regionKv.write(ctx, modifies);
    if (!w.ok) throw new RegionErrorSignal(w.regionError);
  }

  private wakeLockWaiters(keys: readonly Uint8Array[]): void {
    if (this.lockWaiters.size === 0) return;
    for (const k of keys) {
      const id = bytesToHex(k);
      const set = this.lockWaiters.get(id);
      if (set === undefined) continue;
      this.lockWaiters.delete(id);
      for (const wake of set) wake();
    }
  }

  private wakeAllLockWaiters(): void {
    const all = [...this.lockWaiters.values()];
    this.lockWaiters.clear();
    for (const set of all) for (const wake of set) wake();
  }

  /** Resolves when the lock on `key` is removed by a command here, or after `timeoutMs`. */
  private waitForLockRelease(key: Uint8Array, timeoutMs: number): Promise<void> {
    const id = bytesToHex(key);
    return new Promise<void>((resolve) => {
      let set = this.lockWaiters.get(id);
      if (set === undefined) {
        set = new Set();
        this.lockWaiters.set(id, set);
      }
      let cancel = (): void => {};
      const wake = (): void => {
        cancel();
        resolve();
      };
      set.add(wake);
      cancel = this.clock.setTimeout(() => {
        const s = this.lockWaiters.get(id);
        s?.delete(wake);
        if (s !== undefined && s.size === 0) this.lockWaiters.delete(id);
        resolve();
      }, timeoutMs);
    });
  }

  private readOptions(context: pb.KvContext | null | undefined, ts: bigint): ReadOptions {
    return {
      ts,
      ignoreLocks: context?.isolationLevel === ISOLATION_RC,
      resolvedLocks: new Set(context?.resolvedLocks ?? []),
      committedLocks: new Set(context?.committedLocks ?? []),
    };
  }

  /**
   * The read-side concurrency-manager step: raise max_ts, then look for an in-flight
   * async-commit / 1PC lock that the read must observe. Synchronous on purpose.
   */
  private readMemoryLockCheck(
    read: ReadOptions,
    inRange: (key: Uint8Array) => boolean,
  ): pb.LockInfo | undefined {
    this.concurrencyManager.updateMaxTs(read.ts);
    return this.concurrencyManager.readRangeCheck(inRange, (key, lock) =>
      checkLockForRead(lock, key, read) === 'blocked' ? lock.toLockInfo(key) : undefined,
    );
  }

  private readKeyMemoryLockCheck(read: ReadOptions, key: Uint8Array): pb.LockInfo | undefined {
    this.concurrencyManager.updateMaxTs(read.ts);
    return this.concurrencyManager.readKeyCheck(key, (k, lock) =>
      checkLockForRead(lock, k, read) === 'blocked' ? lock.toLockInfo(k) : undefined,
    );
  }

  /** MVCC point read at `read.ts` honoring locks; throws KeyIsLocked. */
  private async pointGet(reader: MvccReader, key: Uint8Array, read: ReadOptions): Promise<Uint8Array | undefined> {
    const lock = await reader.loadLock(key);
    if (lock !== undefined) {
      const verdict = checkLockForRead(lock, key, read);
      if (verdict === 'blocked') throw txnError({ kind: 'KeyIsLocked', lockInfo: lock.toLockInfo(key) });
      if (verdict === 'readThrough') {
        const v = await valueFromLock(reader, key, lock);
        if (v !== 'fallThrough') return v;
      }
    }
    return reader.get(key, read.ts);
  }

  // ---------------------------------------------------------------- transactional reads

  async kvGet(ctx: RegionContext, req: pb.GetRequest): Promise<Answer<pb.GetResponse>> {
    return this.guard<pb.GetResponse>(
      async () => {
        const key = req.key ?? EMPTY;
        this.checkKey(key);
        const read = this.readOptions(req.context, req.version ?? 0n);
        const mem = this.readKeyMemoryLockCheck(read, key);
        if (mem !== undefined) return { error: { locked: mem }, value: EMPTY, notFound: false };
        return await this.withSnapshot(ctx, async (snapshot, range) => {
          this.checkTxnKeyInRegion(ctx, key, range);
          const value = await this.pointGet(new MvccReader(snapshot), key, read);
          return { value: value ?? EMPTY, notFound: value === undefined };
        });
      },
      (e) => ({ error: toKeyError(e), value: EMPTY, notFound: false }),
    );
  }

  async kvBatchGet(ctx: RegionContext, req: pb.BatchGetRequest): Promise<Answer<pb.BatchGetResponse>> {
    return this.guard<pb.BatchGetResponse>(
      async () => {
        const keys = req.keys ?? [];
        this.checkKeyCount(keys.length);
        for (const k of keys) this.checkKey(k);
        const read = this.readOptions(req.context, req.version ?? 0n);
        const pairs: pb.KvPair[] = [];
        const memLocked = new Map<string, pb.LockInfo>();
        this.concurrencyManager.updateMaxTs(read.ts);
        for (const k of keys) {
          const info = this.readKeyMemoryLockCheck(read, k);
          if (info !== undefined) memLocked.set(bytesToHex(k), info);
        }
        await this.withSnapshot(ctx, async (snapshot, range) => {
          const reader = new MvccReader(snapshot);
          for (const key of keys) {
            this.checkTxnKeyInRegion(ctx, key, range);
            const mem = memLocked.get(bytesToHex(key));
            if (mem !== undefined) {
              pairs.push({ key, value: EMPTY, error: { locked: mem } });
              continue;
            }
            try {
              const v = await this.pointGet(reader, key, read);
              if (v !== undefined) pairs.push({ key, value: v });
            } catch (e) {
              if (!(e instanceof TxnError)) throw e;
              pairs.push({ key, value: EMPTY, error: toKeyError(e) });
            }
          }
        });
        return { pairs };
      },
      (e) => ({ pairs: [], error: toKeyError(e) }),
    );
  }

  async kvScan(ctx: RegionContext, req: pb.ScanRequest): Promise<Answer<pb.ScanResponse>> {
    return this.guard<pb.ScanResponse>(
      async () => {
        const start = req.startKey ?? EMPTY;
        const end = req.endKey ?? EMPTY;
        this.checkKey(start);
        this.checkKey(end);
        const limit = Math.min(req.limit ?? 0, this.limits.scanRowsMax);
        const read = this.readOptions(req.context, req.version ?? 0n);
        const reverse = req.reverse ?? false;
        // Raw bounds: forward [start, end); reverse [end, start) with start empty = +inf.
        const lowRaw = reverse ? end : start;
        const highRaw = reverse ? start : end;
        const mem = this.readMemoryLockCheck(
          read,
          (k) => bytesCompare(k, lowRaw) >= 0 && (highRaw.length === 0 || bytesCompare(k, highRaw) < 0),
        );
        if (mem !== undefined) return { pairs: [], error: { locked: mem } };
        if (limit === 0) return { pairs: [] };
        return await this.withSnapshot(ctx, async (snapshot, range) => {
          const lowerEnc = maxLower(encodeKey(lowRaw), range.startKey);
          const upperEnc = minUpper(highRaw.length === 0 ? EMPTY : encodeKey(highRaw), range.endKey);
          if (upperEnc.length > 0 && bytesCompare(lowerEnc, upperEnc) >= 0) return { pairs: [] };
          const pairs = await mvccScan(snapshot, {
            lowerEnc,
            upperEnc,
            reverse,
            limit,
            keyOnly: req.keyOnly ?? false,
            read,
          });
          return { pairs };
        });
      },
      (e) => ({ pairs: [], error: toKeyError(e) }),
    );
  }

  /**
   * A snapshot for a coprocessor read at `startTs` over raw `ranges`: max_ts is raised and
   * in-flight async-commit locks in the ranges are reported first, like any other read.
   */
  async readSnapshot(
    ctx: RegionContext,
    context: pb.KvContext | null | undefined,
    startTs: bigint,
    ranges: readonly { start: Uint8Array; end: Uint8Array }[],
  ): Promise<Answer<ReadSnapshot | { error: pb.KeyError }>> {
    type Out = ReadSnapshot | { error: pb.KeyError };
    return this.guard<Out>(
      async (): Promise<Out> => {
        const read = this.readOptions(context, startTs);
        const mem = this.readMemoryLockCheck(read, (k) =>
          ranges.some((r) => bytesCompare(k, r.start) >= 0 && (r.end.length === 0 || bytesCompare(k, r.end) < 0)),
        );
        if (mem !== undefined) return { error: { locked: mem } };
        const { snapshot, range } = await this.takeSnapshot(ctx);
        return { snapshot, range, read };
      },
      (e): Out => ({ error: toKeyError(e) }),
    );
  }

  // ---------------------------------------------------------------- transactional writes

  async prewrite(ctx: RegionContext, req: pb.PrewriteRequest): Promise<Answer<pb.PrewriteResponse>> {
    return this.guard<pb.PrewriteResponse>(
      async () => {
        const mutations = req.mutations ?? [];
        this.checkKeyCount(mutations.length);
        const startTs = req.startVersion ?? 0n;
        if (startTs === 0n) throw txnError({ kind: 'InvalidRequest', message: 'prewrite: start_version is 0' });
        const primary = req.primaryLock ?? EMPTY;
        this.checkKey(primary);
        const keys = mutations.map((m) => m.key ?? EMPTY);
        for (const k of keys) this.checkKey(k);
        if (new Set(keys.map(bytesToHex)).size !== keys.length) {
          throw txnError({ kind: 'InvalidRequest', message: 'prewrite: duplicate keys in mutations' });
        }
        const maxCommitTs = req.maxCommitTs ?? 0n;
        let commitKind: CommitKind = req.tryOnePc
          ? { kind: '1pc', maxCommitTs }
          : req.useAsyncCommit
            ? { kind: 'async', maxCommitTs }
            : { kind: '2pc' };
        let secondaries: Uint8Array[] | undefined = req.useAsyncCommit ? (req.secondaries ?? []) : undefined;
        const props: TxnProps = {
          startTs,
          primary,
          forUpdateTs: req.forUpdateTs ?? 0n,
          skipConstraintCheck: req.skipConstraintCheck ?? false,
          commitKind,
          txnSize: req.txnSize ?? 0n,
          lockTtl: req.lockTtl ?? 0n,
          minCommitTs: req.minCommitTs ?? 0n,
          isRetryRequest: req.context?.isRetryRequest === true,
          assertionLevel: req.assertionLevel ?? 0,
        };
        const actions = req.pessimisticActions ?? [];
        return this.runWrite(ctx, keys, startTs, async (txn, reader, range) => {
          for (const k of keys) this.checkTxnKeyInRegion(ctx, k, range);
          let finalMinCommitTs = 0n;
          const locked: pb.KeyError[] = [];
          let assertionFailure: TxnError | undefined;
          const fallbackTo2pc = (): void => {
            commitKind = { kind: '2pc' };
            props.commitKind = commitKind;
            secondaries = undefined;
            for (const l of txn.locksFor1pc) txn.putLock(l.key, l.lock);
            txn.locksFor1pc.length = 0;
            txn.releaseGuards();
            finalMinCommitTs = 0n;
          };
          const alreadyCommitted = async (key: Uint8Array): Promise<bigint | undefined> => {
            const r = await reader.getTxnCommitRecord(key, startTs);
            return r.kind === 'single' && r.write.writeType !== WriteType.Rollback ? r.commitTs : undefined;
          };
          for (let i = 0; i < mutations.length; i++) {
            const m = mutations[i]!;
            const key = keys[i]!;
            const isPrimary = bytesEqual(key, primary);
            try {
              const ts = await prewrite(
                txn,
                reader,
                props,
                { op: m.op ?? 0, key, value: m.value ?? EMPTY, assertion: m.assertion ?? 0 },
                // Every key of an async-commit transaction gets an async lock; only the
                // primary's lists the secondaries.
                secondaries === undefined ? undefined : isPrimary ? secondaries : [],
                props.forUpdateTs !== 0n ? (actions[i] ?? 0) : 0,
              );
              if (commitKind.kind !== '2pc' && ts === 0n) fallbackTo2pc();
              else if (ts > finalMinCommitTs) finalMinCommitTs = ts;
            } catch (e) {
              if (!(e instanceof TxnError)) throw e;
              const d = e.detail;
              if (
                (d.kind === 'WriteConflict' && d.conflictCommitTs > d.startTs) ||
                d.kind === 'PessimisticLockNotFound'
              ) {
                const committedAt = await alreadyCommitted(key);
                if (committedAt === undefined) throw e;
                return this.prewriteAlreadyCommitted(txn, committedAt, secondaries !== undefined, commitKind);
              }
              if (d.kind === 'CommitTsTooLarge') {
                fallbackTo2pc();
              } else if (d.kind === 'KeyIsLocked') {
                const committedAt = await alreadyCommitted(key);
                if (committedAt !== undefined) {
                  return this.prewriteAlreadyCommitted(txn, committedAt, secondaries !== undefined, commitKind);
                }
                locked.push(toKeyError(e));
              } else if (d.kind === 'AssertionFailed') {
                assertionFailure ??= e;
              } else {
                throw e;
              }
            }
          }
          if (assertionFailure !== undefined) throw assertionFailure;
          const asyncCommitTs = secondaries !== undefined ? finalMinCommitTs : 0n;
          if (locked.length > 0) {
            // Nothing is written when any key is locked.
            txn.modifies.length = 0;
            txn.releaseGuards();
            return { errors: locked, minCommitTs: asyncCommitTs, onePcCommitTs: 0n };
          }
          let onePcCommitTs = 0n;
          if (commitKind.kind === '1pc') {
            onePcCommitTs = finalMinCommitTs;
            for (const l of txn.locksFor1pc) {
              txn.putWrite(l.key, onePcCommitTs, writeFor1pc(l.lock, startTs));
              if (l.deletePessimisticLock) txn.unlockKey(l.key);
            }
            txn.locksFor1pc.length = 0;
          }
          return { errors: [], minCommitTs: asyncCommitTs, onePcCommitTs };
        });
      },
      (e) => ({ errors: [toKeyError(e)], minCommitTs: 0n, onePcCommitTs: 0n }),
    );
  }

  private prewriteAlreadyCommitted(
    txn: MvccTxn,
    commitTs: bigint,
    asyncCommit: boolean,
    commitKind: CommitKind,
  ): pb.PrewriteResponse {
    txn.modifies.length = 0;
    txn.locksFor1pc.length = 0;
    txn.releaseGuards();
    return {
      errors: [],
      minCommitTs: asyncCommit ? commitTs : 0n,
      onePcCommitTs: commitKind.kind === '1pc' ? commitTs : 0n,
    };
  }

  async commit(ctx: RegionContext, req: pb.CommitRequest): Promise<Answer<pb.CommitResponse>> {
    return this.guard<pb.CommitResponse>(
      async () => {
        const keys = req.keys ?? [];
        this.checkKeyCount(keys.length);
        for (const k of keys) this.checkKey(k);
        const startTs = this.requireTs('start_version', req.startVersion ?? 0n);
        const commitTs = req.commitVersion ?? 0n;
        if (commitTs <= startTs) throw txnError({ kind: 'InvalidTxnTso', startTs, commitTs });
        return this.runWrite(ctx, keys, startTs, async (txn, reader, range) => {
          for (const key of keys) {
            this.checkTxnKeyInRegion(ctx, key, range);
            await commit(txn, reader, key, commitTs);
          }
          return { commitVersion: commitTs };
        });
      },
      (e) => ({ error: toKeyError(e), commitVersion: 0n }),
    );
  }

  async batchRollback(ctx: RegionContext, req: pb.BatchRollbackRequest): Promise<Answer<pb.BatchRollbackResponse>> {
    return this.guard<pb.BatchRollbackResponse>(
      async () => {
        const keys = req.keys ?? [];
        this.checkKeyCount(keys.length);
        for (const k of keys) this.checkKey(k);
        const startTs = this.requireTs('start_version', req.startVersion ?? 0n);
        return this.runWrite(ctx, keys, startTs, async (txn, reader, range) => {
          for (const key of keys) {
            this.checkTxnKeyInRegion(ctx, key, range);
            // A rollback is sent only when the transaction is known to fail: no protection needed.
            await cleanup(txn, reader, key, 0n, false);
          }
          return {};
        });
      },
      (e) => ({ error: toKeyError(e) }),
    );
  }

  async cleanup(ctx: RegionContext, req: pb.CleanupRequest): Promise<Answer<pb.CleanupResponse>> {
    return this.guard<pb.CleanupResponse>(
      async () => {
        const key = req.key ?? EMPTY;
        this.checkKey(key);
        const startTs = this.requireTs('start_version', req.startVersion ?? 0n);
        try {
          return await this.runWrite(ctx, [key], startTs, async (txn, reader, range) => {
            this.checkTxnKeyInRegion(ctx, key, range);
            await cleanup(txn, reader, key, req.currentTs ?? 0n, true);
            return { commitVersion: 0n };
          });
        } catch (e) {
          if (e instanceof TxnError && e.detail.kind === 'Committed') return { commitVersion: e.detail.commitTs };
          throw e;
        }
      },
      (e) => ({ error: toKeyError(e), commitVersion: 0n }),
    );
  }

  async checkTxnStatus(ctx: RegionContext, req: pb.CheckTxnStatusRequest): Promise<Answer<pb.CheckTxnStatusResponse>> {
    return this.guard<pb.CheckTxnStatusResponse>(
      async () => {
        const primary = req.primaryKey ?? EMPTY;
        this.checkKey(primary);
        const lockTs = this.requireTs('lock_ts', req.lockTs ?? 0n);
        const callerStartTs = req.callerStartTs ?? 0n;
        const currentTs = req.currentTs ?? 0n;
        return this.runWrite(ctx, [primary], lockTs, async (txn, reader, range) => {
          this.checkTxnKeyInRegion(ctx, primary, range);
          let newMaxTs = lockTs;
          if (currentTs !== TS_MAX && currentTs > newMaxTs) newMaxTs = currentTs;
          if (callerStartTs !== TS_MAX && callerStartTs > newMaxTs) newMaxTs = callerStartTs;
          this.concurrencyManager.updateMaxTs(newMaxTs);
          const lock = await reader.loadLock(primary);
          let status: TxnStatus;
          if (lock !== undefined && lock.startTs === lockTs) {
            status = await checkTxnStatusLockExists(
              txn,
              reader,
              primary,
              lock,
              currentTs,
              callerStartTs,
              req.forceSyncCommit ?? false,
              req.resolvingPessimisticLock ?? false,
            );
          } else {
            status = await checkTxnStatusMissingLock(
              txn,
              reader,
              primary,
              lock,
              req.rollbackIfNotExist ? 'protectedRollback' : 'returnError',
              req.resolvingPessimisticLock ?? false,
            );
          }
          return txnStatusResponse(status);
        });
      },
      (e) => ({ error: toKeyError(e), lockTtl: 0n, commitVersion: 0n, action: pb.Action.NoAction }),
    );
  }

  async checkSecondaryLocks(
    ctx: RegionContext,
    req: pb.CheckSecondaryLocksRequest,
  ): Promise<Answer<pb.CheckSecondaryLocksResponse>> {
    return this.guard<pb.CheckSecondaryLocksResponse>(
      async () => {
        const keys = req.keys ?? [];
        this.checkKeyCount(keys.length);
        for (const k of keys) this.checkKey(k);
        const startTs = this.requireTs('start_version', req.startVersion ?? 0n);
        return this.runWrite(ctx, keys, startTs, async (txn, reader, range) => {
          const locks: pb.LockInfo[] = [];
          for (const key of keys) {
            this.checkTxnKeyInRegion(ctx, key, range);
            const lock = await reader.loadLock(key);
            let outcome: 'locked' | 'committed' | 'rolledBack';
            let commitTs = 0n;
            let needRollback = false;
            let overlapped: Parameters<typeof makeRollback>[2];
            let mismatch: Lock | undefined;
            if (lock !== undefined && lock.startTs === startTs) {
              if (lock.lockType === LockType.Pessimistic) {
                txn.unlockKey(key);
                const r = await reader.getTxnCommitRecord(key, startTs);
                overlapped = r.kind === 'none' ? r.overlapped : undefined;
                outcome = 'rolledBack';
                needRollback = true;
              } else {
                locks.push(lock.toLockInfo(key));
                outcome = 'locked';
              }
            } else {
              mismatch = lock;
              const r = await reader.getTxnCommitRecord(key, startTs);
              if (r.kind === 'single') {
                if (r.write.writeType !== WriteType.Rollback) {
                  outcome = 'committed';
                  commitTs = r.commitTs;
                } else {
                  outcome = 'rolledBack';
                }
              } else if (r.kind === 'overlappedRollback') {
                outcome = 'rolledBack';
              } else {
                outcome = 'rolledBack';
                needRollback = true;
                overlapped = r.overlapped;
              }
            }
            if (needRollback) {
              if (mismatch !== undefined) txn.markRollbackOnMismatchingLock(key, mismatch, true);
              // Protected: a stale pessimistic lock + prewrite must never succeed after this.
              const w = makeRollback(startTs, true, overlapped);
              if (w !== undefined) {
                txn.putWrite(key, startTs, w);
                await collapsePrevRollback(txn, reader, key);
              }
            }
            if (outcome === 'committed') return { locks: [], commitTs };
            if (outcome === 'rolledBack') return { locks: [], commitTs: 0n };
          }
          return { locks, commitTs: 0n };
        });
      },
      (e) => ({ error: toKeyError(e), locks: [], commitTs: 0n }),
    );
  }

  async txnHeartBeat(ctx: RegionContext, req: pb.TxnHeartBeatRequest): Promise<Answer<pb.TxnHeartBeatResponse>> {
    return this.guard<pb.TxnHeartBeatResponse>(
      async () => {
        const primary = req.primaryLock ?? EMPTY;
        this.checkKey(primary);
        const startTs = this.requireTs('start_version', req.startVersion ?? 0n);
        const advise = req.adviseLockTtl ?? 0n;
        return this.runWrite(ctx, [primary], startTs, async (txn, reader, range) => {
          this.checkTxnKeyInRegion(ctx, primary, range);
          const lock = await reader.loadLock(primary);
          if (lock === undefined || lock.startTs !== startTs) {
            throw txnError({ kind: 'TxnNotFound', startTs, key: primary });
          }
          if (lock.ttl < advise) {
            lock.ttl = advise;
            txn.putLock(primary, lock);
          }
          return { lockTtl: lock.ttl };
        });
      },
      (e) => ({ error: toKeyError(e), lockTtl: 0n }),
    );
  }

  async scanLock(ctx: RegionContext, req: pb.ScanLockRequest): Promise<Answer<pb.ScanLockResponse>> {
    return this.guard<pb.ScanLockResponse>(
      async () => {
        const maxVersion = req.maxVersion ?? 0n;
        const start = req.startKey ?? EMPTY;
        const end = req.endKey ?? EMPTY;
        this.checkKey(start);
        this.checkKey(end);
        this.concurrencyManager.updateMaxTs(maxVersion);
        const requested = req.limit ?? 0;
        const limit = requested === 0 ? this.limits.scanLockRowsMax : Math.min(requested, this.limits.scanLockRowsMax);
        return await this.withSnapshot(ctx, async (snapshot, range) => {
          const lower = maxLower(encodeKey(start), range.startKey);
          const upper = minUpper(end.length === 0 ? EMPTY : encodeKey(end), range.endKey);
          if (upper.length > 0 && bytesCompare(lower, upper) >= 0) return { locks: [] };
          const found = await new MvccReader(snapshot).scanLocks(lower, upper, (l) => l.startTs <= maxVersion, limit);
          return { locks: found.map((f) => f.lock.toLockInfo(f.key)) };
        });
      },
      (e) => ({ error: toKeyError(e), locks: [] }),
    );
  }

  async resolveLock(ctx: RegionContext, req: pb.ResolveLockRequest): Promise<Answer<pb.ResolveLockResponse>> {
    return this.guard<pb.ResolveLockResponse>(
      async () => {
        const txnStatus = new Map<bigint, bigint>();
        if ((req.txnInfos ?? []).length > 0) {
          for (const t of req.txnInfos!) txnStatus.set(t.txn ?? 0n, t.status ?? 0n);
        } else {
          txnStatus.set(req.startVersion ?? 0n, req.commitVersion ?? 0n);
        }
        for (const [startTs, commitTs] of txnStatus) {
          this.requireTs('start_version', startTs);
          if (commitTs !== 0n && commitTs <= startTs) throw txnError({ kind: 'InvalidTxnTso', startTs, commitTs });
        }
        const keys = req.keys ?? [];
        for (const k of keys) this.checkKey(k);
        if (keys.length > 0) {
          // "Lite" resolve: exactly the listed keys, for one transaction.
          const startTs = req.startVersion ?? 0n;
          const commitTs = req.commitVersion ?? 0n;
          this.checkKeyCount(keys.length);
          return this.runWrite(ctx, keys, startTs, async (txn, reader, range) => {
            for (const key of keys) {
              this.checkTxnKeyInRegion(ctx, key, range);
              if (commitTs === 0n) await cleanup(txn, reader, key, 0n, false);
              else await commit(txn, reader, key, commitTs);
            }
            return {};
          });
        }
        // Whole region: find the transactions' locks, then resolve them in latched batches.
        let lowerEnc: Uint8Array | undefined;
        for (;;) {
          const { snapshot, range } = await this.takeSnapshot(ctx);
          let found;
          try {
            const lower = lowerEnc ?? range.startKey;
            found = await new MvccReader(snapshot).scanLocks(
              lower,
              range.endKey,
              (l) => txnStatus.has(l.startTs),
              this.limits.resolveLockBatchKeys,
            );
          } finally {
            snapshot.release();
          }
          if (found.length === 0) return {};
          const batchKeys = found.map((f) => f.key);
          await this.runWrite(ctx, batchKeys, 0n, async (txn, reader) => {
            for (const key of batchKeys) {
              const lock = await reader.loadLock(key);
              if (lock === undefined || !txnStatus.has(lock.startTs)) continue;
              const commitTs = txnStatus.get(lock.startTs)!;
              txn.startTs = lock.startTs;
              if (commitTs === 0n) {
                await cleanup(txn, reader, key, 0n, false);
              } else {
                try {
                  await commit(txn, reader, key, commitTs);
                } catch (e) {
                  // A leftover pessimistic lock of a committed transaction is just dropped.
                  if (e instanceof TxnError && e.detail.kind === 'TxnLockNotFound' && lock.isPessimisticLock()) continue;
                  throw e;
                }
              }
            }
          });
          if (found.length < this.limits.resolveLockBatchKeys) return {};
          lowerEnc = encodeKey(found[found.length - 1]!.key);
          lowerEnc = appendZero(lowerEnc);
        }
      },
      (e) => ({ error: toKeyError(e) }),
    );
  }

  async pessimisticLock(ctx: RegionContext, req: pb.PessimisticLockRequest): Promise<Answer<pb.PessimisticLockResponse>> {
    // client-go reads `results` only in ForceLock wake-up mode and rejects a Normal-mode
    // response that carries them; in ForceLock mode a failed key must be reported there.
    const forceLock = (req.wakeUpMode ?? 0) === pb.PessimisticLockWakeUpMode.WakeUpModeForceLock;
    const failedResult: pb.PessimisticLockKeyResult = {
      type: pb.PessimisticLockKeyResultType.LockResultFailed,
      value: EMPTY,
      existence: false,
      lockedWithConflictTs: 0n,
      skipResolvingLock: false,
    };
    const fail = (e: DomainError): pb.PessimisticLockResponse => ({
      errors: [toKeyError(e)],
      values: [],
      notFounds: [],
      results: forceLock ? (req.mutations ?? []).map(() => failedResult) : [],
    });
    return this.guard<pb.PessimisticLockResponse>(async () => {
      const mutations = req.mutations ?? [];
      this.checkKeyCount(mutations.length);
      const keys = mutations.map((m) => m.key ?? EMPTY);
      for (const k of keys) this.checkKey(k);
      const startTs = req.startVersion ?? 0n;
      const forUpdateTs = req.forUpdateTs ?? 0n;
      const primary = req.primaryLock ?? EMPTY;
      const returnValues = req.returnValues ?? false;
      const checkExistence = req.checkExistence ?? false;
      const lockOnlyIfExists = req.lockOnlyIfExists ?? false;
      const forceLock = (req.wakeUpMode ?? 0) === pb.PessimisticLockWakeUpMode.WakeUpModeForceLock;
      if (startTs === 0n || forUpdateTs === 0n) {
        throw txnError({ kind: 'InvalidRequest', message: 'pessimistic lock: start_version and for_update_ts must be set' });
      }
      if (lockOnlyIfExists && !returnValues) {
        throw txnError({ kind: 'InvalidRequest', message: 'lock_only_if_exists requires return_values' });
      }
      for (const m of mutations) {
        if ((m.op ?? 0) !== pb.Op.PessimisticLock) {
          throw txnError({ kind: 'InvalidRequest', message: `pessimistic lock: unexpected op ${m.op ?? 0}` });
        }
      }
      const waitTimeout = req.waitTimeout ?? 0n;
      const waitMs =
        waitTimeout < 0n
          ? 0
          : waitTimeout === 0n
            ? this.limits.lockWaitTimeoutMsMax
            : Math.min(Number(waitTimeout), this.limits.lockWaitTimeoutMsMax);
      const deadlineMs = this.clock.monotonicMs() + waitMs;
      for (;;) {
        try {
          return await this.runWrite(ctx, keys, startTs, async (txn, reader, range) => {
            const values: Uint8Array[] = [];
            const notFounds: boolean[] = [];
            const results: pb.PessimisticLockKeyResult[] = [];
            for (let i = 0; i < keys.length; i++) {
              const key = keys[i]!;
              this.checkTxnKeyInRegion(ctx, key, range);
              // A PessimisticLock mutation asserting NotExist must not find the key (TiKV should_not_exist).
              const shouldNotExist = (mutations[i]!.assertion ?? 0) === pb.Assertion.NotExist;
              const r = await acquirePessimisticLock(txn, reader, key, shouldNotExist, {
                startTs,
                primary,
                forUpdateTs,
                lockTtl: req.lockTtl ?? 0n,
                minCommitTs: req.minCommitTs ?? 0n,
                needValue: returnValues,
                needCheckExistence: checkExistence,
                lockOnlyIfExists,
              });
              if (returnValues) values.push(r.value ?? EMPTY);
              if (returnValues || checkExistence) notFounds.push(!r.exists);
              // Only the force-lock wake-up mode answers per-key results; in the normal mode
              // client-go treats a non-empty `results` as a corrupted response.
              if (forceLock) results.push({
                type: pb.PessimisticLockKeyResultType.LockResultNormal,
                value: r.value ?? EMPTY,
                existence: r.exists,
                lockedWithConflictTs: 0n,
                skipResolvingLock: false,
              });
            }
            return { errors: [], values, notFounds, results };
          });
        } catch (e) {
          if (!(e instanceof TxnError) || e.detail.kind !== 'KeyIsLocked') throw e;
          const remainingMs = deadlineMs - this.clock.monotonicMs();
          if (remainingMs <= 0) throw e;
          const info = e.detail.lockInfo;
          const deadlock = this.detectDeadlock(startTs, info.lockVersion);
          if (deadlock) {
            throw txnError({
              kind: 'Deadlock',
              startTs,
              lockTs: info.lockVersion,
              lockKey: info.key,
              deadlockKeyHash: keyHash(info.key),
            });
          }
          this.waitFor.set(startTs, { lockTs: info.lockVersion, key: info.key });
          try {
            await this.waitForLockRelease(info.key, remainingMs);
          } finally {
            this.waitFor.delete(startTs);
          }
        }
      }
    }, fail);
  }

  /** Whether waiting for `lockTs` would close a cycle back to `waiterTs` in this store's wait-for graph. */
  private detectDeadlock(waiterTs: bigint, lockTs: bigint): boolean {
    let cur: bigint | undefined = lockTs;
    for (let hops = 0; cur !== undefined && hops <= this.waitFor.size; hops++) {
      if (cur === waiterTs) return true;
      cur = this.waitFor.get(cur)?.lockTs;
    }
    return false;
  }

  async pessimisticRollback(
    ctx: RegionContext,
    req: pb.PessimisticRollbackRequest,
  ): Promise<Answer<pb.PessimisticRollbackResponse>> {
    return this.guard<pb.PessimisticRollbackResponse>(
      async () => {
        const startTs = this.requireTs('start_version', req.startVersion ?? 0n);
        const forUpdateTs = req.forUpdateTs ?? 0n;
        let keys = req.keys ?? [];
        for (const k of keys) this.checkKey(k);
        const rollbackKeys = async (batch: readonly Uint8Array[]): Promise<void> => {
          await this.runWrite(ctx, batch, startTs, async (txn, reader) => {
            for (const key of batch) {
              const lock = await reader.loadLock(key);
              if (
                lock !== undefined &&
                lock.lockType === LockType.Pessimistic &&
                lock.startTs === startTs &&
                lock.forUpdateTs <= forUpdateTs
              ) {
                txn.unlockKey(key);
              }
            }
          });
        };
        if (keys.length > 0) {
          this.checkKeyCount(keys.length);
          await rollbackKeys(keys);
          return { errors: [] };
        }
        // Empty keys: every pessimistic lock of the transaction in the region.
        let lowerEnc: Uint8Array | undefined;
        for (;;) {
          const { snapshot, range } = await this.takeSnapshot(ctx);
          let found;
          try {
            found = await new MvccReader(snapshot).scanLocks(
              lowerEnc ?? range.startKey,
              range.endKey,
              (l) => l.startTs === startTs && l.lockType === LockType.Pessimistic,
              this.limits.resolveLockBatchKeys,
            );
          } finally {
            snapshot.release();
          }
          keys = found.map((f) => f.key);
          if (keys.length > 0) await rollbackKeys(keys);
          if (found.length < this.limits.resolveLockBatchKeys) return { errors: [] };
          lowerEnc = appendZero(encodeKey(keys[keys.length - 1]!));
        }
      },
      (e) => ({ errors: [toKeyError(e)] }),
    );
  }

  /** Txn KvDeleteRange: removes every CF's data for user keys in [start_key, end_key) of the region. */
  async deleteRange(ctx: RegionContext, req: pb.DeleteRangeRequest): Promise<Answer<pb.DeleteRangeResponse>> {
    return this.guard<pb.DeleteRangeResponse>(
      async () => {
        const start = req.startKey ?? EMPTY;
        const end = req.endKey ?? EMPTY;
        this.checkKey(start);
        this.checkKey(end);
        if (req.notifyOnly) return { error: '' };
        await this.withSnapshot(ctx, async (snapshot, range) => {
          const lower = maxLower(encodeKey(start), range.startKey);
          const upper = minUpper(end.length === 0 ? EMPTY : encodeKey(end), range.endKey);
          if (upper.length > 0 && bytesCompare(lower, upper) >= 0) return;
          const modifies: Modify[] = [];
          for (const cf of ['default', 'lock', 'write'] as const) {
            modifies.push(...(await deleteRangeModifies(snapshot, cf, lower, upper)));
          }
          if (modifies.length > 0) await this.apply(ctx, modifies);
        });
        this.wakeAllLockWaiters();
        return { error: '' };
      },
      (e) => ({ error: toErrorString(e) }),
    );
  }

  /**
   * MVCC GC of the region (optionally only [startKey, endKey) of it) below `safePoint`, in
   * batches of `gcBatchKeys` user keys, each batch one write.
   */
  async gc(
    ctx: RegionContext,
    req: pb.GcRequest & { startKey?: Uint8Array; endKey?: Uint8Array },
  ): Promise<Answer<GcResult>> {
    return this.guard<GcResult>(
      async () => {
        const safePoint = req.safePoint ?? 0n;
        let keysScanned = 0;
        let versionsDeleted = 0;
        let lowerEnc: Uint8Array | undefined;
        for (;;) {
          const { snapshot, range } = await this.takeSnapshot(ctx);
          let batch;
          try {
            const lower = lowerEnc ?? maxLower(encodeKey(req.startKey ?? EMPTY), range.startKey);
            const upper = minUpper(
              req.endKey === undefined || req.endKey.length === 0 ? EMPTY : encodeKey(req.endKey),
              range.endKey,
            );
            batch = await collectGc(
              snapshot,
              lower,
              upper,
              safePoint,
              this.limits.gcBatchKeys,
              this.limits.gcBatchModifiesMax,
            );
          } finally {
            snapshot.release();
          }
          keysScanned += batch.keysScanned;
          versionsDeleted += batch.versionsDeleted;
          if (batch.modifies.length > 0) await this.apply(ctx, batch.modifies);
          if (batch.nextLowerEnc === undefined) return { keysScanned, versionsDeleted };
          lowerEnc = batch.nextLowerEnc;
        }
      },
      (e) => ({ error: toKeyError(e), keysScanned: 0, versionsDeleted: 0 }),
    );
  }

  // ---------------------------------------------------------------- raw KV

  private rawCheck(context: pb.KvContext | null | undefined, cf: string | null | undefined, ttl?: bigint | null): CfName {
    const api = context?.apiVersion ?? 0;
    if (api === pb.ApiVersion.V2 || api === pb.ApiVersion.V1TTL) {
      throw new DomainError('InvalidArgument', `api version ${api} is not supported: this store runs API V1 only`);
    }
    if (ttl !== undefined && ttl !== null && ttl !== 0n) throw new DomainError('InvalidArgument', 'TTL is not enabled (API v1)');
    switch (cf ?? '') {
      case '':
      case 'default':
        return 'default';
      case 'lock':
        return 'lock';
      case 'write':
        return 'write';
      default:
        throw new DomainError('InvalidArgument', `invalid column family: ${JSON.stringify(cf)}`);
    }
  }

  private checkRawKey(key: Uint8Array): void {
    if (key.length > this.limits.keyBytesMax) {
      throw new DomainError('KeyTooLarge', `key is too large: ${key.length} > ${this.limits.keyBytesMax} bytes`);
    }
  }

  /** Runs a raw write: optional latches (atomic/CAS mode), region check, one write. */
  private async rawWrite(
    ctx: RegionContext,
    keys: readonly Uint8Array[],
    latched: boolean,
    modifies: (snapshot: KvSnapshot, range: RegionRange) => Promise<Modify[]>,
  ): Promise<void> {
    const latch = latched ? await this.latches.acquire(keys) : undefined;
    try {
      await this.withSnapshot(ctx, async (snapshot, range) => {
        for (const k of keys) this.checkRawKeyInRegion(ctx, k, range);
        const m = await modifies(snapshot, range);
        if (m.length > 0) await this.apply(ctx, m);
      });
    } finally {
      latch?.release();
    }
  }

  /**
   * Raw puts and deletes read nothing, so they need no snapshot: the keys are checked against
   * the region's current range and the region write re-checks epoch and range at apply time.
   * Only atomic-mode (CAS) writes latch their keys, to serialize with CompareAndSwap.
   */
  private async rawBlindWrite(ctx: RegionContext, keys: readonly Uint8Array[], latched: boolean, modifies: Modify[]): Promise<void> {
    const range = latched ? undefined : this.regionKv.regionRange?.(ctx);
    if (range === undefined) {
      await this.rawWrite(ctx, keys, latched, async () => modifies);
      return;
    }
    for (const k of keys) this.checkRawKeyInRegion(ctx, k, range);
    if (modifies.length > 0) await this.apply(ctx, modifies);
  }

  async rawGet(ctx: RegionContext, req: pb.RawGetRequest): Promise<Answer<pb.RawGetResponse>> {
    return this.guard<pb.RawGetResponse>(
      async () => {
        const cf = this.rawCheck(req.context, req.cf);
        const key = req.key ?? EMPTY;
        this.checkRawKey(key);
        return await this.withSnapshot(ctx, async (snapshot, range) => {
          this.checkRawKeyInRegion(ctx, key, range);
          // Point reads are synchronous: a cached LevelDB get costs ~1 µs on this thread,
          // while the async form pays a thread-pool round trip per key (measured in kv_bench).
          const v = snapshot.getSync(cf, key);
          return { error: '', value: v ?? EMPTY, notFound: v === undefined };
        });
      },
      (e) => ({ error: toErrorString(e), value: EMPTY, notFound: false }),
    );
  }

  async rawBatchGet(ctx: RegionContext, req: pb.RawBatchGetRequest): Promise<Answer<pb.RawBatchGetResponse>> {
    return this.guard<pb.RawBatchGetResponse>(
      async () => {
        const cf = this.rawCheck(req.context, req.cf);
        const keys = req.keys ?? [];
        this.checkKeyCount(keys.length);
        for (const k of keys) this.checkRawKey(k);
        return await this.withSnapshot(ctx, async (snapshot, range) => {
          const pairs: pb.KvPair[] = [];
          for (const key of keys) {
            this.checkRawKeyInRegion(ctx, key, range);
            const v = snapshot.getSync(cf, key);
            if (v !== undefined) pairs.push({ key, value: v });
          }
          return { pairs };
        });
      },
      (e) => ({ pairs: [{ key: EMPTY, value: EMPTY, error: { abort: toErrorString(e) } }] }),
    );
  }

  async rawPut(ctx: RegionContext, req: pb.RawPutRequest): Promise<Answer<pb.RawPutResponse>> {
    return this.guard<pb.RawPutResponse>(
      async () => {
        const cf = this.rawCheck(req.context, req.cf, req.ttl);
        const key = req.key ?? EMPTY;
        this.checkRawKey(key);
        await this.rawBlindWrite(ctx, [key], req.forCas ?? false, [{ type: 'put', cf, key, value: req.value ?? EMPTY }]);
        return { error: '' };
      },
      (e) => ({ error: toErrorString(e) }),
    );
  }

  async rawBatchPut(ctx: RegionContext, req: pb.RawBatchPutRequest): Promise<Answer<pb.RawBatchPutResponse>> {
    return this.guard<pb.RawBatchPutResponse>(
      async () => {
        const ttl = (req.ttls ?? []).find((t) => t !== 0n) ?? req.ttl;
        const cf = this.rawCheck(req.context, req.cf, ttl);
        const pairs = req.pairs ?? [];
        this.checkKeyCount(pairs.length);
        const keys = pairs.map((p) => p.key ?? EMPTY);
        for (const k of keys) this.checkRawKey(k);
        await this.rawBlindWrite(
          ctx,
          keys,
          req.forCas ?? false,
          pairs.map((p, i) => ({ type: 'put' as const, cf, key: keys[i]!, value: p.value ?? EMPTY })),
        );
        return { error: '' };
      },
      (e) => ({ error: toErrorString(e) }),
    );
  }

  async rawDelete(ctx: RegionContext, req: pb.RawDeleteRequest): Promise<Answer<pb.RawDeleteResponse>> {
    return this.guard<pb.RawDeleteResponse>(
      async () => {
        const cf = this.rawCheck(req.context, req.cf);
        const key = req.key ?? EMPTY;
        this.checkRawKey(key);
        await this.rawBlindWrite(ctx, [key], req.forCas ?? false, [{ type: 'delete', cf, key }]);
        return { error: '' };
      },
      (e) => ({ error: toErrorString(e) }),
    );
  }

  async rawBatchDelete(ctx: RegionContext, req: pb.RawBatchDeleteRequest): Promise<Answer<pb.RawBatchDeleteResponse>> {
    return this.guard<pb.RawBatchDeleteResponse>(
      async () => {
        const cf = this.rawCheck(req.context, req.cf);
        const keys = req.keys ?? [];
        this.checkKeyCount(keys.length);
        for (const k of keys) this.checkRawKey(k);
        await this.rawBlindWrite(ctx, keys, req.forCas ?? false, keys.map((key) => ({ type: 'delete' as const, cf, key })));
        return { error: '' };
      },
      (e) => ({ error: toErrorString(e) }),
    );
  }

  /**
   * RawScan clipped to the region. Forward: [start_key, end_key). Reverse: start_key is the
   * exclusive upper bound and end_key the inclusive lower bound, newest-key first.
   */
  async rawScan(ctx: RegionContext, req: pb.RawScanRequest): Promise<Answer<pb.RawScanResponse>> {
    return this.guard<pb.RawScanResponse>(
      async () => {
        const cf = this.rawCheck(req.context, req.cf);
        const start = req.startKey ?? EMPTY;
        const end = req.endKey ?? EMPTY;
        this.checkRawKey(start);
        this.checkRawKey(end);
        const limit = Math.min(req.limit ?? 0, this.limits.scanRowsMax);
        if (limit === 0) return { kvs: [] };
        const reverse = req.reverse ?? false;
        return await this.withSnapshot(ctx, async (snapshot, range) => {
          const lower = maxLower(reverse ? end : start, range.startKey);
          const upper = minUpper(reverse ? start : end, range.endKey);
          if (upper.length > 0 && bytesCompare(lower, upper) >= 0) return { kvs: [] };
          const it = snapshot.iterator(cf, {
            lowerBound: lower,
            ...(upper.length > 0 ? { upperBound: upper } : {}),
            reverse,
          });
          try {
            const entries = await it.nextBatch(limit);
            const keyOnly = req.keyOnly ?? false;
            return { kvs: entries.map((e) => ({ key: e.key, value: keyOnly ? EMPTY : e.value })) };
          } finally {
            await it.close();
          }
        });
      },
      (e) => ({ kvs: [{ key: EMPTY, value: EMPTY, error: { abort: toErrorString(e) } }] }),
    );
  }

  async rawDeleteRange(ctx: RegionContext, req: pb.RawDeleteRangeRequest): Promise<Answer<pb.RawDeleteRangeResponse>> {
    return this.guard<pb.RawDeleteRangeResponse>(
      async () => {
        const cf = this.rawCheck(req.context, req.cf);
        const start = req.startKey ?? EMPTY;
        const end = req.endKey ?? EMPTY;
        this.checkRawKey(start);
        this.checkRawKey(end);
        await this.rawWrite(ctx, [], false, async (snapshot, range) => {
          const lower = maxLower(start, range.startKey);
          const upper = minUpper(end, range.endKey);
          if (upper.length > 0 && bytesCompare(lower, upper) >= 0) return [];
          return deleteRangeModifies(snapshot, cf, lower, upper);
        });
        return { error: '' };
      },
      (e) => ({ error: toErrorString(e) }),
    );
  }

  /** RawCompareAndSwap, atomic under the key's latch. */
  async rawCompareAndSwap(ctx: RegionContext, req: pb.RawCasRequest): Promise<Answer<pb.RawCasResponse>> {
    return this.guard<pb.RawCasResponse>(
      async () => {
        const cf = this.rawCheck(req.context, req.cf, req.ttl);
        const key = req.key ?? EMPTY;
        this.checkRawKey(key);
        let answer: pb.RawCasResponse = { error: '', succeed: false, previousNotExist: true, previousValue: EMPTY };
        await this.rawWrite(ctx, [key], true, async (snapshot) => {
          const current = snapshot.getSync(cf, key);
          const succeed = req.previousNotExist
            ? current === undefined
            : current !== undefined && bytesEqual(current, req.previousValue ?? EMPTY);
          answer = { error: '', succeed, previousNotExist: current === undefined, previousValue: current ?? EMPTY };
          return succeed ? [{ type: 'put', cf, key, value: req.value ?? EMPTY }] : [];
        });
        return answer;
      },
      (e) => ({ error: toErrorString(e), succeed: false, previousNotExist: false, previousValue: EMPTY }),
    );
  }
}

/** The commit record a 1PC prewrite writes directly for `lock`. */
function writeFor1pc(lock: Lock, startTs: bigint): Write {
  return new Write({ writeType: writeTypeFromLockType(lock.lockType), startTs, shortValue: lock.shortValue });
}

function txnStatusResponse(status: TxnStatus): pb.CheckTxnStatusResponse {
  const base = { lockTtl: 0n, commitVersion: 0n, action: pb.Action.NoAction };
  switch (status.kind) {
    case 'rolledBack':
      return base;
    case 'ttlExpire':
      return { ...base, action: pb.Action.TTLExpireRollback };
    case 'lockNotExist':
      return { ...base, action: pb.Action.LockNotExistRollback };
    case 'uncommitted':
      return {
        ...base,
        action: status.minCommitTsPushed ? pb.Action.MinCommitTSPushed : pb.Action.NoAction,
        lockTtl: status.lock.ttl,
        lockInfo: status.lock.toLockInfo(status.lock.primary),
      };
    case 'committed':
      return { ...base, commitVersion: status.commitTs };
    case 'pessimisticRollBack':
      return { ...base, action: pb.Action.TTLExpirePessimisticRollback };
    case 'lockNotExistDoNothing':
      return { ...base, action: pb.Action.LockNotExistDoNothing };
  }
}

/** Deletes [lower, upper) of `cf`: one range deletion when bounded, else key by key. */
async function deleteRangeModifies(
  snapshot: KvSnapshot,
  cf: CfName,
  lower: Uint8Array,
  upper: Uint8Array,
): Promise<Modify[]> {
  if (upper.length > 0) return [{ type: 'deleteRange', cf, start: lower, end: upper }];
  const it = snapshot.iterator(cf, { lowerBound: lower });
  const out: Modify[] = [];
  try {
    for (;;) {
      const e = await it.next();
      if (e === undefined) return out;
      out.push({ type: 'delete', cf, key: e.key });
    }
  } finally {
    await it.close();
  }
}

/** The smallest key strictly greater than `key`. */
function appendZero(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key, 0);
  return out;
}

/** A 64-bit FNV-1a hash of a key, for `Deadlock.deadlock_key_hash`. */
function keyHash(key: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of key) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}
