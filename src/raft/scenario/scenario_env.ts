/**
 * Interpreter for Raft scenario scripts (`src/raft/testdata/*.txt`). Every delivery is
 * explicit, so a transcript is fully deterministic. Commands:
 *   add-nodes N [voters=1,2,3] [learners=4] [prevote=true] [checkquorum=true]
 *       [read-only=safe|lease-based] [election=10] [heartbeat=2] [max-inflight=N]
 *       [max-msg-size=N] [max-uncommitted=N] [max-entry-size=N]
 *   campaign ID | propose ID DATA | propose-conf-change ID [v1] [transition=T] CHANGES...
 *   process-ready [ID...] | deliver-msgs [ID...] [drop=true] | stabilize [ID...]
 *   tick-election ID... | tick-heartbeat ID... | tick ID N
 *   transfer-leadership from=ID to=ID | read-index ID CTX | lease ID
 *   compact ID (snapshot + compact at applied) | partition A,B/C,D | isolate ID | cut A B | heal
 *   crash ID | restart ID
 *   report-unreachable ID PEER | raft-log ID | raft-state | status ID
 * The output of each command is the transcript text compared against the golden file.
 */
import { assert, SeededRandom } from '../../util/mod.ts';
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
  type Message,
} from '../eraftpb.ts';
import { decodeConfChange, decodeConfChangeV2 } from '../conf_change_codec.ts';
import { describeConfState, describeEntry, describeHardState, describeMessage } from '../describe.ts';
import { MemoryStorage } from '../memory_storage.ts';
import { StateRole } from '../raft.ts';
import { RAFT_CONFIG_DEFAULTS, type RaftConfig } from '../raft_config.ts';
import { RawNode } from '../raw_node.ts';
import { ProgressState } from '../progress.ts';

interface ScenarioNode {
  id: bigint;
  rn: RawNode;
  storage: MemoryStorage;
  cfg: RaftConfig;
  /** Applied normal-entry payloads, for the state machine ("data" strings). */
  applied: string[];
  /** Index of the last entry reflected in `applied` (ahead of raftLog.applied until advance). */
  appliedIndex: bigint;
  confState: ConfState;
  crashed: boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One parsed command line. */
export interface ScenarioCommand {
  name: string;
  args: string[];
  kv: Map<string, string>;
}

/** Splits "cmd a b k=v" into name, positional args and key/values. */
export function parseCommand(line: string): ScenarioCommand {
  const toks = line.trim().split(/\s+/);
  const name = toks.shift()!;
  const args: string[] = [];
  const kv = new Map<string, string>();
  for (const t of toks) {
    const eq = t.indexOf('=');
    if (eq > 0) kv.set(t.slice(0, eq), t.slice(eq + 1));
    else args.push(t);
  }
  return { name, args, kv };
}

function stateName(s: StateRole): string {
  return `State${StateRole[s]}`;
}

/** A deterministic set of Raft nodes driven by script commands. */
export class ScenarioEnv {
  nodes = new Map<bigint, ScenarioNode>();
  /** Messages waiting for delivery, per recipient, in send order. */
  mailbox = new Map<bigint, Message[]>();
  /** Pairs "from:to" whose messages are dropped. */
  private blocked = new Set<string>();
  private random = new SeededRandom(1);

  run(cmd: ScenarioCommand): string {
    const out: string[] = [];
    const id = (i = 0): bigint => BigInt(cmd.args[i]!);
    const ids = (): bigint[] => (cmd.args.length > 0 ? cmd.args.map((a) => BigInt(a)) : [...this.nodes.keys()]);
    switch (cmd.name) {
      case 'add-nodes':
        this.addNodes(cmd, out);
        break;
      case 'campaign':
        this.node(id()).rn.campaign();
        break;
      case 'propose': {
        const err = this.node(id()).rn.propose(enc.encode(cmd.args[1] ?? ''));
        if (err) out.push(`error: ${err}`);
        break;
      }
      case 'propose-conf-change':
        this.proposeConfChange(cmd, out);
        break;
      case 'process-ready':
        for (const n of ids()) this.processReady(n, out);
        break;
      case 'deliver-msgs':
        for (const n of ids()) this.deliver(n, cmd.kv.get('drop') === 'true', out);
        break;
      case 'stabilize':
        this.stabilize(ids(), out);
        break;
      case 'tick-election':
        for (const n of ids()) for (let i = 0; i < this.node(n).cfg.electionTick * 2; i++) this.node(n).rn.tick();
        break;
      case 'tick-heartbeat':
        for (const n of ids()) for (let i = 0; i < this.node(n).cfg.heartbeatTick; i++) this.node(n).rn.tick();
        break;
      case 'tick':
        for (let i = 0; i < Number(cmd.args[1]); i++) this.node(id()).rn.tick();
        break;
      case 'transfer-leadership':
        this.node(BigInt(cmd.kv.get('from')!)).rn.transferLeader(BigInt(cmd.kv.get('to')!));
        break;
      case 'read-index': {
        const err = this.node(id()).rn.readIndex(enc.encode(cmd.args[1] ?? ''));
        if (err) out.push(`error: ${err}`);
        break;
      }
      case 'lease':
        out.push(`lease valid: ${this.node(id()).rn.leaseValid()}`);
        break;
      case 'compact': {
        const n = this.node(id());
        // Snapshot at the applied index; data = the applied payloads (the scenario state machine).
        const idx = n.rn.raft.raftLog.applied;
        n.storage.createSnapshot(idx, n.confState, enc.encode(n.applied.join(',')));
        n.storage.compact(idx);
        out.push(this.raftLog(n));
        break;
      }
      case 'partition': {
        const groups = cmd.args[0]!.split('/').map((g) => g.split(',').map((x) => BigInt(x)));
        this.blocked.clear();
        for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) this.blocked.add(`${x}:${y}`);
        break;
      }
      case 'isolate':
        for (const other of this.nodes.keys()) {
          if (other === id()) continue;
          this.blocked.add(`${id()}:${other}`);
          this.blocked.add(`${other}:${id()}`);
        }
        break;
      case 'cut':
        // Cut the link between two nodes (both directions); other links stay up.
        this.blocked.add(`${id()}:${id(1)}`);
        this.blocked.add(`${id(1)}:${id()}`);
        break;
      case 'heal':
        this.blocked.clear();
        break;
      case 'crash': {
        const n = this.node(id());
        n.crashed = true;
        this.mailbox.set(n.id, []);
        break;
      }
      case 'restart': {
        const n = this.node(id());
        n.cfg = { ...n.cfg, applied: 0n };
        n.rn = new RawNode(n.cfg, n.storage);
        // The state machine restarts from the stored snapshot; later entries are replayed.
        const snap = n.storage.currentSnapshot();
        n.applied = dec.decode(snap.data).split(',').filter((x) => x.length > 0);
        n.appliedIndex = snapshotMetadata(snap).index;
        n.crashed = false;
        break;
      }
      case 'report-unreachable':
        this.node(id()).rn.reportUnreachable(id(1));
        break;
      case 'raft-log':
        out.push(this.raftLog(this.node(id())));
        break;
      case 'raft-state':
        for (const n of this.nodes.values()) {
          const st = n.rn.status();
          out.push(`${n.id}: ${stateName(st.raftState)} (${n.rn.raft.isLearner ? 'Learner' : 'Voter'}) Term:${st.term} Lead:${st.lead}${n.crashed ? ' (crashed)' : ''}`);
        }
        break;
      case 'status': {
        const st = this.node(id()).rn.status();
        for (const [pid, p] of [...st.progress].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
          out.push(`${pid}: ${ProgressState[p.state]} match=${p.match} next=${p.next}${p.isLearner ? ' learner' : ''}`);
        }
        break;
      }
      default:
        throw new Error(`unknown scenario command ${cmd.name}`);
    }
    return out.join('\n');
  }

  private node(id: bigint): ScenarioNode {
    const n = this.nodes.get(id);
    assert(n !== undefined, `no node ${id}`);
    return n;
  }

  private addNodes(cmd: ScenarioCommand, out: string[]): void {
    const count = Number(cmd.args[0]);
    const list = (k: string): bigint[] => (cmd.kv.get(k) ? cmd.kv.get(k)!.split(',').map((x) => BigInt(x)) : []);
    const voters = list('voters');
    const learners = list('learners');
    const bool = (k: string, d: boolean): boolean => (cmd.kv.has(k) ? cmd.kv.get(k) === 'true' : d);
    const num = (k: string, d: number): number => (cmd.kv.has(k) ? Number(cmd.kv.get(k)) : d);
    for (let i = 0; i < count; i++) {
      const id = BigInt(this.nodes.size + 1);
      const cs = newConfState({ voters, learners });
      const storage = voters.length > 0 ? MemoryStorage.bootstrap(cs) : new MemoryStorage();
      const cfg: RaftConfig = {
        ...RAFT_CONFIG_DEFAULTS,
        id,
        random: this.random,
        electionTick: num('election', 10),
        heartbeatTick: num('heartbeat', 1),
        preVote: bool('prevote', false),
        checkQuorum: bool('checkquorum', false),
        readOnlyOption: cmd.kv.get('read-only') === 'lease-based' ? 'lease-based' : 'safe',
        maxInflightMsgs: num('max-inflight', 256),
        maxSizePerMsgBytes: num('max-msg-size', 1 << 20),
        maxUncommittedEntriesSizeBytes: num('max-uncommitted', 1 << 30),
        maxEntrySizeBytes: num('max-entry-size', 8 << 20),
      };
      const rn = new RawNode(cfg, storage);
      const node: ScenarioNode = { id, rn, storage, cfg, applied: [], appliedIndex: storage.firstIndex() - 1n, confState: voters.length > 0 ? cs : newConfState(), crashed: false };
      storage.snapshotSource = () => ({ index: node.appliedIndex, confState: node.confState, data: enc.encode(node.applied.join(',')) });
      this.nodes.set(id, node);
      this.mailbox.set(id, []);
      out.push(`INFO ${id} created: ${describeConfState(storage.initialState().confState)}`);
    }
  }

  private proposeConfChange(cmd: ScenarioCommand, out: string[]): void {
    const n = this.node(BigInt(cmd.args[0]!));
    const v1 = cmd.args.includes('v1');
    const changes: ConfChangeSingle[] = [];
    for (const a of cmd.args.slice(1)) {
      if (a === 'v1') continue;
      const kind = a[0];
      const nodeId = BigInt(a.slice(1));
      const changeType = kind === 'v' ? ConfChangeType.AddNode : kind === 'r' ? ConfChangeType.RemoveNode : ConfChangeType.AddLearnerNode;
      changes.push({ changeType, nodeId });
    }
    const t = cmd.kv.get('transition');
    const transition = t === 'explicit' ? ConfChangeTransition.Explicit : t === 'implicit' ? ConfChangeTransition.Implicit : ConfChangeTransition.Auto;
    const err = v1
      ? n.rn.proposeConfChange({ changeType: changes[0]!.changeType, nodeId: changes[0]!.nodeId, context: new Uint8Array(0), id: 0n })
      : n.rn.proposeConfChange({ transition, changes, context: new Uint8Array(0) });
    if (err) out.push(`error: ${err}`);
  }

  /** Handles one Ready for node `id` the way a real store would; returns whether it had one. */
  processReady(id: bigint, out: string[]): boolean {
    const n = this.node(id);
    if (n.crashed || !n.rn.hasReady()) return false;
    const rd = n.rn.ready();
    out.push(`> ${id} handling Ready`);
    if (rd.softState) out.push(`  Lead:${rd.softState.lead} ${stateName(rd.softState.raftState)}`);
    if (rd.hardState) out.push(`  ${describeHardState(rd.hardState)}`);
    if (rd.entries.length > 0) {
      out.push('  Entries:');
      for (const e of rd.entries) out.push(`  ${describeEntry(e)}`);
    }
    if (rd.snapshot && !isEmptySnapshot(rd.snapshot)) {
      const m = snapshotMetadata(rd.snapshot);
      out.push(`  Snapshot Index:${m.index} Term:${m.term} ${describeConfState(m.confState)}`);
    }
    if (rd.committedEntries.length > 0) {
      out.push('  CommittedEntries:');
      for (const e of rd.committedEntries) out.push(`  ${describeEntry(e)}`);
    }
    if (rd.messages.length > 0) {
      out.push('  Messages:');
      for (const m of rd.messages) out.push(`  ${describeMessage(m)}`);
    }
    for (const rs of rd.readStates) out.push(`  ReadState Index:${rs.index} Ctx:${dec.decode(rs.requestCtx)}`);
    // 1. persist
    if (rd.snapshot && !isEmptySnapshot(rd.snapshot)) {
      n.storage.applySnapshot(rd.snapshot);
      const m = snapshotMetadata(rd.snapshot);
      n.confState = m.confState;
      n.applied = dec.decode(rd.snapshot.data).split(',').filter((x) => x.length > 0);
      n.appliedIndex = m.index;
    }
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    // 2. send
    for (const m of rd.messages) {
      if (this.blocked.has(`${m.from}:${m.to}`)) continue;
      const box = this.mailbox.get(m.to);
      if (box) box.push(m);
    }
    // 3. apply
    for (const e of rd.committedEntries) {
      n.appliedIndex = e.index;
      if (e.entryType === EntryType.EntryNormal) {
        if (e.data.length > 0) n.applied.push(dec.decode(e.data));
        continue;
      }
      const cc = e.entryType === EntryType.EntryConfChange ? decodeConfChange(e.data) : decodeConfChangeV2(e.data);
      // Not written to storage: the durable conf state travels with snapshots, and a restart
      // replays conf changes after the snapshot.
      n.confState = n.rn.applyConfChange(cc);
      out.push(`  INFO ${id} applied conf change at ${e.index}: ${describeConfState(n.confState)}`);
    }
    n.rn.advance(rd);
    return true;
  }

  private deliver(id: bigint, drop: boolean, out: string[]): boolean {
    const n = this.node(id);
    const box = this.mailbox.get(id) ?? [];
    if (box.length === 0) return false;
    this.mailbox.set(id, []);
    for (const m of box) {
      if (drop) {
        if (m.msgType === MessageType.MsgSnapshot) this.nodes.get(m.from)?.rn.reportSnapshot(id, true);
        out.push(`dropped: ${describeMessage(m)}`);
        continue;
      }
      out.push(`${describeMessage(m)}`);
      if (m.msgType === MessageType.MsgSnapshot) this.nodes.get(m.from)?.rn.reportSnapshot(id, n.crashed);
      if (n.crashed) continue;
      const err = n.rn.step(m);
      if (err) out.push(`  error: ${err}`);
    }
    return true;
  }

  private stabilize(ids: bigint[], out: string[]): void {
    for (let round = 0; round < 1000; round++) {
      let progressed = false;
      for (const id of ids) progressed = this.processReady(id, out) || progressed;
      for (const id of ids) {
        if ((this.mailbox.get(id) ?? []).length > 0) {
          out.push(`> ${id} receiving messages`);
          const sub: string[] = [];
          progressed = this.deliver(id, false, sub) || progressed;
          for (const s of sub) out.push(`  ${s}`);
        }
      }
      if (!progressed) return;
    }
    throw new Error('stabilize did not converge');
  }

  private raftLog(n: ScenarioNode): string {
    const first = n.storage.firstIndex();
    const last = n.storage.lastIndex();
    const ents = n.storage.entries(first, last + 1n, Number.MAX_SAFE_INTEGER);
    const lines: string[] = [];
    if (first > 1n) lines.push(`(log compacted up to ${first - 1n})`);
    if (typeof ents !== 'string') for (const e of ents) lines.push(describeEntry(e));
    if (lines.length === 0) lines.push('log is empty');
    lines.push(`applied: [${n.applied.join(' ')}]`);
    return lines.join('\n');
  }
}
