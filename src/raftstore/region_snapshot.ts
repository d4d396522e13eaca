import type { CfName, IterOptions, KvIterator, KvSnapshot } from '../engine/mod.ts';
import type { Region } from './region.ts';

/**
 * An engine snapshot taken after the region checks passed, carrying the region as it was at
 * that moment. Storage reads `region` to clip scans to [startKey, endKey) (engine key space)
 * and to answer KeyNotInRegion for read requests.
 */
export class RegionSnapshot implements KvSnapshot {
  constructor(
    private readonly inner: KvSnapshot,
    /** A private copy of the region metadata at snapshot time. */
    readonly region: Region,
    /**
     * The region's data version (applied index) this snapshot reflects, for the coprocessor
     * cache; undefined when a write was landing as the snapshot was taken.
     */
    readonly dataVersion?: bigint,
  ) {}

  get(cf: CfName, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.inner.get(cf, key);
  }

  getSync(cf: CfName, key: Uint8Array): Uint8Array | undefined {
    return this.inner.getSync(cf, key);
  }

  iterator(cf: CfName, options?: IterOptions): KvIterator {
    return this.inner.iterator(cf, options);
  }

  release(): void {
    this.inner.release();
  }
}
