// Proves the TSO is strictly increasing within a run, across concurrent callers, and across
// a restart even when the wall clock goes backwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../util/clock.ts';
import { realClock } from '../util/clock.ts';
import { MetaStore } from './meta_store.ts';
import { Tso, composeTs, TSO_COUNT_MAX } from './tso.ts';
import { IdAllocator } from './id_allocator.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pd-tso-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fixedClock(ms: { now: number }): Clock {
  return { ...realClock, nowMs: () => ms.now };
}

describe('Tso', () => {
  it('is strictly increasing across concurrent batches', async () => {
    const store = await MetaStore.open(tempDir());
    const tso = await Tso.open(store, realClock);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => tso.allocate(1 + (i % 7))));
    const lasts = results.map((r) => composeTs(r.physical, r.logical));
    const firsts = results.map((r, i) => composeTs(r.physical, r.logical - BigInt(1 + (i % 7)) + 1n));
    const intervals = firsts.map((f, i) => [f, lasts[i]!] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (let i = 1; i < intervals.length; i++) expect(intervals[i]![0] > intervals[i - 1]![1]).toBe(true);
    await store.close();
  });

  it('moves to the next millisecond when logical space runs out', async () => {
    const t = { now: 1_000_000 };
    const store = await MetaStore.open(tempDir());
    const tso = await Tso.open(store, fixedClock(t));
    let prev = 0n;
    for (let i = 0; i < 10; i++) {
      const r = await tso.allocate(TSO_COUNT_MAX);
      const last = composeTs(r.physical, r.logical);
      expect(last > prev).toBe(true);
      prev = last;
    }
    await store.close();
  });

  it('never goes backwards across a restart, even if the clock does', async () => {
    const dir = tempDir();
    const t = { now: 5_000_000 };
    let store = await MetaStore.open(dir);
    let tso = await Tso.open(store, fixedClock(t));
    const before = await tso.allocate(10);
    await store.close();
    t.now = 4_000_000; // wall clock jumped back by 1000 s
    store = await MetaStore.open(dir);
    tso = await Tso.open(store, fixedClock(t));
    const after = await tso.allocate(1);
    expect(composeTs(after.physical, after.logical) > composeTs(before.physical, before.logical)).toBe(true);
    await store.close();
  });

  it('rejects bad counts with a typed error', async () => {
    const store = await MetaStore.open(tempDir());
    const tso = await Tso.open(store, realClock);
    await expect(tso.allocate(0)).rejects.toThrow(/count/);
    await store.close();
  });
});

describe('IdAllocator', () => {
  it('never reuses an id across restarts', async () => {
    const dir = tempDir();
    let store = await MetaStore.open(dir);
    let ids = await IdAllocator.open(store);
    const first = await Promise.all(Array.from({ length: 1500 }, () => ids.alloc()));
    expect(new Set(first).size).toBe(1500);
    await store.close();
    store = await MetaStore.open(dir);
    ids = await IdAllocator.open(store);
    const next = await ids.alloc();
    expect(first.every((id) => id < next)).toBe(true);
    await store.close();
  });
});
