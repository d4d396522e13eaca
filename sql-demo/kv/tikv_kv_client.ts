import { PdClient, type RegionStats } from '../../src/pd_client/mod.ts';

/** PD HTTP calls in flight at once while SHOW TABLE REGIONS gathers sizes. */
const REGION_STATS_CONCURRENCY = 16;
const BYTES_PER_MIB = 1024 * 1024;
import { realClock, SeededRandom, freshSeed, type Clock, type Random } from '../../src/util/mod.ts';
import type { KvClient, KvSnapshotReader, RegionInfo, RegionsOptions } from './kv_client.ts';
import { TikvBackoffer } from './tikv_backoffer.ts';
import type { CommitKind, CommitOptions, CommitterContext } from './tikv_committer.ts';
import { TikvCoprocessor, type TikvCopRequest, type TikvCopResult } from './tikv_coprocessor.ts';
import { DomainError } from '../../src/util/mod.ts';
import { BACKGROUND_TASKS_MAX, SPLIT_RPC_DEADLINE_MS } from './tikv_limits.ts';
import { TikvLockResolver } from './tikv_lock_resolver.ts';
import { TikvRegionCache } from './tikv_region_cache.ts';
import { TikvRpc } from './tikv_rpc.ts';
import { DEFAULT_BUDGETS, TikvSnapshot, type TikvClientContext } from './tikv_snapshot.ts';
import { TikvTxn } from './tikv_txn.ts';

/** How to build a TikvKvClient. */
export interface TikvKvClientOptions {
  /** PD endpoints (`host:port` or URLs). */
  pdEndpoints: string[];
  /** Async commit for small transactions (default true). */
  asyncCommit?: boolean;
  /** 1PC for single-region transactions (default true). */
  onePc?: boolean;
  /** Backoff budgets per phase in ms (defaults: tikv_limits.ts). */
  budgets?: Partial<TikvClientContext['budgets']>;
  clock?: Clock;
  random?: Random;
  /** Fault point for tests: see CommitOptions.beforeCommitPrimary. */
  beforeCommitPrimary?: CommitOptions['beforeCommitPrimary'];
}

/**
 * The SQL layer's KvClient over the real cluster, like client-go: PD for timestamps and
 * region metadata, unary `tikvpb.Tikv` RPCs to the stores, a region cache that follows
 * region errors, lock resolution on reads, Percolator 2PC / async commit / 1PC on commit,
 * and a coprocessor client. Open with `TikvKvClient.connect`.
 */
export class TikvKvClient implements KvClient {
  private readonly background = new Set<Promise<unknown>>();
  private readonly ctx: CommitterContext;
  private readonly copr: TikvCoprocessor;
  private closed = false;
  /** Commits by protocol since connect (1PC, async commit, plain 2PC). */
  readonly commitCounts: Record<CommitKind, number> = { onePc: 0, asyncCommit: 0, twoPc: 0 };

  private constructor(
    private readonly pd: PdClient,
    private readonly rpc: TikvRpc,
    private readonly options: TikvKvClientOptions,
  ) {
    const clock = options.clock ?? realClock;
    const random = options.random ?? new SeededRandom(freshSeed());
    const getTs = (): Promise<bigint> => pd.getTs();
    const resolver = new TikvLockResolver(rpc, getTs);
    this.ctx = {
      rpc,
      resolver,
      clock,
      random,
      getTs,
      budgets: { ...DEFAULT_BUDGETS, ...options.budgets },
      track: (task) => this.track(task),
      onCommitted: (kind) => this.commitCounts[kind]++,
    };
    this.copr = new TikvCoprocessor(this.ctx);
  }

  static async connect(options: TikvKvClientOptions): Promise<TikvKvClient> {
    const pd = await PdClient.connect({ endpoints: options.pdEndpoints, clock: options.clock });
    return new TikvKvClient(pd, new TikvRpc(new TikvRegionCache(pd)), options);
  }

  private checkOpen(): void {
    if (this.closed) throw new DomainError('Closed', 'TikvKvClient is closed');
  }

  private track(task: Promise<unknown>): void {
    if (this.background.size >= BACKGROUND_TASKS_MAX) return; // dropped from tracking only; it still runs
    const p = task.finally(() => this.background.delete(p));
    this.background.add(p);
  }

  /** Waits for background commits (secondaries, async-commit cleanups) started so far. */
  async flushBackground(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  async getTs(): Promise<bigint> {
    this.checkOpen();
    return this.pd.getTs();
  }

  /** Starts a transaction at a fresh start_ts (optimistic unless `pessimistic`). */
  async begin(opts?: { pessimistic?: boolean }): Promise<TikvTxn> {
    this.checkOpen();
    const startTs = await this.pd.getTs();
    return new TikvTxn(
      this.ctx,
      startTs,
      {
        asyncCommit: this.options.asyncCommit ?? true,
        onePc: this.options.onePc ?? true,
        beforeCommitPrimary: this.options.beforeCommitPrimary,
      },
      opts?.pessimistic === true,
    );
  }

  async snapshot(ts?: bigint): Promise<KvSnapshotReader> {
    this.checkOpen();
    return new TikvSnapshot(this.ctx, ts ?? (await this.pd.getTs()));
  }

  private adminBackoffer(op: string): TikvBackoffer {
    return new TikvBackoffer(op, this.ctx.budgets.adminMs, this.ctx.clock, this.ctx.random);
  }

  /**
   * Splits regions at raw user `keys` (SplitRegion per region; the store encodes them) and
   * waits until PD knows the new regions. Keys on existing boundaries are no-ops.
   */
  async splitRegions(keys: Uint8Array[]): Promise<void> {
    this.checkOpen();
    const bo = this.adminBackoffer('splitRegions');
    const items = keys.filter((k) => k.length > 0).map((key) => ({ key }));
    let pending = await this.rpc.cache.groupKeysByRegion(bo, items);
    while (pending.length > 0) {
      const g = pending.shift()!;
      const r = await this.rpc.sendToRegion(bo, g.region, 'SplitRegion', { splitKeys: g.items.map((i) => i.key), isRawKv: false }, SPLIT_RPC_DEADLINE_MS);
      if (r.kind === 'relocate') {
        pending = [...(await this.rpc.cache.groupKeysByRegion(bo, g.items)), ...pending];
        continue;
      }
      this.rpc.cache.invalidate(g.region.id);
      for (const region of r.resp.regions) {
        const leader = region.peers.find((p) => p.storeId === g.region.leader.storeId) ?? null;
        this.rpc.cache.insertFromPd(region, leader);
      }
      for (const region of r.resp.regions) await this.rpc.cache.waitPdCaughtUp(bo, region);
    }
  }

  /** Regions intersecting `[start, end)` (raw keys; empty end = +inf) with decoded boundaries, from PD. */
  async regions(start: Uint8Array, end: Uint8Array, options?: RegionsOptions): Promise<RegionInfo[]> {
    this.checkOpen();
    const regions = await this.rpc.cache.scanRegions(start, end);
    const stats = options?.withStats ? await this.regionStats(regions.map((r) => r.id)) : undefined;
    return regions.map((r) => {
      const s = stats?.get(r.id);
      return {
        id: r.id,
        startKey: r.startKey,
        endKey: r.endKey,
        leaderStoreId: r.leader.storeId,
        leaderPeerId: r.leader.id,
        peers: r.peers.map((p) => ({ id: p.id, storeId: p.storeId })),
        ...(s ? { approximateSizeBytes: Number(s.approximateSizeMiB) * BYTES_PER_MIB, approximateKeys: Number(s.approximateKeys) } : {}),
      };
    });
  }

  /** PD's size statistics of `ids`, fetched with bounded concurrency (regions PD lost are left out). */
  private async regionStats(ids: readonly bigint[]): Promise<Map<bigint, RegionStats>> {
    const out = new Map<bigint, RegionStats>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const s = await this.pd.regionStats(id);
        if (s !== undefined) out.set(id, s);
      }
    };
    await Promise.all(Array.from({ length: Math.min(REGION_STATS_CONCURRENCY, ids.length) }, worker));
    return out;
  }

  coprocessor(req: TikvCopRequest): AsyncIterable<TikvCopResult> {
    this.checkOpen();
    return this.copr.execute(req);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flushBackground();
    this.closed = true;
    this.rpc.close();
    this.pd.close();
  }
}
