// Proves TikvKvClient passes the shared KvClient conformance suite against a real in-process cluster (PD + store over gRPC), with regions split inside the key space.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { startCluster, type Cluster } from '../../src/server/mod.ts';
import { kvClientConformance } from '../../sql-demo/kv/conformance.ts';
import { TikvKvClient } from '../../sql-demo/kv/mod.ts';
import { PrefixedClient } from './prefixed_client.ts';

let shared: Promise<{ cluster: Cluster; client: TikvKvClient; dir: string }> | undefined;
let next = 0;
/** Prefixes (one per client the suite makes) that get region boundaries inside them. */
const PREFIXES_SPLIT = 40;

async function setup(): Promise<{ cluster: Cluster; client: TikvKvClient; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlkv-conf-'));
  const cluster = await startCluster({ dataDir: dir, pdPort: 0, tikvPort: 0, statusPort: 0 });
  const client = await TikvKvClient.connect({ pdEndpoints: [cluster.pdAddr] });
  // Region boundaries inside the prefixes the cases use, so scans and commits cross regions.
  const splits: Uint8Array[] = [];
  for (let i = 0; i < PREFIXES_SPLIT; i++) splits.push(Buffer.from([0x20, i + 1, ...Buffer.from('m2')]), Buffer.from([0x20, i + 1, ...Buffer.from('s25')]));
  await client.splitRegions(splits);
  return { cluster, client, dir };
}

afterAll(async () => {
  if (!shared) return;
  const { cluster, client, dir } = await shared;
  await client.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
});

kvClientConformance(
  'TikvKvClient',
  async () => {
    shared ??= setup();
    const { client } = await shared;
    const id = next++;
    if (id >= 250) throw new Error('conformance needs more prefixes');
    return new PrefixedClient(client, Uint8Array.from([0x20, id + 1]));
  },
  // The shared model allows (does not require) a conflict caused by a newer rollback record,
  // TiKV's rule; 30 seeded interleavings against the real cluster keep the suite quick.
  { modelRuns: Number(process.env.SQLKV_SHARED_MODEL_RUNS ?? 30) },
);
