// Proves a reported split enters PD's region tree all at once: a lookup issued while the
// report is still being persisted sees the complete new layout, never a hole.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realClock } from '../util/clock.ts';
import { SeededRandom } from '../util/random.ts';
import { ClusterState } from './cluster_state.ts';
import { IdAllocator } from './id_allocator.ts';
import { MetaStore } from './meta_store.ts';

const region = (id: bigint, start: string, end: string, version: bigint) => ({
  id,
  startKey: Buffer.from(start),
  endKey: Buffer.from(end),
  regionEpoch: { confVer: 1n, version },
  peers: [{ id: id + 100n, storeId: 1n, role: 0, isWitness: false }],
  isInFlashback: false,
  flashbackStartTs: 0n,
});

describe('ClusterState.reportBatchSplit', () => {
  it('never exposes a partial layout to concurrent lookups', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-state-'));
    const meta = await MetaStore.open(dir);
    try {
      const state = await ClusterState.open(meta, realClock, new SeededRandom(1), await IdAllocator.open(meta));
      await state.bootstrap({ id: 1n, address: 'a:1' } as never, region(2n, '', '', 1n));
      const pieces = [region(10n, '', 'b', 4n), region(11n, 'b', 'm', 4n), region(12n, 'm', 'x', 4n), region(2n, 'x', '', 4n)];
      const pending = state.reportBatchSplit(pieces);
      const seen = state.scanRegions(new Uint8Array(), new Uint8Array(), 0);
      expect(seen.map((r) => r.id)).toEqual([10n, 11n, 12n, 2n]);
      await pending;
      expect(state.getRegionByKey(Buffer.from('c'))?.id).toBe(11n);
    } finally {
      await meta.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
