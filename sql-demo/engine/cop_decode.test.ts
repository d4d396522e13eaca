// Proves copDecode turns the coprocessor's own Arrow IPC, Chunk and Default answers into exactly the values the root path's row decode gives, for every column type, NULLs and edge values (seeded random rows), and refuses malformed bytes with a MySQL error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handleCoprocessorRequest, MemoryScanSource } from '../../coprocessor/mod.ts';
import { decodeMessage, encodeMessage, type tipb } from '../../src/proto/mod.ts';
import { coreTimeFromFields, daysInMonth, Decimal, encodeRecordKey, MysqlType } from '../tidb_codec.ts';
import type { ColumnInfo, TableInfo } from './catalog.ts';
import { fieldTypeFromSpec, float32Display, isBinaryString, isStringTp, type FieldType } from './column_type.ts';
import { copDecode, ENCODE_TYPE, type CopResultEncoding } from './cop_decode.ts';
import { decodeRow, encodeRow, type Row } from './table_codec.ts';
import { SqlDuration, SqlTime, type Value } from './value.ts';
import type { TypeSpec } from '../parser/mod.ts';

const SEED = Number(process.env.COP_DECODE_SEED ?? 20261124);
const TABLE_ID = 90;

const SPECS: Array<[string, Partial<TypeSpec>]> = [
  ['i8', { name: 'TINYINT' }],
  ['i16', { name: 'SMALLINT' }],
  ['i24', { name: 'MEDIUMINT' }],
  ['i32', { name: 'INT' }],
  ['i64', { name: 'BIGINT' }],
  ['u64', { name: 'BIGINT', unsigned: true }],
  ['u32', { name: 'INT', unsigned: true }],
  ['yr', { name: 'YEAR' }],
  ['f', { name: 'FLOAT' }],
  ['r', { name: 'DOUBLE' }],
  ['dwide', { name: 'DECIMAL', length: 65, scale: 30 }],
  ['d', { name: 'DECIMAL', length: 10, scale: 2 }],
  ['d0', { name: 'DECIMAL', length: 20, scale: 0 }],
  ['c', { name: 'CHAR', length: 10 }],
  ['vc', { name: 'VARCHAR', length: 20 }],
  ['vb', { name: 'VARBINARY', length: 20 }],
  ['bl', { name: 'BLOB' }],
  ['tx', { name: 'TEXT' }],
  ['dt', { name: 'DATE' }],
  ['dtm', { name: 'DATETIME', length: 6 }],
  ['dtm0', { name: 'DATETIME' }],
  ['ts', { name: 'TIMESTAMP', length: 3 }],
  ['tm', { name: 'TIME', length: 6 }],
  ['tm0', { name: 'TIME' }],
];

const columns: ColumnInfo[] = SPECS.map(([name, spec], i) => ({ id: i + 1, name, ft: fieldTypeFromSpec(spec as TypeSpec), notNull: false, autoIncrement: false }));
const table: TableInfo = { id: TABLE_ID, dbId: 1, name: 't', columns, indexes: [], pkIsHandle: false, isCommonHandle: false, maxColumnId: columns.length, maxIndexId: 0 };

const intBits = (tp: number): number => (tp === MysqlType.Tiny ? 8 : tp === MysqlType.Short ? 16 : tp === MysqlType.Int24 ? 24 : tp === MysqlType.Long ? 32 : 64);

/** A stored value of column type `ft` (edge values weighted in by fast-check's biased bigints). */
function arbValue(ft: FieldType): fc.Arbitrary<Value> {
  const unsigned = (ft.flag & 32) !== 0;
  const time = (tp: number, fsp: number): fc.Arbitrary<Value> =>
    fc
      .record({ year: fc.integer({ min: 1, max: 9999 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }), hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }), second: fc.integer({ min: 0, max: 59 }), us: fc.integer({ min: 0, max: 999_999 }) })
      .map((f) => {
        const day = Math.min(f.day, daysInMonth(f.year, f.month));
        const microsecond = tp === MysqlType.Date ? 0 : f.us - (f.us % 10 ** (6 - fsp));
        const hms = tp === MysqlType.Date ? { hour: 0, minute: 0, second: 0 } : f;
        return new SqlTime(coreTimeFromFields({ year: f.year, month: f.month, day, hour: hms.hour, minute: hms.minute, second: hms.second, microsecond }, tp, fsp));
      });
  switch (ft.tp) {
    case MysqlType.Tiny:
    case MysqlType.Short:
    case MysqlType.Int24:
    case MysqlType.Long:
    case MysqlType.Longlong: {
      const b = BigInt(intBits(ft.tp));
      return unsigned ? fc.bigInt({ min: 0n, max: (1n << b) - 1n }) : fc.bigInt({ min: -(1n << (b - 1n)), max: (1n << (b - 1n)) - 1n });
    }
    case MysqlType.Year:
      return fc.oneof(fc.constant(0n), fc.bigInt({ min: 1901n, max: 2155n }));
    case MysqlType.Float:
      return fc.float({ noNaN: true, noDefaultInfinity: true }).map((f) => float32Display(f));
    case MysqlType.Double:
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map((f) => (Object.is(f, -0) ? 0 : f));
    case MysqlType.NewDecimal: {
      const max = 10n ** BigInt(ft.flen) - 1n;
      return fc.bigInt({ min: -max, max }).map((u) => new Decimal(u, ft.decimal));
    }
    case MysqlType.Date:
    case MysqlType.Datetime:
    case MysqlType.Timestamp:
      return time(ft.tp, Math.max(0, ft.decimal));
    case MysqlType.Duration: {
      const max = 838n * 3600n * 1_000_000_000n + 3599n * 1_000_000_000n + 999_999_000n;
      const step = 10n ** BigInt(9 - Math.max(0, ft.decimal));
      return fc.bigInt({ min: -max / step, max: max / step }).map((n) => new SqlDuration(n * step, Math.max(0, ft.decimal)));
    }
  }
  if (isStringTp(ft.tp)) {
    if (isBinaryString(ft)) return fc.uint8Array({ maxLength: ft.flen > 64 ? 64 : ft.flen });
    const s = fc.string({ unit: 'grapheme', maxLength: 8 });
    return ft.tp === MysqlType.String ? s.map((x) => x.replace(/ +$/, '')) : s;
  }
  throw new Error(`no generator for ${ft.tp}`);
}

const arbRow: fc.Arbitrary<Row> = fc.tuple(...columns.map((c) => fc.option(arbValue(c.ft), { freq: 6, nil: null })));

/** The edge rows every run includes: all NULL, extremes, empty strings, 30-digit fractions. */
function edgeRows(): Row[] {
  const ext = (hi: boolean): Row =>
    columns.map((c) => {
      const ft = c.ft;
      const unsigned = (ft.flag & 32) !== 0;
      switch (ft.tp) {
        case MysqlType.Tiny:
        case MysqlType.Short:
        case MysqlType.Int24:
        case MysqlType.Long:
        case MysqlType.Longlong: {
          const b = BigInt(intBits(ft.tp));
          if (unsigned) return hi ? (1n << b) - 1n : 0n;
          return hi ? (1n << (b - 1n)) - 1n : -(1n << (b - 1n));
        }
        case MysqlType.Year:
          return hi ? 2155n : 1901n;
        case MysqlType.Float:
          return hi ? float32Display(3.4028234663852886e38) : float32Display(-1.401298464324817e-45);
        case MysqlType.Double:
          return hi ? Number.MAX_VALUE : -Number.MIN_VALUE;
        case MysqlType.NewDecimal: {
          const max = 10n ** BigInt(ft.flen) - 1n;
          return new Decimal(hi ? max : -max, ft.decimal);
        }
        case MysqlType.Date:
          return new SqlTime(coreTimeFromFields(hi ? { year: 9999, month: 12, day: 31, hour: 0, minute: 0, second: 0, microsecond: 0 } : { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, microsecond: 0 }, ft.tp, 0));
        case MysqlType.Datetime:
        case MysqlType.Timestamp: {
          const fsp = Math.max(0, ft.decimal);
          const us = fsp === 0 ? 0 : 999_999 - (999_999 % 10 ** (6 - fsp));
          return new SqlTime(coreTimeFromFields(hi ? { year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, microsecond: us } : { year: 1000, month: 1, day: 1, hour: 0, minute: 0, second: 0, microsecond: 0 }, ft.tp, fsp));
        }
        case MysqlType.Duration: {
          const max = 838n * 3_600_000_000_000n + 59n * 60_000_000_000n + 59_000_000_000n;
          return new SqlDuration(hi ? max : -max, Math.max(0, ft.decimal));
        }
      }
      if (isBinaryString(ft)) return hi ? new Uint8Array([0, 255, 0x80, 10]) : new Uint8Array(0);
      return hi ? 'héllo ✓' : '';
    });
  return [columns.map(() => null), ext(true), ext(false)];
}

function scanDag(encodeType: number, tz?: string): Uint8Array {
  const cols = columns.map((c) => ({
    columnId: BigInt(c.id),
    tp: c.ft.tp,
    collation: isStringTp(c.ft.tp) && !isBinaryString(c.ft) ? -46 : -63,
    columnLen: c.ft.flen,
    decimal: Math.max(0, c.ft.decimal),
    flag: c.ft.flag,
    pkHandle: false,
  }));
  return encodeMessage('tipb.DAGRequest', {
    executors: [{ tp: 0, executorId: 'TableFullScan_1', tblScan: { tableId: BigInt(TABLE_ID), columns: cols, desc: false } }],
    outputOffsets: columns.map((_, k) => k),
    encodeType,
    timeZoneOffset: 0n,
    ...(tz !== undefined ? { timeZoneName: tz } : {}),
    flags: 0n,
  });
}

/** Stores `rows`, runs a full scan through the coprocessor, decodes every chunk. */
async function roundTrip(rows: Row[], encoding: CopResultEncoding, tz?: string): Promise<{ rows: Row[]; chunks: number; otherError: string }> {
  const pairs = rows.map((r, i) => [encodeRecordKey(BigInt(TABLE_ID), BigInt(i + 1)), encodeRow(table, r)] as const);
  const source = new MemoryScanSource(pairs);
  const resp = await handleCoprocessorRequest(
    { tp: 103n, data: scanDag(ENCODE_TYPE[encoding], tz), ranges: [{ start: encodeRecordKey(BigInt(TABLE_ID), -(1n << 63n)), end: encodeRecordKey(BigInt(TABLE_ID + 1), -(1n << 63n)) }], startTs: 100n },
    source,
  );
  if (resp.otherError !== '') return { rows: [], chunks: 0, otherError: resp.otherError };
  const sel = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', resp.data);
  expect(sel.encodeType).toBe(ENCODE_TYPE[encoding]);
  const out: Row[] = [];
  for (const ch of sel.chunks) out.push(...copDecode(sel.encodeType, ch.rowsData, columns.map((c) => c.ft)));
  return { rows: plain(out), chunks: sel.chunks.length, otherError: '' };
}

/** Byte values as plain Uint8Arrays (whether a path hands out Buffers depends on where its bytes came from). */
function plain(rows: Row[]): Row[] {
  return rows.map((r) => r.map((v) => (v instanceof Uint8Array ? new Uint8Array(v) : v)));
}

/** What the root path reads back for `rows` (row v2 encode + decode, `datumToValue`). */
function rootRows(rows: Row[]): Row[] {
  return plain(rows.map((r, i) => decodeRow(table, { kind: 'int', value: BigInt(i + 1) }, encodeRow(table, r), () => null)));
}

describe('copDecode', () => {
  for (const encoding of ['arrow', 'chunk', 'default'] as const) {
    it(`${encoding}: edge rows decode to the root path's values`, async () => {
      const rows = edgeRows();
      const got = await roundTrip(rows, encoding);
      expect(got.otherError).toBe('');
      expect(got.rows).toEqual(rootRows(rows));
      // Spot checks that the comparison is about the right things.
      expect(got.rows[1]![columns.findIndex((c) => c.name === 'u64')]).toBe((1n << 64n) - 1n);
      expect(String(got.rows[1]![columns.findIndex((c) => c.name === 'dwide')])).toBe('99999999999999999999999999999999999.999999999999999999999999999999');
      expect(got.rows[2]![columns.findIndex((c) => c.name === 'vb')]).toEqual(new Uint8Array(0));
      expect(got.rows[2]![columns.findIndex((c) => c.name === 'vc')]).toBe('');
      expect(String(got.rows[1]![columns.findIndex((c) => c.name === 'ts')])).toBe('9999-12-31 23:59:59.999');
      expect(String(got.rows[2]![columns.findIndex((c) => c.name === 'tm')])).toBe('-838:59:59.000000');
    });

    it(`${encoding}: seeded random rows (several batches) decode to the root path's values`, async () => {
      const rows = fc.sample(arbRow, { seed: SEED + encoding.length, numRuns: 300 });
      const got = await roundTrip(rows, encoding);
      expect(got.chunks).toBeGreaterThan(1);
      expect(got.rows).toEqual(rootRows(rows));
    });

    it(`${encoding}: no rows, no chunks`, async () => {
      const got = await roundTrip([], encoding);
      expect(got).toEqual({ rows: [], chunks: 0, otherError: '' });
    });

    it(`${encoding}: malformed rows_data is a MySQL error, never a crash`, async () => {
      const rows = edgeRows();
      const pairs = rows.map((r, i) => [encodeRecordKey(BigInt(TABLE_ID), BigInt(i + 1)), encodeRow(table, r)] as const);
      const resp = await handleCoprocessorRequest({ tp: 103n, data: scanDag(ENCODE_TYPE[encoding]), ranges: [{ start: encodeRecordKey(BigInt(TABLE_ID), 0n), end: encodeRecordKey(BigInt(TABLE_ID), 100n) }], startTs: 100n }, new MemoryScanSource(pairs));
      const good = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', resp.data).chunks[0]!.rowsData;
      const types = columns.map((c) => c.ft);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.boolean(), (at, byte, cut) => {
          const bad = cut ? good.slice(0, at) : good.slice();
          if (!cut) bad[at] = byte;
          try {
            copDecode(ENCODE_TYPE[encoding], bad, types);
          } catch (e) {
            expect((e as Error).name).toBe('SqlError');
          }
        }),
        { seed: SEED, numRuns: 200 },
      );
      expect(() => copDecode(ENCODE_TYPE[encoding], good, types.slice(1))).toThrow(/coprocessor response|datums/);
    });
  }

  it('arrow: TIMESTAMP values are UTC instants whatever the request zone', async () => {
    const rows = edgeRows();
    const got = await roundTrip(rows, 'arrow', 'Asia/Shanghai');
    expect(got.rows).toEqual(rootRows(rows));
  });

  it('zero dates: refused as Arrow, decoded from Chunk and Default', async () => {
    const zero = columns.map((c) => (c.ft.tp === MysqlType.Date || c.ft.tp === MysqlType.Datetime || c.ft.tp === MysqlType.Timestamp ? new SqlTime(coreTimeFromFields({ year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, microsecond: 0 }, c.ft.tp, Math.max(0, c.ft.decimal))) : null));
    expect((await roundTrip([zero], 'arrow')).otherError).toMatch(/zero dates cannot be encoded as Arrow/);
    for (const enc of ['chunk', 'default'] as const) expect((await roundTrip([zero], enc)).rows).toEqual(rootRows([zero]));
  });

  it('unknown encode type is refused', () => {
    expect(() => copDecode(7, new Uint8Array(0), [])).toThrow(/unknown encode type 7/);
  });
});
