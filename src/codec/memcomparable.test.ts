// Proves the memcomparable byte encoding and MVCC keys preserve order: encoded keys compare
// exactly as the original byte strings (and, for equal user keys, newer timestamps first),
// decoding inverts encoding, and malformed input is a CorruptionError, never a crash.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesCompare } from '../util/bytes.ts';
import { CorruptionError } from '../util/errors.ts';
import { decodeBytes, encodeBytes, encodedBytesLength } from './memcomparable.ts';
import { decodeKeyWithTs, encodeKey, encodeKeyWithTs, truncateTs } from './mvcc_key.ts';
import { decodeI64Comparable, decodeU64Desc, encodeI64Comparable, encodeU64Desc } from './number.ts';

const SEED = Number(process.env['CODEC_SEED'] ?? 20261123);
const bytes = fc.uint8Array({ maxLength: 40 });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe('memcomparable bytes', () => {
  it('matches the upstream example', () => {
    expect(Array.from(encodeBytes(Buffer.from('abc')))).toEqual([0x61, 0x62, 0x63, 0, 0, 0, 0, 0, 0xfa]);
    expect(Array.from(encodeBytes(new Uint8Array()))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0xf7]);
    expect(encodeBytes(new Uint8Array(8)).length).toBe(18);
  });

  it('orders encoded strings as the originals (seeded)', () => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => Math.sign(bytesCompare(encodeBytes(a), encodeBytes(b))) === Math.sign(bytesCompare(a, b))),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('round-trips and reports where the encoding ends', () => {
    fc.assert(
      fc.property(bytes, bytes, (a, tail) => {
        const enc = encodeBytes(a);
        expect(enc.length).toBe(encodedBytesLength(a.length));
        const { value, next } = decodeBytes(Buffer.concat([enc, tail]));
        return bytesCompare(value, a) === 0 && next === enc.length;
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('rejects malformed encodings with CorruptionError', () => {
    expect(() => decodeBytes(new Uint8Array([1, 2, 3]))).toThrow(CorruptionError);
    expect(() => decodeBytes(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0x10]))).toThrow(CorruptionError);
    expect(() => decodeBytes(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 5, 0xf8]))).toThrow(CorruptionError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), (junk) => {
        try {
          decodeBytes(junk);
        } catch (e) {
          return e instanceof CorruptionError;
        }
        return true;
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('MVCC keys', () => {
  it('sort by user key, then newest timestamp first (seeded)', () => {
    fc.assert(
      fc.property(bytes, u64, bytes, u64, (ka, ta, kb, tb) => {
        const a = encodeKeyWithTs(ka, ta);
        const b = encodeKeyWithTs(kb, tb);
        const byKey = bytesCompare(ka, kb);
        const expected = byKey !== 0 ? byKey : ta === tb ? 0 : ta > tb ? -1 : 1;
        return Math.sign(bytesCompare(a, b)) === Math.sign(expected);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('decode, truncate and the lock-CF key agree', () => {
    fc.assert(
      fc.property(bytes, u64, (k, ts) => {
        const enc = encodeKeyWithTs(k, ts);
        const d = decodeKeyWithTs(enc);
        return bytesCompare(d.userKey, k) === 0 && d.ts === ts && bytesCompare(truncateTs(enc), encodeKey(k)) === 0;
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('comparable numbers', () => {
  it('descending u64 and comparable i64 keep (reversed) order', () => {
    fc.assert(
      fc.property(u64, u64, fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (a, b, x, y) => {
        expect(decodeU64Desc(encodeU64Desc(a))).toBe(a);
        expect(decodeI64Comparable(encodeI64Comparable(x))).toBe(x);
        const descOk = Math.sign(bytesCompare(encodeU64Desc(a), encodeU64Desc(b))) === (a === b ? 0 : a > b ? -1 : 1);
        const ascOk = Math.sign(bytesCompare(encodeI64Comparable(x), encodeI64Comparable(y))) === (x === y ? 0 : x < y ? -1 : 1);
        return descOk && ascOk;
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
