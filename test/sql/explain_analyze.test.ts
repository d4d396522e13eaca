// Proves EXPLAIN ANALYZE runs the plan and reports per-operator actual rows, loops, times and TableReader cop tasks (regions touched).
import { describe, expect, it } from 'vitest';
import { SqlEngine, type ExecResult } from '../../sql-demo/engine/mod.ts';
import { MemoryKvClient } from '../../sql-demo/kv/mod.ts';

function table(r: ExecResult): Record<string, unknown>[] {
  if (r.kind !== 'rows') throw new Error(`expected rows, got ${r.kind}`);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
}

describe('EXPLAIN ANALYZE', () => {
  it('reports actual rows per operator and cop tasks per region', async () => {
    const engine = new SqlEngine(new MemoryKvClient());
    await engine.bootstrap();
    const s = engine.newSession();
    await s.execute('USE test');
    await s.execute('CREATE TABLE e (id INT PRIMARY KEY, g INT, v INT)');
    await s.execute(`INSERT INTO e VALUES ${Array.from({ length: 100 }, (_, i) => `(${i}, ${i % 3}, ${i})`).join(', ')}`);
    await s.execute('SPLIT TABLE e BETWEEN (0) AND (100) REGIONS 4');

    const full = table(await s.execute('EXPLAIN ANALYZE SELECT * FROM e WHERE v > 10'));
    expect(full.map((r) => r.id)).toEqual(['Projection_1', '└─TableReader_2', '  └─Selection_3', '    └─TableFullScan_4']);
    expect(full.map((r) => r.actRows)).toEqual(['89', '89', '89', '100']);
    expect(full.map((r) => r.task)).toEqual(['root', 'root', 'cop[tikv]', 'cop[tikv]']);
    expect(full[1]!['execution info']).toMatch(/^time:[\d.]+(µs|ms|s), loops:\d+, cop_task: \{num: 4\}$/);
    expect(full[0]!['execution info']).toMatch(/^time:[\d.]+(µs|ms|s), loops:2$/);
    expect(Object.keys(full[0]!)).toEqual(['id', 'estRows', 'actRows', 'task', 'access object', 'execution info', 'operator info', 'memory', 'disk']);

    // A handle range inside one region is one cop task.
    const range = table(await s.execute('EXPLAIN ANALYZE SELECT id FROM e WHERE id >= 30 AND id < 40'));
    const reader = range.find((r) => String(r.id).includes('TableReader'))!;
    expect(reader.actRows).toBe('10');
    expect(reader['execution info']).toMatch(/cop_task: \{num: 1\}/);

    const agg = table(await s.execute('EXPLAIN ANALYZE SELECT g, COUNT(*) FROM e GROUP BY g'));
    expect(agg[0]!.actRows).toBe('3');
    expect(agg.at(-1)!.actRows).toBe('100');

    // The empty result still has statistics; the statement's own rows are not returned.
    const none = table(await s.execute('EXPLAIN ANALYZE SELECT * FROM e WHERE v > 1000 LIMIT 5'));
    expect(none[0]!.actRows).toBe('0');
    await s.close();
  });
});
