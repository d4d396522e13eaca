import { createClient, type DeepPartial, type ServiceClient, type ServiceTypes, type errorpb } from '../../src/proto/mod.ts';
import { BACKOFF, type TikvBackoffer } from './tikv_backoffer.ts';
import { RegionFatalError } from './tikv_errors.ts';
import { REGION_FAST_RETRIES_MAX, STORE_RPC_DEADLINE_MS } from './tikv_limits.ts';
import type { CachedRegion, TikvRegionCache } from './tikv_region_cache.ts';

type TikvMethods = ServiceTypes['tikvpb.Tikv'];
/** The unary `tikvpb.Tikv` methods this client sends (all carry `context` and answer `region_error`). */
export type TikvUnaryMethod = Exclude<keyof TikvMethods, 'BatchCommands' | 'CoprocessorStream' | 'GetStoreSafeTS'>;
export type TikvRequest<M extends TikvUnaryMethod> = TikvMethods[M]['request'];
export type TikvResponse<M extends TikvUnaryMethod> = TikvMethods[M]['response'];

/** What one region request ended in. */
export type RegionSendResult<R> =
  | { readonly kind: 'ok'; readonly resp: R }
  /**
   * The request did not run against this region as addressed: the cache was updated; the
   * caller re-locates its keys and re-splits the request. `sendFailed` = the RPC itself
   * failed (the store may or may not have executed it).
   */
  | { readonly kind: 'relocate'; readonly sendFailed: boolean; readonly reason: string };

/**
 * Sends one request to one region's leader (client-go `RegionRequestSender`): fills
 * `kvrpcpb.Context` from the cached region, keeps one gRPC client per store address, and
 * reacts to region errors as client-go does (protocol.md §4): NotLeader with a leader ->
 * switch peer and resend; ServerIsBusy / StaleCommand / not-ready -> back off and resend;
 * EpochNotMatch -> cache current_regions and relocate; RegionNotFound / KeyNotInRegion /
 * StoreNotMatch / anything else -> invalidate and relocate (after a region-miss backoff);
 * RaftEntryTooLarge / flashback -> fatal. Every sleep is charged to the caller's backoffer.
 */
export class TikvRpc {
  private readonly clients = new Map<string, ServiceClient<'tikvpb.Tikv'>>();
  private closed = false;

  constructor(readonly cache: TikvRegionCache) {}

  /** The typed client for a store address (one per address, reused). */
  clientFor(address: string): ServiceClient<'tikvpb.Tikv'> {
    let c = this.clients.get(address);
    if (!c) {
      c = createClient('tikvpb.Tikv', address);
      this.clients.set(address, c);
    }
    return c;
  }

  async sendToRegion<M extends TikvUnaryMethod>(
    bo: TikvBackoffer,
    region: CachedRegion,
    method: M,
    req: DeepPartial<TikvRequest<M>>,
    deadlineMs = STORE_RPC_DEADLINE_MS,
  ): Promise<RegionSendResult<TikvResponse<M>>> {
    let fastRetries = 0;
    for (;;) {
      const peer = region.leader;
      const context = {
        ...((req as { context?: object }).context ?? {}),
        regionId: region.id,
        regionEpoch: { confVer: region.confVer, version: region.version },
        peer: { id: peer.id, storeId: peer.storeId, role: peer.role },
      };
      let resp: TikvResponse<M>;
      let address: string;
      try {
        address = await this.cache.storeAddress(peer.storeId);
      } catch (e) {
        this.cache.invalidate(region.id);
        await bo.backoff(BACKOFF.regionMiss, `store ${peer.storeId} lookup: ${(e as Error).message}`);
        return { kind: 'relocate', sendFailed: false, reason: (e as Error).message };
      }
      try {
        if (this.closed) throw new Error('client is closed');
        const client = this.clientFor(address) as unknown as Record<string, (r: unknown, o: { deadlineMs: number }) => Promise<unknown>>;
        resp = (await client[method]!({ ...req, context }, { deadlineMs })) as TikvResponse<M>;
      } catch (e) {
        const reason = `${method} to store ${peer.storeId} (${address}) failed: ${(e as Error).message}`;
        if (this.closed) throw e;
        this.cache.invalidateStore(peer.storeId);
        this.cache.invalidate(region.id);
        await bo.backoff(BACKOFF.tikvRpc, reason);
        return { kind: 'relocate', sendFailed: true, reason };
      }
      const regionError = (resp as { regionError?: errorpb.Error | null }).regionError;
      if (!regionError) return { kind: 'ok', resp };
      const action = await this.onRegionError(bo, region, regionError, fastRetries);
      if (action === 'retry') {
        fastRetries++;
        continue;
      }
      return { kind: 'relocate', sendFailed: false, reason: describeRegionError(regionError) };
    }
  }

  /** Updates the cache for `err`; 'retry' = resend to the (possibly new) leader, 'relocate' = back to the caller. */
  private async onRegionError(bo: TikvBackoffer, region: CachedRegion, err: errorpb.Error, fastRetries: number): Promise<'retry' | 'relocate'> {
    const why = describeRegionError(err);
    if (err.notLeader) {
      const leader = err.notLeader.leader;
      if (leader && leader.id !== 0n && this.cache.updateLeader(region.id, leader)) {
        if (fastRetries >= REGION_FAST_RETRIES_MAX) await bo.backoff(BACKOFF.regionScheduling, why);
        return 'retry';
      }
      this.cache.invalidate(region.id);
      await bo.backoff(BACKOFF.regionScheduling, why);
      return 'relocate';
    }
    if (err.epochNotMatch) {
      const ok = this.cache.onEpochNotMatch(region, err.epochNotMatch.currentRegions, region.leader.storeId);
      if (!ok || err.epochNotMatch.currentRegions.length === 0 || fastRetries >= REGION_FAST_RETRIES_MAX) {
        await bo.backoff(BACKOFF.regionMiss, why);
      }
      return 'relocate';
    }
    if (err.serverIsBusy) {
      await bo.backoff(BACKOFF.serverBusy, why, Number(err.serverIsBusy.backoffMs));
      return 'retry';
    }
    if (err.staleCommand || err.maxTimestampNotSynced || err.regionNotInitialized || err.readIndexNotReady || err.proposalInMergingMode || err.diskFull) {
      await bo.backoff(BACKOFF.staleCmd, why);
      return 'retry';
    }
    if (err.raftEntryTooLarge || err.FlashbackInProgress || err.FlashbackNotPrepared) {
      throw new RegionFatalError(region.id, why);
    }
    if (err.storeNotMatch) this.cache.invalidateStore(region.leader.storeId);
    // RegionNotFound, KeyNotInRegion, StoreNotMatch, message-only and unknown errors.
    this.cache.invalidate(region.id);
    await bo.backoff(BACKOFF.regionMiss, why);
    return 'relocate';
  }

  close(): void {
    this.closed = true;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

/** A one-line description of a region error for logs and exhausted-budget messages. */
export function describeRegionError(err: errorpb.Error): string {
  const kinds = Object.entries(err)
    .filter(([k, v]) => k !== 'message' && v !== null && v !== undefined && typeof v === 'object')
    .map(([k]) => k);
  return `region error ${kinds.join(',') || 'message'}: ${err.message}`;
}
