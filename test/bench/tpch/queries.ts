/**
 * TPC-H Q1, Q3 and Q6 with the spec's default substitution parameters, one text for all
 * three engines, and the comparison of their results.
 *
 * Deviations from the spec's text, the same on every engine:
 * - Date arithmetic is folded into literals (`date '1998-12-01' - interval '90' day` is
 *   '1998-09-02'; Q6's `+ interval '1' year` is '1995-01-01'): SQLite has no INTERVAL syntax.
 *   Plain string literals (not `date '…'`) because SQLite stores dates as TEXT.
 * - Q6's `0.06 - 0.01` / `0.06 + 0.01` are folded into 0.05 / 0.07.
 */
import type { Q1Result } from '../copr/queries.ts';

/** A result cell normalized across drivers: text, number or NULL. */
export type Cell = string | number | null;

/** How a result column compares across engines. */
export type CellKind =
  /** Same text everywhere (flags, dates). */
  | 'text'
  /** An integer. */
  | 'int'
  /** An exact decimal on ours and DuckDB (compared exactly); a float on SQLite. */
  | 'decimal'
  /** AVG: DOUBLE on DuckDB, decimal rounded to 6 places on ours, float on SQLite. */
  | 'approx';

export interface TpchQuery {
  name: 'Q1' | 'Q3' | 'Q6';
  sql: string;
  kinds: readonly CellKind[];
  /** What the query does, for the table's note (rows/s is always over lineitem's row count). */
  what: string;
}

export const Q1: TpchQuery = {
  name: 'Q1',
  what: 'pricing summary: scan lineitem, ~98% pass, group by 2 flags (4 groups), 8 aggregates',
  sql:
    'SELECT l_returnflag, l_linestatus, SUM(l_quantity) AS sum_qty, SUM(l_extendedprice) AS sum_base_price, ' +
    'SUM(l_extendedprice * (1 - l_discount)) AS sum_disc_price, SUM(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge, ' +
    'AVG(l_quantity) AS avg_qty, AVG(l_extendedprice) AS avg_price, AVG(l_discount) AS avg_disc, COUNT(*) AS count_order ' +
    "FROM lineitem WHERE l_shipdate <= '1998-09-02' GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus",
  kinds: ['text', 'text', 'decimal', 'decimal', 'decimal', 'decimal', 'approx', 'approx', 'approx', 'int'],
};

export const Q3: TpchQuery = {
  name: 'Q3',
  what: "shipping priority: customer ⋈ orders ⋈ lineitem, segment 'BUILDING', top 10 by revenue",
  sql:
    'SELECT l_orderkey, SUM(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority ' +
    'FROM customer, orders, lineitem ' +
    "WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey AND o_orderdate < '1995-03-15' AND l_shipdate > '1995-03-15' " +
    'GROUP BY l_orderkey, o_orderdate, o_shippriority ORDER BY revenue DESC, o_orderdate LIMIT 10',
  kinds: ['int', 'decimal', 'text', 'int'],
};

export const Q6: TpchQuery = {
  name: 'Q6',
  what: 'forecasting revenue change: scan lineitem, ~2% pass, one sum',
  sql:
    'SELECT SUM(l_extendedprice * l_discount) AS revenue FROM lineitem ' +
    "WHERE l_shipdate >= '1994-01-01' AND l_shipdate < '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24",
  kinds: ['decimal'],
};

export const QUERIES: readonly TpchQuery[] = [Q1, Q3, Q6];

/** Decimal text without insignificant zeros (`12.3400` -> `12.34`, `5.00` -> `5`). */
function canonicalDecimal(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

function cellText(c: Cell): string {
  return c === null ? 'NULL' : String(c);
}

function approxEqual(a: Cell, b: Cell, relTol: number, absTol: number): boolean {
  if (a === null || b === null) return a === b;
  const x = Number(a);
  const y = Number(b);
  return Math.abs(x - y) <= absTol + relTol * Math.max(Math.abs(x), Math.abs(y));
}

/**
 * Throws (with both results) unless `got` matches `want` for `query`. `exactDecimals`:
 * decimal columns must agree digit for digit (ours vs DuckDB); otherwise they may differ by
 * float rounding (SQLite stores DECIMAL as REAL).
 */
export function assertSameResult(query: TpchQuery, wantName: string, want: readonly Cell[][], gotName: string, got: readonly Cell[][], exactDecimals: boolean): void {
  const fail = (why: string): never => {
    const show = (rows: readonly Cell[][]) => rows.map((r) => '  ' + r.map(cellText).join(' | ')).join('\n');
    throw new Error(`${query.name}: ${gotName} differs from ${wantName} (${why})\n${wantName}:\n${show(want)}\n${gotName}:\n${show(got)}`);
  };
  if (got.length !== want.length) fail(`${got.length} rows vs ${want.length}`);
  for (let r = 0; r < want.length; r++) {
    const w = want[r]!;
    const g = got[r]!;
    if (g.length !== query.kinds.length || w.length !== query.kinds.length) fail(`row ${r} has ${g.length}/${w.length} columns`);
    query.kinds.forEach((kind, c) => {
      const a = w[c]!;
      const b = g[c]!;
      let same: boolean;
      switch (kind) {
        case 'text':
          same = cellText(a) === cellText(b);
          break;
        case 'int':
          same = a !== null && b !== null && BigInt(a) === BigInt(b);
          break;
        case 'decimal':
          same = exactDecimals && typeof a === 'string' && typeof b === 'string' ? canonicalDecimal(a) === canonicalDecimal(b) : approxEqual(a, b, 1e-9, 1e-6);
          break;
        case 'approx':
          // Ours rounds AVG to scale + 4 digits (MySQL's div_precision_increment).
          same = approxEqual(a, b, 1e-9, 1e-6);
          break;
      }
      if (!same) fail(`row ${r} column ${c}: ${cellText(b)} vs ${cellText(a)}`);
    });
  }
}

/** Scaled-integer text: 123456n at scale 4 -> '12.3456'. */
function scaledText(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
}

/** Checks Q1's exact columns (sums, count) against the typed-array loop's result. */
export function assertQ1MatchesLoop(engine: string, got: readonly Cell[][], loop: Q1Result): void {
  const keys = [...loop.keys()].sort();
  const want: Cell[][] = keys.map((k) => {
    const g = loop.get(k)!;
    return [k[0]!, k[1]!, scaledText(g.sumQty, 2), scaledText(g.sumPrice, 2), scaledText(g.sumDiscPrice, 4), scaledText(g.sumCharge, 6), null, null, null, g.count.toString()];
  });
  const masked = got.map((r) => [r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!, null, null, null, r[9]!]);
  assertSameResult({ ...Q1, kinds: Q1.kinds.map((k) => (k === 'approx' ? 'text' : k)) }, 'typed-array loop', want, engine, masked, true);
}

/** Checks Q6's revenue against the loop's exact sum (scale 4). */
export function assertQ6MatchesLoop(engine: string, got: readonly Cell[][], loopSum: bigint): void {
  // Every qualifying row adds price × discount ≥ 0.05 × price > 0, so 0 means no row: SUM is NULL.
  assertSameResult(Q6, 'typed-array loop', [[loopSum === 0n ? null : scaledText(loopSum, 4)]], engine, got, true);
}
