// Proves SPLIT TABLE / SHOW TABLE REGIONS on a real in-process cluster (TikvKvClient): the split keys become PD regions, reads span them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../sql-demo/engine/mod.ts';
import type { ClusterFixture } from '../sqlkv/cluster_fixture.ts';
import { rows, startSqlCluster } from './cluster_session.ts';

describe('SPLIT TABLE on a real cluster', () => {
  let fx: ClusterFixture;
  let s: Session;
  beforeAll(async () => {
    ({ fx, s } = await startSqlCluster());
  }, 30_000);
  afterAll(async () => {
    await s?.close();
    await fx?.stop();
  });

  it('splits BETWEEN and BY on record keys and shows the regions TiDB-style', async () => {
    await s.execute('CREATE TABLE cr (id BIGINT PRIMARY KEY, v VARCHAR(20))');
    const split = rows(await s.execute('SPLIT TABLE cr BETWEEN (0) AND (1000) REGIONS 4'));
    expect(split).toEqual([[3n, 1]]);
    expect(rows(await s.execute('SPLIT TABLE cr BY (100), (250)'))).toEqual([[1n, 1]]);
    const regions = rows(await s.execute('SHOW TABLE cr REGIONS'));
    const starts = regions.map((r) => r[1] as string);
    const ends = regions.map((r) => r[2] as string);
    const id = /^t_(\d+)_r_250$/.exec(starts.find((k) => k.endsWith('_r_250')) ?? '')?.[1];
    expect(id).toBeDefined();
    for (const h of [100, 250, 500, 750]) expect(starts).toContain(`t_${id}_r_${h}`);
    expect(ends).toContain(`t_${id}_r_100`);
    for (const r of regions) {
      expect(typeof r[0]).toBe('bigint');
      expect(r[4]).toBe(1n);
      expect(String(r[5])).toContain(String(r[3]));
    }
    // Region ids are distinct and boundaries chain.
    expect(new Set(regions.map((r) => r[0])).size).toBe(regions.length);
    for (let i = 0; i + 1 < regions.length; i++) expect(regions[i]![2]).toBe(regions[i + 1]![1]);
    const values = Array.from({ length: 40 }, (_, i) => `(${i * 25}, 'v${i}')`).join(', ');
    await s.execute(`INSERT INTO cr VALUES ${values}`);
    expect(rows(await s.execute('SELECT COUNT(*), SUM(id) FROM cr'))).toEqual([[40n, expect.anything()]]);
    expect(rows(await s.execute('SELECT id FROM cr WHERE id >= 240 AND id < 510 ORDER BY id DESC')).map((r) => r[0])).toEqual([500n, 475n, 450n, 425n, 400n, 375n, 350n, 325n, 300n, 275n, 250n]);

    // Sizes come from the store's region heartbeats through PD's HTTP API: once the store has
    // reported, every region holding rows shows PD's minimum of 1 MiB and a key count.
    await fx.cluster.tikv.regionHeartbeats();
    let sized: unknown[][] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      sized = rows(await s.execute('SHOW TABLE cr REGIONS')).filter((r) => (r[7] as bigint) > 0n);
      if (sized.length >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sized.length).toBeGreaterThanOrEqual(5); // every region from key 0 to 975 holds rows
    for (const r of sized) expect(r[6]).toBe(1n);
    const keys = sized.reduce((n, r) => n + (r[7] as bigint), 0n);
    expect(keys).toBeGreaterThanOrEqual(40n);
  }, 60_000);

  it('ADMIN CHECKSUM TABLE through the stores (tp 105 per region) equals the SQL layer scanning the same keys', async () => {
    await s.execute('CREATE TABLE cks (id BIGINT PRIMARY KEY, v VARCHAR(20), n INT, KEY kn (n), UNIQUE KEY uv (v))');
    const values = Array.from({ length: 300 }, (_, i) => `(${i}, 'v${i}', ${i % 7})`).join(', ');
    await s.execute(`INSERT INTO cks VALUES ${values}`);
    await s.execute('SPLIT TABLE cks BETWEEN (0) AND (300) REGIONS 5');
    expect(rows(await s.execute('SHOW TABLE cks REGIONS')).length).toBeGreaterThanOrEqual(5);
    const viaStores = rows(await s.execute('ADMIN CHECKSUM TABLE cks'));
    await s.execute('SET tidb_enable_pushdown = 0');
    const viaScan = rows(await s.execute('ADMIN CHECKSUM TABLE cks'));
    await s.execute('SET tidb_enable_pushdown = 1');
    expect(viaStores).toEqual(viaScan);
    expect(viaStores[0]![3]).toBe(900n); // 300 rows + 300 entries in each of two indexes
    expect(viaStores[0]![2]).not.toBe(0n);
    await s.execute('UPDATE cks SET n = n + 1 WHERE id = 150');
    const after = rows(await s.execute('ADMIN CHECKSUM TABLE cks'));
    expect(after[0]![2]).not.toBe(viaStores[0]![2]);
    expect(after[0]![3]).toBe(900n);
  }, 60_000);
});
