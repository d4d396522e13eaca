// Proves SQL behaviour against the scenario corpus test/sql/*.test.sql (REWRITE=1 regenerates; read the diff).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparedOn, fileTargets, parseScenario, renderScenario, runScenario } from './scenario_runner.ts';

const dir = new URL('.', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.test.sql')).sort();

describe('SQL scenarios', () => {
  for (const f of files) {
    it(f, async () => {
      const path = join(dir, f);
      const { blocks, trailer } = parseScenario(readFileSync(path, 'utf8'));
      const outputs = await runScenario(blocks);
      if (process.env.REWRITE === '1') {
        writeFileSync(path, renderScenario(blocks, outputs, trailer));
        return;
      }
      const ft = fileTargets(blocks);
      blocks.forEach((b, i) => {
        if (!comparedOn(b, 'memory', ft)) return;
        expect(`${b.sql}\n----\n${outputs[i]}`).toBe(`${b.sql}\n----\n${b.expected}`);
      });
    });
  }
});
