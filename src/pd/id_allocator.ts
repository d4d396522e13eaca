import type { MetaStore } from './meta_store.ts';

/**
 * Allocates cluster-unique ids (stores, regions, peers). Ids are handed out from a window
 * whose end is synced to disk first, so an id is never reused after a restart.
 */
export const ID_ALLOC_STEP = 1000n;
const ID_KEY = 'alloc_id/high_water';

export class IdAllocator {
  private next = 0n;
  private end = 0n;
  private refilling: Promise<void> | undefined;

  private constructor(private readonly store: MetaStore) {}

  static async open(store: MetaStore): Promise<IdAllocator> {
    const a = new IdAllocator(store);
    const persisted = (await store.getBigInt(ID_KEY)) ?? 0n;
    a.next = persisted + 1n;
    a.end = persisted;
    return a;
  }

  async alloc(): Promise<bigint> {
    while (this.next > this.end) {
      if (!this.refilling) {
        const newEnd = this.end + ID_ALLOC_STEP;
        this.refilling = this.store
          .putBigInt(ID_KEY, newEnd)
          .then(() => {
            this.end = newEnd;
          })
          .finally(() => {
            this.refilling = undefined;
          });
      }
      await this.refilling;
    }
    const id = this.next;
    this.next += 1n;
    return id;
  }
}
