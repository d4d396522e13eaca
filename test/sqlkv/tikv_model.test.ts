// Proves TikvKvClient matches a map model under random interleavings of 3 transactions (seeded), with TiKV's rule that an aborted transaction's rollback records may make an older transaction's prewrite conflict.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WriteConflictError, type TikvKvClient, type KvTxn } from '../../sql-demo/kv/mod.ts';
import { dec, enc, startFixture, type ClusterFixture } from './cluster_fixture.ts';

let fx: ClusterFixture;
let client: TikvKvClient;
let round = 0;

beforeAll(async () => {
  fx = await startFixture();
  client = await fx.connect();
  // Boundaries inside the first prefixes' key spaces so commits span regions there.
  const splits: Uint8Array[] = [];
  for (let r = 0; r < 20; r++) splits.push(enc(`md${String(r).padStart(3, '0')}/k2`));
  await client.splitRegions(splits);
});
afterAll(async () => {
  await fx?.stop();
});

it('matches the model (first committer wins; aborted txns may cause retryable conflicts for older txns)', async () => {
  const keys = ['k0', 'k1', 'k2', 'k3'];
  const op = fc.record({ txn: fc.integer({ min: 0, max: 2 }), key: fc.constantFrom(...keys), del: fc.boolean(), v: fc.integer({ min: 0, max: 99 }) });
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 12 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 3, maxLength: 3 }), async (ops, order) => {
      const prefix = `md${String(round++).padStart(3, '0')}/`;
      const model = new Map<string, string>();
      const committedAt = new Map<string, number>();
      const abortedAt = new Map<string, number>(); // newest start of an aborted txn that wrote the key
      let clock = 0;
      const txns: Array<{ t: KvTxn; start: number; writes: Map<string, string | undefined> }> = [];
      for (let i = 0; i < 3; i++) txns.push({ t: await client.begin(), start: ++clock, writes: new Map() });
      for (const o of ops) {
        const tx = txns[o.txn]!;
        if (o.del) { tx.t.delete(enc(prefix + o.key)); tx.writes.set(o.key, undefined); } else { tx.t.set(enc(prefix + o.key), enc(String(o.v))); tx.writes.set(o.key, String(o.v)); }
      }
      const seen = new Set<number>();
      for (const i of [...order, 0, 1, 2]) {
        if (seen.has(i)) continue;
        seen.add(i);
        const tx = txns[i]!;
        const written = [...tx.writes.keys()];
        const mustConflict = written.some((k) => (committedAt.get(k) ?? 0) > tx.start);
        const mayConflict = written.some((k) => (abortedAt.get(k) ?? 0) > tx.start);
        let ok: boolean;
        try {
          await tx.t.commit();
          ok = true;
        } catch (e) {
          expect(e).toBeInstanceOf(WriteConflictError);
          ok = false;
        }
        if (mustConflict) expect(ok).toBe(false);
        else if (!mayConflict) expect(ok).toBe(true);
        if (ok) {
          const ts = ++clock;
          for (const [k, v] of tx.writes) { committedAt.set(k, ts); if (v === undefined) model.delete(k); else model.set(k, v); }
        } else {
          for (const k of written) abortedAt.set(k, Math.max(abortedAt.get(k) ?? 0, tx.start));
        }
      }
      const got: Record<string, string> = {};
      for await (const kv of (await client.snapshot()).scan(enc(prefix), enc(`${prefix}\xff`))) got[dec(kv.key)!.slice(prefix.length)] = dec(kv.value)!;
      expect(got).toEqual(Object.fromEntries([...model].sort()));
    }),
    { numRuns: 30, seed: Number(process.env.SEED ?? 4242) },
  );
});
