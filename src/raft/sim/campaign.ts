/**
 * Runs many simulator seeds and aggregates their figures: seeds, steps, invariant checks,
 * operations checked for linearizability, faults injected by kind, and violations (each
 * failing seed is reported with its replay command). Pure: output goes through callbacks.
 */
import type { KvHistoryFile } from './history.ts';
import { checkLinearizable } from './linearizability.ts';
import { runSeed, type SimOptions, type SimResult } from './simulator.ts';

/** What to run. */
export interface CampaignOptions {
  seeds: number;
  from: number;
  overrides: Partial<SimOptions>;
  verbose: boolean;
}

/** Aggregated figures of a campaign. */
export class CampaignSummary {
  seeds = 0;
  steps = 0;
  invariantChecks = 0;
  operationsChecked = 0;
  unknownOutcomes = 0;
  faults: Record<string, number> = {};
  violations = 0;
  failedSeeds: number[] = [];
  linearizabilityUnknown = 0;
  stalls = 0;
  stalledSeeds: number[] = [];

  faultsTotal(): number {
    return Object.values(this.faults).reduce((a, b) => a + b, 0);
  }

  report(seconds: number): string {
    const faultLines = Object.entries(this.faults)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `    ${k}: ${v}`)
      .join('\n');
    return [
      `seeds run:              ${this.seeds} (${seconds.toFixed(1)} s, ${(seconds * 1000 / Math.max(1, this.seeds)).toFixed(1)} ms/seed)`,
      `simulation steps:       ${this.steps}`,
      `invariant checks:       ${this.invariantChecks}`,
      `operations checked:     ${this.operationsChecked} (unknown outcome: ${this.unknownOutcomes})`,
      `linearizability:        ${this.seeds - this.linearizabilityUnknown} decided, ${this.linearizabilityUnknown} undecided (budget)`,
      `faults injected:        ${this.faultsTotal()}`,
      faultLines,
      `no progress after heal: ${this.stalls} seeds (liveness, not safety)${this.stalledSeeds.length > 0 ? ` (seeds ${this.stalledSeeds.slice(0, 20).join(', ')})` : ''}`,
      `violations:             ${this.violations}${this.failedSeeds.length > 0 ? ` (seeds ${this.failedSeeds.slice(0, 20).join(', ')})` : ''}`,
    ].join('\n');
  }
}

/** Runs `opts.seeds` seeds starting at `opts.from`. */
export function runCampaign(
  opts: CampaignOptions,
  print: (line: string) => void,
  onHistory: (seed: number, h: KvHistoryFile) => void = () => {},
): CampaignSummary {
  const s = new CampaignSummary();
  for (let seed = opts.from; seed < opts.from + opts.seeds; seed++) {
    // Odd seeds bootstrap 3 voters, even seeds 5, unless the caller fixed it.
    let r: SimResult;
    try {
      r = runSeed(seed, { voters: seed % 2 === 0 ? 5 : 3, ...opts.overrides });
    } catch (e) {
      // An assertion inside the core or the simulator is a violation of this seed, not a crash.
      s.seeds++;
      s.violations++;
      s.failedSeeds.push(seed);
      print(`seed ${seed} FAILED: exception: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      print(`  replay: npm run sim -- --seed ${seed}`);
      continue;
    }
    s.seeds++;
    s.steps += r.steps;
    s.invariantChecks += r.invariantChecks;
    for (const [k, v] of Object.entries(r.faults)) s.faults[k] = (s.faults[k] ?? 0) + v;
    const violations = [...r.violations];
    let lin = 'ok';
    if (violations.length === 0) {
      lin = checkLinearizable(r.operations);
      if (lin === 'illegal') violations.push('history is not linearizable');
      if (lin === 'unknown') s.linearizabilityUnknown++;
    }
    s.operationsChecked += r.operations.length;
    s.unknownOutcomes += r.operations.filter((o) => o.return === null).length;
    if (!r.progressedAfterHeal) {
      s.stalls++;
      s.stalledSeeds.push(seed);
    }
    onHistory(seed, { seed, operations: r.operations });
    if (violations.length > 0) {
      s.violations += violations.length;
      s.failedSeeds.push(seed);
      print(`seed ${seed} FAILED: ${violations.join('; ')}`);
      print(`  replay: npm run sim -- --seed ${seed}`);
      if (opts.verbose) for (const t of r.trace) print(`  ${t}`);
    } else if (opts.verbose) {
      print(`seed ${seed}: ok (${r.operations.length} ops, commit ${r.committedIndex}, ${r.steps} steps, linearizability ${lin})`);
      if (!r.progressedAfterHeal) for (const t of r.trace.slice(-40)) print(`  ${t}`);
    }
  }
  return s;
}
