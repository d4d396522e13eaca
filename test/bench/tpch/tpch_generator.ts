/**
 * TPC-H `customer`, `orders` and `lineitem` rows, deterministic from a seed, following
 * dbgen's ranges and rules (not its random stream) closely enough that Q1, Q3 and Q6 select
 * the fractions of rows the spec's queries select. Rows are plain tuples of primitives
 * (decimals as integer hundredths, dates as day numbers) that each engine's loader formats
 * its own way; the columns Q1/Q6 read are also kept as typed arrays for the plain-loop
 * physical limit (`LineitemColumns` of the coprocessor bench, so its loops apply).
 */
import { civilFromDays, daysFromCivil } from '../../../src/codec/tidb/mod.ts';
import { SeededRandom } from '../../../src/util/mod.ts';
import type { LineitemColumns } from '../copr/lineitem.ts';

/** dbgen's STARTDATE and the last order date (ENDDATE 1998-12-31 minus 151 days). */
export const STARTDATE_DAYS = daysFromCivil(1992, 1, 1);
export const ORDERDATE_MAX_DAYS = daysFromCivil(1998, 8, 2);
/** dbgen's CURRENTDATE: decides returnflag, linestatus and orderstatus. */
export const CURRENTDATE_DAYS = daysFromCivil(1995, 6, 17);

/** Lineitem rows per scale factor (SF 1 = 6,001,215 in dbgen; we use the round figure). */
const LINEITEM_PER_SF = 6_000_000;
const PARTS_PER_SF = 200_000;
const SUPPLIERS_PER_SF = 10_000;
const CLERKS_PER_SF = 1_000;
/** dbgen: 10 orders per customer on average (1.5M orders, 150k customers at SF 1). */
const ORDERS_PER_CUSTOMER = 10;
/** Lines per order are uniform in 1..7 (4 on average). */
const LINES_PER_ORDER_MAX = 7;

export const MKTSEGMENTS = ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD'] as const;
const PRIORITIES = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'];
const SHIPINSTRUCT = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'];
const SHIPMODE = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'];
const WORDS = 'furiously quickly carefully blithely slyly ironic final regular express pending special bold even deposits requests packages accounts foxes ideas theodolites instructions asymptotes pinto beans dependencies platelets excuses'.split(' ');
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,. ';

/** `customer` in column order: custkey, name, address, nationkey, phone, acctbal (cents), mktsegment, comment. */
export type CustomerRow = [number, string, string, number, string, number, string, string];
/** `orders`: orderkey, custkey, orderstatus, totalprice (cents), orderdate (days), orderpriority, clerk, shippriority, comment. */
export type OrderRow = [number, number, string, number, number, string, string, number, string];
/**
 * `lineitem`: id (the int handle, 1..rows), orderkey, partkey, suppkey, linenumber,
 * quantity, extendedprice, discount, tax (all cents), returnflag, linestatus, shipdate,
 * commitdate, receiptdate (days), shipinstruct, shipmode, comment.
 */
export type LineitemRow = [number, number, number, number, number, number, number, number, number, string, string, number, number, number, string, string, string];

/** One load batch: whole orders with their lines (the last order may be cut at `rows`). */
export interface OrderBatch {
  orders: OrderRow[];
  lines: LineitemRow[];
}

/** Sizes derived from the lineitem row count. */
export interface TpchSizes {
  lineitem: number;
  customers: number;
  parts: number;
  suppliers: number;
  clerks: number;
}

export function tpchSizes(lineitemRows: number): TpchSizes {
  const sf = lineitemRows / LINEITEM_PER_SF;
  const expectedOrders = lineitemRows / ((1 + LINES_PER_ORDER_MAX) / 2);
  return {
    lineitem: lineitemRows,
    customers: Math.max(3, Math.round(expectedOrders / ORDERS_PER_CUSTOMER)),
    parts: Math.max(10, Math.round(PARTS_PER_SF * sf)),
    suppliers: Math.max(1, Math.round(SUPPLIERS_PER_SF * sf)),
    clerks: Math.max(1, Math.round(CLERKS_PER_SF * sf)),
  };
}

/** dbgen's sparse order keys: 8 used of every 32 (1..8, 33..40, ...). */
export function orderKeyOf(ordinal: number): number {
  const i = ordinal - 1;
  return Math.floor(i / 8) * 32 + (i % 8) + 1;
}

/** dbgen's retail price of a part, in cents. */
export function retailPriceCents(partkey: number): number {
  return 90000 + (Math.floor(partkey / 10) % 20001) + 100 * (partkey % 1000);
}

/** 'YYYY-MM-DD' of a day number (cached: the generator uses about 2,600 distinct dates). */
const dateTexts = new Map<number, string>();
export function dateText(days: number): string {
  let s = dateTexts.get(days);
  if (s === undefined) {
    const { year, month, day } = civilFromDays(days);
    s = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    dateTexts.set(days, s);
  }
  return s;
}

/** Integer hundredths as a decimal literal, `-12.05`. */
export function centsText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const a = Math.abs(cents);
  const frac = a % 100;
  return `${sign}${Math.floor(a / 100)}.${frac < 10 ? '0' : ''}${frac}`;
}

/**
 * The generator. `customers()` and `orderBatches()` each restart from the seed, so every
 * engine is loaded with identical rows by iterating again (cheaper than holding 1M rows).
 */
export class TpchGenerator {
  readonly sizes: TpchSizes;

  constructor(readonly lineitemRows: number, readonly seed = 19920101) {
    this.sizes = tpchSizes(lineitemRows);
  }

  /** Every customer, in key order. */
  *customers(batchRows: number): Generator<CustomerRow[]> {
    const r = new SeededRandom(this.seed ^ 0x5eed);
    let batch: CustomerRow[] = [];
    for (let key = 1; key <= this.sizes.customers; key++) {
      const nation = r.int(25);
      const phone = `${10 + nation}-${100 + r.int(900)}-${100 + r.int(900)}-${1000 + r.int(9000)}`;
      batch.push([
        key,
        `Customer#${String(key).padStart(9, '0')}`,
        vstring(r, 10, 40),
        nation,
        phone,
        -99999 + r.int(1_099_999), // -999.99 .. 9999.99
        MKTSEGMENTS[r.int(MKTSEGMENTS.length)]!,
        words(r, 29 + r.int(88)),
      ]);
      if (batch.length >= batchRows) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /**
   * Orders with their lines until `lineitemRows` lines exist, in batches of about
   * `batchLines` lines. When `columns` is given, the Q1/Q6 columns of every line are written
   * into it (row i = line id i + 1).
   */
  *orderBatches(batchLines: number, columns?: LineitemColumns): Generator<OrderBatch> {
    const r = new SeededRandom(this.seed);
    const { customers, parts, suppliers, clerks } = this.sizes;
    let batch: OrderBatch = { orders: [], lines: [] };
    let id = 0;
    for (let ordinal = 1; id < this.lineitemRows; ordinal++) {
      const orderkey = orderKeyOf(ordinal);
      // dbgen never gives orders to customers whose key is a multiple of 3.
      let custkey = 1 + r.int(customers);
      while (custkey % 3 === 0) custkey = 1 + r.int(customers);
      const orderdate = STARTDATE_DAYS + r.int(ORDERDATE_MAX_DAYS - STARTDATE_DAYS + 1);
      const lineCount = Math.min(1 + r.int(LINES_PER_ORDER_MAX), this.lineitemRows - id);
      let totalCents = 0;
      let shippedF = 0;
      for (let n = 1; n <= lineCount; n++) {
        id++;
        const partkey = 1 + r.int(parts);
        const suppkey = 1 + r.int(suppliers);
        const quantity = 1 + r.int(50);
        const ext = quantity * retailPriceCents(partkey);
        const disc = r.int(11);
        const tax = r.int(9);
        const ship = orderdate + 1 + r.int(121);
        const commit = orderdate + 30 + r.int(61);
        const receipt = ship + 1 + r.int(30);
        const returnflag = receipt <= CURRENTDATE_DAYS ? (r.chance(0.5) ? 'R' : 'A') : 'N';
        const linestatus = ship > CURRENTDATE_DAYS ? 'O' : 'F';
        if (linestatus === 'F') shippedF++;
        // dbgen: sum of extendedprice × (1 + tax) × (1 − discount), rounded to cents per line.
        totalCents += Math.round((ext * (100 + tax) * (100 - disc)) / 10_000);
        batch.lines.push([
          id, orderkey, partkey, suppkey, n, quantity * 100, ext, disc, tax, returnflag, linestatus,
          ship, commit, receipt, SHIPINSTRUCT[r.int(SHIPINSTRUCT.length)]!, SHIPMODE[r.int(SHIPMODE.length)]!, words(r, 10 + r.int(34)),
        ]);
        if (columns !== undefined) {
          const i = id - 1;
          columns.quantityCents[i] = quantity * 100;
          columns.extendedpriceCents[i] = ext;
          columns.discountCents[i] = disc;
          columns.taxCents[i] = tax;
          columns.returnflag[i] = returnflag.charCodeAt(0);
          columns.linestatus[i] = linestatus.charCodeAt(0);
          columns.shipdateDays[i] = ship;
        }
      }
      const status = shippedF === lineCount ? 'F' : shippedF === 0 ? 'O' : 'P';
      batch.orders.push([
        orderkey, custkey, status, totalCents, orderdate, PRIORITIES[r.int(PRIORITIES.length)]!,
        `Clerk#${String(1 + r.int(clerks)).padStart(9, '0')}`, 0, words(r, 19 + r.int(60)),
      ]);
      if (batch.lines.length >= batchLines) {
        yield batch;
        batch = { orders: [], lines: [] };
      }
    }
    if (batch.lines.length > 0) yield batch;
  }

  /** Empty typed columns for `orderBatches(…, columns)`. */
  newColumns(): LineitemColumns {
    const rows = this.lineitemRows;
    return {
      rows,
      quantityCents: new Int32Array(rows),
      extendedpriceCents: new Int32Array(rows),
      discountCents: new Int32Array(rows),
      taxCents: new Int32Array(rows),
      returnflag: new Uint8Array(rows),
      linestatus: new Uint8Array(rows),
      shipdateDays: new Int32Array(rows),
    };
  }
}

/** Words of the dbgen grammar's vocabulary cut to exactly `length` characters. */
function words(r: SeededRandom, length: number): string {
  let s = '';
  while (s.length < length) s += (s.length > 0 ? ' ' : '') + WORDS[r.int(WORDS.length)]!;
  return s.slice(0, length).trimEnd();
}

/** dbgen's V-string: random alphanumerics, length uniform in [min, max]. */
function vstring(r: SeededRandom, min: number, max: number): string {
  const n = min + r.int(max - min + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[r.int(ALNUM.length)]!;
  return s.trim() || 'x';
}
