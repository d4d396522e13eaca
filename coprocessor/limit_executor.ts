import type { BatchExecutor, BatchResult } from './batch_executor.ts';
import { emptyBatch, newStats } from './batch_executor.ts';

/** Passes through the first `limit` rows, then reports drained without pulling further. */
export class LimitExecutor implements BatchExecutor {
  readonly stats = newStats();
  private remaining: number;
  get schema() {
    return this.child.schema;
  }

  constructor(
    private readonly child: BatchExecutor,
    limit: bigint,
  ) {
    this.remaining = limit > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(limit);
  }

  async nextBatch(scanRowsHint: number): Promise<BatchResult> {
    if (this.remaining === 0) {
      return { batch: emptyBatch(), drained: true };
    }
    const r = await this.child.nextBatch(Math.min(scanRowsHint, this.remaining));
    let rows = r.batch.logicalRows;
    if (rows.length >= this.remaining) rows = rows.subarray(0, this.remaining);
    this.remaining -= rows.length;
    return { batch: { columns: r.batch.columns, logicalRows: rows }, drained: r.drained || this.remaining === 0 };
  }
}
