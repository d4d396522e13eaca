import type { KvEntry, KvIterator } from '../engine/mod.ts';

/** First read-ahead of a scan: small, because most scans stop after a few keys. */
export const READ_AHEAD_ENTRIES_MIN = 32;
/** Read-ahead doubles per refill up to this many entries. */
export const READ_AHEAD_ENTRIES_MAX = 1024;

/**
 * An engine iterator read in growing batches (`nextBatch`) instead of one native round trip
 * per entry; `seek` drops what was read ahead. The MVCC scanner steps entry by entry, and a
 * per-entry `next()` through the engine cost more than the LevelDB iteration itself.
 */
export class BufferedIterator {
  private buffer: KvEntry[] = [];
  private position = 0;
  private exhausted = false;
  private batchEntries = READ_AHEAD_ENTRIES_MIN;

  constructor(private readonly inner: KvIterator) {}

  async next(): Promise<KvEntry | undefined> {
    if (this.position < this.buffer.length) return this.buffer[this.position++];
    if (this.exhausted) return undefined;
    this.buffer = await this.inner.nextBatch(this.batchEntries);
    this.batchEntries = Math.min(this.batchEntries * 2, READ_AHEAD_ENTRIES_MAX);
    this.position = 0;
    if (this.buffer.length === 0) {
      this.exhausted = true;
      return undefined;
    }
    return this.buffer[this.position++];
  }

  seek(target: Uint8Array): void {
    this.inner.seek(target);
    this.buffer = [];
    this.position = 0;
    this.exhausted = false;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
