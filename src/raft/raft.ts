/**
 * The Raft state machine (Ongaro & Ousterhout; Ongaro's thesis). Pure: input is `tick` and
 * `step(message)`, output accumulates in `msgs`, `readStates` and the log's unstable part,
 * which `RawNode` packages into a `Ready`. No I/O, no clock, no randomness except the
 * injected `Random`.
 *
 * Safety invariants (checked by the simulator after every step):
 * - one leader per term: a node votes at most once per term (`vote` is persisted);
 * - a leader never overwrites its log; followers truncate only uncommitted suffixes;
 * - commit only advances, and a leader commits by counting replicas only for entries of its
 *   own term (§5.4.2);
 * - a vote is granted only to a candidate whose log is at least as up to date (§5.4.1).
 * Liveness/availability refinements: PreVote, CheckQuorum, leader lease, fast backtracking.
 */
import { CorruptionError, assert, bytesEqual } from '../util/mod.ts';
import { ConfChanger, configFromConfState } from './conf_changer.ts';
import { confChangeToV2, decodeConfChange, decodeConfChangeV2 } from './conf_change_codec.ts';
import {
  EntryType,
  MessageType,
  entrySizeBytes,
  isEmptySnapshot,
  newEntry,
  newMessage,
  snapshotMetadata,
  voteResponseType,
  type ConfChangeV2,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type Snapshot,
} from './eraftpb.ts';
import { ProgressState, type Progress } from './progress.ts';
import { ProgressTracker } from './progress_tracker.ts';
import { VoteResult } from './quorum.ts';
import { RaftLog } from './raft_log.ts';
import { BOOTSTRAP_TERM } from './memory_storage.ts';
import { isStorageError, type RaftLogStorage } from './raft_log_storage.ts';
import { validateRaftConfig, type RaftConfig, type ReadOnlyOption } from './raft_config.ts';
import { ReadOnly } from './read_only.ts';

/** No node / no leader. */
export const NONE = 0n;

/** Role of a node. */
export enum StateRole {
  Follower = 0,
  Candidate = 1,
  Leader = 2,
  PreCandidate = 3,
}

/** A ReadIndex answer: reads are linearizable once `applied >= index`. */
export interface ReadState {
  index: bigint;
  requestCtx: Uint8Array;
}

/** Why a proposal or step was refused (typed, never thrown). */
export type RaftError = 'proposal-dropped' | 'entry-too-large' | 'step-peer-not-found' | 'step-local-message' | 'invalid-message';

/** Marks the vote requests of a leadership transfer, which bypass lease and pre-vote. */
export const CAMPAIGN_TRANSFER = new TextEncoder().encode('CampaignTransfer');

type CampaignKind = 'pre-election' | 'election' | 'transfer';

/** Payload bytes of entries for the uncommitted-size limit (empty entries are free). */
function payloadSizeBytes(ents: readonly Entry[]): number {
  let s = 0;
  for (const e of ents) s += e.data.length;
  return s;
}

/** The Raft protocol state of one node. */
export class Raft {
  readonly id: bigint;
  term = 0n;
  vote = NONE;
  readStates: ReadState[] = [];
  readonly raftLog: RaftLog;
  readonly prs: ProgressTracker;
  state = StateRole.Follower;
  isLearner = false;
  msgs: Message[] = [];
  lead = NONE;
  leadTransferee = NONE;
  /** Index of the last conf change proposed; a new one waits until it is applied. */
  pendingConfIndex = 0n;
  uncommittedSizeBytes = 0;
  readOnly: ReadOnly;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  /** Ticks since we last heard from a leader (or were one, or started): the lease promise. */
  leaderContactElapsed = 0;
  /** Ticks since this node was created: heartbeats carry it so lease acks can be dated. */
  tickCount = 0n;
  /** Set once this leader sent MsgTimeoutNow: its lease is void for the rest of the term. */
  leaseRevoked = false;
  randomizedElectionTimeout = 0;
  pendingReadIndexMessages: Message[] = [];
  readonly cfg: RaftConfig;

  constructor(cfg: RaftConfig, storage: RaftLogStorage) {
    const invalid = validateRaftConfig(cfg);
    assert(invalid === null, `invalid raft config: ${invalid}`);
    this.cfg = cfg;
    this.id = cfg.id;
    this.raftLog = new RaftLog(storage, cfg.maxCommittedSizePerReadyBytes);
    this.prs = new ProgressTracker(cfg.maxInflightMsgs, cfg.maxInflightBytes);
    this.readOnly = new ReadOnly(cfg.maxPendingReadIndex);
    const { hardState, confState } = storage.initialState();
    const { config, progress } = configFromConfState(this.prs, confState, this.raftLog.lastIndex());
    this.prs.install(config, progress);
    if (hardState.term !== 0n || hardState.vote !== 0n || hardState.commit !== 0n) this.loadState(hardState);
    if (cfg.applied > 0n) this.raftLog.appliedTo(cfg.applied);
    this.becomeFollower(this.term, NONE);
    // A restarted node may have renewed some leader's lease just before it crashed, so it keeps
    // that promise for a full election timeout. Terms <= BOOTSTRAP_TERM never had a leader
    // (the first election moves to BOOTSTRAP_TERM + 1), so fresh nodes may vote at once.
    this.leaderContactElapsed = this.term > BOOTSTRAP_TERM ? 0 : cfg.electionTick;
  }

  private loadState(hs: HardState): void {
    assert(
      hs.commit >= this.raftLog.committed && hs.commit <= this.raftLog.lastIndex(),
      `hard state commit ${hs.commit} outside [${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`,
    );
    this.raftLog.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  /** May this node campaign? (a voter of the current config) */
  promotable(): boolean {
    const pr = this.prs.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && this.prs.isVoter(this.id) && !this.raftLog.unstable.snapshot;
  }

  // ---- sending ---------------------------------------------------------------------------

  private send(m: Message): void {
    if (m.from === NONE) m.from = this.id;
    const t = m.msgType;
    if (
      t === MessageType.MsgRequestVote ||
      t === MessageType.MsgRequestPreVote ||
      t === MessageType.MsgRequestVoteResponse ||
      t === MessageType.MsgRequestPreVoteResponse
    ) {
      assert(m.term !== 0n, `term must be set for ${MessageType[t]}`);
    } else {
      assert(m.term === 0n, `term must not be set for ${MessageType[t]}`);
      // Proposals and forwarded reads carry no term: they are local to the group.
      if (t !== MessageType.MsgPropose && t !== MessageType.MsgReadIndex) m.term = this.term;
    }
    this.msgs.push(m);
  }

  /** Sends an append (or a snapshot) to `to` if flow control allows; returns whether it sent. */
  maybeSendAppend(to: bigint, sendIfEmpty: boolean): boolean {
    const pr = this.prs.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const term = this.raftLog.term(pr.next - 1n);
    const ents = this.raftLog.entries(pr.next, this.cfg.maxSizePerMsgBytes);
    if (!isStorageError(ents) && ents.length === 0 && !sendIfEmpty) return false;
    if (isStorageError(term) || isStorageError(ents)) return this.maybeSendSnapshot(to, pr);
    const m = newMessage({ msgType: MessageType.MsgAppend, to, index: pr.next - 1n, logTerm: term, entries: ents, commit: this.raftLog.committed });
    if (ents.length > 0) {
      const last = ents[ents.length - 1]!.index;
      if (pr.state === ProgressState.Replicate) {
        pr.optimisticUpdate(last);
        let bytes = 0;
        for (const e of ents) bytes += entrySizeBytes(e);
        pr.inflights.add(last, bytes);
      } else if (pr.state === ProgressState.Probe) {
        pr.probeSent = true;
      }
    }
    this.send(m);
    return true;
  }

  private maybeSendSnapshot(to: bigint, pr: Progress): boolean {
    // Only bother an active peer with a snapshot: an unreachable one would waste it.
    if (!pr.recentActive) return false;
    const snap = this.raftLog.snapshot(pr.next - 1n);
    if (isStorageError(snap)) {
      assert(snap === 'snapshot-temporarily-unavailable', `snapshot unavailable: ${snap}`);
      return false;
    }
    assert(!isEmptySnapshot(snap), 'need a non-empty snapshot');
    pr.becomeSnapshot(snapshotMetadata(snap).index);
    this.send(newMessage({ msgType: MessageType.MsgSnapshot, to, snapshot: snap }));
    return true;
  }

  sendAppend(to: bigint): void {
    this.maybeSendAppend(to, true);
  }

  private sendHeartbeat(to: bigint, ctx: Uint8Array | null): void {
    const pr = this.prs.progress.get(to)!;
    // Never tell a follower to commit past what it is known to have.
    const commit = pr.match < this.raftLog.committed ? pr.match : this.raftLog.committed;
    const m = newMessage({ msgType: MessageType.MsgHeartbeat, to, commit, index: this.tickCount + 1n });
    if (ctx) m.context = ctx;
    this.send(m);
  }

  private forEachPeer(fn: (id: bigint, pr: Progress) => void): void {
    for (const id of this.prs.memberIds()) {
      if (id !== this.id) fn(id, this.prs.progress.get(id)!);
    }
  }

  bcastAppend(): void {
    this.forEachPeer((id) => this.sendAppend(id));
  }

  private bcastHeartbeat(): void {
    const ctx = this.readOnly.lastPendingRequestCtx();
    this.forEachPeer((id) => this.sendHeartbeat(id, ctx));
  }

  // ---- state transitions -----------------------------------------------------------------

  private reset(term: bigint): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.prs.resetVotes();
    const last = this.raftLog.lastIndex();
    for (const [id, pr] of this.prs.progress) {
      pr.match = id === this.id ? last : 0n;
      pr.next = last + 1n;
      pr.state = ProgressState.Probe;
      pr.probeSent = false;
      pr.pendingSnapshot = 0n;
      pr.inflights.reset();
      pr.leaseAckTick = 0n;
      pr.recentActive = true;
    }
    this.pendingConfIndex = 0n;
    this.uncommittedSizeBytes = 0;
    this.readOnly = new ReadOnly(this.cfg.maxPendingReadIndex);
    this.pendingReadIndexMessages = [];
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTick + this.cfg.random.int(this.cfg.electionTick);
  }

  becomeFollower(term: bigint, lead: bigint): void {
    this.reset(term);
    this.lead = lead;
    this.state = StateRole.Follower;
  }

  becomeCandidate(): void {
    assert(this.state !== StateRole.Leader, 'leader cannot become candidate directly');
    this.reset(this.term + 1n);
    this.vote = this.id;
    this.state = StateRole.Candidate;
  }

  becomePreCandidate(): void {
    assert(this.state !== StateRole.Leader, 'leader cannot become pre-candidate');
    // Pre-candidates change neither term nor vote: a lost pre-election leaves no trace.
    this.prs.resetVotes();
    this.lead = NONE;
    this.state = StateRole.PreCandidate;
  }

  becomeLeader(): void {
    assert(this.state !== StateRole.Follower, 'follower cannot become leader directly');
    this.reset(this.term);
    this.lead = this.id;
    this.state = StateRole.Leader;
    this.leaseRevoked = false;
    this.leaderContactElapsed = 0;
    this.prs.progress.get(this.id)?.becomeReplicate();
    // Conf changes in the uncommitted tail are unknown to us; be conservative.
    this.pendingConfIndex = this.raftLog.lastIndex();
    // An empty entry of our term lets us commit (and learn) everything before it (§5.4.2, §8).
    const ok = this.appendEntry([newEntry({})]);
    assert(ok, 'empty leader entry must not be dropped');
  }

  // ---- ticking ---------------------------------------------------------------------------

  tick(): void {
    this.tickCount += 1n;
    this.leaderContactElapsed++;
    if (this.state === StateRole.Leader) this.tickHeartbeat();
    else this.tickElection();
  }

  private pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      this.step(newMessage({ msgType: MessageType.MsgHup, from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    this.leaderContactElapsed = 0;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) this.step(newMessage({ msgType: MessageType.MsgCheckQuorum, from: this.id }));
      if (this.state === StateRole.Leader && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.state !== StateRole.Leader) return;
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.step(newMessage({ msgType: MessageType.MsgBeat, from: this.id }));
    }
  }

  // ---- elections -------------------------------------------------------------------------

  private hasUnappliedConfChanges(): boolean {
    if (this.raftLog.applied >= this.raftLog.committed) return false;
    const ents = this.raftLog.slice(this.raftLog.applied + 1n, this.raftLog.committed + 1n, Number.MAX_SAFE_INTEGER);
    if (isStorageError(ents)) return true; // cannot tell: be conservative
    return ents.some((e) => e.entryType !== EntryType.EntryNormal);
  }

  private hup(kind: CampaignKind): void {
    if (this.state === StateRole.Leader) return;
    if (!this.promotable()) return;
    // A conf change committed but not applied may remove us or change the quorum.
    if (this.hasUnappliedConfChanges()) return;
    this.campaign(kind);
  }

  private campaign(kind: CampaignKind): void {
    let voteType: MessageType;
    let term: bigint;
    if (kind === 'pre-election') {
      this.becomePreCandidate();
      voteType = MessageType.MsgRequestPreVote;
      term = this.term + 1n;
    } else {
      this.becomeCandidate();
      voteType = MessageType.MsgRequestVote;
      term = this.term;
    }
    if (this.poll(this.id, voteResponseType(voteType), true) === VoteResult.Won) {
      // Single-voter group: we won outright.
      if (kind === 'pre-election') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    for (const id of this.prs.voterIds()) {
      if (id === this.id) continue;
      this.send(
        newMessage({
          msgType: voteType,
          to: id,
          term,
          index: this.raftLog.lastIndex(),
          logTerm: this.raftLog.lastTerm(),
          context: kind === 'transfer' ? CAMPAIGN_TRANSFER : new Uint8Array(0),
        }),
      );
    }
  }

  private poll(id: bigint, _t: MessageType, granted: boolean): VoteResult {
    this.prs.recordVote(id, granted);
    return this.prs.tallyVotes().result;
  }

  // ---- the step function -----------------------------------------------------------------

  /** Processes one message (from the network or from this node's own API). */
  step(m: Message): RaftError | null {
    if (m.term === 0n) {
      // local message
    } else if (m.term > this.term) {
      if (m.msgType === MessageType.MsgRequestVote || m.msgType === MessageType.MsgRequestPreVote) {
        const force = bytesEqual(m.context, CAMPAIGN_TRANSFER);
        // The lease promise: while we recently heard from a leader, help elect no one else.
        const inLease = this.cfg.checkQuorum && this.leaderContactElapsed < this.cfg.electionTick;
        if (!force && inLease) return null;
      }
      if (m.msgType === MessageType.MsgRequestPreVote) {
        // Never change our term because of a pre-vote.
      } else if (m.msgType === MessageType.MsgRequestPreVoteResponse && !m.reject) {
        // Our pre-vote was granted at the future term; the real election bumps our term.
      } else if (
        m.msgType === MessageType.MsgAppend ||
        m.msgType === MessageType.MsgHeartbeat ||
        m.msgType === MessageType.MsgSnapshot
      ) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.msgType === MessageType.MsgHeartbeat || m.msgType === MessageType.MsgAppend)) {
        // A stale leader cut off by check-quorum/pre-vote would otherwise never learn our term.
        this.send(newMessage({ msgType: MessageType.MsgAppendResponse, to: m.from }));
      } else if (m.msgType === MessageType.MsgRequestPreVote) {
        this.send(newMessage({ msgType: MessageType.MsgRequestPreVoteResponse, to: m.from, term: this.term, reject: true }));
      }
      return null;
    }

    switch (m.msgType) {
      case MessageType.MsgHup:
        this.hup(this.cfg.preVote ? 'pre-election' : 'election');
        return null;
      case MessageType.MsgRequestVote:
      case MessageType.MsgRequestPreVote: {
        const canVote =
          this.vote === m.from ||
          (this.vote === NONE && this.lead === NONE) ||
          (m.msgType === MessageType.MsgRequestPreVote && m.term > this.term);
        if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
          this.send(newMessage({ msgType: voteResponseType(m.msgType), to: m.from, term: m.term }));
          if (m.msgType === MessageType.MsgRequestVote) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send(newMessage({ msgType: voteResponseType(m.msgType), to: m.from, term: this.term, reject: true }));
        }
        return null;
      }
      default:
        switch (this.state) {
          case StateRole.Leader:
            return this.stepLeader(m);
          case StateRole.Candidate:
          case StateRole.PreCandidate:
            return this.stepCandidate(m);
          case StateRole.Follower:
            return this.stepFollower(m);
        }
    }
  }

  private stepLeader(m: Message): RaftError | null {
    switch (m.msgType) {
      case MessageType.MsgBeat:
        this.bcastHeartbeat();
        return null;
      case MessageType.MsgCheckQuorum:
        if (!this.prs.quorumActive(this.id)) {
          this.becomeFollower(this.term, NONE);
        }
        for (const [id, pr] of this.prs.progress) if (id !== this.id) pr.recentActive = false;
        return null;
      case MessageType.MsgPropose:
        return this.leaderPropose(m);
      case MessageType.MsgReadIndex:
        this.leaderReadIndex(m);
        return null;
    }
    const pr = this.prs.progress.get(m.from);
    if (!pr) return null;
    switch (m.msgType) {
      case MessageType.MsgAppendResponse:
        this.handleAppendResponse(m, pr);
        return null;
      case MessageType.MsgHeartbeatResponse:
        this.handleHeartbeatResponse(m, pr);
        return null;
      case MessageType.MsgSnapStatus:
        if (pr.state !== ProgressState.Snapshot) return null;
        if (m.reject) pr.pendingSnapshot = 0n;
        pr.becomeProbe();
        // Wait for the follower's append response (or a heartbeat) before probing again.
        pr.probeSent = true;
        return null;
      case MessageType.MsgUnreachable:
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        return null;
      case MessageType.MsgTransferLeader: {
        if (pr.isLearner) return null;
        const transferee = m.from;
        if (this.leadTransferee !== NONE) {
          if (this.leadTransferee === transferee) return null;
          this.abortLeaderTransfer();
        }
        if (transferee === this.id) return null;
        // The transfer must finish within one election timeout.
        this.electionElapsed = 0;
        this.leadTransferee = transferee;
        if (pr.match === this.raftLog.lastIndex()) this.sendTimeoutNow(transferee);
        else this.sendAppend(transferee);
        return null;
      }
    }
    return null;
  }

  private leaderPropose(m: Message): RaftError | null {
    if (m.entries.length === 0 || m.entries.length > this.cfg.maxEntriesPerProposal) return 'proposal-dropped';
    if (!this.prs.progress.has(this.id)) return 'proposal-dropped'; // removed from the group
    if (this.leadTransferee !== NONE) return 'proposal-dropped';
    for (const e of m.entries) if (entrySizeBytes(e) > this.cfg.maxEntrySizeBytes) return 'entry-too-large';
    const ents = m.entries.map((e) => ({ ...e }));
    for (let i = 0; i < ents.length; i++) {
      const e = ents[i]!;
      if (e.entryType === EntryType.EntryNormal) continue;
      let cc: ConfChangeV2;
      try {
        cc = e.entryType === EntryType.EntryConfChange ? confChangeToV2(decodeConfChange(e.data)) : decodeConfChangeV2(e.data);
      } catch (err) {
        // A forwarded proposal is remote input: undecodable bytes are refused, not fatal.
        if (err instanceof CorruptionError) return 'proposal-dropped';
        throw err;
      }
      const alreadyPending = this.pendingConfIndex > this.raftLog.applied;
      const alreadyJoint = this.prs.isJoint();
      const wantsLeaveJoint = cc.changes.length === 0;
      if (alreadyPending || (alreadyJoint && !wantsLeaveJoint) || (!alreadyJoint && wantsLeaveJoint)) {
        // Refused: replaced by an empty entry so indexes the proposer expects stay valid.
        ents[i] = newEntry({});
      } else {
        this.pendingConfIndex = this.raftLog.lastIndex() + BigInt(i) + 1n;
      }
    }
    if (!this.appendEntry(ents)) return 'proposal-dropped';
    this.bcastAppend();
    return null;
  }

  private leaderReadIndex(m: Message): void {
    if (this.prs.isSingleton()) {
      this.respondToReadIndex(m, this.raftLog.committed);
      return;
    }
    // Until an entry of our term commits we do not know the true commit index (§6.4 step 1).
    if (!this.committedEntryInCurrentTerm()) {
      if (this.pendingReadIndexMessages.length < this.cfg.maxPendingReadIndex) this.pendingReadIndexMessages.push(m);
      return;
    }
    this.sendReadIndexResponse(m);
  }

  private sendReadIndexResponse(m: Message): void {
    if (this.cfg.readOnlyOption === 'lease-based' && this.leaseValid()) {
      this.respondToReadIndex(m, this.raftLog.committed);
      return;
    }
    const ctx = m.entries[0]!.data;
    if (!this.readOnly.addRequest(this.raftLog.committed, m, ctx)) return; // queue full: dropped
    this.readOnly.recvAck(this.id, ctx);
    this.forEachPeer((id) => this.sendHeartbeat(id, ctx));
  }

  private respondToReadIndex(req: Message, readIndex: bigint): void {
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index: readIndex, requestCtx: req.entries[0]!.data });
      return;
    }
    this.send(newMessage({ msgType: MessageType.MsgReadIndexResp, to: req.from, index: readIndex, entries: req.entries }));
  }

  private releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const msgs = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of msgs) this.sendReadIndexResponse(m);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.raftLog.zeroTermOnError(this.raftLog.committed) === this.term;
  }

  /**
   * True while this leader may serve reads from its own state without a quorum round: a
   * quorum acknowledged heartbeats sent at most `electionTick - leaseMarginTicks` ticks ago,
   * each of those voters promised to elect nobody else for `electionTick` ticks after
   * receiving it, and no leadership transfer was started this term.
   */
  leaseValid(): boolean {
    if (this.state !== StateRole.Leader || !this.cfg.checkQuorum) return false;
    if (this.leaseRevoked || this.leadTransferee !== NONE) return false;
    if (!this.committedEntryInCurrentTerm()) return false;
    const start = this.prs.quorumValue((id) => (id === this.id ? this.tickCount + 1n : (this.prs.progress.get(id)?.leaseAckTick ?? 0n)));
    if (start === 0n) return false;
    return this.tickCount + 1n < start + BigInt(this.cfg.electionTick - this.cfg.leaseMarginTicks);
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      let nextProbe = m.rejectHint;
      if (m.logTerm > 0n) nextProbe = this.raftLog.findConflictByTerm(m.rejectHint, m.logTerm)[0];
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (pr.maybeUpdate(m.index)) {
      if (pr.state === ProgressState.Probe) pr.becomeReplicate();
      else if (pr.state === ProgressState.Snapshot && pr.match >= pr.pendingSnapshot) {
        pr.becomeProbe();
        pr.becomeReplicate();
      } else if (pr.state === ProgressState.Replicate) pr.inflights.freeLE(m.index);

      if (this.maybeCommit()) {
        this.releasePendingReadIndexMessages();
        this.bcastAppend();
      } else if (wasPaused) {
        this.sendAppend(m.from);
      }
      // Fill the window while flow control allows.
      while (this.maybeSendAppend(m.from, false)) {
        /* keep sending */
      }
      if (m.from === this.leadTransferee && pr.match === this.raftLog.lastIndex()) this.sendTimeoutNow(m.from);
    }
  }

  private handleHeartbeatResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    pr.probeSent = false;
    if (m.index > pr.leaseAckTick && m.index <= this.tickCount + 1n) pr.leaseAckTick = m.index;
    if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.match < this.raftLog.lastIndex()) this.sendAppend(m.from);
    if (m.context.length === 0) return;
    const acks = this.readOnly.recvAck(m.from, m.context);
    if (!acks) return;
    const votes = new Map<bigint, boolean>();
    for (const id of acks) votes.set(id, true);
    const { incoming, outgoing } = this.prs.config;
    const a = quorumWon(incoming, votes);
    const b = quorumWon(outgoing, votes);
    if (!a || !b) return;
    for (const rs of this.readOnly.advance(m.context)) this.respondToReadIndex(rs.req, rs.index);
  }

  private sendTimeoutNow(to: bigint): void {
    this.leaseRevoked = true;
    this.send(newMessage({ msgType: MessageType.MsgTimeoutNow, to }));
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  private stepCandidate(m: Message): RaftError | null {
    const myVoteResp = this.state === StateRole.PreCandidate ? MessageType.MsgRequestPreVoteResponse : MessageType.MsgRequestVoteResponse;
    switch (m.msgType) {
      case MessageType.MsgPropose:
        return 'proposal-dropped';
      case MessageType.MsgAppend:
        this.becomeFollower(m.term, m.from);
        this.noteLeaderContact();
        this.handleAppendEntries(m);
        return null;
      case MessageType.MsgHeartbeat:
        this.becomeFollower(m.term, m.from);
        this.noteLeaderContact();
        this.handleHeartbeat(m);
        return null;
      case MessageType.MsgSnapshot:
        this.becomeFollower(m.term, m.from);
        this.noteLeaderContact();
        this.handleSnapshot(m);
        return null;
      case myVoteResp: {
        const res = this.poll(m.from, m.msgType, !m.reject);
        if (res === VoteResult.Won) {
          if (this.state === StateRole.PreCandidate) this.campaign('election');
          else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (res === VoteResult.Lost) {
          this.becomeFollower(this.term, NONE);
        }
        return null;
      }
      case MessageType.MsgReadIndex:
        return 'proposal-dropped';
    }
    return null;
  }

  private noteLeaderContact(): void {
    this.electionElapsed = 0;
    this.leaderContactElapsed = 0;
  }

  private stepFollower(m: Message): RaftError | null {
    switch (m.msgType) {
      case MessageType.MsgPropose:
        if (this.lead === NONE || this.cfg.disableProposalForwarding) return 'proposal-dropped';
        for (const e of m.entries) if (entrySizeBytes(e) > this.cfg.maxEntrySizeBytes) return 'entry-too-large';
        this.send({ ...m, to: this.lead, term: 0n });
        return null;
      case MessageType.MsgAppend:
        this.lead = m.from;
        this.noteLeaderContact();
        this.handleAppendEntries(m);
        return null;
      case MessageType.MsgHeartbeat:
        this.lead = m.from;
        this.noteLeaderContact();
        this.handleHeartbeat(m);
        return null;
      case MessageType.MsgSnapshot:
        this.lead = m.from;
        this.noteLeaderContact();
        this.handleSnapshot(m);
        return null;
      case MessageType.MsgTransferLeader:
        if (this.lead === NONE) return 'proposal-dropped';
        this.send({ ...m, to: this.lead, term: 0n });
        return null;
      case MessageType.MsgTimeoutNow:
        // Transfer: campaign at once, skipping pre-vote, forcing past others' leases.
        this.hup('transfer');
        return null;
      case MessageType.MsgReadIndex:
        if (this.lead === NONE) return 'proposal-dropped';
        this.send({ ...m, to: this.lead, term: 0n });
        return null;
      case MessageType.MsgReadIndexResp:
        if (m.entries.length !== 1) return null;
        this.readStates.push({ index: m.index, requestCtx: m.entries[0]!.data });
        return null;
    }
    return null;
  }

  private handleAppendEntries(m: Message): void {
    if (m.index < this.raftLog.committed) {
      this.send(newMessage({ msgType: MessageType.MsgAppendResponse, to: m.from, index: this.raftLog.committed }));
      return;
    }
    const lastNew = this.raftLog.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== null) {
      this.send(newMessage({ msgType: MessageType.MsgAppendResponse, to: m.from, index: lastNew }));
      return;
    }
    // Reject with a hint: our last index <= m.index whose term is <= m.logTerm (fast backtracking).
    const last = this.raftLog.lastIndex();
    const [hintIndex, hintTerm] = this.raftLog.findConflictByTerm(m.index < last ? m.index : last, m.logTerm);
    this.send(
      newMessage({ msgType: MessageType.MsgAppendResponse, to: m.from, index: m.index, reject: true, rejectHint: hintIndex, logTerm: hintTerm }),
    );
  }

  private handleHeartbeat(m: Message): void {
    this.raftLog.commitTo(m.commit < this.raftLog.lastIndex() ? m.commit : this.raftLog.lastIndex());
    this.send(newMessage({ msgType: MessageType.MsgHeartbeatResponse, to: m.from, context: m.context, index: m.index }));
  }

  private handleSnapshot(m: Message): void {
    const snap = m.snapshot;
    if (!snap || isEmptySnapshot(snap)) return;
    if (this.restore(snap)) {
      this.send(newMessage({ msgType: MessageType.MsgAppendResponse, to: m.from, index: this.raftLog.lastIndex() }));
    } else {
      this.send(newMessage({ msgType: MessageType.MsgAppendResponse, to: m.from, index: this.raftLog.committed }));
    }
  }

  /** Installs `s` if it is newer than our commit and names us; returns whether it did. */
  restore(s: Snapshot): boolean {
    const meta = snapshotMetadata(s);
    if (meta.index <= this.raftLog.committed) return false;
    // Only followers install snapshots (stepCandidate steps down before calling us).
    if (this.state !== StateRole.Follower) return false;
    const cs = meta.confState;
    const member = [cs.voters, cs.learners, cs.votersOutgoing].some((ids) => ids.includes(this.id));
    if (!member) return false;
    if (this.raftLog.matchTerm(meta.index, meta.term)) {
      // We already have the snapshot's entries: just fast-forward commit.
      this.raftLog.commitTo(meta.index);
      return false;
    }
    this.raftLog.restore(s);
    const { config, progress } = configFromConfState(this.prs, cs, this.raftLog.lastIndex());
    this.prs.install(config, progress);
    const pr = this.prs.progress.get(this.id);
    if (pr) pr.maybeUpdate(meta.index);
    this.isLearner = pr?.isLearner ?? false;
    return true;
  }

  // ---- log and membership ----------------------------------------------------------------

  /** Appends entries as leader, enforcing the uncommitted-bytes limit; false when dropped. */
  appendEntry(es: Entry[]): boolean {
    let li = this.raftLog.lastIndex();
    for (const e of es) {
      li += 1n;
      e.term = this.term;
      e.index = li;
    }
    const s = payloadSizeBytes(es);
    if (this.uncommittedSizeBytes > 0 && s > 0 && this.uncommittedSizeBytes + s > this.cfg.maxUncommittedEntriesSizeBytes) {
      return false;
    }
    this.uncommittedSizeBytes += s;
    const last = this.raftLog.append(es);
    this.prs.progress.get(this.id)?.maybeUpdate(last);
    this.maybeCommit();
    return true;
  }

  /** Releases the uncommitted budget of entries now applied. */
  reduceUncommittedSize(ents: readonly Entry[]): void {
    if (this.state !== StateRole.Leader) return;
    const s = payloadSizeBytes(ents);
    this.uncommittedSizeBytes = s > this.uncommittedSizeBytes ? 0 : this.uncommittedSizeBytes - s;
  }

  maybeCommit(): boolean {
    return this.raftLog.maybeCommit(this.prs.committed(), this.term);
  }

  /** Applies a committed conf change to the tracker; returns the resulting ConfState. */
  applyConfChange(cc: ConfChangeV2): ConfState {
    const changer = new ConfChanger(this.prs, this.raftLog.lastIndex());
    const result = changer.apply(cc);
    // A committed change was validated when proposed; refusing it now means divergent configs.
    assert(!('error' in result), `committed conf change refused: ${'error' in result ? result.error : ''}`);
    this.prs.install(result.config, result.progress);
    return this.switchToConfig();
  }

  private switchToConfig(): ConfState {
    const cs = this.prs.confState();
    const pr = this.prs.progress.get(this.id);
    this.isLearner = pr?.isLearner ?? false;
    if ((!pr || this.isLearner) && this.state === StateRole.Leader) {
      // Removed or demoted leader: step down; the remaining voters elect a successor.
      this.becomeFollower(this.term, NONE);
      return cs;
    }
    if (this.state !== StateRole.Leader || cs.voters.length === 0) return cs;
    if (this.maybeCommit()) this.bcastAppend();
    else this.forEachPeer((id) => this.maybeSendAppend(id, false));
    if (this.leadTransferee !== NONE && !this.prs.isVoter(this.leadTransferee)) this.abortLeaderTransfer();
    return cs;
  }

  /** Called when the application has applied up to `index` (auto-leaves joint configs). */
  appliedTo(index: bigint): void {
    const old = this.raftLog.applied;
    this.raftLog.appliedTo(index > old ? index : old);
    if (this.prs.config.autoLeave && index >= this.pendingConfIndex && this.state === StateRole.Leader) {
      // The joint config is committed and applied: propose leaving it (empty ConfChangeV2).
      const ent = newEntry({ entryType: EntryType.EntryConfChangeV2 });
      if (this.appendEntry([ent])) {
        this.pendingConfIndex = this.raftLog.lastIndex();
        this.bcastAppend();
      }
    }
  }

  readOnlyOption(): ReadOnlyOption {
    return this.cfg.readOnlyOption;
  }
}

function quorumWon(voters: ReadonlySet<bigint>, votes: ReadonlyMap<bigint, boolean>): boolean {
  if (voters.size === 0) return true;
  let yes = 0;
  for (const id of voters) if (votes.get(id)) yes++;
  return yes >= Math.floor(voters.size / 2) + 1;
}

