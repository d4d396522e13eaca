// Proves the Raft core's behaviour on scripted scenarios (golden transcripts in src/raft/testdata; REWRITE=1 regenerates).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioEnv, parseCommand } from './scenario_env.ts';
import { parseScenarioFile, renderScenarioFile } from './scenario_file.ts';

const dir = join(import.meta.dirname, '..', 'testdata');
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

describe('raft scenarios', () => {
  for (const file of files) {
    it(file, () => {
      const path = join(dir, file);
      const blocks = parseScenarioFile(readFileSync(path, 'utf8'));
      const env = new ScenarioEnv();
      const outputs = blocks.map((b) => env.run(parseCommand(b.command)));
      if (process.env['REWRITE'] === '1') {
        writeFileSync(path, renderScenarioFile(blocks, outputs));
        return;
      }
      blocks.forEach((b, k) => {
        const got = outputs[k]!.length > 0 ? outputs[k]! : 'ok';
        expect(got, `${file}:${b.line}: ${b.command}`).toBe(b.expected);
      });
    });
  }
});
