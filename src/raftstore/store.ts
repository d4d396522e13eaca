import type { KvEngine, WriteBatch } from '../engine/mod.ts';
import type { Modify, RegionContext, RegionError, RegionKv, RegionResult } from '../storage/mod.ts';
import {
  bytesCompare,
  bytesEqual,
  bytesToHex,
  type Clock,
  CorruptionError,
  createLogger,
  DomainError,
  invalidArgument,
  type Logger,
} from '../util/mod.ts';
import { resolveRaftstoreConfig, type RaftstoreConfig } from './config.ts';
import {
  applyStateKey,
  decodeApplyState,
  decodeRegionLocalState,
  decodeStoreIdent,
  encodeApplyState,
  encodeRegionLocalState,
  encodeStoreIdent,
  parseRegionMetaKey,
  PREPARE_BOOTSTRAP_KEY,
  REGION_META_MAX_KEY,
  REGION_META_MIN_KEY,
  regionStateKey,
  STORE_IDENT_KEY,
} from './local_state.ts';
import type { PdClientForStore, RegionStats, SplitIds, StoreMeta } from './pd_client_for_store.ts';
import { Peer } from './peer.ts';
import { cloneRegion, PEER_ROLE_VOTER, regionContainsKey, regionContainsRange, type Region, type RegionPeer } from './region.ts';
import { RegionSnapshot } from './region_snapshot.ts';
import { SplitChecker } from './split_checker.ts';
import { StoreLoop, type LoopItem } from './store_loop.ts';

/** Applied index a new region starts from (TiKV's RAFT_INIT_LOG_INDEX), so a Raft log can follow it. */
export const REGION_INIT_APPLIED_INDEX = 5n;
/** Regions (the stale one's current meta plus split siblings) put into one EpochNotMatch. */
export const EPOCH_NOT_MATCH_REGIONS_MAX = 64;
/** Split keys accepted in one SplitRegion request. */
export const SPLIT_KEYS_PER_REQUEST_MAX = 4096;
/** Per-modify overhead counted in a proposal's size (type, family, lengths). */
const MODIFY_OVERHEAD_BYTES = 16;

/** Hooks for metrics; all optional, all synchronous and cheap. */
export interface StoreObserver {
  onBatchCommitted?(info: { proposals: number; modifies: number; bytes: number; durationMs: number }): void;
  onSplit?(regions: Region[]): void;
}

export interface StoreOptions {
  engine: KvEngine;
  pd: PdClientForStore;
  /** This store's addresses and version; the id comes from the store ident (or PD on first start). */
  storeMeta: Omit<StoreMeta, 'id'>;
  config?: Partial<RaftstoreConfig>;
  clock: Clock;
  logger?: Logger;
  observer?: StoreObserver;
  /** Called once if a local engine write fails; the store refuses all writes afterwards. */
  onFatal?: (err: unknown) => void;
}

interface WriteProposal extends LoopItem {
  kind: 'write';
  ctx: RegionContext;
  modifies: Modify[];
  resolve(result: RegionResult<void>): void;
}

interface SplitProposal extends LoopItem {
  kind: 'split';
  regionId: bigint;
  expectedVersion: bigint;
  splitKeys: Uint8Array[];
  ids: SplitIds[];
  resolve(result: RegionResult<Region[]>): void;
}

/** Store-level range destruction (UnsafeDestroyRange): bypasses regions, like TiKV's. */
interface DestroyRangeProposal extends LoopItem {
  kind: 'destroyRange';
  startKey: Uint8Array;
  endKey: Uint8Array;
  resolve(): void;
}

type Proposal = WriteProposal | SplitProposal | DestroyRangeProposal;

/** Column families holding user data (everything but `raft`). */
const DATA_CFS = ['default', 'lock', 'write'] as const;

/**
 * One store's regions (single peer per region today) and the `RegionKv` over them.
 *
 * Every write goes propose -> persist+apply -> acknowledge through one `StoreLoop`: the loop
 * re-checks each proposal against the region metadata as it is at apply time, puts the
 * modifications and the region's new apply index into one engine write batch with every
 * other waiting proposal, syncs it once, then updates memory and resolves. Splits are
 * proposals too (barriers), so a split and the writes around it are totally ordered and a
 * write checked against the old epoch can never land after the split.
 *
 * Reads (`snapshot`) check the context and take the engine snapshot in the same synchronous
 * step, so the region they were checked against is the region the snapshot belongs to.
 */
export class Store implements RegionKv {
  private readonly peers = new Map<bigint, Peer>();
  private readonly loop: StoreLoop<Proposal>;
  private readonly checker: SplitChecker;
  private cancelSplitTick: (() => void) | undefined;
  /** The split check in progress, if any (close waits for it before the engine goes away). */
  private splitCheckRunning: Promise<number> | undefined;
  /** Region scans done by the split checker (a scan is skipped while the estimate is under the thresholds). */
  splitCheckScans = 0;
  private closed = false;
  private lastHeartbeatMs: number;

  private constructor(
    readonly storeId: bigint,
    readonly clusterId: bigint,
    private readonly engine: KvEngine,
    private readonly pd: PdClientForStore,
    readonly config: RaftstoreConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly observer: StoreObserver,
    onFatal: (err: unknown) => void,
  ) {
    this.loop = new StoreLoop<Proposal>(
      { queueMax: config.proposalQueueMax, batchItemsMax: config.batchProposalsMax, batchBytesMax: config.batchBytesMax },
      (batch) => this.commitBatch(batch),
      onFatal,
    );
    this.checker = new SplitChecker(config);
    this.lastHeartbeatMs = clock.monotonicMs();
  }

  /**
   * Opens the store on `engine`: reads (or creates, with an id from PD) the store ident,
   * loads every region, bootstraps the cluster's first region ["", "") when PD is not yet
   * bootstrapped, and registers the store with PD (PutStore). Throws `CorruptionError` on
   * undecodable local state and `DomainError` when the data dir belongs to another cluster.
   */
  static async open(opts: StoreOptions): Promise<Store> {
    const log = opts.logger ?? createLogger('raftstore');
    const { engine, pd } = opts;
    const clusterId = await pd.getClusterId();
    const identBytes = await engine.get('raft', STORE_IDENT_KEY);
    let storeId: bigint;
    if (identBytes === undefined) {
      storeId = await pd.allocId();
      const wb = engine.newWriteBatch();
      wb.put('raft', STORE_IDENT_KEY, encodeStoreIdent({ clusterId, storeId }));
      await engine.write(wb, { sync: true });
      log.info({ storeId: storeId.toString(), clusterId: clusterId.toString() }, 'store ident created');
    } else {
      const ident = decodeStoreIdent(identBytes);
      if (ident.clusterId !== clusterId) {
        throw new DomainError(
          'InvalidArgument',
          `data dir belongs to cluster ${ident.clusterId}, but PD serves cluster ${clusterId}`,
        );
      }
      storeId = ident.storeId;
    }
    const config = resolveRaftstoreConfig(opts.config ?? {});
    const onFatal =
      opts.onFatal ??
      ((err: unknown) => log.fatal({ err }, 'engine write failed; store stopped accepting writes'));
    const store = new Store(storeId, clusterId, engine, pd, config, opts.clock, log, opts.observer ?? {}, onFatal);
    await store.loadRegions();
    await store.bootstrapIfNeeded({ ...opts.storeMeta, id: storeId });
    await pd.putStore({ ...opts.storeMeta, id: storeId });
    return store;
  }

  private async loadRegions(): Promise<void> {
    const iter = this.engine.iterator('raft', { lowerBound: REGION_META_MIN_KEY, upperBound: REGION_META_MAX_KEY });
    const regions = new Map<bigint, Region>();
    const applied = new Map<bigint, bigint>();
    try {
      for (;;) {
        const entries = await iter.nextBatch(256);
        if (entries.length === 0) break;
        for (const e of entries) {
          const { regionId, kind } = parseRegionMetaKey(e.key);
          if (kind === 'apply') {
            applied.set(regionId, decodeApplyState(e.value));
          } else {
            const state = decodeRegionLocalState(e.value);
            if (state.region.id !== regionId) throw new CorruptionError(`raft cf: region ${regionId} state names ${state.region.id}`);
            if (state.state === 'Normal') regions.set(regionId, state.region);
          }
        }
      }
    } finally {
      await iter.close();
    }
    for (const [id, region] of regions) {
      const index = applied.get(id);
      if (index === undefined) throw new CorruptionError(`raft cf: region ${id} has no apply state`);
      this.peers.set(id, new Peer(region, index, this.storeId));
    }
    const sorted = this.sortedPeers();
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!.region;
      const cur = sorted[i]!.region;
      if (prev.endKey.length === 0 || bytesCompare(prev.endKey, cur.startKey) > 0) {
        throw new CorruptionError(`raft cf: regions ${prev.id} and ${cur.id} overlap`);
      }
    }
  }

  private async bootstrapIfNeeded(meta: StoreMeta): Promise<void> {
    const marker = await this.engine.get('raft', PREPARE_BOOTSTRAP_KEY);
    if (marker === undefined) {
      if (this.peers.size > 0 || (await this.pd.isBootstrapped())) return;
      const regionId = await this.pd.allocId();
      const peerId = await this.pd.allocId();
      const region: Region = {
        id: regionId,
        startKey: new Uint8Array(0),
        endKey: new Uint8Array(0),
        regionEpoch: { confVer: 1n, version: 1n },
        peers: [{ id: peerId, storeId: this.storeId, role: PEER_ROLE_VOTER }],
      };
      // Written before asking PD, marked "prepare": a crash between the two retries the
      // PD bootstrap on restart instead of leaving PD without the first region.
      const wb = this.engine.newWriteBatch();
      wb.put('raft', regionStateKey(regionId), encodeRegionLocalState({ region, state: 'Normal' }));
      wb.put('raft', applyStateKey(regionId), encodeApplyState(REGION_INIT_APPLIED_INDEX));
      wb.put('raft', PREPARE_BOOTSTRAP_KEY, encodeRegionLocalState({ region, state: 'Normal' }));
      await this.engine.write(wb, { sync: true });
      this.peers.set(regionId, new Peer(region, REGION_INIT_APPLIED_INDEX, this.storeId));
    }
    const first = this.sortedPeers()[0]?.region;
    if (first === undefined) throw new CorruptionError('raft cf: prepare-bootstrap marker without a region');
    if (!(await this.pd.isBootstrapped())) {
      await this.pd.bootstrap(meta, cloneRegion(first));
      this.log.info({ regionId: first.id.toString() }, 'cluster bootstrapped with the first region');
    }
    const wb = this.engine.newWriteBatch();
    wb.delete('raft', PREPARE_BOOTSTRAP_KEY);
    await this.engine.write(wb, { sync: true });
  }

  /** Arms the periodic split check. */
  start(): void {
    if (this.cancelSplitTick !== undefined || this.closed) return;
    this.cancelSplitTick = this.clock.setInterval(() => {
      this.runSplitCheck().catch((err: unknown) => this.log.warn({ err }, 'split check failed'));
    }, this.config.splitCheckTickMs);
  }

  /** Stops the split check and waits for queued proposals to be committed. Does not close the engine. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelSplitTick?.();
    this.cancelSplitTick = undefined;
    await this.splitCheckRunning?.catch(() => 0);
    await this.loop.close();
  }

  /** Number of regions this store holds a peer of. */
  get regionCount(): number {
    return this.peers.size;
  }

  /** Proposals waiting for the store loop. */
  get pendingProposals(): number {
    return this.loop.queuedCount;
  }

  /** Copies of every region, in key order. */
  regions(): Region[] {
    return this.sortedPeers().map((p) => cloneRegion(p.region));
  }

  /** A copy of one region's metadata. */
  getRegion(regionId: bigint): Region | undefined {
    const peer = this.peers.get(regionId);
    return peer === undefined ? undefined : cloneRegion(peer.region);
  }

  /** The region holding `key` (engine key space), if this store has it. */
  getRegionByKey(key: Uint8Array): Region | undefined {
    for (const peer of this.peers.values()) if (regionContainsKey(peer.region, key)) return cloneRegion(peer.region);
    return undefined;
  }

  /** A `RegionContext` addressed to `region` as it is now (for tests and internal callers). */
  contextFor(region: Region): RegionContext {
    const mine = region.peers.find((p) => p.storeId === this.storeId) ?? region.peers[0]!;
    return {
      regionId: region.id,
      confVer: region.regionEpoch.confVer,
      version: region.regionEpoch.version,
      peerId: mine.id,
      storeId: this.storeId,
    };
  }

  /** The leader peer and the counters for one region heartbeat; resets the written counters. */
  takeHeartbeat(regionId: bigint): { region: Region; leader: RegionPeer; stats: RegionStats } | undefined {
    const peer = this.peers.get(regionId);
    if (peer === undefined) return undefined;
    const now = this.clock.monotonicMs();
    const stats: RegionStats = {
      approximateKeys: BigInt(peer.approximateKeys),
      approximateSizeBytes: BigInt(peer.approximateSizeBytes),
      writtenKeys: BigInt(peer.writtenKeysSinceHeartbeat),
      writtenBytes: BigInt(peer.writtenBytesSinceHeartbeat),
      intervalSeconds: Math.max(0, (now - this.lastHeartbeatMs) / 1000),
    };
    peer.writtenKeysSinceHeartbeat = 0;
    peer.writtenBytesSinceHeartbeat = 0;
    return { region: cloneRegion(peer.region), leader: { ...peer.meta }, stats };
  }

  /** Marks the start of a heartbeat round (for `intervalSeconds`). */
  markHeartbeatRound(): void {
    this.lastHeartbeatMs = this.clock.monotonicMs();
  }

  /**
   * The region a request addresses, after the store / region / epoch checks; Storage uses its
   * [startKey, endKey) to check and clip keys (engine key space).
   */
  regionFor(ctx: RegionContext): RegionResult<Region> {
    const checked = this.checkContext(ctx);
    if (!(checked instanceof Peer)) return { ok: false, regionError: checked };
    return { ok: true, value: cloneRegion(checked.region) };
  }

  /**
   * Storage's `RegionRangeSource`: the [startKey, endKey) of the region `ctx` addresses (engine
   * key space), read right after `snapshot(ctx)`; undefined if the context no longer checks out.
   */
  regionRange(ctx: RegionContext): { startKey: Uint8Array; endKey: Uint8Array } | undefined {
    const checked = this.checkContext(ctx);
    if (!(checked instanceof Peer)) return undefined;
    return { startKey: checked.region.startKey.slice(), endKey: checked.region.endKey.slice() };
  }

  /** RegionKv: a consistent snapshot of the engine (a `RegionSnapshot` carrying the region). */
  async snapshot(ctx: RegionContext): Promise<RegionResult<RegionSnapshot>> {
    const checked = this.checkContext(ctx);
    if (!(checked instanceof Peer)) return { ok: false, regionError: checked };
    // No await between the check and the snapshot: they describe the same instant.
    return { ok: true, value: new RegionSnapshot(this.engine.snapshot(), cloneRegion(checked.region), checked.dataVersion) };
  }

  /** RegionKv: proposes `modifies` as one atomic unit; resolves once synced and applied. */
  write(ctx: RegionContext, modifies: Modify[]): Promise<RegionResult<void>> {
    const early = this.checkWrite(ctx, modifies);
    if (!(early instanceof Peer)) return Promise.resolve({ ok: false, regionError: early });
    let bytes = 0;
    for (const m of modifies) {
      bytes += MODIFY_OVERHEAD_BYTES + (m.type === 'deleteRange' ? m.start.length + m.end.length : m.key.length);
      if (m.type === 'put') bytes += m.value.length;
    }
    if (bytes > this.config.raftEntryMaxBytes) {
      return Promise.resolve({
        ok: false,
        regionError: {
          message: `raft entry is too large: region ${ctx.regionId}, size ${bytes}`,
          raftEntryTooLarge: { regionId: ctx.regionId, entrySize: BigInt(bytes) },
        },
      });
    }
    return new Promise<RegionResult<void>>((resolve, reject) => {
      // A range deletion is committed alone: if the engine refuses it (too many keys), only
      // this request fails, and the store keeps serving.
      const barrier = modifies.some((m) => m.type === 'deleteRange');
      const offered = this.loop.offer({ kind: 'write', ctx, modifies, payloadBytes: bytes, barrier, resolve, fail: reject });
      if (offered !== 'queued') resolve({ ok: false, regionError: this.busyError(offered) });
    });
  }

  /**
   * Splits the region addressed by `ctx` at `splitKeys` (engine key space: already encoded for
   * transactional keys, verbatim for raw). Keys equal to the region start are ignored; keys
   * outside the region give KeyNotInRegion. Returns every resulting region in key order; the
   * original region keeps the right-most part (TiKV's right-derive), all get version + n.
   */
  async splitRegion(ctx: RegionContext, splitKeys: Uint8Array[]): Promise<RegionResult<Region[]>> {
    if (splitKeys.length > SPLIT_KEYS_PER_REQUEST_MAX) {
      throw invalidArgument(`too many split keys: ${splitKeys.length} > ${SPLIT_KEYS_PER_REQUEST_MAX}`);
    }
    const checked = this.checkContext(ctx);
    if (!(checked instanceof Peer)) return { ok: false, regionError: checked };
    const region = checked.region;
    const keys = [...splitKeys].sort(bytesCompare).filter((k, i, all) => i === 0 || !bytesEqual(k, all[i - 1]!));
    const inner: Uint8Array[] = [];
    for (const k of keys) {
      if (k.length === 0 || bytesEqual(k, region.startKey)) continue;
      if (!regionContainsKey(region, k)) return { ok: false, regionError: this.keyNotInRegion(region, k) };
      inner.push(k.slice());
    }
    if (inner.length === 0) return { ok: true, value: [cloneRegion(region)] };
    const ids = await this.pd.askBatchSplit(cloneRegion(region), inner.length);
    if (ids.length !== inner.length || ids.some((s) => s.newPeerIds.length !== region.peers.length)) {
      throw new DomainError('Internal', `PD AskBatchSplit returned ${ids.length} ids for ${inner.length} split keys`);
    }
    const result = await new Promise<RegionResult<Region[]>>((resolve, reject) => {
      const offered = this.loop.offer({
        kind: 'split',
        regionId: region.id,
        expectedVersion: ctx.version,
        splitKeys: inner,
        ids,
        payloadBytes: 0,
        barrier: true,
        resolve,
        fail: reject,
      });
      if (offered !== 'queued') resolve({ ok: false, regionError: this.busyError(offered) });
    });
    if (result.ok) this.reportSplit(result.value);
    return result;
  }

  /**
   * Deletes every key in [startKey, endKey) (engine key space) of the data column families,
   * across regions and without region checks: TiDB's GC calls this (UnsafeDestroyRange) for
   * dropped tables once no transaction can read them. Goes through the store loop as a
   * barrier, so it is ordered with every write. `endKey` must be bounded.
   */
  async destroyRange(startKey: Uint8Array, endKey: Uint8Array): Promise<void> {
    if (endKey.length === 0 || bytesCompare(startKey, endKey) >= 0) {
      throw invalidArgument(`destroy range needs start < end and a bounded end: [${bytesToHex(startKey)}, ${bytesToHex(endKey)})`);
    }
    await new Promise<void>((resolve, reject) => {
      const offered = this.loop.offer({
        kind: 'destroyRange',
        startKey: startKey.slice(),
        endKey: endKey.slice(),
        payloadBytes: startKey.length + endKey.length,
        barrier: true,
        resolve,
        fail: reject,
      });
      if (offered !== 'queued') reject(new DomainError('Unavailable', this.busyError(offered).message));
    });
  }

  /**
   * Checks every region written since its last check and splits those over the thresholds.
   * At most one check runs at a time (the tick is the rate limit). Returns the number of splits.
   */
  async runSplitCheck(): Promise<number> {
    if (this.splitCheckRunning !== undefined || this.closed) return 0;
    const run = this.splitCheckOnce();
    this.splitCheckRunning = run;
    try {
      return await run;
    } finally {
      this.splitCheckRunning = undefined;
    }
  }

  private async splitCheckOnce(): Promise<number> {
    let splits = 0;
    try {
      for (const peer of this.sortedPeers()) {
        if (this.closed) break;
        if (peer.writtenKeysSinceCheck === 0 || peer.splitInFlight) continue;
        peer.writtenKeysSinceCheck = 0;
        // Only scan when the estimate says the region may be over a threshold (or is unknown).
        if (
          peer.sizeMeasured &&
          peer.approximateKeys <= this.config.regionMaxKeys &&
          peer.approximateSizeBytes <= this.config.regionMaxSizeBytes
        ) {
          continue;
        }
        const region = peer.region;
        this.splitCheckScans++;
        const snapshot = this.engine.snapshot();
        let found;
        try {
          found = await this.checker.check(snapshot, region);
        } finally {
          snapshot.release();
        }
        peer.approximateKeys = found.approximateKeys;
        peer.approximateSizeBytes = found.approximateSizeBytes;
        peer.sizeMeasured = true;
        if (found.splitKeys.length === 0 || peer.region !== region) continue;
        peer.splitInFlight = true;
        try {
          const result = await this.splitRegion(this.contextFor(region), found.splitKeys);
          if (result.ok) {
            splits++;
            this.log.info(
              { regionId: region.id.toString(), mode: found.mode, keys: found.approximateKeys, parts: result.value.length },
              'region split by size check',
            );
          }
        } finally {
          peer.splitInFlight = false;
        }
      }
    } catch (err) {
      if (!this.closed) throw err;
    }
    return splits;
  }

  private busyError(offered: 'full' | 'closed'): RegionError {
    const reason = offered === 'full' ? `store ${this.storeId} proposal queue is full` : `store ${this.storeId} is stopping`;
    return { message: reason, serverIsBusy: { reason, backoffMs: 0 } };
  }

  private sortedPeers(): Peer[] {
    return [...this.peers.values()].sort((a, b) => bytesCompare(a.region.startKey, b.region.startKey));
  }

  /** Store, region and epoch checks, in TiKV's order. Returns the peer or the region error. */
  private checkContext(ctx: RegionContext): Peer | RegionError {
    if (ctx.storeId !== this.storeId) {
      return {
        message: `store not match: request store ${ctx.storeId}, this store ${this.storeId}`,
        storeNotMatch: { requestStoreId: ctx.storeId, actualStoreId: this.storeId },
      };
    }
    const peer = this.peers.get(ctx.regionId);
    if (peer === undefined) {
      return { message: `region ${ctx.regionId} not found`, regionNotFound: { regionId: ctx.regionId } };
    }
    // Normal requests compare only `version`, exactly (TiKV NORMAL_REQ_CHECK_VER).
    if (ctx.version !== peer.region.regionEpoch.version) return this.epochNotMatch(peer, ctx);
    return peer;
  }

  private checkWrite(ctx: RegionContext, modifies: Modify[]): Peer | RegionError {
    const checked = this.checkContext(ctx);
    if (!(checked instanceof Peer)) return checked;
    const region = checked.region;
    for (const m of modifies) {
      if (m.cf === 'raft') throw new DomainError('Internal', 'RegionKv.write must not touch the raft column family');
      if (m.type === 'deleteRange') {
        if (!regionContainsRange(region, m.start, m.end)) return this.keyNotInRegion(region, m.start);
      } else if (!regionContainsKey(region, m.key)) {
        return this.keyNotInRegion(region, m.key);
      }
    }
    return checked;
  }

  private keyNotInRegion(region: Region, key: Uint8Array): RegionError {
    return {
      message: `key ${bytesToHex(key)} is not in region ${region.id} [${bytesToHex(region.startKey)}, ${bytesToHex(region.endKey)})`,
      keyNotInRegion: { key: key.slice(), regionId: region.id, startKey: region.startKey.slice(), endKey: region.endKey.slice() },
    };
  }

  /**
   * EpochNotMatch carrying the region's current meta plus its neighbours that are newer than
   * what the client sent (its split siblings), so the client can refresh its cache directly.
   */
  private epochNotMatch(peer: Peer, ctx: RegionContext): RegionError {
    const current = peer.region;
    const sorted = this.sortedPeers();
    const at = sorted.indexOf(peer);
    const out: Region[] = [cloneRegion(current)];
    for (let i = at - 1; i >= 0 && out.length < EPOCH_NOT_MATCH_REGIONS_MAX; i--) {
      const r = sorted[i]!.region;
      if (!bytesEqual(r.endKey, sorted[i + 1]!.region.startKey) || r.regionEpoch.version <= ctx.version) break;
      out.unshift(cloneRegion(r));
    }
    for (let i = at + 1; i < sorted.length && out.length < EPOCH_NOT_MATCH_REGIONS_MAX; i++) {
      const r = sorted[i]!.region;
      if (!bytesEqual(sorted[i - 1]!.region.endKey, r.startKey) || r.regionEpoch.version <= ctx.version) break;
      out.push(cloneRegion(r));
    }
    const e = current.regionEpoch;
    return {
      message:
        `epoch not match: current epoch of region ${current.id} is conf_ver ${e.confVer} version ${e.version}, ` +
        `but you sent conf_ver ${ctx.confVer} version ${ctx.version}`,
      epochNotMatch: { currentRegions: out },
    };
  }

  /** The store loop's commit step: one engine write for the whole batch, then acknowledge. */
  private async commitBatch(batch: Proposal[]): Promise<void> {
    const startedMs = this.clock.monotonicMs();
    const wb = this.engine.newWriteBatch();
    const appliedNext = new Map<Peer, bigint>();
    const written = new Map<Peer, { keys: number; bytes: number; dataKeys: number; dataBytes: number }>();
    const acks: (() => void)[] = [];
    let split: { peer: Peer; regions: Region[] } | undefined;
    let modifies = 0;
    let bytes = 0;
    for (const p of batch) {
      if (p.kind === 'write') {
        const checked = this.checkWrite(p.ctx, p.modifies);
        if (!(checked instanceof Peer)) {
          acks.push(() => p.resolve({ ok: false, regionError: checked }));
          continue;
        }
        applyModifies(wb, p.modifies);
        appliedNext.set(checked, (appliedNext.get(checked) ?? checked.appliedIndex) + 1n);
        const w = written.get(checked) ?? { keys: 0, bytes: 0, dataKeys: 0, dataBytes: 0 };
        w.keys += p.modifies.length;
        w.bytes += p.payloadBytes;
        for (const m of p.modifies) {
          if (m.type === 'put' && (m.cf === 'write' || m.cf === 'default')) {
            w.dataKeys++;
            w.dataBytes += m.key.length + m.value.length;
          }
        }
        written.set(checked, w);
        modifies += p.modifies.length;
        bytes += p.payloadBytes;
        acks.push(() => p.resolve({ ok: true, value: undefined }));
      } else if (p.kind === 'destroyRange') {
        for (const cf of DATA_CFS) wb.deleteRange(cf, p.startKey, p.endKey);
        for (const peer of this.peers.values()) {
          if (regionOverlaps(peer.region, p.startKey, p.endKey)) {
            peer.sizeMeasured = false;
            peer.writtenKeysSinceCheck = Math.max(1, peer.writtenKeysSinceCheck);
          }
        }
        acks.push(() => p.resolve());
      } else {
        const staged = this.stageSplit(wb, p, appliedNext);
        if ('message' in staged) {
          acks.push(() => p.resolve({ ok: false, regionError: staged }));
          continue;
        }
        split = staged;
        acks.push(() => p.resolve({ ok: true, value: staged.regions.map(cloneRegion) }));
      }
    }
    for (const [peer, index] of appliedNext) {
      wb.put('raft', applyStateKey(peer.regionId), encodeApplyState(index));
    }
    if (wb.count > 0) {
      for (const peer of appliedNext.keys()) peer.writeInFlight = true;
      try {
        await this.engine.write(wb, { sync: this.config.syncWrites });
      } catch (err) {
        // An engine limit (deleteRange over too many keys) refuses the whole atomic batch
        // before writing anything: answer the lone range-deletion proposal with the error
        // instead of treating it as local corruption. Anything else stays fatal.
        const only = batch.length === 1 ? batch[0] : undefined;
        if (err instanceof DomainError && err.code === 'ResourceExhausted' && only?.kind === 'write') {
          only.fail(err);
          return;
        }
        throw err;
      } finally {
        for (const peer of appliedNext.keys()) peer.writeInFlight = false;
      }
    }
    for (const [peer, index] of appliedNext) peer.appliedIndex = index;
    for (const [peer, w] of written) {
      peer.writtenKeysSinceCheck += w.keys;
      peer.writtenKeysSinceHeartbeat += w.keys;
      peer.writtenBytesSinceHeartbeat += w.bytes;
      peer.approximateKeys += w.dataKeys;
      peer.approximateSizeBytes += w.dataBytes;
    }
    if (split !== undefined) this.installSplit(split.peer, split.regions);
    for (const ack of acks) ack();
    this.observer.onBatchCommitted?.({
      proposals: batch.length,
      modifies,
      bytes,
      durationMs: this.clock.monotonicMs() - startedMs,
    });
  }

  private stageSplit(
    wb: WriteBatch,
    p: SplitProposal,
    appliedNext: Map<Peer, bigint>,
  ): { peer: Peer; regions: Region[] } | RegionError {
    const peer = this.peers.get(p.regionId);
    if (peer === undefined) return { message: `region ${p.regionId} not found`, regionNotFound: { regionId: p.regionId } };
    const old = peer.region;
    if (old.regionEpoch.version !== p.expectedVersion) {
      return this.epochNotMatch(peer, {
        regionId: p.regionId,
        confVer: old.regionEpoch.confVer,
        version: p.expectedVersion,
        peerId: peer.meta.id,
        storeId: this.storeId,
      });
    }
    const n = p.splitKeys.length;
    const epoch = { confVer: old.regionEpoch.confVer, version: old.regionEpoch.version + BigInt(n) };
    const regions: Region[] = [];
    for (let i = 0; i < n; i++) {
      const ids = p.ids[i]!;
      regions.push({
        id: ids.newRegionId,
        startKey: i === 0 ? old.startKey : p.splitKeys[i - 1]!,
        endKey: p.splitKeys[i]!,
        regionEpoch: { ...epoch },
        peers: old.peers.map((op, j) => ({ id: ids.newPeerIds[j]!, storeId: op.storeId, role: op.role })),
      });
    }
    regions.push({ id: old.id, startKey: p.splitKeys[n - 1]!, endKey: old.endKey, regionEpoch: { ...epoch }, peers: old.peers });
    for (const r of regions) {
      wb.put('raft', regionStateKey(r.id), encodeRegionLocalState({ region: r, state: 'Normal' }));
      if (r.id !== old.id) wb.put('raft', applyStateKey(r.id), encodeApplyState(REGION_INIT_APPLIED_INDEX));
    }
    appliedNext.set(peer, (appliedNext.get(peer) ?? peer.appliedIndex) + 1n);
    return { peer, regions };
  }

  private installSplit(peer: Peer, regions: Region[]): void {
    for (const r of regions) {
      if (r.id === peer.regionId) {
        peer.region = r;
        peer.writtenKeysSinceCheck = Math.max(1, peer.writtenKeysSinceCheck);
        peer.sizeMeasured = false;
      } else {
        // A new Peer is unmeasured and due for a check: one check may not have cut every part.
        const created = new Peer(r, REGION_INIT_APPLIED_INDEX, this.storeId);
        this.peers.set(r.id, created);
      }
    }
    this.observer.onSplit?.(regions.map(cloneRegion));
  }

  /** Tells PD about a split (ReportBatchSplit + one heartbeat per region); failures are logged. */
  private reportSplit(regions: Region[]): void {
    const report = async (): Promise<void> => {
      await this.pd.reportBatchSplit(regions.map(cloneRegion));
      for (const r of regions) {
        const hb = this.takeHeartbeat(r.id);
        if (hb !== undefined) await this.pd.regionHeartbeat(hb.region, hb.leader, hb.stats);
      }
    };
    report().catch((err: unknown) => this.log.warn({ err }, 'reporting split to PD failed'));
  }
}

/** True when the region and [start, end) share a key (end bounded). */
function regionOverlaps(region: Region, start: Uint8Array, end: Uint8Array): boolean {
  const endsAfterStart = region.endKey.length === 0 || bytesCompare(region.endKey, start) > 0;
  return endsAfterStart && bytesCompare(region.startKey, end) < 0;
}

function applyModifies(wb: WriteBatch, modifies: Modify[]): void {
  for (const m of modifies) {
    switch (m.type) {
      case 'put':
        wb.put(m.cf, m.key, m.value);
        break;
      case 'delete':
        wb.delete(m.cf, m.key);
        break;
      case 'deleteRange':
        wb.deleteRange(m.cf, m.start, m.end);
        break;
    }
  }
}
