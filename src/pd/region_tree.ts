import { bytesCompare } from '../util/bytes.ts';

/**
 * Regions ordered by start key, for PD lookups. Keys are compared as bytes exactly as the
 * stores report them (memcomparable-encoded for transactional data, raw for RawKV); an
 * empty end key means +infinity. Inserting a region evicts every region it overlaps, so the
 * tree always holds a set of disjoint ranges (the newest layout wins).
 */
export interface RegionRange {
  id: bigint;
  startKey: Uint8Array;
  endKey: Uint8Array;
}

export class RegionTree<R extends RegionRange> {
  private sorted: R[] = [];
  private readonly byId = new Map<bigint, R>();

  get size(): number {
    return this.sorted.length;
  }

  getById(id: bigint): R | undefined {
    return this.byId.get(id);
  }

  /** Index of the last region whose start key is <= key, or -1. */
  private floorIndex(key: Uint8Array): number {
    let lo = 0;
    let hi = this.sorted.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (bytesCompare(this.sorted[mid]!.startKey, key) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The region containing `key`, if any. */
  search(key: Uint8Array): R | undefined {
    const i = this.floorIndex(key);
    if (i < 0) return undefined;
    const r = this.sorted[i]!;
    return r.endKey.length === 0 || bytesCompare(key, r.endKey) < 0 ? r : undefined;
  }

  /** The region just before the one containing `key` (whose end key is that region's start). */
  searchPrev(key: Uint8Array): R | undefined {
    const cur = this.search(key);
    if (!cur || cur.startKey.length === 0) return undefined;
    const i = this.floorIndex(cur.startKey);
    const prev = i > 0 ? this.sorted[i - 1] : undefined;
    return prev && bytesCompare(prev.endKey, cur.startKey) === 0 ? prev : undefined;
  }

  /** Up to `limit` regions (0 = no limit) intersecting [startKey, endKey), in key order. */
  scan(startKey: Uint8Array, endKey: Uint8Array, limit: number): R[] {
    const out: R[] = [];
    let i = Math.max(0, this.floorIndex(startKey));
    for (; i < this.sorted.length; i++) {
      const r = this.sorted[i]!;
      if (r.endKey.length !== 0 && bytesCompare(r.endKey, startKey) <= 0) continue;
      if (endKey.length !== 0 && bytesCompare(r.startKey, endKey) >= 0) break;
      out.push(r);
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }

  /** Regions overlapping `r`'s range (excluding none). */
  overlaps(r: RegionRange): R[] {
    return this.scan(r.startKey, r.endKey, 0).filter(
      (o) => r.endKey.length === 0 || bytesCompare(o.startKey, r.endKey) < 0,
    );
  }

  /** Inserts or replaces `r`, evicting every region it overlaps; returns the evicted ones. */
  upsert(r: R): R[] {
    const old = this.byId.get(r.id);
    if (old) this.removeById(old.id);
    const evicted = this.overlaps(r);
    for (const o of evicted) this.removeById(o.id);
    const i = this.floorIndex(r.startKey);
    this.sorted.splice(i + 1, 0, r);
    this.byId.set(r.id, r);
    return evicted;
  }

  removeById(id: bigint): void {
    const r = this.byId.get(id);
    if (!r) return;
    this.byId.delete(id);
    const i = this.sorted.indexOf(r);
    if (i >= 0) this.sorted.splice(i, 1);
  }

  all(): readonly R[] {
    return this.sorted;
  }
}
