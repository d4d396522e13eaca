// Proves MVCC visibility against a dumb in-memory model on random, seeded interleavings of
// prewrite (2PC and async commit), commit, rollback, point reads and scans at current and
// older timestamps: every read sees exactly what the model says, locks included.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Op } from './kvrpc_types.ts';
import { CTX, b, newStorage, ok, s } from './testing/harness.ts';

const KEYS = ['a', 'b', 'c', 'd'];

type Step =
  | { kind: 'begin'; keys: string[]; del: boolean; async: boolean; long: boolean }
  | { kind: 'commit'; which: number }
  | { kind: 'rollback'; which: number }
  | { kind: 'read'; lag: number; scan: boolean };

interface ModelTxn {
  startTs: bigint;
  keys: string[];
  values: Map<string, string | null>;
  minCommitTs: bigint;
}

/** The obviously-correct model: committed versions per key and the open locks. */
class Model {
  versions = new Map<string, { commitTs: bigint; value: string | null }[]>();
  locks = new Map<string, ModelTxn>();
  rolledBack = new Set<bigint>();
  maxReadTs = 0n;

  canPrewrite(txn: ModelTxn): 'ok' | 'locked' | 'conflict' {
    for (const k of txn.keys) if (this.locks.has(k)) return 'locked';
    for (const k of txn.keys) {
      const vs = this.versions.get(k) ?? [];
      if (vs.some((v) => v.commitTs >= txn.startTs)) return 'conflict';
    }
    return 'ok';
  }

  read(key: string, ts: bigint): { locked: bigint } | { value: string | undefined } {
    const l = this.locks.get(key);
    if (l !== undefined && l.startTs < ts && l.minCommitTs <= ts) return { locked: l.startTs };
    const vs = (this.versions.get(key) ?? []).filter((v) => v.commitTs <= ts);
    vs.sort((x, y) => (x.commitTs < y.commitTs ? 1 : -1));
    const v = vs[0];
    return { value: v === undefined || v.value === null ? undefined : v.value };
  }
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('begin' as const),
    keys: fc.subarray(KEYS, { minLength: 1 }),
    del: fc.boolean(),
    async: fc.boolean(),
    long: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('commit' as const), which: fc.nat(5) }),
  fc.record({ kind: fc.constant('rollback' as const), which: fc.nat(5) }),
  fc.record({ kind: fc.constant('read' as const), lag: fc.nat(6), scan: fc.boolean() }),
);

describe('MVCC visibility vs model', () => {
  it('random interleavings agree', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), async (steps) => {
        const { storage } = newStorage();
        const model = new Model();
        let tso = 100n;
        const open: ModelTxn[] = [];
        for (const step of steps) {
          tso += 1n;
          if (step.kind === 'begin') {
            const startTs = tso;
            const values = new Map<string, string | null>();
            for (const k of step.keys) values.set(k, step.del ? null : (step.long ? 'L'.repeat(300) : `${k}@${startTs}`));
            const minCommitTs = step.async ? (model.maxReadTs > startTs ? model.maxReadTs : startTs) + 1n : 0n;
            const txn: ModelTxn = { startTs, keys: step.keys, values, minCommitTs };
            const expected = model.canPrewrite(txn);
            const r = ok(
              await storage.prewrite(CTX, {
                mutations: step.keys.map((k) =>
                  values.get(k) === null ? { op: Op.Del, key: b(k) } : { op: Op.Put, key: b(k), value: b(values.get(k)!) },
                ),
                primaryLock: b(step.keys[0]!),
                startVersion: startTs,
                lockTtl: 3000n,
                ...(step.async ? { useAsyncCommit: true, secondaries: step.keys.slice(1).map(b), maxCommitTs: startTs + 1000n } : {}),
              }),
            );
            if (expected === 'ok') {
              expect(r.errors).toEqual([]);
              if (step.async) expect(r.minCommitTs).toBe(minCommitTs);
              for (const k of step.keys) model.locks.set(k, txn);
              open.push(txn);
            } else if (expected === 'locked') {
              expect(r.errors.length).toBeGreaterThan(0);
              expect(r.errors.every((e) => e.locked !== undefined)).toBe(true);
            } else {
              expect(r.errors[0]?.conflict).toBeDefined();
            }
          } else if (step.kind === 'commit' || step.kind === 'rollback') {
            if (open.length === 0) continue;
            const txn = open.splice(step.which % open.length, 1)[0]!;
            if (step.kind === 'commit') {
              const commitTs = tso;
              expect(commitTs >= txn.minCommitTs).toBe(true);
              const c = ok(await storage.commit(CTX, { startVersion: txn.startTs, keys: txn.keys.map(b), commitVersion: commitTs }));
              expect(c.error).toBeUndefined();
              for (const k of txn.keys) {
                const vs = model.versions.get(k) ?? [];
                vs.push({ commitTs, value: txn.values.get(k)! });
                model.versions.set(k, vs);
                model.locks.delete(k);
              }
            } else {
              const r = ok(await storage.batchRollback(CTX, { startVersion: txn.startTs, keys: txn.keys.map(b) }));
              expect(r.error).toBeUndefined();
              for (const k of txn.keys) model.locks.delete(k);
              model.rolledBack.add(txn.startTs);
            }
          } else {
            const ts = tso - BigInt(step.lag);
            if (ts > model.maxReadTs) model.maxReadTs = ts;
            if (step.scan) {
              const sc = ok(await storage.kvScan(CTX, { startKey: b(''), limit: 100, version: ts }));
              const got = sc.pairs.map((p) => (p.error ? `${s(p.key)}!${p.error.locked?.lockVersion}` : `${s(p.key)}=${s(p.value)}`));
              const want: string[] = [];
              for (const k of KEYS) {
                const m = model.read(k, ts);
                if ('locked' in m) want.push(`${k}!${m.locked}`);
                else if (m.value !== undefined) want.push(`${k}=${m.value}`);
              }
              expect(got).toEqual(want);
              const rev = ok(await storage.kvScan(CTX, { startKey: b(''), limit: 100, version: ts, reverse: true }));
              expect(rev.pairs.map((p) => (p.error ? `${s(p.key)}!${p.error.locked?.lockVersion}` : `${s(p.key)}=${s(p.value)}`))).toEqual(want.slice().reverse());
            } else {
              for (const k of KEYS) {
                const g = ok(await storage.kvGet(CTX, { key: b(k), version: ts }));
                const m = model.read(k, ts);
                if ('locked' in m) expect(g.error?.locked?.lockVersion).toBe(m.locked);
                else {
                  expect(g.error).toBeUndefined();
                  expect(g.notFound ? undefined : s(g.value)).toBe(m.value);
                }
              }
            }
          }
        }
      }),
      { numRuns: Number(process.env['MVCC_MODEL_RUNS'] ?? 150), seed: Number(process.env['MVCC_MODEL_SEED'] ?? 7_2026) },
    );
  });
});
