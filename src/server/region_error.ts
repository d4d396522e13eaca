import type { DeepPartial, errorpb, metapb } from '../proto/mod.ts';
import type { RegionError } from '../storage/mod.ts';

/**
 * The one place a `RegionError` (raftstore / storage) becomes an `errorpb.Error` on the wire.
 *
 * Region boundaries are passed through unchanged: they are stored in engine key space, which
 * is exactly what clients expect (memcomparable-encoded for transactional data, raw for RawKV
 * in API v1; client-go's codec decodes `KeyNotInRegion.start_key/end_key` and every
 * `EpochNotMatch.current_regions` boundary in txn mode).
 */
export function toErrorpb(e: RegionError): DeepPartial<errorpb.Error> {
  const out: DeepPartial<errorpb.Error> = { message: e.message };
  if (e.notLeader) {
    out.notLeader = {
      regionId: e.notLeader.regionId,
      ...(e.notLeader.leaderPeerId !== undefined
        ? { leader: { id: e.notLeader.leaderPeerId, storeId: e.notLeader.leaderStoreId ?? 0n } }
        : {}),
    };
  }
  if (e.regionNotFound) out.regionNotFound = { regionId: e.regionNotFound.regionId };
  if (e.keyNotInRegion) out.keyNotInRegion = { ...e.keyNotInRegion };
  if (e.epochNotMatch) {
    out.epochNotMatch = { currentRegions: e.epochNotMatch.currentRegions.map((r) => toMetapbRegion(r)) };
  }
  if (e.storeNotMatch) out.storeNotMatch = { ...e.storeNotMatch };
  if (e.serverIsBusy) out.serverIsBusy = { reason: e.serverIsBusy.reason, backoffMs: BigInt(e.serverIsBusy.backoffMs) };
  if (e.raftEntryTooLarge) out.raftEntryTooLarge = { ...e.raftEntryTooLarge };
  return out;
}

/** A region error that carries only a message (clients invalidate the region and retry). */
export function messageOnlyRegionError(message: string): DeepPartial<errorpb.Error> {
  return { message };
}

/** `currentRegions` are raftstore `Region`s, already `metapb.Region`-shaped; copy the known fields. */
function toMetapbRegion(r: unknown): DeepPartial<metapb.Region> {
  const region = r as metapb.Region;
  return {
    id: region.id,
    startKey: region.startKey,
    endKey: region.endKey,
    regionEpoch: region.regionEpoch ? { confVer: region.regionEpoch.confVer, version: region.regionEpoch.version } : null,
    peers: region.peers.map((p) => ({ id: p.id, storeId: p.storeId, role: p.role })),
  };
}
