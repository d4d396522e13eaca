import * as grpc from '@grpc/grpc-js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../util/clock.ts';
import { realClock } from '../util/clock.ts';
import { SeededRandom, freshSeed, type Random } from '../util/random.ts';
import { createLogger, type Logger } from '../util/logger.ts';
import { invalidArgument } from '../util/errors.ts';
import { addService } from '../proto/mod.ts';
import { MetaStore } from './meta_store.ts';
import { Tso, TSO_SAVE_INTERVAL_MS_DEFAULT } from './tso.ts';
import { IdAllocator } from './id_allocator.ts';
import { ClusterState } from './cluster_state.ts';
import { createPdService } from './pd_service.ts';
import { createEtcdServices, EtcdKv } from './etcd_service.ts';
import { createHealthService } from '../proto/mod.ts';
import { createServer as createHttpServer } from 'node:http';
import { ClientPortMux } from './client_port_mux.ts';
import { PdHttpApi } from './pd_http_api.ts';

/** The PD version we report over HTTP (TiDB-era tools read it). */
export const PD_VERSION = '7.1.0';

/** Configuration of one PD server (`pd-server` flags and TOML map onto this). */
export interface PdServerConfig {
  /** Where PD keeps its metadata. */
  dataDir: string;
  /** `http://host:port` to listen on and advertise (port 0 picks a free port). */
  clientUrl: string;
  name?: string;
  tsoSaveIntervalMs?: number;
  /** Largest gRPC message PD accepts or sends. */
  grpcMessageBytesMax?: number;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
}

export const PD_GRPC_MESSAGE_BYTES_MAX_DEFAULT = 16 * 1024 * 1024;
/** How long `stop()` waits for in-flight calls before cutting them off. */
const SHUTDOWN_GRACE_MS = 2000;

/** Parses `http://host:port` (scheme optional) into host and port. */
export function parseUrl(url: string): { host: string; port: number } {
  const withScheme = /^[a-z]+:\/\//.test(url) ? url : `http://${url}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw invalidArgument(`invalid URL ${JSON.stringify(url)}: expected http://host:port`);
  }
  const port = u.port === '' ? 2379 : Number(u.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidArgument(`invalid port in ${url}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * A running PD: `pdpb.PD`, the etcd KV/Cluster subset that txnkv needs for the GC safe point
 * key, and `grpc.health.v1` on one gRPC port.
 */
export class PdServer {
  private constructor(
    private readonly server: grpc.Server,
    private readonly mux: ClientPortMux,
    private readonly meta: MetaStore,
    readonly cluster: ClusterState,
    /** `host:port` actually bound. */
    readonly address: string,
    readonly clientUrl: string,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  get clusterId(): bigint {
    return this.cluster.clusterId;
  }

  static async start(config: PdServerConfig): Promise<PdServer> {
    const log = config.logger ?? createLogger('pd');
    const clock = config.clock ?? realClock;
    const seed = freshSeed();
    const random = config.random ?? new SeededRandom(seed);
    const { host, port } = parseUrl(config.clientUrl);
    mkdirSync(config.dataDir, { recursive: true });
    const meta = await MetaStore.open(join(config.dataDir, 'meta'));
    try {
      const ids = await IdAllocator.open(meta);
      const tso = await Tso.open(meta, clock, config.tsoSaveIntervalMs ?? TSO_SAVE_INTERVAL_MS_DEFAULT);
      const cluster = await ClusterState.open(meta, clock, random, ids);
      const etcd = await EtcdKv.open(meta);
      const messageMax = config.grpcMessageBytesMax ?? PD_GRPC_MESSAGE_BYTES_MAX_DEFAULT;
      const server = new grpc.Server({
        'grpc.max_receive_message_length': messageMax,
        'grpc.max_send_message_length': messageMax,
      });
      // gRPC and the HTTP API share the client URL's port, as in PD.
      const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
      const http = createHttpServer((req, res) => api?.handle(req, res));
      const mux = await ClientPortMux.listen(host, port, { grpc: (s) => injector.injectConnection(s), http }, clock);
      const address = `${host.includes(':') ? `[${host}]` : host}:${mux.port}`;
      const clientUrl = `http://${address}`;
      const memberId = cluster.clusterId ^ 0x5044n; // stable per cluster, non-zero
      const member = { name: config.name ?? 'pd', memberId, clientUrls: [clientUrl], peerUrls: [clientUrl] };
      const api: PdHttpApi | undefined = new PdHttpApi(cluster, member, PD_VERSION);
      addService(server, 'pdpb.PD', createPdService({ cluster, tso, ids, member, log }));
      const etcdServices = createEtcdServices({ kv: etcd, clusterId: cluster.clusterId, member });
      addService(server, 'etcdserverpb.KV', etcdServices.kv);
      addService(server, 'etcdserverpb.Cluster', etcdServices.cluster);
      addService(server, 'grpc.health.v1.Health', createHealthService());
      log.info({ address, clusterId: cluster.clusterId.toString() }, 'PD serving');
      return new PdServer(server, mux, meta, cluster, address, clientUrl, log, clock);
    } catch (e) {
      await meta.close();
      throw e;
    }
  }

  /** Stops accepting calls, waits briefly for in-flight ones, and closes the metadata store. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      const cancel = this.clock.setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      this.server.tryShutdown(() => {
        cancel();
        resolve();
      });
    });
    await this.mux.close(true);
    await this.meta.close();
    this.log.info('PD stopped');
  }
}
