/**
 * TPC-H `lineitem` for the coprocessor benchmark: a deterministic generator with TPC-H-like
 * distributions (dbgen's ranges and rules, not its exact random stream), the TiDB schema
 * (column ids, field types), rows in row format v2, and the same rows as pre-decoded typed
 * arrays for the plain-loop reference of Q1 and Q6.
 */
import { Datums, MysqlType, civilFromDays, coreTimeFromFields, daysFromCivil, encodeRecordKey, encodeRowV2, type Datum, Decimal } from '../../../src/codec/tidb/mod.ts';
import { SeededRandom } from '../../../src/util/mod.ts';
import type { FieldType } from '../../../coprocessor/dag_types.ts';

export { daysFromCivil };

/** Physical table id of `lineitem` (any id works; TiDB user tables start above 100). */
export const LINEITEM_TABLE_ID = 120n;

/** Column ids (TiDB numbers columns from 1 in definition order). */
export const COL = {
  orderkey: 1,
  partkey: 2,
  suppkey: 3,
  linenumber: 4,
  quantity: 5,
  extendedprice: 6,
  discount: 7,
  tax: 8,
  returnflag: 9,
  linestatus: 10,
  shipdate: 11,
  commitdate: 12,
  receiptdate: 13,
  shipinstruct: 14,
  shipmode: 15,
  comment: 16,
} as const;

const UTF8MB4_BIN = -46;
const varchar = (flen: number): FieldType => ({ tp: MysqlType.Varchar, flag: 0, flen, collate: UTF8MB4_BIN, charset: 'utf8mb4' });

/** Field types of the columns, as TiDB sends them in `ColumnInfo` / `Expr.field_type`. */
export const FIELD = {
  bigint: { tp: MysqlType.Longlong, flag: 1, flen: 20 } as FieldType, // NOT NULL
  money: { tp: MysqlType.NewDecimal, flag: 1, flen: 15, decimal: 2 } as FieldType, // DECIMAL(15,2)
  char1: { tp: MysqlType.String, flag: 1, flen: 1, collate: UTF8MB4_BIN, charset: 'utf8mb4' } as FieldType,
  date: { tp: MysqlType.Date, flag: 1, flen: 10, decimal: 0 } as FieldType,
  shipinstruct: varchar(25),
  shipmode: varchar(10),
  comment: varchar(44),
};

/** TPC-H's fixed dates as day numbers (days since 1970-01-01). */
export const STARTDATE = daysFromCivil(1992, 1, 1);
export const ENDDATE = daysFromCivil(1998, 12, 31);
/** dbgen's CURRENTDATE: decides returnflag and linestatus. */
export const CURRENTDATE = daysFromCivil(1995, 6, 17);

const SHIPINSTRUCT = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'];
const SHIPMODE = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'];
const WORDS = 'furiously quickly carefully blithely slyly ironic final regular express pending special bold even deposits requests packages accounts foxes ideas theodolites instructions asymptotes pinto beans dependencies platelets excuses'.split(' ');
const PARTS_PER_SF = 200_000;
const SUPPLIERS_PER_SF = 10_000;

/** Calendar fields of a day number at midnight, for time constants. */
export function dateFields(days: number) {
  return { ...civilFromDays(days), hour: 0, minute: 0, second: 0, microsecond: 0 };
}

/**
 * The columns the queries read, pre-decoded: decimals as integer hundredths, dates as day
 * numbers, flags as char codes. Row i has handle i + 1.
 */
export interface LineitemColumns {
  rows: number;
  quantityCents: Int32Array;
  extendedpriceCents: Int32Array;
  discountCents: Int32Array;
  taxCents: Int32Array;
  returnflag: Uint8Array;
  linestatus: Uint8Array;
  shipdateDays: Int32Array;
}

/** One generated row: its record key (user key) and row v2 value. */
export interface LineitemRow {
  key: Uint8Array;
  value: Uint8Array;
}

/**
 * Generates `rows` lineitem rows deterministically from `seed`: orders of 1..7 lines,
 * partkey/suppkey uniform over a scale factor that grows with the row count (6M rows per
 * SF), quantity 1..50, extendedprice = quantity × dbgen's retail price of the part,
 * discount 0.00..0.10, tax 0.00..0.08, orderdate uniform in [STARTDATE, ENDDATE − 151],
 * shipdate = orderdate + 1..121, commitdate = orderdate + 30..90, receiptdate = shipdate +
 * 1..30, returnflag R/A (receipt ≤ CURRENTDATE) else N, linestatus O (ship > CURRENTDATE)
 * else F, random shipinstruct/shipmode, a comment of 10..43 characters.
 */
export class LineitemGenerator {
  readonly columns: LineitemColumns;
  readonly #random: SeededRandom;
  readonly #parts: number;
  readonly #suppliers: number;
  readonly #dateDatums = new Map<number, Datum>();
  readonly #strings = new Map<string, Datum>();
  readonly #ids = Object.values(COL);
  #next = 0;
  #orderkey = 0;
  #linesLeft = 0;
  #linenumber = 0;
  #orderdate = 0;

  constructor(readonly rows: number, seed = 1) {
    this.#random = new SeededRandom(seed);
    const sf = Math.max(rows / 6_000_000, 0.01);
    this.#parts = Math.max(1, Math.round(PARTS_PER_SF * sf));
    this.#suppliers = Math.max(1, Math.round(SUPPLIERS_PER_SF * sf));
    this.columns = {
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

  get done(): boolean {
    return this.#next >= this.rows;
  }

  /** The next row (also recorded in `columns`); call while `!done`. */
  next(): LineitemRow {
    const r = this.#random;
    const i = this.#next++;
    if (this.#linesLeft === 0) {
      // dbgen leaves gaps in order keys (8 used of every 32); keep them dense but sparse-ish.
      this.#orderkey += 1 + (this.#orderkey % 4 === 3 ? 28 : 0);
      this.#linesLeft = 1 + r.int(7);
      this.#linenumber = 0;
      this.#orderdate = STARTDATE + r.int(ENDDATE - 151 - STARTDATE + 1);
    }
    this.#linesLeft--;
    this.#linenumber++;
    const partkey = 1 + r.int(this.#parts);
    const suppkey = 1 + r.int(this.#suppliers);
    const quantity = 1 + r.int(50);
    const retailCents = 90000 + (Math.floor(partkey / 10) % 20001) + 100 * (partkey % 1000);
    const extCents = quantity * retailCents;
    const discCents = r.int(11);
    const taxCents = r.int(9);
    const ship = this.#orderdate + 1 + r.int(121);
    const commit = this.#orderdate + 30 + r.int(61);
    const receipt = ship + 1 + r.int(30);
    const returnflag = receipt <= CURRENTDATE ? (r.chance(0.5) ? 0x52 : 0x41) : 0x4e; // R / A : N
    const linestatus = ship > CURRENTDATE ? 0x4f : 0x46; // O : F
    const c = this.columns;
    c.quantityCents[i] = quantity * 100;
    c.extendedpriceCents[i] = extCents;
    c.discountCents[i] = discCents;
    c.taxCents[i] = taxCents;
    c.returnflag[i] = returnflag;
    c.linestatus[i] = linestatus;
    c.shipdateDays[i] = ship;
    const datums: Datum[] = [
      Datums.int(BigInt(this.#orderkey)),
      Datums.int(BigInt(partkey)),
      Datums.int(BigInt(suppkey)),
      Datums.int(BigInt(this.#linenumber)),
      Datums.decimal(new Decimal(BigInt(quantity * 100), 2), 15, 2),
      Datums.decimal(new Decimal(BigInt(extCents), 2), 15, 2),
      Datums.decimal(new Decimal(BigInt(discCents), 2), 15, 2),
      Datums.decimal(new Decimal(BigInt(taxCents), 2), 15, 2),
      this.#string(String.fromCharCode(returnflag)),
      this.#string(String.fromCharCode(linestatus)),
      this.#date(ship),
      this.#date(commit),
      this.#date(receipt),
      this.#string(SHIPINSTRUCT[r.int(SHIPINSTRUCT.length)]!),
      this.#string(SHIPMODE[r.int(SHIPMODE.length)]!),
      Datums.string(this.#comment(10 + r.int(34))),
    ];
    return { key: encodeRecordKey(LINEITEM_TABLE_ID, BigInt(i + 1)), value: encodeRowV2(this.#ids, datums) };
  }

  #comment(length: number): string {
    let s = '';
    while (s.length < length) s += (s.length > 0 ? ' ' : '') + WORDS[this.#random.int(WORDS.length)]!;
    return s.slice(0, length);
  }

  #string(s: string): Datum {
    let d = this.#strings.get(s);
    if (d === undefined) this.#strings.set(s, (d = Datums.string(s)));
    return d;
  }

  #date(days: number): Datum {
    let d = this.#dateDatums.get(days);
    if (d === undefined) this.#dateDatums.set(days, (d = Datums.time(coreTimeFromFields(dateFields(days), MysqlType.Date, 0))));
    return d;
  }
}
