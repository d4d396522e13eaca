// Proves the Store's RegionKv checks (store, region, epoch, key range in engine key space), bootstrap and reopen.
import { describe, expect, it } from 'vitest';
import { encodeKey, encodeKeyWithTs } from '../codec/mod.ts';
import { MemoryEngine } from '../engine/mod.ts';
import type { Modify } from '../storage/region_kv.ts';
import { PdStubForTests } from './pd_stub.ts';
import { openTestStore } from './test_store.ts';

const te = new TextEncoder();
const k = (s: string): Uint8Array => te.encode(s);

const put = (key: Uint8Array, value = k('v')): Modify => ({ type: 'put', cf: 'default', key, value });

describe('Store bootstrap', () => {
  it('creates the first region over all keys and registers with PD', async () => {
    const pd = new PdStubForTests();
    const store = await openTestStore(new MemoryEngine(), pd);
    const [region] = store.regions();
    expect(store.regionCount).toBe(1);
    expect(region!.startKey.length).toBe(0);
    expect(region!.endKey.length).toBe(0);
    expect(region!.regionEpoch).toEqual({ confVer: 1n, version: 1n });
    expect(region!.peers).toEqual([{ id: expect.any(BigInt), storeId: store.storeId, role: 0 }]);
    expect(pd.bootstrapped).toBe(true);
    expect(pd.stores.get(store.storeId)?.version).toBe('7.1.0');
    expect(pd.regions.get(region!.id)).toEqual(region);
    await store.close();
  });

  it('keeps store id, regions and data across a reopen without bootstrapping again', async () => {
    const engine = new MemoryEngine();
    const pd = new PdStubForTests();
    const store = await openTestStore(engine, pd);
    const region = store.regions()[0]!;
    expect((await store.write(store.contextFor(region), [put(k('a'))])).ok).toBe(true);
    await store.close();
    const again = await openTestStore(engine, pd);
    expect(again.storeId).toBe(store.storeId);
    expect(again.regions()).toEqual([region]);
    const snap = await again.snapshot(again.contextFor(region));
    expect(snap.ok && snap.value.getSync('default', k('a'))).toEqual(k('v'));
    if (snap.ok) snap.value.release();
    await again.close();
  });

  it('finishes a bootstrap that crashed between writing the first region and telling PD', async () => {
    const engine = new MemoryEngine();
    const pd = new PdStubForTests();
    // Fail the PD Bootstrap call once, as if the process died right after the local write.
    const bootstrap = pd.bootstrap.bind(pd);
    pd.bootstrap = async () => {
      throw new Error('crash before PD bootstrap');
    };
    await expect(openTestStore(engine, pd)).rejects.toThrow(/crash before PD bootstrap/);
    expect(pd.bootstrapped).toBe(false);
    pd.bootstrap = bootstrap;
    const store = await openTestStore(engine, pd);
    expect(pd.bootstrapped).toBe(true);
    expect(store.regionCount).toBe(1);
    expect(pd.regions.get(store.regions()[0]!.id)).toEqual(store.regions()[0]);
    await store.close();
    // And a third start neither bootstraps again nor creates another region.
    const again = await openTestStore(engine, pd);
    expect(again.regions()).toEqual(store.regions());
    await again.close();
  });

  it('refuses a data dir that belongs to another cluster', async () => {
    const engine = new MemoryEngine();
    await (await openTestStore(engine, new PdStubForTests(1n))).close();
    await expect(openTestStore(engine, new PdStubForTests(2n))).rejects.toThrow(/belongs to cluster 1/);
  });
});

describe('Store as RegionKv: context checks', () => {
  it('answers StoreNotMatch, RegionNotFound and EpochNotMatch', async () => {
    const store = await openTestStore(new MemoryEngine());
    const region = store.regions()[0]!;
    const ctx = store.contextFor(region);

    const wrongStore = await store.snapshot({ ...ctx, storeId: ctx.storeId + 100n });
    expect(wrongStore.ok).toBe(false);
    if (!wrongStore.ok) expect(wrongStore.regionError.storeNotMatch).toEqual({ requestStoreId: ctx.storeId + 100n, actualStoreId: ctx.storeId });

    const noRegion = await store.write({ ...ctx, regionId: 999n }, [put(k('a'))]);
    expect(!noRegion.ok && noRegion.regionError.regionNotFound).toEqual({ regionId: 999n });

    const staleEpoch = await store.snapshot({ ...ctx, version: 0n });
    expect(!staleEpoch.ok && staleEpoch.regionError.epochNotMatch?.currentRegions).toEqual([region]);

    expect(store.regionRange(ctx)).toEqual({ startKey: region.startKey, endKey: region.endKey });
    expect(store.regionRange({ ...ctx, version: 0n })).toBeUndefined();

    // conf_ver is not checked for normal requests (TiKV NORMAL_REQ_CHECK_CONF_VER = false).
    const otherConfVer = await store.snapshot({ ...ctx, confVer: 99n });
    expect(otherConfVer.ok).toBe(true);
    if (otherConfVer.ok) {
      expect(otherConfVer.value.region).toEqual(region);
      otherConfVer.value.release();
    }
    await store.close();
  });

  it('answers KeyNotInRegion for txn keys (encoded space) and raw keys outside the region', async () => {
    const store = await openTestStore(new MemoryEngine());
    const first = store.regions()[0]!;
    // Split at encoded "m": [.., enc(m)) and [enc(m), ..).
    const split = await store.splitRegion(store.contextFor(first), [encodeKey(k('m'))]);
    expect(split.ok).toBe(true);
    const [left, right] = split.ok ? split.value : [];
    const lctx = store.contextFor(left!);
    const rctx = store.contextFor(right!);

    // Every version of "a" belongs left; of "m" and "z" right.
    expect((await store.write(lctx, [{ type: 'put', cf: 'write', key: encodeKeyWithTs(k('a'), 5n), value: k('w') }])).ok).toBe(true);
    expect((await store.write(rctx, [{ type: 'put', cf: 'write', key: encodeKeyWithTs(k('m'), 5n), value: k('w') }])).ok).toBe(true);
    expect((await store.write(rctx, [{ type: 'put', cf: 'lock', key: encodeKey(k('z')), value: k('l') }])).ok).toBe(true);
    const wrong = await store.write(lctx, [{ type: 'put', cf: 'write', key: encodeKeyWithTs(k('m'), 9n), value: k('w') }]);
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.regionError.keyNotInRegion?.regionId).toBe(left!.id);
      expect(wrong.regionError.keyNotInRegion?.endKey).toEqual(encodeKey(k('m')));
    }
    // A batch with one key outside is rejected as a whole.
    const mixed = await store.write(rctx, [put(encodeKey(k('x'))), put(encodeKey(k('b')))]);
    expect(!mixed.ok && mixed.regionError.keyNotInRegion?.key).toEqual(encodeKey(k('b')));
    // Ranges: inside the region is fine, crossing its end is not; an open end only in the last region.
    expect((await store.write(lctx, [{ type: 'deleteRange', cf: 'default', start: k(''), end: encodeKey(k('c')) }])).ok).toBe(true);
    const crossing = await store.write(lctx, [{ type: 'deleteRange', cf: 'default', start: encodeKey(k('a')), end: new Uint8Array() }]);
    expect(!crossing.ok && crossing.regionError.keyNotInRegion).toBeTruthy();
    expect((await store.write(rctx, [{ type: 'deleteRange', cf: 'default', start: encodeKey(k('n')), end: new Uint8Array() }])).ok).toBe(true);
    await store.close();
  });

  it('rejects a proposal larger than raft-entry-max-size and a full queue with ServerIsBusy', async () => {
    const store = await openTestStore(new MemoryEngine(), undefined, { raftEntryMaxBytes: 1024, proposalQueueMax: 4 });
    const ctx = store.contextFor(store.regions()[0]!);
    const big = await store.write(ctx, [put(k('a'), new Uint8Array(2048))]);
    expect(!big.ok && big.regionError.raftEntryTooLarge?.regionId).toBe(ctx.regionId);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.write(ctx, [put(k(`k${i}`))])));
    const busy = results.filter((r) => !r.ok && r.regionError.serverIsBusy);
    expect(busy.length).toBe(6);
    expect(results.filter((r) => r.ok).length).toBe(4);
    await store.close();
  });
});

describe('Store: a range deletion the engine refuses', () => {
  // Proves an oversized deleteRange fails only its own request and the store keeps serving.
  it('answers the error and keeps accepting writes', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { ClassicEngine } = await import('../engine/mod.ts');
    const dir = mkdtempSync(join(tmpdir(), 'store-delrange-'));
    const engine = await ClassicEngine.open(dir, { deleteRangeKeysMax: 10 });
    const store = await openTestStore(engine);
    try {
      const region = store.regions()[0]!;
      const ctx = store.contextFor(region);
      const keys = Array.from({ length: 20 }, (_, i) => encodeKey(k(`key${String(i).padStart(2, '0')}`)));
      expect((await store.write(ctx, keys.map((key) => put(key)))).ok).toBe(true);
      await expect(
        store.write(ctx, [{ type: 'deleteRange', cf: 'default', start: encodeKey(k('key')), end: encodeKey(k('kez')) }]),
      ).rejects.toThrow(/deleteRange|keys/i);
      expect((await store.write(ctx, [put(encodeKey(k('after')))])).ok).toBe(true);
      const snap = await store.snapshot(ctx);
      expect(snap.ok && Buffer.from(snap.value.getSync('default', keys[0]!)!).toString()).toBe('v');
      if (snap.ok) snap.value.release();
    } finally {
      await store.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
