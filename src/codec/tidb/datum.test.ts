// Proves memcomparable datum/key encodings sort exactly like the values and that every encoding round-trips (seeded fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesCompare, bytesToHex } from '../../util/bytes.ts';
import { ByteWriter } from './byte_writer.ts';
import { compareDatum, datumEnd, decodeDatum, decodeDatums, encodeDatumKey, encodeDatumValue, type Datum } from './datum.ts';
import { Decimal } from './decimal.ts';
import { MysqlType } from './field_type.ts';
import { readUvarint, readVarint, writeUvarint, writeVarint } from './primitive.ts';
import { decodeIndexKey, decodeRecordKey, encodeIndexKey, encodeRecordKey, splitCommonHandle, encodeCommonHandleRecordKey } from './table_key.ts';
import { coreTimeFromFields, coreTimeFromPacked, coreTimeToPacked } from './time.ts';
import { arbTimeFields, propertySeed } from './test_support.ts';

const seed = propertySeed();
const RUNS = 250;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

const arbInt = fc.oneof(fc.bigInt({ min: I64_MIN, max: I64_MAX }), fc.bigInt({ min: -300n, max: 300n }));
const arbUint = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 300n }));
const arbFloat = fc.double({ noNaN: true });
const arbBytes = fc.uint8Array({ maxLength: 30 });
const arbTime = arbTimeFields  .map((f) => coreTimeFromFields(f, MysqlType.Datetime, 6));
const arbDuration = fc.bigInt({ min: -3020399000000000n, max: 3020399000000000n });
/** Decimals of one column type DECIMAL(30, 6), so that key bytes are comparable. */
const arbDecimal = fc.bigInt({ min: -(10n ** 30n) + 1n, max: 10n ** 30n - 1n }).map((u) => new Decimal(u, 6));

/** One column "type" per case: datums of that type plus NULL. */
const arbTyped: Array<fc.Arbitrary<Datum>> = [
  arbInt.map((value) => ({ kind: 'int', value })),
  arbUint.map((value) => ({ kind: 'uint', value })),
  arbFloat.map((value) => ({ kind: 'float', value })),
  arbBytes.map((value) => ({ kind: 'bytes', value })),
  arbDecimal.map((value) => ({ kind: 'decimal', value, prec: 30, frac: 6 })),
  arbTime.map((value) => ({ kind: 'time', value })),
  arbDuration.map((value) => ({ kind: 'duration', value })),
];
const withNull = (a: fc.Arbitrary<Datum>): fc.Arbitrary<Datum> => fc.oneof({ weight: 1, arbitrary: fc.constant<Datum>({ kind: 'null' }) }, { weight: 6, arbitrary: a });

function sameValue(a: Datum, b: Datum): void {
  expect(bytesToHex(encodeDatumKey([b]))).toBe(bytesToHex(encodeDatumKey([a])));
}

/** The datum a decoder returns for `d` (times come back as packed uints). */
function asStored(d: Datum): Datum {
  return d.kind === 'time' ? { kind: 'uint', value: coreTimeToPacked(d.value) } : d;
}

describe('datum key order', () => {
  for (const [i, arb] of arbTyped.entries()) {
    it(`type #${i}: key bytes order equals value order, tuples too`, () => {
      fc.assert(
        fc.property(withNull(arb), withNull(arb), withNull(arb), withNull(arb), (a, b, c, d) => {
          const ka = encodeDatumKey([a]);
          const kb = encodeDatumKey([b]);
          expect(Math.sign(bytesCompare(ka, kb))).toBe(compareDatum(a, b));
          const t1 = encodeDatumKey([a, c]);
          const t2 = encodeDatumKey([b, d]);
          const model = compareDatum(a, b) || compareDatum(c, d);
          expect(Math.sign(bytesCompare(t1, t2))).toBe(model);
        }),
        { seed: seed + i, numRuns: RUNS },
      );
    });
  }

  it('NULL < MinNotNull < values < MaxValue', () => {
    const nul = encodeDatumKey([{ kind: 'null' }]);
    const min = encodeDatumKey([{ kind: 'minNotNull' }]);
    const max = encodeDatumKey([{ kind: 'maxValue' }]);
    for (const arb of arbTyped) {
      for (const v of fc.sample(arb, { seed, numRuns: 20 })) {
        const k = encodeDatumKey([v]);
        expect(bytesCompare(nul, min)).toBe(-1);
        expect(bytesCompare(min, k)).toBe(-1);
        expect(bytesCompare(k, max)).toBe(-1);
      }
    }
  });
});

describe('datum round trips', () => {
  it('key and value encodings decode to the same datums; datumEnd agrees', () => {
    const arbAny = fc.oneof(...arbTyped.map(withNull));
    fc.assert(
      fc.property(fc.array(arbAny, { maxLength: 6 }), (ds) => {
        for (const enc of [encodeDatumKey(ds), encodeDatumValue(ds)]) {
          const back = decodeDatums(enc);
          expect(back.length).toBe(ds.length);
          back.forEach((b, j) => sameValue(asStored(ds[j]!), b));
          let o = 0;
          for (let j = 0; j < ds.length; j++) {
            const end = datumEnd(enc, o);
            expect(end).toBe(decodeDatum(enc, o).next);
            o = end;
          }
          expect(o).toBe(enc.length);
        }
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('varint/uvarint round trip', () => {
    fc.assert(
      fc.property(arbInt, arbUint, (i, u) => {
        const w = new ByteWriter();
        writeVarint(w, i);
        writeUvarint(w, u);
        const b = w.finish();
        const x = readVarint(b, 0);
        expect(x.value).toBe(i);
        expect(readUvarint(b, x.next).value).toBe(u);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('packed time order is chronological and converts back to the same CoreTime', () => {
    fc.assert(
      fc.property(arbTime, arbTime, (a, b) => {
        const pa = coreTimeToPacked(a);
        expect(coreTimeFromPacked(pa, MysqlType.Datetime, 6)).toBe(a);
        expect(Math.sign(Number(pa - coreTimeToPacked(b)))).toBe(Math.sign(Number((a >> 4n) - (b >> 4n))));
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('truncated or garbage input raises CorruptionError, never something else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }).map((b) => (b.length > 0 && b[0]! % 3 === 0 ? new Uint8Array([6, ...b]) : b)), (buf) => {
        try {
          decodeDatums(buf);
        } catch (e) {
          expect((e as Error).name).toBe('CorruptionError');
        }
        try {
          for (let o = 0; o < buf.length; ) o = datumEnd(buf, o);
        } catch (e) {
          expect((e as Error).name).toBe('CorruptionError');
        }
      }),
      { seed, numRuns: RUNS },
    );
  });
});

describe('table keys', () => {
  it('record keys sort by (table, handle) and decode back', () => {
    fc.assert(
      fc.property(arbInt, arbInt, arbInt, arbInt, (t1, h1, t2, h2) => {
        const k1 = encodeRecordKey(t1, h1);
        const k2 = encodeRecordKey(t2, h2);
        const model = t1 === t2 ? Math.sign(Number(h1 - h2)) : Math.sign(Number(t1 - t2));
        expect(Math.sign(bytesCompare(k1, k2))).toBe(model);
        expect(decodeRecordKey(k1)).toEqual({ tableId: t1, handle: { kind: 'int', value: h1 } });
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('index keys and common handles split back into their datums', () => {
    const arbAny = fc.oneof(...arbTyped.map(withNull));
    fc.assert(
      fc.property(arbInt, arbInt, fc.array(arbAny, { minLength: 1, maxLength: 4 }), (t, idx, ds) => {
        const vals = encodeDatumKey(ds);
        const k = encodeIndexKey(t, idx, vals);
        const d = decodeIndexKey(k);
        expect([d.tableId, d.indexId, bytesToHex(d.encodedValues)]).toEqual([t, idx, bytesToHex(vals)]);
        const nonNull = ds.filter((x) => x.kind !== 'null');
        if (nonNull.length === 0) return;
        const handle = encodeDatumKey(nonNull);
        const rk = decodeRecordKey(encodeCommonHandleRecordKey(t, handle));
        expect(rk.handle.kind).toBe('common');
        if (rk.handle.kind === 'common') expect(splitCommonHandle(rk.handle.encoded).length).toBe(nonNull.length);
      }),
      { seed, numRuns: RUNS },
    );
  });
});
