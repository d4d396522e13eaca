import { decodeBytes, encodeBytes } from '../../src/codec/mod.ts';
import type { PdClient } from '../../src/pd_client/mod.ts';
import type { metapb } from '../../src/proto/mod.ts';
import { bytesCompare, DomainError } from '../../src/util/mod.ts';
import { BACKOFF, type TikvBackoffer } from './tikv_backoffer.ts';
import { REGION_CACHE_REGIONS_MAX, SCAN_REGIONS_PAGE } from './tikv_limits.ts';

/** A region as the client caches it: boundaries decoded to raw user keys. */
export interface CachedRegion {
  readonly id: bigint;
  /** Raw user key, inclusive; empty = -inf. */
  readonly startKey: Uint8Array;
  /** Raw user key, exclusive; empty = +inf. */
  readonly endKey: Uint8Array;
  readonly confVer: bigint;
  readonly version: bigint;
  readonly peers: readonly metapb.Peer[];
  /** The peer requests go to (PD's leader, else the first peer; NotLeader updates it). */
  leader: metapb.Peer;
}

/** Whether raw `key` lies in the region. */
export function regionContains(r: CachedRegion, key: Uint8Array): boolean {
  return bytesCompare(key, r.startKey) >= 0 && (r.endKey.length === 0 || bytesCompare(key, r.endKey) < 0);
}

/** Decodes a memcomparable region boundary; an undecodable boundary is a hard error (client-go decodeError). */
function decodeBoundary(b: Uint8Array, regionId: bigint): Uint8Array {
  if (b.length === 0) return b;
  try {
    const d = decodeBytes(b, 0);
    return d.value;
  } catch (e) {
    throw new DomainError('Internal', `failed to decode region range key of region ${regionId}: ${(e as Error).message}`);
  }
}

/**
 * The client's region cache (client-go `locate.RegionCache`, txn mode): regions keyed by
 * decoded start key, loaded from PD on a miss (lookup keys memcomparable-encoded, returned
 * boundaries decoded), updated from region errors (NotLeader, EpochNotMatch's
 * current_regions) and invalidated otherwise. Also caches store addresses.
 * Invariant: cached regions never overlap (inserting one evicts every overlapping one).
 */
export class TikvRegionCache {
  /** Sorted by startKey. */
  private sorted: CachedRegion[] = [];
  private readonly byId = new Map<bigint, CachedRegion>();
  private readonly storeAddrs = new Map<bigint, string>();

  constructor(private readonly pd: PdClient) {}

  /** The region containing `key`, from the cache or PD. */
  async locateKey(bo: TikvBackoffer, key: Uint8Array): Promise<CachedRegion> {
    for (;;) {
      const cached = this.search(key);
      if (cached) return cached;
      const res = await this.pd.getRegion(encodeBytes(key));
      if (res && res.region.id !== 0n) {
        const r = this.insertFromPd(res.region, res.leader);
        if (regionContains(r, key)) return r;
      }
      await bo.backoff(BACKOFF.regionMiss, `PD has no region for key ${Buffer.from(key).toString('hex')}`);
    }
  }

  /**
   * The region containing the keys just below `key` (client-go LocateEndKey): for reverse
   * scans whose exclusive upper bound is `key`; empty `key` = +inf, i.e. the last region.
   */
  async locateEndKey(bo: TikvBackoffer, key: Uint8Array): Promise<CachedRegion> {
    for (;;) {
      const cached = this.searchEnd(key);
      if (cached) return cached;
      if (key.length === 0) {
        await this.loadLast();
      } else {
        const res = await this.pd.getRegion(encodeBytes(key));
        if (res && res.region.id !== 0n) {
          const r = this.insertFromPd(res.region, res.leader);
          if (bytesCompare(r.startKey, key) === 0) {
            const prev = await this.pd.getPrevRegion(encodeBytes(key));
            if (prev && prev.region.id !== 0n) this.insertFromPd(prev.region, prev.leader);
          }
        }
      }
      const found = this.searchEnd(key);
      if (found) return found;
      await bo.backoff(BACKOFF.regionMiss, `PD has no region ending at key ${Buffer.from(key).toString('hex')}`);
    }
  }

  /** Loads regions from the start until the last one (end key empty) is cached. */
  private async loadLast(): Promise<void> {
    let from: Uint8Array = new Uint8Array(0);
    for (;;) {
      const page = await this.pd.scanRegions(from.length === 0 ? from : encodeBytes(from), new Uint8Array(0), SCAN_REGIONS_PAGE);
      if (page.length === 0) return;
      let last: CachedRegion | undefined;
      for (const p of page) last = this.insertFromPd(p.region, p.leader);
      if (!last || last.endKey.length === 0) return;
      if (bytesCompare(last.endKey, from) <= 0) return;
      from = last.endKey;
    }
  }

  /** Regions intersecting `[start, end)` in key order, fresh from PD (and cached). */
  async scanRegions(start: Uint8Array, end: Uint8Array): Promise<CachedRegion[]> {
    const out: CachedRegion[] = [];
    let from: Uint8Array = start;
    for (;;) {
      const page = await this.pd.scanRegions(from.length === 0 ? from : encodeBytes(from), end.length === 0 ? end : encodeBytes(end), SCAN_REGIONS_PAGE);
      if (page.length === 0) return out;
      for (const p of page) out.push(this.insertFromPd(p.region, p.leader));
      const last = out[out.length - 1]!;
      if (last.endKey.length === 0 || (end.length > 0 && bytesCompare(last.endKey, end) >= 0)) return out;
      if (page.length < SCAN_REGIONS_PAGE) return out;
      from = last.endKey;
    }
  }

  /**
   * Waits (against `bo`) until PD reports `meta` at least at its epoch: a store reports splits
   * to PD asynchronously, and callers of splitRegions expect `regions()` to show them.
   */
  async waitPdCaughtUp(bo: TikvBackoffer, meta: metapb.Region): Promise<void> {
    const want = meta.regionEpoch?.version ?? 0n;
    for (;;) {
      const got = await this.pd.getRegionById(meta.id);
      if (got && (got.region.regionEpoch?.version ?? 0n) >= want) return;
      await bo.backoff(BACKOFF.regionMiss, `PD has not caught up with region ${meta.id} at version ${want}`);
    }
  }

  /** Groups `keys` by the region containing each, preserving the keys' order within a group. */
  async groupKeysByRegion<K extends { key: Uint8Array }>(bo: TikvBackoffer, items: readonly K[]): Promise<Array<{ region: CachedRegion; items: K[] }>> {
    const groups = new Map<bigint, { region: CachedRegion; items: K[] }>();
    let last: CachedRegion | undefined;
    for (const it of items) {
      const r = last && regionContains(last, it.key) ? last : await this.locateKey(bo, it.key);
      last = r;
      let g = groups.get(r.id);
      if (!g) groups.set(r.id, (g = { region: r, items: [] }));
      g.items.push(it);
    }
    return [...groups.values()];
  }

  /** The address of `storeId`, cached. */
  async storeAddress(storeId: bigint): Promise<string> {
    const hit = this.storeAddrs.get(storeId);
    if (hit !== undefined) return hit;
    const store = await this.pd.getStore(storeId);
    if (!store.address) throw new DomainError('Unavailable', `store ${storeId} has no address`);
    this.storeAddrs.set(storeId, store.address);
    return store.address;
  }

  invalidateStore(storeId: bigint): void {
    this.storeAddrs.delete(storeId);
  }

  /** Drops a region (it moved, split, or its store failed). */
  invalidate(regionId: bigint): void {
    const r = this.byId.get(regionId);
    if (!r) return;
    this.byId.delete(regionId);
    this.sorted = this.sorted.filter((x) => x !== r);
  }

  /** NotLeader with a leader: requests go to that peer now; false if the peer is unknown (reload). */
  updateLeader(regionId: bigint, leader: metapb.Peer): boolean {
    const r = this.byId.get(regionId);
    if (!r) return false;
    const peer = r.peers.find((p) => p.id === leader.id || p.storeId === leader.storeId);
    if (!peer) {
      this.invalidate(regionId);
      return false;
    }
    r.leader = peer;
    return true;
  }

  /**
   * EpochNotMatch (client-go OnRegionEpochNotMatch): caches the current regions the store
   * returned (leader assumed on the answering store). Returns false when the store is
   * behind our copy ("epoch ahead of TiKV"): the caller backs off and retries.
   */
  onEpochNotMatch(stale: CachedRegion, currentRegions: readonly metapb.Region[], answeringStoreId: bigint): boolean {
    if (currentRegions.length === 0) {
      this.invalidate(stale.id);
      return true;
    }
    for (const m of currentRegions) {
      if (m.id !== stale.id) continue;
      const v = m.regionEpoch?.version ?? 0n;
      const c = m.regionEpoch?.confVer ?? 0n;
      if (v < stale.version || c < stale.confVer) return false;
    }
    this.invalidate(stale.id);
    for (const m of currentRegions) {
      const leader = m.peers.find((p) => p.storeId === answeringStoreId) ?? null;
      this.insertFromPd(m, leader);
    }
    return true;
  }

  /** Caches a region whose boundaries are memcomparable-encoded (PD / region errors). */
  insertFromPd(meta: metapb.Region, leader: metapb.Peer | null): CachedRegion {
    const startKey = decodeBoundary(meta.startKey, meta.id);
    const endKey = decodeBoundary(meta.endKey, meta.id);
    const chosen = leader && leader.id !== 0n ? leader : meta.peers[0];
    if (!chosen) throw new DomainError('Unavailable', `region ${meta.id} has no peers`);
    const r: CachedRegion = {
      id: meta.id,
      startKey,
      endKey,
      confVer: meta.regionEpoch?.confVer ?? 0n,
      version: meta.regionEpoch?.version ?? 0n,
      peers: meta.peers,
      leader: chosen,
    };
    this.insert(r);
    return r;
  }

  private insert(r: CachedRegion): void {
    if (this.byId.size >= REGION_CACHE_REGIONS_MAX) {
      this.sorted = [];
      this.byId.clear();
    }
    const old = this.byId.get(r.id);
    const keep = this.sorted.filter((x) => x !== old && !overlaps(x, r));
    for (const x of this.sorted) if (!keep.includes(x)) this.byId.delete(x.id);
    let i = keep.length;
    while (i > 0 && bytesCompare(keep[i - 1]!.startKey, r.startKey) > 0) i--;
    keep.splice(i, 0, r);
    this.sorted = keep;
    this.byId.set(r.id, r);
  }

  private floorIndex(key: Uint8Array): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bytesCompare(this.sorted[mid]!.startKey, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private search(key: Uint8Array): CachedRegion | undefined {
    const i = this.floorIndex(key);
    const r = i >= 0 ? this.sorted[i] : undefined;
    return r && regionContains(r, key) ? r : undefined;
  }

  private searchEnd(key: Uint8Array): CachedRegion | undefined {
    if (key.length === 0) {
      const last = this.sorted[this.sorted.length - 1];
      return last && last.endKey.length === 0 ? last : undefined;
    }
    // The region with start < key <= end.
    let i = this.floorIndex(key);
    let r = i >= 0 ? this.sorted[i] : undefined;
    if (r && bytesCompare(r.startKey, key) === 0) {
      i--;
      r = i >= 0 ? this.sorted[i] : undefined;
    }
    if (!r) return undefined;
    return bytesCompare(r.startKey, key) < 0 && (r.endKey.length === 0 || bytesCompare(key, r.endKey) <= 0) ? r : undefined;
  }
}

function overlaps(a: CachedRegion, b: CachedRegion): boolean {
  const aEndsBeforeB = a.endKey.length > 0 && bytesCompare(a.endKey, b.startKey) <= 0;
  const bEndsBeforeA = b.endKey.length > 0 && bytesCompare(b.endKey, a.startKey) <= 0;
  return !aEndsBeforeB && !bEndsBeforeA;
}
