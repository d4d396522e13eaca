// Proves the leader lease is safe under random interleavings: whenever a node believes its lease is valid, no node leads a later term (ticks advance at one rate for all nodes; messages are delayed, dropped, partitioned; nodes restart fast; leadership is transferred). Mutations of the lease (always valid, no revocation on transfer) are caught.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { StateRole } from './raft.ts';
import { ScenarioEnv, parseCommand } from './scenario/scenario_env.ts';

type Cmd =
  | { kind: 'tick-all'; order: number[] }
  | { kind: 'round'; order: number[]; cut: number[]; drop: number }
  | { kind: 'isolate'; node: number }
  | { kind: 'heal' }
  | { kind: 'cut'; a: number; b: number }
  | { kind: 'transfer'; to: number }
  | { kind: 'propose'; node: number }
  | { kind: 'restart'; node: number };

const N = 3;
const node = fc.integer({ min: 1, max: N });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('tick-all' as const), order: fc.shuffledSubarray([1, 2, 3], { minLength: 3, maxLength: 3 }) }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('round' as const),
      order: fc.shuffledSubarray([1, 2, 3], { minLength: 3, maxLength: 3 }),
      // How many queued messages each node receives now (the rest are delayed, hence reordered
      // with later ones), and which one (if any) is lost.
      cut: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 3 }),
      drop: fc.integer({ min: -8, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('isolate' as const), node }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('heal' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), a: node, b: node }).filter((c) => c.a !== c.b) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), to: node }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('propose' as const), node }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), node }) },
);

function run(cmds: Cmd[], prevote: boolean): void {
  const env = new ScenarioEnv();
  env.run(parseCommand(`add-nodes ${N} voters=1,2,3 checkquorum=true prevote=${prevote} read-only=lease-based election=10 heartbeat=2`));
  const out: string[] = [];
  for (const c of cmds) {
    switch (c.kind) {
      case 'tick-all':
        for (const id of c.order) env.run(parseCommand(`tick ${id} 1`));
        break;
      case 'round':
        for (const id of c.order) env.processReady(BigInt(id), out);
        for (const id of c.order) {
          const box = env.mailbox.get(BigInt(id)) ?? [];
          const cut = Math.min(box.length, c.cut[id - 1]!);
          const now = box.slice(0, cut);
          if (c.drop >= 0 && c.drop < now.length) now.splice(c.drop, 1);
          const later = box.slice(cut);
          env.mailbox.set(BigInt(id), now);
          env.run(parseCommand(`deliver-msgs ${id}`));
          env.mailbox.set(BigInt(id), later.concat(env.mailbox.get(BigInt(id)) ?? []));
        }
        break;
      case 'isolate':
        env.run(parseCommand(`isolate ${c.node}`));
        break;
      case 'heal':
        env.run(parseCommand('heal'));
        break;
      case 'cut':
        env.run(parseCommand(`cut ${c.a} ${c.b}`));
        break;
      case 'transfer': {
        const leader = [...env.nodes.values()].find((n) => n.rn.raft.state === StateRole.Leader);
        if (leader) env.run(parseCommand(`transfer-leadership from=${leader.id} to=${c.to}`));
        break;
      }
      case 'propose':
        env.run(parseCommand(`propose ${c.node} x`));
        break;
      case 'restart':
        // Crash and come back at once with only durable state (a fast restart).
        env.run(parseCommand(`crash ${c.node}`));
        env.run(parseCommand(`restart ${c.node}`));
        break;
    }
    for (const holder of env.nodes.values()) {
      if (!holder.rn.leaseValid()) continue;
      for (const other of env.nodes.values()) {
        const r = other.rn.raft;
        if (r.state === StateRole.Leader && r.term > holder.rn.raft.term) {
          throw new Error(`node ${holder.id} holds a lease in term ${holder.rn.raft.term} while ${other.id} leads term ${r.term}`);
        }
      }
    }
  }
}

describe('leader lease', () => {
  for (const prevote of [false, true]) {
    it(`never overlaps a later leader (prevote=${prevote})`, () => {
      fc.assert(fc.property(fc.array(cmd, { minLength: 50, maxLength: 400 }), (cmds) => run(cmds, prevote)), { numRuns: Number(process.env['LEASE_RUNS'] ?? 150), seed: prevote ? 11 : 12 });
    });
  }
});
