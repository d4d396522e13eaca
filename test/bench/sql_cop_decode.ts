/**
 * SQL-layer cost of coprocessor result encodings: a filtered `SELECT *` returning ~100k rows
 * (`BENCH_SQL_COP_ROWS`, default 120k stored, 5/6 kept) from a table split into 5 regions
 * of an in-process cluster (PD + store over gRPC), run with `tidb_cop_result_encoding`
 * arrow / default / chunk and with pushdown off. Reports per encoding: the whole query
 * (median of `BENCH_SQL_COP_REPS`, default 3), the response bytes, and the SQL layer's decode
 * alone (SelectResponse protobuf + `copDecode` of every chunk, re-run over the responses
 * captured from one query). Every mode must return the same rows, else the bench throws.
 *
 *   npx tsx test/bench/sql_cop_decode.ts
 */
import { isDeepStrictEqual } from 'node:util';
import { SqlEngine } from '../../sql-demo/engine/mod.ts';
import { copDecode, type CopResultEncoding } from '../../sql-demo/engine/cop_decode.ts';
import type { CopRequest, CopResult, KvClient } from '../../sql-demo/kv/mod.ts';
import { decodeMessage, type tipb } from '../../src/proto/mod.ts';
import { realClock } from '../../src/util/mod.ts';
import { startFixture } from '../sqlkv/cluster_fixture.ts';

const ROWS = Number(process.env.BENCH_SQL_COP_ROWS ?? 120_000);
const REPS = Number(process.env.BENCH_SQL_COP_REPS ?? 3);
const INSERT_BATCH_ROWS = 5000;
const QUERY = 'SELECT * FROM bench WHERE a >= 2';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const fx = await startFixture();
  const client = await fx.connect();
  let capture: Uint8Array[] | undefined;
  const inner = client.coprocessor.bind(client);
  (client as { coprocessor: KvClient['coprocessor'] }).coprocessor = async function* (req: CopRequest): AsyncIterable<CopResult> {
    for await (const r of inner(req)) {
      capture?.push(r.data);
      yield r;
    }
  };
  const engine = new SqlEngine(client);
  await engine.bootstrap();
  const s = engine.newSession();
  await s.execute('USE test');
  await s.execute('CREATE TABLE bench (id BIGINT PRIMARY KEY, a INT, b BIGINT, r DOUBLE, d DECIMAL(12,2), s VARCHAR(32), vb VARBINARY(16), u BIGINT UNSIGNED)');
  await s.execute(`SPLIT TABLE bench BETWEEN (0) AND (${ROWS}) REGIONS 5`);
  const t0 = realClock.monotonicMs();
  for (let base = 0; base < ROWS; base += INSERT_BATCH_ROWS) {
    const values: string[] = [];
    for (let i = base; i < Math.min(ROWS, base + INSERT_BATCH_ROWS); i++) {
      values.push(`(${i}, ${i % 12}, ${i * 7919}, ${i * 0.5}, ${(i % 100000) / 100}, 'name-${i % 977}-${i}', X'${(i % 65536).toString(16).padStart(4, '0')}', ${i % 7 === 0 ? 'NULL' : String(BigInt(i) * 1_000_000_007n)})`);
    }
    await s.execute(`INSERT INTO bench VALUES ${values.join(', ')}`);
  }
  console.log(`loaded ${ROWS} rows in ${((realClock.monotonicMs() - t0) / 1000).toFixed(1)} s; regions: ${(await s.execute('SHOW TABLE bench REGIONS')).kind === 'rows' ? 'split' : '?'}`);
  const types = (await engine.catalog.latest()).table('test', 'bench')!.columns.map((c) => c.ft);

  const run = async (): Promise<{ ms: number; rows: unknown[][] }> => {
    const start = realClock.monotonicMs();
    const r = await s.execute(QUERY);
    const ms = realClock.monotonicMs() - start;
    if (r.kind !== 'rows') throw new Error('expected rows');
    return { ms, rows: r.rows };
  };

  await s.execute('SET tidb_enable_pushdown = 0');
  const rootTimes: number[] = [];
  let reference: unknown[][] = [];
  for (let i = 0; i < REPS; i++) {
    const r = await run();
    rootTimes.push(r.ms);
    reference = r.rows;
  }
  await s.execute('SET tidb_enable_pushdown = 1');
  console.log(`query: ${QUERY} -> ${reference.length} rows`);
  console.log(`root (pushdown off): ${median(rootTimes).toFixed(0)} ms`);
  // Round 0 warms every path up (JIT, Arrow's reader); round 1 is reported.
  const encodings: CopResultEncoding[] = ['arrow', 'default', 'chunk'];
  for (const [round, enc] of [...encodings.map((e) => [0, e] as const), ...encodings.map((e) => [1, e] as const)]) {
    if (round === 1 && enc === encodings[0]) console.log('encoding | query ms (median) | response MB | decode ms (median) | decode ns/row');
    await s.execute(`SET tidb_cop_result_encoding = '${enc}'`);
    const times: number[] = [];
    const responses: Uint8Array[] = [];
    for (let i = 0; i < REPS; i++) {
      capture = i === 0 ? responses : undefined;
      const r = await run();
      times.push(r.ms);
      if (!isDeepStrictEqual(r.rows, reference)) throw new Error(`${enc}: rows differ from the root's`);
    }
    capture = undefined;
    const bytes = responses.reduce((n, b) => n + b.length, 0);
    const decodeTimes: number[] = [];
    let decoded = 0;
    for (let i = 0; i < REPS + 2; i++) {
      const start = realClock.monotonicMs();
      decoded = 0;
      for (const data of responses) {
        const resp = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', data);
        for (const ch of resp.chunks) decoded += copDecode(resp.encodeType ?? 0, ch.rowsData, types).length;
      }
      decodeTimes.push(realClock.monotonicMs() - start);
    }
    const dms = median(decodeTimes);
    if (round === 0) continue;
    console.log(`${enc.padEnd(8)} | ${median(times).toFixed(0).padStart(17)} | ${(bytes / 1e6).toFixed(1).padStart(11)} | ${dms.toFixed(0).padStart(18)} | ${((dms * 1e6) / decoded).toFixed(0).padStart(13)}`);
  }
  await s.close();
  await fx.stop();
}

await main();
