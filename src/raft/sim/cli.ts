/**
 * Simulation campaign entry point (`npm run sim -- --seeds N [--from S] [--seed S] [--voters 5]
 * [--histories DIR] [--verbose]`). Runs seeds, checks Raft safety after every step and each
 * history for linearizability, prints figures, and exits non-zero on any violation, printing
 * the failing seed and its replay command. The only file in src/raft allowed `node:*` imports.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCampaign, type CampaignOptions } from './campaign.ts';

function parseArgs(argv: string[]): CampaignOptions & { historiesDir: string | null } {
  const o: CampaignOptions & { historiesDir: string | null } = { seeds: 100, from: 1, overrides: {}, verbose: false, historiesDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`missing value for ${a}`);
      return v;
    };
    if (a === '--seeds') o.seeds = Number(next());
    else if (a === '--from') o.from = Number(next());
    else if (a === '--seed') {
      o.from = Number(next());
      o.seeds = 1;
      o.verbose = true;
    } else if (a === '--voters') o.overrides.voters = Number(next());
    else if (a === '--duration-ms') o.overrides.durationMs = Number(next());
    else if (a === '--histories') o.historiesDir = next();
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--') continue;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.historiesDir) mkdirSync(opts.historiesDir, { recursive: true });
const started = performance.now();
const summary = runCampaign(opts, (line) => console.log(line), (seed, history) => {
  if (opts.historiesDir) writeFileSync(join(opts.historiesDir, `history_${seed}.json`), JSON.stringify(history));
});
const secs = (performance.now() - started) / 1000;
console.log(summary.report(secs));
process.exit(summary.failedSeeds.length > 0 ? 1 : 0);
