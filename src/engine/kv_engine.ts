/**
 * The local key-value engine seam. Column families are separate ordered keyspaces; callers
 * never see how they are laid out on disk (see README.md). Two implementations pass one
 * conformance suite: classic-level (durable) and in-memory.
 */

/** TiKV's column families plus `raft` for Raft state and logs. */
export type CfName = 'default' | 'lock' | 'write' | 'raft';
export const CF_NAMES: readonly CfName[] = ['default', 'lock', 'write', 'raft'];

export interface KvEntry {
  key: Uint8Array;
  value: Uint8Array;
}

export interface IterOptions {
  /** Inclusive lower bound (unbounded when absent). */
  lowerBound?: Uint8Array;
  /** Exclusive upper bound (unbounded when absent). */
  upperBound?: Uint8Array;
  /** Iterate from the upper bound down. */
  reverse?: boolean;
}

/**
 * Entries exactly as the engine produced them, for scans that must not pay for re-wrapping
 * each one: `entries[i]` is `[key, value]`, and the caller's key bytes start at `keyOffset`
 * in every key (an engine may keep its own prefix in front). Read only, like all results.
 */
export interface KvEntryBatch {
  readonly entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>;
  readonly keyOffset: number;
}

/** A forward or reverse cursor over one column family of a snapshot. */
export interface KvIterator {
  /**
   * Repositions the cursor (bounds still apply): a forward iterator moves to the first
   * key >= `target`, a reverse iterator to the last key <= `target`.
   */
  seek(target: Uint8Array): void;
  /** The next entry, or undefined when the range is exhausted. */
  next(): Promise<KvEntry | undefined>;
  /** Up to `limit` next entries; fewer (possibly zero) only when the range is exhausted. */
  nextBatch(limit: number): Promise<KvEntry[]>;
  /**
   * Up to `limit` (>= 1) next entries in the engine's own form (see `KvEntryBatch`); at least
   * one unless the range is exhausted, but possibly fewer than `limit` otherwise (an engine
   * hands out what one native read produced rather than copy reads together).
   */
  nextEntries(limit: number): Promise<KvEntryBatch>;
  close(): Promise<void>;
}

/** A consistent point-in-time view; writes made after it was taken are invisible to it. */
export interface KvSnapshot {
  get(cf: CfName, key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Synchronous point read (classic-level supports it); for hot paths that must not await. */
  getSync(cf: CfName, key: Uint8Array): Uint8Array | undefined;
  iterator(cf: CfName, options?: IterOptions): KvIterator;
  /** Frees engine resources; the snapshot must not be used afterwards. */
  release(): void;
}

/** Mutations applied atomically by `KvEngine.write`. */
export interface WriteBatch {
  put(cf: CfName, key: Uint8Array, value: Uint8Array): void;
  delete(cf: CfName, key: Uint8Array): void;
  /**
   * Deletes every key in [start, end) of `cf` as part of this batch, including keys put by
   * earlier ops of the same batch. An empty `end` means "to the end of the column family"
   * (a region's empty end key); `end < start` throws InvalidArgument. ClassicEngine bounds
   * how many keys one batch may delete this way (`deleteRangeKeysMax`, ResourceExhausted).
   */
  deleteRange(cf: CfName, start: Uint8Array, end: Uint8Array): void;
  readonly count: number;
  readonly approximateBytes: number;
}

export interface WriteOptions {
  /** fsync before resolving: an acknowledged write survives kill -9 and power loss. */
  sync: boolean;
}

export interface KvEngine {
  get(cf: CfName, key: Uint8Array): Promise<Uint8Array | undefined>;
  getSync(cf: CfName, key: Uint8Array): Uint8Array | undefined;
  iterator(cf: CfName, options?: IterOptions): KvIterator;
  snapshot(): KvSnapshot;
  newWriteBatch(): WriteBatch;
  /**
   * Applies the batch atomically: readers see all of it or none. Writes issued without
   * awaiting the previous one may land in either order, except that a batch holding a
   * `deleteRange` lands after every write issued before it and before every write issued
   * after it. Await a write before issuing one that must follow it.
   */
  write(batch: WriteBatch, options: WriteOptions): Promise<void>;
  /** Approximate bytes stored in [start, end) of `cf` (an empty `end` means unbounded). */
  approximateSize(cf: CfName, start: Uint8Array, end: Uint8Array): Promise<number>;
  close(): Promise<void>;
}
