import { statfs } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { ClassicEngine, type ClassicEngineOptions, type KvEngine } from '../engine/mod.ts';
import { addService, createHealthService, type ServiceHandlers } from '../proto/mod.ts';
import { Store, type PdClientForStore, type RaftstoreConfig } from '../raftstore/mod.ts';
import { Storage } from '../storage/mod.ts';
import { type Clock, createLogger, DomainError, type Logger, realClock } from '../util/mod.ts';
import { BatchCommandsHandler } from './batch_commands.ts';
import { type CoprocessorHandler, NotImplementedCoprocessor } from './coprocessor_handler.ts';
import { KvService, UNARY_METHOD_NAMES } from './kv_service.ts';
import { ServerMetrics } from './server_metrics.ts';
import {
  BATCH_COMMANDS_INFLIGHT_MAX,
  GRPC_CONCURRENT_STREAMS_MAX,
  GRPC_MESSAGE_BYTES_MAX_DEFAULT,
  KEY_BYTES_MAX,
} from './server_limits.ts';
import { StatusServer } from './status_server.ts';
import { StorageCoprocessor } from './storage_coprocessor.ts';
import type { StorageApi } from './storage_api.ts';

/** The version we tell PD and clients (TiDB checks a minimum TiKV version). */
export const TIKV_VERSION = '7.1.0';

/** A typed tikv-server configuration (the lead maps TOML / CLI onto it in src/bin). */
export interface TikvServerConfig {
  /** gRPC listen address `host:port`; port 0 picks a free port. */
  addr: string;
  /** Address advertised to PD and clients; defaults to the bound `addr`. */
  advertiseAddr?: string;
  /** Status HTTP listen address `host:port`; port 0 picks a free port. */
  statusAddr: string;
  advertiseStatusAddr?: string;
  /** classic-level data directory (TiKV `[storage] data-dir`). */
  dataDir: string;
  /** gRPC send and receive limit (TiKV `server.max-grpc-send-msg-len`). */
  grpcMessageBytesMax?: number;
  /** Longest key accepted (TiKV `storage.max-key-size`). */
  keyBytesMax?: number;
  /** Store heartbeat period (TiKV `pd-store-heartbeat-tick-interval`, 10 s). */
  storeHeartbeatIntervalMs?: number;
  /** Region heartbeat period (TiKV `pd-heartbeat-tick-interval`, 60 s; we default to 10 s). */
  regionHeartbeatIntervalMs?: number;
  /** Region split thresholds, queue limits... (`[coprocessor] region-split-keys` etc.). */
  raftstore?: Partial<RaftstoreConfig>;
  engine?: ClassicEngineOptions;
}

/** The parts a TikvServer is built from; only `pd` is required. */
export interface TikvServerDeps {
  pd: PdClientForStore;
  /** Builds the Storage facade over the store's RegionKv; default `new Storage(store, clock)`. */
  createStorage?: (store: Store, clock: Clock) => Storage | StorageApi;
  /** Builds the coprocessor; default: `StorageCoprocessor` when the storage is a `Storage` (else "not implemented"). */
  createCoprocessor?: (storage: StorageApi, store: Store) => CoprocessorHandler;
  clock?: Clock;
  logger?: Logger;
  /** An already open engine (tests use MemoryEngine); otherwise ClassicEngine at `dataDir`. */
  engine?: KvEngine;
  /** Called on a bug or local corruption (failed engine write); the lead's binary exits. */
  onFatal?: (err: unknown) => void;
}

const STORE_HEARTBEAT_INTERVAL_MS_DEFAULT = 10_000;
const REGION_HEARTBEAT_INTERVAL_MS_DEFAULT = 10_000;
/** How long `stop()` lets in-flight calls finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 2_000;

/**
 * One tikv-server process: engine at `dataDir`, the raftstore Store registered with PD,
 * `tikvpb.Tikv` + `grpc.health.v1.Health` on `addr`, `/metrics` and `/status` on `statusAddr`,
 * periodic store and region heartbeats. Startup order: bind both ports (so the real addresses
 * are known), open the store (bootstrap + PutStore with those addresses), then serve.
 */
export class TikvServer {
  /** Health answers SERVING only while true (after startup, before stop). */
  private serving = false;
  private readonly timers: (() => void)[] = [];
  private stopped = false;
  private readonly startedMs: number;

  private constructor(
    readonly config: TikvServerConfig,
    readonly store: Store,
    readonly storage: StorageApi,
    readonly metrics: ServerMetrics,
    private readonly grpcServer: grpc.Server,
    private readonly statusServer: StatusServer,
    private readonly engine: KvEngine,
    private readonly ownsEngine: boolean,
    private readonly pd: PdClientForStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** The bound gRPC address (real port). */
    readonly addr: string,
    /** The bound status address (real port). */
    readonly statusAddr: string,
  ) {
    this.startedMs = clock.nowMs();
  }

  static async start(config: TikvServerConfig, deps: TikvServerDeps): Promise<TikvServer> {
    const clock = deps.clock ?? realClock;
    const log = deps.logger ?? createLogger('tikv-server');
    const metrics = new ServerMetrics();
    const messageBytesMax = config.grpcMessageBytesMax ?? GRPC_MESSAGE_BYTES_MAX_DEFAULT;
    const grpcServer = new grpc.Server({
      'grpc.max_receive_message_length': messageBytesMax,
      'grpc.max_send_message_length': messageBytesMax,
      'grpc.max_concurrent_streams': GRPC_CONCURRENT_STREAMS_MAX,
    });
    // Handlers are registered before the port is bound (grpc-js requires it) and delegate to
    // the service once the store is open; until then calls get UNAVAILABLE.
    let unary: Record<string, grpc.handleUnaryCall<object, object>> | undefined;
    let batch: BatchCommandsHandler | undefined;
    let server: TikvServer | undefined;
    const lazy = lazyHandlers(() => unary);
    addService(grpcServer, 'tikvpb.Tikv', {
      ...lazy,
      BatchCommands: (call) => {
        if (batch === undefined) {
          // grpc-js turns an 'error' event on a server stream into the call's status.
          call.emit('error', Object.assign(new Error('store is starting'), { code: grpc.status.UNAVAILABLE }));
          return;
        }
        batch.handle(call);
      },
    });
    addService(grpcServer, 'grpc.health.v1.Health', createHealthService(() => server?.serving ?? false));

    const boundPort = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync(config.addr, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    const addr = replacePort(config.addr, boundPort);
    let engine: KvEngine | undefined;
    let statusServer: StatusServer | undefined;
    let store: Store | undefined;
    try {
      statusServer = await StatusServer.start(
        config.statusAddr,
        {
          metrics: async () => {
            if (store) metrics.regionCount.set(store.regionCount);
            return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
          },
          status: () => server?.statusJson() ?? { state: 'starting' },
        },
        log,
      );
      engine = deps.engine ?? (await ClassicEngine.open(config.dataDir, config.engine));
      const onFatal = (err: unknown): void => {
        log.fatal({ err }, 'fatal error: store stops serving');
        if (server) server.serving = false;
        deps.onFatal?.(err);
      };
      store = await Store.open({
        engine,
        pd: deps.pd,
        clock,
        logger: log,
        onFatal,
        config: config.raftstore ?? {},
        storeMeta: {
          address: config.advertiseAddr ?? addr,
          statusAddress: config.advertiseStatusAddr ?? statusServer.address,
          version: TIKV_VERSION,
          gitHash: '',
          startTimestamp: BigInt(Math.floor(clock.nowMs() / 1000)),
          deployPath: '',
          labels: [],
        },
        observer: {
          onBatchCommitted: (b) => {
            metrics.batchProposals.observe(b.proposals);
            metrics.batchBytes.observe(b.bytes);
            metrics.batchDuration.observe(b.durationMs / 1000);
          },
          onSplit: (regions) => metrics.splits.inc(regions.length - 1),
        },
      });
      const built = deps.createStorage?.(store, clock) ?? new Storage(store, clock);
      const storage: StorageApi = built;
      // The coprocessor needs the real Storage (MVCC snapshots); a custom StorageApi gets the
      // "not implemented" one unless the caller supplies its own.
      const coprocessor =
        deps.createCoprocessor?.(storage, store) ??
        (built instanceof Storage ? new StorageCoprocessor(built, clock) : new NotImplementedCoprocessor());
      const kv = new KvService({
        storage,
        admin: store,
        coprocessor,
        metrics,
        clock,
        log,
        keyBytesMax: config.keyBytesMax ?? KEY_BYTES_MAX,
        onFatal,
      });
      unary = kv.unaryHandlers() as unknown as Record<string, grpc.handleUnaryCall<object, object>>;
      batch = new BatchCommandsHandler(kv, { inflightMax: BATCH_COMMANDS_INFLIGHT_MAX }, log);
      server = new TikvServer(
        config,
        store,
        storage,
        metrics,
        grpcServer,
        statusServer,
        engine,
        deps.engine === undefined,
        deps.pd,
        clock,
        log,
        addr,
        statusServer.address,
      );
    } catch (err) {
      grpcServer.forceShutdown();
      await store?.close();
      if (deps.engine === undefined) await engine?.close();
      await statusServer?.stop();
      throw err;
    }
    server.startBackground();
    server.serving = true;
    log.info({ addr, statusAddr: server.statusAddr, storeId: store.storeId.toString() }, 'tikv-server ready');
    return server;
  }

  private startBackground(): void {
    this.store.start();
    const storeMs = this.config.storeHeartbeatIntervalMs ?? STORE_HEARTBEAT_INTERVAL_MS_DEFAULT;
    const regionMs = this.config.regionHeartbeatIntervalMs ?? REGION_HEARTBEAT_INTERVAL_MS_DEFAULT;
    const guard = (what: string, p: Promise<void>): void => {
      p.catch((err: unknown) => this.log.warn({ err }, `${what} failed`));
    };
    this.timers.push(this.clock.setInterval(() => guard('store heartbeat', this.storeHeartbeat()), storeMs));
    this.timers.push(this.clock.setInterval(() => guard('region heartbeat', this.regionHeartbeats()), regionMs));
    guard('store heartbeat', this.storeHeartbeat());
    guard('region heartbeat', this.regionHeartbeats());
  }

  /** Sends one store heartbeat now (also driven by the timer). */
  async storeHeartbeat(): Promise<void> {
    if (this.stopped) return;
    let capacityBytes = 0n;
    let availableBytes = 0n;
    try {
      const fs = await statfs(this.config.dataDir, { bigint: true });
      capacityBytes = fs.blocks * fs.bsize;
      availableBytes = fs.bavail * fs.bsize;
    } catch {
      // A memory engine in tests has no directory: report unknown capacity.
    }
    await this.pd.storeHeartbeat({
      storeId: this.store.storeId,
      regionCount: this.store.regionCount,
      capacityBytes,
      availableBytes,
      usedBytes: capacityBytes > availableBytes ? capacityBytes - availableBytes : 0n,
      startTimestampSeconds: Math.floor(this.startedMs / 1000),
      isBusy: this.store.pendingProposals > this.store.config.proposalQueueMax / 2,
      writtenKeys: 0n,
      writtenBytes: 0n,
      intervalSeconds: (this.config.storeHeartbeatIntervalMs ?? STORE_HEARTBEAT_INTERVAL_MS_DEFAULT) / 1000,
    });
  }

  /** Sends one heartbeat per region now (also driven by the timer). */
  async regionHeartbeats(): Promise<void> {
    if (this.stopped) return;
    const regions = this.store.regions();
    for (const r of regions) {
      const hb = this.store.takeHeartbeat(r.id);
      if (hb !== undefined) await this.pd.regionHeartbeat(hb.region, hb.leader, hb.stats);
    }
    this.store.markHeartbeatRound();
  }

  private statusJson(): object {
    return {
      state: this.serving ? 'serving' : 'not serving',
      version: TIKV_VERSION,
      storeId: this.store.storeId,
      clusterId: this.store.clusterId,
      addr: this.addr,
      statusAddr: this.statusAddr,
      regionCount: this.store.regionCount,
      pendingProposals: this.store.pendingProposals,
      startTimestampMs: this.startedMs,
      regions: this.store.regions().map((r) => ({
        id: r.id,
        startKey: Buffer.from(r.startKey).toString('hex'),
        endKey: Buffer.from(r.endKey).toString('hex'),
        confVer: r.regionEpoch.confVer,
        version: r.regionEpoch.version,
      })),
    };
  }

  /** Stops serving: health NOT_SERVING, drain gRPC (bounded), flush the store loop, close the engine. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.serving = false;
    for (const cancel of this.timers) cancel();
    await new Promise<void>((resolve) => {
      const cancel = this.clock.setTimeout(() => {
        this.grpcServer.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      this.grpcServer.tryShutdown(() => {
        cancel();
        resolve();
      });
    });
    await this.store.close();
    if (this.ownsEngine) await this.engine.close();
    await this.statusServer.stop();
    this.log.info({ addr: this.addr }, 'tikv-server stopped');
  }
}

/** Unary handlers that forward to the KvService's handlers once they exist. */
function lazyHandlers(
  get: () => Record<string, grpc.handleUnaryCall<object, object>> | undefined,
): Partial<ServiceHandlers<'tikvpb.Tikv'>> {
  const out: Record<string, grpc.handleUnaryCall<object, object>> = {};
  for (const name of UNARY_METHOD_NAMES) {
    out[name] = (call, callback) => {
      const handler = get()?.[name];
      if (handler === undefined) {
        callback(Object.assign(new DomainError('Unavailable', 'store is starting'), { code: grpc.status.UNAVAILABLE }));
        return;
      }
      handler(call, callback);
    };
  }
  return out as unknown as Partial<ServiceHandlers<'tikvpb.Tikv'>>;
}

function replacePort(hostPort: string, port: number): string {
  const i = hostPort.lastIndexOf(':');
  if (i < 0) throw new DomainError('InvalidArgument', `bad address "${hostPort}": expected host:port`);
  return `${hostPort.slice(0, i)}:${port}`;
}
