// Proves coprocessor pushdown on a real in-process cluster: the same queries over a multi-region table give identical results pushed (tidb_enable_pushdown=ON) and at the root (OFF), incl. NULLs, empty tables and limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../sql-demo/engine/mod.ts';
import type { ClusterFixture } from '../sqlkv/cluster_fixture.ts';
import { rows, startSqlCluster } from './cluster_session.ts';

const QUERIES = [
  'SELECT * FROM pt',
  'SELECT * FROM pt WHERE a > 10',
  'SELECT * FROM pt WHERE a IS NULL',
  'SELECT * FROM pt WHERE a IS NOT NULL AND a <= 7',
  'SELECT * FROM pt WHERE NOT (a = 3)',
  'SELECT * FROM pt WHERE a <> 3 OR s = \'s5\'',
  'SELECT * FROM pt WHERE r >= 2.5e0 AND r < 40',
  'SELECT * FROM pt WHERE d > 10 AND d <= 100',
  'SELECT * FROM pt WHERE d = 12.25',
  'SELECT * FROM pt WHERE s > \'s3\' AND s < \'s7\'',
  "SELECT * FROM pt WHERE s = 's1 '",
  'SELECT * FROM pt WHERE a BETWEEN 5 AND 15',
  'SELECT * FROM pt WHERE a NOT BETWEEN 5 AND 15',
  'SELECT * FROM pt WHERE a = b',
  'SELECT * FROM pt WHERE id > 100 AND a > 0',
  'SELECT * FROM pt WHERE id >= 250 AND id < 750',
  'SELECT * FROM pt LIMIT 7',
  'SELECT * FROM pt WHERE a > 3 LIMIT 5',
  'SELECT * FROM pt WHERE a > 3 LIMIT 2, 5',
  'SELECT * FROM pt WHERE a > 1000',
  'SELECT * FROM pt WHERE a + 1 > 5',
  "SELECT * FROM pt WHERE a > '5'",
  'SELECT id, a FROM pt WHERE a > 3 ORDER BY a DESC, id LIMIT 4',
  'SELECT a, COUNT(*), SUM(d), MIN(s), MAX(r), AVG(b) FROM pt GROUP BY a ORDER BY a',
  'SELECT COUNT(*), SUM(a) FROM pt WHERE b < 10',
  'SELECT * FROM empty_t',
  'SELECT * FROM empty_t WHERE x > 1 LIMIT 3',
  'SELECT COUNT(*) FROM empty_t',
];

describe('coprocessor pushdown on a real cluster', () => {
  let fx: ClusterFixture;
  let s: Session;
  beforeAll(async () => {
    ({ fx, s } = await startSqlCluster());
    await s.execute('CREATE TABLE pt (id INT PRIMARY KEY, a INT, b BIGINT, r DOUBLE, d DECIMAL(10,2), s VARCHAR(20), f FLOAT)');
    await s.execute('CREATE TABLE empty_t (x INT, y VARCHAR(5))');
    await s.execute('SPLIT TABLE pt BETWEEN (0) AND (1000) REGIONS 5');
    await s.execute('SPLIT TABLE empty_t BETWEEN (0) AND (100) REGIONS 2');
    const values: string[] = [];
    for (let i = 0; i < 60; i++) {
      const n = (v: string, nullEvery: number) => (i % nullEvery === 0 ? 'NULL' : v);
      values.push(`(${i * 17}, ${n(String(i % 13), 5)}, ${n(String(i % 7), 4)}, ${n(String(i * 1.25), 6)}, ${n((i * 3.25).toFixed(2), 7)}, ${n(`'s${i % 9}${i % 11 === 0 ? ' ' : ''}'`, 8)}, ${n(String(i / 4), 9)})`);
    }
    await s.execute(`INSERT INTO pt VALUES ${values.join(', ')}`);
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await fx?.stop();
  });

  it('gives identical results pushed and at the root', async () => {
    for (const q of QUERIES) {
      await s.execute('SET tidb_enable_pushdown = 0');
      const root = rows(await s.execute(q));
      await s.execute('SET tidb_enable_pushdown = 1');
      const pushed = rows(await s.execute(q));
      expect(pushed, q).toEqual(root);
    }
  }, 60_000);

  it('really sends the reader to the coprocessor: one cop task per region', async () => {
    await s.execute('SET tidb_enable_pushdown = 1');
    const regions = rows(await s.execute('SHOW TABLE pt REGIONS')).length;
    expect(regions).toBeGreaterThanOrEqual(5);
    const an = rows(await s.execute('EXPLAIN ANALYZE SELECT * FROM pt WHERE a > 3'));
    const reader = an.find((r) => String(r[0]).includes('TableReader'))!;
    expect(String(reader[5])).toContain(`cop_task: {num: 5}`);
    const sel = an.find((r) => String(r[0]).includes('Selection'))!;
    expect(Number(sel[2])).toBe(rows(await s.execute('SELECT * FROM pt WHERE a > 3')).length);
  }, 30_000);

  it('EXPLAIN marks what is pushed: cop[tikv] for the DAG part, root above it', async () => {
    await s.execute('SET tidb_enable_pushdown = 1');
    const tasks = async (q: string) => rows(await s.execute(`EXPLAIN ${q}`)).map((r) => `${String(r[0]).replace(/[└─│ ]/g, '')} ${r[2]}`);
    expect(await tasks('SELECT * FROM pt WHERE a > 3 LIMIT 2')).toEqual(['Limit_1 root', 'Projection_2 root', 'TableReader_3 root', 'Limit_4 cop[tikv]', 'Selection_5 cop[tikv]', 'TableFullScan_6 cop[tikv]']);
    expect(await tasks('SELECT * FROM pt WHERE a + 1 > 5')).toEqual(['Projection_1 root', 'TableReader_2 root', 'Selection_3 root', 'TableFullScan_4 cop[tikv]']);
    await s.execute('SET tidb_enable_pushdown = 0');
    const off = rows(await s.execute('EXPLAIN SELECT * FROM pt WHERE a > 3'));
    expect(String(off[1]![4])).toContain('pushdown boundary');
    await s.execute('SET tidb_enable_pushdown = 1');
  }, 30_000);

  it('inside a transaction reads run at the root and see the transaction\'s own writes', async () => {
    await s.execute('SET tidb_enable_pushdown = 1');
    await s.execute('BEGIN');
    await s.execute("INSERT INTO pt VALUES (5000, 99, 1, 1, 1, 'txn', 1)");
    expect(rows(await s.execute('SELECT id FROM pt WHERE a = 99'))).toEqual([[5000n]]);
    await s.execute('ROLLBACK');
    expect(rows(await s.execute('SELECT id FROM pt WHERE a = 99'))).toEqual([]);
  }, 30_000);
});
