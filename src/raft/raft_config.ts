/**
 * Configuration of one Raft node. Every limit is a named knob (STYLE rule 8); defaults are in
 * `RAFT_CONFIG_DEFAULTS` and `validateRaftConfig` rejects nonsense before a node starts.
 */
import type { Random } from '../util/mod.ts';

/** How a leader answers ReadIndex: a quorum heartbeat round, or its lease when valid. */
export type ReadOnlyOption = 'safe' | 'lease-based';

/** Knobs of one Raft node. */
export interface RaftConfig {
  /** This node's id (non-zero). */
  id: bigint;
  /** Ticks without hearing a leader before campaigning; the actual timeout is random in [n, 2n). */
  electionTick: number;
  /** Ticks between leader heartbeats (must be < electionTick). */
  heartbeatTick: number;
  /** Last applied index when restarting (entries up to it are not handed out again). */
  applied: bigint;
  /** Byte bound of the entries in one append message (at least one entry is always sent). */
  maxSizePerMsgBytes: number;
  /** Append messages in flight per follower in the replicate state. */
  maxInflightMsgs: number;
  /** Bytes in flight per follower (0 = unbounded by bytes). */
  maxInflightBytes: number;
  /** Bytes of proposed-but-uncommitted entry payloads a leader accepts before dropping proposals. */
  maxUncommittedEntriesSizeBytes: number;
  /** Largest single proposed entry; larger proposals are refused with `entry-too-large`. */
  maxEntrySizeBytes: number;
  /** Bytes of committed entries handed to the application per Ready. */
  maxCommittedSizePerReadyBytes: number;
  /** Pending ReadIndex requests a leader queues before refusing new ones. */
  maxPendingReadIndex: number;
  /** Entries accepted in one proposal message. */
  maxEntriesPerProposal: number;
  /** Leader steps down when it has not heard from a quorum for an election timeout. */
  checkQuorum: boolean;
  /** Pre-vote round (thesis §9.6) so a partitioned node cannot disrupt the group on return. */
  preVote: boolean;
  readOnlyOption: ReadOnlyOption;
  /** Ticks subtracted from the lease to absorb tick-phase and clock-rate differences. */
  leaseMarginTicks: number;
  /** Followers drop proposals instead of forwarding them to the leader. */
  disableProposalForwarding: boolean;
  /** Randomness for election timeouts (injected; the simulator seeds it). */
  random: Random;
}

/** Default knob values (the id and random must always be given). */
export const RAFT_CONFIG_DEFAULTS: Omit<RaftConfig, 'id' | 'random'> = {
  electionTick: 10,
  heartbeatTick: 2,
  applied: 0n,
  maxSizePerMsgBytes: 1 << 20,
  maxInflightMsgs: 256,
  maxInflightBytes: 0,
  maxUncommittedEntriesSizeBytes: 64 << 20,
  maxEntrySizeBytes: 8 << 20,
  maxCommittedSizePerReadyBytes: 16 << 20,
  maxPendingReadIndex: 4096,
  maxEntriesPerProposal: 1024,
  checkQuorum: true,
  preVote: true,
  readOnlyOption: 'safe',
  leaseMarginTicks: 2,
  disableProposalForwarding: false,
};

/** Returns why `c` is unusable, or null. */
export function validateRaftConfig(c: RaftConfig): string | null {
  if (c.id === 0n) return 'id must not be zero';
  if (c.heartbeatTick <= 0) return 'heartbeatTick must be positive';
  if (c.electionTick <= c.heartbeatTick) return 'electionTick must be greater than heartbeatTick';
  if (c.maxInflightMsgs <= 0) return 'maxInflightMsgs must be positive';
  if (c.maxSizePerMsgBytes <= 0) return 'maxSizePerMsgBytes must be positive';
  if (c.maxUncommittedEntriesSizeBytes <= 0) return 'maxUncommittedEntriesSizeBytes must be positive';
  if (c.maxEntrySizeBytes <= 0) return 'maxEntrySizeBytes must be positive';
  if (c.maxPendingReadIndex <= 0) return 'maxPendingReadIndex must be positive';
  if (c.maxEntriesPerProposal <= 0) return 'maxEntriesPerProposal must be positive';
  if (c.leaseMarginTicks < 1 || c.leaseMarginTicks >= c.electionTick) return 'leaseMarginTicks must be in [1, electionTick)';
  return null;
}
