/**
 * Bounded window of append messages in flight to one follower (by count and by bytes). A
 * leader in the replicate state stops sending when the window is full and frees slots as
 * acknowledgements arrive.
 */
import { assert } from '../util/mod.ts';

/** Sliding window of unacknowledged appends, identified by their last entry index. */
export class Inflights {
  private indexes: bigint[] = [];
  private sizes: number[] = [];
  private bytes = 0;

  constructor(
    readonly countMax: number,
    readonly bytesMax: number,
  ) {
    assert(countMax > 0, 'inflight window must allow one message');
  }

  /** Records an append whose last entry is `index`, carrying `sizeBytes`. */
  add(index: bigint, sizeBytes: number): void {
    assert(!this.full(), 'inflights overflow');
    this.indexes.push(index);
    this.sizes.push(sizeBytes);
    this.bytes += sizeBytes;
  }

  /** Frees every in-flight append up to and including `index`. */
  freeLE(index: bigint): void {
    let n = 0;
    while (n < this.indexes.length && this.indexes[n]! <= index) {
      this.bytes -= this.sizes[n]!;
      n++;
    }
    if (n > 0) {
      this.indexes.splice(0, n);
      this.sizes.splice(0, n);
    }
  }

  /** Frees the oldest one (a heartbeat response proves the follower is alive). */
  freeFirstOne(): void {
    if (this.indexes.length > 0) this.freeLE(this.indexes[0]!);
  }

  full(): boolean {
    return this.indexes.length >= this.countMax || (this.bytesMax > 0 && this.bytes >= this.bytesMax);
  }

  count(): number {
    return this.indexes.length;
  }

  reset(): void {
    this.indexes = [];
    this.sizes = [];
    this.bytes = 0;
  }
}
