import type { Region, RegionPeer } from './region.ts';

/**
 * This store's replica of one region. Single peer today, so it is always the leader and a
 * proposal is committed once the store loop's synced write holds it. When `src/raft` slots in,
 * a `RawNode` lives here: `write` proposals become entries, the store loop persists each
 * peer's `Ready` (entries + hard state in the raft CF) in the same batch, sends messages, and
 * applies committed entries — the proposal/apply shapes below stay the same.
 */
export class Peer {
  /** Applied-index of the last proposal whose effects are in the engine (persisted with them). */
  appliedIndex: bigint;
  /** Entries written since the last split check, to skip regions nobody writes to. Starts at 1: check once after load. */
  writtenKeysSinceCheck = 1;
  writtenKeysSinceHeartbeat = 0;
  writtenBytesSinceHeartbeat = 0;
  /**
   * Size estimate: the last split-check measurement plus every put into the write/default CF
   * since (overwrites over-count; the next scan corrects it). Reported in region heartbeats.
   */
  approximateKeys = 0;
  approximateSizeBytes = 0;
  /** False until a split check has measured the region (after load or a split). */
  sizeMeasured = false;
  /** True while a split of this region is between AskBatchSplit and apply. */
  splitInFlight = false;
  /** True while an engine write carrying this region's data is in flight. */
  writeInFlight = false;

  /**
   * The region's data version for the coprocessor cache: the applied index, or undefined
   * while a write is landing (a snapshot taken then may or may not include it).
   */
  get dataVersion(): bigint | undefined {
    return this.writeInFlight ? undefined : this.appliedIndex;
  }

  constructor(
    /** Live metadata; replaced (never mutated in place) when a split applies. */
    public region: Region,
    appliedIndex: bigint,
    readonly storeId: bigint,
  ) {
    this.appliedIndex = appliedIndex;
  }

  get regionId(): bigint {
    return this.region.id;
  }

  /** This store's peer of the region. */
  get meta(): RegionPeer {
    const mine = this.region.peers.find((p) => p.storeId === this.storeId);
    return mine ?? this.region.peers[0]!;
  }

  /** Single peer: always the leader. The Raft peer will answer from its RawNode. */
  get isLeader(): boolean {
    return true;
  }
}
