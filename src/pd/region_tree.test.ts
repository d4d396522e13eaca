// Proves RegionTree answers lookups like a dumb linear scan over disjoint ranges, on random
// split histories (seeded).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesCompare } from '../util/bytes.ts';
import { RegionTree, type RegionRange } from './region_tree.ts';

function contains(r: RegionRange, k: Uint8Array): boolean {
  return bytesCompare(r.startKey, k) <= 0 && (r.endKey.length === 0 || bytesCompare(k, r.endKey) < 0);
}

describe('RegionTree', () => {
  it('matches a linear model under random splits', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 3 }), { maxLength: 30 }), fc.array(fc.uint8Array({ maxLength: 4 }), { maxLength: 20 }), (splits, probes) => {
        const tree = new RegionTree<RegionRange>();
        let nextId = 2n;
        tree.upsert({ id: 1n, startKey: new Uint8Array(), endKey: new Uint8Array() });
        for (const s of splits) {
          const r = tree.search(s);
          if (!r || bytesCompare(r.startKey, s) === 0) continue;
          // Split r at s: the left half keeps r's id (as TiKV does), the right gets a new id.
          tree.upsert({ id: nextId++, startKey: s, endKey: r.endKey });
          tree.upsert({ id: r.id, startKey: r.startKey, endKey: s });
        }
        const all = tree.all();
        for (let i = 1; i < all.length; i++) expect(bytesCompare(all[i - 1]!.endKey, all[i]!.startKey)).toBe(0);
        for (const p of probes) {
          const model = all.find((r) => contains(r, p));
          expect(tree.search(p)?.id).toBe(model?.id);
          const idx = all.findIndex((r) => r === model);
          expect(tree.searchPrev(p)?.id).toBe(idx > 0 ? all[idx - 1]!.id : undefined);
        }
        expect(tree.scan(new Uint8Array(), new Uint8Array(), 0).length).toBe(all.length);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
