/**
 * The application's handle on a Raft node. Inputs: `tick`, `step`, `propose`,
 * `proposeConfChange`, `campaign`, `readIndex`, `transferLeader`. Output: `ready()` returns
 * everything that must happen next, in this order:
 *   1. persist `snapshot`, `entries`, then `hardState` (synced when `mustSync`);
 *   2. send `messages` (only after step 1 is durable: they may promise those writes);
 *   3. apply the snapshot, then `committedEntries` (calling `applyConfChange` for conf
 *      changes), and serve `readStates` once applied >= their index;
 *   4. call `advance(ready)`.
 * Nothing here does I/O or awaits; the caller owns all effects.
 */
import { confChangeToV2, encodeConfChange, encodeConfChangeV2 } from './conf_change_codec.ts';
import {
  EntryType,
  MessageType,
  isLocalMessage,
  isResponseMessage,
  newEntry,
  newMessage,
  snapshotMetadata,
  type ConfChange,
  type ConfChangeV2,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type Snapshot,
} from './eraftpb.ts';
import { ProgressState } from './progress.ts';
import { Raft, StateRole, type RaftError, type ReadState } from './raft.ts';
import type { RaftConfig } from './raft_config.ts';
import type { RaftLogStorage } from './raft_log_storage.ts';

/** Volatile state worth reporting when it changes. */
export interface SoftState {
  lead: bigint;
  raftState: StateRole;
}

/** One batch of work for the application (see the module comment for the order). */
export interface Ready {
  softState: SoftState | null;
  hardState: HardState | null;
  readStates: ReadState[];
  entries: Entry[];
  snapshot: Snapshot | null;
  committedEntries: Entry[];
  messages: Message[];
  mustSync: boolean;
}

/** A snapshot of a node's state for tests and debugging. */
export interface RaftStatus {
  id: bigint;
  term: bigint;
  vote: bigint;
  commit: bigint;
  applied: bigint;
  lead: bigint;
  raftState: StateRole;
  leadTransferee: bigint;
  progress: Map<bigint, { match: bigint; next: bigint; state: ProgressState; isLearner: boolean }>;
}

/** Entries carried per message accepted from a peer (a bound on remote input). */
export const MESSAGE_ENTRIES_MAX = 65_536;

/**
 * Structural checks on a message from a peer, so remote input cannot trip an assertion:
 * a known type, a sender, a term (except forwarded proposals and reads), bounded entries numbered consecutively after `index`, with terms that never
 * exceed the message's term, and snapshot metadata where a snapshot is sent.
 */
export function isWellFormed(m: Message): boolean {
  if (MessageType[m.msgType] === undefined) return false;
  if (m.entries.length > MESSAGE_ENTRIES_MAX) return false;
  if (m.from === 0n) return false;
  // Only forwarded proposals and reads travel without a term; everything else is term-scoped.
  const forwarded = m.msgType === MessageType.MsgPropose || m.msgType === MessageType.MsgReadIndex;
  if ((m.term === 0n) !== forwarded) return false;
  if (m.msgType === MessageType.MsgAppend) {
    let prevTerm = m.logTerm;
    for (let i = 0; i < m.entries.length; i++) {
      const e = m.entries[i]!;
      if (e.index !== m.index + BigInt(i) + 1n) return false;
      if (e.term < prevTerm || e.term > m.term) return false;
      if (EntryType[e.entryType] === undefined) return false;
      prevTerm = e.term;
    }
    if (m.logTerm > m.term) return false;
  }
  if (m.msgType === MessageType.MsgSnapshot) {
    const meta = m.snapshot?.metadata;
    if (!meta || !meta.confState || meta.index === 0n || meta.term > m.term) return false;
  }
  if ((m.msgType === MessageType.MsgReadIndex || m.msgType === MessageType.MsgReadIndexResp) && m.entries.length !== 1) return false;
  return true;
}

function isConfChangeV2(cc: ConfChange | ConfChangeV2): cc is ConfChangeV2 {
  return 'changes' in cc;
}

/** Thread-free wrapper that turns the Raft state machine into Ready batches. */
export class RawNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;

  constructor(cfg: RaftConfig, storage: RaftLogStorage) {
    this.raft = new Raft(cfg, storage);
    this.prevSoft = { lead: this.raft.lead, raftState: this.raft.state };
    this.prevHard = this.raft.hardState();
  }

  /** Advances the logical clock by one tick (election and heartbeat timeouts count ticks). */
  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (pre-vote first when enabled). */
  campaign(): void {
    this.raft.step(newMessage({ msgType: MessageType.MsgHup }));
  }

  /** Proposes `data` for the log; a typed error when dropped (no leader, limits, transfer). */
  propose(data: Uint8Array, context: Uint8Array = new Uint8Array(0)): RaftError | null {
    return this.raft.step(
      newMessage({ msgType: MessageType.MsgPropose, from: this.raft.id, entries: [newEntry({ data, context })] }),
    );
  }

  /** Proposes a membership change (ConfChange or ConfChangeV2, joint when needed). */
  proposeConfChange(cc: ConfChange | ConfChangeV2, context: Uint8Array = new Uint8Array(0)): RaftError | null {
    const entry = isConfChangeV2(cc)
      ? newEntry({ entryType: EntryType.EntryConfChangeV2, data: encodeConfChangeV2(cc), context })
      : newEntry({ entryType: EntryType.EntryConfChange, data: encodeConfChange(cc), context });
    return this.raft.step(newMessage({ msgType: MessageType.MsgPropose, from: this.raft.id, entries: [entry] }));
  }

  /** Applies a committed conf change; the application calls this while applying the entry. */
  applyConfChange(cc: ConfChange | ConfChangeV2): ConfState {
    return this.raft.applyConfChange(isConfChangeV2(cc) ? cc : confChangeToV2(cc));
  }

  /** Feeds a message from a peer. Local message types and unknown responders are refused. */
  step(m: Message): RaftError | null {
    if (!isWellFormed(m)) return 'invalid-message';
    // Only a forwarded proposal or read can come back to its origin (forwarded twice).
    const forwarded = m.msgType === MessageType.MsgPropose || m.msgType === MessageType.MsgReadIndex;
    if (m.from === this.raft.id && !forwarded) return 'invalid-message';
    if (isLocalMessage(m.msgType)) return 'step-local-message';
    if (isResponseMessage(m.msgType) && !this.raft.prs.progress.has(m.from)) return 'step-peer-not-found';
    return this.raft.step(m);
  }

  /**
   * Requests a linearizable read point. `ctx` identifies the request; a ReadState with the
   * same ctx appears in a later Ready (or never, if leadership changes: retry).
   */
  readIndex(ctx: Uint8Array): RaftError | null {
    return this.raft.step(newMessage({ msgType: MessageType.MsgReadIndex, entries: [newEntry({ data: ctx })] }));
  }

  /** Asks the leader to hand leadership to `transferee`. */
  transferLeader(transferee: bigint): void {
    this.raft.step(newMessage({ msgType: MessageType.MsgTransferLeader, from: transferee }));
  }

  /** The transport could not reach `id`: stop pipelining to it. */
  reportUnreachable(id: bigint): void {
    this.raft.step(newMessage({ msgType: MessageType.MsgUnreachable, from: id }));
  }

  /** Outcome of sending a snapshot to `id`. */
  reportSnapshot(id: bigint, failed: boolean): void {
    this.raft.step(newMessage({ msgType: MessageType.MsgSnapStatus, from: id, reject: failed }));
  }

  /** True while this leader may serve reads locally (see `Raft.leaseValid`). */
  leaseValid(): boolean {
    return this.raft.leaseValid();
  }

  hasReady(): boolean {
    const r = this.raft;
    if (r.lead !== this.prevSoft.lead || r.state !== this.prevSoft.raftState) return true;
    const hs = r.hardState();
    if (hs.term !== this.prevHard.term || hs.vote !== this.prevHard.vote || hs.commit !== this.prevHard.commit) return true;
    if (r.raftLog.unstable.snapshot) return true;
    if (r.raftLog.unstableEntries().length > 0) return true;
    if (r.raftLog.hasNextEntries()) return true;
    return r.msgs.length > 0 || r.readStates.length > 0;
  }

  /** Collects the pending work; call `advance` with it once it is done. */
  ready(): Ready {
    const r = this.raft;
    const soft: SoftState = { lead: r.lead, raftState: r.state };
    const hs = r.hardState();
    const hardChanged = hs.term !== this.prevHard.term || hs.vote !== this.prevHard.vote || hs.commit !== this.prevHard.commit;
    const entries = r.raftLog.unstableEntries().slice();
    const rd: Ready = {
      softState: soft.lead !== this.prevSoft.lead || soft.raftState !== this.prevSoft.raftState ? soft : null,
      hardState: hardChanged ? hs : null,
      readStates: r.readStates,
      entries,
      snapshot: r.raftLog.unstable.snapshot,
      committedEntries: r.raftLog.nextEntries(),
      messages: r.msgs,
      mustSync: entries.length > 0 || hs.term !== this.prevHard.term || hs.vote !== this.prevHard.vote,
    };
    r.msgs = [];
    r.readStates = [];
    if (rd.softState) this.prevSoft = soft;
    return rd;
  }

  /** Marks `rd` persisted, sent and applied. */
  advance(rd: Ready): void {
    const r = this.raft;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.snapshot) {
      const idx = snapshotMetadata(rd.snapshot).index;
      r.raftLog.stableSnapTo(idx);
      if (idx > r.raftLog.applied) r.raftLog.appliedTo(idx);
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!;
      r.raftLog.stableTo(last.index, last.term);
    }
    if (rd.committedEntries.length > 0) {
      const last = rd.committedEntries[rd.committedEntries.length - 1]!;
      r.reduceUncommittedSize(rd.committedEntries);
      r.appliedTo(last.index);
    }
  }

  status(): RaftStatus {
    const r = this.raft;
    const progress = new Map<bigint, { match: bigint; next: bigint; state: ProgressState; isLearner: boolean }>();
    if (r.state === StateRole.Leader) {
      for (const [id, pr] of r.prs.progress) progress.set(id, { match: pr.match, next: pr.next, state: pr.state, isLearner: pr.isLearner });
    }
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.raftLog.committed,
      applied: r.raftLog.applied,
      lead: r.lead,
      raftState: r.state,
      leadTransferee: r.leadTransferee,
      progress,
    };
  }
}
