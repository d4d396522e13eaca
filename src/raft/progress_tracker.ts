/**
 * The leader's bookkeeping for a configuration: who votes (incoming and, while joint,
 * outgoing voters), who learns, each member's `Progress`, and the votes of an election.
 * Invariants (asserted by `checkConfig`): learners and voters are disjoint; learnersNext are
 * outgoing voters that become learners when the joint config is left; every member has a
 * progress entry.
 */
import { assert } from '../util/mod.ts';
import { newConfState, type ConfState } from './eraftpb.ts';
import { Progress } from './progress.ts';
import { jointCommittedIndex, jointVoteResult, majorityCommittedIndex, type VoteResult } from './quorum.ts';

/** A configuration: voters (incoming/outgoing) and learners. */
export interface TrackerConfig {
  incoming: Set<bigint>;
  outgoing: Set<bigint>;
  learners: Set<bigint>;
  learnersNext: Set<bigint>;
  autoLeave: boolean;
}

/** A deep copy of a config. */
export function cloneConfig(c: TrackerConfig): TrackerConfig {
  return {
    incoming: new Set(c.incoming),
    outgoing: new Set(c.outgoing),
    learners: new Set(c.learners),
    learnersNext: new Set(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

/** Asserts the structural invariants of a config against its progress map. */
export function checkConfig(c: TrackerConfig, prs: ReadonlyMap<bigint, Progress>): string | null {
  for (const id of c.learners) {
    if (c.incoming.has(id) || c.outgoing.has(id)) return `${id} is both learner and voter`;
  }
  for (const id of c.learnersNext) {
    if (!c.outgoing.has(id)) return `${id} is in learnersNext but not an outgoing voter`;
    if (c.learners.has(id)) return `${id} is in learnersNext and learners`;
  }
  if (c.outgoing.size === 0 && c.autoLeave) return 'autoLeave set outside a joint config';
  for (const set of [c.incoming, c.outgoing, c.learners, c.learnersNext]) {
    for (const id of set) if (!prs.has(id)) return `no progress for ${id}`;
  }
  for (const [id, pr] of prs) {
    const member = c.incoming.has(id) || c.outgoing.has(id) || c.learners.has(id) || c.learnersNext.has(id);
    if (!member) return `progress for non-member ${id}`;
    if (pr.isLearner !== c.learners.has(id)) return `progress ${id} learner flag mismatch`;
  }
  return null;
}

function sortedIds(s: ReadonlySet<bigint>): bigint[] {
  return [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Config, progress and votes for the current term. */
export class ProgressTracker {
  config: TrackerConfig = {
    incoming: new Set(),
    outgoing: new Set(),
    learners: new Set(),
    learnersNext: new Set(),
    autoLeave: false,
  };
  progress = new Map<bigint, Progress>();
  votes = new Map<bigint, boolean>();

  constructor(
    readonly inflightMsgsMax: number,
    readonly inflightBytesMax: number,
  ) {}

  /** The config as an eraftpb.ConfState (sorted ids, for deterministic output). */
  confState(): ConfState {
    return newConfState({
      voters: sortedIds(this.config.incoming),
      votersOutgoing: sortedIds(this.config.outgoing),
      learners: sortedIds(this.config.learners),
      learnersNext: sortedIds(this.config.learnersNext),
      autoLeave: this.config.autoLeave,
    });
  }

  isJoint(): boolean {
    return this.config.outgoing.size > 0;
  }

  /** True when this node is the only voter (commits alone). */
  isSingleton(): boolean {
    return this.config.incoming.size === 1 && this.config.outgoing.size === 0;
  }

  isVoter(id: bigint): boolean {
    return this.config.incoming.has(id) || this.config.outgoing.has(id);
  }

  /** All voter ids (both halves), sorted. */
  voterIds(): bigint[] {
    return sortedIds(new Set([...this.config.incoming, ...this.config.outgoing]));
  }

  /** All member ids with progress, sorted (voters and learners). */
  memberIds(): bigint[] {
    return sortedIds(new Set(this.progress.keys()));
  }

  /** The largest index a quorum (joint-aware) has matched. */
  committed(): bigint {
    return jointCommittedIndex(this.config.incoming, this.config.outgoing, (id) => this.progress.get(id)?.match ?? 0n);
  }

  /** A joint-quorum "committed" over any per-peer value (used for the leader lease). */
  quorumValue(value: (id: bigint) => bigint): bigint {
    const a = majorityCommittedIndex(this.config.incoming, value);
    const b = majorityCommittedIndex(this.config.outgoing, value);
    return a < b ? a : b;
  }

  /** True when a quorum was recently active (`self` counts as active). */
  quorumActive(self: bigint): boolean {
    const votes = new Map<bigint, boolean>();
    for (const [id, pr] of this.progress) {
      if (pr.isLearner) continue;
      votes.set(id, id === self || pr.recentActive);
    }
    return jointVoteResult(this.config.incoming, this.config.outgoing, votes) === 2;
  }

  resetVotes(): void {
    this.votes = new Map();
  }

  recordVote(id: bigint, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  /** Counts granted/rejected votes among voters and the outcome. */
  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voterIds()) {
      const v = this.votes.get(id);
      if (v === undefined) continue;
      if (v) granted++;
      else rejected++;
    }
    return { granted, rejected, result: jointVoteResult(this.config.incoming, this.config.outgoing, this.votes) };
  }

  /** Installs a config and progress map produced by the conf-change logic. */
  install(config: TrackerConfig, progress: Map<bigint, Progress>): void {
    const err = checkConfig(config, progress);
    assert(err === null, `invalid config: ${err}`);
    this.config = config;
    this.progress = progress;
  }
}
