import { DomainError } from '../src/util/mod.ts';

/** Default per-request memory budget for retained executor state and response bytes. */
export const REQUEST_MEMORY_BYTES_MAX_DEFAULT = 256 * 1024 * 1024;

/**
 * Counts the bytes a request keeps alive (aggregation groups, TopN heap, encoded response
 * chunks) and fails the request with a clear error once `bytesMax` is exceeded.
 */
export class MemoryTracker {
  private usedBytes = 0;

  constructor(readonly bytesMax: number = REQUEST_MEMORY_BYTES_MAX_DEFAULT) {}

  get used(): number {
    return this.usedBytes;
  }

  consume(bytes: number): void {
    this.usedBytes += bytes;
    if (this.usedBytes > this.bytesMax) {
      throw new DomainError(
        'ResourceExhausted',
        `coprocessor request exceeded its memory limit of ${this.bytesMax} bytes (used ${this.usedBytes})`,
      );
    }
  }

  release(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
  }
}
