// Proves the DAG pipeline (scan, selection, projection, hash/stream agg, TopN, limit) returns TiDB's rows and layouts in Chunk and Default encodings, with paging, summaries and clear errors.
import { describe, expect, it } from 'vitest';
import { decodeI64Comparable } from '../src/codec/mod.ts';
import { Datums, Decimal, encodeCommonHandleRecordKey, encodeDatumKey, encodeIndexValue, encodeRowV2 as codecEncodeRowV2 } from '../src/codec/tidb/mod.ts';
import { AggExprType } from './aggr_functions.ts';
import { DagRejected, runDag } from './dag_runner.ts';
import { type DAGRequest, EncodeType, ExecType, type Executor, type FieldType } from './dag_types.ts';
import { MemoryScanSource } from './memory_scan_source.ts';
import { E, FT, columnInfo, decodeChunk, encodeRowV2, indexKey, keyDatum, recordKey, tableRange } from './testing.ts';
import type { Scalar } from './vector.ts';

const TABLE = 42n;
const enc = new TextEncoder();
const dec = new TextDecoder();

// Table t(id BIGINT PK, a INT, b VARCHAR utf8mb4_bin, c DOUBLE, g VARCHAR general_ci)
const COLS = [
  columnInfo(1, FT.bigint, { pkHandle: true }),
  columnInfo(2, FT.int),
  columnInfo(3, FT.varchar),
  columnInfo(4, FT.double),
  columnInfo(5, FT.varcharCi),
  columnInfo(6, FT.decimal),
];
const SCHEMA: FieldType[] = [FT.bigint, FT.int, FT.varchar, FT.double, FT.varcharCi];

interface Row {
  id: bigint;
  a: bigint | null;
  b: string | null;
  c: number | null;
  g: string | null;
  d: Decimal | null;
}

function makeRows(n: number): Row[] {
  const rows: Row[] = [];
  for (let i = 1; i <= n; i++) {
    rows.push({
      id: BigInt(i),
      a: i % 7 === 0 ? null : BigInt((i * 37) % 101) - 50n,
      b: i % 5 === 0 ? null : `s${i % 13}`,
      c: i % 11 === 0 ? null : i / 4,
      g: ['x', 'X', 'y', 'Y ', 'z'][i % 5]!,
      d: i % 9 === 0 ? null : new Decimal(BigInt(i * 12345 - 500000), 4),
    });
  }
  return rows;
}

function source(rows: Row[]): MemoryScanSource {
  return new MemoryScanSource(
    rows.map((r) => [
      recordKey(TABLE, r.id),
      encodeRowV2([
        { id: 2, ft: FT.int, value: r.a },
        { id: 3, ft: FT.varchar, value: r.b === null ? null : enc.encode(r.b) },
        { id: 4, ft: FT.double, value: r.c },
        { id: 5, ft: FT.varcharCi, value: r.g === null ? null : enc.encode(r.g) },
        { id: 6, ft: FT.decimal, value: r.d },
      ]),
    ]),
  );
}

const scan: Executor = { tp: ExecType.TableScan, tblScan: { tableId: TABLE, columns: COLS }, executorId: 'TableFullScan_1' };

function dag(executors: Executor[], outputOffsets: number[], extra: Partial<DAGRequest> = {}): DAGRequest {
  return { executors, outputOffsets, encodeType: EncodeType.Chunk, flags: 482n, ...extra };
}

async function run(d: DAGRequest, rows: Row[], types: FieldType[], pagingSize = 0n) {
  const result = await runDag(d, [tableRange(TABLE)], source(rows), pagingSize);
  const out: Scalar[][] = [];
  for (const ch of result.selectResponse.chunks) out.push(...decodeChunk(ch.rowsData, types));
  return { result, out };
}

const s = (v: Scalar) => (v instanceof Uint8Array ? dec.decode(v) : v);

describe('runDag', () => {
  const rows = makeRows(300);

  it('table scan returns every row in key order, in batches growing 32 -> 1024', async () => {
    const { result, out } = await run(dag([scan], [0, 1, 2, 3]), rows, SCHEMA.slice(0, 4));
    expect(out.length).toBe(300);
    expect(out.map((r) => r[0])).toEqual(rows.map((r) => r.id));
    expect(out.map((r) => s(r[2]!))).toEqual(rows.map((r) => r.b));
    expect(out.map((r) => r[1])).toEqual(rows.map((r) => r.a));
    expect(result.selectResponse.chunks.map((c) => decodeChunk(c.rowsData, [FT.bigint]).length)).toEqual([32, 64, 128, 76]);
    expect(result.selectResponse.outputCounts).toEqual([300n]);
    expect(result.range).toBeUndefined();
  });

  const cases: { name: string; executors: Executor[]; offsets: number[]; types: FieldType[]; expected: (rows: Row[]) => Scalar[][] }[] = [
    {
      name: 'selection a > 10 AND b IS NOT NULL',
      executors: [
        scan,
        {
          tp: ExecType.Selection,
          selection: {
            conditions: [
              E.fn(120, FT.bigint, E.col(1, FT.int), E.int(10)),
              E.fn(3104, FT.bigint, E.fn(3114, FT.bigint, E.col(2, FT.varchar))),
            ],
          },
        },
      ],
      offsets: [0],
      types: [FT.bigint],
      expected: (rs) => rs.filter((r) => r.a !== null && r.a > 10n && r.b !== null).map((r) => [r.id]),
    },
    {
      name: 'selection a < 0 then every column (late materialization of the others)',
      executors: [scan, { tp: ExecType.Selection, selection: { conditions: [E.fn(100, FT.bigint, E.col(1, FT.int), E.int(0))] } }],
      offsets: [0, 1, 2, 3, 4, 5],
      types: [FT.bigint, FT.int, FT.varchar, FT.double, FT.varcharCi, FT.decimal],
      expected: (rs) =>
        rs.filter((r) => r.a !== null && r.a < 0n).map((r) => [r.id, r.a, r.b === null ? null : enc.encode(r.b), r.c, enc.encode(r.g!), r.d]),
    },
    {
      name: 'projection a + 1, c * 2',
      executors: [
        scan,
        { tp: ExecType.Projection, Projection: { exprs: [E.fn(203, FT.bigint, E.col(1, FT.int), E.int(1)), E.fn(208, FT.double, E.col(3, FT.double), E.real(2))] } },
      ],
      offsets: [0, 1],
      types: [FT.bigint, FT.double],
      expected: (rs) => rs.map((r) => [r.a === null ? null : r.a + 1n, r.c === null ? null : r.c * 2]),
    },
    {
      name: 'limit 5 after selection',
      executors: [scan, { tp: ExecType.Selection, selection: { conditions: [E.fn(3116, FT.bigint, E.col(1, FT.int))] } }, { tp: ExecType.Limit, limit: { limit: 5n } }],
      offsets: [0],
      types: [FT.bigint],
      expected: (rs) => rs.filter((r) => r.a === null).slice(0, 5).map((r) => [r.id]),
    },
    {
      name: 'topN 7 by a desc, id asc (NULLs last in desc)',
      executors: [scan, { tp: ExecType.TopN, topN: { orderBy: [{ expr: E.col(1, FT.int), desc: true }, { expr: E.col(0, FT.bigint) }], limit: 7n } }],
      offsets: [0, 1],
      types: [FT.bigint, FT.int],
      expected: (rs) =>
        [...rs]
          .sort((x, y) => (x.a === y.a ? Number(x.id - y.id) : x.a === null ? 1 : y.a === null ? -1 : x.a > y.a ? -1 : 1))
          .slice(0, 7)
          .map((r) => [r.id, r.a]),
    },
    {
      name: 'simple agg: count(*), count(a), sum(c), avg(c), min(b), max(a), first(id)',
      executors: [
        scan,
        {
          tp: ExecType.Aggregation,
          aggregation: {
            aggFunc: [
              E.agg(AggExprType.Count, FT.ubigint, E.int(1)),
              E.agg(AggExprType.Count, FT.ubigint, E.col(1, FT.int)),
              E.agg(AggExprType.Sum, FT.double, E.col(3, FT.double)),
              E.agg(AggExprType.Avg, FT.double, E.col(3, FT.double)),
              E.agg(AggExprType.Min, FT.varchar, E.col(2, FT.varchar)),
              E.agg(AggExprType.Max, FT.int, E.col(1, FT.int)),
              E.agg(AggExprType.First, FT.bigint, E.col(0, FT.bigint)),
            ],
          },
        },
      ],
      offsets: [0, 1, 2, 3, 4, 5, 6, 7],
      types: [FT.ubigint, FT.ubigint, FT.double, FT.ubigint, FT.double, FT.varchar, FT.int, FT.bigint],
      expected: (rs) => {
        if (rs.length === 0) return [];
        const cs = rs.filter((r) => r.c !== null).map((r) => r.c!);
        const sum = cs.reduce((x, y) => x + y, 0);
        const as = rs.filter((r) => r.a !== null).map((r) => r.a!);
        const bs = rs.filter((r) => r.b !== null).map((r) => r.b!).sort();
        return [[BigInt(rs.length), BigInt(as.length), sum, BigInt(cs.length), sum, enc.encode(bs[0]!), as.reduce((x, y) => (y > x ? y : x)), rs[0]!.id]];
      },
    },
    {
      name: 'hash agg group by g (general_ci: x = X, "Y " = y): count, bit_or(a)',
      executors: [
        scan,
        {
          tp: ExecType.Aggregation,
          aggregation: {
            groupBy: [E.col(4, FT.varcharCi)],
            aggFunc: [E.agg(AggExprType.Count, FT.ubigint, E.int(1)), E.agg(AggExprType.BitOr, FT.ubigint, E.col(1, FT.int))],
          },
        },
      ],
      offsets: [0, 1, 2],
      types: [FT.ubigint, FT.ubigint, FT.varcharCi],
      expected: (rs) => {
        const groups = new Map<string, { first: string; count: bigint; or: bigint }>();
        for (const r of rs) {
          const k = r.g!.trimEnd().toUpperCase();
          const g = groups.get(k) ?? { first: r.g!, count: 0n, or: 0n };
          g.count++;
          if (r.a !== null) g.or |= BigInt.asUintN(64, r.a);
          groups.set(k, g);
        }
        return [...groups.values()].map((g) => [g.count, g.or, enc.encode(g.first)]);
      },
    },
    {
      name: 'stream agg group by id DIV 100 (sorted input): count, max(c)',
      executors: [
        scan,
        {
          tp: ExecType.StreamAgg,
          aggregation: {
            groupBy: [E.fn(213, FT.bigint, E.col(0, FT.bigint), E.int(100))],
            aggFunc: [E.agg(AggExprType.Count, FT.ubigint, E.int(1)), E.agg(AggExprType.Max, FT.double, E.col(3, FT.double))],
          },
        },
      ],
      offsets: [0, 1, 2],
      types: [FT.ubigint, FT.double, FT.bigint],
      expected: (rs) => {
        const out: Scalar[][] = [];
        for (const r of rs) {
          const k = r.id / 100n;
          let last = out[out.length - 1];
          if (last === undefined || last[2] !== k) {
            last = [0n, null, k];
            out.push(last);
          }
          last[0] = (last[0] as bigint) + 1n;
          if (r.c !== null && (last[1] === null || r.c > (last[1] as number))) last[1] = r.c;
        }
        return out;
      },
    },
  ];

  cases.push(
    {
      name: 'decimal: SUM(a) as exact decimal, AVG(d), MIN(d)',
      executors: [
        scan,
        {
          tp: ExecType.Aggregation,
          aggregation: {
            aggFunc: [
              E.agg(AggExprType.Sum, { tp: 246, flen: 65, decimal: 0 }, E.col(1, FT.int)),
              E.agg(AggExprType.Avg, { tp: 246, flen: 24, decimal: 8 }, E.col(5, FT.decimal)),
              E.agg(AggExprType.Min, FT.decimal, E.col(5, FT.decimal)),
            ],
          },
        },
      ],
      offsets: [0, 1, 2, 3],
      types: [{ tp: 246, flen: 65, decimal: 0 }, FT.ubigint, { tp: 246, flen: 24, decimal: 8 }, FT.decimal],
      expected: (rs) => {
        if (rs.length === 0) return [];
        const as = rs.filter((r) => r.a !== null).map((r) => r.a!);
        const ds = rs.filter((r) => r.d !== null).map((r) => r.d!);
        const sumA = as.length === 0 ? null : Decimal.fromBigInt(as.reduce((x, y) => x + y, 0n));
        const sumD = ds.length === 0 ? null : ds.reduce((x, y) => x.add(y));
        const minD = ds.length === 0 ? null : ds.reduce((x, y) => (y.compare(x) < 0 ? y : x));
        return [[sumA, BigInt(ds.length), sumD, minD]];
      },
    },
    {
      name: 'decimal: d > 1.5 and d * 2',
      executors: [
        scan,
        { tp: ExecType.Selection, selection: { conditions: [E.fn(122, FT.bigint, E.col(5, FT.decimal), E.decimal(new Decimal(15n, 1)))] } },
        { tp: ExecType.Projection, Projection: { exprs: [E.col(0, FT.bigint), E.fn(209, FT.decimal, E.col(5, FT.decimal), E.decimal(new Decimal(2n, 0)))] } },
      ],
      offsets: [0, 1],
      types: [FT.bigint, FT.decimal],
      expected: (rs) => rs.filter((r) => r.d !== null && r.d.compare(new Decimal(15n, 1)) > 0).map((r) => [r.id, r.d!.mul(new Decimal(2n, 0))]),
    },
  );

  for (const c of cases) {
    for (const n of [0, 1, 300]) {
      it(`${c.name} over ${n} rows`, async () => {
        const input = rows.slice(0, n);
        const { out } = await run(dag(c.executors, c.offsets), input, c.types);
        expect(out).toEqual(c.expected(input));
      });
    }
  }

  it('Default encoding emits datums TiDB decodes (int, NULL, compact bytes, float)', async () => {
    const d = dag([scan, { tp: ExecType.Limit, limit: { limit: 5n } }], [0, 2, 3], { encodeType: EncodeType.Default });
    const result = await runDag(d, [tableRange(TABLE)], source(rows), 0n);
    expect(result.selectResponse.encodeType).toBe(EncodeType.Default);
    const data = result.selectResponse.chunks[0]!.rowsData;
    // row 1: id=1 -> 03 + comparable; b = "s1" -> 02 04 73 31; c = 0.25 -> 05 + comparable float
    expect(data[0]).toBe(3);
    expect(decodeI64Comparable(data, 1)).toBe(1n);
    expect([...data.subarray(9, 13)]).toEqual([2, 4, 0x73, 0x31]);
    expect(data[13]).toBe(5);
  });

  it('paging stops after paging_size rows and reports the scanned range', async () => {
    const d = dag([scan], [0]);
    const src = source(rows);
    const result = await runDag(d, [tableRange(TABLE)], src, 40n);
    const ids = result.selectResponse.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.bigint]).map((r) => r[0]));
    expect(ids.length).toBe(96);
    expect(result.range).toBeDefined();
    expect(result.range!.start).toEqual(tableRange(TABLE).start);
    const lastKey = recordKey(TABLE, 96n);
    expect(result.range!.end).toEqual(new Uint8Array([...lastKey, 0]));
    // Resume from the end of the scanned range: no row lost or repeated.
    const rest = await runDag(d, [{ start: result.range!.end, end: tableRange(TABLE).end }], src, 0n);
    const more = rest.selectResponse.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.bigint]).map((r) => r[0]));
    expect([...ids, ...more]).toEqual(rows.map((r) => r.id));
  });

  it('desc scan walks ranges backwards; output_counts are per range', async () => {
    const r1 = { start: recordKey(TABLE, 1n), end: recordKey(TABLE, 11n) };
    const r2 = { start: recordKey(TABLE, 100n), end: recordKey(TABLE, 105n) };
    const d = dag([{ ...scan, tblScan: { ...scan.tblScan!, desc: true } }], [0]);
    const result = await runDag(d, [r1, r2], source(rows), 0n);
    const ids = result.selectResponse.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.bigint]).map((r) => r[0]));
    expect(ids).toEqual([104n, 103n, 102n, 101n, 100n, 10n, 9n, 8n, 7n, 6n, 5n, 4n, 3n, 2n, 1n]);
    expect(result.selectResponse.outputCounts).toEqual([10n, 5n]);
  });

  it('execution summaries: one per executor, rows produced', async () => {
    const d = dag([scan, { tp: ExecType.Limit, limit: { limit: 10n } }], [0], { collectExecutionSummaries: true });
    const result = await runDag(d, [tableRange(TABLE)], source(rows), 0n);
    const sums = result.selectResponse.executionSummaries;
    expect(sums.length).toBe(2);
    expect(sums[1]!.numProducedRows).toBe(10n);
    expect(sums[0]!.executorId).toBe('TableFullScan_1');
  });

  it('limit stops pulling from the ScanSource early', async () => {
    const src = source(rows);
    await runDag(dag([scan, { tp: ExecType.Limit, limit: { limit: 3n } }], [0]), [tableRange(TABLE)], src, 0n);
    expect(src.pullCount).toBe(1);
  });

  it('index scan decodes index columns and the int handle (non-unique: handle in key)', async () => {
    const pairs: [Uint8Array, Uint8Array][] = rows.slice(0, 20).map((r) => [indexKey(TABLE, 1n, [keyDatum(r.a), keyDatum(r.id)]), new Uint8Array([0x30])]);
    const d: DAGRequest = {
      executors: [{ tp: ExecType.IndexScan, idxScan: { tableId: TABLE, indexId: 1n, columns: [columnInfo(2, FT.int), columnInfo(1, FT.bigint, { pkHandle: true })] } }],
      outputOffsets: [0, 1],
      encodeType: EncodeType.Chunk,
    };
    const range = { start: indexKey(TABLE, 1n, []), end: indexKey(TABLE, 2n, []) };
    const result = await runDag(d, [range], new MemoryScanSource(pairs), 0n);
    const out = result.selectResponse.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.int, FT.bigint]));
    const expected = rows
      .slice(0, 20)
      .map((r) => [r.a, r.id])
      .sort((x, y) => (x[0] === y[0] ? Number(x[1]! - y[1]!) : x[0] === null ? -1 : y[0] === null ? 1 : x[0] < y[0] ? -1 : 1));
    expect(out).toEqual(expected);
  });

  it('utf8mb4_bin index columns get their trailing spaces back from restored data', async () => {
    const names = ['a', 'b  ', 'c '];
    const pairs: [Uint8Array, Uint8Array][] = names.map((n, i) => {
      const trimmed = n.trimEnd();
      const spaces = n.length - trimmed.length;
      const value = spaces === 0 ? new Uint8Array([0x30]) : encodeIndexValue({ restoredData: codecEncodeRowV2([3], [Datums.uint(BigInt(spaces))]) });
      return [indexKey(TABLE, 3n, [keyDatum(enc.encode(trimmed), FT.varchar), keyDatum(BigInt(i + 1))]), value];
    });
    const d: DAGRequest = {
      executors: [{ tp: ExecType.IndexScan, idxScan: { tableId: TABLE, indexId: 3n, columns: [columnInfo(3, FT.varchar), columnInfo(1, FT.bigint, { pkHandle: true })] } }],
      outputOffsets: [0, 1],
      encodeType: EncodeType.Chunk,
    };
    const result = await runDag(d, [{ start: indexKey(TABLE, 3n, []), end: indexKey(TABLE, 4n, []) }], new MemoryScanSource(pairs), 0n);
    const out = result.selectResponse.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.varchar, FT.bigint]));
    expect(out.map((r) => [s(r[0]!), r[1]])).toEqual([['a', 1n], ['b  ', 2n], ['c ', 3n]]);
  });

  it('unique index scan reads the handle from the value', async () => {
    const pairs: [Uint8Array, Uint8Array][] = rows.slice(0, 5).map((r) => {
      const v = new Uint8Array(8);
      new DataView(v.buffer).setBigInt64(0, r.id);
      return [indexKey(TABLE, 2n, [keyDatum(enc.encode(`u${r.id}`), FT.varchar)]), v];
    });
    const d: DAGRequest = {
      executors: [{ tp: ExecType.IndexScan, idxScan: { tableId: TABLE, indexId: 2n, unique: true, columns: [columnInfo(3, FT.varchar), columnInfo(-1, FT.bigint)] } }],
      outputOffsets: [0, 1],
      encodeType: EncodeType.Chunk,
    };
    const result = await runDag(d, [{ start: indexKey(TABLE, 2n, []), end: indexKey(TABLE, 3n, []) }], new MemoryScanSource(pairs), 0n);
    const out = result.selectResponse.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.varchar, FT.bigint]));
    expect(out.map((r) => [s(r[0]!), r[1]])).toEqual([['u1', 1n], ['u2', 2n], ['u3', 3n], ['u4', 4n], ['u5', 5n]]);
  });
});

describe('runDag bad input', () => {
  const rows = makeRows(10);
  const rejects = async (d: DAGRequest, message: RegExp) => {
    await expect(runDag(d, [tableRange(TABLE)], source(rows), 0n)).rejects.toThrow(message);
    await expect(runDag(d, [tableRange(TABLE)], source(rows), 0n)).rejects.toBeInstanceOf(DagRejected);
  };

  it('no executors', () => rejects({ executors: [] }, /no executors/));
  it('first executor not a scan', () => rejects({ executors: [{ tp: ExecType.Limit, limit: { limit: 1n } }] }, /first executor/));
  it('unknown executor type', () => rejects(dag([scan, { tp: 7 }], [0]), /unsupported executor type 7 \(TypeJoin\)/));
  it('executor without payload', () => rejects(dag([scan, { tp: ExecType.Selection }], [0]), /Selection executor without selection/));
  it('column offset out of range', () =>
    rejects(dag([scan, { tp: ExecType.Selection, selection: { conditions: [E.fn(3116, FT.bigint, E.col(9, FT.int))] } }], [0]), /column offset 9 out of range/));
  it('output offset out of range', () => rejects(dag([scan], [9]), /output offset 9 out of range/));
  it('unknown signature names the signature', () =>
    rejects(dag([scan, { tp: ExecType.Selection, selection: { conditions: [E.fn(6003, FT.bigint, E.col(1, FT.int))] } }], [0]), /unsupported scalar function signature 6003 \(a date\/time function/));
  it('DATE_FORMAT with an unsupported specifier is refused by name, not answered', () => {
    const t = E.time({ year: 2020, month: 1, day: 2, hour: 3, minute: 4, second: 5, microsecond: 0 });
    const len = E.fn(7029, FT.bigint, E.fn(6001, FT.varchar, t, E.str('%Y %U')));
    return rejects(dag([scan, { tp: ExecType.Selection, selection: { conditions: [E.fn(100, FT.bigint, len, E.col(1, FT.int))] } }], [0]), /DATE_FORMAT specifier '%U' is not supported/);
  });
  it('argument type mismatch', () =>
    rejects(dag([scan, { tp: ExecType.Selection, selection: { conditions: [E.fn(100, FT.bigint, E.col(1, FT.int), E.real(1))] } }], [0]), /type mismatch: LTInt argument 1 is Real/));
  it('wrong arity', () => rejects(dag([scan, { tp: ExecType.Selection, selection: { conditions: [E.fn(100, FT.bigint, E.col(1, FT.int))] } }], [0]), /expects 2\.\.2 arguments/));
  it('malformed constant', () =>
    rejects(dag([scan, { tp: ExecType.Selection, selection: { conditions: [{ tp: 1, val: new Uint8Array(3), fieldType: FT.bigint }] } }], [0]), /must be 8 bytes/));
  it('malformed column default value', () =>
    rejects(dag([{ ...scan, tblScan: { tableId: TABLE, columns: [columnInfo(9, FT.int, { defaultVal: new Uint8Array([3, 1]) })] } }], [0]), /malformed default value of column 9/));
  it('memory limit', async () => {
    const d = dag([scan, { tp: ExecType.TopN, topN: { orderBy: [{ expr: E.col(0, FT.bigint) }], limit: 100n } }], [0]);
    await expect(runDag(d, [tableRange(TABLE)], source(makeRows(300)), 0n, { requestMemoryBytesMax: 2000 })).rejects.toThrow(/memory limit of 2000 bytes/);
  });
  it('stream agg releases emitted groups; hash agg must hold them all', async () => {
    const agg = (tp: number): Executor => ({ tp, aggregation: { groupBy: [E.col(0, FT.bigint)], aggFunc: [E.agg(AggExprType.Count, FT.ubigint, E.int(1))] } });
    const many = makeRows(300);
    const limits = { requestMemoryBytesMax: 40_000 };
    await expect(runDag(dag([scan, agg(ExecType.Aggregation)], [0]), [tableRange(TABLE)], source(many), 0n, limits)).rejects.toThrow(/memory limit/);
    const ok = await runDag(dag([scan, agg(ExecType.StreamAgg)], [0, 1]), [tableRange(TABLE)], source(many), 0n, limits);
    expect(ok.selectResponse.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.ubigint, FT.bigint])).length).toBe(300);
  });
  it('a decimal condition is true when non-zero', async () => {
    const d = dag([scan, { tp: ExecType.Selection, selection: { conditions: [E.col(5, FT.decimal)] } }], [0]);
    const result = await runDag(d, [tableRange(TABLE)], source(rows), 0n);
    const ids = result.selectResponse.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.bigint]).map((r) => r[0]));
    expect(ids).toEqual(rows.filter((r) => r.d !== null && !r.d.isZero()).map((r) => r.id));
  });
  it('evaluation errors go to SelectResponse.error with the MySQL code', async () => {
    const d = dag([scan, { tp: ExecType.Projection, Projection: { exprs: [E.fn(210, FT.bigint, E.col(0, FT.bigint), E.int(9223372036854775807n))] } }], [0]);
    const result = await runDag(d, [tableRange(TABLE)], source(rows), 0n);
    expect(result.selectResponse.error?.code).toBe(1690);
    expect(result.selectResponse.error?.msg).toMatch(/BIGINT value is out of range/);
  });
  it('division by zero is a warning under SELECT flags', async () => {
    const d = dag([scan, { tp: ExecType.Projection, Projection: { exprs: [E.fn(211, FT.double, E.col(3, FT.double), E.real(0))] } }], [0]);
    const result = await runDag(d, [tableRange(TABLE)], source(rows), 0n);
    expect(result.selectResponse.error).toBeNull();
    expect(result.selectResponse.warningCount).toBe(10n);
    expect(result.selectResponse.warnings[0]!.code).toBe(1365);
  });
});

describe('runDag clustered (common handle) tables', () => {
  // t(region VARCHAR utf8mb4_bin, id INT, v INT, PRIMARY KEY(region, id) CLUSTERED); index idx(v)
  const pk = (region: string, id: bigint) => encodeDatumKey([Datums.string(region), Datums.int(id)]);
  const rows = Array.from({ length: 30 }, (_, i) => ({ region: ['eu', 'us', 'ap'][i % 3]!, id: BigInt(i), v: BigInt((i * 7) % 11) }));
  const table = new MemoryScanSource(
    rows.map((r) => [
      encodeCommonHandleRecordKey(TABLE, pk(r.region, r.id)),
      // The string PK column is in the value; the int PK column is only in the key.
      encodeRowV2([
        { id: 1, ft: FT.varchar, value: enc.encode(r.region) },
        { id: 3, ft: FT.int, value: r.v },
      ]),
    ]),
  );
  const cols = [columnInfo(1, FT.varchar), columnInfo(2, FT.int), columnInfo(3, FT.int)];

  it('table scan fills primary-key columns from the value, else from the common handle', async () => {
    const d: DAGRequest = { executors: [{ tp: ExecType.TableScan, tblScan: { tableId: TABLE, columns: cols, primaryColumnIds: [1n, 2n] } }], outputOffsets: [0, 1, 2], encodeType: EncodeType.Chunk };
    const result = await runDag(d, [tableRange(TABLE)], table, 0n);
    const out = result.selectResponse.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.varchar, FT.int, FT.int]));
    const expected = [...rows].sort((a, b) => (a.region === b.region ? Number(a.id - b.id) : a.region < b.region ? -1 : 1)).map((r) => [r.region, r.id, r.v]);
    expect(out.map((r) => [s(r[0]!), r[1], r[2]])).toEqual(expected);
  });

  it('index scan returns index columns then the primary key from the handle', async () => {
    const pairs: [Uint8Array, Uint8Array][] = rows.map((r) => [indexKey(TABLE, 5n, [keyDatum(r.v, FT.int), pk(r.region, r.id)]), new Uint8Array([0x30])]);
    const d: DAGRequest = {
      executors: [{ tp: ExecType.IndexScan, idxScan: { tableId: TABLE, indexId: 5n, columns: [columnInfo(3, FT.int), { ...columnInfo(1, FT.varchar), collation: 63 }, columnInfo(2, FT.int)], primaryColumnIds: [1n, 2n] } }],
      outputOffsets: [0, 1, 2],
      encodeType: EncodeType.Chunk,
    };
    const result = await runDag(d, [{ start: indexKey(TABLE, 5n, []), end: indexKey(TABLE, 6n, []) }], new MemoryScanSource(pairs), 0n);
    const out = result.selectResponse.chunks.flatMap((c) => decodeChunk(c.rowsData, [FT.int, FT.varchar, FT.int]));
    expect(out.length).toBe(30);
    expect(out.map((r) => [r[0], s(r[1]!), r[2]])).toContainEqual([rows[4]!.v, rows[4]!.region, rows[4]!.id]);
    // utf8mb4_general_ci strings in keys are sort keys: refused, never returned as if they were values.
    const ci: DAGRequest = { ...d, executors: [{ tp: ExecType.IndexScan, idxScan: { ...d.executors![0]!.idxScan!, columns: [columnInfo(3, FT.int), columnInfo(1, FT.varcharCi), columnInfo(2, FT.int)] } }] };
    await expect(runDag(ci, [{ start: indexKey(TABLE, 5n, []), end: indexKey(TABLE, 6n, []) }], new MemoryScanSource(pairs), 0n)).rejects.toThrow(/needs restored data/);
  });
});

