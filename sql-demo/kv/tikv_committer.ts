import type { kvrpcpb } from '../../src/proto/mod.ts';
import { bytesCompare, bytesEqual, bytesToHex, DomainError } from '../../src/util/mod.ts';
import { WriteConflictError } from './kv_client.ts';
import { BACKOFF, TikvBackoffer } from './tikv_backoffer.ts';
import { runBounded } from './tikv_bounded.ts';
import { KeyAlreadyExistsError, TxnAbortedError, TxnUndeterminedError } from './tikv_errors.ts';
import {
  ASYNC_COMMIT_KEYS_MAX,
  ASYNC_COMMIT_KEY_BYTES_MAX,
  ASYNC_COMMIT_SAFE_WINDOW_MS,
  COMMIT_BATCH_BYTES_MAX,
  COMMIT_BATCH_KEYS_MAX,
  COMMIT_CONCURRENCY_MAX,
  LOCK_TTL_MS_DEFAULT,
  LOCK_TTL_MS_MANAGED,
  TXN_HEARTBEAT_TTL_DIVISOR,
  TXN_TTL_MS_MAX,
} from './tikv_limits.ts';
import { bigintJson, tsPhysicalMs } from './tikv_lock_resolver.ts';
import type { CachedRegion } from './tikv_region_cache.ts';
import type { TikvClientContext } from './tikv_snapshot.ts';

/** kvrpcpb.Op values the committer sends. */
export const OP_PUT = 0;
export const OP_DEL = 1;
export const OP_LOCK = 2;
export const OP_INSERT = 4;

const PESSIMISTIC_ACTION_SKIP_CHECK = 0;
const PESSIMISTIC_ACTION_DO_CHECK = 1;

/** One buffered mutation. */
export interface TikvMutation {
  readonly key: Uint8Array;
  readonly op: typeof OP_PUT | typeof OP_DEL | typeof OP_INSERT | typeof OP_LOCK;
  readonly value: Uint8Array;
  /** The key holds this txn's pessimistic lock (prewrite converts it: DO_PESSIMISTIC_CHECK). */
  readonly pessimisticLock?: boolean;
}

/** Commit protocol switches (both default on, like TiDB). */
export interface CommitOptions {
  readonly asyncCommit: boolean;
  readonly onePc: boolean;
  /** Named fault point: runs after prewrite, before the primary commit; 'abandon' = the client "dies" (no commit, no rollback). */
  readonly beforeCommitPrimary?: (startTs: bigint) => Promise<'abandon' | void>;
  /** Pessimistic txn: the newest for_update_ts of its locks (prewrite carries it; min_commit_ts exceeds it). */
  readonly forUpdateTs?: bigint;
}

/** What the committer needs beyond snapshots: a place to park background commits. */
export interface CommitterContext extends TikvClientContext {
  track(task: Promise<unknown>): void;
  /** Counts how each commit finished (for tests and metrics). */
  onCommitted(kind: CommitKind): void;
}

/** How a transaction committed. */
export type CommitKind = 'onePc' | 'asyncCommit' | 'twoPc';

/** The transaction was left behind on purpose by the `beforeCommitPrimary` fault point. */
export class TxnAbandonedError extends DomainError {
  override name = 'TxnAbandonedError';
  constructor(readonly startTs: bigint) {
    super('Closed', `transaction ${startTs} abandoned after prewrite (fault point)`);
  }
}

interface Batch {
  region: CachedRegion;
  mutations: TikvMutation[];
  isPrimary: boolean;
}

/** Lock TTL: default + time already spent, scaled up for big txns (client-go txnLockTTL). */
export function lockTtlMs(elapsedMs: number, txnBytes: number): number {
  let ttl = LOCK_TTL_MS_DEFAULT;
  const mib = txnBytes / (1024 * 1024);
  if (mib >= 1) ttl = Math.min(LOCK_TTL_MS_MANAGED, Math.max(ttl, Math.floor(20_000 * Math.sqrt(mib))));
  return ttl + Math.max(0, Math.floor(elapsedMs));
}

/**
 * Percolator two-phase commit of one transaction as client-go drives it (protocol.md §5):
 * prewrite the primary's batch, then the other batches in parallel (bounded), per region and
 * size-limited; 1PC when everything is in one region, async commit for small transactions
 * (falling back to 2PC when the store answers 0); a TxnHeartBeat loop keeps the primary lock
 * alive while the commit runs; commit the primary (the commit point), then the secondaries in
 * the background. A failed prewrite rolls every key back (KvBatchRollback).
 */
export class TikvCommitter {
  private onePc: boolean;
  private asyncCommit: boolean;
  private readonly primary: Uint8Array;
  private maxCommitTs = 0n;
  private minCommitTs: bigint;
  private minCommitTsSeen = 0n;
  private onePcCommitTs = 0n;
  private readonly lockTtl: number;
  private stopHeartbeat: (() => void) | undefined;
  private heartbeatInFlight = false;
  /** Keys some prewrite was sent for: only these can hold our locks, so only these are rolled back. */
  private readonly sentKeys = new Map<string, Uint8Array>();

  constructor(
    private readonly ctx: CommitterContext,
    readonly startTs: bigint,
    private readonly mutations: readonly TikvMutation[],
    private readonly opts: CommitOptions,
    txnStartedMs: number,
  ) {
    // The first mutation is the primary (a pessimistic txn puts its primary lock's key first).
    this.primary = mutations[0]!.key;
    this.minCommitTs = (opts.forUpdateTs !== undefined && opts.forUpdateTs > startTs ? opts.forUpdateTs : startTs) + 1n;
    let bytes = 0;
    let keyBytes = 0;
    for (const m of mutations) {
      bytes += m.key.length + m.value.length;
      keyBytes += m.key.length;
    }
    this.lockTtl = lockTtlMs(ctx.clock.nowMs() - txnStartedMs, bytes);
    this.onePc = opts.onePc;
    this.asyncCommit = opts.asyncCommit && mutations.length <= ASYNC_COMMIT_KEYS_MAX && keyBytes <= ASYNC_COMMIT_KEY_BYTES_MAX;
  }

  private bo(op: string, budgetMs: number): TikvBackoffer {
    return new TikvBackoffer(`${op} (txn ${this.startTs})`, budgetMs, this.ctx.clock, this.ctx.random);
  }

  /** Runs the whole commit; resolves with the commit_ts. */
  async execute(): Promise<bigint> {
    const bo = this.bo('prewrite', this.ctx.budgets.prewriteMs);
    const batches = await this.makeBatches(bo, this.mutations);
    if (batches.length > 1) this.onePc = false;
    if (this.onePc || this.asyncCommit) {
      // Linearizability (client-go's default): the commit_ts the store derives must exceed
      // every ts handed out before the commit began, so min_commit_ts starts above a fresh one.
      const latestTs = await this.ctx.getTs();
      this.minCommitTs = latestTs + 1n;
      this.maxCommitTs = BigInt(tsPhysicalMs(latestTs) + ASYNC_COMMIT_SAFE_WINDOW_MS) << 18n;
    }
    try {
      const primaryBatch = batches.find((b) => b.isPrimary)!;
      await this.prewriteBatch(bo, primaryBatch);
      if (this.onePcCommitTs === 0n) this.startHeartbeat();
      await runBounded(batches.filter((b) => !b.isPrimary), COMMIT_CONCURRENCY_MAX, (b) => this.prewriteBatch(bo.fork(), b));
    } catch (e) {
      this.stopHeartbeatLoop();
      if (this.onePcCommitTs === 0n) await this.rollbackAll();
      throw e;
    }
    if (this.onePcCommitTs !== 0n) {
      this.ctx.onCommitted('onePc');
      return this.onePcCommitTs;
    }
    if (this.opts.beforeCommitPrimary && (await this.opts.beforeCommitPrimary(this.startTs)) === 'abandon') {
      this.stopHeartbeatLoop();
      throw new TxnAbandonedError(this.startTs);
    }
    try {
      if (this.asyncCommit) {
        // Committed once every prewrite succeeded; the commit RPCs only clean up.
        const commitTs = this.minCommitTsSeen;
        this.ctx.track(this.commitSecondaries(batches, commitTs, true));
        this.ctx.onCommitted('asyncCommit');
        return commitTs;
      }
      let commitTs = await this.ctx.getTs();
      commitTs = await this.commitPrimary(batches.filter((b) => b.isPrimary), commitTs);
      this.ctx.track(this.commitSecondaries(batches.filter((b) => !b.isPrimary), commitTs, false));
      this.ctx.onCommitted('twoPc');
      return commitTs;
    } finally {
      this.stopHeartbeatLoop();
    }
  }

  /** Groups mutations by region, then splits each group by COMMIT_BATCH_BYTES_MAX / KEYS_MAX. */
  private async makeBatches(bo: TikvBackoffer, mutations: readonly TikvMutation[]): Promise<Batch[]> {
    const groups = await this.ctx.rpc.cache.groupKeysByRegion(bo, mutations);
    const out: Batch[] = [];
    for (const g of groups) {
      let cur: TikvMutation[] = [];
      let bytes = 0;
      for (const m of g.items) {
        const size = m.key.length + m.value.length;
        if (cur.length > 0 && (cur.length >= COMMIT_BATCH_KEYS_MAX || bytes + size > COMMIT_BATCH_BYTES_MAX)) {
          out.push({ region: g.region, mutations: cur, isPrimary: false });
          cur = [];
          bytes = 0;
        }
        cur.push(m);
        bytes += size;
      }
      if (cur.length > 0) out.push({ region: g.region, mutations: cur, isPrimary: false });
    }
    for (const b of out) b.isPrimary = b.mutations.some((m) => bytesEqual(m.key, this.primary));
    return out;
  }

  private async prewriteBatch(bo: TikvBackoffer, batch: Batch): Promise<void> {
    for (;;) {
      const secondaries = this.asyncCommit && batch.isPrimary ? this.mutations.filter((m) => !bytesEqual(m.key, this.primary)).map((m) => m.key) : [];
      for (const m of batch.mutations) this.sentKeys.set(bytesToHex(m.key), m.key);
      const r = await this.ctx.rpc.sendToRegion(bo, batch.region, 'KvPrewrite', {
        mutations: batch.mutations.map((m) => ({ op: m.op, key: m.key, value: m.value })),
        ...(this.opts.forUpdateTs !== undefined
          ? { pessimisticActions: batch.mutations.map((m) => (m.pessimisticLock === true ? PESSIMISTIC_ACTION_DO_CHECK : PESSIMISTIC_ACTION_SKIP_CHECK)), forUpdateTs: this.opts.forUpdateTs }
          : {}),
        primaryLock: this.primary,
        startVersion: this.startTs,
        lockTtl: BigInt(this.lockTtl),
        txnSize: BigInt(this.mutations.length),
        minCommitTs: this.minCommitTs,
        useAsyncCommit: this.asyncCommit,
        secondaries,
        tryOnePc: this.onePc,
        maxCommitTs: this.onePc || this.asyncCommit ? this.maxCommitTs : 0n,
      });
      if (r.kind === 'relocate') {
        const again = await this.makeBatches(bo, batch.mutations);
        if (again.length > 1 && this.onePc) {
          this.onePc = false;
          this.asyncCommit = false;
        }
        for (const b of again) b.isPrimary = batch.isPrimary && b.mutations.some((m) => bytesEqual(m.key, this.primary));
        // The primary's part goes first: async-commit secondaries ride on it.
        again.sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary));
        for (const b of again) await this.prewriteBatch(bo, b);
        return;
      }
      const resp = r.resp;
      if (resp.errors.length > 0) {
        const locks: kvrpcpb.LockInfo[] = [];
        for (const e of resp.errors) {
          if (e.conflict) throw new WriteConflictError(e.conflict.key, this.startTs, e.conflict.conflictCommitTs);
          if (e.alreadyExist) throw new KeyAlreadyExistsError(e.alreadyExist.key);
          if (e.locked) {
            locks.push(e.locked);
            continue;
          }
          if (e.commitTsTooLarge) {
            this.asyncCommit = false;
            this.onePc = false;
            continue;
          }
          throw new TxnAbortedError(this.startTs, `prewrite: ${JSON.stringify(e, bigintJson)}`, e.retryable !== '');
        }
        if (locks.length > 0) {
          const res = await this.ctx.resolver.resolveLocks(bo, 0n, locks);
          if (res.msBeforeExpired > 0) await bo.backoff(BACKOFF.txnLock, `prewrite blocked by txn ${locks[0]!.lockVersion}`, 0, res.msBeforeExpired);
        }
        continue;
      }
      if (this.onePc) {
        if (resp.onePcCommitTs !== 0n) {
          this.onePcCommitTs = resp.onePcCommitTs;
          return;
        }
        if (resp.minCommitTs !== 0n) throw new TxnAbortedError(this.startTs, 'MinCommitTs must be 0 when 1pc falls back to 2pc', false);
        this.onePc = false;
        this.asyncCommit = false;
        return;
      }
      if (this.asyncCommit) {
        if (resp.minCommitTs === 0n) this.asyncCommit = false;
        else if (resp.minCommitTs > this.minCommitTsSeen) this.minCommitTsSeen = resp.minCommitTs;
      }
      return;
    }
  }

  /** Commits the primary's batch: the commit point. Retries CommitTsExpired with a fresh ts. */
  private async commitPrimary(primaryBatches: Batch[], commitTsIn: bigint): Promise<bigint> {
    const bo = this.bo('commit primary', this.ctx.budgets.commitMs);
    let commitTs = commitTsIn;
    const keys = primaryBatches.flatMap((b) => b.mutations.map((m) => m.key));
    let pending = await this.ctx.rpc.cache.groupKeysByRegion(bo, keys.map((key) => ({ key })));
    while (pending.length > 0) {
      const g = pending[0]!;
      const r = await this.ctx.rpc.sendToRegion(bo, g.region, 'KvCommit', { startVersion: this.startTs, keys: g.items.map((i) => i.key), commitVersion: commitTs });
      if (r.kind === 'relocate') {
        if (r.sendFailed && g.items.some((i) => bytesEqual(i.key, this.primary))) throw new TxnUndeterminedError(this.startTs, r.reason);
        pending = [...(await this.ctx.rpc.cache.groupKeysByRegion(bo, g.items)), ...pending.slice(1)];
        continue;
      }
      const err = r.resp.error;
      if (err) {
        if (err.commitTsExpired) {
          const fresh = await this.ctx.getTs();
          if (fresh <= err.commitTsExpired.minCommitTs) throw new TxnAbortedError(this.startTs, `invalid tso ${fresh} <= min_commit_ts ${err.commitTsExpired.minCommitTs}`, true);
          commitTs = fresh;
          continue;
        }
        // The lock is gone without a commit record: a reader rolled us back.
        throw new TxnAbortedError(this.startTs, `commit primary: ${JSON.stringify(err, bigintJson)}`, true);
      }
      pending.shift();
    }
    return commitTs;
  }

  /** Best-effort commit of the remaining keys; leftovers are resolved by later readers. */
  private async commitSecondaries(batches: Batch[], commitTs: bigint, includePrimary: boolean): Promise<void> {
    const bo = this.bo('commit secondaries', this.ctx.budgets.commitMs);
    const keys = batches.flatMap((b) => b.mutations.map((m) => m.key)).filter((k) => includePrimary || !bytesEqual(k, this.primary));
    try {
      await this.sendByRegion(bo, keys, (region, ks) => this.ctx.rpc.sendToRegion(bo, region, 'KvCommit', { startVersion: this.startTs, keys: ks, commitVersion: commitTs }));
    } catch {
      // Readers resolve whatever is left through the committed primary.
    }
  }

  /**
   * Rolls back every key a prewrite was sent for. Keys never sent get no rollback record:
   * in TiKV a rollback record newer than a writer's start_ts is a write conflict for it.
   */
  private async rollbackAll(): Promise<void> {
    const bo = this.bo('rollback', this.ctx.budgets.commitMs);
    const keys = [...this.sentKeys.values()].sort(bytesCompare);
    if (keys.length === 0) return;
    try {
      await this.sendByRegion(bo, keys, (region, ks) =>
        this.ctx.rpc.sendToRegion(bo, region, 'KvBatchRollback', { startVersion: this.startTs, keys: ks }),
      );
    } catch {
      // Best effort: leftover locks expire and are rolled back by readers.
    }
  }

  /** Sends `keys` region by region (bounded fan-out), re-grouping on relocation. */
  private async sendByRegion(
    bo: TikvBackoffer,
    keys: Uint8Array[],
    send: (region: CachedRegion, keys: Uint8Array[]) => Promise<{ kind: 'ok' } | { kind: 'relocate' }>,
  ): Promise<void> {
    const groups = await this.ctx.rpc.cache.groupKeysByRegion(bo, keys.map((key) => ({ key })));
    await runBounded(groups, COMMIT_CONCURRENCY_MAX, async (g) => {
      let todo = [g];
      while (todo.length > 0) {
        const cur = todo.shift()!;
        const r = await send(cur.region, cur.items.map((i) => i.key));
        if (r.kind === 'relocate') todo = [...todo, ...(await this.ctx.rpc.cache.groupKeysByRegion(bo, cur.items))];
      }
    });
  }

  /** Keeps the primary lock alive while the commit runs (client-go ttlManager). */
  private startHeartbeat(): void {
    const periodMs = Math.max(1, Math.floor(this.lockTtl / TXN_HEARTBEAT_TTL_DIVISOR));
    const startPhysical = tsPhysicalMs(this.startTs);
    this.stopHeartbeat = this.ctx.clock.setInterval(() => {
      if (this.heartbeatInFlight) return;
      const elapsedMs = this.ctx.clock.nowMs() - startPhysical;
      if (elapsedMs + this.lockTtl > TXN_TTL_MS_MAX) {
        this.stopHeartbeatLoop();
        return;
      }
      this.heartbeatInFlight = true;
      void this.sendHeartbeat(BigInt(Math.max(0, elapsedMs) + this.lockTtl)).finally(() => (this.heartbeatInFlight = false));
    }, periodMs);
  }

  private async sendHeartbeat(adviseLockTtl: bigint): Promise<void> {
    const bo = this.bo('heartbeat', this.ctx.budgets.commitMs);
    try {
      for (;;) {
        const region = await this.ctx.rpc.cache.locateKey(bo, this.primary);
        const r = await this.ctx.rpc.sendToRegion(bo, region, 'KvTxnHeartBeat', { primaryLock: this.primary, startVersion: this.startTs, adviseLockTtl });
        if (r.kind === 'ok') return;
      }
    } catch {
      // A missed beat only shortens the lock's life; the commit itself reports real failures.
    }
  }

  private stopHeartbeatLoop(): void {
    this.stopHeartbeat?.();
    this.stopHeartbeat = undefined;
  }
}
