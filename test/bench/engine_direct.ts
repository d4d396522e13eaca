/**
 * The physical limit of the storage layer: classic-level used directly (no wrapper) next to
 * the same work through ClassicEngine. (a) synced puts with group commit, (b) unsynced
 * batched puts, (c) random point reads and a scan over 100k keys. The measuring functions
 * are exported so higher-level benchmarks can put the same limits beside their own rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { ClassicEngine, CLASSIC_ENGINE_DEFAULTS, type CfName, type KvSnapshot } from '../../src/engine/mod.ts';
import { SeededRandom } from '../../src/util/mod.ts';
import {
  interleave,
  LatencySamples,
  nowUs,
  runConcurrent,
  runSyncFor,
  summarize,
  type BenchRow,
  type Measurement,
} from './lib/mod.ts';

export const title = 'storage physical limit: classic-level direct vs ClassicEngine';

/** How long each measured case runs (the whole module stays well under 60 s on 2 cores). */
export const CASE_DURATION_MS = Number(process.env['BENCH_CASE_MS'] ?? 1500);
/** Each case runs in this many alternating rounds (median reported); see `interleave`. */
export const ROUNDS = 3;
/** Keys preloaded for the read cases. */
export const READ_KEYS = 100_000;
export const VALUE_BYTES = 100;
/** Concurrent writers feeding one group committer. */
export const GROUP_COMMIT_WRITERS = 32;
/** Keys per unsynced batch. */
export const PUT_BATCH_KEYS = 100;
/** In-flight async gets. */
export const GET_CONCURRENCY = 16;
/** Entries per iterator read in the scan case. */
export const SCAN_BATCH_ENTRIES = 1000;

export type Level = ClassicLevel<Uint8Array, Uint8Array>;

/** Where puts go: classic-level directly (array or chained batch) or a ClassicEngine. */
export interface PutSink {
  readonly label: string;
  write(keys: Uint8Array[], values: Uint8Array[], sync: boolean): Promise<void>;
}

/** Where reads go. */
export interface ReadSource {
  readonly label: string;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  getSync(key: Uint8Array): Uint8Array | undefined;
  /** Reads every entry once with `nextv`/`nextBatch` of `batch`; returns the count. */
  scanAll(batch: number): Promise<number>;
}

/** Opens a bare classic-level database with the engine's default tuning. */
export async function openDirect(path: string, encoding: 'view' | 'buffer' = 'view'): Promise<Level> {
  const d = CLASSIC_ENGINE_DEFAULTS;
  const db = new ClassicLevel<Uint8Array, Uint8Array>(path, { keyEncoding: encoding, valueEncoding: encoding });
  await db.open({
    cacheSize: d.cacheSizeBytes,
    writeBufferSize: d.writeBufferSizeBytes,
    blockSize: d.blockSizeBytes,
    maxFileSize: d.maxFileSizeBytes,
    compression: d.compression,
  });
  return db;
}

export function directPutSink(db: Level, form: 'array' | 'chained', label = `direct ${form}`): PutSink {
  return {
    label,
    write(keys, values, sync) {
      if (form === 'array') {
        const ops = new Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }>(keys.length);
        for (let i = 0; i < keys.length; i++) ops[i] = { type: 'put', key: keys[i]!, value: values[i]! };
        return db.batch(ops, { sync });
      }
      const batch = db.batch();
      for (let i = 0; i < keys.length; i++) batch.put(keys[i]!, values[i]!);
      return batch.write({ sync });
    },
  };
}

export function enginePutSink(engine: ClassicEngine, cf: CfName = 'default', label = 'engine'): PutSink {
  return {
    label,
    write(keys, values, sync) {
      const batch = engine.newWriteBatch();
      for (let i = 0; i < keys.length; i++) batch.put(cf, keys[i]!, values[i]!);
      return engine.write(batch, { sync });
    },
  };
}

export function directReadSource(db: Level, label = 'direct'): ReadSource {
  return {
    label,
    get: (key) => db.get(key),
    getSync: (key) => db.getSync(key),
    async scanAll(batch) {
      const it = db.iterator();
      let n = 0;
      for (let chunk = await it.nextv(batch); chunk.length > 0; chunk = await it.nextv(batch)) n += chunk.length;
      await it.close();
      return n;
    },
  };
}

export function engineReadSource(
  source: ClassicEngine | KvSnapshot,
  cf: CfName = 'default',
  label = 'engine',
): ReadSource {
  return {
    label,
    get: (key) => source.get(cf, key),
    getSync: (key) => source.getSync(cf, key),
    async scanAll(batch) {
      const it = source.iterator(cf);
      let n = 0;
      for (let chunk = await it.nextBatch(batch); chunk.length > 0; chunk = await it.nextBatch(batch)) n += chunk.length;
      await it.close();
      return n;
    },
  };
}

/** A 16-byte key: `"key:"` + big-endian index, as a memcomparable-ish user key would be. */
export function benchKey(i: number): Uint8Array {
  const key = Buffer.allocUnsafe(16);
  key.write('key:', 0, 'latin1');
  key.writeUInt32BE(0, 4);
  key.writeDoubleBE(i, 8);
  return key;
}

const VALUE = new Uint8Array(VALUE_BYTES).fill(0x61);

/**
 * Puts one key per call from `writers` concurrent loops into a group committer that writes
 * everything pending as ONE synced batch per flush (the raftstore's loop does the same).
 * ops/s counts acknowledged puts; latency is enqueue → durable acknowledgement.
 */
export async function measureGroupCommit(
  sink: PutSink,
  writers: number,
  durationMs = CASE_DURATION_MS,
): Promise<Measurement & { flushes: number }> {
  let pending: Array<{ key: Uint8Array; done: () => void; fail: (err: unknown) => void }> = [];
  let flushing = false;
  let flushes = 0;
  const flushLoop = async (): Promise<void> => {
    flushing = true;
    // Yield one event-loop turn first so every writer that is ready joins this group.
    await new Promise((resolve) => setImmediate(resolve));
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      try {
        await sink.write(
          group.map((p) => p.key),
          group.map(() => VALUE),
          true,
        );
        for (const p of group) p.done();
      } catch (err) {
        for (const p of group) p.fail(err);
      }
      flushes++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    flushing = false;
  };
  const m = await runConcurrent(writers, durationMs, (i) => {
    const acked = new Promise<void>((done, fail) => pending.push({ key: benchKey(i), done, fail }));
    if (!flushing) void flushLoop();
    return acked;
  });
  return { ...m, flushes };
}

/** Unsynced batches of `batchKeys` fresh keys, one batch at a time; ops/s counts keys. */
export async function measureBatchedPuts(
  sink: PutSink,
  batchKeys = PUT_BATCH_KEYS,
  durationMs = CASE_DURATION_MS,
): Promise<Measurement> {
  const values = new Array<Uint8Array>(batchKeys).fill(VALUE);
  const random = new SeededRandom(7);
  return runConcurrent(1, durationMs, async () => {
    const keys = new Array<Uint8Array>(batchKeys);
    for (let j = 0; j < batchKeys; j++) keys[j] = benchKey(random.int(1e9));
    await sink.write(keys, values, false);
    return batchKeys;
  });
}

/** Loads keys 0..count-1 with unsynced batches of 1000. */
export async function preload(sink: PutSink, count = READ_KEYS): Promise<void> {
  const chunk = 1000;
  const values = new Array<Uint8Array>(chunk).fill(VALUE);
  for (let start = 0; start < count; start += chunk) {
    const keys: Uint8Array[] = [];
    for (let i = start; i < Math.min(count, start + chunk); i++) keys.push(benchKey(i));
    await sink.write(keys, values.slice(0, keys.length), false);
  }
}

/** How many distinct random keys a read case cycles through. */
const RANDOM_KEYS = 4096;

/** `RANDOM_KEYS` keys drawn from the preloaded 0..keyCount-1, seeded per case. */
function randomKeys(seed: number, keyCount: number): Uint8Array[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: RANDOM_KEYS }, () => benchKey(random.int(keyCount)));
}

/** Random async gets over the preloaded keys from `concurrency` loops. */
export async function measureRandomGets(
  source: ReadSource,
  concurrency = GET_CONCURRENCY,
  keyCount = READ_KEYS,
  durationMs = CASE_DURATION_MS,
): Promise<Measurement> {
  const keys = randomKeys(11, keyCount);
  let misses = 0;
  const m = await runConcurrent(concurrency, durationMs, async (i) => {
    if ((await source.get(keys[i % RANDOM_KEYS]!)) === undefined) misses++;
  });
  if (misses > 0) throw new Error(`${source.label}: ${misses} preloaded keys missing`);
  return m;
}

/** Random synchronous gets over the preloaded keys. */
export function measureRandomGetSync(source: ReadSource, keyCount = READ_KEYS, durationMs = CASE_DURATION_MS): Measurement {
  const keys = randomKeys(13, keyCount);
  let misses = 0;
  const m = runSyncFor(durationMs, (i) => {
    if (source.getSync(keys[i % RANDOM_KEYS]!) === undefined) misses++;
  });
  if (misses > 0) throw new Error(`${source.label}: ${misses} preloaded keys missing`);
  return m;
}

/**
 * What an MVCC point read does: open a bounded iterator on a snapshot at the key, read one
 * entry, close it; from `concurrency` loops.
 */
export async function measureIteratorPointReads(
  snapshot: KvSnapshot,
  concurrency = GET_CONCURRENCY,
  keyCount = READ_KEYS,
  durationMs = CASE_DURATION_MS,
): Promise<Measurement> {
  const keys = randomKeys(17, keyCount);
  const upper = benchKey(keyCount);
  let misses = 0;
  const m = await runConcurrent(concurrency, durationMs, async (i) => {
    const it = snapshot.iterator('default', { lowerBound: keys[i % RANDOM_KEYS]!, upperBound: upper });
    try {
      if ((await it.next()) === undefined) misses++;
    } finally {
      await it.close();
    }
  });
  if (misses > 0) throw new Error(`iterator point reads: ${misses} preloaded keys missing`);
  return m;
}

/** Full scans of the preloaded keys; ops/s counts entries, latency is per scan. */
export async function measureScan(source: ReadSource, batch = SCAN_BATCH_ENTRIES, durationMs = CASE_DURATION_MS): Promise<Measurement> {
  return runConcurrent(1, durationMs, () => source.scanAll(batch));
}

function row(name: string, m: Measurement, extra: Partial<BenchRow> = {}): BenchRow {
  return { name, opsPerSec: m.opsPerSec, p50Us: m.p50Us, p99Us: m.p99Us, ...extra };
}

/** Row names of `directLimitRows`, for other benches' `baseline` fields. */
export const DIRECT_LIMIT = {
  syncedPuts: `direct: group commit, ${GROUP_COMMIT_WRITERS} writers`,
  batchedPuts: `direct: batch(${PUT_BATCH_KEYS}) chained, view`,
  gets: `direct: get, ${GET_CONCURRENCY} concurrent`,
  getSync: 'direct: getSync, view',
  scan: `direct: scan, nextv(${SCAN_BATCH_ENTRIES})`,
} as const;

/**
 * Only the classic-level physical limits (no engine rows), each measured once for
 * `durationMs`: for a higher-level benchmark to print its own rows against (as baselines
 * named by `DIRECT_LIMIT`). Takes about 5 x durationMs plus a 100k-key load.
 */
export async function directLimitRows(durationMs = CASE_DURATION_MS): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), 'bench-direct-limits-'));
  try {
    const db = await openDirect(join(root, 'db'));
    try {
      const rows: BenchRow[] = [];
      rows.push(row(DIRECT_LIMIT.syncedPuts, await measureGroupCommit(directPutSink(db, 'chained'), GROUP_COMMIT_WRITERS, durationMs)));
      rows.push(
        row(DIRECT_LIMIT.batchedPuts, await measureBatchedPuts(directPutSink(db, 'chained'), PUT_BATCH_KEYS, durationMs), {
          unit: 'keys',
        }),
      );
      await preload(directPutSink(db, 'chained'));
      await db.compactRange(new Uint8Array([0]), new Uint8Array([0xff, 0xff]));
      const source = directReadSource(db);
      rows.push(row(DIRECT_LIMIT.gets, await measureRandomGets(source, GET_CONCURRENCY, READ_KEYS, durationMs)));
      rows.push(row(DIRECT_LIMIT.getSync, measureRandomGetSync(source, READ_KEYS, durationMs)));
      rows.push(row(DIRECT_LIMIT.scan, await measureScan(source, SCAN_BATCH_ENTRIES, durationMs), { unit: 'keys' }));
      return rows;
    } finally {
      await db.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Runs every case and returns the rows (engine rows compared with their direct twins). */
export async function run(): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), 'bench-engine-direct-'));
  const rows: BenchRow[] = [];
  const roundMs = CASE_DURATION_MS / ROUNDS;
  try {
    // (a) synced puts, group commit
    {
      const db = await openDirect(join(root, 'a-direct'));
      const engine = await ClassicEngine.open(join(root, 'a-engine'));
      const flushes = [0, 0, 0];
      const grouped = (i: number, sink: PutSink, writers: number) => async (): Promise<Measurement> => {
        const m = await measureGroupCommit(sink, writers, roundMs);
        flushes[i]! += m.flushes;
        return m;
      };
      const [single, direct, viaEngine] = await interleave(ROUNDS, [
        grouped(0, directPutSink(db, 'chained'), 1),
        grouped(1, directPutSink(db, 'chained'), GROUP_COMMIT_WRITERS),
        grouped(2, enginePutSink(engine), GROUP_COMMIT_WRITERS),
      ]);
      const perFsync = (m: Measurement, i: number): string => `${(m.ops / flushes[i]!).toFixed(1)} puts/fsync`;
      const singleName = 'direct: synced put, 1 writer';
      const directName = DIRECT_LIMIT.syncedPuts;
      rows.push(row(singleName, single!, { note: 'one fsync per put' }));
      rows.push(row(directName, direct!, { baseline: singleName, note: perFsync(direct!, 1) }));
      rows.push(
        row(`engine: group commit, ${GROUP_COMMIT_WRITERS} writers`, viaEngine!, {
          baseline: directName,
          note: perFsync(viaEngine!, 2),
        }),
      );
      await db.close();
      await engine.close();
    }
    // (b) unsynced batched puts
    {
      const dbView = await openDirect(join(root, 'b-view'), 'view');
      const dbBuffer = await openDirect(join(root, 'b-buffer'), 'buffer');
      const engine = await ClassicEngine.open(join(root, 'b-engine'));
      const [chainedView, chainedBuffer, arrayView, viaEngine] = await interleave(ROUNDS, [
        () => measureBatchedPuts(directPutSink(dbView, 'chained'), PUT_BATCH_KEYS, roundMs),
        () => measureBatchedPuts(directPutSink(dbBuffer, 'chained'), PUT_BATCH_KEYS, roundMs),
        () => measureBatchedPuts(directPutSink(dbView, 'array'), PUT_BATCH_KEYS, roundMs),
        () => measureBatchedPuts(enginePutSink(engine), PUT_BATCH_KEYS, roundMs),
      ]);
      const base = DIRECT_LIMIT.batchedPuts;
      const note = `${PUT_BATCH_KEYS} keys x ${VALUE_BYTES} B per batch; latency per batch`;
      rows.push(row(base, chainedView!, { unit: 'keys', note }));
      rows.push(row(`direct: batch(${PUT_BATCH_KEYS}) chained, buffer`, chainedBuffer!, { unit: 'keys', baseline: base }));
      rows.push(row(`direct: batch(${PUT_BATCH_KEYS}) array, view`, arrayView!, { unit: 'keys', baseline: base }));
      rows.push(row(`engine: write(${PUT_BATCH_KEYS})`, viaEngine!, { unit: 'keys', baseline: base }));
      await dbView.close();
      await dbBuffer.close();
      await engine.close();
    }
    // (c) reads over 100k keys, compacted so that reads go through tables and block cache
    {
      const dbView = await openDirect(join(root, 'c-view'), 'view');
      const dbBuffer = await openDirect(join(root, 'c-buffer'), 'buffer');
      const engine = await ClassicEngine.open(join(root, 'c-engine'));
      const t0 = nowUs();
      await preload(directPutSink(dbView, 'chained'));
      await preload(directPutSink(dbBuffer, 'chained'));
      await preload(enginePutSink(engine));
      const all = [new Uint8Array([0]), new Uint8Array([0xff, 0xff])] as const;
      await dbView.compactRange(...all);
      await dbBuffer.compactRange(...all);
      await engine.compactRange('default', new Uint8Array(0), new Uint8Array(0));
      const loadNote = `${READ_KEYS} keys x ${VALUE_BYTES} B, compacted (load ${((nowUs() - t0) / 1e6).toFixed(1)} s)`;
      const direct = directReadSource(dbView);
      const viaEngine = engineReadSource(engine);
      const snap = engine.snapshot();
      const viaSnapshot = engineReadSource(snap);
      const [getDirect, getEngine] = await interleave(ROUNDS, [
        () => measureRandomGets(direct, GET_CONCURRENCY, READ_KEYS, roundMs),
        () => measureRandomGets(viaEngine, GET_CONCURRENCY, READ_KEYS, roundMs),
      ]);
      const getName = DIRECT_LIMIT.gets;
      rows.push(row(getName, getDirect!, { note: loadNote }));
      rows.push(row(`engine: get, ${GET_CONCURRENCY} concurrent`, getEngine!, { baseline: getName }));
      const [syncView, syncBuffer, syncEngine, syncSnapshot] = await interleave(ROUNDS, [
        () => measureRandomGetSync(direct, READ_KEYS, roundMs),
        () => measureRandomGetSync(directReadSource(dbBuffer), READ_KEYS, roundMs),
        () => measureRandomGetSync(viaEngine, READ_KEYS, roundMs),
        () => measureRandomGetSync(viaSnapshot, READ_KEYS, roundMs),
      ]);
      const [pointIterator] = await interleave(ROUNDS, [
        () => measureIteratorPointReads(snap, GET_CONCURRENCY, READ_KEYS, roundMs),
      ]);
      rows.push(
        row(`engine: iterator seek-read-close, ${GET_CONCURRENCY} concurrent`, pointIterator!, {
          baseline: `engine: get, ${GET_CONCURRENCY} concurrent`,
          note: 'the MVCC point-read pattern: bounded iterator, one next(), close',
        }),
      );
      const syncName = DIRECT_LIMIT.getSync;
      rows.push(row(syncName, syncView!));
      rows.push(row('direct: getSync, buffer', syncBuffer!, { baseline: syncName }));
      rows.push(row('engine: getSync', syncEngine!, { baseline: syncName }));
      rows.push(row('engine: snapshot getSync', syncSnapshot!, { baseline: syncName }));
      const [scanDirect, scanEngine] = await interleave(ROUNDS, [
        () => measureScan(direct, SCAN_BATCH_ENTRIES, roundMs),
        () => measureScan(viaSnapshot, SCAN_BATCH_ENTRIES, roundMs),
      ]);
      const scanName = DIRECT_LIMIT.scan;
      rows.push(row(scanName, scanDirect!, { unit: 'keys', note: 'latency per full scan of 100k keys' }));
      rows.push(row(`engine: scan, nextBatch(${SCAN_BATCH_ENTRIES})`, scanEngine!, { unit: 'keys', baseline: scanName }));
      snap.release();
      // Last, since it empties the engine: one atomic deleteRange over every preloaded key.
      const t1 = nowUs();
      const wipe = engine.newWriteBatch();
      wipe.deleteRange('default', new Uint8Array(0), new Uint8Array(0));
      await engine.write(wipe, { sync: true });
      const wipeUs = nowUs() - t1;
      const wipeLatency = new LatencySamples();
      wipeLatency.record(wipeUs);
      rows.push(
        row('engine: deleteRange of all keys', summarize(READ_KEYS, wipeUs, wipeLatency), {
          unit: 'keys',
          baseline: scanName,
          note: 'one atomic synced batch; other writes wait meanwhile',
        }),
      );
      await dbView.close();
      await dbBuffer.close();
      await engine.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}
