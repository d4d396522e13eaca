// Proves the TypeScript Wing–Gong checker agrees with brute force on small random histories and flags 100% of the known-bad corpus.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutateHistory, type BadHistory } from './bad_histories.ts';
import type { KvInput, KvOperation, KvOutput } from './history.ts';
import { checkLinearizable, stepRegister } from './linearizability.ts';
import { runSeed } from './simulator.ts';

const corpusPath = join(import.meta.dirname, '..', 'testdata', 'bad_histories.json');

/** The dumb model: try every order consistent with real time. */
function bruteForce(ops: KvOperation[]): boolean {
  const byKey = new Map<string, KvOperation[]>();
  for (const o of ops) byKey.set(o.input.key, [...(byKey.get(o.input.key) ?? []), o]);
  for (const part of byKey.values()) {
    const n = part.length;
    const used = new Array<boolean>(n).fill(false);
    const ret = (o: KvOperation): number => o.return ?? Number.POSITIVE_INFINITY;
    const search = (state: string | null, placed: number): boolean => {
      if (placed === n) return true;
      for (let i = 0; i < n; i++) {
        if (used[i]) continue;
        // i may go next only if no unplaced op returned strictly before i was called.
        let ok = true;
        for (let j = 0; j < n; j++) if (!used[j] && j !== i && ret(part[j]!) < part[i]!.call) ok = false;
        if (!ok) continue;
        const [legal, next] = stepRegister(state, part[i]!.input, part[i]!.output);
        if (!legal) continue;
        used[i] = true;
        if (search(next, placed + 1)) return true;
        used[i] = false;
      }
      return false;
    };
    if (!search(null, 0)) return false;
  }
  return true;
}

const arbOp: fc.Arbitrary<KvOperation> = fc
  .record({
    clientId: fc.integer({ min: 0, max: 3 }),
    kind: fc.constantFrom('put', 'get', 'cas'),
    key: fc.constantFrom('a', 'b'),
    v: fc.integer({ min: 0, max: 2 }),
    e: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
    ok: fc.boolean(),
    unknown: fc.boolean(),
    call: fc.integer({ min: 0, max: 20 }),
    len: fc.integer({ min: 0, max: 8 }),
  })
  .map((r) => {
    const input: KvInput =
      r.kind === 'get' ? { op: 'get', key: r.key } : r.kind === 'put' ? { op: 'put', key: r.key, value: `v${r.v}` } : { op: 'cas', key: r.key, expected: r.e === null ? null : `v${r.e}`, value: `v${r.v}` };
    const unknown = r.unknown && r.kind !== 'get';
    const output: KvOutput = unknown ? { unknown: true } : r.kind === 'get' ? { value: r.ok ? `v${r.v}` : null } : { ok: r.kind === 'put' ? true : r.ok };
    return { clientId: r.clientId, input, output, call: r.call, return: unknown ? null : r.call + r.len };
  });

describe('linearizability checker', () => {
  it('agrees with brute force on small random histories', () => {
    fc.assert(
      fc.property(fc.array(arbOp, { minLength: 1, maxLength: 7 }), (ops) => {
        expect(checkLinearizable(ops) === 'ok').toBe(bruteForce(ops));
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('accepts hand-written legal histories and rejects a stale read', () => {
    const put = (v: string, call: number, ret: number): KvOperation => ({ clientId: 0, input: { op: 'put', key: 'k', value: v }, output: { ok: true }, call, return: ret });
    const get = (v: string | null, call: number, ret: number): KvOperation => ({ clientId: 1, input: { op: 'get', key: 'k' }, output: { value: v }, call, return: ret });
    expect(checkLinearizable([put('a', 0, 1), put('b', 2, 3), get('b', 4, 5)])).toBe('ok');
    expect(checkLinearizable([put('a', 0, 1), put('b', 2, 6), get('a', 4, 5)])).toBe('ok');
    expect(checkLinearizable([put('a', 0, 1), put('b', 2, 3), get('a', 4, 5)])).toBe('illegal');
  });

  it('flags every history of the known-bad corpus (REWRITE=1 regenerates it from simulator seeds)', () => {
    if (process.env['REWRITE'] === '1') {
      const corpus: BadHistory[] = [];
      for (let seed = 1; seed <= 6; seed++) {
        const r = runSeed(seed, { durationMs: 1500, healMs: 500 });
        corpus.push(...mutateHistory(`seed${seed}`, r.operations, 1));
      }
      // Real failures are kept across regenerations.
      const old = JSON.parse(readFileSync(corpusPath, 'utf8')) as BadHistory[];
      corpus.push(...old.filter((b) => b.mutation === 'real-bug'));
      writeFileSync(corpusPath, JSON.stringify(corpus, null, 0).replaceAll('},{"name"', '},\n{"name"') + '\n');
    }
    const corpus = JSON.parse(readFileSync(corpusPath, 'utf8')) as BadHistory[];
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    const kinds = new Set(corpus.map((b) => b.mutation));
    expect(kinds.size).toBeGreaterThanOrEqual(5);
    const missed = corpus.filter((b) => checkLinearizable(b.operations) !== 'illegal').map((b) => b.name);
    expect(missed).toEqual([]);
  });
});
