import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../util/logger.ts';
import { createLogger } from '../util/logger.ts';
import { PdServer } from '../pd/mod.ts';
import { PdClient } from '../pd_client/mod.ts';
import { Storage } from '../storage/mod.ts';
import type { RaftstoreConfig } from '../raftstore/mod.ts';
import { TikvServer } from './tikv_server.ts';
import { PdStoreClient } from './pd_store_client.ts';
import { GcWorker, GC_INTERVAL_MS_DEFAULT } from './gc_worker.ts';
import { realClock } from '../util/clock.ts';

/**
 * The in-process cluster: one PD and one store on loopback, sharing nothing but gRPC, exactly
 * as `pd-server` and `tikv-server` run as separate processes. The playground and the tests
 * use it; `stop()` shuts both down cleanly and a new `startCluster` on the same `dataDir`
 * resumes with the same data.
 */
export interface ClusterOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  pdPort?: number;
  tikvPort?: number;
  statusPort?: number;
  regionSplitKeys?: number;
  regionSplitSizeBytes?: number;
  /** How often the store polls PD's GC safe point (TiKV gc_worker). */
  gcIntervalMs?: number;
  /** Extra raftstore knobs (split check interval, queue limits...). */
  raftstore?: Partial<RaftstoreConfig>;
  logger?: Logger;
}

export interface Cluster {
  pdAddr: string;
  tikvAddr: string;
  statusAddr: string;
  pd: PdServer;
  tikv: TikvServer;
  stop(): Promise<void>;
}

/** Starts a TiKV store against PD at `pdEndpoints` (what `tikv-server` runs). */
export async function startStore(options: {
  pdEndpoints: string[];
  addr: string;
  statusAddr: string;
  dataDir: string;
  raftstore?: Partial<RaftstoreConfig>;
  grpcMessageBytesMax?: number;
  gcIntervalMs?: number;
  logger?: Logger;
  onFatal?: (err: unknown) => void;
}): Promise<{ tikv: TikvServer; pdClient: PdClient; stop(): Promise<void> }> {
  const pdClient = await PdClient.connect({ endpoints: options.pdEndpoints });
  const log = options.logger ?? createLogger('tikv');
  let storage: Storage | undefined;
  try {
    const tikv = await TikvServer.start(
      {
        addr: options.addr,
        statusAddr: options.statusAddr,
        dataDir: options.dataDir,
        raftstore: options.raftstore,
        grpcMessageBytesMax: options.grpcMessageBytesMax,
      },
      {
        pd: new PdStoreClient(pdClient),
        createStorage: (store, clock) => (storage = new Storage(store, clock)),
        logger: log,
        onFatal: options.onFatal,
      },
    );
    const gc = new GcWorker(pdClient, tikv.store, storage!, realClock, log, options.gcIntervalMs ?? GC_INTERVAL_MS_DEFAULT);
    gc.start();
    return {
      tikv,
      pdClient,
      async stop() {
        await gc.stop();
        await tikv.stop();
        pdClient.close();
      },
    };
  } catch (e) {
    pdClient.close();
    throw e;
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? createLogger('cluster');
  mkdirSync(options.dataDir, { recursive: true });
  const pd = await PdServer.start({
    dataDir: join(options.dataDir, 'pd'),
    clientUrl: `http://${host}:${options.pdPort ?? 2379}`,
    logger: log.child({ component: 'pd' }),
  });
  const raftstore: Partial<RaftstoreConfig> = { ...options.raftstore };
  if (options.regionSplitKeys !== undefined) raftstore.regionSplitKeys = options.regionSplitKeys;
  if (options.regionSplitSizeBytes !== undefined) raftstore.regionSplitSizeBytes = options.regionSplitSizeBytes;
  let started: Awaited<ReturnType<typeof startStore>>;
  try {
    started = await startStore({
      pdEndpoints: [pd.address],
      addr: `${host}:${options.tikvPort ?? 20160}`,
      statusAddr: `${host}:${options.statusPort ?? 20180}`,
      dataDir: join(options.dataDir, 'tikv'),
      raftstore,
      gcIntervalMs: options.gcIntervalMs,
      logger: log.child({ component: 'tikv' }),
    });
  } catch (e) {
    await pd.stop();
    throw e;
  }
  const { tikv } = started;
  return {
    pdAddr: pd.address,
    tikvAddr: tikv.addr,
    statusAddr: tikv.statusAddr,
    pd,
    tikv,
    async stop() {
      await started.stop();
      await pd.stop();
    },
  };
}
