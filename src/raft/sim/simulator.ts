/**
 * Deterministic whole-cluster simulation of the Raft core plus a replicated key-value state
 * machine. One seed drives everything: a simulated clock (ticks every `tickMs` per node), a
 * network that drops, delays, duplicates, reorders and partitions (symmetric, asymmetric,
 * ring, leader isolation), crashes and restarts with durable state (and crashes in the middle
 * of persisting a Ready, losing the unsynced tail), leader transfers, and membership changes
 * (learners, promotion, removal, joint replacement) while all of that happens.
 *
 * After every step the `SafetyChecker` checks Raft's safety properties; concurrent simulated
 * clients (put, get via ReadIndex, get via lease, compare-and-set) produce a history that the
 * caller checks for linearizability. Same seed, same run: no timers, no Date, no Math.random.
 */
import { SeededRandom, type Random } from '../../util/mod.ts';
import { decodeConfChange, decodeConfChangeV2 } from '../conf_change_codec.ts';
import { describeMessage } from '../describe.ts';
import {
  ConfChangeTransition,
  ConfChangeType,
  EntryType,
  MessageType,
  isEmptySnapshot,
  newConfState,
  snapshotMetadata,
  type ConfChangeSingle,
  type ConfState,
  type Entry,
  type Message,
} from '../eraftpb.ts';
import { MemoryStorage } from '../memory_storage.ts';
import { StateRole } from '../raft.ts';
import { RAFT_CONFIG_DEFAULTS, type RaftConfig } from '../raft_config.ts';
import { RawNode } from '../raw_node.ts';
import type { KvInput, KvOperation, KvOutput } from './history.ts';
import { KvStateMachine, encodeKvCommand, type KvCommand } from './kv_state_machine.ts';
import { SafetyChecker } from './safety_checker.ts';
import { CALM_NETWORK, SimNetwork } from './sim_network.ts';

/** Options of one simulation run. */
export interface SimOptions {
  seed: number;
  /** Voters at bootstrap. */
  voters: number;
  /** Upper bound of node ids ever created (new ids are used for added members). */
  nodeIdsMax: number;
  /** Simulated milliseconds of faulty operation. */
  durationMs: number;
  /** Simulated milliseconds of calm at the end (everything healed and restarted). */
  healMs: number;
  clients: number;
  keys: number;
  tickMs: number;
  electionTick: number;
  heartbeatTick: number;
  /** Mean simulated ms between injected faults (0 = no faults). */
  faultEveryMs: number;
  membershipChanges: boolean;
  /** Ms a client waits for an answer before giving up (writes become "unknown"). */
  clientTimeoutMs: number;
  /** Applied entries kept in the log before a node snapshots and compacts. */
  compactLogEntriesMax: number;
  /** Stop at the first violation (default) or keep running to count them. */
  stopOnViolation: boolean;
  /** Keep a trace of the last events for failure reports. */
  traceEventsMax: number;
}

/** Defaults sized so one seed costs tens of milliseconds of CPU. */
export const SIM_DEFAULTS: Omit<SimOptions, 'seed'> = {
  voters: 3,
  nodeIdsMax: 7,
  durationMs: 3000,
  healMs: 1500,
  clients: 5,
  keys: 5,
  tickMs: 10,
  electionTick: 10,
  heartbeatTick: 2,
  faultEveryMs: 150,
  membershipChanges: true,
  clientTimeoutMs: 150,
  compactLogEntriesMax: 40,
  stopOnViolation: true,
  traceEventsMax: 200,
};

/** What one run did and found. */
export interface SimResult {
  seed: number;
  steps: number;
  invariantChecks: number;
  operations: KvOperation[];
  faults: Record<string, number>;
  violations: string[];
  committedIndex: bigint;
  messagesDelivered: number;
  messagesDropped: number;
  /** Last events before the end (for replaying a failure by eye). */
  trace: string[];
  /** True if a leader committed a final write after the heal period (liveness). */
  progressedAfterHeal: boolean;
}

interface PendingWrite {
  client: SimClient;
  op: KvOperation;
  deadline: number;
}

interface PendingRead {
  client: SimClient;
  op: KvOperation;
  deadline: number;
  /** Known once the ReadState (or the lease check) gave a read index. */
  readIndex: bigint | null;
}

class SimClient {
  busy = false;
  /** A request sent to a paused node: it is handled when that node resumes. */
  deferred: { node: SimNode; op: KvOperation; reqId: number } | null = null;
  nextAt = 0;
  preferredNode = 1n;
  constructor(readonly id: number) {}
}

const dec = new TextDecoder();
const enc = new TextEncoder();

/** One simulated store hosting one Raft peer. */
class SimNode {
  rn: RawNode | null = null;
  kv = new KvStateMachine();
  confState: ConfState = newConfState();
  /** Index of the last entry applied to `kv` (or of the snapshot it was restored from). */
  kvAppliedIndex = 0n;
  /** Permanently gone (removed from the group and garbage-collected). */
  tombstone = false;
  /** Next Ready is torn: a prefix of its entries reaches disk, then the node crashes. */
  tornWriteArmed = false;
  nextTickAt: number;
  /** Frozen (a long GC pause or SIGSTOP): no ticks, no messages, no Ready until then. */
  pausedUntil = 0;
  pendingWrites = new Map<number, PendingWrite>();
  pendingReads = new Map<string, PendingRead>();

  constructor(
    readonly id: bigint,
    public storage: MemoryStorage,
    readonly cfg: RaftConfig,
    phaseMs: number,
  ) {
    this.nextTickAt = phaseMs;
    // The snapshot's index must be the index of the state it carries: that is the last entry
    // applied to the KV map, which runs ahead of raftLog.applied until advance() (a snapshot
    // can be requested in between, e.g. when applying a conf change makes the leader send).
    storage.snapshotSource = () => ({ index: this.rn ? this.kvAppliedIndex : 0n, confState: this.confState, data: this.kv.snapshot() });
  }

  alive(): boolean {
    return this.rn !== null;
  }

  /** Starts (or restarts) from durable state only. */
  start(): void {
    const snap = this.storage.currentSnapshot();
    const meta = snapshotMetadata(snap);
    const appliedIndex = meta.index;
    this.kv = new KvStateMachine();
    this.kv.restore(snap.data);
    this.kvAppliedIndex = meta.index;
    this.confState = meta.confState;
    this.rn = new RawNode({ ...this.cfg, applied: appliedIndex }, this.storage);
  }
}

/** Runs one seed. */
export class Simulator {
  readonly opts: SimOptions;
  readonly random: Random;
  readonly net: SimNetwork;
  readonly checker = new SafetyChecker();
  readonly nodes = new Map<bigint, SimNode>();
  readonly clients: SimClient[] = [];
  readonly operations: KvOperation[] = [];
  readonly faults: Record<string, number> = {};
  private now = 0;
  private steps = 0;
  private nextRequestId = 1;
  private nextValue = 1;
  private nextFaultAt = 0;
  private nextNodeId: bigint;
  private trace: string[] = [];
  private healing = false;
  private lastValues = new Map<string, string | null>();
  private latestConfIndex = 0n;
  /** KV digest after applying each index (first node to get there defines it). */
  private stateAt = new Map<bigint, string>();
  private everMembers = new Set<bigint>();

  constructor(opts: SimOptions) {
    this.opts = opts;
    this.random = new SeededRandom(opts.seed);
    this.net = new SimNetwork(this.random);
    const voters: bigint[] = [];
    for (let i = 1; i <= opts.voters; i++) voters.push(BigInt(i));
    for (const id of voters) {
      const node = this.createNode(id, MemoryStorage.bootstrap(newConfState({ voters })));
      node.start();
    }
    this.nextNodeId = BigInt(opts.voters + 1);
    for (const id of voters) this.everMembers.add(id);
    for (let c = 0; c < opts.clients; c++) {
      const cl = new SimClient(c);
      cl.nextAt = this.random.int(20);
      cl.preferredNode = BigInt(1 + this.random.int(opts.voters));
      this.clients.push(cl);
    }
    this.nextFaultAt = opts.faultEveryMs > 0 ? opts.faultEveryMs / 2 + this.random.int(opts.faultEveryMs) : Number.POSITIVE_INFINITY;
  }

  private createNode(id: bigint, storage: MemoryStorage): SimNode {
    const cfg: RaftConfig = {
      ...RAFT_CONFIG_DEFAULTS,
      id,
      random: this.random,
      electionTick: this.opts.electionTick,
      heartbeatTick: this.opts.heartbeatTick,
      checkQuorum: true,
      preVote: this.random.chance(0.8),
      readOnlyOption: 'safe',
      maxSizePerMsgBytes: 4096,
      maxInflightMsgs: 8,
      maxUncommittedEntriesSizeBytes: 64 * 1024,
      maxEntrySizeBytes: 4096,
    };
    const node = new SimNode(id, storage, cfg, this.random.int(this.opts.tickMs));
    this.nodes.set(id, node);
    return node;
  }

  private log(s: string): void {
    if (this.opts.traceEventsMax <= 0) return;
    this.trace.push(`[${this.now}ms] ${s}`);
    if (this.trace.length > this.opts.traceEventsMax) this.trace.shift();
  }

  private countFault(kind: string): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
    this.log(`fault ${kind}`);
  }

  /** Runs to completion and returns the result. */
  run(): SimResult {
    const end = this.opts.durationMs + this.opts.healMs;
    let progressedAfterHeal = false;
    let finalWriteIndex: bigint | null = null;
    while (this.now <= end) {
      if (!this.healing && this.now >= this.opts.durationMs) this.beginHeal();
      this.step();
      if (this.checker.violations.length > 0 && this.opts.stopOnViolation) break;
      if (this.healing && finalWriteIndex === null && this.now >= this.opts.durationMs + this.opts.healMs / 2) {
        finalWriteIndex = this.checker.highestCommitted();
      }
      if (finalWriteIndex !== null && this.checker.highestCommitted() > finalWriteIndex) progressedAfterHeal = true;
      this.now = this.nextEventAt(end);
    }
    this.finishClients();
    return {
      seed: this.opts.seed,
      steps: this.steps,
      invariantChecks: this.checker.checks,
      operations: this.operations,
      faults: this.faults,
      violations: this.checker.violations,
      committedIndex: this.checker.highestCommitted(),
      messagesDelivered: this.net.delivered,
      messagesDropped: this.net.dropped,
      trace: this.trace,
      progressedAfterHeal,
    };
  }

  private nextEventAt(end: number): number {
    let t = this.net.nextAt();
    for (const n of this.nodes.values()) {
      if (!n.alive()) continue;
      const at = n.pausedUntil > this.now ? n.pausedUntil : n.nextTickAt;
      if (at < t) t = at;
    }
    for (const c of this.clients) if (!c.busy && c.nextAt < t) t = c.nextAt;
    if (this.nextFaultAt < t) t = this.nextFaultAt;
    if (!this.healing && this.opts.durationMs < t) t = this.opts.durationMs;
    if (t <= this.now) t = this.now + 1;
    return t > end ? end + 1 : t;
  }

  private step(): void {
    this.steps++;
    // 1. network
    for (const m of this.net.due(this.now)) this.deliver(m);
    // 2. clocks
    for (const n of this.nodes.values()) {
      if (!n.alive() || n.pausedUntil > this.now) continue;
      // A resumed node first catches up every tick it missed (the lease is counted in ticks).
      while (n.nextTickAt <= this.now) {
        n.rn!.tick();
        n.nextTickAt += this.opts.tickMs;
      }
    }
    // 3. faults
    if (!this.healing && this.now >= this.nextFaultAt) {
      this.injectFault();
      this.nextFaultAt = this.now + this.opts.faultEveryMs / 2 + this.random.int(this.opts.faultEveryMs);
    }
    // 4. clients
    for (const c of this.clients) if (!c.busy && c.nextAt <= this.now && (!c.deferred || c.deferred.node.pausedUntil <= this.now)) this.issue(c);
    this.expireClientRequests();
    // 5. readies, until quiet (bounded)
    for (let round = 0; round < 50; round++) {
      let any = false;
      for (const n of this.nodes.values()) {
        if (n.alive() && n.pausedUntil <= this.now && n.rn!.hasReady()) {
          this.handleReady(n);
          any = true;
        }
      }
      if (!any) break;
    }
    // 6. invariants
    for (const n of this.nodes.values()) if (n.alive()) this.checker.observe(n.rn!.raft);
  }

  private deliver(m: Message): void {
    const to = this.nodes.get(m.to);
    if (m.msgType === MessageType.MsgSnapshot) {
      const from = this.nodes.get(m.from);
      if (from?.alive()) from.rn!.reportSnapshot(m.to, !to?.alive());
    }
    if (!to || !to.alive()) return;
    if (to.pausedUntil > this.now) {
      this.net.requeue(m, to.pausedUntil);
      return;
    }
    // Messages between correct nodes are always well formed; a refusal here is a core bug.
    if (to.rn!.step(m) === 'invalid-message') this.checker.violations.push(`node ${to.id} refused a message as invalid: ${describeMessage(m)}`);
  }

  private handleReady(n: SimNode): void {
    const rn = n.rn!;
    const rd = rn.ready();
    if (n.tornWriteArmed && (rd.entries.length > 0 || rd.hardState)) {
      // Crash while persisting: a prefix of the entries reached disk, nothing else did.
      n.tornWriteArmed = false;
      const keep = this.random.int(rd.entries.length + 1);
      if (rd.snapshot && !isEmptySnapshot(rd.snapshot)) {
        // The snapshot is written first; keep or lose it at random as well.
        if (this.random.chance(0.5)) {
          // A snapshot and its raft state are written atomically (as TiKV does): the hard
          // state then says at least the snapshot index is committed.
          this.persistSnapshot(n, rd.snapshot);
          const idx = snapshotMetadata(rd.snapshot).index;
          const hs = rd.hardState ?? n.storage.hardState;
          n.storage.setHardState({ term: hs.term, vote: hs.vote, commit: idx });
        } else {
          this.crash(n, `torn write (snapshot lost)`);
          return;
        }
      }
      n.storage.append(rd.entries.slice(0, keep));
      this.countFault('crash-torn-write');
      this.crash(n, `torn write kept ${keep}/${rd.entries.length} entries`);
      return;
    }
    // 1. persist
    if (rd.snapshot && !isEmptySnapshot(rd.snapshot)) this.persistSnapshot(n, rd.snapshot);
    this.checker.onPersist(rn.raft, rd.entries, rd.hardState ? rd.hardState.commit : null);
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    if (rd.softState) this.log(`node ${n.id} ${StateRole[rd.softState.raftState]} lead=${rd.softState.lead} term=${rn.raft.term}`);
    // 2. send
    for (const m of rd.messages) this.net.send(m, this.now);
    // 3. apply
    for (const e of rd.committedEntries) {
      this.apply(n, e);
      if (!n.alive()) return; // removed from the group while applying
    }
    for (const rs of rd.readStates) {
      const pr = n.pendingReads.get(dec.decode(rs.requestCtx));
      if (pr && pr.readIndex === null) pr.readIndex = rs.index;
    }
    rn.advance(rd);
    this.serveReads(n);
    this.maybeCompact(n);
  }

  private persistSnapshot(n: SimNode, snap: import('../eraftpb.ts').Snapshot): void {
    n.storage.applySnapshot(snap);
    const meta = snapshotMetadata(snap);
    n.kv.restore(snap.data);
    n.kvAppliedIndex = meta.index;
    n.confState = meta.confState;
    this.checkState(n, meta.index);
    this.log(`node ${n.id} installed snapshot ${meta.term}/${meta.index}`);
  }

  /** Every node's KV state at a given applied index must be the same (state machine safety on the data). */
  private checkState(n: SimNode, index: bigint): void {
    const d = n.kv.digest();
    const seen = this.stateAt.get(index);
    if (seen === undefined) this.stateAt.set(index, d);
    else if (seen !== d) this.checker.violations.push(`state divergence: node ${n.id} at index ${index} has ${d}, another node had ${seen}`);
  }

  private apply(n: SimNode, e: Entry): void {
    this.checker.onApply(n.id, e);
    n.kvAppliedIndex = e.index;
    if (e.entryType === EntryType.EntryNormal) {
      const res = n.kv.apply(e.data);
      this.checkState(n, e.index);
      if (res) {
        const pw = n.pendingWrites.get(res.id);
        if (pw) {
          n.pendingWrites.delete(res.id);
          pw.op.output = pw.op.input.op === 'cas' ? { ok: res.ok } : { ok: true };
          pw.op.return = this.now;
          this.complete(pw.client, pw.op, n.id);
        }
      }
      return;
    }
    const cc = e.entryType === EntryType.EntryConfChange ? decodeConfChange(e.data) : decodeConfChangeV2(e.data);
    n.confState = n.rn!.applyConfChange(cc);
    this.log(`node ${n.id} applied conf change at ${e.index}: voters=${n.confState.voters} out=${n.confState.votersOutgoing} learners=${n.confState.learners}`);
    // Peers no longer in the newest committed config are garbage-collected (TiKV destroys
    // them). Lagging nodes applying older changes must not resurrect or kill anyone.
    if (e.index <= this.latestConfIndex) return;
    this.latestConfIndex = e.index;
    const members = new Set([...n.confState.voters, ...n.confState.votersOutgoing, ...n.confState.learners, ...n.confState.learnersNext]);
    for (const id of members) this.everMembers.add(id);
    for (const id of this.everMembers) {
      const other = this.nodes.get(id);
      if (!members.has(id) && other && !other.tombstone) {
        other.tombstone = true;
        if (other.alive()) this.crash(other, 'removed from the group');
      }
    }
  }

  private maybeCompact(n: SimNode): void {
    const applied = n.rn!.raft.raftLog.applied;
    if (applied - n.storage.firstIndex() < BigInt(this.opts.compactLogEntriesMax)) return;
    if (applied > n.storage.lastIndex()) return;
    n.storage.createSnapshot(applied, n.confState, n.kv.snapshot());
    n.storage.compact(applied - BigInt(this.random.int(5)) > n.storage.firstIndex() ? applied - BigInt(this.random.int(5)) : applied);
  }

  private crash(n: SimNode, why: string): void {
    n.rn = null;
    this.log(`node ${n.id} crashed (${why})`);
    for (const pw of n.pendingWrites.values()) this.giveUp(pw.client, pw.op, true);
    for (const pr of n.pendingReads.values()) this.giveUp(pr.client, pr.op, false);
    n.pendingWrites.clear();
    n.pendingReads.clear();
  }

  private restart(n: SimNode): void {
    n.start();
    n.nextTickAt = this.now + this.random.int(this.opts.tickMs);
    this.log(`node ${n.id} restarted (commit ${n.rn!.raft.raftLog.committed}, last ${n.rn!.raft.raftLog.lastIndex()})`);
  }

  // ---- clients ----------------------------------------------------------------------------

  private leader(): SimNode | null {
    let best: SimNode | null = null;
    for (const n of this.nodes.values()) {
      if (n.alive() && n.rn!.raft.state === StateRole.Leader && (!best || n.rn!.raft.term > best.rn!.raft.term)) best = n;
    }
    return best;
  }

  private pickNode(c: SimClient): SimNode | null {
    const pref = this.nodes.get(c.preferredNode);
    if (pref?.alive() && this.random.chance(0.9)) return pref;
    const alive = [...this.nodes.values()].filter((n) => n.alive());
    if (alive.length === 0) return null;
    return alive[this.random.int(alive.length)]!;
  }

  private issue(c: SimClient): void {
    if (c.deferred) {
      const d = c.deferred;
      c.deferred = null;
      if (!d.node.alive()) {
        this.giveUp(c, d.op, false);
        return;
      }
      this.dispatch(c, d.node, d.op, d.reqId);
      return;
    }
    const node = this.pickNode(c);
    if (!node) {
      c.nextAt = this.now + 10;
      return;
    }
    const key = `k${this.random.int(this.opts.keys)}`;
    const r = this.random.float();
    const reqId = this.nextRequestId++;
    let input: KvInput;
    if (r < 0.4) input = { op: 'get', key, via: this.random.chance(0.5) ? 'lease' : 'read-index' };
    else if (r < 0.8) input = { op: 'put', key, value: `v${this.nextValue++}` };
    else {
      const last = this.lastValues.get(key) ?? null;
      input = { op: 'cas', key, expected: this.random.chance(0.7) ? last : `v${this.random.int(this.nextValue)}`, value: `v${this.nextValue++}` };
    }
    const op: KvOperation = { clientId: c.id, input, output: {}, call: this.now, return: null };
    if (node.pausedUntil > this.now) {
      // The node is frozen: the request waits in its socket until it resumes.
      c.deferred = { node, op, reqId };
      c.nextAt = node.pausedUntil;
      return;
    }
    this.dispatch(c, node, op, reqId);
  }

  private dispatch(c: SimClient, node: SimNode, op: KvOperation, reqId: number): void {
    const input = op.input;
    const key = input.key;
    c.busy = true;
    const deadline = this.now + this.opts.clientTimeoutMs;
    const rn = node.rn!;
    if (input.op === 'get') {
      const ctx = `r${reqId}`;
      if (input.via === 'lease') {
        // Lease read: served locally by a leader whose lease is valid, else refused.
        if (!rn.leaseValid()) {
          this.giveUp(c, op, false);
          return;
        }
        node.pendingReads.set(ctx, { client: c, op, deadline, readIndex: rn.raft.raftLog.committed });
        this.serveReads(node);
        return;
      }
      if (rn.readIndex(enc.encode(ctx)) !== null) {
        this.giveUp(c, op, false);
        return;
      }
      node.pendingReads.set(ctx, { client: c, op, deadline, readIndex: null });
      return;
    }
    const cmd: KvCommand =
      input.op === 'put'
        ? { id: reqId, op: 'put', key, value: input.value! }
        : { id: reqId, op: 'cas', key, expected: input.expected ?? null, value: input.value! };
    if (rn.propose(encodeKvCommand(cmd)) !== null) {
      // Refused synchronously: never entered any log, so it has no effect.
      this.giveUp(c, op, false);
      return;
    }
    node.pendingWrites.set(reqId, { client: c, op, deadline });
  }

  private serveReads(n: SimNode): void {
    if (!n.alive()) return;
    const applied = n.rn!.raft.raftLog.applied;
    for (const [ctx, pr] of n.pendingReads) {
      if (pr.readIndex !== null && applied >= pr.readIndex) {
        n.pendingReads.delete(ctx);
        pr.op.output = { value: n.kv.get(pr.op.input.key) };
        pr.op.return = this.now;
        this.complete(pr.client, pr.op, n.id);
      }
    }
  }

  private complete(c: SimClient, op: KvOperation, nodeId: bigint): void {
    this.operations.push(op);
    if (this.opts.traceEventsMax > 0) {
      const n = this.nodes.get(nodeId);
      this.log(`client ${c.id} ${op.input.op}${op.input.via ? `/${op.input.via}` : ''} ${op.input.key} -> ${JSON.stringify(op.output)} at node ${nodeId} (applied ${n?.kvAppliedIndex}, term ${n?.rn?.raft.term}, ${n?.rn ? StateRole[n.rn.raft.state] : 'down'})`);
    }
    if (op.input.op === 'get') this.lastValues.set(op.input.key, op.output.value ?? null);
    else if (op.output.ok) this.lastValues.set(op.input.key, op.input.value ?? null);
    c.busy = false;
    c.preferredNode = nodeId;
    c.nextAt = this.now + 1 + this.random.int(15);
    // Clients keep talking to the node that last answered (possibly a deposed leader),
    // learning about a new leader only now and then: that is what exposes stale reads.
    const ldr = this.leader();
    if (ldr && this.random.chance(0.2)) c.preferredNode = ldr.id;
  }

  /** The client stops waiting. A write that may have been proposed is recorded as unknown. */
  private giveUp(c: SimClient, op: KvOperation, mayHaveHappened: boolean): void {
    if (mayHaveHappened) {
      op.output = { unknown: true } satisfies KvOutput;
      op.return = null;
      this.operations.push(op);
    }
    c.busy = false;
    c.nextAt = this.now + 5 + this.random.int(20);
    const ldr = this.leader();
    c.preferredNode = ldr && this.random.chance(0.5) ? ldr.id : BigInt(1 + this.random.int(Number(this.nextNodeId) - 1));
  }

  private expireClientRequests(): void {
    for (const n of this.nodes.values()) {
      for (const [id, pw] of n.pendingWrites) {
        if (pw.deadline <= this.now) {
          n.pendingWrites.delete(id);
          this.giveUp(pw.client, pw.op, true);
        }
      }
      for (const [ctx, pr] of n.pendingReads) {
        if (pr.deadline <= this.now) {
          n.pendingReads.delete(ctx);
          this.giveUp(pr.client, pr.op, false);
        }
      }
    }
  }

  private finishClients(): void {
    for (const n of this.nodes.values()) {
      for (const pw of n.pendingWrites.values()) this.giveUp(pw.client, pw.op, true);
      n.pendingWrites.clear();
      n.pendingReads.clear();
    }
  }

  // ---- faults -----------------------------------------------------------------------------

  private liveMembers(): SimNode[] {
    return [...this.nodes.values()].filter((n) => !n.tombstone);
  }

  private beginHeal(): void {
    this.healing = true;
    this.net.heal();
    this.net.faults = { ...CALM_NETWORK };
    for (const n of this.liveMembers()) if (!n.alive()) this.restart(n);
    for (const n of this.nodes.values()) {
      n.pausedUntil = 0;
      n.tornWriteArmed = false; // a fault armed before the heal must not fire during it
    }
    this.log('heal: network calm, all nodes restarted');
  }

  private injectFault(): void {
    const members = this.liveMembers();
    const ids = members.map((n) => n.id);
    const pick = this.random.int(17);
    switch (pick) {
      case 0: {
        // Random symmetric split.
        const a = ids.filter(() => this.random.chance(0.5));
        const b = ids.filter((id) => !a.includes(id));
        this.net.heal();
        this.net.partition(a, b);
        this.countFault('partition');
        break;
      }
      case 1: {
        // Asymmetric: some directed links fail.
        this.net.heal();
        for (const x of ids) for (const y of ids) if (x !== y && this.random.chance(0.25)) this.net.block(x, y);
        this.countFault('partition-asymmetric');
        break;
      }
      case 2: {
        // Ring: each node reaches only its two neighbours (every node has a majority of a 5-ring).
        this.net.heal();
        const ring = [...ids].sort(() => this.random.float() - 0.5);
        for (let i = 0; i < ring.length; i++) {
          for (let j = 0; j < ring.length; j++) {
            const d = Math.min((i - j + ring.length) % ring.length, (j - i + ring.length) % ring.length);
            if (d > 1) this.net.block(ring[i]!, ring[j]!);
          }
        }
        this.countFault('partition-ring');
        break;
      }
      case 3:
      case 15:
      case 16: {
        // Isolating the leader is the fault that tests leases and ReadIndex hardest.
        const l = this.leader();
        if (l) {
          this.net.heal();
          this.net.partition([l.id], ids.filter((id) => id !== l.id));
          this.countFault('isolate-leader');
        }
        break;
      }
      case 4:
        this.net.heal();
        this.countFault('heal');
        break;
      case 5: {
        // Pause a node (often the leader) for one to four election timeouts.
        const l = this.leader();
        const alive = members.filter((n) => n.alive());
        const n = l && this.random.chance(0.6) ? l : alive[this.random.int(alive.length)];
        if (n) {
          n.pausedUntil = this.now + this.opts.tickMs * this.opts.electionTick * (1 + this.random.int(4));
          this.countFault('pause');
        }
        break;
      }
      case 6: {
        const alive = members.filter((n) => n.alive());
        const down = members.length - alive.length;
        if (alive.length > 0 && down < 2) {
          const n = alive[this.random.int(alive.length)]!;
          this.crash(n, 'fault');
          this.countFault('crash');
        }
        break;
      }
      case 7:
      case 8: {
        const dead = members.filter((n) => !n.alive());
        if (dead.length > 0) {
          this.restart(dead[this.random.int(dead.length)]!);
          this.countFault('restart');
        }
        break;
      }
      case 9: {
        const alive = members.filter((n) => n.alive());
        if (alive.length > 0) {
          alive[this.random.int(alive.length)]!.tornWriteArmed = true;
          this.countFault('arm-torn-write');
        }
        break;
      }
      case 10:
        this.net.faults = {
          dropProbability: this.random.chance(0.5) ? 0 : this.random.float() * 0.2,
          duplicateProbability: this.random.chance(0.5) ? 0 : this.random.float() * 0.1,
          delayMinMs: 1,
          delayMaxMs: 2 + this.random.int(this.random.chance(0.3) ? 80 : 10),
        };
        this.countFault('network-quality');
        break;
      case 11: {
        const l = this.leader();
        if (l) {
          const voters = l.rn!.raft.prs.voterIds().filter((id) => id !== l.id);
          if (voters.length > 0) {
            l.rn!.transferLeader(voters[this.random.int(voters.length)]!);
            this.countFault('transfer-leader');
          }
        }
        break;
      }
      default:
        if (this.opts.membershipChanges) this.changeMembership();
        break;
    }
  }

  private changeMembership(): void {
    const l = this.leader();
    if (!l) return;
    const cfg = l.rn!.raft.prs.config;
    if (cfg.outgoing.size > 0) return; // joint: wait for the auto-leave
    const voters = [...cfg.incoming];
    const learners = [...cfg.learners];
    const canAdd = this.nextNodeId <= BigInt(this.opts.nodeIdsMax);
    const choice = this.random.int(5);
    let changes: ConfChangeSingle[] = [];
    let transition = ConfChangeTransition.Auto;
    let kind = '';
    const newNode = (): bigint => {
      const id = this.nextNodeId++;
      const n = this.createNode(id, new MemoryStorage());
      n.start();
      return id;
    };
    if (choice === 0 && canAdd) {
      changes = [{ changeType: ConfChangeType.AddLearnerNode, nodeId: newNode() }];
      kind = 'add-learner';
    } else if (choice === 1 && learners.length > 0) {
      changes = [{ changeType: ConfChangeType.AddNode, nodeId: learners[this.random.int(learners.length)]! }];
      kind = 'promote-learner';
    } else if (choice === 2 && voters.length > 3) {
      changes = [{ changeType: ConfChangeType.RemoveNode, nodeId: voters[this.random.int(voters.length)]! }];
      kind = 'remove-voter';
    } else if (choice === 3 && canAdd && voters.length >= 3) {
      const out = voters[this.random.int(voters.length)]!;
      changes = [
        { changeType: ConfChangeType.AddNode, nodeId: newNode() },
        { changeType: ConfChangeType.RemoveNode, nodeId: out },
      ];
      kind = 'replace-voter-joint';
    } else if (choice === 4 && voters.length > 3) {
      changes = [{ changeType: ConfChangeType.AddLearnerNode, nodeId: voters[this.random.int(voters.length)]! }];
      transition = ConfChangeTransition.Implicit;
      kind = 'demote-voter-joint';
    } else if (canAdd) {
      changes = [{ changeType: ConfChangeType.AddNode, nodeId: newNode() }];
      kind = 'add-voter';
    } else {
      return;
    }
    const err = l.rn!.proposeConfChange({ transition, changes, context: new Uint8Array(0) });
    this.countFault(err ? `${kind}-refused` : kind);
  }

  /** Renders a message for traces (kept here so failure reports read like scenario files). */
  static describe(m: Message): string {
    return describeMessage(m);
  }
}

/** Runs one seed with defaults overridden by `overrides`. */
export function runSeed(seed: number, overrides: Partial<SimOptions> = {}): SimResult {
  return new Simulator({ ...SIM_DEFAULTS, ...overrides, seed }).run();
}
