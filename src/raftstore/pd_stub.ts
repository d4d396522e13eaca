import type { PdClientForStore, RegionStats, SplitIds, StoreMeta, StoreStats } from './pd_client_for_store.ts';
import { cloneRegion, type Region, type RegionPeer } from './region.ts';

/**
 * An in-process stand-in for PD, for tests of the raftstore and the server only (the real
 * one is `src/pd` reached through the lead's PD client). It keeps what a store tells it so
 * tests can assert on it: bootstrap, stores, the latest region metadata, split reports.
 */
export class PdStubForTests implements PdClientForStore {
  private nextId = 1n;
  bootstrapped = false;
  readonly stores = new Map<bigint, StoreMeta>();
  readonly regions = new Map<bigint, Region>();
  readonly splitReports: Region[][] = [];
  regionHeartbeats = 0;
  storeHeartbeats: StoreStats[] = [];

  constructor(readonly clusterId = 7_000_000_000_000_000_001n) {}

  async getClusterId(): Promise<bigint> {
    return this.clusterId;
  }

  async allocId(): Promise<bigint> {
    return this.nextId++;
  }

  async isBootstrapped(): Promise<boolean> {
    return this.bootstrapped;
  }

  async bootstrap(store: StoreMeta, region: Region): Promise<void> {
    if (this.bootstrapped) throw new Error('cluster is already bootstrapped');
    this.bootstrapped = true;
    this.stores.set(store.id, { ...store });
    this.regions.set(region.id, cloneRegion(region));
  }

  async putStore(store: StoreMeta): Promise<void> {
    this.stores.set(store.id, { ...store });
  }

  async askBatchSplit(region: Region, splitCount: number): Promise<SplitIds[]> {
    const out: SplitIds[] = [];
    for (let i = 0; i < splitCount; i++) {
      const newRegionId = this.nextId++;
      out.push({ newRegionId, newPeerIds: region.peers.map(() => this.nextId++) });
    }
    return out;
  }

  async reportBatchSplit(regions: Region[]): Promise<void> {
    this.splitReports.push(regions.map(cloneRegion));
    for (const r of regions) this.regions.set(r.id, cloneRegion(r));
  }

  async regionHeartbeat(region: Region, _leader: RegionPeer, _stats: RegionStats): Promise<void> {
    this.regionHeartbeats++;
    const known = this.regions.get(region.id);
    if (known === undefined || known.regionEpoch.version <= region.regionEpoch.version) {
      this.regions.set(region.id, cloneRegion(region));
    }
  }

  async storeHeartbeat(stats: StoreStats): Promise<void> {
    this.storeHeartbeats.push({ ...stats });
  }
}
