// Proves the Coprocessor RPC end to end: a TiDB table-scan DAG over rows committed through gRPC, clipped to the region, locks answered as `locked`, tipb via the proto runtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncodeType, ExecType, type DAGRequest } from '../../coprocessor/mod.ts';
import type { FieldType } from '../../coprocessor/dag_types.ts';
import { columnInfo, decodeChunk, encodeRowV2, FT, recordKey, tableRange } from '../../coprocessor/testing.ts';
import { MemoryEngine } from '../engine/mod.ts';
import { createClient, decodeMessage, type DeepPartial, encodeMessage, type kvrpcpb, type ServiceClient, type tipb } from '../proto/mod.ts';
import { PdStubForTests } from '../raftstore/mod.ts';
import { contextOf } from './test_context.ts';
import { TikvServer } from './tikv_server.ts';

const TABLE = 42n;
const ROWS = 30;
const TP_DAG = 103n;
const COLS = [columnInfo(1, FT.bigint, { pkHandle: true }), columnInfo(2, FT.int)];
const TYPES: FieldType[] = [FT.bigint, FT.int];

let server: TikvServer;
let client: ServiceClient<'tikvpb.Tikv'>;


function dagBytes(): Uint8Array {
  const dag: DAGRequest = {
    executors: [{ tp: ExecType.TableScan, tblScan: { tableId: TABLE, columns: COLS }, executorId: 'TableFullScan_1' }],
    outputOffsets: [0, 1],
    encodeType: EncodeType.Chunk,
    flags: 482n,
  } as DAGRequest;
  return encodeMessage('tipb.DAGRequest', dag);
}

async function scanTable(ctx: DeepPartial<kvrpcpb.Context>, startTs: bigint) {
  const res = await client.Coprocessor({ context: ctx, tp: TP_DAG, data: dagBytes(), startTs, ranges: [tableRange(TABLE)] });
  if (res.regionError || res.locked || res.otherError) return { res, rows: [] as unknown[][] };
  const sel = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', res.data);
  const rows = sel.chunks.flatMap((c) => decodeChunk(c.rowsData, TYPES));
  return { res, rows };
}

beforeAll(async () => {
  server = await TikvServer.start(
    { addr: '127.0.0.1:0', statusAddr: '127.0.0.1:0', dataDir: '/nonexistent-memory-engine' },
    { pd: new PdStubForTests(), engine: new MemoryEngine() },
  );
  client = createClient('tikvpb.Tikv', server.addr);
  const ctx = contextOf(server.store.regions()[0]!);
  const mutations = Array.from({ length: ROWS }, (_, i) => ({
    op: 0,
    key: recordKey(TABLE, BigInt(i + 1)),
    value: encodeRowV2([{ id: 2, ft: FT.int, value: BigInt((i + 1) * 10) }]),
  }));
  const pw = await client.KvPrewrite({ context: ctx, mutations, primaryLock: mutations[0]!.key, startVersion: 10n, lockTtl: 3000n });
  expect(pw.errors).toEqual([]);
  const cm = await client.KvCommit({ context: ctx, keys: mutations.map((m) => m.key), startVersion: 10n, commitVersion: 11n });
  expect(cm.error).toBeFalsy();
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

describe('Coprocessor over Storage', () => {
  it('runs a table scan DAG at start_ts', async () => {
    const region = server.store.regions()[0]!;
    const { res, rows } = await scanTable(contextOf(region), 100n);
    expect(res.otherError).toBe('');
    expect(rows.length).toBe(ROWS);
    expect(rows[0]).toEqual([1n, 10n]);
    expect(rows[ROWS - 1]).toEqual([BigInt(ROWS), BigInt(ROWS * 10)]);
    // Before the commit nothing is visible.
    expect((await scanTable(contextOf(region), 5n)).rows.length).toBe(0);
  });

  it('answers a cache hit with no data while the region has not changed', async () => {
    // Proves the copr-cache protocol: can_be_cached + cache_last_version, then is_cache_hit
    // for the same version, and a miss once a write is applied to the region.
    const region = server.store.regions()[0]!;
    const req = { context: contextOf(region), tp: TP_DAG, data: dagBytes(), startTs: 100n, ranges: [tableRange(TABLE)], isCacheEnabled: true };
    const first = await client.Coprocessor(req);
    expect(first.canBeCached).toBe(true);
    expect(first.data.length).toBeGreaterThan(0);
    const version = first.cacheLastVersion;
    const hit = await client.Coprocessor({ ...req, cacheIfMatchVersion: version });
    expect(hit.isCacheHit).toBe(true);
    expect(hit.data.length).toBe(0);
    await client.RawPut({ context: contextOf(region), key: Buffer.from('zz-cache-bump'), value: Buffer.from('1') });
    const miss = await client.Coprocessor({ ...req, cacheIfMatchVersion: version });
    expect(miss.isCacheHit).toBe(false);
    expect(miss.data.length).toBeGreaterThan(0);
    expect(miss.cacheLastVersion > version).toBe(true);
  });

  it('answers a lock in range with `locked`', async () => {
    const region = server.store.regions()[0]!;
    const key = recordKey(TABLE, 1000n);
    await client.KvPrewrite({
      context: contextOf(region),
      mutations: [{ op: 0, key, value: encodeRowV2([{ id: 2, ft: FT.int, value: 1n }]) }],
      primaryLock: key,
      startVersion: 200n,
      lockTtl: 3000n,
    });
    const { res } = await scanTable(contextOf(region), 300n);
    expect(res.locked?.lockVersion).toBe(200n);
    await client.KvBatchRollback({ context: contextOf(region), startVersion: 200n, keys: [key] });
    expect((await scanTable(contextOf(region), 300n)).rows.length).toBe(ROWS);
  });

  it('clips the scan to the region after a split and rejects stale epochs', async () => {
    const before = server.store.regions()[0]!;
    const split = await client.SplitRegion({ context: contextOf(before), splitKeys: [recordKey(TABLE, 11n)] });
    const [left, right] = split.regions;
    expect((await scanTable(contextOf(left!), 100n)).rows.length).toBe(10);
    expect((await scanTable(contextOf(right!), 100n)).rows.length).toBe(ROWS - 10);
    expect((await scanTable(contextOf(before), 100n)).res.regionError?.epochNotMatch).toBeTruthy();
  });

  it('answers store batch tasks in batch_responses by task_id, each as its own request would be answered', async () => {
    // Every region of the store becomes one task (earlier tests split the table); a task for an
    // unknown region gets its own region error while the others still answer.
    const regions = server.store.regions();
    const [first, ...others] = regions;
    const alone = async (region: (typeof regions)[number]) => (await scanTable(contextOf(region), 100n)).rows;
    const res = await client.Coprocessor({
      context: contextOf(first!),
      tp: TP_DAG,
      data: dagBytes(),
      startTs: 100n,
      ranges: [tableRange(TABLE)],
      tasks: [
        ...others.map((r, i) => ({ ...contextOf(r), ranges: [tableRange(TABLE)], taskId: BigInt(i + 1) })),
        { regionId: 999n, regionEpoch: { confVer: 1n, version: 1n }, peer: contextOf(first!).peer, ranges: [tableRange(TABLE)], taskId: 99n },
      ],
    });
    const rowsOf = (data: Uint8Array) => decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', data).chunks.flatMap((c) => decodeChunk(c.rowsData, TYPES));
    expect(res.otherError).toBe('');
    expect(rowsOf(res.data)).toEqual(await alone(first!));
    expect(res.batchResponses.map((b) => b.taskId)).toEqual([...others.map((_, i) => BigInt(i + 1)), 99n]);
    let total = rowsOf(res.data).length;
    for (let i = 0; i < others.length; i++) {
      expect(res.batchResponses[i]!.regionError).toBeFalsy();
      const got = rowsOf(res.batchResponses[i]!.data);
      expect(got).toEqual(await alone(others[i]!));
      total += got.length;
    }
    expect(total).toBe(ROWS);
    expect(res.batchResponses[others.length]!.regionError?.regionNotFound?.regionId).toBe(999n);
  });
});
