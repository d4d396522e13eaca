// Proves Raft safety (checked after every step) and linearizability of the KV history across many faulty simulated seeds, and that runs replay deterministically.
import { describe, expect, it } from 'vitest';
import { runCampaign } from './campaign.ts';
import { runSeed } from './simulator.ts';

/** Seeds in the unit run; CI runs more with `npm run sim -- --seeds 500`. */
const SEEDS = Number(process.env['RAFT_SIM_SEEDS'] ?? 120);

describe('raft simulator', () => {
  it(`keeps every safety property and linearizability over ${SEEDS} seeds (3 and 5 voters)`, () => {
    const lines: string[] = [];
    const three = runCampaign({ seeds: SEEDS / 2, from: 1, overrides: { voters: 3, durationMs: 1500, healMs: 700 }, verbose: false }, (l) => lines.push(l));
    const five = runCampaign({ seeds: SEEDS / 2, from: 100_001, overrides: { voters: 5, durationMs: 1500, healMs: 700 }, verbose: false }, (l) => lines.push(l));
    expect(lines).toEqual([]);
    expect(three.failedSeeds.concat(five.failedSeeds)).toEqual([]);
    expect(three.operationsChecked + five.operationsChecked).toBeGreaterThan(SEEDS * 100);
    expect(three.faultsTotal() + five.faultsTotal()).toBeGreaterThan(SEEDS * 3);
  });

  it('passes seeds that once failed (8: lease read served by a paused node; 6718: duplicated forwarded proposal applied twice)', () => {
    const lines: string[] = [];
    for (const seed of [8, 6718]) runCampaign({ seeds: 1, from: seed, overrides: {}, verbose: false }, (l) => lines.push(l));
    expect(lines).toEqual([]);
  });

  it('replays a seed exactly', () => {
    const a = runSeed(7, { durationMs: 800, healMs: 300 });
    const b = runSeed(7, { durationMs: 800, healMs: 300 });
    expect(JSON.stringify(a.operations)).toBe(JSON.stringify(b.operations));
    expect(a.steps).toBe(b.steps);
    expect(a.faults).toEqual(b.faults);
  });
});
