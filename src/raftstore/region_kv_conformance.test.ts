// Runs the RegionKv conformance suite against the single-peer Store (memory and classic-level engines).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicEngine, type KvEngine, MemoryEngine } from '../engine/mod.ts';
import { describeRegionKvConformance, type RegionKvFixture } from './region_kv_conformance.ts';
import { openTestStore } from './test_store.ts';

async function storeFixture(engine: KvEngine, splitKeys: Uint8Array[], cleanup: () => Promise<void>): Promise<RegionKvFixture> {
  const store = await openTestStore(engine);
  if (splitKeys.length > 0) {
    const r = await store.splitRegion(store.contextFor(store.regions()[0]!), splitKeys);
    if (!r.ok) throw new Error(r.regionError.message);
  }
  return {
    kv: store,
    contexts: store.regions().map((r) => store.contextFor(r)),
    async close() {
      await store.close();
      await cleanup();
    },
  };
}

describeRegionKvConformance({
  name: 'Store over MemoryEngine',
  create: (splitKeys) => storeFixture(new MemoryEngine(), splitKeys, async () => {}),
});

describeRegionKvConformance({
  name: 'Store over ClassicEngine',
  create: async (splitKeys) => {
    const dir = mkdtempSync(join(tmpdir(), 'regionkv-conf-'));
    const engine = await ClassicEngine.open(dir);
    return storeFixture(engine, splitKeys, async () => {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    });
  },
});
