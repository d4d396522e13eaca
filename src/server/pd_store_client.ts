import type { PdClient } from '../pd_client/mod.ts';
import type { PdClientForStore, Region, RegionPeer, RegionStats, SplitIds, StoreMeta, StoreStats } from '../raftstore/mod.ts';

/**
 * The raftstore's view of PD (`PdClientForStore`) implemented over the real gRPC `PdClient`.
 * Heartbeat statistics are translated to `pdpb` field names here and nowhere else.
 */
export class PdStoreClient implements PdClientForStore {
  constructor(private readonly pd: PdClient) {}

  async getClusterId(): Promise<bigint> {
    return this.pd.clusterId;
  }

  allocId(): Promise<bigint> {
    return this.pd.allocId();
  }

  isBootstrapped(): Promise<boolean> {
    return this.pd.isBootstrapped();
  }

  bootstrap(store: StoreMeta, region: Region): Promise<void> {
    return this.pd.bootstrap(storeMessage(store), region);
  }

  putStore(store: StoreMeta): Promise<void> {
    return this.pd.putStore(storeMessage(store));
  }

  async askBatchSplit(region: Region, splitCount: number): Promise<SplitIds[]> {
    const ids = await this.pd.askBatchSplit(region, splitCount);
    return ids.map((i) => ({ newRegionId: i.newRegionId, newPeerIds: i.newPeerIds }));
  }

  reportBatchSplit(regions: Region[]): Promise<void> {
    return this.pd.reportBatchSplit(regions);
  }

  async regionHeartbeat(region: Region, leader: RegionPeer, stats: RegionStats): Promise<void> {
    this.pd.regionHeartbeat({
      region,
      leader,
      approximateKeys: stats.approximateKeys,
      approximateSize: stats.approximateSizeBytes,
      keysWritten: stats.writtenKeys,
      bytesWritten: stats.writtenBytes,
      interval: { startTimestamp: 0n, endTimestamp: BigInt(Math.round(stats.intervalSeconds)) },
    });
  }

  storeHeartbeat(stats: StoreStats): Promise<void> {
    return this.pd.storeHeartbeat({
      storeId: stats.storeId,
      regionCount: stats.regionCount,
      capacity: stats.capacityBytes,
      available: stats.availableBytes,
      usedSize: stats.usedBytes,
      startTime: stats.startTimestampSeconds,
      isBusy: stats.isBusy,
      keysWritten: stats.writtenKeys,
      bytesWritten: stats.writtenBytes,
    });
  }
}

function storeMessage(s: StoreMeta) {
  return {
    id: s.id,
    address: s.address,
    statusAddress: s.statusAddress,
    version: s.version,
    gitHash: s.gitHash,
    startTimestamp: s.startTimestamp,
    deployPath: s.deployPath,
    labels: s.labels,
    state: 0,
    nodeState: 1, // Serving
  };
}
