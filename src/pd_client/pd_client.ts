import type * as grpc from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { Clock } from '../util/clock.ts';
import { realClock } from '../util/clock.ts';
import { DomainError } from '../util/errors.ts';
import { createClient, pdpb, type DeepPartial, type ServiceClient, type metapb } from '../proto/mod.ts';

/**
 * Client of PD used by the stores and the SQL layer: finds the leader via GetMembers,
 * batches timestamp requests over one Tso stream, and wraps the unary calls with the cluster
 * id header and PD error checking. Transient failures (PD restarting) are retried with
 * backoff up to `retryTimeoutMs`.
 */
export interface PdClientOptions {
  /** PD endpoints, `host:port` or `http://host:port`. */
  endpoints: string[];
  clock?: Clock;
  retryTimeoutMs?: number;
}

export const PD_RETRY_TIMEOUT_MS_DEFAULT = 30_000;
const BACKOFF_MS_MIN = 50;
const BACKOFF_MS_MAX = 1000;
/** Timestamps requested per Tso round trip at most. */
const TSO_BATCH_MAX = 10_000;

/** A PD answer that carried `header.error`. */
export class PdClientError extends DomainError {
  constructor(
    readonly pdType: pdpb.ErrorType,
    message: string,
  ) {
    super('Unavailable', `PD error ${pdpb.ErrorType[pdType] ?? pdType}: ${message}`);
  }
}

/** What PD's HTTP API says of a region's size. */
export interface RegionStats {
  approximateSizeMiB: bigint;
  approximateKeys: bigint;
}

/** How long one call to PD's HTTP API may take. */
const PD_HTTP_TIMEOUT_MS = 10_000;

export interface RegionWithLeader {
  region: metapb.Region;
  leader: metapb.Peer | null;
}

function hostPort(endpoint: string): string {
  return endpoint.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
}

function isRetryable(e: unknown): boolean {
  const code = (e as { code?: number }).code;
  return code === grpcStatus.UNAVAILABLE || code === grpcStatus.DEADLINE_EXCEEDED || code === grpcStatus.CANCELLED;
}

interface TsoWaiter {
  resolve: (ts: bigint) => void;
  reject: (e: unknown) => void;
}

export class PdClient {
  private client: ServiceClient<'pdpb.PD'>;
  private tsoStream: grpc.ClientDuplexStream<DeepPartial<pdpb.TsoRequest>, pdpb.TsoResponse> | undefined;
  private readonly tsoQueue: TsoWaiter[] = [];
  private tsoInflight: TsoWaiter[] | undefined;
  private heartbeatStream: grpc.ClientDuplexStream<DeepPartial<pdpb.RegionHeartbeatRequest>, pdpb.RegionHeartbeatResponse> | undefined;
  private closed = false;

  private constructor(
    readonly clusterId: bigint,
    private leaderAddress: string,
    private readonly options: Required<Omit<PdClientOptions, 'clock'>> & { clock: Clock },
  ) {
    this.client = createClient('pdpb.PD', leaderAddress);
  }

  /** Connects to the PD cluster behind `endpoints`, retrying until one answers. */
  static async connect(opts: PdClientOptions): Promise<PdClient> {
    const clock = opts.clock ?? realClock;
    const retryTimeoutMs = opts.retryTimeoutMs ?? PD_RETRY_TIMEOUT_MS_DEFAULT;
    const deadline = clock.monotonicMs() + retryTimeoutMs;
    let lastError: unknown;
    let backoff = BACKOFF_MS_MIN;
    while (clock.monotonicMs() < deadline) {
      for (const ep of opts.endpoints) {
        const probe = createClient('pdpb.PD', hostPort(ep));
        try {
          const res = await probe.GetMembers({}, { deadlineMs: 3000 });
          const clusterId = res.header?.clusterId ?? 0n;
          const leaderUrl = res.leader?.clientUrls[0];
          if (clusterId === 0n || !leaderUrl) throw new DomainError('Unavailable', `PD at ${ep} has no cluster id or leader yet`);
          return new PdClient(clusterId, hostPort(leaderUrl), { endpoints: opts.endpoints, retryTimeoutMs, clock });
        } catch (e) {
          lastError = e;
        } finally {
          probe.close();
        }
      }
      await clock.sleep(backoff);
      backoff = Math.min(BACKOFF_MS_MAX, backoff * 2);
    }
    throw new DomainError('Unavailable', `cannot reach PD at ${opts.endpoints.join(',')}: ${(lastError as Error)?.message ?? 'timeout'}`);
  }

  get address(): string {
    return this.leaderAddress;
  }

  private header(): DeepPartial<pdpb.RequestHeader> {
    return { clusterId: this.clusterId };
  }

  /** Calls a unary PD method with retries on transient failure; throws on `header.error`. */
  private async call<R extends { header?: pdpb.ResponseHeader | null }>(fn: (c: ServiceClient<'pdpb.PD'>) => Promise<R>): Promise<R> {
    const deadline = this.options.clock.monotonicMs() + this.options.retryTimeoutMs;
    let backoff = BACKOFF_MS_MIN;
    for (;;) {
      try {
        const res = await fn(this.client);
        const err = res.header?.error;
        if (err && err.type !== pdpb.ErrorType.OK) throw new PdClientError(err.type, err.message);
        return res;
      } catch (e) {
        if (this.closed || !isRetryable(e) || this.options.clock.monotonicMs() + backoff > deadline) throw e;
        await this.options.clock.sleep(backoff);
        backoff = Math.min(BACKOFF_MS_MAX, backoff * 2);
      }
    }
  }

  // ---- timestamps ----

  /** One timestamp from the TSO; concurrent callers share stream round trips. */
  getTs(): Promise<bigint> {
    return new Promise<bigint>((resolve, reject) => {
      this.tsoQueue.push({ resolve, reject });
      this.pumpTso();
    });
  }

  private ensureTsoStream(): grpc.ClientDuplexStream<DeepPartial<pdpb.TsoRequest>, pdpb.TsoResponse> {
    if (this.tsoStream) return this.tsoStream;
    const stream = this.client.Tso();
    stream.on('data', (res: pdpb.TsoResponse) => this.onTsoResponse(res));
    const fail = (e: unknown): void => {
      if (this.tsoStream === stream) this.tsoStream = undefined;
      const waiters = this.tsoInflight ?? [];
      this.tsoInflight = undefined;
      for (const w of waiters) w.reject(e);
      if (!this.closed) this.pumpTso();
    };
    stream.on('error', (e) => fail(e));
    stream.on('end', () => fail(new DomainError('Unavailable', 'PD closed the Tso stream')));
    this.tsoStream = stream;
    return stream;
  }

  private pumpTso(): void {
    if (this.tsoInflight || this.tsoQueue.length === 0) return;
    if (this.closed) {
      for (const w of this.tsoQueue.splice(0)) w.reject(new DomainError('Closed', 'PD client is closed'));
      return;
    }
    const batch = this.tsoQueue.splice(0, TSO_BATCH_MAX);
    this.tsoInflight = batch;
    this.ensureTsoStream().write({ header: this.header(), count: batch.length });
  }

  private onTsoResponse(res: pdpb.TsoResponse): void {
    const waiters = this.tsoInflight ?? [];
    this.tsoInflight = undefined;
    const err = res.header?.error;
    if (err && err.type !== pdpb.ErrorType.OK) {
      for (const w of waiters) w.reject(new PdClientError(err.type, err.message));
    } else if (!res.timestamp || res.count !== waiters.length) {
      const e = new DomainError('Internal', `PD answered ${res.count} timestamps for ${waiters.length}`);
      for (const w of waiters) w.reject(e);
    } else {
      const { physical, logical } = res.timestamp;
      const first = logical - BigInt(waiters.length) + 1n;
      waiters.forEach((w, i) => w.resolve((physical << 18n) | (first + BigInt(i))));
    }
    this.pumpTso();
  }

  // ---- ids, bootstrap, stores ----

  async allocId(): Promise<bigint> {
    return (await this.call((c) => c.AllocID({ header: this.header() }))).id;
  }

  async isBootstrapped(): Promise<boolean> {
    return (await this.call((c) => c.IsBootstrapped({ header: this.header() }))).bootstrapped;
  }

  async bootstrap(store: DeepPartial<metapb.Store>, region: DeepPartial<metapb.Region>): Promise<void> {
    await this.call((c) => c.Bootstrap({ header: this.header(), store, region }));
  }

  async putStore(store: DeepPartial<metapb.Store>): Promise<void> {
    await this.call((c) => c.PutStore({ header: this.header(), store }));
  }

  async getStore(storeId: bigint): Promise<metapb.Store> {
    const res = await this.call((c) => c.GetStore({ header: this.header(), storeId }));
    if (!res.store) throw new DomainError('NotFound', `store ${storeId} not found`);
    return res.store;
  }

  async getAllStores(excludeTombstoneStores = true): Promise<metapb.Store[]> {
    return (await this.call((c) => c.GetAllStores({ header: this.header(), excludeTombstoneStores }))).stores;
  }

  async storeHeartbeat(stats: DeepPartial<pdpb.StoreStats>): Promise<void> {
    await this.call((c) => c.StoreHeartbeat({ header: this.header(), stats }));
  }

  // ---- regions ----

  /** Reports a region's current state to PD (over one long-lived stream). */
  regionHeartbeat(req: Omit<DeepPartial<pdpb.RegionHeartbeatRequest>, 'header'>): void {
    if (this.closed) return;
    if (!this.heartbeatStream) {
      const stream = this.client.RegionHeartbeat();
      stream.on('data', () => undefined);
      const reset = (): void => {
        if (this.heartbeatStream === stream) this.heartbeatStream = undefined;
      };
      stream.on('error', reset);
      stream.on('end', reset);
      this.heartbeatStream = stream;
    }
    this.heartbeatStream.write({ header: this.header(), ...req });
  }

  private static withLeader(res: pdpb.GetRegionResponse): RegionWithLeader | undefined {
    return res.region ? { region: res.region, leader: res.leader ?? null } : undefined;
  }

  async getRegion(key: Uint8Array): Promise<RegionWithLeader | undefined> {
    return PdClient.withLeader(await this.call((c) => c.GetRegion({ header: this.header(), regionKey: key })));
  }

  async getPrevRegion(key: Uint8Array): Promise<RegionWithLeader | undefined> {
    return PdClient.withLeader(await this.call((c) => c.GetPrevRegion({ header: this.header(), regionKey: key })));
  }

  async getRegionById(regionId: bigint): Promise<RegionWithLeader | undefined> {
    return PdClient.withLeader(await this.call((c) => c.GetRegionByID({ header: this.header(), regionId })));
  }

  async scanRegions(startKey: Uint8Array, endKey: Uint8Array, limit: number): Promise<RegionWithLeader[]> {
    const res = await this.call((c) => c.ScanRegions({ header: this.header(), startKey, endKey, limit }));
    if (res.regions.length > 0) return res.regions.filter((r) => r.region).map((r) => ({ region: r.region!, leader: r.leader ?? null }));
    return res.regionMetas.map((region, i) => ({ region, leader: res.leaders[i] ?? null }));
  }

  async askBatchSplit(region: DeepPartial<metapb.Region>, splitCount: number): Promise<pdpb.SplitID[]> {
    return (await this.call((c) => c.AskBatchSplit({ header: this.header(), region, splitCount }))).ids;
  }

  async reportBatchSplit(regions: Array<DeepPartial<metapb.Region>>): Promise<void> {
    await this.call((c) => c.ReportBatchSplit({ header: this.header(), regions }));
  }

  /**
   * A region's approximate size and key count from PD's HTTP API (`/pd/api/v1/region/id`),
   * served on the same port as gRPC; `undefined` when PD does not know the region. Sizes are
   * PD's: whole MiB, at least 1 for a region holding anything.
   */
  async regionStats(regionId: bigint): Promise<RegionStats | undefined> {
    const url = `http://${this.leaderAddress}/pd/api/v1/region/id/${regionId}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(PD_HTTP_TIMEOUT_MS) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new DomainError('Unavailable', `PD ${url} answered HTTP ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { approximate_size?: number; approximate_keys?: number };
    return { approximateSizeMiB: BigInt(body.approximate_size ?? 0), approximateKeys: BigInt(body.approximate_keys ?? 0) };
  }

  // ---- GC ----

  async getGcSafePoint(): Promise<bigint> {
    return (await this.call((c) => c.GetGCSafePoint({ header: this.header() }))).safePoint;
  }

  async updateGcSafePoint(safePoint: bigint): Promise<bigint> {
    return (await this.call((c) => c.UpdateGCSafePoint({ header: this.header(), safePoint }))).newSafePoint;
  }

  close(): void {
    this.closed = true;
    this.tsoStream?.end();
    this.heartbeatStream?.end();
    this.client.close();
    for (const w of this.tsoQueue.splice(0)) w.reject(new DomainError('Closed', 'PD client is closed'));
  }
}
