import type { CfName, KvSnapshot } from '../engine/mod.ts';

/**
 * What MVCC needs from below, for one region: a consistent snapshot and an atomic write.
 * A local single-peer implementation and the Raft one pass the same conformance suite.
 * Region errors (not leader, epoch mismatch, key not in region...) are returned as values so
 * that the service layer can put them in the response's `region_error` field.
 */

/** Identifies the region a request is addressed to (from `kvrpcpb.Context`). */
export interface RegionContext {
  regionId: bigint;
  confVer: bigint;
  version: bigint;
  /** The peer the client believes it talks to; its store id is checked against ours. */
  peerId: bigint;
  storeId: bigint;
}

/** One engine mutation of a command's write, in engine key space. */
export type Modify =
  | { type: 'put'; cf: CfName; key: Uint8Array; value: Uint8Array }
  | { type: 'delete'; cf: CfName; key: Uint8Array }
  | { type: 'deleteRange'; cf: CfName; start: Uint8Array; end: Uint8Array };

/** A region error, shaped like `errorpb.Error` (only the variant that applies is set). */
export interface RegionError {
  message: string;
  notLeader?: { regionId: bigint; leaderPeerId?: bigint; leaderStoreId?: bigint };
  regionNotFound?: { regionId: bigint };
  keyNotInRegion?: { key: Uint8Array; regionId: bigint; startKey: Uint8Array; endKey: Uint8Array };
  /** `currentRegions` are filled by the raftstore with the regions as they are now. */
  epochNotMatch?: { currentRegions: unknown[] };
  storeNotMatch?: { requestStoreId: bigint; actualStoreId: bigint };
  serverIsBusy?: { reason: string; backoffMs: number };
  raftEntryTooLarge?: { regionId: bigint; entrySize: bigint };
}

/** A value, or the region error that prevented it. */
export type RegionResult<T> = { ok: true; value: T } | { ok: false; regionError: RegionError };

/** Snapshot + atomic write for one region; implemented by the raftstore. */
export interface RegionKv {
  /** A snapshot of the region's data as of now, after checking the context. */
  snapshot(ctx: RegionContext): Promise<RegionResult<KvSnapshot>>;
  /**
   * Proposes the modifications as one atomic, durable unit; resolves once they are
   * persisted (synced) and applied.
   */
  write(ctx: RegionContext, modifies: Modify[]): Promise<RegionResult<void>>;
}

/**
 * A region's key range as stored in `metapb.Region`: in transactional use the boundaries are
 * memcomparable-encoded user keys (compare them with `encodeKey(userKey)`); raw KV (API v1)
 * compares raw keys with them verbatim. An empty `endKey` means +infinity.
 */
export interface RegionRange {
  startKey: Uint8Array;
  endKey: Uint8Array;
}

/**
 * Optional extension of `RegionKv`: the range of the region addressed by `ctx`, read right
 * after `snapshot(ctx)` (no await between them). Storage uses it to clip scans and to answer
 * `KeyNotInRegion` for keys outside it. When absent, the region is taken to cover every key.
 */
export interface RegionRangeSource {
  regionRange(ctx: RegionContext): RegionRange | undefined;
}
