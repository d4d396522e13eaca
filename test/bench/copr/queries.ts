/**
 * TPC-H Q1 and Q6 as the DAGs TiDB pushes down to TiKV (scan → selection → partial
 * aggregation), their partial results merged across regions, and the same computation as a
 * plain typed-array loop over pre-decoded columns (the physical limit, and the oracle: both
 * give exact integers of hundredths / 10^-4 / 10^-6).
 */
import { Decimal, MysqlType } from '../../../src/codec/tidb/mod.ts';
import type { ColumnInfo, DAGRequest, Expr, FieldType } from '../../../coprocessor/dag_types.ts';
import { EncodeType, ExecType } from '../../../coprocessor/mod.ts';
import { E, decodeChunk } from '../../../coprocessor/testing.ts';
import type { Scalar } from '../../../coprocessor/vector.ts';
import { COL, FIELD, LINEITEM_TABLE_ID, dateFields, daysFromCivil, type LineitemColumns } from './lineitem.ts';

/** tipb ScalarFuncSig numbers used here (tipb/expression.proto). */
const SIG = {
  LTDecimal: 102,
  LTTime: 104,
  LEDecimal: 112,
  LETime: 114,
  GEDecimal: 132,
  GETime: 134,
  PlusDecimal: 201,
  MinusDecimal: 205,
  MultiplyDecimal: 209,
} as const;
/** tipb ExprType numbers of the aggregate functions. */
const AGG = { Count: 3001, Sum: 3002, Avg: 3003 } as const;

const U64: FieldType = { tp: MysqlType.Longlong, flag: 32 | 1, flen: 21 };
const dec = (flen: number, frac: number): FieldType => ({ tp: MysqlType.NewDecimal, flag: 0, flen, decimal: frac });

function column(id: number, ft: FieldType): ColumnInfo {
  return { columnId: BigInt(id), tp: ft.tp, flag: ft.flag ?? 0, columnLen: ft.flen ?? 0, decimal: ft.decimal ?? 0, collation: ft.collate ?? 0 };
}

function tableScan(cols: ReadonlyArray<readonly [number, FieldType]>) {
  return { tp: ExecType.TableScan, executorId: 'TableFullScan_1', tblScan: { tableId: LINEITEM_TABLE_ID, columns: cols.map(([id, ft]) => column(id, ft)) } };
}

const date = (y: number, m: number, d: number): Expr => E.time(dateFields(daysFromCivil(y, m, d)), FIELD.date);
const cents = (c: number): Expr => E.decimal(new Decimal(BigInt(c), 2));

/** Q1's scan columns in DAG order: quantity, extendedprice, discount, tax, returnflag, linestatus, shipdate. */
export const Q1_SCAN: ReadonlyArray<readonly [number, FieldType]> = [
  [COL.quantity, FIELD.money],
  [COL.extendedprice, FIELD.money],
  [COL.discount, FIELD.money],
  [COL.tax, FIELD.money],
  [COL.returnflag, FIELD.char1],
  [COL.linestatus, FIELD.char1],
  [COL.shipdate, FIELD.date],
];
/** Q6's scan columns: quantity, extendedprice, discount, shipdate. */
const Q6_SCAN: ReadonlyArray<readonly [number, FieldType]> = [
  [COL.quantity, FIELD.money],
  [COL.extendedprice, FIELD.money],
  [COL.discount, FIELD.money],
  [COL.shipdate, FIELD.date],
];

/** `l_shipdate <= date '1998-12-01' - interval '90' day`. */
export const Q1_SHIPDATE_MAX_DAYS = daysFromCivil(1998, 9, 2);
export const Q6_SHIPDATE_MIN_DAYS = daysFromCivil(1994, 1, 1);
export const Q6_SHIPDATE_END_DAYS = daysFromCivil(1995, 1, 1);
export const Q6_DISCOUNT_MIN_CENTS = 5;
export const Q6_DISCOUNT_MAX_CENTS = 7;
export const Q6_QUANTITY_END_CENTS = 2400;

function dag(executors: DAGRequest['executors'], outputs: number, encodeType: number, summaries: boolean): DAGRequest {
  return {
    executors,
    outputOffsets: Array.from({ length: outputs }, (_, i) => i),
    encodeType,
    timeZoneName: 'UTC',
    flags: 0n,
    collectExecutionSummaries: summaries,
  };
}

/**
 * Q1 pushed down: `l_shipdate <= '1998-09-02'`, group by returnflag, linestatus;
 * sum(qty), sum(price), sum(price*(1-disc)), sum(price*(1-disc)*(1+tax)), avg(qty),
 * avg(price), avg(disc), count(*). Partial outputs (aggregates first, avg = count + sum,
 * then the group-by columns): 13 columns, `Q1_OUTPUT_TYPES`.
 */
export function q1Dag(encodeType: number = EncodeType.Chunk, summaries = false): DAGRequest {
  const [qty, price, disc, tax, flag, status, ship] = Q1_SCAN.map(([, ft], i) => E.col(i, ft));
  const one = E.decimal(new Decimal(1n, 0));
  const discPrice = E.fn(SIG.MultiplyDecimal, dec(32, 4), price!, E.fn(SIG.MinusDecimal, dec(16, 2), one, disc!));
  const charge = E.fn(SIG.MultiplyDecimal, dec(49, 6), discPrice, E.fn(SIG.PlusDecimal, dec(16, 2), one, tax!));
  return dag(
    [
      tableScan(Q1_SCAN),
      { tp: ExecType.Selection, executorId: 'Selection_2', selection: { conditions: [E.fn(SIG.LETime, U64, ship!, date(1998, 9, 2))] } },
      {
        tp: ExecType.Aggregation,
        executorId: 'HashAgg_3',
        aggregation: {
          groupBy: [flag!, status!],
          aggFunc: [
            E.agg(AGG.Sum, dec(65, 2), qty!),
            E.agg(AGG.Sum, dec(65, 2), price!),
            E.agg(AGG.Sum, dec(65, 4), discPrice),
            E.agg(AGG.Sum, dec(65, 6), charge),
            E.agg(AGG.Avg, dec(65, 2), qty!),
            E.agg(AGG.Avg, dec(65, 2), price!),
            E.agg(AGG.Avg, dec(65, 2), disc!),
            E.agg(AGG.Count, U64, E.int(1)),
          ],
        },
      },
    ],
    13,
    encodeType,
    summaries,
  );
}

export const Q1_OUTPUT_TYPES: readonly FieldType[] = [
  dec(65, 2), dec(65, 2), dec(65, 4), dec(65, 6), U64, dec(65, 2), U64, dec(65, 2), U64, dec(65, 2), U64, FIELD.char1, FIELD.char1,
];

/**
 * Q6 pushed down: shipdate in [1994-01-01, 1995-01-01), discount between 0.05 and 0.07,
 * quantity < 24; sum(price*disc). One output column (NULL when no row matched).
 */
export function q6Dag(encodeType: number = EncodeType.Chunk, summaries = false): DAGRequest {
  const [qty, price, disc, ship] = Q6_SCAN.map(([, ft], i) => E.col(i, ft));
  return dag(
    [
      tableScan(Q6_SCAN),
      {
        tp: ExecType.Selection,
        executorId: 'Selection_2',
        selection: {
          conditions: [
            E.fn(SIG.GETime, U64, ship!, date(1994, 1, 1)),
            E.fn(SIG.LTTime, U64, ship!, date(1995, 1, 1)),
            E.fn(SIG.GEDecimal, U64, disc!, cents(Q6_DISCOUNT_MIN_CENTS)),
            E.fn(SIG.LEDecimal, U64, disc!, cents(Q6_DISCOUNT_MAX_CENTS)),
            E.fn(SIG.LTDecimal, U64, qty!, cents(Q6_QUANTITY_END_CENTS)),
          ],
        },
      },
      { tp: ExecType.Aggregation, executorId: 'HashAgg_3', aggregation: { aggFunc: [E.agg(AGG.Sum, dec(65, 4), E.fn(SIG.MultiplyDecimal, dec(31, 4), price!, disc!))] } },
    ],
    1,
    encodeType,
    summaries,
  );
}

export const Q6_OUTPUT_TYPES: readonly FieldType[] = [dec(65, 4)];

/** Q1's scan columns, all returned (iteration + row decoding + response encoding). */
export function scanOnlyDag(encodeType: number): DAGRequest {
  return dag([tableScan(Q1_SCAN)], Q1_SCAN.length, encodeType, false);
}

export const SCAN_OUTPUT_TYPES: readonly FieldType[] = Q1_SCAN.map(([, ft]) => ft);

/** count(*) over a one-column scan: iteration + MVCC + decoding one column, almost no output. */
export function countDag(): DAGRequest {
  return dag(
    [tableScan([[COL.shipdate, FIELD.date]]), { tp: ExecType.Aggregation, executorId: 'HashAgg_2', aggregation: { aggFunc: [E.agg(AGG.Count, U64, E.int(1))] } }],
    1,
    EncodeType.Chunk,
    false,
  );
}

/** Exact Q1 partial sums of one (returnflag, linestatus) group, as scaled integers. */
export interface Q1Group {
  /** Scale 2. */
  sumQty: bigint;
  /** Scale 2. */
  sumPrice: bigint;
  /** Scale 4. */
  sumDiscPrice: bigint;
  /** Scale 6. */
  sumCharge: bigint;
  /** Scale 2 (for avg(disc)). */
  sumDisc: bigint;
  count: bigint;
}

/** Q1 result by group key `returnflag + linestatus`. */
export type Q1Result = Map<string, Q1Group>;

function emptyGroup(): Q1Group {
  return { sumQty: 0n, sumPrice: 0n, sumDiscPrice: 0n, sumCharge: 0n, sumDisc: 0n, count: 0n };
}

const scaled = (v: Scalar, frac: number): bigint => (v === null ? 0n : (v as Decimal).rescale(frac).unscaled);
const num = (v: Scalar): bigint => (v === null ? 0n : (v as bigint));

/** Adds one Chunk-encoded Q1 partial response (`rowsData` of each chunk) into `into`. */
export function mergeQ1Chunk(into: Q1Result, rowsData: Uint8Array): number {
  const rows = decodeChunk(rowsData, Q1_OUTPUT_TYPES);
  for (const r of rows) {
    const key = new TextDecoder().decode(r[11] as Uint8Array) + new TextDecoder().decode(r[12] as Uint8Array);
    let g = into.get(key);
    if (g === undefined) into.set(key, (g = emptyGroup()));
    g.sumQty += scaled(r[0]!, 2);
    g.sumPrice += scaled(r[1]!, 2);
    g.sumDiscPrice += scaled(r[2]!, 4);
    g.sumCharge += scaled(r[3]!, 6);
    const count = num(r[10]!);
    // avg partials: (count, sum) must agree with count(*) and the plain sums.
    if (num(r[4]!) !== count || num(r[6]!) !== count || num(r[8]!) !== count) throw new Error(`Q1 group ${key}: avg counts ${r[4]}/${r[6]}/${r[8]} != count ${count}`);
    if (scaled(r[5]!, 2) !== scaled(r[0]!, 2) || scaled(r[7]!, 2) !== scaled(r[1]!, 2)) throw new Error(`Q1 group ${key}: avg sums differ from sums`);
    g.sumDisc += scaled(r[9]!, 2);
    g.count += count;
  }
  return rows.length;
}

/** Adds one Chunk-encoded Q6 partial response; returns the sum at scale 4. */
export function q6ChunkSum(rowsData: Uint8Array): bigint {
  let total = 0n;
  for (const r of decodeChunk(rowsData, Q6_OUTPUT_TYPES)) total += scaled(r[0]!, 4);
  return total;
}

/**
 * Rows per exact flush of the loop's float accumulators: the largest per-row Q1 term
 * (price·(100−disc)·(100+tax) < 1.2e11) times this stays below 2^53, so every partial sum
 * is an exact integer before it moves into a bigint.
 */
const FLUSH_ROWS = 32_768;

/** Q1 as a plain typed-array loop: the arithmetic's physical limit and the oracle. */
export function q1Loop(c: LineitemColumns): Q1Result {
  // Group slot by (returnflag, linestatus) char codes.
  const slotOf = new Int32Array(65536).fill(-1);
  const keys: number[] = [];
  const acc = new Float64Array(6 * 8);
  const total: bigint[] = [];
  const flush = (): void => {
    for (let i = 0; i < acc.length; i++) {
      total[i] = (total[i] ?? 0n) + BigInt(acc[i]!);
      acc[i] = 0;
    }
  };
  const maxDay = Q1_SHIPDATE_MAX_DAYS;
  const { quantityCents: qty, extendedpriceCents: price, discountCents: disc, taxCents: tax, returnflag: rf, linestatus: ls, shipdateDays: ship } = c;
  for (let start = 0; start < c.rows; start += FLUSH_ROWS) {
    const end = Math.min(c.rows, start + FLUSH_ROWS);
    for (let i = start; i < end; i++) {
      if (ship[i]! > maxDay) continue;
      const k = (rf[i]! << 8) | ls[i]!;
      let s = slotOf[k]!;
      if (s < 0) {
        s = slotOf[k] = keys.length;
        keys.push(k);
      }
      const o = s * 6;
      const p = price[i]!;
      const dp = p * (100 - disc[i]!);
      acc[o] = acc[o]! + qty[i]!;
      acc[o + 1] = acc[o + 1]! + p;
      acc[o + 2] = acc[o + 2]! + dp;
      acc[o + 3] = acc[o + 3]! + dp * (100 + tax[i]!);
      acc[o + 4] = acc[o + 4]! + disc[i]!;
      acc[o + 5] = acc[o + 5]! + 1;
    }
    flush();
  }
  const out: Q1Result = new Map();
  keys.forEach((k, s) => {
    const t = (j: number): bigint => total[s * 6 + j] ?? 0n;
    out.set(String.fromCharCode(k >> 8) + String.fromCharCode(k & 0xff), {
      sumQty: t(0),
      sumPrice: t(1),
      sumDiscPrice: t(2),
      sumCharge: t(3),
      sumDisc: t(4),
      count: t(5),
    });
  });
  return out;
}

/** Q6 as a plain typed-array loop; the sum at scale 4. */
export function q6Loop(c: LineitemColumns): bigint {
  const { quantityCents: qty, extendedpriceCents: price, discountCents: disc, shipdateDays: ship } = c;
  let total = 0n;
  for (let start = 0; start < c.rows; start += FLUSH_ROWS) {
    const end = Math.min(c.rows, start + FLUSH_ROWS);
    let acc = 0;
    for (let i = start; i < end; i++) {
      const d = disc[i]!;
      const s = ship[i]!;
      if (s >= Q6_SHIPDATE_MIN_DAYS && s < Q6_SHIPDATE_END_DAYS && d >= Q6_DISCOUNT_MIN_CENTS && d <= Q6_DISCOUNT_MAX_CENTS && qty[i]! < Q6_QUANTITY_END_CENTS) {
        acc += price[i]! * d;
      }
    }
    total += BigInt(acc);
  }
  return total;
}

/** Throws unless two Q1 results are exactly equal (every group, every sum). */
export function assertQ1Equal(got: Q1Result, want: Q1Result): void {
  const show = (r: Q1Result) => JSON.stringify([...r].sort(([a], [b]) => (a < b ? -1 : 1)), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (show(got) !== show(want)) throw new Error(`Q1 via coprocessor differs from the typed-array loop:\n got ${show(got)}\nwant ${show(want)}`);
}
