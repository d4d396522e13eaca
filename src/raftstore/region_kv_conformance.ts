import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RegionContext, RegionKv, Modify } from '../storage/mod.ts';
import { bytesCompare, bytesToHex } from '../util/mod.ts';

/** One RegionKv under test, laid out as regions split at `splitKeys` (engine key space). */
export interface RegionKvFixture {
  kv: RegionKv;
  /** A valid context per region, in key order (`splitKeys.length + 1` of them). */
  contexts: RegionContext[];
  close(): Promise<void>;
}

export interface RegionKvHarness {
  name: string;
  /** A fresh RegionKv whose regions are split at `splitKeys` (ascending, non-empty keys). */
  create(splitKeys: Uint8Array[]): Promise<RegionKvFixture>;
}

const te = new TextEncoder();
const k = (s: string): Uint8Array => te.encode(s);
const put = (key: Uint8Array, value: Uint8Array = k('v')): Modify => ({ type: 'put', cf: 'default', key, value });

/**
 * The RegionKv conformance suite: every implementation (the single-peer `Store` today, the
 * Raft one later) must pass it. It checks the context checks (store, region, epoch), key
 * range checks on writes, atomic and durable-before-ack writes, snapshot isolation, and
 * random writes against a Map model.
 */
export function describeRegionKvConformance(h: RegionKvHarness): void {
  describe(`RegionKv conformance: ${h.name}`, () => {
    it('answers StoreNotMatch, RegionNotFound and EpochNotMatch (version only)', async () => {
      const f = await h.create([]);
      const [ctx] = f.contexts;
      try {
        const store = await f.kv.snapshot({ ...ctx!, storeId: ctx!.storeId + 1000n });
        expect(!store.ok && store.regionError.storeNotMatch).toBeTruthy();
        const region = await f.kv.write({ ...ctx!, regionId: 987654321n }, [put(k('a'))]);
        expect(!region.ok && region.regionError.regionNotFound?.regionId).toBe(987654321n);
        const epoch = await f.kv.write({ ...ctx!, version: ctx!.version + 1n }, [put(k('a'))]);
        expect(!epoch.ok && epoch.regionError.epochNotMatch).toBeTruthy();
        const confVer = await f.kv.snapshot({ ...ctx!, confVer: ctx!.confVer + 7n });
        expect(confVer.ok).toBe(true);
        if (confVer.ok) confVer.value.release();
      } finally {
        await f.close();
      }
    });

    it('answers KeyNotInRegion for any key or range outside the addressed region, writing nothing', async () => {
      const f = await h.create([k('m')]);
      const [left, right] = f.contexts;
      try {
        const out = await f.kv.write(left!, [put(k('a')), put(k('q'))]);
        expect(!out.ok && out.regionError.keyNotInRegion?.key).toEqual(k('q'));
        const snap = await f.kv.snapshot(left!);
        expect(snap.ok && snap.value.getSync('default', k('a'))).toBeUndefined();
        if (snap.ok) snap.value.release();
        expect((await f.kv.write(right!, [put(k('m'))])).ok).toBe(true);
        const crossing = await f.kv.write(left!, [{ type: 'deleteRange', cf: 'default', start: k('a'), end: k('n') }]);
        expect(!crossing.ok && crossing.regionError.keyNotInRegion).toBeTruthy();
        const open = await f.kv.write(left!, [{ type: 'deleteRange', cf: 'default', start: k('a'), end: new Uint8Array() }]);
        expect(!open.ok && open.regionError.keyNotInRegion).toBeTruthy();
        expect((await f.kv.write(right!, [{ type: 'deleteRange', cf: 'default', start: k('m'), end: new Uint8Array() }])).ok).toBe(true);
      } finally {
        await f.close();
      }
    });

    it('makes an acknowledged write visible to later snapshots and invisible to earlier ones', async () => {
      const f = await h.create([]);
      const [ctx] = f.contexts;
      try {
        const before = await f.kv.snapshot(ctx!);
        expect((await f.kv.write(ctx!, [put(k('x'), k('1')), put(k('y'), k('2')), { type: 'delete', cf: 'default', key: k('z') }])).ok).toBe(true);
        const after = await f.kv.snapshot(ctx!);
        if (!before.ok || !after.ok) throw new Error('snapshot failed');
        expect(before.value.getSync('default', k('x'))).toBeUndefined();
        expect(Buffer.from(after.value.getSync('default', k('x'))!).toString()).toBe('1');
        expect(Buffer.from(after.value.getSync('default', k('y'))!).toString()).toBe('2');
        before.value.release();
        after.value.release();
      } finally {
        await f.close();
      }
    });

    it('matches a Map model under random concurrent writes across regions', async () => {
      const splitKeys = [k('g'), k('p')];
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.constantFrom('a', 'c', 'g', 'h', 'o', 'p', 'q', 'z'), fc.boolean(), fc.nat(99)), { maxLength: 60 }),
          async (ops) => {
            const f = await h.create(splitKeys);
            try {
              const model = new Map<string, string>();
              const regionOf = (key: Uint8Array): number => splitKeys.filter((s) => bytesCompare(key, s) >= 0).length;
              await Promise.all(
                ops.map(async ([key, isPut, v]) => {
                  const kb = k(key);
                  const m: Modify = isPut ? put(kb, k(String(v))) : { type: 'delete', cf: 'default', key: kb };
                  const r = await f.kv.write(f.contexts[regionOf(kb)]!, [m]);
                  expect(r.ok).toBe(true);
                }),
              );
              // Writes to one region apply in proposal order, so the model replays them in order.
              for (const [key, isPut, v] of ops) {
                if (isPut) model.set(key, String(v));
                else model.delete(key);
              }
              for (const ctx of f.contexts) {
                const snap = await f.kv.snapshot(ctx);
                if (!snap.ok) throw new Error('snapshot failed');
                for (const key of ['a', 'c', 'g', 'h', 'o', 'p', 'q', 'z']) {
                  if (f.contexts[regionOf(k(key))] !== ctx) continue;
                  const got = snap.value.getSync('default', k(key));
                  expect(got === undefined ? undefined : Buffer.from(got).toString(), `${key} ${bytesToHex(k(key))}`).toBe(model.get(key));
                }
                snap.value.release();
              }
            } finally {
              await f.close();
            }
          },
        ),
        { numRuns: 25, seed: 20261123 },
      );
    });
  });
}
