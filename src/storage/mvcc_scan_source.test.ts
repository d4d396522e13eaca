// Proves MvccScanSource (the coprocessor's view): multi-range cursors in both directions return
// every visible row exactly once in pulls of at most pairsMax, chunks never span ranges, and a
// blocking lock is thrown as KeyIsLocked (again on every later pull).
import { describe, expect, it } from 'vitest';
import { Op } from './kvrpc_types.ts';
import { MvccScanSource } from './mvcc_scan_source.ts';
import { TxnError } from './txn_error.ts';
import { CTX, b, newStorage, ok, s } from './testing/harness.ts';
import type { ReadSnapshot } from './storage.ts';

async function drain(src: MvccScanSource, ranges: { start: Uint8Array; end: Uint8Array }[], desc: boolean, pairsMax: number) {
  const cur = src.openCursor(ranges, desc);
  const out: string[] = [];
  for (let i = 0; i < 100; i++) {
    const c = await cur.next(pairsMax);
    expect(c.keys.length).toBeLessThanOrEqual(pairsMax);
    out.push(...c.keys.map((k) => `${c.rangeIndex}:${s(k)}`));
    if (c.drained) return out;
  }
  throw new Error('not drained');
}

describe('MvccScanSource', () => {
  it('scans ranges forward and backward in small pulls', async () => {
    const { storage } = newStorage();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    ok(await storage.prewrite(CTX, { mutations: keys.map((k) => ({ op: Op.Put, key: b(k), value: b(k) })), primaryLock: b('a'), startVersion: 10n }));
    ok(await storage.commit(CTX, { startVersion: 10n, keys: keys.map(b), commitVersion: 11n }));
    // A second version of 'c' to make sure versions are skipped.
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('c'), value: b('C') }], primaryLock: b('c'), startVersion: 12n }));
    ok(await storage.commit(CTX, { startVersion: 12n, keys: [b('c')], commitVersion: 13n }));
    const snap = ok(await storage.readSnapshot(CTX, null, 20n, [{ start: b(''), end: b('') }])) as ReadSnapshot;
    const src = new MvccScanSource(snap.snapshot, snap.read, snap.range);
    const ranges = [{ start: b('a'), end: b('d') }, { start: b('e'), end: b('') }];
    for (const pairsMax of [1, 2, 3, 100]) {
      expect(await drain(src, ranges, false, pairsMax)).toEqual(['0:a', '0:b', '0:c', '1:e', '1:f', '1:g']);
      expect(await drain(src, ranges, true, pairsMax)).toEqual(['1:g', '1:f', '1:e', '0:c', '0:b', '0:a']);
    }
    snap.snapshot.release();
  });

  it('throws KeyIsLocked for a blocking lock', async () => {
    const { storage } = newStorage();
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('k'), value: b('v') }], primaryLock: b('k'), startVersion: 10n }));
    const snap = ok(await storage.readSnapshot(CTX, null, 20n, [{ start: b('a'), end: b('z') }])) as ReadSnapshot;
    const src = new MvccScanSource(snap.snapshot, snap.read, snap.range);
    const cursor = src.openCursor([{ start: b('a'), end: b('z') }], false);
    await expect(cursor.next(10)).rejects.toBeInstanceOf(TxnError);
    // Pulling again does not skip past the lock.
    await expect(cursor.next(10)).rejects.toBeInstanceOf(TxnError);
    await src.close();
    snap.snapshot.release();
  });
});
