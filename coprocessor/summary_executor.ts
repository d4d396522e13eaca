import type { Clock } from '../src/util/mod.ts';
import type { BatchExecutor, BatchResult } from './batch_executor.ts';

/**
 * Wraps an executor to count iterations, produced rows and (with a clock) the time spent in
 * it and its children, for `SelectResponse.execution_summaries`.
 */
export class SummaryExecutor implements BatchExecutor {
  get schema() {
    return this.inner.schema;
  }
  get stats() {
    return this.inner.stats;
  }

  constructor(
    readonly inner: BatchExecutor,
    private readonly clock: Clock | undefined,
  ) {}

  async nextBatch(scanRowsHint: number): Promise<BatchResult> {
    const t0 = this.clock?.monotonicMs() ?? 0;
    const r = await this.inner.nextBatch(scanRowsHint);
    const stats = this.inner.stats;
    stats.iterations++;
    stats.producedRows += r.batch.logicalRows.length;
    if (this.clock !== undefined) stats.timeProcessedNs += BigInt(Math.round((this.clock.monotonicMs() - t0) * 1e6));
    return r;
  }
}
