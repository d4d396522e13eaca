// Proves raw KV: CF selection, get/put/delete/batch ops, scan clipping to the region in both
// directions (reverse: start_key exclusive upper, end_key inclusive lower), limit and key_only,
// delete range, compare-and-swap atomicity, and clear errors for TTL / API v2 / bad CF / big keys.
import { describe, expect, it } from 'vitest';
import { CTX, b, newStorage, ok, s } from './testing/harness.ts';

const keysOf = (kvs: { key: Uint8Array }[]): string[] => kvs.map((p) => s(p.key));

describe('raw kv', () => {
  it('put/get/delete in the named CFs', async () => {
    const { storage } = newStorage();
    ok(await storage.rawPut(CTX, { key: b('k'), value: b('v') }));
    ok(await storage.rawPut(CTX, { key: b('k'), value: b('w'), cf: 'write' }));
    expect(s(ok(await storage.rawGet(CTX, { key: b('k') })).value)).toBe('v');
    expect(s(ok(await storage.rawGet(CTX, { key: b('k'), cf: 'default' })).value)).toBe('v');
    expect(s(ok(await storage.rawGet(CTX, { key: b('k'), cf: 'write' })).value)).toBe('w');
    expect(ok(await storage.rawGet(CTX, { key: b('k'), cf: 'lock' })).notFound).toBe(true);
    ok(await storage.rawDelete(CTX, { key: b('k') }));
    expect(ok(await storage.rawGet(CTX, { key: b('k') })).notFound).toBe(true);
    ok(await storage.rawBatchPut(CTX, { pairs: [{ key: b('a'), value: b('1') }, { key: b('b'), value: b('2') }] }));
    expect(ok(await storage.rawBatchGet(CTX, { keys: [b('a'), b('x'), b('b')] })).pairs.map((p) => `${s(p.key)}=${s(p.value)}`)).toEqual(['a=1', 'b=2']);
    ok(await storage.rawBatchDelete(CTX, { keys: [b('a')] }));
    expect(ok(await storage.rawBatchGet(CTX, { keys: [b('a'), b('b')] })).pairs.length).toBe(1);
  });

  it('clear errors for unknown CF, TTL, API v2 and oversized keys', async () => {
    const { storage } = newStorage();
    expect(ok(await storage.rawGet(CTX, { key: b('k'), cf: 'raft' })).error).toMatch(/invalid column family/);
    expect(ok(await storage.rawPut(CTX, { key: b('k'), value: b('v'), ttl: 10n })).error).toMatch(/TTL is not enabled/);
    expect(ok(await storage.rawBatchPut(CTX, { pairs: [{ key: b('k'), value: b('v') }], ttls: [5n] })).error).toMatch(/TTL is not enabled/);
    expect(ok(await storage.rawPut(CTX, { key: b('k'), value: b('v'), context: { apiVersion: 2 } })).error).toMatch(/API V1 only/);
    expect(ok(await storage.rawPut(CTX, { key: new Uint8Array(9000), value: b('v') })).error).toMatch(/too large/);
  });

  it('scan clips to the region range both ways', async () => {
    const { storage } = newStorage({ range: { startKey: b('b'), endKey: b('f') } });
    // Write through a whole-range storage on the same engine.
    for (const k of ['b', 'c', 'd', 'e']) ok(await storage.rawPut(CTX, { key: b(k), value: b(k.toUpperCase()) }));
    const fwd = ok(await storage.rawScan(CTX, { startKey: b('a'), endKey: b('z'), limit: 100 }));
    expect(keysOf(fwd.kvs)).toEqual(['b', 'c', 'd', 'e']);
    expect(keysOf(ok(await storage.rawScan(CTX, { startKey: b('c'), endKey: b('e'), limit: 100 })).kvs)).toEqual(['c', 'd']);
    expect(keysOf(ok(await storage.rawScan(CTX, { startKey: b('c'), limit: 2 })).kvs)).toEqual(['c', 'd']);
    // Reverse: start_key exclusive upper bound, end_key inclusive lower bound.
    expect(keysOf(ok(await storage.rawScan(CTX, { startKey: b('e'), endKey: b('c'), limit: 100, reverse: true })).kvs)).toEqual(['d', 'c']);
    expect(keysOf(ok(await storage.rawScan(CTX, { startKey: b('zz'), endKey: b(''), limit: 3, reverse: true })).kvs)).toEqual(['e', 'd', 'c']);
    expect(keysOf(ok(await storage.rawScan(CTX, { startKey: b(''), limit: 100, reverse: true })).kvs)).toEqual(['e', 'd', 'c', 'b']);
    const ko = ok(await storage.rawScan(CTX, { startKey: b('b'), limit: 1, keyOnly: true }));
    expect(ko.kvs[0]!.value.length).toBe(0);
    // Keys outside the region are a KeyNotInRegion region error.
    const outside = await storage.rawPut(CTX, { key: b('g'), value: b('x') });
    expect('regionError' in outside && outside.regionError.keyNotInRegion).toBeTruthy();
  });

  it('delete range clipped to the region, with an unbounded end', async () => {
    const { storage } = newStorage();
    for (const k of ['a', 'b', 'c', 'd']) ok(await storage.rawPut(CTX, { key: b(k), value: b(k) }));
    ok(await storage.rawDeleteRange(CTX, { startKey: b('b'), endKey: b('d') }));
    expect(keysOf(ok(await storage.rawScan(CTX, { limit: 100 })).kvs)).toEqual(['a', 'd']);
    ok(await storage.rawDeleteRange(CTX, { startKey: b('b') }));
    expect(keysOf(ok(await storage.rawScan(CTX, { limit: 100 })).kvs)).toEqual(['a']);
  });

  it('compare-and-swap: exactly one of concurrent CASes from the same previous value wins', async () => {
    const { storage } = newStorage();
    const first = ok(await storage.rawCompareAndSwap(CTX, { key: b('k'), value: b('0'), previousNotExist: true }));
    expect(first).toMatchObject({ succeed: true, previousNotExist: true });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => storage.rawCompareAndSwap(CTX, { key: b('k'), value: b(String(i + 1)), previousValue: b('0') })),
    );
    const wins = results.map(ok).filter((r) => r.succeed);
    expect(wins.length).toBe(1);
    const loss = results.map(ok).find((r) => !r.succeed)!;
    expect(loss.previousNotExist).toBe(false);
    expect(s(loss.previousValue)).not.toBe('0');
  });
});
