/**
 * The one load loop every engine uses: customers, then orders with their lines, pulled from
 * the generator by `concurrency` workers that hand each batch to the engine's insert
 * function, with a cli-progress bar on stderr (lineitem rows, rows/s, ETA).
 */
import cliProgress from 'cli-progress';
import type { LineitemColumns } from '../copr/lineitem.ts';
import { nowUs } from '../lib/mod.ts';
import type { TableName } from './schema.ts';
import type { TpchGenerator } from './tpch_generator.ts';

/** Inserts one batch of generator tuples into `table`. */
export type InsertBatch = (table: TableName, rows: readonly (readonly unknown[])[]) => Promise<void> | void;

export interface LoadResult {
  /** customer + orders + lineitem rows. */
  rows: number;
  lineitemRows: number;
  ms: number;
  /** All rows per second. */
  rowsPerSec: number;
}

/** How often the bar prints a line when stderr is not a terminal. */
const NON_TTY_PRINT_MS = 5_000;

/**
 * Loads every table through `insert`. `batchLines`: lineitem rows per batch (the orders of
 * those lines go in the same batch). `columns`: filled with Q1/Q6's columns when given.
 */
export async function loadTables(
  gen: TpchGenerator,
  label: string,
  opts: { batchLines: number; concurrency: number; columns?: LineitemColumns },
  insert: InsertBatch,
): Promise<LoadResult> {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(8)} {bar} {percentage}% | {value}/{total} lineitem rows | {speed} rows/s | ETA {eta_formatted}`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: NON_TTY_PRINT_MS,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = nowUs();
  let rows = 0;
  let lines = 0;
  bar.start(gen.lineitemRows, 0, { speed: '0' });
  try {
    const customers = gen.customers(opts.batchLines);
    const orders = gen.orderBatches(opts.batchLines, opts.columns);
    const worker = async (): Promise<void> => {
      for (let c = customers.next(); !c.done; c = customers.next()) {
        await insert('customer', c.value);
        rows += c.value.length;
      }
      for (let b = orders.next(); !b.done; b = orders.next()) {
        await insert('orders', b.value.orders);
        await insert('lineitem', b.value.lines);
        rows += b.value.orders.length + b.value.lines.length;
        lines += b.value.lines.length;
        bar.update(lines, { speed: Math.round(rows / ((nowUs() - t0) / 1e6)).toString() });
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } finally {
    bar.stop();
  }
  const ms = (nowUs() - t0) / 1000;
  return { rows, lineitemRows: lines, ms, rowsPerSec: rows / (ms / 1000) };
}
