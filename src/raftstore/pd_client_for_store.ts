import type { Region, RegionPeer } from './region.ts';

/**
 * What a store needs from PD. Small on purpose: the lead implements it over `pdpb.PD`
 * (AllocID, IsBootstrapped, Bootstrap, PutStore, AskBatchSplit, ReportBatchSplit,
 * RegionHeartbeat stream, StoreHeartbeat); tests use an in-process stub.
 */
export interface PdClientForStore {
  /** PD's cluster id, recorded in the store ident so a store never joins another cluster. */
  getClusterId(): Promise<bigint>;
  /** A fresh cluster-unique id (`AllocID`), used for store, region and peer ids. */
  allocId(): Promise<bigint>;
  /** `IsBootstrapped`. */
  isBootstrapped(): Promise<boolean>;
  /** `Bootstrap` with this store and the first region; fails if another store won the race. */
  bootstrap(store: StoreMeta, region: Region): Promise<void>;
  /** `PutStore`: registers or updates this store's addresses and version. */
  putStore(store: StoreMeta): Promise<void>;
  /** `AskBatchSplit`: ids for `splitCount` new regions, each with one peer id per peer of `region`. */
  askBatchSplit(region: Region, splitCount: number): Promise<SplitIds[]>;
  /** `ReportBatchSplit`: every region produced by a split, in key order. */
  reportBatchSplit(regions: Region[]): Promise<void>;
  /** One `RegionHeartbeat` for a region this store leads. */
  regionHeartbeat(region: Region, leader: RegionPeer, stats: RegionStats): Promise<void>;
  /** `StoreHeartbeat`. */
  storeHeartbeat(stats: StoreStats): Promise<void>;
}

/** `metapb.Store`, the fields we fill. `state` 0 is Up. */
export interface StoreMeta {
  id: bigint;
  address: string;
  statusAddress: string;
  version: string;
  gitHash: string;
  startTimestamp: bigint;
  deployPath: string;
  labels: { key: string; value: string }[];
}

/** The ids PD hands out for one new region of a batch split (`pdpb.SplitID`). */
export interface SplitIds {
  newRegionId: bigint;
  newPeerIds: bigint[];
}

/** Region statistics carried by a region heartbeat. */
export interface RegionStats {
  approximateKeys: bigint;
  approximateSizeBytes: bigint;
  writtenKeys: bigint;
  writtenBytes: bigint;
  /** Seconds this heartbeat's counters cover. */
  intervalSeconds: number;
}

/** Store statistics carried by a store heartbeat (`pdpb.StoreStats`, the fields we know). */
export interface StoreStats {
  storeId: bigint;
  regionCount: number;
  capacityBytes: bigint;
  availableBytes: bigint;
  usedBytes: bigint;
  startTimestampSeconds: number;
  isBusy: boolean;
  writtenKeys: bigint;
  writtenBytes: bigint;
  intervalSeconds: number;
}
