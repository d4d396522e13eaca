import { bytesCompare } from '../util/mod.ts';

/**
 * Region metadata, shaped exactly like `metapb.Region` as the proto runtime decodes it
 * (camelCase, bigint ids), so it can be put into `EpochNotMatch.current_regions`, PD
 * heartbeats and SplitRegion responses without conversion.
 *
 * Boundaries are in ENGINE key space: memcomparable-encoded user keys for transactional data,
 * raw bytes for RawKV (API v1). An empty `endKey` means +infinity, an empty `startKey` -infinity.
 */
export interface Region {
  id: bigint;
  startKey: Uint8Array;
  endKey: Uint8Array;
  regionEpoch: RegionEpoch;
  peers: RegionPeer[];
}

/** `metapb.RegionEpoch`: `confVer` moves on membership changes, `version` on range changes. */
export interface RegionEpoch {
  confVer: bigint;
  version: bigint;
}

/** `metapb.PeerRole` values. */
export const PEER_ROLE_VOTER = 0;

/** `metapb.Peer`. */
export interface RegionPeer {
  id: bigint;
  storeId: bigint;
  role: number;
}

/** A deep copy, so callers can never mutate the store's live metadata. */
export function cloneRegion(region: Region): Region {
  return {
    id: region.id,
    startKey: region.startKey.slice(),
    endKey: region.endKey.slice(),
    regionEpoch: { confVer: region.regionEpoch.confVer, version: region.regionEpoch.version },
    peers: region.peers.map((p) => ({ id: p.id, storeId: p.storeId, role: p.role })),
  };
}

/** True when `key` lies in [startKey, endKey) (engine key space). */
export function regionContainsKey(region: Region, key: Uint8Array): boolean {
  if (bytesCompare(key, region.startKey) < 0) return false;
  return region.endKey.length === 0 || bytesCompare(key, region.endKey) < 0;
}

/**
 * True when [start, end) lies inside the region; an empty `end` means +infinity and is only
 * inside a region that itself extends to +infinity.
 */
export function regionContainsRange(region: Region, start: Uint8Array, end: Uint8Array): boolean {
  if (bytesCompare(start, region.startKey) < 0) return false;
  if (region.endKey.length === 0) return true;
  if (end.length === 0) return false;
  return bytesCompare(end, region.endKey) <= 0;
}
