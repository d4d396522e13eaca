/** The shared benchmark toolkit: row type, timing loops with percentiles, table printing. */
export type { BenchRow, BenchModule } from './bench_row.ts';
export {
  nowUs,
  LatencySamples,
  LATENCY_SAMPLES_MAX,
  summarize,
  runConcurrent,
  runSyncFor,
  interleave,
  type Measurement,
} from './timing.ts';
export { printTable, renderTable, ratioText } from './table.ts';
