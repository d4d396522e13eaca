/**
 * Coprocessor throughput (issue 4): TPC-H Q1 and Q6 shaped DAGs (scan → selection →
 * partial aggregation) over a generated `lineitem` of `BENCH_COPR_ROWS` rows (default 1M) in
 * TiDB's row format v2, sent as `tikvpb.Tikv/Coprocessor` over gRPC to a real store (PD +
 * TikvServer via `startCluster`, in this process), one request per region, bounded
 * concurrency, partial aggregates merged here. Beside it: classic-level's bare iteration over
 * the same write-CF keys, the same queries as plain typed-array loops (the physical limit of
 * the arithmetic), the coprocessor in process over an in-memory ScanSource (no storage, no
 * gRPC), and a breakdown (scan-only Chunk vs Arrow, count(*), execution summaries, the MVCC
 * scan alone forward and desc against ClassicEngine's nextEntries, its engine floor).
 * The rows are bulk-loaded straight into the store's engine as committed MVCC data before
 * the store starts (loading through gRPC would take too long). The Q1/Q6 results via the
 * coprocessor must equal the loop's exactly, else the bench throws.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeKey, encodeKeyWithTs, decodeBytes } from '../../src/codec/mod.ts';
import { encodeRecordKey, tableRecordRange } from '../../src/codec/tidb/mod.ts';
import { ClassicEngine } from '../../src/engine/mod.ts';
import { createClient, decodeMessage, encodeMessage, type tipb } from '../../src/proto/mod.ts';
import { PdClient } from '../../src/pd_client/mod.ts';
import { startCluster } from '../../src/server/mod.ts';
import { MvccScanSource, SHORT_VALUE_BYTES_MAX, SingleRegionKv, Storage, Write, WriteType, composeTs } from '../../src/storage/mod.ts';
import { BATCH_ROWS_MAX, EncodeType, MemoryScanSource, handleCoprocessorRequest, protoTipbCodec, type DAGRequest } from '../../coprocessor/mod.ts';
import { realClock } from '../../src/util/mod.ts';
import { createLogger } from '../../src/util/logger.ts';
import { openDirect } from './engine_direct.ts';
import { LINEITEM_TABLE_ID, LineitemGenerator, type LineitemColumns } from './copr/lineitem.ts';
import {
  assertQ1Equal,
  countDag,
  mergeQ1Chunk,
  q1Dag,
  q1Loop,
  q6ChunkSum,
  q6Dag,
  q6Loop,
  scanOnlyDag,
  type Q1Result,
} from './copr/queries.ts';
import { nowUs, type BenchRow } from './lib/mod.ts';

export const title = 'coprocessor: TPC-H Q1/Q6 DAGs over gRPC vs classic-level iteration and typed-array loops';

/** Rows of lineitem (loading costs roughly 10-20 s per million rows on this machine). */
const ROWS = Number(process.env['BENCH_COPR_ROWS'] ?? 1_000_000);
/** Rows per region: the table is split into ceil(ROWS / this) regions. */
const REGION_ROWS = Number(process.env['BENCH_COPR_REGION_ROWS'] ?? 65_536);
/** Coprocessor requests in flight at once. */
const CONCURRENCY = Number(process.env['BENCH_COPR_CONCURRENCY'] ?? 4);
/** Measured runs per case (the best is reported: the machine is shared). */
const ROUNDS = Number(process.env['BENCH_COPR_ROUNDS'] ?? 2);
/** Rows per engine write batch while loading. */
const LOAD_BATCH_ROWS = 10_000;
/** Rows the in-process (MemoryScanSource) cases hold in memory. */
const IN_PROCESS_ROWS_MAX = 131_072;
/** Entries per `nextv` in the bare iteration case. */
const NEXTV_ENTRIES = 1000;
/** Engine key prefix of CF write in ClassicEngine (src/engine/README.md). */
const CF_WRITE_PREFIX = 0x03;
const LOAD_START_TS = composeTs(1_000n);
const LOAD_COMMIT_TS = composeTs(1_001n);

type TikvClient = ReturnType<typeof createClient<'tikvpb.Tikv'>>;

interface RegionTask {
  context: { regionId: bigint; regionEpoch: { confVer: bigint; version: bigint }; peer: { id: bigint; storeId: bigint } };
  range: { start: Uint8Array; end: Uint8Array };
}

/** Loads `ROWS` rows into the engine at `dir` as committed Puts (short values in the write CF). */
async function bulkLoad(dir: string): Promise<{ columns: LineitemColumns; bytes: number; ms: number; sample: Array<[Uint8Array, Uint8Array]> }> {
  const t0 = nowUs();
  const engine = await ClassicEngine.open(dir);
  const gen = new LineitemGenerator(ROWS);
  const sample: Array<[Uint8Array, Uint8Array]> = [];
  let bytes = 0;
  try {
    while (!gen.done) {
      const batch = engine.newWriteBatch();
      for (let n = 0; n < LOAD_BATCH_ROWS && !gen.done; n++) {
        const row = gen.next();
        if (row.value.length > SHORT_VALUE_BYTES_MAX) throw new Error(`row of ${row.value.length} bytes does not fit a short value`);
        bytes += row.value.length;
        if (sample.length < IN_PROCESS_ROWS_MAX) sample.push([row.key, row.value]);
        const write = new Write({ writeType: WriteType.Put, startTs: LOAD_START_TS, shortValue: row.value });
        batch.put('write', encodeKeyWithTs(row.key, LOAD_COMMIT_TS), write.encode());
      }
      await engine.write(batch, { sync: gen.done });
    }
  } finally {
    await engine.close();
  }
  return { columns: gen.columns, bytes, ms: (nowUs() - t0) / 1000, sample };
}

/**
 * Compacts the whole database once after the load, so every case reads the same settled
 * LSM (a fresh load leaves level-0 files and a background compaction that would steal CPU
 * from whichever case runs first). TiKV's bulk import ingests SSTs, which ends up similar.
 */
async function compact(dir: string): Promise<number> {
  const t0 = nowUs();
  const db = await openDirect(dir);
  try {
    await db.compactRange(new Uint8Array([0x00]), new Uint8Array([0xff]));
  } finally {
    await db.close();
  }
  return (nowUs() - t0) / 1000;
}

/** classic-level alone: iterate the table's write-CF range with `nextv`, no decoding. */
async function bareIteration(dir: string): Promise<{ rowsPerSec: number; keys: number }> {
  const db = await openDirect(dir);
  const { start, end } = tableRecordRange(LINEITEM_TABLE_ID);
  const gte = new Uint8Array([CF_WRITE_PREFIX, ...encodeKey(start)]);
  const lt = new Uint8Array([CF_WRITE_PREFIX, ...encodeKey(end)]);
  let best = 0;
  let keys = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = nowUs();
      const it = db.iterator({ gte, lt });
      keys = 0;
      for (let chunk = await it.nextv(NEXTV_ENTRIES); chunk.length > 0; chunk = await it.nextv(NEXTV_ENTRIES)) keys += chunk.length;
      await it.close();
      best = Math.max(best, keys / ((nowUs() - t0) / 1e6));
    }
  } finally {
    await db.close();
  }
  return { rowsPerSec: best, keys };
}

/** Best-of-ROUNDS rows/s of a synchronous computation over all rows. */
function timeLoop<T>(fn: () => T): { rowsPerSec: number; result: T } {
  let best = 0;
  let result!: T;
  for (let round = 0; round < Math.max(ROUNDS, 3); round++) {
    const t0 = nowUs();
    result = fn();
    best = Math.max(best, ROWS / ((nowUs() - t0) / 1e6));
  }
  return { rowsPerSec: best, result };
}

/** Splits the table into regions of REGION_ROWS rows and reads them back from PD. */
async function splitAndListRegions(client: TikvClient, pd: PdClient): Promise<RegionTask[]> {
  const table = tableRecordRange(LINEITEM_TABLE_ID);
  const first = await pd.getRegion(encodeKey(table.start));
  if (first === undefined) throw new Error('PD knows no region for the table');
  const splitKeys: Uint8Array[] = [];
  for (let h = REGION_ROWS + 1; h <= ROWS; h += REGION_ROWS) splitKeys.push(encodeRecordKey(LINEITEM_TABLE_ID, BigInt(h)));
  if (splitKeys.length > 0) {
    const r = first.region;
    const res = await client.SplitRegion({
      context: { regionId: r.id, regionEpoch: r.regionEpoch!, peer: first.leader ?? r.peers[0]! },
      splitKeys,
      isRawKv: false,
    });
    if (res.regionError) throw new Error(`SplitRegion: ${JSON.stringify(res.regionError, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
  }
  // PD learns about the split from the store's report; wait until it lists every region.
  const want = splitKeys.length + 1;
  for (let attempt = 0; ; attempt++) {
    const regions = await pd.scanRegions(encodeKey(table.start), encodeKey(table.end), want + 2);
    const tasks: RegionTask[] = [];
    for (const { region, leader } of regions) {
      const rs = region.startKey.length === 0 ? table.start : decodeBytes(region.startKey, 0).value;
      const re = region.endKey.length === 0 ? table.end : decodeBytes(region.endKey, 0).value;
      const start = Buffer.compare(rs, table.start) > 0 ? rs : table.start;
      const end = Buffer.compare(re, table.end) < 0 ? re : table.end;
      if (Buffer.compare(start, end) >= 0) continue;
      const peer = leader ?? region.peers[0]!;
      tasks.push({ context: { regionId: region.id, regionEpoch: { confVer: region.regionEpoch!.confVer, version: region.regionEpoch!.version }, peer: { id: peer.id, storeId: peer.storeId } }, range: { start, end } });
    }
    if (tasks.length === want) return tasks;
    if (attempt > 100) throw new Error(`PD lists ${tasks.length} regions over the table, expected ${want}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface CoprRun {
  ms: number;
  responses: tipb.SelectResponse[];
  responseBytes: number;
}

/** Sends one DAG per region over gRPC with at most CONCURRENCY in flight. */
async function runDag(client: TikvClient, tasks: readonly RegionTask[], dag: DAGRequest, startTs: bigint): Promise<CoprRun> {
  const data = encodeMessage('tipb.DAGRequest', dag);
  const responses: tipb.SelectResponse[] = new Array(tasks.length);
  let next = 0;
  let responseBytes = 0;
  const t0 = nowUs();
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      const task = tasks[i]!;
      const resp = await client.Coprocessor({ context: task.context, tp: 103n, data, ranges: [task.range], startTs });
      if (resp.regionError || resp.locked || resp.otherError) {
        throw new Error(`region ${task.context.regionId}: ${resp.otherError || JSON.stringify(resp.regionError ?? resp.locked, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
      }
      responseBytes += resp.data.length;
      const sel = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', resp.data);
      if (sel.error) throw new Error(`region ${task.context.regionId}: SelectResponse.error ${sel.error.code} ${sel.error.msg}`);
      responses[i] = sel;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, tasks.length) }, worker));
  return { ms: (nowUs() - t0) / 1000, responses, responseBytes };
}

/** Best of ROUNDS runs. */
async function bestRun(client: TikvClient, tasks: readonly RegionTask[], dag: DAGRequest, startTs: bigint): Promise<CoprRun> {
  let best: CoprRun | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const run = await runDag(client, tasks, dag, startTs);
    if (best === undefined || run.ms < best.ms) best = run;
  }
  return best!;
}

function mergeQ1(run: CoprRun): Q1Result {
  const out: Q1Result = new Map();
  for (const sel of run.responses) for (const c of sel.chunks) mergeQ1Chunk(out, c.rowsData);
  return out;
}

function mergeQ6(run: CoprRun): bigint {
  let total = 0n;
  for (const sel of run.responses) for (const c of sel.chunks) total += q6ChunkSum(c.rowsData);
  return total;
}

/** Scanned rows reported by the coprocessor (`output_counts`), summed over regions. */
function scannedRows(run: CoprRun): number {
  let n = 0;
  for (const sel of run.responses) for (const c of sel.outputCounts) n += Number(c);
  return n;
}

/** Per-executor processed time (ms, summed over regions; each includes its children). */
function summaryMs(run: CoprRun): number[] {
  const ms: number[] = [];
  for (const sel of run.responses) sel.executionSummaries.forEach((s, i) => (ms[i] = (ms[i] ?? 0) + Number(s.timeProcessedNs ?? 0n) / 1e6));
  return ms;
}

/** One in-process run: throughput and where its time went, in ns per scanned row. */
interface InProcessRun {
  rowsPerSec: number;
  /** [scan+decode, selection, aggregation, encode+request overhead]; absent executors are 0. */
  nsPerRow: [number, number, number, number];
}

/**
 * The coprocessor in this process over a MemoryScanSource (no storage, no gRPC), with a
 * clock so execution summaries carry times (each executor's time includes its children's).
 */
async function inProcess(sample: ReadonlyArray<[Uint8Array, Uint8Array]>, dag: DAGRequest): Promise<InProcessRun> {
  const source = new MemoryScanSource(sample);
  const range = { start: sample[0]![0], end: encodeRecordKey(LINEITEM_TABLE_ID, BigInt(sample.length + 1)) };
  const data = encodeMessage('tipb.DAGRequest', { ...dag, collectExecutionSummaries: true });
  let best: InProcessRun | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = nowUs();
    const resp = await handleCoprocessorRequest({ tp: 103n, data, ranges: [range], startTs: LOAD_COMMIT_TS }, source, protoTipbCodec, { clock: realClock });
    const totalNs = (nowUs() - t0) * 1000;
    if (resp.otherError) throw new Error(`in-process: ${resp.otherError}`);
    const sel = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', resp.data);
    const ns = sel.executionSummaries.map((x) => Number(x.timeProcessedNs ?? 0n));
    const n = sample.length;
    const [scan = 0, second = scan, third = second] = ns;
    const [sel1, agg] = ns.length === 3 ? [second - scan, third - second] : ns.length === 2 ? [0, second - scan] : [0, 0];
    const run: InProcessRun = { rowsPerSec: n / (totalNs / 1e9), nsPerRow: [scan / n, sel1 / n, agg / n, (totalNs - ns[ns.length - 1]!) / n] };
    if (best === undefined || run.rowsPerSec > best.rowsPerSec) best = run;
  }
  return best!;
}

/** `scan+decode 2100, selection 300, ... ns/row`. */
function breakdownNote(r: InProcessRun): string {
  const [scan, sel, agg, rest] = r.nsPerRow.map((x) => x.toFixed(0));
  return `ns/row: scan+decode ${scan}, selection ${sel}, agg ${agg}, encode+rest ${rest}`;
}

/**
 * ClassicEngine's iterator over the same keys: with `decode`, `nextBatch` with each write
 * record decoded (the engine + record layer); without, `nextEntries` with nothing decoded
 * (the engine floor under the MVCC scan, which reads through it).
 */
async function engineIteration(dir: string, decode: boolean): Promise<number> {
  const engine = await ClassicEngine.open(dir);
  const { start, end } = tableRecordRange(LINEITEM_TABLE_ID);
  let best = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = nowUs();
      const it = engine.iterator('write', { lowerBound: encodeKey(start), upperBound: encodeKey(end) });
      let n = 0;
      if (decode) {
        for (let chunk = await it.nextBatch(NEXTV_ENTRIES); chunk.length > 0; chunk = await it.nextBatch(NEXTV_ENTRIES)) {
          for (const e of chunk) if (Write.decode(e.value).shortValue === undefined) throw new Error('row without a short value');
          n += chunk.length;
        }
      } else {
        for (let b = await it.nextEntries(NEXTV_ENTRIES); b.entries.length > 0; b = await it.nextEntries(NEXTV_ENTRIES)) n += b.entries.length;
      }
      await it.close();
      if (n !== ROWS) throw new Error(`engine iteration saw ${n} keys`);
      best = Math.max(best, n / ((nowUs() - t0) / 1e6));
    }
  } finally {
    await engine.close();
  }
  return best;
}

/**
 * Storage's MVCC view in this process (Storage over one engine-wide region, no raftstore, no
 * gRPC): pulls every visible pair through `MvccScanSource` alone, then runs Q1 on it as one
 * request. Separates the MVCC read path from the store/gRPC path.
 */
async function mvccInProcess(dir: string): Promise<{ pullRowsPerSec: number; descRowsPerSec: number; q1RowsPerSec: number }> {
  const engine = await ClassicEngine.open(dir);
  const storage = new Storage(new SingleRegionKv(engine), realClock);
  const ctx = { regionId: 1n, confVer: 1n, version: 1n, peerId: 1n, storeId: 1n };
  const range = tableRecordRange(LINEITEM_TABLE_ID);
  const startTs = LOAD_COMMIT_TS + 1n;
  const open = async () => {
    const snap = await storage.readSnapshot(ctx, null, startTs, [range]);
    if (!('snapshot' in snap)) throw new Error('readSnapshot failed');
    return snap;
  };
  let pull = 0;
  let desc = 0;
  let q1 = 0;
  const data = encodeMessage('tipb.DAGRequest', q1Dag());
  try {
    const pullAll = async (descending: boolean): Promise<number> => {
      const snap = await open();
      const t0 = nowUs();
      const source = new MvccScanSource(snap.snapshot, snap.read, snap.range);
      const cursor = source.openCursor([range], descending);
      let n = 0;
      for (;;) {
        const chunk = await cursor.next(BATCH_ROWS_MAX);
        n += chunk.keys.length;
        if (chunk.drained) break;
      }
      await source.close();
      snap.snapshot.release();
      if (n !== ROWS) throw new Error(`MvccScanSource saw ${n} rows`);
      return n / ((nowUs() - t0) / 1e6);
    };
    for (let round = 0; round < ROUNDS; round++) {
      pull = Math.max(pull, await pullAll(false));
      desc = Math.max(desc, await pullAll(true));

      const snap2 = await open();
      const t1 = nowUs();
      const resp = await handleCoprocessorRequest({ tp: 103n, data, ranges: [range], startTs }, new MvccScanSource(snap2.snapshot, snap2.read, snap2.range));
      snap2.snapshot.release();
      if (resp.otherError) throw new Error(`MVCC in-process Q1: ${resp.otherError}`);
      q1 = Math.max(q1, ROWS / ((nowUs() - t1) / 1e6));
    }
  } finally {
    await engine.close();
  }
  return { pullRowsPerSec: pull, descRowsPerSec: desc, q1RowsPerSec: q1 };
}

export async function run(): Promise<BenchRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'bench-copr-'));
  const rows: BenchRow[] = [];
  const load0 = loadavg()[0]!.toFixed(2);
  try {
    const dataDir = join(work, 'cluster');
    const engineDir = join(dataDir, 'tikv');
    const loaded = await bulkLoad(engineDir);
    process.stderr.write(`copr: loaded ${ROWS} rows (${(loaded.bytes / ROWS).toFixed(0)} B/row) in ${(loaded.ms / 1000).toFixed(1)} s\n`);

    const compactMs = await compact(engineDir);
    process.stderr.write(`copr: compacted in ${(compactMs / 1000).toFixed(1)} s\n`);

    // (a) The storage limit: classic-level iterating the same keys, before the store opens them.
    const bare = await bareIteration(engineDir);
    if (bare.keys !== ROWS) throw new Error(`bare iteration saw ${bare.keys} keys, loaded ${ROWS}`);
    const bareName = 'classic-level direct: nextv over the write CF';
    rows.push({ name: bareName, opsPerSec: bare.rowsPerSec, unit: 'rows', note: `${NEXTV_ENTRIES}/nextv, no decoding` });

    // (b) The arithmetic limit and the oracle.
    const q1Ref = timeLoop(() => q1Loop(loaded.columns));
    const q6Ref = timeLoop(() => q6Loop(loaded.columns));
    const q1LoopName = 'typed-array loop: Q1';
    const q6LoopName = 'typed-array loop: Q6';
    rows.push({ name: q1LoopName, opsPerSec: q1Ref.rowsPerSec, unit: 'rows', note: 'pre-decoded Int32 columns, exact' });
    rows.push({ name: q6LoopName, opsPerSec: q6Ref.rowsPerSec, unit: 'rows', note: 'pre-decoded Int32 columns, exact' });

    rows.push({ name: 'ClassicEngine iterator + Write.decode', opsPerSec: await engineIteration(engineDir, true), unit: 'rows', baseline: bareName, note: `nextBatch(${NEXTV_ENTRIES}), write CF record decoded` });

    const entriesName = 'ClassicEngine nextEntries (MVCC scan floor)';
    rows.push({ name: entriesName, opsPerSec: await engineIteration(engineDir, false), unit: 'rows', baseline: bareName, note: `nextEntries(${NEXTV_ENTRIES}), nothing decoded: what the MVCC scan reads through` });

    const mvcc = await mvccInProcess(engineDir);
    rows.push({ name: 'MvccScanSource pull (in process)', opsPerSec: mvcc.pullRowsPerSec, unit: 'rows', baseline: bareName, note: `Storage.readSnapshot over the engine, next(${BATCH_ROWS_MAX}), no coprocessor` });
    rows.push({ name: 'MvccScanSource pull vs its engine floor', opsPerSec: mvcc.pullRowsPerSec, unit: 'rows', baseline: entriesName, note: 'lock check, version visibility, row key decode, value views' });
    rows.push({ name: 'MvccScanSource pull, desc (in process)', opsPerSec: mvcc.descRowsPerSec, unit: 'rows', baseline: 'MvccScanSource pull (in process)', note: 'reverse cursor (MvccReverseScanner)' });
    rows.push({ name: 'copr Q1 over MvccScanSource (in process)', opsPerSec: mvcc.q1RowsPerSec, unit: 'rows', baseline: 'MvccScanSource pull (in process)', note: 'one request over the whole table, no gRPC, no raftstore' });

    // The coprocessor alone (decode + evaluate + encode; rows already in memory).
    const inRows = loaded.sample.length;
    const inNote = `${inRows} rows in memory`;
    const inScanChunk = await inProcess(loaded.sample, scanOnlyDag(EncodeType.Chunk));
    rows.push({ name: 'in-process copr: scan only, Chunk', opsPerSec: inScanChunk.rowsPerSec, unit: 'rows', baseline: bareName, note: `7 cols; ${breakdownNote(inScanChunk)}` });
    const inScanArrow = await inProcess(loaded.sample, scanOnlyDag(EncodeType.ArrowIpc));
    rows.push({ name: 'in-process copr: scan only, Arrow', opsPerSec: inScanArrow.rowsPerSec, unit: 'rows', baseline: 'in-process copr: scan only, Chunk', note: breakdownNote(inScanArrow) });
    const inQ1 = await inProcess(loaded.sample, q1Dag());
    rows.push({ name: 'in-process copr: Q1', opsPerSec: inQ1.rowsPerSec, unit: 'rows', baseline: q1LoopName, note: breakdownNote(inQ1) });
    const inQ6 = await inProcess(loaded.sample, q6Dag());
    rows.push({ name: 'in-process copr: Q6', opsPerSec: inQ6.rowsPerSec, unit: 'rows', baseline: q6LoopName, note: `${breakdownNote(inQ6)}; ${inNote}, MemoryScanSource, no gRPC` });
    loaded.sample.length = 0;

    const t0 = nowUs();
    const cluster = await startCluster({
      dataDir,
      pdPort: 0,
      tikvPort: 0,
      statusPort: 0,
      raftstore: { regionSplitKeys: 1e9, regionMaxKeys: 1.5e9, regionSplitSizeBytes: 1e13, regionMaxSizeBytes: 1.5e13 },
      logger: createLogger('bench', 'error'),
    });
    const client = createClient('tikvpb.Tikv', cluster.tikvAddr);
    const pd = await PdClient.connect({ endpoints: [cluster.pdAddr] });
    try {
      const tasks = await splitAndListRegions(client, pd);
      process.stderr.write(`copr: cluster up and split into ${tasks.length} regions in ${((nowUs() - t0) / 1e6).toFixed(1)} s\n`);
      const startTs = await pd.getTs();
      const note = `${tasks.length} regions, ${CONCURRENCY} in flight`;
      const rate = (r: CoprRun): number => ROWS / (r.ms / 1000);

      const count = await bestRun(client, tasks, countDag(), startTs);
      if (scannedRows(count) !== ROWS) throw new Error(`count(*) scanned ${scannedRows(count)} rows, loaded ${ROWS}`);
      rows.push({ name: 'gRPC copr: count(*), 1 col decoded', opsPerSec: rate(count), unit: 'rows', baseline: bareName, note: `iteration + MVCC + 1-col decode; ${note}` });

      const scanChunk = await bestRun(client, tasks, scanOnlyDag(EncodeType.Chunk), startTs);
      rows.push({ name: 'gRPC copr: scan only, Chunk', opsPerSec: rate(scanChunk), unit: 'rows', baseline: bareName, note: `7 cols, ${(scanChunk.responseBytes / 1e6).toFixed(0)} MB out; ${note}` });
      const scanArrow = await bestRun(client, tasks, scanOnlyDag(EncodeType.ArrowIpc), startTs);
      rows.push({ name: 'gRPC copr: scan only, Arrow', opsPerSec: rate(scanArrow), unit: 'rows', baseline: 'gRPC copr: scan only, Chunk', note: `7 cols, ${(scanArrow.responseBytes / 1e6).toFixed(0)} MB out` });

      const q1 = await bestRun(client, tasks, q1Dag(), startTs);
      assertQ1Equal(mergeQ1(q1), q1Ref.result);
      rows.push({ name: 'gRPC copr: Q1', opsPerSec: rate(q1), unit: 'rows', baseline: q1LoopName, note: `result = loop (exact); ${note}` });
      const q6 = await bestRun(client, tasks, q6Dag(), startTs);
      const q6Sum = mergeQ6(q6);
      if (q6Sum !== q6Ref.result) throw new Error(`Q6 via coprocessor ${q6Sum} != typed-array loop ${q6Ref.result} (scale 4)`);
      rows.push({ name: 'gRPC copr: Q6', opsPerSec: rate(q6), unit: 'rows', baseline: q6LoopName, note: `result = loop (exact); ${note}` });
      rows.push({ name: 'gRPC copr: Q1 vs bare iteration', opsPerSec: rate(q1), unit: 'rows', baseline: bareName });

      const nsPerRow = (r: CoprRun): string => `${((r.ms * 1e6) / ROWS).toFixed(0)} ns/row wall`;
      process.stderr.write(
        `copr where the time goes (wall ns per row over gRPC): count(*) ${nsPerRow(count)}, scan Chunk ${nsPerRow(scanChunk)}, scan Arrow ${nsPerRow(scanArrow)}, Q1 ${nsPerRow(q1)}, Q6 ${nsPerRow(q6)}\n`,
      );
      // The store runs the coprocessor without a clock, so summaries over gRPC carry no times; check that it still fills them.
      const summarized = await runDag(client, tasks, q1Dag(EncodeType.Chunk, true), startTs);
      const summaryRows = summarized.responses.reduce((n, sel) => n + Number(sel.executionSummaries[0]?.numProducedRows ?? 0n), 0);
      if (summaryRows !== ROWS) throw new Error(`execution summaries report ${summaryRows} scanned rows, loaded ${ROWS}`);
      rows.push({ name: 'gRPC copr: Q1 with execution summaries', opsPerSec: rate(summarized), unit: 'rows', baseline: 'gRPC copr: Q1', note: `time_processed_ns = ${summaryMs(summarized)[0]?.toFixed(0) ?? '?'} ms: the store passes no clock` });
    } finally {
      client.close();
      pd.close();
      await cluster.stop();
    }
    rows.push({ name: 'setup: bulk load', opsPerSec: ROWS / (loaded.ms / 1000), unit: 'rows', note: `${ROWS} rows, ${(loaded.bytes / 1e6).toFixed(0)} MB row v2, ${(loaded.ms / 1000).toFixed(1)} s + compaction ${(compactMs / 1000).toFixed(1)} s; loadavg ${load0} → ${loadavg()[0]!.toFixed(2)}` });
    // Ratios to the loops print as 0.00x; say how many times slower in the note instead.
    for (const row of rows) {
      const base = rows.find((r) => r.name === row.baseline);
      if (base !== undefined && base.opsPerSec > 100 * row.opsPerSec) row.note = `${(base.opsPerSec / row.opsPerSec).toFixed(0)}x slower; ${row.note ?? ''}`;
    }
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
