// Proves a TableReader falls back to root execution when the store refuses the DAG (other_error) on its first response, and that MemoryKvClient never gets a coprocessor request.
import { describe, expect, it } from 'vitest';
import { SqlEngine, type ExecResult } from '../../sql-demo/engine/mod.ts';
import { CoprocessorError, MemoryKvClient, type CopRequest, type CopResult, type KvClient } from '../../sql-demo/kv/mod.ts';

function rows(r: ExecResult): unknown[][] {
  if (r.kind !== 'rows') throw new Error(`expected rows, got ${r.kind}`);
  return r.rows;
}

/** A MemoryKvClient whose store answers every DAG with other_error. */
function refusingClient(calls: { n: number }): KvClient {
  const mem = new MemoryKvClient();
  return {
    begin: (o) => mem.begin(o),
    snapshot: (ts) => mem.snapshot(ts),
    getTs: () => mem.getTs(),
    splitRegions: (k) => mem.splitRegions(k),
    regions: (a, b) => mem.regions(a, b),
    // eslint-disable-next-line require-yield
    async *coprocessor(_req: CopRequest): AsyncIterable<CopResult> {
      calls.n++;
      throw new CoprocessorError(1n, 'unsupported signature 9999');
    },
    close: () => mem.close(),
  };
}

describe('pushdown fallback', () => {
  it('runs at the root when the store refuses the DAG', async () => {
    const calls = { n: 0 };
    const engine = new SqlEngine(refusingClient(calls));
    await engine.bootstrap();
    const s = engine.newSession();
    await s.execute('USE test');
    await s.execute('CREATE TABLE f (id INT PRIMARY KEY, v INT)');
    await s.execute('INSERT INTO f VALUES (1, 10), (2, NULL), (3, 30)');
    expect(rows(await s.execute('SELECT id FROM f WHERE v > 5'))).toEqual([[1n], [3n]]);
    expect(rows(await s.execute('SELECT COUNT(*), SUM(v) FROM f'))).toEqual([[3n, expect.anything()]]);
    expect(calls.n).toBe(2);
    await s.close();
  });

  it('never calls the coprocessor of MemoryKvClient', async () => {
    const mem = new MemoryKvClient();
    let called = 0;
    const orig = mem.coprocessor.bind(mem);
    mem.coprocessor = (req) => {
      called++;
      return orig(req);
    };
    const engine = new SqlEngine(mem);
    await engine.bootstrap();
    const s = engine.newSession();
    await s.execute('USE test');
    await s.execute('CREATE TABLE g (id INT PRIMARY KEY, v INT)');
    await s.execute('INSERT INTO g VALUES (1, 10)');
    expect(rows(await s.execute('SELECT v FROM g WHERE v > 5'))).toEqual([[10n]]);
    expect(called).toBe(0);
    await s.close();
  });
});
