/**
 * Raftstore knobs. Names follow TiKV's TOML keys (`[coprocessor] region-split-keys` becomes
 * `regionSplitKeys`); every queue and batch has a named limit here.
 */
export interface RaftstoreConfig {
  /** A region is split when it holds more than this many keys (TiKV `region-max-keys`). */
  regionMaxKeys: number;
  /** Each part produced by a split holds about this many keys (TiKV `region-split-keys`). */
  regionSplitKeys: number;
  /** A region is split when larger than this (TiKV `region-max-size`). */
  regionMaxSizeBytes: number;
  /** Each part produced by a split is about this large (TiKV `region-split-size`). */
  regionSplitSizeBytes: number;
  /** How often dirty regions are checked for splitting (TiKV `split-region-check-tick-interval`). */
  splitCheckTickMs: number;
  /** At most this many split keys come out of one check of one region. */
  splitKeysPerCheckMax: number;
  /** Proposals waiting for the store loop; beyond it writes get ServerIsBusy. */
  proposalQueueMax: number;
  /** At most this many proposals are committed in one engine write. */
  batchProposalsMax: number;
  /** A batch stops growing once its payload passes this many bytes. */
  batchBytesMax: number;
  /** One proposal larger than this gets RaftEntryTooLarge (TiKV `raft-entry-max-size`). */
  raftEntryMaxBytes: number;
  /** fsync each engine write; only tests that measure nothing durable turn it off. */
  syncWrites: boolean;
}

/** TiKV's defaults (144 MiB / 96 MiB, 1.44 M / 0.96 M keys, 8 MiB entries). */
export const DEFAULT_RAFTSTORE_CONFIG: RaftstoreConfig = {
  regionMaxKeys: 1_440_000,
  regionSplitKeys: 960_000,
  regionMaxSizeBytes: 144 * 1024 * 1024,
  regionSplitSizeBytes: 96 * 1024 * 1024,
  splitCheckTickMs: 10_000,
  splitKeysPerCheckMax: 64,
  proposalQueueMax: 8192,
  batchProposalsMax: 1024,
  batchBytesMax: 16 * 1024 * 1024,
  raftEntryMaxBytes: 8 * 1024 * 1024,
  syncWrites: true,
};

/**
 * Fills in defaults and derives the one missing half of a max/split pair the way TiKV does
 * (max = split * 3/2), so a config that sets only `regionSplitKeys` behaves sensibly.
 */
export function resolveRaftstoreConfig(partial: Partial<RaftstoreConfig>): RaftstoreConfig {
  const cfg = { ...DEFAULT_RAFTSTORE_CONFIG, ...partial };
  if (partial.regionSplitKeys !== undefined && partial.regionMaxKeys === undefined) {
    cfg.regionMaxKeys = Math.floor((partial.regionSplitKeys * 3) / 2);
  }
  if (partial.regionMaxKeys !== undefined && partial.regionSplitKeys === undefined) {
    cfg.regionSplitKeys = Math.max(1, Math.floor((partial.regionMaxKeys * 2) / 3));
  }
  if (partial.regionSplitSizeBytes !== undefined && partial.regionMaxSizeBytes === undefined) {
    cfg.regionMaxSizeBytes = Math.floor((partial.regionSplitSizeBytes * 3) / 2);
  }
  if (partial.regionMaxSizeBytes !== undefined && partial.regionSplitSizeBytes === undefined) {
    cfg.regionSplitSizeBytes = Math.max(1, Math.floor((partial.regionMaxSizeBytes * 2) / 3));
  }
  return cfg;
}
