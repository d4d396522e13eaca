import Table from 'cli-table3';
import type { BenchRow } from './bench_row.ts';

function formatRate(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(n >= 100 ? 0 : 1);
}

function formatUs(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return '-';
  if (us >= 10_000) return `${(us / 1000).toFixed(1)} ms`;
  return us >= 100 ? us.toFixed(0) : us.toFixed(us >= 10 ? 1 : 2);
}

/** `row` throughput as a ratio of its baseline row's, e.g. `0.93x engine: get`. */
export function ratioText(row: BenchRow, rows: readonly BenchRow[]): string {
  if (row.baseline === undefined) return '';
  const base = rows.find((r) => r.name === row.baseline);
  if (base === undefined || base.opsPerSec === 0) return `? (${row.baseline})`;
  const r = row.opsPerSec / base.opsPerSec;
  // Two significant digits below 0.1x, so a small ratio never prints as 0.00x.
  return `${r >= 0.1 || r === 0 ? r.toFixed(2) : r.toPrecision(2)}x ${row.baseline}`;
}

/** Renders rows as a table string (ops/s, p50/p99 µs, ratio to the baseline row, note). */
export function renderTable(title: string, rows: readonly BenchRow[]): string {
  const table = new Table({
    head: ['case', 'ops/s', 'p50 µs', 'p99 µs', 'vs baseline', 'note'],
    colAligns: ['left', 'right', 'right', 'right', 'left', 'left'],
    style: { head: [], border: [] },
  });
  for (const row of rows) {
    table.push([
      row.name,
      `${formatRate(row.opsPerSec)}${row.unit !== undefined ? ` ${row.unit}` : ''}`,
      formatUs(row.p50Us),
      formatUs(row.p99Us),
      ratioText(row, rows),
      row.note ?? '',
    ]);
  }
  return `\n${title}\n${table.toString()}`;
}

/** Prints `renderTable(title, rows)` to stdout. */
export function printTable(title: string, rows: readonly BenchRow[]): void {
  process.stdout.write(`${renderTable(title, rows)}\n`);
}
