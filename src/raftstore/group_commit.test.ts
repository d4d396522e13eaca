// Proves group commit: many concurrent writes share few synced engine writes, and every acknowledged write survives a reopen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClassicEngine } from '../engine/mod.ts';
import { realClock } from '../util/mod.ts';
import { PdStubForTests } from './pd_stub.ts';
import { Store } from './store.ts';
import { TEST_STORE_META as storeMeta } from './test_store.ts';

const te = new TextEncoder();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});


describe('group commit', () => {
  it('commits 300 concurrent synced writes in far fewer engine writes, all durable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftstore-gc-'));
    dirs.push(dir);
    const pd = new PdStubForTests();
    const batches: number[] = [];
    let engine = await ClassicEngine.open(dir);
    const store = await Store.open({
      engine,
      pd,
      clock: realClock,
      storeMeta,
      config: { syncWrites: true },
      observer: { onBatchCommitted: (b) => batches.push(b.proposals) },
    });
    const ctx = store.contextFor(store.regions()[0]!);
    const writers = 300;
    const results = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        store.write(ctx, [{ type: 'put', cf: 'default', key: te.encode(`key-${i}`), value: te.encode(`value-${i}`) }]),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(writers);
    // The first writer goes alone; the rest pile up behind its fsync.
    expect(batches.length).toBeLessThan(writers / 10);
    const appliedBefore = store.getRegion(ctx.regionId);
    await store.close();
    await engine.close();

    engine = await ClassicEngine.open(dir);
    const reopened = await Store.open({ engine, pd, clock: realClock, storeMeta });
    expect(reopened.regions()).toEqual([appliedBefore]);
    const snap = await reopened.snapshot(ctx);
    expect(snap.ok).toBe(true);
    if (snap.ok) {
      for (let i = 0; i < writers; i++) expect(Buffer.from(snap.value.getSync('default', te.encode(`key-${i}`))!).toString()).toBe(`value-${i}`);
      snap.value.release();
    }
    await reopened.close();
    await engine.close();
  });
});
