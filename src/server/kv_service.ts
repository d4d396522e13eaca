import type * as grpc from '@grpc/grpc-js';
import { encodeKey } from '../codec/mod.ts';
import { toServiceError, type coprocessor, type DeepPartial, type kvrpcpb, type ServiceHandlers } from '../proto/mod.ts';
import type { Region } from '../raftstore/mod.ts';
import type { RegionContext, RegionError, RegionResult } from '../storage/mod.ts';
import { AssertionError, type Clock, CorruptionError, DomainError, type Logger } from '../util/mod.ts';
import type { CoprocessorHandler } from './coprocessor_handler.ts';
import { KV_COMMANDS, type KvCommand } from './kv_commands.ts';
import { toErrorpb } from './region_error.ts';
import { checkApiVersion, checkKeySizes, guardRequest, isRegionError, regionContextOf } from './request_guard.ts';
import type { ServerMetrics } from './server_metrics.ts';
import type { StorageApi } from './storage_api.ts';

/** The store-level admin commands the service needs from the raftstore (`Store` implements it). */
export interface StoreAdmin {
  /** Splits at engine-space keys; returns every resulting region in key order. */
  splitRegion(ctx: RegionContext, splitKeys: Uint8Array[]): Promise<RegionResult<Region[]>>;
  /** Deletes [startKey, endKey) of the data column families across regions (engine key space). */
  destroyRange(startKey: Uint8Array, endKey: Uint8Array): Promise<void>;
}

export interface KvServiceDeps {
  storage: StorageApi;
  admin: StoreAdmin;
  coprocessor: CoprocessorHandler;
  metrics: ServerMetrics;
  clock: Clock;
  log: Logger;
  /** Longest key accepted (`KEY_BYTES_MAX` by default). */
  keyBytesMax: number;
  /** Called before rethrowing a bug (AssertionError) or local corruption; the process should stop. */
  onFatal: (err: unknown) => void;
}

type AnyResponse = Record<string, unknown>;

/** Every unary `tikvpb.Tikv` method this service answers. */
export const UNARY_METHOD_NAMES: readonly string[] = [
  ...KV_COMMANDS.map((c) => c.rpc),
  'SplitRegion',
  'UnsafeDestroyRange',
  'Coprocessor',
  'GetStoreSafeTS',
];

/**
 * The `tikvpb.Tikv` service: handlers decode (grpc-js + the proto runtime did that), validate
 * at the edge, call Storage, and encode. Region errors become `errorpb.Error` in
 * `region_error.ts`; edge failures (bad API version, key too large, raw TTL) go into the
 * response's own error field so the client sees them at once instead of retrying a gRPC
 * status. Used by the unary RPCs and by BatchCommands alike (`execute`).
 */
export class KvService {
  constructor(private readonly deps: KvServiceDeps) {}

  /** Serves one Storage-backed command; never rejects except for bugs and local corruption. */
  async execute(cmd: KvCommand, req: object): Promise<AnyResponse> {
    const { metrics, clock } = this.deps;
    const startedMs = clock.monotonicMs();
    let outcome = 'ok';
    try {
      guardRequest(cmd, req, this.deps.keyBytesMax);
      const ctx = regionContextOf((req as { context?: kvrpcpb.Context | null }).context);
      if (isRegionError(ctx)) {
        outcome = 'region_error';
        return { regionError: toErrorpb(ctx) };
      }
      const fn = this.deps.storage[cmd.storage] as (ctx: RegionContext, req: object) => Promise<AnyResponse>;
      const result = await fn.call(this.deps.storage, ctx, req);
      const regionError = result['regionError'] as RegionError | undefined | null;
      if (regionError) {
        outcome = 'region_error';
        return { regionError: toErrorpb(regionError) };
      }
      return result;
    } catch (e) {
      outcome = 'error';
      return this.edgeError(cmd, e);
    } finally {
      metrics.grpcRequests.inc({ type: cmd.rpc, outcome });
      metrics.grpcDuration.observe({ type: cmd.rpc }, (clock.monotonicMs() - startedMs) / 1000);
    }
  }

  /** SplitRegion: `is_raw_kv` keys are used verbatim, otherwise they are memcomparable-encoded. */
  async splitRegion(req: kvrpcpb.SplitRegionRequest): Promise<DeepPartial<kvrpcpb.SplitRegionResponse>> {
    checkApiVersion(req.context);
    checkKeySizes(req, this.deps.keyBytesMax);
    const ctx = regionContextOf(req.context);
    if (isRegionError(ctx)) return { regionError: toErrorpb(ctx) };
    const keys = [...req.splitKeys];
    if (req.splitKey.length > 0) keys.push(req.splitKey);
    const engineKeys = req.isRawKv ? keys : keys.map((k) => encodeKey(k));
    const result = await this.deps.admin.splitRegion(ctx, engineKeys);
    this.deps.metrics.grpcRequests.inc({ type: 'SplitRegion', outcome: result.ok ? 'ok' : 'region_error' });
    if (!result.ok) return { regionError: toErrorpb(result.regionError) };
    const regions = result.value;
    return {
      regions,
      ...(regions.length === 2 ? { left: regions[0]!, right: regions[1]! } : {}),
    };
  }

  /**
   * UnsafeDestroyRange (TiDB GC after DROP TABLE): store-level, no region context; the keys are
   * transactional user keys, so the range is memcomparable-encoded before it reaches the engine.
   */
  async unsafeDestroyRange(req: kvrpcpb.UnsafeDestroyRangeRequest): Promise<DeepPartial<kvrpcpb.UnsafeDestroyRangeResponse>> {
    try {
      checkKeySizes(req, this.deps.keyBytesMax);
      if (req.endKey.length === 0) throw new DomainError('InvalidArgument', 'unsafe destroy range: end_key must be set');
      await this.deps.admin.destroyRange(encodeKey(req.startKey), encodeKey(req.endKey));
      this.deps.metrics.grpcRequests.inc({ type: 'UnsafeDestroyRange', outcome: 'ok' });
      return {};
    } catch (e) {
      this.rethrowIfFatal(e);
      this.deps.metrics.grpcRequests.inc({ type: 'UnsafeDestroyRange', outcome: 'error' });
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Coprocessor: delegated to the handler; an edge failure becomes `other_error`. */
  async coprocessor(req: coprocessor.Request): Promise<DeepPartial<coprocessor.Response>> {
    const startedMs = this.deps.clock.monotonicMs();
    try {
      checkApiVersion(req.context);
      return await this.deps.coprocessor.handle(req);
    } catch (e) {
      this.rethrowIfFatal(e);
      return { otherError: e instanceof Error ? e.message : String(e) };
    } finally {
      this.deps.metrics.grpcRequests.inc({ type: 'Coprocessor', outcome: 'done' });
      this.deps.metrics.grpcDuration.observe({ type: 'Coprocessor' }, (this.deps.clock.monotonicMs() - startedMs) / 1000);
    }
  }

  /** The grpc-js handler map for `tikvpb.Tikv` (BatchCommands is added by the caller). */
  unaryHandlers(): Partial<ServiceHandlers<'tikvpb.Tikv'>> {
    const handlers: Record<string, grpc.handleUnaryCall<object, object>> = {};
    for (const cmd of KV_COMMANDS) {
      handlers[cmd.rpc] = this.unary((req) => this.execute(cmd, req));
    }
    handlers['SplitRegion'] = this.unary((req) => this.splitRegion(req as kvrpcpb.SplitRegionRequest) as Promise<object>);
    handlers['UnsafeDestroyRange'] = this.unary(
      (req) => this.unsafeDestroyRange(req as kvrpcpb.UnsafeDestroyRangeRequest) as Promise<object>,
    );
    handlers['Coprocessor'] = this.unary((req) => this.coprocessor(req as coprocessor.Request) as Promise<object>);
    // Polled every few seconds by client-go for stale reads; 0 means "no safe ts" (no stale reads).
    handlers['GetStoreSafeTS'] = this.unary(async () => ({ safeTs: 0n }));
    return handlers as unknown as Partial<ServiceHandlers<'tikvpb.Tikv'>>;
  }

  private unary(fn: (req: object) => Promise<object>): grpc.handleUnaryCall<object, object> {
    return (call, callback) => {
      fn(call.request).then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err)),
      );
    };
  }

  private rethrowIfFatal(e: unknown): void {
    if (e instanceof AssertionError || e instanceof CorruptionError) {
      this.deps.onFatal(e);
      throw e;
    }
  }

  /** Puts an edge failure into the command's own error field. */
  private edgeError(cmd: KvCommand, e: unknown): AnyResponse {
    this.rethrowIfFatal(e);
    let message: string;
    if (e instanceof DomainError) {
      message = e.message;
    } else {
      // An unexpected exception is a bug below us; answer it visibly rather than hang the client.
      this.deps.log.error({ err: e, command: cmd.rpc }, 'unexpected error serving command');
      message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
    }
    switch (cmd.errorSlot) {
      case 'string':
        return { error: message };
      case 'keyError':
        return { error: { abort: message } };
      case 'keyErrors':
        return { errors: [{ abort: message }] };
      case 'regionMessage':
        return { regionError: { message } };
    }
  }
}
