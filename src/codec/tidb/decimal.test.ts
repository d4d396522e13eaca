// Proves Decimal arithmetic, rounding, parsing and the MySQL binary format against a plain bigint/rational model (seeded fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesCompare } from '../../util/bytes.ts';
import { DECIMAL_FRAC_MAX, Decimal, MY_DECIMAL_STRUCT_BYTES } from './decimal.ts';
import { propertySeed } from './test_support.ts';

const seed = propertySeed();
const RUNS = 400;

const arbDecimal = (maxDigits = 40, maxFrac = 20): fc.Arbitrary<Decimal> =>
  fc
    .record({
      digits: fc.bigInt({ min: 0n, max: 10n ** BigInt(maxDigits) - 1n }),
      frac: fc.integer({ min: 0, max: maxFrac }),
      neg: fc.boolean(),
    })
    .map(({ digits, frac, neg }) => new Decimal(neg ? -digits : digits, frac));

/** Model: a rational p/q with q > 0. */
type Rat = { p: bigint; q: bigint };
const rat = (d: Decimal): Rat => ({ p: d.unscaled, q: 10n ** BigInt(d.frac) });
const ratCmp = (a: Rat, b: Rat): number => {
  const l = a.p * b.q;
  const r = b.p * a.q;
  return l < r ? -1 : l > r ? 1 : 0;
};
/** Model rounding of p/q to `frac` digits, ties away from zero, via floor((2|x|·10^f + q)/(2q)). */
const roundRat = (x: Rat, frac: number): bigint => {
  const neg = x.p < 0n;
  const a = neg ? -x.p : x.p;
  const scaled = (2n * a * 10n ** BigInt(frac) + x.q) / (2n * x.q);
  return neg ? -scaled : scaled;
};

describe('Decimal vs rational model', () => {
  it('add/sub/mul are exact with MySQL result frac', () => {
    fc.assert(
      fc.property(arbDecimal(), arbDecimal(), (a, b) => {
        const s = a.add(b);
        expect(s.frac).toBe(Math.max(a.frac, b.frac));
        expect(ratCmp(rat(s), { p: a.unscaled * rat(b).q + b.unscaled * rat(a).q, q: rat(a).q * rat(b).q })).toBe(0);
        const d = a.sub(b);
        expect(ratCmp(rat(d), { p: a.unscaled * rat(b).q - b.unscaled * rat(a).q, q: rat(a).q * rat(b).q })).toBe(0);
        const m = a.mul(b);
        if (a.frac + b.frac <= DECIMAL_FRAC_MAX) {
          expect(m.frac).toBe(a.frac + b.frac);
          expect(ratCmp(rat(m), { p: a.unscaled * b.unscaled, q: rat(a).q * rat(b).q })).toBe(0);
        }
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('div truncates at TiDB word precision, then rounds half up to frac1 + 4', () => {
    fc.assert(
      fc.property(arbDecimal(30, 12), arbDecimal(20, 12), (a, b) => {
        const q = a.div(b);
        if (b.isZero()) {
          expect(q).toBeNull();
          return;
        }
        const frac = Math.min(a.frac + 4, DECIMAL_FRAC_MAX);
        const exact: Rat = { p: a.unscaled * rat(b).q * (b.unscaled < 0n ? -1n : 1n), q: rat(a).q * (b.unscaled < 0n ? -b.unscaled : b.unscaled) };
        const fc9 = Decimal.divComputedFrac(a.frac, b.frac);
        expect(fc9 % 9).toBe(0);
        expect(fc9).toBeGreaterThanOrEqual(frac);
        const scaled = exact.p * 10n ** BigInt(fc9);
        const truncated = scaled / exact.q; // BigInt division truncates toward zero
        expect(q!.frac).toBe(frac);
        expect(q!.unscaled).toBe(roundRat({ p: truncated, q: 10n ** BigInt(fc9) }, frac));
        // Never further than one unit in the last place from the exact quotient.
        const diff = q!.unscaled - roundRat(exact, frac);
        expect(diff >= -1n && diff <= 1n).toBe(true);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('mod has the sign of the dividend and |r| < |b|', () => {
    fc.assert(
      fc.property(arbDecimal(), arbDecimal(), (a, b) => {
        const r = a.mod(b);
        if (b.isZero()) {
          expect(r).toBeNull();
          return;
        }
        expect(r!.frac).toBe(Math.max(a.frac, b.frac));
        expect(r!.abs().compare(b.abs())).toBe(-1);
        if (!r!.isZero()) expect(r!.sign()).toBe(a.sign());
        // a - r is an integer multiple of b.
        const k = a.sub(r!).div(b, 10)!;
        expect(k.compare(new Decimal(k.toBigIntTruncated(), 0))).toBe(0);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('round/truncate/compare/toString/parse agree with the model', () => {
    fc.assert(
      fc.property(arbDecimal(), arbDecimal(), fc.integer({ min: -5, max: 25 }), (a, b, f) => {
        expect(Math.sign(a.compare(b))).toBe(ratCmp(rat(a), rat(b)));
        const r = a.round(f);
        if (f >= 0) expect(r.unscaled).toBe(roundRat(rat(a), f));
        else expect(r.unscaled).toBe(roundRat({ p: rat(a).p, q: rat(a).q * 10n ** BigInt(-f) }, 0) * 10n ** BigInt(-f));
        const t = a.truncate(Math.max(f, 0));
        expect(t.abs().compare(a.abs())).toBeLessThanOrEqual(0);
        const back = Decimal.parse(a.toString());
        expect(back.unscaled).toBe(a.unscaled);
        expect(back.frac).toBe(a.frac);
        expect(a.toFloat()).toBe(Number(a.toString()));
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('toBin/fromBin round trip and bins sort like values for a fixed (prec, frac)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65 }).chain((prec) => fc.tuple(fc.constant(prec), fc.integer({ min: 0, max: Math.min(prec, 30) }))),
        fc.bigInt({ min: 0n, max: 10n ** 65n }),
        fc.bigInt({ min: 0n, max: 10n ** 65n }),
        fc.boolean(),
        fc.boolean(),
        ([prec, frac], x, y, nx, ny) => {
          const lim = 10n ** BigInt(prec);
          const a = new Decimal((nx ? -1n : 1n) * (x % lim), frac);
          const b = new Decimal((ny ? -1n : 1n) * (y % lim), frac);
          const ba = a.toBin(prec, frac);
          expect(ba.length).toBe(Decimal.binSize(prec, frac));
          const back = Decimal.fromBin(ba, 0, prec, frac);
          expect(back.unscaled).toBe(a.unscaled);
          expect(Math.sign(bytesCompare(ba, b.toBin(prec, frac)))).toBe(a.compare(b));
        },
      ),
      { seed, numRuns: RUNS },
    );
  });

  it('chunk MyDecimal layout round trips', () => {
    fc.assert(
      fc.property(arbDecimal(40, 30), (a) => {
        const buf = new Uint8Array(MY_DECIMAL_STRUCT_BYTES + 3);
        a.writeChunk(buf, 3);
        const back = Decimal.fromChunk(buf, 3);
        expect(back.unscaled).toBe(a.unscaled);
        expect(back.frac).toBe(a.frac);
      }),
      { seed, numRuns: RUNS },
    );
  });
});

describe('Decimal specifics', () => {
  it('chunk layout of 1.5 matches coprocessor.md §4.4', () => {
    const buf = new Uint8Array(MY_DECIMAL_STRUCT_BYTES);
    Decimal.parse('1.5').writeChunk(buf, 0);
    expect([...buf.subarray(0, 12)]).toEqual([1, 1, 1, 0, 1, 0, 0, 0, 0x00, 0x65, 0xcd, 0x1d]);
  });
  it('rejects bad input and overflow', () => {
    expect(() => Decimal.parse('1.2.3')).toThrow();
    expect(() => Decimal.parse('')).toThrow();
    expect(() => Decimal.parse('abc')).toThrow();
    expect(() => Decimal.parse('1234.5').toBin(4, 1)).toThrow();
    // Rounding to the column frac can carry into a new integer digit.
    expect(Decimal.fromBin(Decimal.parse('999.994').toBin(5, 2), 0, 5, 2).toString()).toBe('999.99');
    expect(() => Decimal.parse('999.995').toBin(5, 2)).toThrow(/overflows/);
    expect(Decimal.parse('  -0012.50  ').toString()).toBe('-12.50');
    expect(Decimal.parse('.5').toString()).toBe('0.5');
    expect(Decimal.fromFloat(0.1).toString()).toBe('0.1');
    expect(Decimal.fromFloat(1e21).toString()).toBe('1000000000000000000000');
  });
});
