import type { KvEntryBatch, KvIterator, KvSnapshot } from '../engine/mod.ts';

/** First write-CF read of a range: small, because many scans stop after a few rows. */
export const WRITE_BATCH_ENTRIES_MIN = 64;
/** Write-CF reads double per refill up to this many entries (one read-ahead batch in flight at most). */
export const WRITE_BATCH_ENTRIES_MAX = 1024;

/**
 * The write-CF entries of one scanned range, in the engine's own form (`nextEntries`: keys
 * start at `keyOffset`), one batch at a time: reads grow from `WRITE_BATCH_ENTRIES_MIN` to
 * `WRITE_BATCH_ENTRIES_MAX`, and from the second batch on the next one is requested while the
 * current one is processed (the engine reads on its own thread), so read-ahead is bounded by
 * one batch. The scan reads `batch[pos]` and moves `pos` itself.
 */
export class ScanWriteCursor {
  batch: ReadonlyArray<readonly [Uint8Array, Uint8Array]> = [];
  keyOffset = 0;
  pos = 0;
  readonly #it: KvIterator;
  #batchEntries = WRITE_BATCH_ENTRIES_MIN;
  #batchesRead = 0;
  #ended = false;
  #pending: Promise<KvEntryBatch> | undefined;

  constructor(snapshot: KvSnapshot, lowerEnc: Uint8Array, upperEnc: Uint8Array, reverse: boolean) {
    this.#it = snapshot.iterator('write', { lowerBound: lowerEnc, ...(upperEnc.length > 0 ? { upperBound: upperEnc } : {}), reverse });
  }

  /** Whether the range has been read to its end (the current batch may still hold entries). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Replaces the batch with the next one; false when the range has no more entries. */
  async refill(): Promise<boolean> {
    if (this.#ended) return false;
    const batch = await (this.#pending ?? this.#it.nextEntries(this.#batchEntries));
    this.#pending = undefined;
    this.batch = batch.entries;
    this.keyOffset = batch.keyOffset;
    this.pos = 0;
    this.#batchesRead++;
    if (batch.entries.length === 0) {
      this.#ended = true;
      return false;
    }
    this.#batchEntries = Math.min(this.#batchEntries * 2, WRITE_BATCH_ENTRIES_MAX);
    // From the second batch on the scan is long: read the next batch while this one is processed.
    if (this.#batchesRead >= 2) {
      const next = this.#it.nextEntries(this.#batchEntries);
      next.catch(() => undefined);
      this.#pending = next;
    }
    return true;
  }

  /** Repositions (as `KvIterator.seek`), dropping the batch and what was read ahead. */
  async seek(target: Uint8Array): Promise<void> {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) await pending;
    this.batch = [];
    this.pos = 0;
    this.#it.seek(target);
    this.#ended = false;
  }

  /** Releases the iterator; a read-ahead still in flight is awaited and dropped. */
  async close(): Promise<void> {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) await pending.catch(() => undefined);
    await this.#it.close();
  }
}
