/**
 * What every benchmark module returns. `test/bench/run.ts` imports each module under
 * `test/bench/` named `*_bench.ts` (and `engine_direct.ts`) and calls its `run()`.
 */
export interface BenchRow {
  /** What was measured, e.g. `classic-level direct: getSync`. */
  name: string;
  /** Throughput in the unit the row's `unit` names (operations per second by default). */
  opsPerSec: number;
  /** Per-operation latency percentiles in microseconds, when sampled. */
  p50Us?: number;
  p99Us?: number;
  /**
   * The `name` of another row in the same table to compare with: the table shows this
   * row's throughput as a ratio of that one (the physical limit or a peer).
   */
  baseline?: string;
  /** What one "op" is when it is not obvious (`keys`, `rows`, `batches`). */
  unit?: string;
  /** Sizes, concurrency, anything a reader needs to interpret the row. */
  note?: string;
}

/** The shape of a benchmark module. */
export interface BenchModule {
  /** Table title; the file name when absent. */
  title?: string;
  run(): Promise<BenchRow[]>;
}
