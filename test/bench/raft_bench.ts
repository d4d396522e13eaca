/**
 * Raft core benchmark: a 3-node group in one process with a zero-cost network (messages are
 * handed over synchronously), so the figures are the core's own CPU cost.
 * Rows: steady-state commits/s and p99 commit latency with pipelined proposals, per-proposal
 * CPU cost, a lagging follower catching up by snapshot after compaction, and the baseline of
 * just appending the same entries to MemoryStorage (the floor for the same bookkeeping).
 * Run: npx tsx test/bench/raft_bench.ts   (export `run()` for a bench runner)
 */
import Table from 'cli-table3';
import { pathToFileURL } from 'node:url';
import { SeededRandom } from '../../src/util/mod.ts';
import {
  EntryType,
  MemoryStorage,
  RAFT_CONFIG_DEFAULTS,
  RawNode,
  StateRole,
  isEmptySnapshot,
  newConfState,
  newEntry,
  snapshotMetadata,
  type Message,
} from '../../src/raft/mod.ts';

import type { BenchRow } from './lib/mod.ts';

/** One result row. */
export interface RaftBenchRow {
  scenario: string;
  proposals: number;
  commitsPerSec: number;
  p50LatencyUs: number;
  p99LatencyUs: number;
  cpuUsPerProposal: number;
  note: string;
}

interface BenchNode {
  id: bigint;
  rn: RawNode;
  storage: MemoryStorage;
  applied: bigint;
  inbox: Message[];
  connected: boolean;
}

const PAYLOAD_BYTES = 128;

function makeGroup(): BenchNode[] {
  const voters = [1n, 2n, 3n];
  const random = new SeededRandom(7);
  return voters.map((id) => {
    const storage = MemoryStorage.bootstrap(newConfState({ voters }));
    const rn = new RawNode({ ...RAFT_CONFIG_DEFAULTS, id, random, maxInflightMsgs: 256, maxSizePerMsgBytes: 1 << 20 }, storage);
    const node: BenchNode = { id, rn, storage, applied: 0n, inbox: [], connected: true };
    storage.snapshotSource = () => ({ index: node.applied, confState: newConfState({ voters }), data: new Uint8Array(8) });
    return node;
  });
}

/** Processes every Ready and delivers every message until the group is quiet. */
function pump(nodes: BenchNode[], onApplied: (index: bigint) => void): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (let round = 0; round < 10_000; round++) {
    let busy = false;
    for (const n of nodes) {
      while (n.rn.hasReady()) {
        busy = true;
        const rd = n.rn.ready();
        if (rd.snapshot && !isEmptySnapshot(rd.snapshot)) {
          n.storage.applySnapshot(rd.snapshot);
          n.applied = snapshotMetadata(rd.snapshot).index;
        }
        n.storage.append(rd.entries);
        if (rd.hardState) n.storage.setHardState(rd.hardState);
        for (const m of rd.messages) {
          const to = byId.get(m.to);
          if (!to || !to.connected || !n.connected) continue;
          if (m.msgType === 7 /* MsgSnapshot */) n.rn.reportSnapshot(m.to, false);
          to.inbox.push(m);
        }
        for (const e of rd.committedEntries) {
          n.applied = e.index;
          if (n.rn.raft.state === StateRole.Leader && e.entryType === EntryType.EntryNormal) onApplied(e.index);
        }
        n.rn.advance(rd);
      }
    }
    for (const n of nodes) {
      if (n.inbox.length === 0) continue;
      busy = true;
      const msgs = n.inbox;
      n.inbox = [];
      for (const m of msgs) n.rn.step(m);
    }
    if (!busy) return;
  }
  throw new Error('group did not quiesce');
}

function elect(nodes: BenchNode[]): BenchNode {
  nodes[0]!.rn.campaign();
  pump(nodes, () => {});
  const leader = nodes.find((n) => n.rn.raft.state === StateRole.Leader);
  if (!leader) throw new Error('no leader');
  return leader;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Steady-state replication: `batch` proposals per round, until `total` are committed. */
function benchSteady(total: number, batch: number): RaftBenchRow {
  const nodes = makeGroup();
  const leader = elect(nodes);
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(7);
  const proposedAt = new Map<bigint, number>();
  const latencies: number[] = [];
  const onApplied = (index: bigint): void => {
    const t = proposedAt.get(index);
    if (t !== undefined) {
      latencies.push((performance.now() - t) * 1000);
      proposedAt.delete(index);
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let proposed = 0;
  while (proposed < total) {
    for (let i = 0; i < batch && proposed < total; i++, proposed++) {
      const err = leader.rn.propose(payload);
      if (err) throw new Error(`proposal refused: ${err}`);
      proposedAt.set(leader.rn.raft.raftLog.lastIndex(), performance.now());
    }
    pump(nodes, onApplied);
    compactAll(nodes, 4096);
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return {
    scenario: `3 nodes, batch ${batch}`,
    proposals: total,
    commitsPerSec: Math.round(latencies.length / secs),
    p50LatencyUs: Math.round(percentile(latencies, 0.5)),
    p99LatencyUs: Math.round(percentile(latencies, 0.99)),
    cpuUsPerProposal: Number(((cpu.user + cpu.system) / total).toFixed(2)),
    note: `${PAYLOAD_BYTES} B entries, zero-cost network`,
  };
}

function compactAll(nodes: BenchNode[], keep: number): void {
  for (const n of nodes) {
    if (n.applied - n.storage.firstIndex() > BigInt(keep * 2)) {
      const at = n.applied - BigInt(keep);
      n.storage.createSnapshot(at, newConfState({ voters: [1n, 2n, 3n] }), new Uint8Array(8));
      n.storage.compact(at);
    }
  }
}

/** One follower is cut off while the others commit and compact; then it catches up by snapshot. */
function benchLagging(total: number, batch: number): RaftBenchRow {
  const nodes = makeGroup();
  const leader = elect(nodes);
  const lagging = nodes.find((n) => n !== leader)!;
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(9);
  lagging.connected = false;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let committed = 0;
  for (let proposed = 0; proposed < total; ) {
    for (let i = 0; i < batch && proposed < total; i++, proposed++) leader.rn.propose(payload);
    pump(nodes, () => committed++);
    compactAll(nodes.filter((n) => n !== lagging), 1024);
  }
  const tCatch = performance.now();
  lagging.connected = true;
  // Heartbeats reveal the gap; the leader's log is compacted past it, so it sends a snapshot.
  for (let i = 0; i < 4 && lagging.applied < leader.applied; i++) {
    for (let t = 0; t < RAFT_CONFIG_DEFAULTS.heartbeatTick; t++) leader.rn.tick();
    pump(nodes, () => committed++);
  }
  const catchUpMs = performance.now() - tCatch;
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const caughtUp = lagging.applied === leader.applied;
  return {
    scenario: '3 nodes, 1 lagging + snapshot',
    proposals: total,
    commitsPerSec: Math.round(committed / secs),
    p50LatencyUs: 0,
    p99LatencyUs: 0,
    cpuUsPerProposal: Number(((cpu.user + cpu.system) / total).toFixed(2)),
    note: `catch-up ${caughtUp ? 'done' : 'NOT done'} in ${catchUpMs.toFixed(2)} ms (snapshot at ${snapshotMetadata(lagging.storage.currentSnapshot()).index})`,
  };
}

/** Floor: appending the same entries to MemoryStorage with no protocol at all. */
function benchStorageFloor(total: number): RaftBenchRow {
  const s = new MemoryStorage();
  const payload = new Uint8Array(PAYLOAD_BYTES);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 1; i <= total; i++) s.append([newEntry({ index: BigInt(i), term: 1n, data: payload })]);
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    scenario: 'floor: MemoryStorage.append only',
    proposals: total,
    commitsPerSec: Math.round(total / secs),
    p50LatencyUs: 0,
    p99LatencyUs: 0,
    cpuUsPerProposal: Number(((cpu.user + cpu.system) / total).toFixed(2)),
    note: '1 copy, no replication',
  };
}

/** Runs every scenario and returns its rows. */
/** The raw scenario rows (also printed by this file when run directly). */
export function runScenarios(): RaftBenchRow[] {
  benchSteady(2_000, 64); // warm-up (JIT)
  return [benchSteady(20_000, 1), benchSteady(50_000, 64), benchSteady(50_000, 256), benchLagging(30_000, 64), benchStorageFloor(20_000)];
}

export const title = 'Raft core: 3-node group in the simulator, zero-cost network (the core\'s own cost)';

/** For `npm run bench`: the scenarios as BenchRows, each compared with the storage-append floor. */
export async function run(): Promise<BenchRow[]> {
  const rows = runScenarios();
  const floor = rows[rows.length - 1]!;
  return rows.map((r) => ({
    name: r.scenario,
    opsPerSec: r.commitsPerSec,
    p50Us: r.p50LatencyUs || undefined,
    p99Us: r.p99LatencyUs || undefined,
    unit: 'commits',
    baseline: r === floor ? undefined : floor.scenario,
    note: `${r.cpuUsPerProposal.toFixed(1)} µs CPU/proposal; ${r.note}`,
  }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = runScenarios();
  const table = new Table({ head: ['scenario', 'proposals', 'commits/s', 'p50 µs', 'p99 µs', 'CPU µs/proposal', 'note'] });
  for (const r of rows) table.push([r.scenario, r.proposals, r.commitsPerSec, r.p50LatencyUs, r.p99LatencyUs, r.cpuUsPerProposal, r.note]);
  console.log(table.toString());
}
