// Proves the scenario corpus (test/sql/*.test.sql) gives the memory run's exact outputs on a real multi-region cluster, with pushdown off (root) and on (pushed).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlEngine } from '../../sql-demo/engine/mod.ts';
import { encodeIndexKey, encodeRecordKey } from '../../sql-demo/tidb_codec.ts';
import type { TikvKvClient } from '../../sql-demo/kv/mod.ts';
import { startFixture, type ClusterFixture } from '../sqlkv/cluster_fixture.ts';
import { comparedOn, fileTargets, parseScenario, runScenario, type ScenarioEnv, type ScenarioTarget } from './scenario_runner.ts';

/** Int handles every new table's record range is split at: small scenario tables span several regions. */
const SPLIT_HANDLES = [2n, 4n, 7n, 100n];
/** Every index's range is split where an int datum 3 would sort (memcomparable: flag 0x03, sign bit flipped). */
const INDEX_SPLIT_VALUE = Uint8Array.of(0x03, 0x80, 0, 0, 0, 0, 0, 0, 3);
/** Databases the reset between files leaves alone. */
const SYSTEM_DBS = new Set(['information_schema', 'mysql', 'performance_schema', 'metrics_schema']);

const dir = new URL('.', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.test.sql')).sort();

/** One cluster for every file and both variants; each file starts from a fresh `test` database. */
function clusterEnv(kv: TikvKvClient, pushdown: boolean, splitDone: Set<string>): ScenarioEnv {
  return {
    kv,
    sessionInit: [`SET tidb_enable_pushdown = ${pushdown ? 1 : 0}`],
    async prepare(engine: SqlEngine) {
      const s = engine.newSession();
      try {
        const is = await engine.catalog.latest();
        for (const name of is.dbs.keys()) if (!SYSTEM_DBS.has(name)) await s.execute(`DROP DATABASE ${name}`);
        await s.execute('CREATE DATABASE test');
      } finally {
        await s.close();
      }
    },
    async afterDdl(engine: SqlEngine) {
      const is = await engine.catalog.latest();
      const keys: Uint8Array[] = [];
      for (const tables of is.tables.values()) {
        for (const t of tables.values()) {
          if (!splitDone.has(`${t.id}`)) {
            splitDone.add(`${t.id}`);
            for (const h of SPLIT_HANDLES) keys.push(encodeRecordKey(BigInt(t.id), h));
          }
          for (const idx of t.indexes) {
            if (splitDone.has(`${t.id}:${idx.id}`)) continue;
            splitDone.add(`${t.id}:${idx.id}`);
            keys.push(encodeIndexKey(BigInt(t.id), BigInt(idx.id), INDEX_SPLIT_VALUE));
          }
        }
      }
      if (keys.length > 0) await kv.splitRegions(keys);
    },
  };
}

describe('SQL scenarios on a multi-region cluster', () => {
  let fx: ClusterFixture;
  let kv: TikvKvClient;
  const splitDone = new Set<string>();
  beforeAll(async () => {
    fx = await startFixture();
    kv = await fx.connect();
  }, 30_000);
  afterAll(async () => {
    await fx?.stop();
  });

  for (const target of ['root', 'pushed'] as ScenarioTarget[]) {
    for (const f of files) {
      it(`${f} (${target})`, async () => {
        const { blocks } = parseScenario(readFileSync(join(dir, f), 'utf8'));
        const outputs = await runScenario(blocks, clusterEnv(kv, target === 'pushed', splitDone));
        const ft = fileTargets(blocks);
        // Every diverging block at once (a scenario file is long; the first failure hides the rest).
        const actual: string[] = [];
        const expected: string[] = [];
        blocks.forEach((b, i) => {
          if (!comparedOn(b, target, ft) || outputs[i] === b.expected) return;
          actual.push(`${b.sql}\n----\n${outputs[i]}`);
          expected.push(`${b.sql}\n----\n${b.expected}`);
        });
        expect(actual.join('\n\n')).toBe(expected.join('\n\n'));
      }, 60_000);
    }
  }

  it('really ran over several regions per table', async () => {
    const regions = await kv.regions(new Uint8Array(), new Uint8Array());
    const tables = [...splitDone].filter((k) => !k.includes(':')).length;
    expect(tables).toBeGreaterThan(10);
    expect(regions.length).toBeGreaterThanOrEqual(tables * SPLIT_HANDLES.length);
  });
});
