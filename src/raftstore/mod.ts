export { Store, REGION_INIT_APPLIED_INDEX, EPOCH_NOT_MATCH_REGIONS_MAX, SPLIT_KEYS_PER_REQUEST_MAX } from './store.ts';
export type { StoreOptions, StoreObserver } from './store.ts';
export { RegionSnapshot } from './region_snapshot.ts';
export { SplitChecker, type SplitCheckResult, type SplitThresholds } from './split_checker.ts';
export { StoreLoop, type LoopItem, type StoreLoopLimits, type OfferResult } from './store_loop.ts';
export { DEFAULT_RAFTSTORE_CONFIG, resolveRaftstoreConfig, type RaftstoreConfig } from './config.ts';
export {
  cloneRegion,
  regionContainsKey,
  regionContainsRange,
  PEER_ROLE_VOTER,
  type Region,
  type RegionEpoch,
  type RegionPeer,
} from './region.ts';
export { PdStubForTests } from './pd_stub.ts';
export type { PdClientForStore, StoreMeta, SplitIds, RegionStats, StoreStats } from './pd_client_for_store.ts';
