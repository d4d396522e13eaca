// Proves the coprocessor client against the real store: a table-scan DAG split by region runs per region in key order, follows paging, re-splits after another client's split (EpochNotMatch), and reads through a live lock after pushing its min_commit_ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncodeType, ExecType, type DAGRequest } from '../../coprocessor/mod.ts';
import type { FieldType } from '../../coprocessor/dag_types.ts';
import { columnInfo, decodeChunk, encodeRowV2, FT, recordKey, tableRange } from '../../coprocessor/testing.ts';
import { decodeMessage, encodeMessage, type tipb } from '../../src/proto/mod.ts';
import { bytesCompare } from '../../src/util/mod.ts';
import type { TikvCopResult, TikvKvClient } from '../../sql-demo/kv/mod.ts';
import { startFixture, type ClusterFixture } from './cluster_fixture.ts';

const TABLE = 77n;
const ROWS = 200;
const TYPES: FieldType[] = [FT.bigint, FT.int];
const DAG = encodeMessage('tipb.DAGRequest', {
  executors: [{ tp: ExecType.TableScan, tblScan: { tableId: TABLE, columns: [columnInfo(1, FT.bigint, { pkHandle: true }), columnInfo(2, FT.int)] }, executorId: 'TableFullScan_1' }],
  outputOffsets: [0, 1],
  encodeType: EncodeType.Chunk,
  flags: 482n,
} as DAGRequest);

let fx: ClusterFixture;
let client: TikvKvClient;

beforeAll(async () => {
  fx = await startFixture();
  client = await fx.connect();
  const t = await client.begin();
  for (let i = 1; i <= ROWS; i++) t.set(recordKey(TABLE, BigInt(i)), encodeRowV2([{ id: 2, ft: FT.int, value: BigInt(i * 10) }]));
  await t.commit();
  await client.flushBackground();
  await client.splitRegions([50n, 100n, 150n].map((h) => recordKey(TABLE, h)));
});
afterAll(async () => {
  await fx?.stop();
});

async function scan(c: TikvKvClient, opts: { pagingSize?: bigint; startTs?: bigint } = {}): Promise<{ results: TikvCopResult[]; handles: bigint[] }> {
  const results: TikvCopResult[] = [];
  const handles: bigint[] = [];
  const startTs = opts.startTs ?? (await c.getTs());
  for await (const r of c.coprocessor({ tp: 103, data: DAG, ranges: [tableRange(TABLE)], startTs, pagingSize: opts.pagingSize, concurrency: 2 })) {
    results.push(r as TikvCopResult);
    const sel = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', r.data);
    expect(sel.error ?? null).toBeNull();
    for (const ch of sel.chunks) for (const row of decodeChunk(ch.rowsData, TYPES)) handles.push(row[0] as bigint);
  }
  return { results, handles };
}

const all = (n: number): bigint[] => Array.from({ length: n }, (_, i) => BigInt(i + 1));

describe('coprocessor client on the real store', () => {
  it('one task per region, in key order, every row once', async () => {
    const { results, handles } = await scan(client);
    expect(handles).toEqual(all(ROWS));
    const regions = await client.regions(tableRange(TABLE).start, tableRange(TABLE).end);
    expect(results.map((r) => r.regionId)).toEqual(regions.map((r) => r.id));
    for (let i = 1; i < results.length; i++) expect(bytesCompare(results[i - 1]!.range.end, results[i]!.range.start) <= 0).toBe(true);
  });

  it('follows paging (range in the response) until each task drains', async () => {
    const { results, handles } = await scan(client, { pagingSize: 16n });
    expect(handles).toEqual(all(ROWS));
    expect(results.length).toBeGreaterThan(4);
  });

  it('a consumer that stops early releases the parked producers', async () => {
    const startTs = await client.getTs();
    let n = 0;
    for await (const _ of client.coprocessor({ tp: 103, data: DAG, ranges: [tableRange(TABLE)], startTs, pagingSize: 8n, concurrency: 4 })) {
      if (++n === 2) break;
    }
    expect(n).toBe(2);
    expect((await scan(client)).handles).toEqual(all(ROWS));
  });

  it('re-splits a task after another client splits its region', async () => {
    const other = await fx.connect();
    await scan(client); // warm the cache
    await other.splitRegions([recordKey(TABLE, 175n), recordKey(TABLE, 25n)]);
    const { results, handles } = await scan(client);
    expect(handles).toEqual(all(ROWS));
    expect(results.length).toBe(6);
  });

  it('reads through a live lock after CheckTxnStatus pushes its min_commit_ts; the writer then commits above the reader', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let prewritten!: () => void;
    const prewriteDone = new Promise<void>((r) => (prewritten = r));
    const writer = await fx.connect({ asyncCommit: false, onePc: false, beforeCommitPrimary: async () => { prewritten(); await gate; } });
    const t = await writer.begin();
    t.set(recordKey(TABLE, 1000n), encodeRowV2([{ id: 2, ft: FT.int, value: 1n }]));
    t.set(recordKey(TABLE, 60n), encodeRowV2([{ id: 2, ft: FT.int, value: 7n }]));
    const committing = t.commit();
    await prewriteDone;
    const readTs = await client.getTs();
    const started = Date.now();
    const { handles } = await scan(client, { startTs: readTs });
    expect(Date.now() - started).toBeLessThan(2500); // did not wait for the 3 s TTL
    expect(handles).toEqual(all(ROWS));
    release();
    const commitTs = await committing;
    expect(commitTs > readTs).toBe(true);
    expect((await scan(client)).handles).toEqual([...all(ROWS), 1000n]);
  });
});
