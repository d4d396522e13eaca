import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../../src/server/mod.ts';
import { TikvKvClient, type TikvKvClientOptions } from '../../sql-demo/kv/mod.ts';

/** Test helper: one in-process cluster (PD + store on loopback, free ports) in a temp dir. */
export interface ClusterFixture {
  cluster: Cluster;
  connect(opts?: Omit<TikvKvClientOptions, 'pdEndpoints'>): Promise<TikvKvClient>;
  stop(): Promise<void>;
}

export async function startFixture(opts: { regionSplitKeys?: number } = {}): Promise<ClusterFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlkv-'));
  const cluster = await startCluster({ dataDir: dir, pdPort: 0, tikvPort: 0, statusPort: 0, regionSplitKeys: opts.regionSplitKeys });
  const clients: TikvKvClient[] = [];
  return {
    cluster,
    async connect(o = {}) {
      const c = await TikvKvClient.connect({ pdEndpoints: [cluster.pdAddr], ...o });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) await c.close().catch(() => undefined);
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
