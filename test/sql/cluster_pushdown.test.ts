// Proves coprocessor pushdown on a real in-process cluster: the same queries over multi-region tables give identical results pushed (tidb_enable_pushdown=ON) and at the root (OFF) — every pushed type incl. times, NULLs, edge values, added columns, expressions, aggregates, TopN, TPC-H Q1/Q3/Q6 — and the DAGs sent read only the needed columns.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqlEngine, type Session } from '../../sql-demo/engine/mod.ts';
import { CoprocessorError, type CopRequest } from '../../sql-demo/kv/mod.ts';
import { decodeMessage, type tipb } from '../../src/proto/mod.ts';
import { startFixture, type ClusterFixture } from '../sqlkv/cluster_fixture.ts';
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
  'SELECT COUNT(*), COUNT(a), SUM(a), AVG(a), MIN(a), MAX(a), SUM(d), AVG(d), MIN(d), MAX(d), SUM(r), AVG(r), MIN(r), MAX(r) FROM pt',
  'SELECT a, COUNT(*), SUM(d), AVG(d), MAX(r), MIN(b) FROM pt GROUP BY a ORDER BY a',
  'SELECT a, b, COUNT(r), SUM(b), s FROM pt WHERE r > 10 GROUP BY a, b ORDER BY a, b',
  'SELECT d, COUNT(*) FROM pt GROUP BY d HAVING COUNT(*) > 0 ORDER BY d LIMIT 5',
  'SELECT id, COUNT(*) FROM pt WHERE id > 300 GROUP BY id ORDER BY id',
  'SELECT COUNT(*), SUM(a), AVG(d) FROM pt WHERE a > 1000',
  'SELECT a, COUNT(*) FROM pt WHERE a > 1000 GROUP BY a',
  'SELECT COUNT(*), SUM(x), MAX(x) FROM empty_t',
  'SELECT x, COUNT(*) FROM empty_t GROUP BY x',
  'SELECT a, MAX(s) FROM pt GROUP BY a ORDER BY a',
  'SELECT s, COUNT(*) FROM pt GROUP BY s ORDER BY s',
  'SELECT * FROM empty_t',
  'SELECT * FROM empty_t WHERE x > 1 LIMIT 3',
  'SELECT COUNT(*) FROM empty_t',
  'SELECT * FROM pt ORDER BY id DESC LIMIT 3',
  'SELECT * FROM pt WHERE id = 17',
  'SELECT * FROM pt WHERE id IN (17, 34, 35)',
  'SELECT * FROM pt WHERE id > 900 OR a = 1',
  'SELECT * FROM pt WHERE id < -5',
  'SELECT * FROM pt WHERE a > (SELECT MIN(a) FROM pt) AND b = 2',
  'SELECT * FROM tt WHERE t > \'2024-01-01\'',
  'SELECT * FROM tt WHERE id > 1',
];

describe('coprocessor pushdown on a real cluster', () => {
  let fx: ClusterFixture;
  let s: Session;
  /** Runs `q` at the root, then pushed, and asserts identical rows. */
  const samePushedAndRoot = async (q: string): Promise<void> => {
    await s.execute('SET tidb_enable_pushdown = 0');
    const root = rows(await s.execute(q));
    await s.execute('SET tidb_enable_pushdown = 1');
    const pushed = rows(await s.execute(q));
    expect(pushed, q).toEqual(root);
  };
  beforeAll(async () => {
    ({ fx, s } = await startSqlCluster());
    await s.execute('CREATE TABLE pt (id INT PRIMARY KEY, a INT, b BIGINT, r DOUBLE, d DECIMAL(10,2), s VARCHAR(20), f FLOAT)');
    await s.execute('CREATE TABLE empty_t (x INT, y VARCHAR(5))');
    // A DATETIME column compared with a string: pushed as a time constant of the column's type.
    await s.execute('CREATE TABLE tt (id INT PRIMARY KEY, t DATETIME)');
    await s.execute("INSERT INTO tt VALUES (1, '2023-05-01 10:00:00'), (2, '2024-06-01 00:00:00'), (3, NULL)");
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
    for (const q of QUERIES) await samePushedAndRoot(q);
  }, 60_000);

  it('random predicates (seeded): pushed = root', async () => {
    let seed = Number(process.env.SQLPUSH_SEED ?? 20261123);
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
    const consts: Record<string, () => string> = {
      a: () => pick(['0', '3', '7', '12', '-1', 'NULL']),
      b: () => pick(['0', '2', '6', '100']),
      r: () => pick(['0', '12.5e0', '30', '1e9']),
      d: () => pick(['0', '9.75', '100', '48.75', '3']),
      s: () => pick(["'s1'", "'s5 '", "''", "'s8'", "'t'"]),
      id: () => pick(['0', '340', '500', '1003']),
    };
    const leaf = (): string => {
      const c = pick(Object.keys(consts));
      if (rnd(6) === 0) return `${c} IS ${rnd(2) === 0 ? 'NOT ' : ''}NULL`;
      if (rnd(8) === 0) return `${c} BETWEEN ${consts[c]!()} AND ${consts[c]!()}`;
      return `${c} ${pick(['<', '<=', '>', '>=', '=', '<>', '!='])} ${consts[c]!()}`;
    };
    const pred = (depth: number): string => {
      if (depth === 0 || rnd(3) === 0) return leaf();
      const k = rnd(3);
      if (k === 0) return `NOT (${pred(depth - 1)})`;
      return `(${pred(depth - 1)}) ${k === 1 ? 'AND' : 'OR'} (${pred(depth - 1)})`;
    };
    const runs = Number(process.env.SQLPUSH_RUNS ?? 60);
    for (let i = 0; i < runs; i++) {
      const q = `SELECT * FROM pt WHERE ${pred(3)}${rnd(3) === 0 ? ` LIMIT ${rnd(10)}` : ''}`;
      // LIMIT without ORDER BY: both read in key order, so even the chosen rows agree.
      await samePushedAndRoot(q);
      const groups = ['a', 'b', 'd', 'id', 's'].filter(() => rnd(3) === 0);
      const aggs = Array.from({ length: 1 + rnd(4) }, () => (rnd(5) === 0 ? 'COUNT(*)' : `${pick(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX'])}(${pick(['a', 'b', 'd', 'r', 'id'])})`));
      const by = groups.length === 0 ? '' : ` GROUP BY ${groups.join(', ')} ORDER BY ${groups.join(', ')}`;
      await samePushedAndRoot(`SELECT ${[...groups, ...aggs].join(', ')} FROM pt${rnd(2) === 0 ? ` WHERE ${pred(2)}` : ''}${by}`);
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
    // The scan's figures come from the coprocessor's execution summaries, summed over regions.
    const scan = an.find((r) => String(r[0]).includes('TableFullScan'))!;
    expect(scan[2]).toBe('60');
    expect(scan[3]).toBe('cop[tikv]');
  }, 30_000);

  it('EXPLAIN marks what is pushed: cop[tikv] for the DAG part, root above it', async () => {
    await s.execute('SET tidb_enable_pushdown = 1');
    const tasks = async (q: string) => rows(await s.execute(`EXPLAIN ${q}`)).map((r) => `${String(r[0]).replace(/[└─│ ]/g, '')} ${r[2]}`);
    expect(await tasks('SELECT * FROM pt WHERE a > 3 LIMIT 2')).toEqual(['Limit_1 root', 'Projection_2 root', 'TableReader_3 root', 'Limit_4 cop[tikv]', 'Selection_5 cop[tikv]', 'TableFullScan_6 cop[tikv]']);
    expect(await tasks('SELECT * FROM pt WHERE a + 1 > 5')).toEqual(['Projection_1 root', 'TableReader_2 root', 'Selection_3 cop[tikv]', 'TableFullScan_4 cop[tikv]']);
    // A string against an int compares as doubles at the root: no exact pushed form, stays there.
    expect(await tasks("SELECT * FROM pt WHERE a > '5'")).toEqual(['Projection_1 root', 'TableReader_2 root', 'Selection_3 root', 'TableFullScan_4 cop[tikv]']);
    expect(await tasks('SELECT a, COUNT(*), AVG(d) FROM pt WHERE b > 1 GROUP BY a')).toEqual([
      'Projection_1 root', 'HashAgg(final)_2 root', 'TableReader_3 root', 'HashAgg(partial)_4 cop[tikv]', 'Selection_5 cop[tikv]', 'TableFullScan_6 cop[tikv]',
    ]);
    // A string GROUP BY stays at the root (PAD SPACE grouping), over a pushed scan.
    expect(await tasks('SELECT s, COUNT(*) FROM pt GROUP BY s')).toEqual(['Projection_1 root', 'HashAgg(final)_2 root', 'TableReader_3 root', 'HashAgg(partial)_4 root', 'TableFullScan_5 cop[tikv]']);
    // Partial rows: one per group per region, merged at the root.
    const an = rows(await s.execute('EXPLAIN ANALYZE SELECT a, COUNT(*) FROM pt GROUP BY a'));
    const partial = an.find((r) => String(r[0]).includes('HashAgg(partial)'))!;
    const final = an.find((r) => String(r[0]).includes('HashAgg(final)'))!;
    expect(partial[3]).toBe('cop[tikv]');
    expect(Number(partial[2])).toBeGreaterThan(Number(final[2]));
    expect(final[2]).toBe('14');
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

/** Deterministic LCG shared by the generators below (`SQLPUSH_SEED`). */
function lcg(seed0: number): { rnd: (n: number) => number; pick: <T>(xs: readonly T[]) => T } {
  let seed = seed0;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    // The high bits: an LCG's low bits cycle with tiny periods.
    return Math.floor(seed / 65536) % n;
  };
  return { rnd, pick: (xs) => xs[rnd(xs.length)]! };
}

describe('pushdown of every pushed type, expressions, TopN and added columns', () => {
  let fx: ClusterFixture;
  let s: Session;
  /** Runs `q` at the root, then pushed: identical rows, or the same MySQL error code. */
  const same = async (q: string): Promise<void> => {
    const run = async () => {
      try {
        return rows(await s.execute(q));
      } catch (e) {
        return `error ${(e as { code?: number }).code ?? String(e)}`;
      }
    };
    await s.execute('SET tidb_enable_pushdown = 0');
    const root = await run();
    await s.execute('SET tidb_enable_pushdown = 1');
    const pushed = await run();
    // Per-region partial sums of doubles add in another order than the root's single pass
    // (TiDB alike): DOUBLE results of SUM/AVG agree to 12 significant digits, all else exactly.
    const approx = (v: unknown): unknown => (typeof v === 'number' && /\b(SUM|AVG)\(/i.test(q) ? Number(v.toPrecision(12)) : Array.isArray(v) ? v.map(approx) : v);
    expect(approx(pushed), q).toEqual(approx(root));
  };
  const tasks = async (q: string) => rows(await s.execute(`EXPLAIN ${q}`)).map((r) => `${String(r[0]).replace(/[└─│ ]/g, '').replace(/_\d+$/, '')} ${r[2]}`);

  /** DAGs the stores refused (other_error): each silently fell back to the root, so the test must see none. */
  const refused: string[] = [];
  /** The last DAG sent (what the stores were asked to do). */
  let lastDag: tipb.DAGRequest | undefined;
  afterEach(() => {
    expect(refused).toEqual([]);
  });

  beforeAll(async () => {
    fx = await startFixture();
    const kv = await fx.connect();
    const counting = new Proxy(kv, {
      get(target, prop, recv) {
        if (prop !== 'coprocessor') {
          const v = Reflect.get(target, prop, recv) as unknown;
          return typeof v === 'function' ? v.bind(target) : v;
        }
        return (req: CopRequest) =>
          (async function* () {
            lastDag = decodeMessage<tipb.DAGRequest>('tipb.DAGRequest', req.data);
            try {
              yield* target.coprocessor(req);
            } catch (e) {
              if (e instanceof CoprocessorError) refused.push(e.message);
              throw e;
            }
          })();
      },
    });
    const engine = new SqlEngine(counting);
    await engine.bootstrap();
    s = engine.newSession();
    await s.execute('USE test');
    await s.execute(
      'CREATE TABLE ty (id BIGINT PRIMARY KEY, i INT, u INT UNSIGNED, y YEAR, dc DECIMAL(12,4), db DOUBLE, fl FLOAT, ch CHAR(4), vc VARCHAR(16), dt DATE, tm DATETIME(2), ts TIMESTAMP, du TIME, tx TEXT, bn VARBINARY(8))',
    );
    await s.execute('SPLIT TABLE ty BETWEEN (0) AND (200) REGIONS 5');
    const { rnd, pick } = lcg(7);
    const n = (v: string, every: number, i: number) => (i % every === 3 ? 'NULL' : v);
    const values: string[] = [];
    for (let i = 0; i < 110; i++) {
      const edge = i < 6;
      const iv = edge ? pick(['-2147483648', '2147483647', '0']) : String(rnd(41) - 20);
      const uv = edge ? pick(['0', '4294967295']) : String(rnd(50));
      const dc = edge ? pick(['-99999999.9999', '99999999.9999', '0.0001', '-0.0001']) : `${rnd(400) - 200}.${String(rnd(10000)).padStart(4, '0')}`;
      const db = edge ? pick(['-1e300', '1e300', '0', '-0.5']) : `${(rnd(2000) - 1000) / 8}`;
      const dt = edge ? pick(['1000-01-01', '9999-12-31']) : `${1992 + rnd(8)}-${String(1 + rnd(12)).padStart(2, '0')}-${String(1 + rnd(28)).padStart(2, '0')}`;
      const tm = `${1992 + rnd(8)}-0${1 + rnd(9)}-1${rnd(9)} ${String(rnd(24)).padStart(2, '0')}:${String(rnd(60)).padStart(2, '0')}:0${rnd(9)}.${rnd(100)}`;
      const ts = `${1995 + rnd(30)}-0${1 + rnd(9)}-2${rnd(8)} 0${rnd(9)}:1${rnd(9)}:00`;
      const du = edge ? pick(['-838:59:59', '838:59:59', '00:00:00']) : `${rnd(48) - 24}:${String(rnd(60)).padStart(2, '0')}:00`;
      values.push(
        `(${i * 2}, ${n(iv, 9, i)}, ${n(uv, 10, i)}, ${n(String(1990 + rnd(20)), 11, i)}, ${n(dc, 7, i)}, ${n(db, 8, i)}, ${n(String(rnd(100) / 4), 12, i)}, ${n(`'${pick(['a', 'b', 'ab', 'B', 'a b', ''])}'`, 6, i)}, ${n(`'${pick(['a', 'a ', 'abc', 'a%c', 'xa_', 'A', 'b'])}'`, 5, i)}, ${n(`'${dt}'`, 13, i)}, ${n(`'${tm}'`, 4, i)}, ${n(`'${ts}'`, 14, i)}, ${n(`'${du}'`, 15, i)}, ${n(`'t${rnd(5)}'`, 16, i)}, ${n(`x'0${rnd(4)}'`, 5, i)})`,
      );
    }
    await s.execute(`INSERT INTO ty VALUES ${values.join(', ')}`);
    // Columns added after rows existed: old rows read their origin default (sent in ColumnInfo default_val).
    await s.execute('ALTER TABLE ty ADD COLUMN ad INT NOT NULL DEFAULT 7');
    await s.execute("ALTER TABLE ty ADD COLUMN adt DATE DEFAULT '2000-02-29'");
    await s.execute("ALTER TABLE ty ADD COLUMN avc VARCHAR(5) DEFAULT 'dv'");
    await s.execute('ALTER TABLE ty ADD COLUMN adn DECIMAL(6,2)');
    await s.execute("INSERT INTO ty (id, i, dc, ch, dt, ad, adt, avc, adn) VALUES (1, 5, 1.5, 'a', '1995-01-01', 1, '2001-01-01', 'new', 2.25), (3, NULL, NULL, NULL, NULL, 9, NULL, NULL, NULL)");

    // TPC-H (the columns Q1, Q3 and Q6 read), a few hundred rows over several regions.
    await s.execute(
      'CREATE TABLE lineitem (l_orderkey BIGINT NOT NULL, l_linenumber INT NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, l_tax DECIMAL(15,2) NOT NULL, l_returnflag CHAR(1) NOT NULL, l_linestatus CHAR(1) NOT NULL, l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_shipmode CHAR(10) NOT NULL, l_comment VARCHAR(44) NOT NULL, PRIMARY KEY (l_orderkey, l_linenumber) NONCLUSTERED)',
    );
    await s.execute('CREATE TABLE orders (o_orderkey BIGINT PRIMARY KEY, o_custkey BIGINT NOT NULL, o_orderstatus CHAR(1) NOT NULL, o_totalprice DECIMAL(15,2) NOT NULL, o_orderdate DATE NOT NULL, o_orderpriority CHAR(15) NOT NULL, o_shippriority INT NOT NULL)');
    await s.execute('CREATE TABLE customer (c_custkey BIGINT PRIMARY KEY, c_name VARCHAR(25) NOT NULL, c_nationkey INT NOT NULL, c_acctbal DECIMAL(15,2) NOT NULL, c_mktsegment CHAR(10) NOT NULL)');
    await s.execute('SPLIT TABLE lineitem BETWEEN (0) AND (400) REGIONS 4');
    await s.execute('SPLIT TABLE orders BETWEEN (0) AND (100) REGIONS 3');
    const segs = ['BUILDING', 'AUTOMOBILE', 'MACHINERY', 'HOUSEHOLD', 'FURNITURE'];
    await s.execute(`INSERT INTO customer VALUES ${Array.from({ length: 30 }, (_, c) => `(${c + 1}, 'Customer#${c + 1}', ${c % 25}, ${(rnd(2000000) - 100000) / 100}, '${pick(segs)}')`).join(', ')}`);
    const ords: string[] = [];
    const lines: string[] = [];
    for (let o = 1; o <= 90; o++) {
      const od = `199${2 + rnd(7)}-${String(1 + rnd(12)).padStart(2, '0')}-${String(1 + rnd(28)).padStart(2, '0')}`;
      ords.push(`(${o}, ${1 + rnd(30)}, '${pick(['O', 'F', 'P'])}', ${rnd(50000000) / 100}, '${od}', '${pick(['1-URGENT', '2-HIGH', '3-MEDIUM', '5-LOW'])}', 0)`);
      for (let l = 1; l <= 1 + rnd(6); l++) {
        const ship = `199${2 + rnd(7)}-${String(1 + rnd(12)).padStart(2, '0')}-${String(1 + rnd(28)).padStart(2, '0')}`;
        lines.push(`(${o}, ${l}, ${1 + rnd(50)}, ${(rnd(10000000) + 90000) / 100}, 0.0${rnd(11) === 10 ? '0' : rnd(10)}, 0.0${rnd(9)}, '${pick(['A', 'N', 'R'])}', '${pick(['O', 'F'])}', '${ship}', '${ship}', '${pick(['AIR', 'MAIL', 'SHIP', 'TRUCK'])}', 'c${rnd(100)}')`);
      }
    }
    await s.execute(`INSERT INTO orders VALUES ${ords.join(', ')}`);
    await s.execute(`INSERT INTO lineitem VALUES ${lines.join(', ')}`);
  }, 90_000);
  afterAll(async () => {
    await s?.close();
    await fx?.stop();
  });

  it('scans only the columns the plan reads (column pruning)', async () => {
    await s.execute('SET tidb_enable_pushdown = 1');
    for (const q of [
      'SELECT i FROM ty',
      'SELECT dt, id FROM ty WHERE i > 3',
      'SELECT COUNT(*) FROM ty',
      'SELECT COUNT(*) FROM lineitem',
      'SELECT l_comment FROM lineitem WHERE l_quantity > 40',
      'SELECT SUM(dc) FROM ty WHERE dt > \'1995-01-01\'',
      'SELECT ad, adt, avc, adn FROM ty',
      'SELECT 1 FROM ty WHERE i > 3',
      'SELECT 1 FROM ty LIMIT 5',
      'SELECT 2 FROM lineitem ORDER BY l_orderkey DESC LIMIT 2',
      'SELECT COUNT(*) FROM (SELECT 1 FROM ty WHERE dt > \'1995-01-01\') x',
    ]) await same(q);
    // What the stores are asked for: only the columns the plan reads.
    const dag = async (q: string) => {
      lastDag = undefined;
      await s.execute(q);
      const d = lastDag!;
      const scan = d.executors[0]!.tblScan!;
      return { d, ids: scan.columns.map((c) => Number(c.columnId)), scan };
    };
    expect((await dag('SELECT i FROM ty')).ids).toHaveLength(1);
    // COUNT(*) reads the handle alone (`_tidb_rowid` of a table without an int primary key).
    expect((await dag('SELECT COUNT(*) FROM lineitem')).ids).toEqual([-1]);
    expect((await dag('SELECT COUNT(*) FROM ty')).ids).toEqual([-1]);
    // The WHERE-only column is scanned for the Selection but not returned.
    const narrow = await dag('SELECT l_comment FROM lineitem WHERE l_quantity > 40');
    expect(narrow.ids).toHaveLength(2);
    expect(narrow.d.outputOffsets).toHaveLength(1);
    expect(narrow.d.timeZoneName).toBe('UTC');
    // Q1 reads its 7 columns of lineitem's 12.
    expect((await dag("SELECT l_returnflag, l_linestatus, SUM(l_extendedprice * (1 - l_discount) * (1 + l_tax)), AVG(l_quantity) FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag, l_linestatus")).ids).toHaveLength(7);
    // Columns added after rows existed carry their origin default; a nullable one without default none.
    const added = await dag('SELECT ad, adt, avc, adn FROM ty');
    expect(added.scan.columns.map((c) => (c.defaultVal?.length ?? 0) > 0)).toEqual([true, true, true, false]);
    // EXPLAIN names the columns a pushed scan reads.
    const ex = rows(await s.execute("EXPLAIN SELECT l_comment FROM lineitem WHERE l_quantity > 40"));
    expect(String(ex.at(-1)![4])).toContain('columns:[l_quantity, l_comment]');
    const exDesc = rows(await s.execute('EXPLAIN SELECT id FROM ty ORDER BY id DESC LIMIT 3'));
    expect(String(exDesc.at(-1)![4])).toContain('scan order:desc, columns:[id]');
    // ORDER BY the handle: each region scans descending and stops after LIMIT rows.
    const desc = await dag('SELECT id, i FROM ty ORDER BY id DESC LIMIT 3');
    expect(desc.scan.desc).toBe(true);
    expect(desc.d.executors.map((e) => e.tp)).toEqual([0, 5]);
  });

  it('fixed queries over every type: pushed = root', async () => {
    for (const q of [
      'SELECT * FROM ty',
      'SELECT * FROM ty WHERE y > 2000 AND u < 30',
      'SELECT * FROM ty WHERE u > 4000000000 OR u = 0',
      'SELECT id FROM ty WHERE i < u OR u = 18446744073709551615 OR u > -1 OR y = i',
      'SELECT id FROM ty WHERE u IN (0, 18446744073709551615, 10) OR i IN (-1, 18446744073709551615)',
      'SELECT id, u + u, u * u, u - u, u * 1.5, u / 3, u + 1, -u FROM ty WHERE u * u > 100 OR u + u < 10 OR u * 2.5 > 7 OR u - u = 0',
      'SELECT id FROM ty WHERE u * u * u * u > 5',
      'SELECT SUM(u * u), AVG(u + u), MAX(u * 0.5) FROM ty',
      "SELECT * FROM ty WHERE dt >= '1994-01-01' AND dt < DATE '1996-01-01'",
      "SELECT id, tm FROM ty WHERE tm > '1995-05-05 10:00:00.5'",
      "SELECT id, tm FROM ty WHERE tm BETWEEN '1994-01-01' AND '1997-12-31 23:59:59'",
      "SELECT id, ts FROM ty WHERE ts < '2010-01-01' OR ts >= TIMESTAMP '2020-01-01 00:00:00'",
      "SELECT id, dt FROM ty WHERE dt = '1000-01-01' OR dt = '9999-12-31'",
      "SELECT id, dt FROM ty WHERE dt > '1995-01-01 12:00:00'",
      "SELECT id, du FROM ty WHERE du IS NULL OR du = (SELECT MAX(du) FROM ty)",
      'SELECT id FROM ty WHERE dt < tm',
      "SELECT id FROM ty WHERE ch = 'a' OR ch = 'a b' OR ch > 'B'",
      "SELECT id FROM ty WHERE vc = 'a' AND ch <> 'a'",
      "SELECT id, vc FROM ty WHERE vc LIKE 'a%'",
      "SELECT id, vc FROM ty WHERE vc LIKE '_a\\\\_' OR vc NOT LIKE '%c'",
      "SELECT id, vc FROM ty WHERE vc LIKE 'a!%%' ESCAPE '!'",
      'SELECT id FROM ty WHERE i IN (1, 2, 3, -2147483648) OR dc IN (0.0001, 5)',
      "SELECT id FROM ty WHERE ch IN ('a', 'ab') OR vc NOT IN ('a', 'b')",
      "SELECT id FROM ty WHERE dt IN (DATE '1000-01-01', DATE '9999-12-31')",
      'SELECT id FROM ty WHERE i IS TRUE AND dc IS NOT FALSE',
      'SELECT id FROM ty WHERE db IS FALSE OR i IS NOT TRUE',
      'SELECT id, i + 1, dc * 2 FROM ty WHERE i + 1 > 5 AND dc * 2 - 1 < 100',
      'SELECT id FROM ty WHERE i * 3 - dc > 0.5',
      'SELECT id FROM ty WHERE db * i > 3 OR -i < -5 OR -dc > 10',
      'SELECT id FROM ty WHERE i < dc OR dc < db OR i = db',
      'SELECT id FROM ty WHERE i * i * i > 0',
      // The root short-circuits: an operand that may overflow runs only where the root would run it.
      'SELECT id FROM ty WHERE i BETWEEN -1000 AND 1000 AND i * 5000000000 > 0',
      'SELECT id FROM ty WHERE IF(i BETWEEN -1000 AND 1000, i * 5000000000, 0) > 0',
      'SELECT id FROM ty WHERE i NOT BETWEEN -1000 AND 1000 OR -i * 5000000000 > 0',
      'SELECT SUM(IF(i BETWEEN -1000 AND 1000, i * 5000000000, 0)), SUM(IFNULL(i, i * 5000000000)) FROM ty',
      'SELECT id FROM ty WHERE i + 2147483647 * 5000000000 > 0',
      'SELECT id FROM ty WHERE IFNULL(i, 100) > 3 AND COALESCE(dc, 0.0000) < 50',
      'SELECT id FROM ty WHERE IF(i > 3, dc, -dc) > 1',
      "SELECT id FROM ty WHERE CASE WHEN i > 3 THEN 'big' WHEN i < -3 THEN 'small' ELSE ch END = 'big'",
      'SELECT id FROM ty WHERE CASE i WHEN 1 THEN 10 WHEN 2 THEN 20 ELSE i END > 5',
      'SELECT id FROM ty WHERE fl > 3',
      'SELECT id FROM ty WHERE bn = x\'01\'',
      "SELECT id FROM ty WHERE tx = 't1'",
      'SELECT id FROM ty WHERE i / 2 > 3 OR i DIV 2 = 1 OR i % 3 = 1',
      'SELECT id, i / 3, dc / 7, db / 2, i DIV 3, i % 5, dc % 3, db % 2.5, -i % 4, i DIV -2 FROM ty WHERE dc / 3 > 1 OR i DIV 7 = -1 OR db % 2 = 0.5',
      'SELECT id FROM ty WHERE i / 0 IS NULL AND i % 0 IS NULL',
      'SELECT i % 3, SUM(dc / 3), AVG(i / 7), MAX(db / 4) FROM ty GROUP BY i % 3 ORDER BY 1',
      'SELECT id, YEAR(dt), MONTH(tm), DAY(ts), DAYOFMONTH(dt) FROM ty WHERE YEAR(dt) = 1995 OR MONTH(tm) > 6 OR DAY(ts) < 5',
      "SELECT id FROM ty WHERE LENGTH(vc) > 2 OR CHAR_LENGTH(ch) = 1 OR CONCAT(ch, '-', vc) = 'a-a' OR CONCAT(vc) LIKE 'x%'",
      'SELECT YEAR(dt), MONTH(dt), COUNT(*), SUM(dc) FROM ty GROUP BY YEAR(dt), MONTH(dt) ORDER BY 1, 2',
      'SELECT YEAR(vc) FROM ty WHERE id = 4',
      'SELECT ad, adt, avc, adn FROM ty WHERE ad > 5 AND adt < \'2000-03-01\' AND avc = \'dv\' AND adn IS NULL',
      'SELECT id, ad FROM ty WHERE ad = 7 ORDER BY id DESC LIMIT 5',
      // Aggregates: time / CHAR / unsigned / expression group keys and arguments.
      'SELECT dt, COUNT(*), MIN(tm), MAX(ts), MIN(du), MAX(du) FROM ty GROUP BY dt ORDER BY dt',
      'SELECT ch, COUNT(*), SUM(i), AVG(dc), MIN(ch), MAX(ch) FROM ty GROUP BY ch ORDER BY ch',
      'SELECT u, COUNT(u), SUM(u), AVG(u) FROM ty GROUP BY u ORDER BY u',
      'SELECT y, COUNT(*), MIN(y), MAX(y) FROM ty GROUP BY y ORDER BY y',
      'SELECT du, COUNT(*) FROM ty GROUP BY du ORDER BY du',
      'SELECT tm, ts, COUNT(*) FROM ty GROUP BY tm, ts ORDER BY tm, ts',
      'SELECT i % 3, COUNT(*) FROM ty GROUP BY i % 3 ORDER BY 1',
      'SELECT i + 1, SUM(dc * (1 - dc)), AVG(i * 2), MAX(dc + i), MIN(-db) FROM ty GROUP BY i + 1 ORDER BY 1',
      'SELECT COUNT(*), SUM(dc * 3), AVG(dc - 1), SUM(db * 2), COUNT(dt), MIN(dt), MAX(tm) FROM ty WHERE i > 0',
      'SELECT SUM(fl), AVG(fl), MIN(fl), MAX(fl) FROM ty',
      'SELECT vc, COUNT(*) FROM ty GROUP BY vc ORDER BY vc',
      'SELECT ad, adt, COUNT(*), SUM(adn) FROM ty GROUP BY ad, adt ORDER BY ad, adt',
      // TopN / Limit with offset.
      'SELECT id, i FROM ty ORDER BY i, id LIMIT 5',
      'SELECT id, i FROM ty ORDER BY i DESC, id DESC LIMIT 7 OFFSET 3',
      'SELECT id, dc FROM ty WHERE dc > 0 ORDER BY dc * -1, id LIMIT 4',
      'SELECT id, dt FROM ty ORDER BY dt DESC, id LIMIT 6',
      'SELECT id, tm FROM ty ORDER BY tm, id LIMIT 3 OFFSET 2',
      'SELECT id, ch FROM ty ORDER BY ch, id LIMIT 5',
      'SELECT id FROM ty ORDER BY id DESC LIMIT 3',
      'SELECT * FROM ty ORDER BY id LIMIT 4 OFFSET 3',
      'SELECT id, i FROM ty WHERE i > 0 ORDER BY id DESC LIMIT 5 OFFSET 2',
      'SELECT id, dt FROM ty WHERE id < 150 ORDER BY id DESC LIMIT 6',
      'SELECT id FROM ty LIMIT 4 OFFSET 30',
      'SELECT id, fl FROM ty ORDER BY fl, id LIMIT 5',
    ]) {
      await same(q);
      if (process.env.SQLPUSH_SHOW === '1') console.log((await tasks(q)).filter((t) => !t.startsWith('Projection')).join(' | '), '  <=', q);
    }
  }, 60_000);

  it('TPC-H Q1, Q6 and the per-table parts of Q3 run in the stores and agree with the root', async () => {
    const q1 =
      "SELECT l_returnflag, l_linestatus, SUM(l_quantity) AS sum_qty, SUM(l_extendedprice) AS sum_base_price, SUM(l_extendedprice * (1 - l_discount)) AS sum_disc_price, SUM(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge, AVG(l_quantity) AS avg_qty, AVG(l_extendedprice) AS avg_price, AVG(l_discount) AS avg_disc, COUNT(*) AS count_order FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus";
    const q6 = "SELECT SUM(l_extendedprice * l_discount) AS revenue FROM lineitem WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND l_quantity < 24";
    const q3c = "SELECT c_custkey FROM customer WHERE c_mktsegment = 'BUILDING'";
    const q3o = "SELECT o_orderkey, o_custkey, o_orderdate, o_shippriority FROM orders WHERE o_orderdate < DATE '1995-03-15'";
    const q3l = "SELECT l_orderkey, SUM(l_extendedprice * (1 - l_discount)) AS revenue FROM lineitem WHERE l_shipdate > DATE '1995-03-15' GROUP BY l_orderkey";
    const q3 =
      "SELECT l_orderkey, SUM(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority FROM customer, orders, lineitem WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey AND o_orderdate < DATE '1995-03-15' AND l_shipdate > DATE '1995-03-15' GROUP BY l_orderkey, o_orderdate, o_shippriority ORDER BY revenue DESC, o_orderdate LIMIT 10";
    for (const q of [q1, q6, q3c, q3o, `${q3l} ORDER BY l_orderkey`, q3]) await same(q);
    expect(rows(await s.execute(q1)).length).toBeGreaterThanOrEqual(4);
    await s.execute('SET tidb_enable_pushdown = 1');
    const agg = ['Projection root', 'HashAgg(final) root', 'TableReader root', 'HashAgg(partial) cop[tikv]', 'Selection cop[tikv]', 'TableFullScan cop[tikv]'];
    expect((await tasks(q1)).slice(-6)).toEqual(agg);
    expect(await tasks(q6)).toEqual(agg);
    expect(await tasks(q3l)).toEqual(agg);
    expect(await tasks(q3c)).toEqual(['Projection root', 'TableReader root', 'Selection cop[tikv]', 'TableFullScan cop[tikv]']);
    expect(await tasks(q3o)).toEqual(['Projection root', 'TableReader root', 'Selection cop[tikv]', 'TableFullScan cop[tikv]']);
    // The full Q3: each table's own WHERE conjuncts are copied under its reader (inner joins only).
    const q3plan = await tasks(q3);
    expect(q3plan.filter((t) => t === 'Selection cop[tikv]')).toHaveLength(3);
    expect(q3plan.filter((t) => t === 'TableFullScan cop[tikv]')).toHaveLength(3);
    for (const q of [
      "SELECT a.id, b.id FROM ty a JOIN ty b ON a.i = b.i WHERE a.dt > '1995-01-01' AND b.ch = 'a' AND a.dc > b.dc ORDER BY a.id, b.id",
      "SELECT a.id, b.id, b.i FROM ty a LEFT JOIN ty b ON a.i = b.i + 1 WHERE b.i IS NULL AND a.i > 3 ORDER BY a.id, b.id",
      "SELECT o_orderkey, c_name FROM orders, customer WHERE o_custkey = c_custkey AND (c_mktsegment = 'BUILDING' OR o_totalprice > 100000) ORDER BY o_orderkey",
    ]) await same(q);
    // Outer joins keep the WHERE above the join (a NULL-extended row must still be filtered there).
    expect((await tasks("SELECT a.id FROM ty a LEFT JOIN ty b ON a.i = b.i WHERE b.i IS NULL AND a.i > 3")).filter((t) => t.startsWith('Selection'))).toEqual(['Selection root']);
    // The pushed partial aggregation returns a handful of rows per region, not the table.
    const an = rows(await s.execute(`EXPLAIN ANALYZE ${q1}`));
    const reader = an.find((r) => String(r[0]).includes('TableReader'))!;
    expect(Number(reader[2])).toBeLessThanOrEqual(6 * 4);
    expect(String(reader[5])).toContain('cop_task: {num: ');
  }, 60_000);

  it('EXPLAIN shows TopN and expressions in the coprocessor, unpushable parts at the root', async () => {
    await s.execute('SET tidb_enable_pushdown = 1');
    expect(await tasks('SELECT id, i FROM ty WHERE i + 1 > 0 ORDER BY i DESC, id LIMIT 5 OFFSET 2')).toEqual(['Projection root', 'TopN root', 'Projection root', 'TableReader root', 'TopN cop[tikv]', 'Selection cop[tikv]', 'TableFullScan cop[tikv]']);
    expect(await tasks('SELECT id FROM ty LIMIT 4 OFFSET 30')).toEqual(['Limit root', 'Projection root', 'TableReader root', 'Limit cop[tikv]', 'TableFullScan cop[tikv]']);
    expect(await tasks('SELECT id FROM ty WHERE fl > 3')).toEqual(['Projection root', 'TableReader root', 'Selection root', 'TableFullScan cop[tikv]']);
    expect(await tasks('SELECT id FROM ty WHERE i BETWEEN -1000 AND 1000 AND i * 5000000000 > 0')).toEqual(['Projection root', 'TableReader root', 'Selection root', 'TableFullScan cop[tikv]']);
    expect(await tasks('SELECT id FROM ty WHERE i * 5000000000 > 0 AND i BETWEEN -1000 AND 1000')).toEqual(['Projection root', 'TableReader root', 'Selection cop[tikv]', 'TableFullScan cop[tikv]']);
    expect(await tasks('SELECT id FROM ty WHERE i / 0 IS NULL')).toEqual(['Projection root', 'TableReader root', 'Selection root', 'TableFullScan cop[tikv]']);
    expect(await tasks('SELECT MIN(fl), MAX(fl), COUNT(fl) FROM ty')).toEqual(['Projection root', 'HashAgg(final) root', 'TableReader root', 'HashAgg(partial) cop[tikv]', 'TableFullScan cop[tikv]']);
    expect(await tasks('SELECT vc, COUNT(*) FROM ty GROUP BY vc')).toEqual(['Projection root', 'HashAgg(final) root', 'TableReader root', 'HashAgg(partial) root', 'TableFullScan cop[tikv]']);
    expect(await tasks('SELECT dt, MAX(du), SUM(i * 2) FROM ty GROUP BY dt')).toEqual(['Projection root', 'HashAgg(final) root', 'TableReader root', 'HashAgg(partial) cop[tikv]', 'TableFullScan cop[tikv]']);
  }, 30_000);

  it('random predicates, expressions, aggregates and TopN over every type (seeded): pushed = root', async () => {
    const { rnd, pick } = lcg(Number(process.env.SQLPUSH_SEED ?? 20261124));
    const consts: Record<string, () => string> = {
      i: () => pick(['0', '3', '-7', '12', '2147483647', '-2147483648', 'NULL', '2.5']),
      u: () => pick(['0', '10', '4294967295', '25']),
      y: () => pick(['1995', '2000', '2009']),
      dc: () => pick(['0', '0.0001', '-12.5', '100', '3']),
      db: () => pick(['0', '12.5e0', '-30', '1e9', '7']),
      ch: () => pick(["'a'", "'ab'", "''", "'B'", "'a b'"]),
      vc: () => pick(["'a'", "'a '", "'abc'", "'b'"]),
      dt: () => pick(["'1994-06-01'", "DATE '1996-01-01'", "'1000-01-01'", "'1998-12-31 10:00:00'"]),
      tm: () => pick(["'1995-05-15 10:00:00'", "'1997-01-01'", "TIMESTAMP '1996-03-13 01:02:03'"]),
      ts: () => pick(["'2005-01-01'", "'2019-06-25 05:10:00'"]),
      id: () => pick(['0', '40', '100', '219']),
      ad: () => pick(['7', '1', '9']),
    };
    const numCols = ['i', 'dc', 'db', 'id', 'ad', 'u'];
    const expr = (depth: number): string => {
      if (depth === 0 || rnd(3) === 0) return rnd(4) === 0 ? pick(['1', '2.50', '0.5e0', '-3']) : pick(numCols);
      const k = rnd(7);
      if (k === 0) return `-(${expr(depth - 1)})`;
      if (k === 1) return `IFNULL(${pick(['i', 'id'])}, ${pick(['0', '1'])})`;
      if (k === 2) return `(${expr(depth - 1)} ${pick(['/', 'DIV', '%'])} ${pick(['3', '2.5', '-7', '0', '0.5e0'])})`;
      return `(${expr(depth - 1)} ${pick(['+', '-', '*', '+', '-'])} ${expr(depth - 1)})`;
    };
    const leaf = (): string => {
      const c = pick(Object.keys(consts));
      const r = rnd(14);
      if (r === 0) return `${c} IS ${rnd(2) === 0 ? 'NOT ' : ''}NULL`;
      if (r === 1) return `${c} BETWEEN ${consts[c]!()} AND ${consts[c]!()}`;
      if (r === 2) return `${c} ${rnd(2) === 0 ? 'NOT ' : ''}IN (${consts[c]!()}, ${consts[c]!()})`;
      if (r === 3) return `${pick(['vc', 'ch'])} ${rnd(2) === 0 ? 'NOT ' : ''}LIKE '${pick(['a%', '%b', '_', 'a_c', '%', 'a b'])}'`;
      if (r === 4) return `${pick(numCols)} IS ${rnd(2) === 0 ? 'NOT ' : ''}${pick(['TRUE', 'FALSE'])}`;
      if (r === 5 || r === 6) return `${expr(2)} ${pick(['<', '>=', '=', '<>'])} ${expr(1)}`;
      if (r === 7) return `${pick(['dt', 'tm'])} ${pick(['<', '>', '='])} ${pick(['dt', 'tm'])}`;
      if (r === 8) return `${pick(['YEAR', 'MONTH', 'DAY'])}(${pick(['dt', 'tm', 'ts', 'adt'])}) ${pick(['<', '>=', '='])} ${pick(['1995', '6', '2000', '12'])}`;
      if (r === 9) return `${pick(['LENGTH', 'CHAR_LENGTH'])}(${pick(['vc', 'ch', 'avc', "CONCAT(ch, vc)"])}) ${pick(['<', '>=', '='])} ${rnd(4)}`;
      return `${c} ${pick(['<', '<=', '>', '>=', '=', '<>', '!='])} ${consts[c]!()}`;
    };
    const pred = (depth: number): string => {
      if (depth === 0 || rnd(3) === 0) return leaf();
      const k = rnd(4);
      if (k === 0) return `NOT (${pred(depth - 1)})`;
      return `(${pred(depth - 1)}) ${k === 3 ? 'XOR' : k === 1 ? 'AND' : 'OR'} (${pred(depth - 1)})`;
    };
    const cols = ['id', 'i', 'u', 'y', 'dc', 'db', 'fl', 'ch', 'vc', 'dt', 'tm', 'ts', 'du', 'ad', 'adt', 'avc', 'adn'];
    const runs = Number(process.env.SQLPUSH_RUNS ?? 40);
    let pushedWhere = 0;
    let pushedAgg = 0;
    for (let r = 0; r < runs; r++) {
      const sel = cols.filter(() => rnd(3) === 0);
      const list = sel.length === 0 ? '*' : sel.join(', ');
      const q = `SELECT ${list} FROM ty WHERE ${pred(3)}${rnd(3) === 0 ? ` LIMIT ${rnd(10)}${rnd(2) === 0 ? ` OFFSET ${rnd(20)}` : ''}` : ''}`;
      await same(q);
      if ((await tasks(q)).includes('Selection cop[tikv]')) pushedWhere++;
      else if (process.env.SQLPUSH_SHOW === '1') console.log('root WHERE:', q);
      const keyCol = pick(['i', 'dc', 'dt', 'tm', 'ch', 'du', 'db', 'u', expr(1)]);
      await same(`SELECT id, ${list} FROM ty${rnd(2) === 0 ? ` WHERE ${pred(2)}` : ''} ORDER BY ${keyCol}${rnd(2) === 0 ? ' DESC' : ''}, id${rnd(2) === 0 ? ' DESC' : ''} LIMIT ${1 + rnd(8)}${rnd(2) === 0 ? ` OFFSET ${rnd(10)}` : ''}`);
      const groups = ['i', 'u', 'y', 'dc', 'ch', 'dt', 'du', 'ad', 'i % 4', 'YEAR(tm)'].filter(() => rnd(4) === 0);
      const aggs = Array.from({ length: 1 + rnd(4) }, () => (rnd(6) === 0 ? 'COUNT(*)' : rnd(2) === 0 ? `${pick(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX'])}(${expr(2)})` : `${pick(['COUNT', 'MIN', 'MAX'])}(${pick(cols)})`));
      const by = groups.length === 0 ? '' : ` GROUP BY ${groups.join(', ')} ORDER BY ${groups.join(', ')}`;
      const aq = `SELECT ${[...groups, ...aggs].join(', ')} FROM ty${rnd(2) === 0 ? ` WHERE ${pred(2)}` : ''}${by}`;
      await same(aq);
      if ((await tasks(aq)).includes('HashAgg(partial) cop[tikv]')) pushedAgg++;
      else if (process.env.SQLPUSH_SHOW === '1') console.log('root agg:', aq);
    }
    // The generators aim at the pushed subset: most of what they produce must really run in the stores.
    expect(pushedWhere).toBeGreaterThan(runs / 2);
    expect(pushedAgg).toBeGreaterThan(runs / 3);
  }, 120_000);
});
