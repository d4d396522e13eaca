// Proves PD's HTTP API on the gRPC port: region statistics from heartbeats (MiB, at least 1), key-range scans with percent-encoded binary keys, stores, members, and JSON errors for bad requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdServer } from './pd_server.ts';
import { percentDecode, percentEncode } from './pd_http_api.ts';
import { PdClient } from '../pd_client/mod.ts';

const dir = mkdtempSync(join(tmpdir(), 'pd-http-'));
let pd: PdServer;
let client: PdClient;
const MiB = 1024n * 1024n;

function region(id: bigint, start: Uint8Array, end: Uint8Array, version: bigint) {
  return { id, startKey: start, endKey: end, regionEpoch: { confVer: 1n, version }, peers: [{ id: id + 100n, storeId: 1n }] };
}

async function get(path: string): Promise<{ status: number; body: unknown; text: string }> {
  const res = await fetch(`${pd.clientUrl}${path}`);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown, text };
}

beforeAll(async () => {
  pd = await PdServer.start({ dataDir: dir, clientUrl: 'http://127.0.0.1:0' });
  client = await PdClient.connect({ endpoints: [pd.clientUrl] });
  await client.bootstrap({ id: 1n, address: '127.0.0.1:20160', statusAddress: '127.0.0.1:20180' }, region(2n, new Uint8Array(), new Uint8Array(), 1n));
  // Binary boundaries, including bytes that are not valid UTF-8.
  await client.reportBatchSplit([region(2n, new Uint8Array(), Uint8Array.of(0x74, 0x80, 0xff), 2n), region(3n, Uint8Array.of(0x74, 0x80, 0xff), new Uint8Array(), 2n)]);
  client.regionHeartbeat({ region: region(2n, new Uint8Array(), Uint8Array.of(0x74, 0x80, 0xff), 2n), leader: { id: 102n, storeId: 1n }, approximateSize: 5n * MiB + 7n, approximateKeys: 1234n });
  client.regionHeartbeat({ region: region(3n, Uint8Array.of(0x74, 0x80, 0xff), new Uint8Array(), 2n), leader: { id: 103n, storeId: 1n }, approximateSize: 10n, approximateKeys: 1n });
  for (let i = 0; i < 100 && (await client.regionStats(3n))?.approximateKeys !== 1n; i++) await new Promise((r) => setTimeout(r, 20));
}, 30_000);

afterAll(async () => {
  client?.close();
  await pd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('PD HTTP API', () => {
  it('reports region sizes in MiB as PD does (a non-empty region is at least 1)', async () => {
    expect(await client.regionStats(2n)).toEqual({ approximateSizeMiB: 5n, approximateKeys: 1234n });
    expect(await client.regionStats(3n)).toEqual({ approximateSizeMiB: 1n, approximateKeys: 1n });
    expect(await client.regionStats(999n)).toBeUndefined();
    const r = await get('/pd/api/v1/region/id/2');
    expect(r.body).toMatchObject({ id: 2, start_key: '', end_key: '7480FF', epoch: { conf_ver: 1, version: 2 }, leader: { id: 102, store_id: 1 }, approximate_size: 5 });
  });

  it('scans regions by binary key range and looks one up by key', async () => {
    const all = (await get('/pd/api/v1/regions')).body as { count: number; regions: Array<{ id: number }> };
    expect(all.count).toBe(2);
    const tail = (await get(`/pd/api/v1/regions/key?key=${percentEncode(Uint8Array.of(0x74, 0x80, 0xff, 1))}&end_key=&limit=5`)).body as { regions: Array<{ id: number }> };
    expect(tail.regions.map((x) => x.id)).toEqual([3]);
    const head = (await get(`/pd/api/v1/regions/key?key=&end_key=${percentEncode(Uint8Array.of(0x74, 0x80))}`)).body as { regions: Array<{ id: number }> };
    expect(head.regions.map((x) => x.id)).toEqual([2]);
    expect(((await get(`/pd/api/v1/region/key/${percentEncode(Uint8Array.of(0x74, 0x80, 0xff))}`)).body as { id: number }).id).toBe(3);
  });

  it('lists stores, members and the cluster id exactly (ids beyond 2^53 are not rounded)', async () => {
    const stores = (await get('/pd/api/v1/stores')).body as { count: number; stores: Array<{ store: { id: number; status_address: string } }> };
    expect(stores.count).toBe(1);
    expect(stores.stores[0]!.store.status_address).toBe('127.0.0.1:20180');
    const cluster = await get('/pd/api/v1/cluster');
    expect(cluster.text).toContain(`"id":${pd.clusterId}`);
    const members = (await get('/pd/api/v1/members')).body as { leader: { client_urls: string[] } };
    expect(members.leader.client_urls).toEqual([pd.clientUrl]);
    expect((await get('/pd/api/v1/health')).status).toBe(200);
  });

  it('answers bad requests with a JSON error and keeps serving gRPC', async () => {
    expect((await get('/pd/api/v1/nope')).status).toBe(404);
    expect((await get('/pd/api/v1/regions/key?key=%zz')).status).toBe(400);
    expect((await get('/pd/api/v1/regions/key?limit=-1')).status).toBe(400);
    const post = await fetch(`${pd.clientUrl}/pd/api/v1/regions`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(await client.getTs()).toBeGreaterThan(0n);
  });

  it('percent-encoding of keys round-trips every byte', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(percentDecode(percentEncode(all))).toEqual(all);
  });
});
