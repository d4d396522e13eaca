// Proves the catalog and auto ids are shared through the cluster by several SQL engines, and that index access paths agree with full scans under random DML (seeded model check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryKvClient } from '../kv/mod.ts';
import { SqlEngine } from './session.ts';
import type { ExecResult } from './session.ts';
import { valueToString } from './value.ts';

function rows(r: ExecResult): string[][] {
  if (r.kind !== 'rows') throw new Error('expected rows');
  return r.rows.map((row) => row.map((v) => (v === null ? 'NULL' : valueToString(v))));
}

describe('SqlEngine over a shared cluster', () => {
  it('DDL on one server is visible to another; auto ids never collide', async () => {
    const kv = new MemoryKvClient();
    const a = new SqlEngine(kv);
    const b = new SqlEngine(kv);
    await a.bootstrap();
    await b.bootstrap();
    const sa = a.newSession();
    const sb = b.newSession();
    await sa.execute('USE test');
    await sb.execute('USE test');
    await sa.execute('CREATE TABLE shared (id INT PRIMARY KEY AUTO_INCREMENT, who CHAR(1))');
    for (let i = 0; i < 5; i++) {
      await sa.execute("INSERT INTO shared (who) VALUES ('a')");
      await sb.execute("INSERT INTO shared (who) VALUES ('b')");
    }
    const ids = rows(await sb.execute('SELECT id FROM shared')).map((r) => r[0]);
    expect(new Set(ids).size).toBe(10);
    await sb.execute('ALTER TABLE shared ADD COLUMN extra INT DEFAULT 42');
    expect(rows(await sa.execute('SELECT DISTINCT extra FROM shared'))).toEqual([['42']]);
    await sb.execute('DROP TABLE shared');
    await expect(sa.execute('SELECT * FROM shared')).rejects.toMatchObject({ code: 1146 });
  });
});

describe('index access paths agree with full scans (model check)', () => {
  it('random INSERT/UPDATE/DELETE keep record and index entries consistent', async () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('ins' as const), id: fc.integer({ min: 1, max: 30 }), k: fc.option(fc.integer({ min: 0, max: 5 })), u: fc.option(fc.integer({ min: 0, max: 10 })) }),
      fc.record({ t: fc.constant('upd' as const), id: fc.integer({ min: 1, max: 30 }), k: fc.option(fc.integer({ min: 0, max: 5 })) }),
      fc.record({ t: fc.constant('updu' as const), k: fc.integer({ min: 0, max: 5 }), u: fc.option(fc.integer({ min: 0, max: 10 })) }),
      fc.record({ t: fc.constant('del' as const), k: fc.integer({ min: 0, max: 5 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const e = new SqlEngine(new MemoryKvClient());
        await e.bootstrap();
        const s = e.newSession();
        await s.execute('USE test');
        await s.execute('CREATE TABLE m (id INT PRIMARY KEY, k INT, u INT, KEY ik (k), UNIQUE KEY iu (u))');
        const model = new Map<number, { k: number | null; u: number | null }>();
        const lit = (v: number | null) => (v === null ? 'NULL' : String(v));
        for (const o of ops) {
          try {
            if (o.t === 'ins') await s.execute(`INSERT INTO m VALUES (${o.id}, ${lit(o.k)}, ${lit(o.u)})`);
            else if (o.t === 'upd') await s.execute(`UPDATE m SET k = ${lit(o.k)} WHERE id = ${o.id}`);
            else if (o.t === 'updu') await s.execute(`UPDATE m SET u = ${lit(o.u)} WHERE k = ${o.k}`);
            else await s.execute(`DELETE FROM m WHERE k = ${o.k}`);
          } catch (err) {
            expect((err as { code?: number }).code).toBe(1062);
            continue;
          }
          if (o.t === 'ins') model.set(o.id, { k: o.k, u: o.u });
          else if (o.t === 'upd') {
            const r = model.get(o.id);
            if (r) r.k = o.k;
          } else if (o.t === 'updu') {
            for (const r of model.values()) if (r.k === o.k) r.u = o.u;
          } else {
            for (const [id, r] of model) if (r.k === o.k) model.delete(id);
          }
        }
        const all = rows(await s.execute('SELECT id, k, u FROM m ORDER BY id'));
        expect(all).toEqual([...model].sort((a, b) => a[0] - b[0]).map(([id, r]) => [String(id), lit(r.k), lit(r.u)]));
        for (let k = 0; k <= 5; k++) {
          const viaIndex = rows(await s.execute(`SELECT id FROM m WHERE k = ${k} ORDER BY id`));
          const viaScan = rows(await s.execute(`SELECT id FROM m WHERE k + 0 = ${k} ORDER BY id`));
          expect(viaIndex).toEqual(viaScan);
        }
        for (let u = 0; u <= 10; u++) {
          expect(rows(await s.execute(`SELECT id FROM m WHERE u = ${u}`))).toEqual(rows(await s.execute(`SELECT id FROM m WHERE u + 0 = ${u}`)));
        }
        expect(rows(await s.execute('SELECT id FROM m WHERE k >= 2 AND k < 4 ORDER BY id'))).toEqual(rows(await s.execute('SELECT id FROM m WHERE k + 0 >= 2 AND k + 0 < 4 ORDER BY id')));
      }),
      { numRuns: Number(process.env.SQL_MODEL_RUNS ?? 12), seed: Number(process.env.SEED ?? 20261123) },
    );
  });
});

describe('two-phase aggregation matches a model (seeded)', () => {
  it('GROUP BY with COUNT/SUM/MIN/MAX/AVG over random rows with NULLs', async () => {
    const rowArb = fc.record({ k: fc.option(fc.integer({ min: 0, max: 3 })), v: fc.option(fc.integer({ min: -50, max: 50 })) });
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 40 }), async (data) => {
        const e = new SqlEngine(new MemoryKvClient());
        await e.bootstrap();
        const s = e.newSession();
        await s.execute('USE test');
        await s.execute('CREATE TABLE g (id INT PRIMARY KEY AUTO_INCREMENT, k INT, v INT)');
        const lit = (x: number | null) => (x === null ? 'NULL' : String(x));
        if (data.length > 0) await s.execute(`INSERT INTO g (k, v) VALUES ${data.map((d) => `(${lit(d.k)}, ${lit(d.v)})`).join(', ')}`);
        const got = rows(await s.execute('SELECT k, COUNT(*), COUNT(v), SUM(v), MIN(v), MAX(v), AVG(v) FROM g GROUP BY k ORDER BY k'));
        const groups = new Map<number | null, Array<number | null>>();
        for (const d of data) groups.set(d.k, [...(groups.get(d.k) ?? []), d.v]);
        const keys = [...groups.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : a - b));
        const want = keys.map((k) => {
          const vs = groups.get(k)!;
          const nn = vs.filter((x): x is number => x !== null);
          const sum = nn.reduce((a, b) => a + b, 0);
          const avg = nn.length === 0 ? 'NULL' : ((Math.sign(sum) * Math.round((Math.abs(sum) / nn.length) * 10000)) / 10000).toFixed(4);
          return [lit(k), String(vs.length), String(nn.length), nn.length ? String(sum) : 'NULL', nn.length ? String(Math.min(...nn)) : 'NULL', nn.length ? String(Math.max(...nn)) : 'NULL', avg];
        });
        expect(got.map((r) => [...r.slice(0, 6), r[6] === 'NULL' ? 'NULL' : Number(r[6]).toFixed(4)])).toEqual(want);
        const total = rows(await s.execute('SELECT COUNT(*), SUM(v) FROM g WHERE v > 1000'));
        expect(total).toEqual([['0', 'NULL']]);
      }),
      { numRuns: Number(process.env.SQL_MODEL_RUNS ?? 12), seed: Number(process.env.SEED ?? 7777) },
    );
  });
});

describe('parameters bound as DOUBLE (mysql2 binds JS numbers so)', () => {
  it('a whole-number DOUBLE selects an int key by point get and range; a fractional one never rounds onto a row', async () => {
    const e = new SqlEngine(new MemoryKvClient());
    await e.bootstrap();
    const s = e.newSession();
    await s.execute('USE test');
    await s.execute('CREATE TABLE pk (id BIGINT PRIMARY KEY, v INT)');
    await s.execute('INSERT INTO pk VALUES (1, 10), (2, 20), (3, 30)');
    expect(rows(await s.execute('EXPLAIN SELECT v FROM pk WHERE id = ?', [2])).map((r) => r[0]).join(' ')).toContain('Point_Get');
    expect(rows(await s.execute('SELECT v FROM pk WHERE id = ?', [2]))).toEqual([['20']]);
    expect(rows(await s.execute('SELECT v FROM pk WHERE id = ?', [2.5]))).toEqual([]);
    expect(rows(await s.execute('SELECT v FROM pk WHERE id > ? ORDER BY id', [1.5]))).toEqual([['20'], ['30']]);
    expect(rows(await s.execute('SELECT v FROM pk WHERE id >= ? ORDER BY id', [2]))).toEqual([['20'], ['30']]);
    await s.execute('UPDATE pk SET v = v + 1 WHERE id = ?', [3]);
    expect(rows(await s.execute('SELECT v FROM pk WHERE id = 3'))).toEqual([['31']]);
  });
});
