// Proves row format v2 encode/decode round trips (NULLs, missing columns, small and large layouts) and index values, against a Map model (seeded fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../util/bytes.ts';
import { encodeDatumKey, type Datum } from './datum.ts';
import { Decimal } from './decimal.ts';
import { ColumnFlag, MysqlType } from './field_type.ts';
import { decodeIndexHandle, decodeIndexValue, encodeIndexValue } from './index_value.ts';
import { decodeRowV1, encodeRowV1 } from './row_v1.ts';
import { ByteWriter } from './byte_writer.ts';
import { copyV2IntAs64LE, decodeV2Int, decodeV2IntAsNumber, decodeV2Uint, decodeV2ValueAsDatum, encodeRowV2, isRowV2, RowV2Decoder, RowV2Lookup, writeV2Int, writeV2Uint } from './row_v2.ts';
import { encodeIndexKey } from './table_key.ts';
import { coreTimeFromFields } from './time.ts';
import { propertySeed } from './test_support.ts';

const seed = propertySeed();
const RUNS = 200;

/** A column: its field type and a datum generator for it. */
interface Col {
  tp: number;
  flag: number;
  fsp: number;
  arb: fc.Arbitrary<Datum>;
}

const COLS: Col[] = [
  { tp: MysqlType.Longlong, flag: 0, fsp: 0, arb: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((value) => ({ kind: 'int', value })) },
  { tp: MysqlType.Tiny, flag: 0, fsp: 0, arb: fc.bigInt({ min: -128n, max: 127n }).map((value) => ({ kind: 'int', value })) },
  { tp: MysqlType.Longlong, flag: ColumnFlag.Unsigned, fsp: 0, arb: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((value) => ({ kind: 'uint', value })) },
  { tp: MysqlType.Double, flag: 0, fsp: 0, arb: fc.double({ noNaN: true }).map((value) => ({ kind: 'float', value: Object.is(value, -0) ? 0 : value })) },
  { tp: MysqlType.Varchar, flag: 0, fsp: 0, arb: fc.uint8Array({ maxLength: 40 }).map((value) => ({ kind: 'bytes', value })) },
  {
    tp: MysqlType.NewDecimal,
    flag: 0,
    fsp: 0,
    arb: fc.bigInt({ min: -(10n ** 20n) + 1n, max: 10n ** 20n - 1n }).map((u) => ({ kind: 'decimal', value: new Decimal(u, 4), prec: 20, frac: 4 })),
  },
  {
    tp: MysqlType.Datetime,
    flag: 0,
    fsp: 3,
    arb: fc
      .record({ year: fc.integer({ min: 1000, max: 9999 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }), hour: fc.integer({ min: 0, max: 23 }), ms: fc.integer({ min: 0, max: 999 }) })
      .map((f) => ({ kind: 'time', value: coreTimeFromFields({ ...f, minute: 7, second: 8, microsecond: f.ms * 1000 }, MysqlType.Datetime, 3) })),
  },
  { tp: MysqlType.Duration, flag: 0, fsp: 0, arb: fc.bigInt({ min: -3020399000000000n, max: 3020399000000000n }).map((value) => ({ kind: 'duration', value })) },
  { tp: MysqlType.Enum, flag: 0, fsp: 0, arb: fc.bigInt({ min: 1n, max: 65535n }).map((value) => ({ kind: 'uint', value })) },
];

const arbRow = fc
  .uniqueArray(fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 255 }) }, { weight: 1, arbitrary: fc.integer({ min: 256, max: 100000 }) }), { maxLength: 20 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids),
      fc.tuple(...ids.map(() => fc.integer({ min: 0, max: COLS.length - 1 }))),
    ),
  )
  .chain(([ids, types]) =>
    fc.tuple(
      fc.constant(ids),
      fc.constant(types as number[]),
      fc.tuple(...(types as number[]).map((t) => fc.oneof({ weight: 1, arbitrary: fc.constant<Datum>({ kind: 'null' }) }, { weight: 4, arbitrary: COLS[t]!.arb }))),
    ),
  );

const keyHex = (d: Datum): string => bytesToHex(encodeDatumKey([d]));

describe('row v2', () => {
  it('every column is found with its value, NULLs are NULL, others are missing', () => {
    const dec = new RowV2Decoder();
    fc.assert(
      fc.property(arbRow, fc.integer({ min: 1, max: 200000 }), ([ids, types, datums], probe) => {
        const row = encodeRowV2(ids, datums as Datum[]);
        expect(isRowV2(row)).toBe(true);
        dec.reset(row);
        const large = ids.some((id) => id > 255);
        expect((row[1]! & 1) === 1).toBe(large);
        ids.forEach((id, j) => {
          const d = (datums as Datum[])[j]!;
          const col = COLS[types[j]!]!;
          const r = dec.locate(id);
          if (d.kind === 'null') {
            expect(r).toBe(RowV2Lookup.Null);
            expect(dec.find(id)).toBeNull();
            return;
          }
          expect(r).toBe(RowV2Lookup.Value);
          const back = decodeV2ValueAsDatum(dec.row, dec.valueStart, dec.valueEnd, col.tp, col.flag, col.fsp);
          expect(keyHex(back)).toBe(keyHex(d));
        });
        if (!ids.includes(probe)) {
          expect(dec.locate(probe)).toBe(RowV2Lookup.Missing);
          expect(dec.find(probe)).toBeUndefined();
        }
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('int fast paths agree with the bigint decoders', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (i, u) => {
        const w = new ByteWriter();
        writeV2Int(w, i);
        const b = w.finish();
        expect(decodeV2Int(b, 0, b.length)).toBe(i);
        const n = decodeV2IntAsNumber(b, 0, b.length);
        if (i >= -(2n ** 53n) && i < 2n ** 53n) expect(n).toBe(Number(i));
        else expect(n === null || BigInt(n) === i).toBe(true);
        const out = new Uint8Array(9);
        copyV2IntAs64LE(b, 0, b.length, false, out, 1);
        expect(new DataView(out.buffer).getBigInt64(1, true)).toBe(i);
        const wu = new ByteWriter();
        writeV2Uint(wu, u);
        const bu = wu.finish();
        expect(decodeV2Uint(bu, 0, bu.length)).toBe(u);
        copyV2IntAs64LE(bu, 0, bu.length, true, out, 0);
        expect(new DataView(out.buffer).getBigUint64(0, true)).toBe(u);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('typed readers', () => {
    const t = coreTimeFromFields({ year: 2023, month: 5, day: 6, hour: 7, minute: 8, second: 9, microsecond: 120000 }, MysqlType.Datetime, 2);
    const row = encodeRowV2(
      [1, 2, 3, 4, 5, 6, 7, 8],
      [
        { kind: 'int', value: -70000n },
        { kind: 'uint', value: 1n << 40n },
        { kind: 'float', value: 2.5 },
        { kind: 'decimal', value: Decimal.parse('-12.345'), prec: 10, frac: 3 },
        { kind: 'time', value: t },
        { kind: 'duration', value: -1_500_000_000n },
        { kind: 'bytes', value: new TextEncoder().encode('xyz') },
        { kind: 'null' },
      ],
    );
    const d = new RowV2Decoder(row);
    expect(d.readInt(1)).toBe(-70000n);
    expect(d.readUint(2)).toBe(1n << 40n);
    expect(d.readFloat(3)).toBe(2.5);
    expect(d.readDecimal(4)!.toString()).toBe('-12.345');
    expect(d.readTime(5, MysqlType.Datetime, 2)).toBe(t);
    expect(d.readDuration(6)).toBe(-1_500_000_000n);
    expect(new TextDecoder().decode(d.readBytes(7)!)).toBe('xyz');
    expect(d.readInt(8)).toBeNull();
    expect(d.readInt(9)).toBeUndefined();
    expect(d.notNullCount).toBe(7);
    expect(d.nullCount).toBe(1);
  });

  it('data of 65535 bytes or more switches to the large layout', () => {
    const big = new Uint8Array(70000).fill(7);
    const row = encodeRowV2([2, 1], [{ kind: 'bytes', value: big }, { kind: 'int', value: 1n }]);
    expect(row[1]! & 1).toBe(1);
    const d = new RowV2Decoder(row);
    expect(d.find(2)!.length).toBe(70000);
    expect(d.readInt(1)).toBe(1n);
    const small = encodeRowV2([2], [{ kind: 'bytes', value: new Uint8Array(65534) }]);
    expect(small[1]! & 1).toBe(0);
  });

  it('garbage never decodes into something other than CorruptionError', () => {
    const dec = new RowV2Decoder();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 300 }), (buf, id) => {
        buf[0] = 0x80;
        try {
          dec.reset(buf);
          const v = dec.find(id);
          if (v instanceof Uint8Array) expect(v.byteOffset + v.length).toBeLessThanOrEqual(buf.byteOffset + buf.length);
        } catch (e) {
          expect((e as Error).name).toBe('CorruptionError');
        }
      }),
      { seed, numRuns: RUNS },
    );
  });
});

describe('corrupted input', () => {
  const onlyCorruption = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      expect((e as Error).name).toBe('CorruptionError');
    }
  };
  it('mutated v2 rows, v1 rows and index values fail only with CorruptionError', () => {
    const dec = new RowV2Decoder();
    fc.assert(
      fc.property(arbRow, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), ([ids, types, datums], flips, cut) => {
        const mutate = (b: Uint8Array): Uint8Array => {
          const m = b.slice(0, b.length - (cut % 3 === 0 ? cut % Math.max(b.length, 1) : 0));
          for (const [at, v] of flips) if (m.length > 0) m[at % m.length] = v;
          return m;
        };
        const v2 = mutate(encodeRowV2(ids, datums as Datum[]));
        onlyCorruption(() => {
          dec.reset(v2);
          ids.forEach((id, j) => {
            if (dec.locate(id) !== RowV2Lookup.Value) return;
            const col = COLS[types[j]!]!;
            decodeV2ValueAsDatum(dec.row, dec.valueStart, dec.valueEnd, col.tp, col.flag, col.fsp);
          });
        });
        onlyCorruption(() => decodeRowV1(mutate(encodeRowV1(ids, datums as Datum[]))));
        onlyCorruption(() => decodeIndexValue(mutate(encodeIndexValue({ commonHandle: encodeDatumKey([{ kind: 'int', value: 1n }]), restoredData: encodeRowV2(ids, datums as Datum[]) }))));
      }),
      { seed, numRuns: RUNS },
    );
  });
});

describe('row v1', () => {
  it('round trips flattened datums', () => {
    fc.assert(
      fc.property(arbRow, ([ids, , datums]) => {
        const row = encodeRowV1(ids, datums as Datum[]);
        expect(isRowV2(row)).toBe(false);
        const m = decodeRowV1(row);
        expect([...m.keys()]).toEqual(ids);
        expect(bytesToHex(encodeRowV1([...m.keys()], [...m.values()]))).toBe(bytesToHex(row));
      }),
      { seed, numRuns: RUNS },
    );
  });
});

describe('index values', () => {
  it('encode/decode round trip over all option combinations', () => {
    fc.assert(
      fc.property(
        fc.option(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { nil: undefined }),
        fc.option(fc.uint8Array({ minLength: 1, maxLength: 30 }), { nil: undefined }),
        fc.option(fc.bigInt({ min: 0n, max: 1n << 40n }), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        (intHandle, commonHandle, partitionId, withRestore, untouched) => {
          if (intHandle !== undefined && commonHandle !== undefined) commonHandle = undefined;
          const restoredData = withRestore ? encodeRowV2([3], [{ kind: 'bytes', value: new Uint8Array([65, 32]) }]) : undefined;
          const v = encodeIndexValue({ intHandle, commonHandle, partitionId, restoredData, untouched });
          const d = decodeIndexValue(v);
          expect(d.intHandle).toBe(intHandle ?? null);
          expect(d.commonHandle === null ? null : bytesToHex(d.commonHandle)).toBe(commonHandle === undefined ? null : bytesToHex(commonHandle));
          expect(d.partitionId).toBe(partitionId ?? null);
          expect(d.restoredData === null ? null : bytesToHex(d.restoredData)).toBe(restoredData === undefined ? null : bytesToHex(restoredData));
          expect(d.untouched).toBe(untouched);
        },
      ),
      { seed, numRuns: RUNS },
    );
  });

  it('clustered index version 1 values are decoded', () => {
    const ch = encodeDatumKey([{ kind: 'bytes', value: new Uint8Array([1, 2]) }]);
    const v = new Uint8Array([0, 125, 1, 127, 0, ch.length, ...ch]);
    const d = decodeIndexValue(v);
    expect(d.layout).toBe(1);
    expect(bytesToHex(d.commonHandle!)).toBe(bytesToHex(ch));
    const key = encodeIndexKey(5n, 2n, encodeDatumKey([{ kind: 'int', value: 1n }]));
    expect(decodeIndexHandle(key, v, 1, true)).toEqual({ kind: 'common', encoded: d.commonHandle });
    const nonUnique = encodeIndexKey(5n, 2n, new Uint8Array([...encodeDatumKey([{ kind: 'int', value: 1n }]), ...ch]));
    expect(bytesToHex((decodeIndexHandle(nonUnique, new Uint8Array([0x30]), 1, true) as { encoded: Uint8Array }).encoded)).toBe(bytesToHex(ch));
  });
});
