import type { FieldType } from './dag_types.ts';
import type { Vector } from './vector.ts';

/**
 * A batch of rows: physical columns plus the logical rows (indexes into them) that are
 * still alive. Selection and Limit shrink `logicalRows`; nobody copies column data.
 */
export interface Batch {
  readonly columns: Vector[];
  readonly logicalRows: Int32Array;
}

/** What one `nextBatch` call returns. */
export interface BatchResult {
  readonly batch: Batch;
  /** No more rows will ever come from this executor. */
  readonly drained: boolean;
}

/** Per-executor counters for `SelectResponse.execution_summaries`. */
export interface ExecutionStats {
  timeProcessedNs: bigint;
  producedRows: number;
  iterations: number;
}

/**
 * A pull-based vectorized executor (TiKV's BatchExecutor): pure computation over batches
 * from its child; only the scan at the bottom touches a ScanSource.
 */
export interface BatchExecutor {
  /** Output column types, one per column of every batch. */
  readonly schema: readonly FieldType[];
  readonly stats: ExecutionStats;
  /** Returns up to about `scanRowsHint` rows (more or fewer is allowed). */
  nextBatch(scanRowsHint: number): Promise<BatchResult>;
}

/** Fresh zeroed stats. */
export function newStats(): ExecutionStats {
  return { timeProcessedNs: 0n, producedRows: 0, iterations: 0 };
}

/** Logical rows 0..n-1. */
export function identityRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/** A batch with no rows and zero-length columns matching `evalTypes`. */
export function emptyBatch(columns: readonly Vector[] = []): Batch {
  return { columns: [...columns], logicalRows: new Int32Array(0) };
}
