// Proves GC keeps exactly the newest version visible at the safe point (and everything newer),
// drops older versions with their default-CF values, Delete/Lock/Rollback records below it, and
// that reads at or after the safe point see the same data before and after GC.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Op } from './kvrpc_types.ts';
import { CTX, b, newStorage, ok, s } from './testing/harness.ts';
import type { Storage } from './storage.ts';
import type { MemoryEngine } from '../engine/mod.ts';

async function count(engine: MemoryEngine, cf: 'write' | 'default'): Promise<number> {
  const it = engine.iterator(cf);
  let n = 0;
  while ((await it.next()) !== undefined) n++;
  await it.close();
  return n;
}

async function commitOp(st: Storage, key: string, op: Op, value: string, startTs: bigint, commitTs: bigint): Promise<void> {
  ok(await st.prewrite(CTX, { mutations: [{ op, key: b(key), value: b(value) }], primaryLock: b(key), startVersion: startTs }));
  ok(await st.commit(CTX, { startVersion: startTs, keys: [b(key)], commitVersion: commitTs }));
}

describe('gc', () => {
  it('keeps the newest visible version at the safe point', async () => {
    const { storage, engine } = newStorage();
    const long = (c: string): string => c.repeat(400);
    await commitOp(storage, 'a', Op.Put, long('1'), 10n, 11n);
    await commitOp(storage, 'a', Op.Put, long('2'), 20n, 21n);
    await commitOp(storage, 'a', Op.Lock, '', 25n, 26n);
    ok(await storage.batchRollback(CTX, { startVersion: 27n, keys: [b('a')] }));
    await commitOp(storage, 'a', Op.Put, long('3'), 40n, 41n);
    await commitOp(storage, 'b', Op.Put, 'x', 10n, 11n);
    await commitOp(storage, 'b', Op.Del, '', 20n, 21n);
    expect(await count(engine, 'write')).toBe(7);
    const r = ok(await storage.gc(CTX, { safePoint: 30n }));
    expect(r.error).toBeUndefined();
    // a: Put@41 (above), Put@21 (newest at 30) kept; Lock@26, Rollback@27, Put@11 dropped. b: all dropped.
    expect(await count(engine, 'write')).toBe(2);
    expect(await count(engine, 'default')).toBe(2);
    expect(s(ok(await storage.kvGet(CTX, { key: b('a'), version: 30n })).value)).toBe(long('2'));
    expect(s(ok(await storage.kvGet(CTX, { key: b('a'), version: 50n })).value)).toBe(long('3'));
    expect(ok(await storage.kvGet(CTX, { key: b('b'), version: 30n })).notFound).toBe(true);
  });

  it('random histories: reads at ts >= safe point are unchanged by GC (small batches)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), op: fc.constantFrom(Op.Put, Op.Del, Op.Lock), long: fc.boolean() }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 70 }),
        async (history, safeIdx) => {
          const { storage } = newStorage({ limits: { gcBatchKeys: 1, gcBatchModifiesMax: 2 } });
          let ts = 10n;
          for (const h of history) {
            await commitOp(storage, h.key, h.op, h.long ? 'L'.repeat(300) : `v${ts}`, ts, ts + 1n);
            ts += 2n;
          }
          const safePoint = 10n + BigInt(safeIdx);
          const probe = async (): Promise<string[]> => {
            const out: string[] = [];
            for (let t = safePoint; t <= ts; t += 1n) {
              const sc = ok(await storage.kvScan(CTX, { limit: 100, version: t }));
              out.push(sc.pairs.map((p) => `${s(p.key)}=${s(p.value).slice(0, 4)}`).join(','));
            }
            return out;
          };
          const before = await probe();
          ok(await storage.gc(CTX, { safePoint }));
          expect(await probe()).toEqual(before);
        },
      ),
      { numRuns: 40, seed: 20261123 },
    );
  });
});
