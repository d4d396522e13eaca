// Proves Storage over the real raftstore Store: transactions commit through the store loop,
// and after a split, scans are clipped to each region (encoded boundaries), keys outside a
// region answer KeyNotInRegion, and a stale epoch answers EpochNotMatch.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeKey } from '../codec/mod.ts';
import { MemoryEngine } from '../engine/mod.ts';
import { PdStubForTests, Store } from '../raftstore/mod.ts';
import { realClock } from '../util/mod.ts';
import { Op } from './kvrpc_types.ts';
import { Storage, isRegionError } from './storage.ts';
import { b, ok, s } from './testing/harness.ts';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function openStore(): Promise<Store> {
  const st = await Store.open({
    engine: new MemoryEngine(),
    pd: new PdStubForTests(),
    clock: realClock,
    config: { syncWrites: false },
    storeMeta: { address: '127.0.0.1:1', statusAddress: '127.0.0.1:2', version: '7.1.0', gitHash: '', startTimestamp: 0n, deployPath: '', labels: [] },
  });
  st.start();
  return st;
}

describe('Storage over raftstore', () => {
  it('2PC, split, clipped scans, KeyNotInRegion and EpochNotMatch', async () => {
    store = await openStore();
    const storage = new Storage(store, realClock);
    const ctx0 = store.contextFor(store.regions()[0]!);
    const keys = ['a', 'c', 'm', 'q', 'z'];
    const p = ok(await storage.prewrite(ctx0, { mutations: keys.map((k) => ({ op: Op.Put, key: b(k), value: b(k.toUpperCase()) })), primaryLock: b('a'), startVersion: 10n, lockTtl: 3000n }));
    expect(p.errors).toEqual([]);
    ok(await storage.commit(ctx0, { startVersion: 10n, keys: keys.map(b), commitVersion: 11n }));
    const split = await store.splitRegion(ctx0, [encodeKey(b('m'))]);
    expect(split.ok).toBe(true);
    const left = store.getRegionByKey(encodeKey(b('a')))!;
    const right = store.getRegionByKey(encodeKey(b('z')))!;
    const ctxL = store.contextFor(left);
    const ctxR = store.contextFor(right);
    const scanL = ok(await storage.kvScan(ctxL, { startKey: b(''), limit: 100, version: 20n }));
    expect(scanL.pairs.map((x) => s(x.key))).toEqual(['a', 'c']);
    const scanR = ok(await storage.kvScan(ctxR, { startKey: b('b'), limit: 100, version: 20n }));
    expect(scanR.pairs.map((x) => s(x.key))).toEqual(['m', 'q', 'z']);
    const revR = ok(await storage.kvScan(ctxR, { startKey: b(''), endKey: b(''), limit: 100, version: 20n, reverse: true }));
    expect(revR.pairs.map((x) => s(x.key))).toEqual(['z', 'q', 'm']);
    const outside = await storage.kvGet(ctxL, { key: b('q'), version: 20n });
    expect(isRegionError(outside) && outside.regionError.keyNotInRegion !== undefined).toBe(true);
    const stale = await storage.kvGet(ctx0, { key: b('z'), version: 20n });
    expect(isRegionError(stale)).toBe(true);
    expect(s(ok(await storage.kvGet(ctxR, { key: b('z'), version: 20n })).value)).toBe('Z');
    // GC of one region.
    ok(await storage.gc(ctxR, { safePoint: 30n }));
    expect(s(ok(await storage.kvGet(ctxR, { key: b('q'), version: 40n })).value)).toBe('Q');
  });
});
