// Proves the coprocessor's MVCC scan (MvccScanSource over MvccForwardScanner / MvccReverseScanner) equals a dumb model and the simple `mvccScan` on random histories written straight into the engine: many versions, rollbacks, Lock records, deletes, long values, gc fences, locks of every type honouring resolved/committed locks, multi-range pulls clipped to a region, on the memory engine and on classic-level.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKey, encodeKeyWithTs } from '../codec/mod.ts';
import { ClassicEngine, MemoryEngine, type KvEngine } from '../engine/mod.ts';
import { bytesCompare, CorruptionError } from '../util/mod.ts';
import { Lock, LockType, SHORT_VALUE_BYTES_MAX } from './lock.ts';
import { MvccForwardScanner } from './mvcc_forward_scanner.ts';
import { WRITE_BATCH_ENTRIES_MIN } from './scan_write_cursor.ts';
import { MvccScanSource } from './mvcc_scan_source.ts';
import { LOCK_BATCH_ENTRIES } from './scan_lock_cursor.ts';
import { mvccScan } from './mvcc_scanner.ts';
import type { ReadOptions } from './read_check.ts';
import { TS_MAX } from './timestamp.ts';
import { TxnError } from './txn_error.ts';
import { Write, WriteType } from './write.ts';

const RUNS = Number(process.env['MVCC_SCAN_RUNS'] ?? 150);
const CLASSIC_RUNS = Number(process.env['MVCC_SCAN_CLASSIC_RUNS'] ?? 12);
/** Raw user keys: empty, short, exactly 8 bytes, and longer than one memcomparable group. */
const KEY_POOL = ['', 'a', 'ab', 'b', 'b\x00', 'c', 'abcdefgh', 'abcdefghi', 'k\xff\xff', 'zzzzzzzzzzzzzzzzz', 'm', 'n'].map((k) =>
  Uint8Array.from(k, (ch) => ch.charCodeAt(0)),
);

interface VersionSpec {
  commitTs: number;
  kind: 'put' | 'long' | 'delete' | 'lock' | 'rollback';
  gcFence: number;
}
interface LockSpec {
  type: LockType;
  startTs: number;
  minCommitTs: number;
  long: boolean;
  primaryIsKey: boolean;
  asyncCommit: boolean;
}
interface KeySpec {
  key: number;
  versions: VersionSpec[];
  lock: LockSpec | null;
}
interface Case {
  keys: KeySpec[];
  readTs: number;
  readMax: boolean;
  ignoreLocks: boolean;
  resolved: number[];
  committed: number[];
  ranges: Array<[number, number]>;
  region: [number, number];
  pairsMax: number;
}

const tsArb = fc.integer({ min: 1, max: 60 });
const versionArb = (commitTs: fc.Arbitrary<number>): fc.Arbitrary<VersionSpec> => fc.record({
  commitTs,
  kind: fc.constantFrom('put', 'put', 'long', 'delete', 'lock', 'rollback'),
  gcFence: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: tsArb }),
});
const lockArb: fc.Arbitrary<LockSpec> = fc.record({
  type: fc.constantFrom(LockType.Put, LockType.Delete, LockType.Lock, LockType.Pessimistic),
  startTs: tsArb,
  minCommitTs: fc.oneof(fc.constant(0), tsArb),
  long: fc.boolean(),
  primaryIsKey: fc.boolean(),
  asyncCommit: fc.boolean(),
});
const keySpecArb: fc.Arbitrary<KeySpec> = fc.record({
  key: fc.nat(KEY_POOL.length - 1),
  // Up to 3 batches of versions on one key, so skipping crosses batches and seeks.
  versions: fc.oneof(
    { weight: 4, arbitrary: fc.array(versionArb(tsArb), { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.array(versionArb(fc.integer({ min: 1, max: 400 })), { minLength: 10, maxLength: 4 * WRITE_BATCH_ENTRIES_MIN }) },
  ),
  lock: fc.option(lockArb, { freq: 6 }),
});
const boundArb = fc.integer({ min: -1, max: KEY_POOL.length });
const caseArb: fc.Arbitrary<Case> = fc.record({
  keys: fc.array(keySpecArb, { minLength: 6, maxLength: 24 }),
  readTs: fc.oneof(tsArb, fc.integer({ min: 40, max: 70 }), fc.integer({ min: 1, max: 420 })),
  readMax: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  ignoreLocks: fc.oneof(fc.constant(false), fc.constant(false), fc.constant(false), fc.constant(true)),
  resolved: fc.array(tsArb, { maxLength: 4 }),
  committed: fc.array(tsArb, { maxLength: 4 }),
  ranges: fc.oneof(fc.constant<Array<[number, number]>>([[-1, KEY_POOL.length]]), fc.array(fc.tuple(boundArb, boundArb), { minLength: 1, maxLength: 3 })),
  region: fc.oneof({ weight: 2, arbitrary: fc.constant<[number, number]>([-1, KEY_POOL.length]) }, { weight: 1, arbitrary: fc.tuple(boundArb, boundArb) }),
  pairsMax: fc.constantFrom(1, 2, 3, 7, 64, 1024),
});

/** Sorted distinct raw keys; index -1 / length stand for the unbounded ends. */
const SORTED_KEYS = [...KEY_POOL].sort(bytesCompare);
function keyAt(i: number): Uint8Array {
  return i < 0 || i >= SORTED_KEYS.length ? new Uint8Array(0) : SORTED_KEYS[i]!;
}
function ts(n: number): bigint {
  return BigInt(n) * 10n;
}
function valueOf(key: Uint8Array, tsN: number, long: boolean): Uint8Array {
  const tag = `${Buffer.from(key).toString('hex')}@${tsN}`;
  return new TextEncoder().encode(long ? tag.padEnd(SHORT_VALUE_BYTES_MAX + 40, '.') : tag);
}

/** Writes the case's history into `engine` as TiKV lays it out; returns the key specs merged per key. */
async function writeHistory(engine: KvEngine, c: Case): Promise<Map<number, KeySpec>> {
  const perKey = new Map<number, KeySpec>();
  for (const k of c.keys) {
    const m = perKey.get(k.key) ?? { key: k.key, versions: [], lock: null };
    for (const v of k.versions) if (!m.versions.some((x) => x.commitTs === v.commitTs)) m.versions.push(v);
    m.lock ??= k.lock;
    perKey.set(k.key, m);
  }
  const batch = engine.newWriteBatch();
  for (const m of perKey.values()) {
    const key = KEY_POOL[m.key]!;
    for (const v of m.versions) {
      // The transaction started one tick (ts(n) - 1) before it committed; a rollback record sits at its start_ts.
      const startTs = ts(v.commitTs) - 1n;
      const fence = v.gcFence === 0 ? undefined : ts(v.gcFence);
      let write: Write;
      if (v.kind === 'put') write = new Write({ writeType: WriteType.Put, startTs, shortValue: valueOf(key, v.commitTs, false), gcFence: fence });
      else if (v.kind === 'long') {
        write = new Write({ writeType: WriteType.Put, startTs, gcFence: fence, txnSource: 3n, lastChangeTs: 5n, versionsToLastChange: 2n });
        batch.put('default', encodeKeyWithTs(key, startTs), valueOf(key, v.commitTs, true));
      } else if (v.kind === 'delete') write = new Write({ writeType: WriteType.Delete, startTs, hasOverlappedRollback: true });
      else if (v.kind === 'lock') write = new Write({ writeType: WriteType.Lock, startTs });
      else write = Write.rollback(ts(v.commitTs), v.commitTs % 2 === 0);
      batch.put('write', encodeKeyWithTs(key, ts(v.commitTs)), write.encode());
    }
    if (m.lock !== null) {
      const l = m.lock;
      const startTs = ts(l.startTs) + 1n;
      const value = valueOf(key, l.startTs, l.long);
      const lock = new Lock({
        lockType: l.type,
        primary: l.primaryIsKey ? key : new TextEncoder().encode('primary'),
        startTs,
        ttl: 3000n,
        shortValue: l.type === LockType.Put && !l.long ? value : undefined,
        minCommitTs: l.minCommitTs === 0 ? 0n : ts(l.minCommitTs),
        useAsyncCommit: l.asyncCommit,
        secondaries: l.asyncCommit && l.primaryIsKey ? [new TextEncoder().encode('s')] : [],
      });
      batch.put('lock', encodeKey(key), lock.encode());
      if (l.type === LockType.Put && l.long) batch.put('default', encodeKeyWithTs(key, startTs), value);
    }
  }
  await engine.write(batch, { sync: false });
  return perKey;
}

function readOptions(c: Case): ReadOptions {
  return {
    ts: c.readMax ? TS_MAX : ts(c.readTs),
    ignoreLocks: c.ignoreLocks,
    resolvedLocks: new Set(c.resolved.map((n) => ts(n) + 1n)),
    committedLocks: new Set(c.committed.map((n) => ts(n) + 1n)),
  };
}

type Row = { key: string; value: string } | { lockedKey: string; lockVersion: bigint };
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

/** The obviously correct answer for one raw key, or undefined when it has no visible row. */
function modelKey(m: KeySpec, read: ReadOptions): Row | undefined {
  const key = KEY_POOL[m.key]!;
  const l = m.lock;
  if (l !== null && read.ignoreLocks !== true) {
    const startTs = ts(l.startTs) + 1n;
    const minCommitTs = l.minCommitTs === 0 ? 0n : ts(l.minCommitTs);
    const dataLock = l.type === LockType.Put || l.type === LockType.Delete;
    const autocommitPrimary = read.ts === TS_MAX && !l.asyncCommit && l.primaryIsKey;
    if (startTs < read.ts && dataLock && minCommitTs <= read.ts && !read.resolvedLocks.has(startTs) && !autocommitPrimary) {
      if (!read.committedLocks.has(startTs)) return { lockedKey: hex(key), lockVersion: startTs };
      return l.type === LockType.Put ? { key: hex(key), value: hex(valueOf(key, l.startTs, l.long)) } : undefined;
    }
  }
  const visible = m.versions.filter((v) => ts(v.commitTs) <= read.ts).sort((a, b) => b.commitTs - a.commitTs);
  const newest = visible.find((v) => v.kind === 'put' || v.kind === 'long' || v.kind === 'delete');
  if (newest === undefined || newest.kind === 'delete') return undefined;
  if (newest.gcFence !== 0 && ts(newest.gcFence) <= read.ts) return undefined;
  return { key: hex(key), value: hex(valueOf(key, newest.commitTs, newest.kind === 'long')) };
}

/** Model rows of raw range [start, end) (empty end unbounded) in scan order, up to and including a blocking lock. */
function modelRange(perKey: Map<number, KeySpec>, read: ReadOptions, start: Uint8Array, end: Uint8Array, region: [Uint8Array, Uint8Array], desc = false): Row[] {
  const inside = (k: Uint8Array, s: Uint8Array, e: Uint8Array): boolean => bytesCompare(k, s) >= 0 && (e.length === 0 || bytesCompare(k, e) < 0);
  const specs = [...perKey.values()]
    .filter((m) => inside(KEY_POOL[m.key]!, start, end) && inside(KEY_POOL[m.key]!, region[0], region[1]))
    .sort((a, b) => bytesCompare(KEY_POOL[a.key]!, KEY_POOL[b.key]!) * (desc ? -1 : 1));
  const out: Row[] = [];
  for (const m of specs) {
    const r = modelKey(m, read);
    if (r === undefined) continue;
    out.push(r);
    if ('lockedKey' in r) break;
  }
  return out;
}

/** Normalized ranges: sorted, non-overlapping, as the coprocessor sends them. */
function ranges(c: Case): Array<{ start: Uint8Array; end: Uint8Array }> {
  const out: Array<{ start: Uint8Array; end: Uint8Array }> = [];
  let floor = -1;
  for (const [a, b] of [...c.ranges].map(([x, y]) => [Math.min(x, y), Math.max(x, y)] as const).sort((x, y) => x[0] - y[0])) {
    const lo = Math.max(a, floor, 0);
    if (b >= SORTED_KEYS.length) {
      out.push({ start: keyAt(lo), end: new Uint8Array(0) });
      break;
    }
    if (b <= lo) continue;
    out.push({ start: keyAt(lo), end: keyAt(b) });
    floor = b;
  }
  return out;
}

/** Drains a cursor: rows in pull order, then the blocking lock if one was thrown. */
async function drain(src: MvccScanSource, rs: ReturnType<typeof ranges>, desc: boolean, pairsMax: number): Promise<{ rows: Row[]; chunks: number[] }> {
  const cur = src.openCursor(rs, desc);
  const rows: Row[] = [];
  const chunks: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    let chunk;
    try {
      chunk = await cur.next(pairsMax);
    } catch (e) {
      if (!(e instanceof TxnError) || e.detail.kind !== 'KeyIsLocked') throw e;
      rows.push({ lockedKey: hex(e.detail.lockInfo.key ?? new Uint8Array(0)), lockVersion: e.detail.lockInfo.lockVersion ?? 0n });
      return { rows, chunks };
    }
    expect(chunk.keys.length).toBeLessThanOrEqual(pairsMax);
    if (!chunk.drained) expect(chunk.keys.length).toBeGreaterThan(0);
    chunks.push(chunk.rangeIndex);
    chunk.keys.forEach((k, j) => rows.push({ key: hex(k), value: hex(chunk.values[j]!) }));
    if (chunk.drained) return { rows, chunks };
  }
  throw new Error('cursor never drained');
}

/** The pulled rows must be the model's rows, except that rows of the pull that met a lock are lost. */
function expectMatches(got: Row[], want: Row[]): void {
  const gotLock = got.length > 0 && 'lockedKey' in got[got.length - 1]!;
  const wantLock = want.length > 0 && 'lockedKey' in want[want.length - 1]!;
  expect(gotLock).toBe(wantLock);
  if (!wantLock) {
    expect(got).toEqual(want);
    return;
  }
  expect(got[got.length - 1]).toEqual(want[want.length - 1]);
  expect(want.slice(0, got.length - 1)).toEqual(got.slice(0, -1));
}

async function checkCase(engine: KvEngine, c: Case): Promise<void> {
  const perKey = await writeHistory(engine, c);
  const read = readOptions(c);
  const region: [Uint8Array, Uint8Array] = [keyAt(Math.min(...c.region)), keyAt(Math.max(...c.region))];
  if (Math.max(...c.region) >= SORTED_KEYS.length) region[1] = new Uint8Array(0);
  const regionRange = { startKey: region[0].length === 0 ? new Uint8Array(0) : encodeKey(region[0]), endKey: region[1].length === 0 ? new Uint8Array(0) : encodeKey(region[1]) };
  const rs = ranges(c);
  const snapshot = engine.snapshot();
  try {
    // Forward: model rows per range in order, stopping at the first blocking lock.
    const want: Row[] = [];
    for (const r of rs) {
      want.push(...modelRange(perKey, read, r.start, r.end, region));
      if (want.length > 0 && 'lockedKey' in want[want.length - 1]!) break;
    }
    const src = new MvccScanSource(snapshot, read, regionRange);
    const fwd = await drain(src, rs, false, c.pairsMax);
    expectMatches(fwd.rows, want);
    expect([...fwd.chunks]).toEqual([...fwd.chunks].sort((a, b) => a - b));
    await src.close();

    // The simple path (one bounded mvccScan over the whole key space) agrees with the model too.
    const simple = await mvccScan(snapshot, { lowerEnc: new Uint8Array(0), upperEnc: new Uint8Array(0), reverse: false, limit: 1e9, keyOnly: false, read });
    const simpleRows: Row[] = [];
    for (const p of simple) {
      simpleRows.push(p.error?.locked ? { lockedKey: hex(p.key), lockVersion: p.error.locked.lockVersion ?? 0n } : { key: hex(p.key), value: hex(p.value) });
      if (p.error?.locked) break;
    }
    expect(simpleRows).toEqual(modelRange(perKey, read, new Uint8Array(0), new Uint8Array(0), [new Uint8Array(0), new Uint8Array(0)]));

    // Reverse: last range first, each from its end, stopping at the first blocking lock met that way.
    const wantDesc: Row[] = [];
    for (const r of [...rs].reverse()) {
      wantDesc.push(...modelRange(perKey, read, r.start, r.end, region, true));
      if (wantDesc.length > 0 && 'lockedKey' in wantDesc[wantDesc.length - 1]!) break;
    }
    const src2 = new MvccScanSource(snapshot, read, regionRange);
    const rev = await drain(src2, rs, true, c.pairsMax);
    expectMatches(rev.rows, wantDesc);
    expect([...rev.chunks]).toEqual([...rev.chunks].sort((a, b) => b - a));
    await src2.close();
  } finally {
    snapshot.release();
  }
}

describe('MvccForwardScanner / MvccReverseScanner vs model', () => {
  it('memory engine: random histories agree with the model and mvccScan', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => checkCase(new MemoryEngine(), c)),
      { numRuns: RUNS },
    );
  });

  it('classic-level: random histories agree with the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvcc-fwd-'));
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          const engine = await ClassicEngine.open(join(dir, String(n++)));
          try {
            await checkCase(engine, c);
          } finally {
            await engine.close();
          }
        }),
        { numRuns: CLASSIC_RUNS },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('many ignored locks are read a batch at a time, and the locks that matter among them still act', async () => {
    const engine = new MemoryEngine();
    const batch = engine.newWriteBatch();
    const keyOf = (i: number): Uint8Array => new TextEncoder().encode(`k${String(i).padStart(4, '0')}`);
    const n = 3 * LOCK_BATCH_ENTRIES;
    for (let i = 0; i < n; i++) {
      batch.put('write', encodeKeyWithTs(keyOf(i), 20n), new Write({ writeType: WriteType.Put, startTs: 19n, shortValue: keyOf(i) }).encode());
      let lock = new Lock({ lockType: LockType.Pessimistic, primary: keyOf(0), startTs: 30n, ttl: 100n });
      if (i === 300) lock = new Lock({ lockType: LockType.Put, primary: keyOf(0), startTs: 40n, ttl: 100n, shortValue: new TextEncoder().encode('committed') });
      if (i === 650) lock = new Lock({ lockType: LockType.Put, primary: keyOf(0), startTs: 50n, ttl: 100n, shortValue: new Uint8Array(1) });
      batch.put('lock', encodeKey(keyOf(i)), lock.encode());
    }
    await engine.write(batch, { sync: false });
    const read: ReadOptions = { ts: 100n, resolvedLocks: new Set(), committedLocks: new Set([40n]) };
    const snapshot = engine.snapshot();
    const rs = [{ start: new Uint8Array(0), end: new Uint8Array(0) }];
    const src = new MvccScanSource(snapshot, read, { startKey: new Uint8Array(0), endKey: new Uint8Array(0) });
    const fwd = await drain(src, rs, false, 100);
    expect(fwd.rows.length).toBe(601);
    expect(fwd.rows[300]).toEqual({ key: hex(keyOf(300)), value: hex(new TextEncoder().encode('committed')) });
    expect(fwd.rows[600]).toEqual({ lockedKey: hex(keyOf(650)), lockVersion: 50n });
    const rev = await drain(src, rs, true, 100);
    expect(rev.rows.length).toBe(n - 650 - 1 - ((n - 651) % 100) + 1);
    expect(rev.rows[rev.rows.length - 1]).toEqual({ lockedKey: hex(keyOf(650)), lockVersion: 50n });
    await src.close();
    snapshot.release();
  });

  it('a scanner closed early releases its iterators, and corrupt write keys and records stop it', async () => {
    const engine = new MemoryEngine();
    const batch = engine.newWriteBatch();
    for (let i = 0; i < 300; i++) {
      const key = new TextEncoder().encode(`k${String(i).padStart(4, '0')}`);
      batch.put('write', encodeKeyWithTs(key, 20n), new Write({ writeType: WriteType.Put, startTs: 19n, shortValue: key }).encode());
    }
    batch.put('write', new Uint8Array([1, 2, 3]), new Uint8Array([WriteType.Put, 1]));
    await engine.write(batch, { sync: false });
    const read: ReadOptions = { ts: 100n, resolvedLocks: new Set(), committedLocks: new Set() };
    const snap = engine.snapshot();
    const early = new MvccForwardScanner(snap, read, encodeKey(new Uint8Array([0x6b])), new Uint8Array(0));
    const keys: Uint8Array[] = [];
    expect(await early.fill(keys, [], 5)).toBe(false);
    expect(keys.length).toBe(5);
    await early.close();
    await early.close();
    // The 3-byte key sorts first: a write key shorter than one group plus a timestamp is corruption.
    await expect(new MvccForwardScanner(snap, read, new Uint8Array(0), new Uint8Array(0)).fill([], [], 10)).rejects.toBeInstanceOf(CorruptionError);
    const bad = engine.newWriteBatch();
    bad.put('write', encodeKeyWithTs(new TextEncoder().encode('k0000'), 30n), new Uint8Array([WriteType.Put, 0x80]));
    await engine.write(bad, { sync: false });
    const snap2 = engine.snapshot();
    await expect(new MvccForwardScanner(snap2, read, encodeKey(new Uint8Array([0x6b])), new Uint8Array(0)).fill([], [], 10)).rejects.toBeInstanceOf(CorruptionError);
    // A Put without an inline value whose default-CF value is missing is corruption too.
    const lost = engine.newWriteBatch();
    lost.put('write', encodeKeyWithTs(new TextEncoder().encode('lost'), 30n), new Write({ writeType: WriteType.Put, startTs: 29n }).encode());
    // (a value of a later key must not stand in for it)
    lost.put('default', encodeKeyWithTs(new TextEncoder().encode('lz'), 5n), new Uint8Array(300));
    await engine.write(lost, { sync: false });
    const snap3 = engine.snapshot();
    const lostLower = encodeKey(new TextEncoder().encode('l'));
    await expect(new MvccForwardScanner(snap3, read, lostLower, encodeKey(new TextEncoder().encode('m'))).fill([], [], 10)).rejects.toBeInstanceOf(CorruptionError);
    snap.release();
    snap2.release();
    snap3.release();
  });
});
