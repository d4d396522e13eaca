import type { kvrpcpb } from '../../src/proto/mod.ts';
import { bytesCompare, bytesToHex, concatBytes, type Clock, type Random } from '../../src/util/mod.ts';
import type { KvSnapshotReader } from './kv_client.ts';
import { BACKOFF, TikvBackoffer } from './tikv_backoffer.ts';
import { runBounded } from './tikv_bounded.ts';
import { TxnAbortedError } from './tikv_errors.ts';
import {
  ADMIN_BACKOFF_BUDGET_MS,
  BATCH_GET_KEYS_MAX,
  COMMIT_BACKOFF_BUDGET_MS,
  COP_BACKOFF_BUDGET_MS,
  PREWRITE_BACKOFF_BUDGET_MS,
  READ_BACKOFF_BUDGET_MS, REGION_FANOUT_CONCURRENCY_MAX, SCAN_BATCH_ROWS, SCAN_BATCH_ROWS_MAX, SCAN_ROWS_MAX } from './tikv_limits.ts';
import { bigintJson, type TikvLockResolver } from './tikv_lock_resolver.ts';
import type { TikvRpc } from './tikv_rpc.ts';

/** What snapshots, transactions and the coprocessor client share from the TikvKvClient. */
export interface TikvClientContext {
  readonly rpc: TikvRpc;
  readonly resolver: TikvLockResolver;
  readonly clock: Clock;
  readonly random: Random;
  getTs(): Promise<bigint>;
  /** Backoff budgets (ms) by phase; tests shrink them. */
  readonly budgets: { readonly readMs: number; readonly prewriteMs: number; readonly commitMs: number; readonly copMs: number; readonly adminMs: number };
}

/** Default budgets (tikv_limits.ts). */
export const DEFAULT_BUDGETS: TikvClientContext['budgets'] = {
  readMs: READ_BACKOFF_BUDGET_MS,
  prewriteMs: PREWRITE_BACKOFF_BUDGET_MS,
  commitMs: COMMIT_BACKOFF_BUDGET_MS,
  copMs: COP_BACKOFF_BUDGET_MS,
  adminMs: ADMIN_BACKOFF_BUDGET_MS,
};

const ZERO = new Uint8Array([0]);

/**
 * Snapshot reads at one start_ts over gRPC (client-go `txnsnapshot.KVSnapshot`): KvGet,
 * KvBatchGet grouped by region (bounded fan-out), KvScan region by region in either
 * direction, all following region errors and resolving locks (waiting for live ones, reading
 * through ones whose min_commit_ts was pushed past us, via Context.resolved_locks).
 */
export class TikvSnapshot implements KvSnapshotReader {
  /** Live txns known to commit after `ts` (their locks do not block this reader). */
  private readonly resolvedLocks = new Set<bigint>();

  constructor(
    protected readonly ctx: TikvClientContext,
    readonly ts: bigint,
  ) {}

  protected readBackoffer(op: string): TikvBackoffer {
    return new TikvBackoffer(op, this.ctx.budgets.readMs, this.ctx.clock, this.ctx.random);
  }

  private context(): { resolvedLocks: bigint[] } {
    return { resolvedLocks: [...this.resolvedLocks] };
  }

  /** Resolves the locks a read met; waits (against `bo`) while a live one blocks us. */
  private async onLocks(bo: TikvBackoffer, locks: readonly kvrpcpb.LockInfo[]): Promise<void> {
    const res = await this.ctx.resolver.resolveLocks(bo, this.ts, locks);
    for (const t of res.pushed) this.resolvedLocks.add(t);
    if (res.msBeforeExpired > 0) {
      await bo.backoff(BACKOFF.txnLockFast, `key locked by txn ${locks[0]!.lockVersion}`, 0, res.msBeforeExpired);
    }
  }

  private readError(err: kvrpcpb.KeyError): Error {
    return new TxnAbortedError(this.ts, `read failed: ${JSON.stringify(err, bigintJson)}`, err.retryable !== '');
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const bo = this.readBackoffer('get');
    for (;;) {
      const region = await this.ctx.rpc.cache.locateKey(bo, key);
      const r = await this.ctx.rpc.sendToRegion(bo, region, 'KvGet', { context: this.context(), key, version: this.ts });
      if (r.kind === 'relocate') continue;
      const err = r.resp.error;
      if (err) {
        if (err.locked) {
          await this.onLocks(bo, [err.locked]);
          continue;
        }
        throw this.readError(err);
      }
      return r.resp.notFound ? undefined : r.resp.value;
    }
  }

  async batchGet(keys: Uint8Array[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    const unique = new Map<string, { key: Uint8Array }>();
    for (const k of keys) unique.set(bytesToHex(k), { key: k });
    const sorted = [...unique.values()].sort((a, b) => bytesCompare(a.key, b.key));
    if (sorted.length === 0) return out;
    const bo = this.readBackoffer('batchGet');
    await this.batchGetKeys(bo, sorted, out);
    return out;
  }

  private async batchGetKeys(bo: TikvBackoffer, items: Array<{ key: Uint8Array }>, out: Map<string, Uint8Array>): Promise<void> {
    const groups = await this.ctx.rpc.cache.groupKeysByRegion(bo, items);
    const batches: Array<{ region: (typeof groups)[number]['region']; items: Array<{ key: Uint8Array }> }> = [];
    for (const g of groups) {
      for (let i = 0; i < g.items.length; i += BATCH_GET_KEYS_MAX) batches.push({ region: g.region, items: g.items.slice(i, i + BATCH_GET_KEYS_MAX) });
    }
    await runBounded(batches, REGION_FANOUT_CONCURRENCY_MAX, async (b) => {
      const sub = bo.fork();
      let pending = b.items;
      let region = b.region;
      for (;;) {
        const r = await this.ctx.rpc.sendToRegion(sub, region, 'KvBatchGet', { context: this.context(), keys: pending.map((i) => i.key), version: this.ts });
        if (r.kind === 'relocate') {
          await this.batchGetKeys(sub, pending, out);
          return;
        }
        const locks: kvrpcpb.LockInfo[] = [];
        if (r.resp.error) {
          if (!r.resp.error.locked) throw this.readError(r.resp.error);
          locks.push(r.resp.error.locked);
        }
        const lockedKeys = new Set<string>();
        for (const p of r.resp.pairs) {
          if (p.error) {
            if (!p.error.locked) throw this.readError(p.error);
            locks.push(p.error.locked);
            lockedKeys.add(bytesToHex(p.key));
          } else {
            out.set(bytesToHex(p.key), p.value);
          }
        }
        if (locks.length === 0) return;
        await this.onLocks(sub, locks);
        if (!r.resp.error) pending = pending.filter((i) => lockedKeys.has(bytesToHex(i.key)));
        region = await this.ctx.rpc.cache.locateKey(sub, pending[0]!.key);
        if (pending.some((i) => bytesCompare(i.key, region.startKey) < 0 || (region.endKey.length > 0 && bytesCompare(i.key, region.endKey) >= 0))) {
          await this.batchGetKeys(sub, pending, out);
          return;
        }
      }
    });
  }

  async *scan(start: Uint8Array, end: Uint8Array, opts?: { limit?: number; reverse?: boolean }): AsyncIterable<{ key: Uint8Array; value: Uint8Array }> {
    let remaining = opts?.limit ?? SCAN_ROWS_MAX;
    if (remaining <= 0) return;
    if (end.length > 0 && bytesCompare(start, end) >= 0) return;
    const reverse = opts?.reverse === true;
    // Forward: cursor is the inclusive lower bound; reverse: the exclusive upper bound.
    let cursor = reverse ? end : start;
    let batchRows = SCAN_BATCH_ROWS;
    for (;;) {
      const bo = this.readBackoffer('scan');
      const batch = Math.min(batchRows, remaining);
      // Long scans amortize round trips; short ones (LIMIT 1, point ranges) stay cheap.
      batchRows = Math.min(SCAN_BATCH_ROWS_MAX, batchRows * 2);
      let pairs: kvrpcpb.KvPair[];
      let regionDone: boolean;
      let nextCursor: Uint8Array;
      for (;;) {
        const region = reverse ? await this.ctx.rpc.cache.locateEndKey(bo, cursor) : await this.ctx.rpc.cache.locateKey(bo, cursor);
        let req: Partial<kvrpcpb.ScanRequest>;
        if (!reverse) {
          const clipEnd = region.endKey.length > 0 && (end.length === 0 || bytesCompare(region.endKey, end) < 0);
          req = { startKey: cursor, endKey: clipEnd ? region.endKey : end };
          regionDone = clipEnd;
          nextCursor = region.endKey;
        } else {
          const clipStart = bytesCompare(region.startKey, start) > 0;
          req = { startKey: cursor, endKey: clipStart ? region.startKey : start, reverse: true };
          regionDone = clipStart;
          nextCursor = region.startKey;
        }
        const r = await this.ctx.rpc.sendToRegion(bo, region, 'KvScan', { ...req, context: this.context(), limit: batch, version: this.ts });
        if (r.kind === 'relocate') continue;
        if (r.resp.error) {
          if (!r.resp.error.locked) throw this.readError(r.resp.error);
          await this.onLocks(bo, [r.resp.error.locked]);
          continue;
        }
        const locks: kvrpcpb.LockInfo[] = [];
        for (const p of r.resp.pairs) {
          if (!p.error) continue;
          if (!p.error.locked) throw this.readError(p.error);
          locks.push(p.error.locked);
        }
        if (locks.length > 0) {
          await this.onLocks(bo, locks);
          continue;
        }
        pairs = r.resp.pairs;
        break;
      }
      for (const p of pairs) yield { key: p.key, value: p.value };
      remaining -= pairs.length;
      if (remaining <= 0) return;
      if (pairs.length < batch) {
        // This region is drained; move to the next one or stop at the caller's bound.
        if (!regionDone!) return;
        cursor = nextCursor!;
      } else {
        const last = pairs[pairs.length - 1]!.key;
        cursor = reverse ? last : concatBytes(last, ZERO);
      }
    }
  }
}
