// Proves PD over real gRPC: members with full URLs, bootstrap, id allocation, TSO order
// (including across a PD restart), region lookups after a reported split, GC safe points,
// the etcd KV subset, and typed errors for bad requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PdServer } from './pd_server.ts';
import { PdClient, PdClientError } from '../pd_client/mod.ts';
import { createClient, pdpb } from '../proto/mod.ts';

const dir = mkdtempSync(join(tmpdir(), 'pd-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function region(id: bigint, start: string, end: string, version: bigint) {
  return {
    id,
    startKey: Buffer.from(start),
    endKey: Buffer.from(end),
    regionEpoch: { confVer: 1n, version },
    peers: [{ id: id + 100n, storeId: 1n }],
  };
}

describe('PdServer + PdClient', () => {
  it('serves the calls client-go and the stores make', async () => {
    let pd = await PdServer.start({ dataDir: dir, clientUrl: 'http://127.0.0.1:0' });
    let client = await PdClient.connect({ endpoints: [pd.clientUrl] });
    try {
      const raw = createClient('pdpb.PD', pd.address);
      const members = await raw.GetMembers({});
      expect(members.header?.clusterId).toBe(pd.clusterId);
      expect(members.leader?.clientUrls[0]).toBe(`http://${pd.address}`);
      raw.close();

      expect(await client.isBootstrapped()).toBe(false);
      await expect(client.putStore({ id: 1n, address: '127.0.0.1:1' })).rejects.toThrow(/NOT_BOOTSTRAPPED/);
      const storeId = await client.allocId();
      const regionId = await client.allocId();
      expect(regionId).toBeGreaterThan(storeId);
      await client.bootstrap({ id: 1n, address: '127.0.0.1:20160' }, region(2n, '', '', 1n));
      await expect(client.bootstrap({ id: 1n, address: 'x' }, region(2n, '', '', 1n))).rejects.toBeInstanceOf(PdClientError);
      expect(await client.isBootstrapped()).toBe(true);

      const stamps = await Promise.all(Array.from({ length: 500 }, () => client.getTs()));
      expect(new Set(stamps).size).toBe(500);
      const sorted = [...stamps].sort((a, b) => (a < b ? -1 : 1));
      expect(stamps[0]! >> 18n).toBeGreaterThan(1_600_000_000_000n);
      const lastBefore = sorted[sorted.length - 1]!;

      // A split reported by the store is what lookups answer from then on.
      const ids = await client.askBatchSplit(region(2n, '', '', 1n), 1);
      expect(ids).toHaveLength(1);
      await client.reportBatchSplit([region(2n, '', 'm', 2n), region(ids[0]!.newRegionId, 'm', '', 2n)]);
      expect((await client.getRegion(Buffer.from('a')))?.region.id).toBe(2n);
      expect((await client.getRegion(Buffer.from('z')))?.region.id).toBe(ids[0]!.newRegionId);
      expect((await client.getPrevRegion(Buffer.from('z')))?.region.id).toBe(2n);
      expect((await client.scanRegions(new Uint8Array(), new Uint8Array(), 0)).map((r) => r.region.id)).toEqual([2n, ids[0]!.newRegionId]);
      // A stale heartbeat (older epoch) does not undo the split.
      client.regionHeartbeat({ region: region(2n, '', '', 1n), leader: { id: 102n, storeId: 1n } });

      expect(await client.updateGcSafePoint(100n)).toBe(100n);
      expect(await client.updateGcSafePoint(50n)).toBe(100n);
      expect(await client.getGcSafePoint()).toBe(100n);

      const etcd = createClient('etcdserverpb.KV', pd.address);
      const key = Buffer.from('/tidb/store/gcworker/saved_safe_point');
      expect((await etcd.Range({ key })).kvs).toEqual([]);
      await etcd.Put({ key, value: Buffer.from('42') });
      const got = await etcd.Range({ key });
      expect(Buffer.from(got.kvs[0]!.value).toString()).toBe('42');
      etcd.close();

      client.close();
      await pd.stop();

      // Restart on the same data: TSO continues above everything handed out before.
      pd = await PdServer.start({ dataDir: dir, clientUrl: 'http://127.0.0.1:0' });
      client = await PdClient.connect({ endpoints: [pd.address] });
      const after = await client.getTs();
      expect(after).toBeGreaterThan(lastBefore);
      expect((await client.getRegion(Buffer.from('z')))?.region.id).toBe(ids[0]!.newRegionId);
      expect(await client.getGcSafePoint()).toBe(100n);
    } finally {
      client.close();
      await pd.stop();
    }
  });

  it('rejects a request for another cluster with a typed header error', async () => {
    const pd = await PdServer.start({ dataDir: join(dir, 'other'), clientUrl: '127.0.0.1:0' });
    const raw = createClient('pdpb.PD', pd.address);
    try {
      const res = await raw.AllocID({ header: { clusterId: pd.clusterId + 1n } });
      expect(res.header?.error?.type).toBe(pdpb.ErrorType.INVALID_VALUE);
      expect(res.header?.error?.message).toMatch(/mismatch cluster id/);
    } finally {
      raw.close();
      await pd.stop();
    }
  });
});
