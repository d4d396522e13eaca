import type { DeepPartial, kvrpcpb, metapb } from '../proto/mod.ts';
import type { Region } from '../raftstore/mod.ts';

/** For tests: the `kvrpcpb.Context` a client would send to `region` (its first peer). */
export function contextOf(region: Region | metapb.Region): DeepPartial<kvrpcpb.Context> {
  return {
    regionId: region.id,
    regionEpoch: { confVer: region.regionEpoch!.confVer, version: region.regionEpoch!.version },
    peer: { id: region.peers[0]!.id, storeId: region.peers[0]!.storeId, role: 0, isWitness: false },
  };
}
