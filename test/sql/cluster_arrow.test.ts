// Proves coprocessor results as Arrow on a real multi-region cluster: every query gives identical rows with tidb_cop_result_encoding 'arrow' (the default, really answered as Arrow IPC), 'default', 'chunk' and with pushdown off, over every pushed column type, NULLs, edge values, empty results and partial aggregation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlEngine, type Session } from '../../sql-demo/engine/mod.ts';
import type { CopRequest, CopResult, KvClient } from '../../sql-demo/kv/mod.ts';
import { decodeMessage, type tipb } from '../../src/proto/mod.ts';
import { startFixture, type ClusterFixture } from '../sqlkv/cluster_fixture.ts';
import { copRead, type CopTask } from '../../sql-demo/engine/cop_reader.ts';
import { ENCODE_TYPE, type CopResultEncoding } from '../../sql-demo/engine/cop_decode.ts';
import type { PlanNode } from '../../sql-demo/engine/plan.ts';
import type { Row } from '../../sql-demo/engine/table_codec.ts';
import { encodeMessage } from '../../src/proto/mod.ts';
import { tableRecordRange } from '../../sql-demo/tidb_codec.ts';
import { rows } from './cluster_session.ts';

const COLS = [
  'id BIGINT PRIMARY KEY',
  'i8 TINYINT',
  'i16 SMALLINT',
  'i32 INT',
  'i64 BIGINT',
  'u8 TINYINT UNSIGNED',
  'u32 INT UNSIGNED',
  'u64 BIGINT UNSIGNED',
  'f FLOAT',
  'r DOUBLE',
  'd DECIMAL(12,3)',
  'dw DECIMAL(65,30)',
  'c CHAR(8)',
  'vc VARCHAR(40)',
  'vb VARBINARY(16)',
  'bl BLOB',
  'tx TEXT',
];

const EDGE_ROWS = [
  '(-9223372036854775808, -128, -32768, -2147483648, -9223372036854775808, 0, 0, 0, -3.40282e38, -1.7976931348623157e308, -999999999.999, -99999999999999999999999999999999999.999999999999999999999999999999, \'\', \'\', X\'\', X\'\', \'\')',
  '(9223372036854775807, 127, 32767, 2147483647, 9223372036854775807, 255, 4294967295, 18446744073709551615, 3.40282e38, 1.7976931348623157e308, 999999999.999, 99999999999999999999999999999999999.999999999999999999999999999999, \'zz\', \'ünïcödé ✓ 🙂\', X\'00FF80\', X\'DEADBEEF00\', \'long text\')',
  '(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.000000000000000000000000000001, \'a\', \' \', X\'00\', X\'\', \'t\')',
  '(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)',
];

const QUERIES = [
  'SELECT * FROM at',
  'SELECT * FROM at WHERE i32 > 10',
  'SELECT * FROM at WHERE i32 IS NULL',
  'SELECT * FROM at WHERE u64 > 9223372036854775807',
  'SELECT * FROM at WHERE d > 100.5 AND r < 1e300',
  'SELECT * FROM at WHERE vc = \'\'',
  'SELECT * FROM at WHERE id > 1000000 LIMIT 9',
  'SELECT * FROM at WHERE i32 > 1000000000000',
  'SELECT * FROM at LIMIT 0',
  'SELECT id, vb, bl FROM at WHERE id < 100',
  'SELECT i8, COUNT(*), SUM(d), AVG(dw), MIN(i64), MAX(r), SUM(i32) FROM at GROUP BY i8 ORDER BY i8',
  'SELECT COUNT(*), COUNT(u64), SUM(dw), AVG(d), MIN(dw), MAX(dw), SUM(r), MIN(i64), MAX(i64) FROM at',
  'SELECT i16, d, COUNT(*) FROM at WHERE i16 > 0 GROUP BY i16, d ORDER BY i16, d',
  'SELECT COUNT(*), SUM(i32) FROM at WHERE i32 > 1000000000000',
  'SELECT * FROM empty_a',
  'SELECT COUNT(*), SUM(x) FROM empty_a',
  'SELECT * FROM tt',
  'SELECT * FROM tt WHERE id > 2',
  'SELECT yr, COUNT(*) FROM tt GROUP BY yr ORDER BY yr',
  'SELECT * FROM tz0',
];

const ENCODINGS = ['arrow', 'default', 'chunk'] as const;

describe('coprocessor results as Arrow on a real cluster', () => {
  let fx: ClusterFixture;
  let s: Session;
  let engine: SqlEngine;
  let kv: KvClient;
  /** Per request encode type the SQL layer asked for -> encode type the store answered with. */
  const seen: Array<{ asked: number; answered: number }> = [];

  /** Runs `q` with each encoding and at the root; asserts identical rows; returns them. */
  const sameEverywhere = async (q: string): Promise<unknown[][]> => {
    await s.execute('SET tidb_enable_pushdown = 0');
    const root = rows(await s.execute(q));
    await s.execute('SET tidb_enable_pushdown = 1');
    for (const enc of ENCODINGS) {
      await s.execute(`SET tidb_cop_result_encoding = '${enc}'`);
      expect(rows(await s.execute(q)), `${q} [${enc}]`).toEqual(root);
    }
    await s.execute("SET tidb_cop_result_encoding = 'arrow'");
    return root;
  };

  beforeAll(async () => {
    fx = await startFixture();
    const client = await fx.connect();
    kv = client;
    // Watch what the SQL layer asks for and what the store answers with.
    const inner = client.coprocessor.bind(client);
    (client as { coprocessor: KvClient['coprocessor'] }).coprocessor = async function* (req: CopRequest): AsyncIterable<CopResult> {
      const asked = decodeMessage<tipb.DAGRequest>('tipb.DAGRequest', req.data).encodeType ?? 0;
      for await (const r of inner(req)) {
        seen.push({ asked, answered: decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', r.data).encodeType ?? 0 });
        yield r;
      }
    };
    engine = new SqlEngine(client);
    await engine.bootstrap();
    s = engine.newSession();
    await s.execute('USE test');
    await s.execute(`CREATE TABLE at (${COLS.join(', ')})`);
    await s.execute('CREATE TABLE empty_a (x INT, y VARCHAR(5))');
    await s.execute('CREATE TABLE tt (id INT PRIMARY KEY, dt DATE, dtm DATETIME(6), ts TIMESTAMP(3), tm TIME(6), yr YEAR)');
    await s.execute('CREATE TABLE tz0 (id INT PRIMARY KEY, dt DATE, dtm DATETIME)');
    await s.execute('SPLIT TABLE at BETWEEN (0) AND (1000) REGIONS 5');
    await s.execute('SPLIT TABLE empty_a BETWEEN (0) AND (100) REGIONS 2');
    await s.execute('SPLIT TABLE tt BETWEEN (0) AND (10) REGIONS 3');
    await s.execute('SPLIT TABLE tz0 BETWEEN (0) AND (10) REGIONS 2');
    await s.execute(`INSERT INTO at VALUES ${EDGE_ROWS.join(', ')}`);
    const values: string[] = [];
    for (let i = 1; i < 300; i++) {
      const n = (v: string, every: number) => (i % every === 0 ? 'NULL' : v);
      values.push(
        `(${i * 3 + 7}, ${n(String((i % 200) - 100), 5)}, ${n(String(i * 7), 6)}, ${n(String(i * 1001), 7)}, ${n(String(BigInt(i) * 1234567890123n), 8)}, ${n(String(i % 256), 9)}, ${n(String(i * 99991), 10)}, ${n(String(BigInt(i) * 61489146912365172n), 11)}, ${n(String(i / 8), 12)}, ${n(String(i * 1.1), 13)}, ${n((i * 3.375).toFixed(3), 5)}, ${n(`${'9'.repeat(20)}${i}.${'3'.repeat(29)}${i % 10}`, 6)}, ${n(`'c${i % 17}'`, 7)}, ${n(`'v${'é'.repeat(i % 4)}${i}'`, 8)}, ${n(`X'${(i % 256).toString(16).padStart(2, '0')}00ff'`, 9)}, ${n(`X'${'ab'.repeat(i % 5)}'`, 10)}, ${n(`'text ${i}'`, 11)})`,
      );
    }
    await s.execute(`INSERT INTO at VALUES ${values.join(', ')}`);
    await s.execute(
      "INSERT INTO tt VALUES (1, '2024-02-29', '2024-02-29 23:59:59.999999', '2038-01-19 03:14:07.999', '838:59:59.000000', 2155), (2, '1000-01-01', '1000-01-01 00:00:00', '1970-01-01 00:00:01', '-838:59:59', 1901), (3, NULL, NULL, NULL, NULL, NULL), (4, '9999-12-31', '9999-12-31 23:59:59.5', '2024-06-30 12:00:00.125', '00:00:00.000001', 0), (7, '1969-12-31', '1969-12-31 23:59:59.000001', '2000-01-01 00:00:00', '-00:00:00.5', 2000)",
    );
    await s.execute("INSERT INTO tz0 VALUES (1, '2024-01-01', '2024-01-01 00:00:00'), (2, '2024-01-02', NULL), (8, '0000-00-00', '0000-00-00 00:00:00'), (9, '2025-01-01', '2025-01-01 10:00:00')");
  }, 60_000);

  afterAll(async () => {
    await s?.close();
    await fx?.stop();
  });

  it('the default encoding is Arrow, and the store answers Arrow', async () => {
    expect(rows(await s.execute('SELECT @@tidb_cop_result_encoding'))).toEqual([['arrow']]);
    seen.length = 0;
    const r = rows(await s.execute('SELECT * FROM at WHERE i32 > 0'));
    expect(r.length).toBeGreaterThan(100);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(seen.every((x) => x.asked === 1001 && x.answered === 1001)).toBe(true);
    for (const [enc, code] of [['default', 0], ['chunk', 1]] as const) {
      await s.execute(`SET tidb_cop_result_encoding = '${enc}'`);
      seen.length = 0;
      expect(rows(await s.execute('SELECT * FROM at WHERE i32 > 0'))).toEqual(r);
      expect(seen.every((x) => x.asked === code && x.answered === code)).toBe(true);
    }
    await s.execute("SET tidb_cop_result_encoding = 'arrow'");
  });

  it('refuses an unknown encoding', async () => {
    await expect(s.execute("SET tidb_cop_result_encoding = 'parquet'")).rejects.toThrow(/can't be set to the value of 'parquet'/);
    expect(rows(await s.execute('SELECT @@tidb_cop_result_encoding'))).toEqual([['arrow']]);
  });

  it('identical rows for every encoding and at the root', async () => {
    for (const q of QUERIES) await sameEverywhere(q);
  }, 60_000);

  it('edge values survive exactly', async () => {
    const r = await sameEverywhere('SELECT u64, dw, vb, vc, i64 FROM at WHERE id IN (-9223372036854775808, 9223372036854775807, 0) ORDER BY id');
    expect(r[0]).toEqual([0n, expect.anything(), Buffer.alloc(0), '', -(1n << 63n)]);
    expect(String(r[0]![1])).toBe('-99999999999999999999999999999999999.999999999999999999999999999999');
    expect(String(r[1]![1])).toBe('0.000000000000000000000000000001');
    expect(r[2]![0]).toBe((1n << 64n) - 1n);
    expect(Buffer.from(r[2]![2] as Uint8Array).toString('hex')).toBe('00ff80');
    expect(r[2]![3]).toBe('ünïcödé ✓ 🙂');
  });

  it('zero dates read the same in every mode (Arrow refusals fall back to Default)', async () => {
    const r = await sameEverywhere('SELECT * FROM tz0 WHERE id > 0');
    expect(r.map((x) => String(x[1]))).toEqual(['2024-01-01', '2024-01-02', '0000-00-00', '2025-01-01']);
  });

  /**
   * A scan of every column of `table` as the reader sends it, for time columns the planner
   * does not push yet (the decoder must already read them); `pushed` says what copRead
   * may assume about the DAG when a store refuses Arrow mid-stream.
   */
  const scanTask = async (table: string, pushed: Array<PlanNode['op']>): Promise<{ task: CopTask; range: { start: Uint8Array; end: Uint8Array } }> => {
    const t = (await engine.catalog.latest()).table('test', table)!;
    const columns = t.columns.map((c, i) => ({ columnId: BigInt(c.id), tp: c.ft.tp, collation: -63, columnLen: c.ft.flen, decimal: Math.max(0, c.ft.decimal), flag: c.ft.flag, pkHandle: i === 0 }));
    const data = encodeMessage('tipb.DAGRequest', {
      executors: [{ tp: 0, executorId: 'TableFullScan_1', tblScan: { tableId: BigInt(t.id), columns, desc: false } }],
      outputOffsets: columns.map((_, k) => k),
      encodeType: ENCODE_TYPE.arrow,
      timeZoneOffset: 0n,
      flags: 0n,
    });
    const nodes = pushed.map((op) => ({ op }) as unknown as PlanNode);
    const task: CopTask = { top: nodes.at(-1)!, scan: nodes[0] as CopTask['scan'], data, pushed: nodes, outputTypes: t.columns.map((c) => c.ft), reshape: (r) => r, scanColumns: t.columns.map((_, i) => i), scanDesc: false };
    return { task, range: tableRecordRange(BigInt(t.id)) };
  };

  const readAll = async (task: CopTask, range: { start: Uint8Array; end: Uint8Array }, enc: CopResultEncoding): Promise<Row[]> => {
    const out: Row[] = [];
    for await (const b of await copRead(kv, task, range, await kv.getTs(), { tasks: 0, executors: [] }, enc)) out.push(...b);
    return out;
  };

  it('time columns (DATE, DATETIME, TIMESTAMP, TIME, YEAR) read through copRead equal the root, in every encoding', async () => {
    await s.execute('SET tidb_enable_pushdown = 0');
    const root = rows(await s.execute('SELECT * FROM tt'));
    const { task, range } = await scanTask('tt', ['TableScan']);
    for (const enc of ENCODINGS) {
      seen.length = 0;
      expect(await readAll(task, range, enc), enc).toEqual(root);
      expect(seen.every((x) => x.answered === ENCODE_TYPE[enc])).toBe(true);
    }
    expect(root.map((r) => r.map(String))).toContainEqual(['1', '2024-02-29', '2024-02-29 23:59:59.999999', '2038-01-19 03:14:07.999', '838:59:59.000000', '2155']);
  });

  it('a store refusing Arrow mid-stream (zero date in a later region): scan + selection restart as Default and skip what was read', async () => {
    await s.execute('SET tidb_enable_pushdown = 0');
    const root = rows(await s.execute('SELECT * FROM tz0'));
    const { task, range } = await scanTask('tz0', ['TableScan', 'Selection']);
    seen.length = 0;
    expect(await readAll(task, range, 'arrow')).toEqual(root);
    // Region 1 answered Arrow, the refusal came later, then everything again as Default.
    expect(seen[0]).toEqual({ asked: 1001, answered: 1001 });
    expect(seen.at(-1)).toEqual({ asked: 0, answered: 0 });
    // A pushed Limit/aggregation depends on region boundaries: no silent restart after rows were yielded.
    const limited = await scanTask('tz0', ['TableScan', 'Limit']);
    await expect(readAll(limited.task, limited.range, 'arrow')).rejects.toThrow(/cannot be encoded as Arrow.*tidb_cop_result_encoding = 'default'/);
    expect(await readAll(limited.task, limited.range, 'default')).toEqual(root);
  });
});
