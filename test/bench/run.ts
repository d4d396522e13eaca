/**
 * `npm run bench [-- filter...]`: runs every benchmark module under test/bench/
 * (`engine_direct.ts` first, then each `*_bench.ts` in name order) one after another and
 * prints one table per module. Arguments filter modules by substring of their file name.
 * A module exports `run(): Promise<BenchRow[]>` and optionally `title`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printTable, type BenchModule, type BenchRow } from './lib/mod.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));

/** Bench module files in run order. */
export function benchModules(filters: readonly string[] = []): string[] {
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith('_bench.ts'))
    .sort();
  return ['engine_direct.ts', ...files].filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = benchModules(filters);
  if (files.length === 0) {
    process.stderr.write(`no bench module matches ${filters.join(' ')}\n`);
    process.exitCode = 1;
    return;
  }
  let failed = 0;
  for (const file of files) {
    const started = performance.now();
    process.stderr.write(`running ${file}...\n`);
    try {
      const mod = (await import(pathToFileURL(join(benchDir, file)).href)) as Partial<BenchModule>;
      if (typeof mod.run !== 'function') throw new Error(`${file} does not export run()`);
      const rows: BenchRow[] = await mod.run();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      printTable(`${mod.title ?? file} (${file}, ${seconds} s)`, rows);
    } catch (err) {
      failed++;
      process.stderr.write(`${file} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
  }
  if (failed > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
