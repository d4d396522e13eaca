import type { Clock } from '../util/clock.ts';
import type { Random } from '../util/random.ts';
import { DomainError } from '../util/errors.ts';
import { decodeMessage, encodeMessage, type DeepPartial, type metapb, type pdpb } from '../proto/mod.ts';
import type { MetaStore } from './meta_store.ts';
import type { IdAllocator } from './id_allocator.ts';
import { RegionTree } from './region_tree.ts';

/**
 * PD's view of the cluster: stores, regions (with their leaders and sizes), bootstrap state,
 * and GC safe points. All changes a client could observe are persisted before they are
 * acknowledged. Region boundaries are kept exactly as the stores report them.
 */

/** Typed failures that the PD service maps to `pdpb.Error` types. */
export class PdError extends DomainError {
  constructor(
    readonly pdType: 'NOT_BOOTSTRAPPED' | 'ALREADY_BOOTSTRAPPED' | 'STORE_TOMBSTONE' | 'REGION_NOT_FOUND' | 'INVALID_VALUE' | 'UNKNOWN',
    message: string,
  ) {
    super('InvalidArgument', message);
  }
}

export interface RegionInfo {
  id: bigint;
  startKey: Uint8Array;
  endKey: Uint8Array;
  meta: metapb.Region;
  leader: metapb.Peer | null;
  approximateSize: bigint;
  approximateKeys: bigint;
  lastHeartbeatMs: number;
}

export interface StoreInfo {
  meta: metapb.Store;
  stats: pdpb.StoreStats | null;
  lastHeartbeatMs: number;
}

export interface ServiceSafePoint {
  serviceId: string;
  safePoint: bigint;
  /** Wall-clock ms after which it no longer holds back GC; `Infinity` for no expiry. */
  expireAtMs: number;
}

const KEY_CLUSTER_ID = 'cluster/id';
const KEY_BOOTSTRAPPED = 'cluster/bootstrapped';
const KEY_GC_SAFE_POINT = 'gc/safe_point';
const PREFIX_STORE = 'store/';
const PREFIX_REGION = 'region/';
const PREFIX_SERVICE_SAFE_POINT = 'gc/service/';

function idKey(prefix: string, id: bigint): string {
  return prefix + id.toString().padStart(20, '0');
}

function epochOf(r: metapb.Region): { confVer: bigint; version: bigint } {
  return { confVer: r.regionEpoch?.confVer ?? 0n, version: r.regionEpoch?.version ?? 0n };
}

export class ClusterState {
  readonly regions = new RegionTree<RegionInfo>();
  private readonly stores = new Map<bigint, StoreInfo>();
  private readonly serviceSafePoints = new Map<string, ServiceSafePoint>();
  private bootstrapped = false;
  private gcSafePoint = 0n;

  private constructor(
    readonly clusterId: bigint,
    private readonly meta: MetaStore,
    private readonly clock: Clock,
    private readonly ids: IdAllocator,
  ) {}

  /** Loads persisted state; creates the cluster id on first start. */
  static async open(meta: MetaStore, clock: Clock, random: Random, ids: IdAllocator): Promise<ClusterState> {
    let clusterId = await meta.getBigInt(KEY_CLUSTER_ID);
    if (clusterId === undefined) {
      // As PD does: creation time in the high bits, randomness below; never zero.
      clusterId = (BigInt(Math.floor(clock.nowMs() / 1000)) << 32n) | BigInt(random.int(0x7fff_ffff) + 1);
      await meta.putBigInt(KEY_CLUSTER_ID, clusterId);
    }
    const state = new ClusterState(clusterId, meta, clock, ids);
    state.bootstrapped = (await meta.get(KEY_BOOTSTRAPPED)) !== undefined;
    state.gcSafePoint = (await meta.getBigInt(KEY_GC_SAFE_POINT)) ?? 0n;
    for (const [, v] of await meta.scanPrefix(PREFIX_STORE)) {
      const s = decodeMessage<metapb.Store>('metapb.Store', v);
      state.stores.set(s.id, { meta: s, stats: null, lastHeartbeatMs: 0 });
    }
    for (const [, v] of await meta.scanPrefix(PREFIX_REGION)) {
      const r = decodeMessage<metapb.Region>('metapb.Region', v);
      state.regions.upsert(state.newRegionInfo(r, null));
    }
    for (const [k, v] of await meta.scanPrefix(PREFIX_SERVICE_SAFE_POINT)) {
      const sp = JSON.parse(Buffer.from(v).toString('utf8')) as { safePoint: string; expireAtMs: number | null };
      const serviceId = k.slice(PREFIX_SERVICE_SAFE_POINT.length);
      state.serviceSafePoints.set(serviceId, {
        serviceId,
        safePoint: BigInt(sp.safePoint),
        expireAtMs: sp.expireAtMs ?? Infinity,
      });
    }
    return state;
  }

  private newRegionInfo(r: metapb.Region, leader: metapb.Peer | null): RegionInfo {
    return {
      id: r.id,
      startKey: r.startKey,
      endKey: r.endKey,
      meta: r,
      leader,
      approximateSize: 0n,
      approximateKeys: 0n,
      lastHeartbeatMs: this.clock.nowMs(),
    };
  }

  isBootstrapped(): boolean {
    return this.bootstrapped;
  }

  private requireBootstrapped(): void {
    if (!this.bootstrapped) throw new PdError('NOT_BOOTSTRAPPED', 'cluster is not bootstrapped');
  }

  async bootstrap(store: metapb.Store, region: metapb.Region): Promise<void> {
    if (this.bootstrapped) throw new PdError('ALREADY_BOOTSTRAPPED', 'cluster is already bootstrapped');
    if (store.id === 0n) throw new PdError('INVALID_VALUE', 'bootstrap: store id must be non-zero');
    if (region.id === 0n || region.peers.length === 0) throw new PdError('INVALID_VALUE', 'bootstrap: region needs an id and peers');
    if (region.startKey.length !== 0 || region.endKey.length !== 0) {
      throw new PdError('INVALID_VALUE', 'bootstrap: the first region must cover all keys');
    }
    await this.persistStore(store);
    await this.persistRegion(region);
    await this.meta.put(KEY_BOOTSTRAPPED, new Uint8Array([1]));
    this.bootstrapped = true;
    this.stores.set(store.id, { meta: store, stats: null, lastHeartbeatMs: this.clock.nowMs() });
    this.regions.upsert(this.newRegionInfo(region, region.peers[0] ?? null));
  }

  private async persistStore(store: metapb.Store): Promise<void> {
    await this.meta.put(idKey(PREFIX_STORE, store.id), encodeMessage('metapb.Store', store));
  }

  private async persistRegion(region: metapb.Region): Promise<void> {
    await this.meta.put(idKey(PREFIX_REGION, region.id), encodeMessage('metapb.Region', region));
  }

  async putStore(store: metapb.Store): Promise<void> {
    this.requireBootstrapped();
    if (store.id === 0n) throw new PdError('INVALID_VALUE', 'put store: store id must be non-zero');
    const existing = this.stores.get(store.id);
    if (existing?.meta.state === 2 /* Tombstone */) {
      throw new PdError('STORE_TOMBSTONE', `store ${store.id} is a tombstone and cannot come back`);
    }
    for (const other of this.stores.values()) {
      if (other.meta.id !== store.id && other.meta.address === store.address && other.meta.state !== 2) {
        throw new PdError('INVALID_VALUE', `store address ${store.address} is already used by store ${other.meta.id}`);
      }
    }
    await this.persistStore(store);
    this.stores.set(store.id, { meta: store, stats: existing?.stats ?? null, lastHeartbeatMs: this.clock.nowMs() });
  }

  getStore(id: bigint): StoreInfo | undefined {
    return this.stores.get(id);
  }

  allStores(excludeTombstone: boolean): StoreInfo[] {
    return [...this.stores.values()].filter((s) => !excludeTombstone || s.meta.state !== 2);
  }

  storeHeartbeat(stats: pdpb.StoreStats): void {
    this.requireBootstrapped();
    const s = this.stores.get(stats.storeId);
    if (!s) throw new PdError('INVALID_VALUE', `store heartbeat from unknown store ${stats.storeId}`);
    s.stats = stats;
    s.lastHeartbeatMs = this.clock.nowMs();
  }

  /**
   * Applies a region heartbeat. A report whose epoch is older than what PD knows is stale
   * and ignored; a newer or equal one replaces the region and evicts regions it overlaps.
   */
  async regionHeartbeat(region: metapb.Region, leader: metapb.Peer | null, size: bigint, keys: bigint): Promise<void> {
    this.requireBootstrapped();
    await this.persistApplied([this.applyRegion(region, leader, size, keys)]);
  }

  /**
   * Updates the in-memory tree synchronously (so no lookup ever sees a half-applied layout)
   * and returns what must be persisted.
   */
  private applyRegion(
    region: metapb.Region,
    leader: metapb.Peer | null,
    size: bigint,
    keys: bigint,
  ): { save?: metapb.Region; evicted: bigint[] } {
    if (region.id === 0n) throw new PdError('INVALID_VALUE', 'region heartbeat: region id must be non-zero');
    const known = this.regions.getById(region.id);
    if (known) {
      const a = epochOf(known.meta);
      const b = epochOf(region);
      if (b.version < a.version || b.confVer < a.confVer) return { evicted: [] };
    }
    for (const o of this.regions.overlaps(region)) {
      if (o.id !== region.id && epochOf(o.meta).version > epochOf(region).version) return { evicted: [] };
    }
    const info = this.newRegionInfo(region, leader);
    info.approximateSize = size;
    info.approximateKeys = keys;
    const changed =
      !known ||
      epochOf(known.meta).version !== epochOf(region).version ||
      epochOf(known.meta).confVer !== epochOf(region).confVer;
    const evicted = this.regions.upsert(info).filter((e) => e.id !== region.id).map((e) => e.id);
    return changed ? { save: region, evicted } : { evicted };
  }

  private async persistApplied(applied: Array<{ save?: metapb.Region; evicted: bigint[] }>): Promise<void> {
    for (const a of applied) {
      if (a.save) await this.persistRegion(a.save);
      for (const id of a.evicted) if (!this.regions.getById(id)) await this.meta.delete(idKey(PREFIX_REGION, id));
    }
  }

  getRegionByKey(key: Uint8Array): RegionInfo | undefined {
    return this.regions.search(key);
  }

  getPrevRegion(key: Uint8Array): RegionInfo | undefined {
    return this.regions.searchPrev(key);
  }

  getRegionById(id: bigint): RegionInfo | undefined {
    return this.regions.getById(id);
  }

  scanRegions(startKey: Uint8Array, endKey: Uint8Array, limit: number): RegionInfo[] {
    return this.regions.scan(startKey, endKey, limit);
  }

  /** Allocates ids for `count` new regions split off `region` (one new peer id per peer). */
  async askBatchSplit(region: metapb.Region, count: number): Promise<Array<{ newRegionId: bigint; newPeerIds: bigint[] }>> {
    this.requireBootstrapped();
    if (count <= 0 || count > 1024) throw new PdError('INVALID_VALUE', `ask split: split count must be in 1..1024, got ${count}`);
    const known = this.regions.getById(region.id);
    if (!known) throw new PdError('REGION_NOT_FOUND', `ask split: region ${region.id} not found`);
    const out: Array<{ newRegionId: bigint; newPeerIds: bigint[] }> = [];
    for (let i = 0; i < count; i++) {
      const newRegionId = await this.ids.alloc();
      const newPeerIds: bigint[] = [];
      for (let p = 0; p < region.peers.length; p++) newPeerIds.push(await this.ids.alloc());
      out.push({ newRegionId, newPeerIds });
    }
    return out;
  }

  /** Records the regions produced by a split (the stores also heartbeat them). */
  async reportBatchSplit(regions: metapb.Region[]): Promise<void> {
    this.requireBootstrapped();
    // All regions of the split enter the tree before any await: a concurrent ScanRegions
    // must never see a hole between the pieces.
    const applied = regions.map((r) => this.applyRegion(r, this.regions.getById(r.id)?.leader ?? r.peers[0] ?? null, 0n, 0n));
    await this.persistApplied(applied);
  }

  getGcSafePoint(): bigint {
    return this.gcSafePoint;
  }

  /** Raises the GC safe point (never lowers it); returns the safe point now in force. */
  async updateGcSafePoint(safePoint: bigint): Promise<bigint> {
    if (safePoint > this.gcSafePoint) {
      await this.meta.putBigInt(KEY_GC_SAFE_POINT, safePoint);
      this.gcSafePoint = safePoint;
    }
    return this.gcSafePoint;
  }

  /**
   * Registers or refreshes a service safe point (ttl <= 0 removes it) and returns the
   * minimum over live service safe points, which bounds what GC may remove.
   */
  async updateServiceSafePoint(serviceId: string, ttlSeconds: bigint, safePoint: bigint): Promise<ServiceSafePoint> {
    const now = this.clock.nowMs();
    for (const [id, sp] of this.serviceSafePoints) if (sp.expireAtMs <= now) this.serviceSafePoints.delete(id);
    const key = PREFIX_SERVICE_SAFE_POINT + serviceId;
    if (ttlSeconds <= 0n) {
      this.serviceSafePoints.delete(serviceId);
      await this.meta.delete(key);
    } else {
      const current = this.serviceSafePoints.get(serviceId);
      if (current && safePoint < current.safePoint) {
        throw new PdError('INVALID_VALUE', `service safe point of ${serviceId} cannot move backwards (${current.safePoint} -> ${safePoint})`);
      }
      const expireAtMs = ttlSeconds >= 9_000_000_000n ? Infinity : now + Number(ttlSeconds) * 1000;
      this.serviceSafePoints.set(serviceId, { serviceId, safePoint, expireAtMs });
      const body = JSON.stringify({ safePoint: safePoint.toString(), expireAtMs: Number.isFinite(expireAtMs) ? expireAtMs : null });
      await this.meta.put(key, Buffer.from(body, 'utf8'));
    }
    let min: ServiceSafePoint | undefined;
    for (const sp of this.serviceSafePoints.values()) if (!min || sp.safePoint < min.safePoint) min = sp;
    return min ?? { serviceId: '', safePoint: 0n, expireAtMs: Infinity };
  }

  /** The number of stores and regions, for /status and metrics. */
  summary(): { stores: number; regions: number } {
    return { stores: this.stores.size, regions: this.regions.size };
  }
}

export type RegionShape = DeepPartial<metapb.Region>;
