// Proves TikvServer over real gRPC: raw RPCs, region errors, edge errors, SplitRegion, BatchCommands, health, malformed bytes, status HTTP.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEngine } from '../engine/mod.ts';
import { createClient, type ServiceClient, type tikvpb } from '../proto/mod.ts';
import { PdStubForTests } from '../raftstore/mod.ts';
import { contextOf } from './test_context.ts';
import { TikvServer } from './tikv_server.ts';

const te = new TextEncoder();
const k = (s: string): Uint8Array => te.encode(s);
const str = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString();

let pd: PdStubForTests;
let server: TikvServer;
let client: ServiceClient<'tikvpb.Tikv'>;


beforeAll(async () => {
  pd = new PdStubForTests();
  server = await TikvServer.start(
    { addr: '127.0.0.1:0', statusAddr: '127.0.0.1:0', dataDir: '/nonexistent-memory-engine' },
    { pd, engine: new MemoryEngine() },
  );
  client = createClient('tikvpb.Tikv', server.addr);
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

describe('TikvServer', () => {
  it('registers with PD: bootstrap region, store addresses and version', () => {
    const store = pd.stores.get(server.store.storeId)!;
    expect(store.address).toBe(server.addr);
    expect(store.statusAddress).toBe(server.statusAddr);
    expect(store.version).toBe('7.1.0');
    expect(pd.regions.size).toBe(1);
  });

  it('answers grpc.health.v1 Check with SERVING', async () => {
    const health = createClient('grpc.health.v1.Health', server.addr);
    expect((await health.Check({ service: '' })).status).toBe(1);
    health.close();
  });

  it('serves RawPut / RawGet and maps region errors', async () => {
    const region = server.store.regions()[0]!;
    const put = await client.RawPut({ context: contextOf(region), key: k('hello'), value: k('world') });
    expect(put.regionError).toBeFalsy();
    expect(put.error).toBe('');
    const got = await client.RawGet({ context: contextOf(region), key: k('hello') });
    expect(str(got.value)).toBe('world');
    const missing = await client.RawGet({ context: contextOf(region), key: k('nope') });
    expect(missing.notFound).toBe(true);

    const wrongStore = await client.RawGet({ context: { ...contextOf(region), peer: { id: 1n, storeId: 999n } }, key: k('x') });
    expect(wrongStore.regionError?.storeNotMatch?.requestStoreId).toBe(999n);
    const noRegion = await client.RawGet({ context: { ...contextOf(region), regionId: 12345n }, key: k('x') });
    expect(noRegion.regionError?.regionNotFound?.regionId).toBe(12345n);
    const noEpoch = await client.RawGet({ context: { regionId: region.id }, key: k('x') });
    expect(noEpoch.regionError?.message).toMatch(/missing epoch/);
  });

  it('rejects raw TTL, API V2 and oversize keys with clear errors and keeps serving', async () => {
    const region = server.store.regions()[0]!;
    const ttl = await client.RawPut({ context: contextOf(region), key: k('t'), value: k('v'), ttl: 10n });
    expect(ttl.error).toMatch(/TTL is not enabled/);
    const v2 = await client.RawGet({ context: { ...contextOf(region), apiVersion: 2 }, key: k('t') });
    expect(v2.error).toMatch(/api version V2 is not supported/);
    const big = await client.RawPut({ context: contextOf(region), key: new Uint8Array(8 * 1024 + 1), value: k('v') });
    expect(big.error).toMatch(/key is too large/);
    const txnBig = await client.KvPrewrite({ context: contextOf(region), mutations: [{ key: new Uint8Array(9000) }] });
    expect(txnBig.errors[0]?.abort).toMatch(/key is too large/);
    const ok = await client.RawGet({ context: contextOf(region), key: k('hello') });
    expect(str(ok.value)).toBe('world');
  });

  it('answers unsupported or malformed Coprocessor requests with other_error', async () => {
    const region = server.store.regions()[0]!;
    const analyze = await client.Coprocessor({ context: contextOf(region), tp: 104n });
    expect(analyze.otherError).toMatch(/unsupported tp 104/);
    const garbage = await client.Coprocessor({ context: contextOf(region), tp: 103n, data: new Uint8Array([0xff, 0xff, 0xff]) });
    expect(garbage.otherError).toMatch(/malformed DAGRequest/);
  });

  it('answers malformed protobuf bytes with an error status and keeps serving', async () => {
    const raw = new grpc.Client(server.addr, grpc.credentials.createInsecure());
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest(
        '/tikvpb.Tikv/RawGet',
        (b: Buffer) => b,
        (b: Buffer) => b,
        garbage,
        (e) => resolve(e),
      ),
    );
    expect(err?.code).toBeDefined();
    expect(err?.code).not.toBe(grpc.status.OK);
    raw.close();
    const region = server.store.regions()[0]!;
    const ok = await client.RawGet({ context: contextOf(region), key: k('hello') });
    expect(str(ok.value)).toBe('world');
  });

  it('serves BatchCommands: every request id answered, writes group-committed', async () => {
    const region = server.store.regions()[0]!;
    const stream = client.BatchCommands();
    const answers = new Map<bigint, tikvpb.BatchCommandsResponse.Response>();
    const n = 200;
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (res: tikvpb.BatchCommandsResponse) => {
        res.requestIds.forEach((id, i) => answers.set(id, res.responses[i]!));
        if (answers.size === n + 2) resolve();
      });
      stream.on('error', reject);
    });
    const puts = Array.from({ length: n }, (_, i) => ({
      RawPut: { context: contextOf(region), key: k(`batch-${String(i).padStart(3, '0')}`), value: k(`v${i}`) },
    }));
    stream.write({ requests: puts.slice(0, 100), requestIds: puts.slice(0, 100).map((_, i) => BigInt(i)) });
    stream.write({ requests: puts.slice(100), requestIds: puts.slice(100).map((_, i) => BigInt(100 + i)) });
    stream.write({ requests: [{ Empty: { testId: 77n } }, {}], requestIds: [1000n, 1001n] });
    await done;
    for (let i = 0; i < n; i++) {
      const r = answers.get(BigInt(i))!;
      expect(r.RawPut?.error ?? '').toBe('');
      expect(r.RawPut?.regionError).toBeFalsy();
    }
    expect(answers.get(1000n)?.Empty?.testId).toBe(77n);
    expect(answers.get(1001n)).toBeDefined();

    // A scan over the same stream sees every acknowledged write.
    const scanDone = new Promise<tikvpb.BatchCommandsResponse>((resolve) => stream.once('data', resolve));
    stream.write({ requests: [{ RawScan: { context: contextOf(region), startKey: k('batch-'), endKey: k('batch.'), limit: 1000 } }], requestIds: [2000n] });
    const scan = await scanDone;
    expect(scan.responses[0]!.RawScan?.kvs.length).toBe(n);
    stream.end();
  });

  it('splits on SplitRegion (raw keys verbatim) and old epochs get EpochNotMatch with both regions', async () => {
    const region = server.store.regions()[0]!;
    const res = await client.SplitRegion({ context: contextOf(region), splitKeys: [k('m')], isRawKv: true });
    expect(res.regionError).toBeFalsy();
    expect(res.regions.length).toBe(2);
    expect(str(res.regions[0]!.endKey)).toBe('m');
    expect(str(res.regions[1]!.startKey)).toBe('m');
    expect(res.regions.every((r) => r.regionEpoch?.version === 2n)).toBe(true);
    const stale = await client.RawGet({ context: contextOf(region), key: k('hello') });
    expect(stale.regionError?.epochNotMatch?.currentRegions.map((r) => r.id).sort()).toEqual(
      res.regions.map((r) => r.id).sort(),
    );
    // The new left region serves its keys; the right one answers KeyNotInRegion for them (writes).
    const left = res.regions.find((r) => r.endKey.length > 0)!;
    const right = res.regions.find((r) => r.endKey.length === 0)!;
    const fresh = await client.RawGet({ context: contextOf(left), key: k('hello') });
    expect(str(fresh.value)).toBe('world');
    const misplaced = await client.RawPut({ context: contextOf(right), key: k('a'), value: k('v') });
    expect(misplaced.regionError?.keyNotInRegion?.regionId).toBe(right.id);

    // Txn split keys are memcomparable-encoded.
    const txn = await client.SplitRegion({ context: contextOf(right), splitKeys: [k('t')] });
    expect(Buffer.from(txn.regions[1]!.startKey).toString('hex')).toBe('7400000000000000f8');
  });

  it('serves /metrics and /status', async () => {
    const metrics = await (await fetch(`http://${server.statusAddr}/metrics`)).text();
    expect(metrics).toMatch(/tikv_grpc_msg_total\{type="RawPut",outcome="ok"\}/);
    expect(metrics).toMatch(/tikv_raftstore_batch_proposals_count/);
    expect(metrics).toMatch(/tikv_raftstore_region_count \d+/);
    const status = (await (await fetch(`http://${server.statusAddr}/status`)).json()) as Record<string, unknown>;
    expect(status['storeId']).toBe(server.store.storeId.toString());
    expect(status['state']).toBe('serving');
    expect((await fetch(`http://${server.statusAddr}/nope`)).status).toBe(404);
  });
});
