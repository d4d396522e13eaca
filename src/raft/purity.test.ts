// Proves the Raft core stays pure (DESIGN.md import rules): no node:* imports, timers, Date, Math.random or await outside tests and the sim CLI.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = import.meta.dirname;

function sources(d: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (f.endsWith('.ts') && !f.endsWith('.test.ts') && relative(dir, p) !== join('sim', 'cli.ts')) out.push(p);
  }
  return out;
}

const FORBIDDEN: [RegExp, string][] = [
  [/from ['"]node:/, 'node:* import'],
  [/\bsetTimeout\b|\bsetInterval\b|\bsetImmediate\b|\bqueueMicrotask\b/, 'timer'],
  [/\bDate\b/, 'Date'],
  [/Math\.random/, 'Math.random'],
  [/\bawait\b|\basync\b/, 'await/async'],
  [/\bperformance\b|\bprocess\./, 'process/performance'],
];

describe('raft core purity', () => {
  it('has no effects in src/raft (except tests and sim/cli.ts)', () => {
    const problems: string[] = [];
    for (const f of sources(dir)) {
      const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const [re, what] of FORBIDDEN) if (re.test(text)) problems.push(`${relative(dir, f)}: ${what}`);
    }
    expect(problems).toEqual([]);
  });
});
