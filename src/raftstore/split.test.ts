// Proves region splits: automatic by key count (txn at user-key boundaries, raw verbatim), on request, epoch bump, EpochNotMatch with siblings, persistence, PD reports.
import { describe, expect, it } from 'vitest';
import { decodeBytes, encodeKey, encodeKeyWithTs } from '../codec/mod.ts';
import { MemoryEngine } from '../engine/mod.ts';
import type { Modify } from '../storage/region_kv.ts';
import { bytesCompare } from '../util/mod.ts';
import { PdStubForTests } from './pd_stub.ts';
import { SplitChecker } from './split_checker.ts';
import { openTestStore } from './test_store.ts';

const te = new TextEncoder();
const k = (s: string): Uint8Array => te.encode(s);
const userKey = (i: number): Uint8Array => k(`user${String(i).padStart(4, '0')}`);

describe('split checker', () => {
  it('never splits between versions of one user key and splits raw data at raw keys', async () => {
    const engine = new MemoryEngine();
    const wb = engine.newWriteBatch();
    // 10 user keys x 5 versions = 50 write-CF entries.
    for (let i = 0; i < 10; i++) for (let ts = 1n; ts <= 5n; ts++) wb.put('write', encodeKeyWithTs(userKey(i), ts * 10n), k('w'));
    await engine.write(wb, { sync: false });
    const checker = new SplitChecker({
      regionMaxKeys: 20,
      regionSplitKeys: 12,
      regionMaxSizeBytes: 1 << 30,
      regionSplitSizeBytes: 1 << 30,
      splitKeysPerCheckMax: 16,
    });
    const all = { id: 1n, startKey: new Uint8Array(), endKey: new Uint8Array(), regionEpoch: { confVer: 1n, version: 1n }, peers: [] };
    const snap = engine.snapshot();
    const txn = await checker.check(snap, all);
    expect(txn.mode).toBe('txn');
    expect(txn.approximateKeys).toBe(50);
    // Each split key is an encoded user key (decodes fully, no timestamp), at user keys 3, 6, 9.
    expect(txn.splitKeys.map((s) => Buffer.from(decodeBytes(s).value).toString())).toEqual(['user0003', 'user0006', 'user0009']);
    for (const s of txn.splitKeys) expect(decodeBytes(s).next).toBe(s.length);
    snap.release();

    const raw = new MemoryEngine();
    const rb = raw.newWriteBatch();
    for (let i = 0; i < 30; i++) rb.put('default', userKey(i), k('v'));
    await raw.write(rb, { sync: false });
    const rsnap = raw.snapshot();
    const rawResult = await checker.check(rsnap, all);
    expect(rawResult.mode).toBe('raw');
    expect(rawResult.splitKeys.map((s) => Buffer.from(s).toString())).toEqual(['user0012', 'user0024']);
    rsnap.release();
  });
});

describe('Store splits', () => {
  it('splits automatically by key count, bumps epochs, persists and reports to PD', async () => {
    const engine = new MemoryEngine();
    const pd = new PdStubForTests();
    const store = await openTestStore(engine, pd, { regionSplitKeys: 20, regionMaxKeys: 30 });
    const first = store.regions()[0]!;
    const ctx = store.contextFor(first);
    const modifies: Modify[] = [];
    for (let i = 0; i < 100; i++) modifies.push({ type: 'put', cf: 'write', key: encodeKeyWithTs(userKey(i), 7n), value: k('w') });
    expect((await store.write(ctx, modifies)).ok).toBe(true);

    expect(await store.runSplitCheck()).toBe(1);
    const regions = store.regions();
    expect(regions.length).toBe(5);
    // Contiguous cover of all keys, every boundary an encoded user key, all at version 1 + 4.
    expect(regions[0]!.startKey.length).toBe(0);
    expect(regions[regions.length - 1]!.endKey.length).toBe(0);
    for (let i = 1; i < regions.length; i++) expect(regions[i]!.startKey).toEqual(regions[i - 1]!.endKey);
    for (const r of regions) expect(r.regionEpoch).toEqual({ confVer: 1n, version: 5n });
    expect(regions[1]!.startKey).toEqual(encodeKey(userKey(20)));
    // Right-derive: the original region id keeps the last part.
    expect(regions[regions.length - 1]!.id).toBe(first.id);

    // A second check finds nothing more to do.
    expect(await store.runSplitCheck()).toBe(0);

    // Old epoch: EpochNotMatch listing the current region and its split siblings.
    const stale = await store.snapshot(ctx);
    expect(stale.ok).toBe(false);
    if (!stale.ok) expect(stale.regionError.epochNotMatch?.currentRegions).toEqual(regions);

    // PD heard about it (async report).
    await new Promise((r) => setTimeout(r, 10));
    expect(pd.splitReports).toEqual([regions]);
    expect([...pd.regions.values()].sort((a, b) => bytesCompare(a.startKey, b.startKey))).toEqual(regions);

    await store.close();
    const again = await openTestStore(engine, pd);
    expect(again.regions()).toEqual(regions);
    await again.close();
  });

  it('scans a measured region again only when its size estimate passes a threshold', async () => {
    const store = await openTestStore(new MemoryEngine(), new PdStubForTests(), { regionSplitKeys: 20, regionMaxKeys: 30 });
    const ctx = store.contextFor(store.regions()[0]!);
    const put = (i: number): Modify => ({ type: 'put', cf: 'default', key: userKey(i), value: k('v') });
    expect(await store.runSplitCheck()).toBe(0);
    expect(store.splitCheckScans).toBe(1);
    for (let i = 0; i < 10; i++) expect((await store.write(ctx, [put(i)])).ok).toBe(true);
    expect(await store.runSplitCheck()).toBe(0);
    expect(store.splitCheckScans).toBe(1);
    expect((await store.write(ctx, Array.from({ length: 30 }, (_, i) => put(100 + i)))).ok).toBe(true);
    expect(await store.runSplitCheck()).toBe(1);
    expect(store.splitCheckScans).toBe(2);
    await store.close();
  });

  it('splits on request (SplitRegion), ignoring the start key and rejecting keys outside', async () => {
    const store = await openTestStore(new MemoryEngine());
    const first = store.regions()[0]!;
    const ctx = store.contextFor(first);
    const result = await store.splitRegion(ctx, [k('m'), k('c'), k('m'), new Uint8Array()]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [a, b, c] = result.value;
    expect(result.value.length).toBe(3);
    expect([a!.endKey, b!.startKey, b!.endKey, c!.startKey]).toEqual([k('c'), k('c'), k('m'), k('m')]);
    for (const r of result.value) expect(r.regionEpoch.version).toBe(3n);

    // The same request again carries the old epoch.
    const again = await store.splitRegion(ctx, [k('x')]);
    expect(!again.ok && again.regionError.epochNotMatch?.currentRegions.length).toBe(3);

    // A key outside the addressed region.
    const outside = await store.splitRegion(store.contextFor(b!), [k('z')]);
    expect(!outside.ok && outside.regionError.keyNotInRegion?.regionId).toBe(b!.id);

    // A write addressed with the pre-split epoch is rejected even if the key is still in range.
    const w = await store.write(ctx, [{ type: 'put', cf: 'default', key: k('z'), value: k('v') }]);
    expect(!w.ok && w.regionError.epochNotMatch).toBeTruthy();
    await store.close();
  });

  it('orders a split and concurrent writes: writes behind the split see the new epoch', async () => {
    const store = await openTestStore(new MemoryEngine());
    const first = store.regions()[0]!;
    const ctx = store.contextFor(first);
    const before = store.write(ctx, [{ type: 'put', cf: 'default', key: k('a'), value: k('1') }]);
    const split = store.splitRegion(ctx, [k('m')]);
    // Proposed after AskBatchSplit resolved, i.e. queued behind the split barrier.
    await new Promise((r) => setTimeout(r, 0));
    const after = store.write(ctx, [{ type: 'put', cf: 'default', key: k('b'), value: k('2') }]);
    expect((await before).ok).toBe(true);
    expect((await split).ok).toBe(true);
    const late = await after;
    expect(!late.ok && late.regionError.epochNotMatch).toBeTruthy();
    await store.close();
  });
});
