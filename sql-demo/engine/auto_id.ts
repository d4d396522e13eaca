import type { KvClient } from '../kv/mod.ts';
import { MetaKeys, readCounter, writeCounter } from './catalog.ts';

/** Ids a server reserves per trip to the cluster (TiDB caches 30000; small keeps ids dense). */
export const AUTO_ID_BATCH = 100n;
/** Conflict retries when two servers allocate at once. */
const ALLOC_RETRIES_MAX = 20;

/**
 * Auto-increment / row-id allocation: each table's counter key `mAutoID:{id}` holds the
 * highest id handed out to any server; a server reserves a batch in its own small
 * transaction (so ids are unique cluster-wide and never reused after a restart, but a
 * restart or another server can leave gaps, as in TiDB).
 */
export class AutoIdAllocator {
  private readonly cache = new Map<number, { next: bigint; end: bigint }>();

  constructor(private readonly kv: KvClient) {}

  /** Reserves `n` consecutive ids when possible; returns the first. */
  async alloc(tableId: number, n: number): Promise<bigint> {
    const c = this.cache.get(tableId);
    const need = BigInt(n);
    if (c !== undefined && c.next + need - 1n <= c.end) {
      const first = c.next;
      c.next += need;
      return first;
    }
    const batch = need > AUTO_ID_BATCH ? need : AUTO_ID_BATCH;
    const end = await this.bump(tableId, (cur) => cur + batch);
    const first = end - batch + 1n;
    this.cache.set(tableId, { next: first + need, end });
    return first;
  }

  /** After an explicit value `v`, later automatic ids must exceed it. */
  async rebase(tableId: number, v: bigint): Promise<void> {
    const c = this.cache.get(tableId);
    if (c !== undefined && v < c.next) return;
    if (c !== undefined && v <= c.end) {
      c.next = v + 1n;
      return;
    }
    await this.bump(tableId, (cur) => (cur > v ? cur : v));
    this.cache.delete(tableId);
  }

  forget(tableId: number): void {
    this.cache.delete(tableId);
  }

  private async bump(tableId: number, f: (cur: bigint) => bigint): Promise<bigint> {
    let lastErr: unknown;
    for (let i = 0; i < ALLOC_RETRIES_MAX; i++) {
      const txn = await this.kv.begin();
      try {
        const cur = await readCounter(txn, MetaKeys.autoId(tableId));
        const next = f(cur);
        writeCounter(txn, MetaKeys.autoId(tableId), next);
        await txn.commit();
        return next;
      } catch (e) {
        lastErr = e;
        await txn.rollback().catch(() => undefined);
        if (!(e instanceof Error && e.name === 'WriteConflictError')) throw e;
      }
    }
    throw lastErr;
  }
}
