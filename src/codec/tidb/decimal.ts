import { assert } from '../../util/assert.ts';
import { CorruptionError, DomainError, invalidArgument } from '../../util/errors.ts';

/**
 * Exact decimal with MySQL/TiDB semantics (TiDB `types.MyDecimal`, MySQL `decimal.c`).
 * The value is `unscaled / 10^frac`; `frac` is the number of digits after the point and is
 * part of the value's identity as in MySQL (`1.50` has frac 2). No float arithmetic is used
 * anywhere except `toFloat`.
 */

/** MySQL `DECIMAL_MAX_SCALE` / TiDB `mysql.MaxDecimalScale`. */
export const DECIMAL_FRAC_MAX = 30;
/** MySQL `DECIMAL_MAX_PRECISION` / TiDB `mysql.MaxDecimalWidth` (column precision limit). */
export const DECIMAL_PRECISION_MAX = 65;
/** TiDB `MyDecimal` holds 9 words of 9 digits; parsed literals beyond this are rejected. */
export const DECIMAL_DIGITS_MAX = 81;
/** TiDB `types.DivFracIncr` (the `div_precision_increment` system variable default). */
export const DIV_FRAC_INCREMENT = 4;
/** Bytes of one `MyDecimal` in the chunk format (TiDB `types.MyDecimalStructSize`). */
export const MY_DECIMAL_STRUCT_BYTES = 40;

const DIGITS_PER_WORD = 9;
/** Words in TiDB's `MyDecimal.wordBuf`. */
const MY_DECIMAL_WORDS = 9;
const WORD_BASE = 1_000_000_000;
const WORD_BASE_N = 1_000_000_000n;
/** Bytes needed by a partial word of n digits (MySQL `dig2bytes`). */
const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4] as const;
const POW10_NUM = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

const POW10: bigint[] = [];
{
  let p = 1n;
  for (let i = 0; i <= 2 * DECIMAL_DIGITS_MAX + 2 * DECIMAL_FRAC_MAX; i++) {
    POW10.push(p);
    p *= 10n;
  }
}

/** 10^n as bigint (cached for the ranges decimals use). */
export function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

function absBig(v: bigint): bigint {
  return v < 0n ? -v : v;
}

const POW10_SAFE = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Number of decimal digits of |v| (0 for 0). */
function digitCount(v: bigint): number {
  const a = absBig(v);
  if (a === 0n) return 0;
  if (a < 1_000_000_000_000_000n) {
    const n = Number(a);
    let d = 1;
    while (d < 16 && n >= POW10_SAFE[d]!) d++;
    return d;
  }
  return a.toString().length;
}

/** Divides with MySQL HALF_UP rounding (ties away from zero). */
function divRoundHalfUp(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n - q * d;
  if (r === 0n) return q;
  const twice = absBig(r) * 2n;
  if (twice >= absBig(d)) return (n < 0n) !== (d < 0n) ? q - 1n : q + 1n;
  return q;
}

export class Decimal {
  constructor(
    /** The value times 10^frac. */
    readonly unscaled: bigint,
    /** Digits after the decimal point (0..DECIMAL_FRAC_MAX for stored values). */
    readonly frac: number,
  ) {
    assert(Number.isInteger(frac) && frac >= 0, `decimal frac ${frac}`);
  }

  static readonly ZERO = new Decimal(0n, 0);
  static readonly ONE = new Decimal(1n, 0);

  /** An integer value with frac 0. */
  static fromBigInt(v: bigint): Decimal {
    return new Decimal(v, 0);
  }

  /**
   * Decimal from a double the way TiDB does it (`FromFloat64`: shortest round-trip
   * decimal string of the double, then parsed). Throws on NaN/Infinity.
   */
  static fromFloat(f: number): Decimal {
    if (!Number.isFinite(f)) throw invalidArgument(`decimal from non-finite float ${f}`);
    return Decimal.parse(String(f));
  }

  /**
   * Parses `[+-]digits[.digits][(e|E)[+-]digits]` with optional surrounding spaces; the
   * frac of the result is the number of fraction digits written (after the exponent is
   * applied, never negative). Throws `DomainError('InvalidArgument')` on bad syntax or more
   * than DECIMAL_DIGITS_MAX significant integer digits.
   */
  static parse(s: string): Decimal {
    let i = 0;
    let end = s.length;
    while (i < end && s.charCodeAt(i) === 32) i++;
    while (end > i && s.charCodeAt(end - 1) === 32) end--;
    let neg = false;
    const c0 = s.charCodeAt(i);
    if (c0 === 45 /* - */ || c0 === 43 /* + */) {
      neg = c0 === 45;
      i++;
    }
    const intStart = i;
    while (i < end && isDigit(s.charCodeAt(i))) i++;
    const intDigits = s.slice(intStart, i);
    let fracDigits = '';
    if (i < end && s.charCodeAt(i) === 46 /* . */) {
      i++;
      const fracStart = i;
      while (i < end && isDigit(s.charCodeAt(i))) i++;
      fracDigits = s.slice(fracStart, i);
    }
    if (intDigits.length === 0 && fracDigits.length === 0) throw invalidArgument(`bad decimal '${s}'`);
    let exp = 0;
    if (i < end && (s.charCodeAt(i) === 101 || s.charCodeAt(i) === 69)) {
      i++;
      let expNeg = false;
      if (s.charCodeAt(i) === 45 || s.charCodeAt(i) === 43) {
        expNeg = s.charCodeAt(i) === 45;
        i++;
      }
      const expStart = i;
      while (i < end && isDigit(s.charCodeAt(i))) i++;
      if (i === expStart || i - expStart > 4) throw invalidArgument(`bad decimal exponent '${s}'`);
      exp = Number(s.slice(expStart, i)) * (expNeg ? -1 : 1);
    }
    if (i !== end) throw invalidArgument(`bad decimal '${s}'`);
    let digits = intDigits + fracDigits;
    let frac = fracDigits.length - exp;
    if (frac < 0) {
      digits += '0'.repeat(-frac);
      frac = 0;
    }
    let unscaled = digits.length === 0 ? 0n : BigInt(digits);
    if (digitCount(unscaled) - frac > DECIMAL_DIGITS_MAX) throw new DomainError('InvalidArgument', `decimal '${s}' overflows`);
    if (neg) unscaled = -unscaled;
    return new Decimal(unscaled, frac);
  }

  /** -1, 0 or 1. */
  sign(): number {
    return this.unscaled < 0n ? -1 : this.unscaled > 0n ? 1 : 0;
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

  /** Number of integer digits without leading zeros (0 for |x| < 1). */
  intDigits(): number {
    const a = absBig(this.unscaled);
    if (a === 0n) return 0;
    return Math.max(0, digitCount(a) - this.frac);
  }

  /** TiDB `PrecisionAndFrac` precision: significant integer digits + frac, at least 1. */
  get precision(): number {
    const p = this.intDigits() + this.frac;
    return p === 0 ? 1 : p;
  }

  /** MySQL text form: `-` sign, at least one integer digit, exactly `frac` fraction digits. */
  toString(): string {
    const neg = this.unscaled < 0n;
    const digits = absBig(this.unscaled).toString();
    if (this.frac === 0) return neg ? '-' + digits : digits;
    const padded = digits.length <= this.frac ? '0'.repeat(this.frac - digits.length + 1) + digits : digits;
    const cut = padded.length - this.frac;
    const s = padded.slice(0, cut) + '.' + padded.slice(cut);
    return neg ? '-' + s : s;
  }

  /** Nearest double (via the decimal string, as TiDB's `ToFloat64`). */
  toFloat(): number {
    if (this.frac === 0 && this.unscaled >= -9007199254740991n && this.unscaled <= 9007199254740991n) return Number(this.unscaled);
    return Number(this.toString());
  }

  /** Integer part, truncated toward zero (TiDB `ToInt` without the error). */
  toBigIntTruncated(): bigint {
    return this.frac === 0 ? this.unscaled : this.unscaled / pow10(this.frac);
  }

  /** Rounded half-up to an integer (what CAST(d AS SIGNED) does before range checks). */
  toBigIntRounded(): bigint {
    return this.frac === 0 ? this.unscaled : divRoundHalfUp(this.unscaled, pow10(this.frac));
  }

  /** Same value with `frac` >= this.frac digits (exact); smaller `frac` rounds half up. */
  rescale(frac: number): Decimal {
    if (frac === this.frac) return this;
    if (frac > this.frac) return new Decimal(this.unscaled * pow10(frac - this.frac), frac);
    return this.round(frac);
  }

  /**
   * MySQL ROUND(x, frac) with HALF_UP (ties away from zero). A negative `frac` rounds to
   * tens/hundreds/... and yields frac 0. Rounding to more digits than present is exact.
   */
  round(frac: number): Decimal {
    if (frac >= this.frac) return frac === this.frac ? this : new Decimal(this.unscaled * pow10(frac - this.frac), frac);
    if (frac >= 0) return new Decimal(divRoundHalfUp(this.unscaled, pow10(this.frac - frac)), frac);
    const q = divRoundHalfUp(this.unscaled, pow10(this.frac - frac));
    return new Decimal(q * pow10(-frac), 0);
  }

  /** MySQL TRUNCATE(x, frac): drops digits toward zero. */
  truncate(frac: number): Decimal {
    if (frac >= this.frac) return this.rescale(frac);
    if (frac >= 0) return new Decimal(this.unscaled / pow10(this.frac - frac), frac);
    const q = this.unscaled / pow10(this.frac - frac);
    return new Decimal(q * pow10(-frac), 0);
  }

  neg(): Decimal {
    return new Decimal(-this.unscaled, this.frac);
  }

  abs(): Decimal {
    return this.unscaled < 0n ? this.neg() : this;
  }

  /** Numeric comparison, independent of frac (`1.5` equals `1.50`). */
  compare(other: Decimal): number {
    let a = this.unscaled;
    let b = other.unscaled;
    if (this.frac < other.frac) a *= pow10(other.frac - this.frac);
    else if (this.frac > other.frac) b *= pow10(this.frac - other.frac);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.compare(other) === 0;
  }

  /** Exact sum; frac = max(frac1, frac2) (MySQL rule). */
  add(other: Decimal): Decimal {
    if (this.frac === other.frac) return new Decimal(this.unscaled + other.unscaled, this.frac);
    if (this.frac > other.frac) return new Decimal(this.unscaled + other.unscaled * pow10(this.frac - other.frac), this.frac);
    return new Decimal(this.unscaled * pow10(other.frac - this.frac) + other.unscaled, other.frac);
  }

  /** Exact difference; frac = max(frac1, frac2). */
  sub(other: Decimal): Decimal {
    if (this.frac === other.frac) return new Decimal(this.unscaled - other.unscaled, this.frac);
    if (this.frac > other.frac) return new Decimal(this.unscaled - other.unscaled * pow10(this.frac - other.frac), this.frac);
    return new Decimal(this.unscaled * pow10(other.frac - this.frac) - other.unscaled, other.frac);
  }

  /**
   * Product; frac = min(frac1 + frac2, DECIMAL_FRAC_MAX). Beyond 30 fraction digits the
   * exact product is rounded half-up to 30, which is what TiDB shows (its MyDecimal keeps
   * the extra digits internally and rounds to `resultFrac` when printing or encoding).
   */
  mul(other: Decimal): Decimal {
    const frac = this.frac + other.frac;
    const p = this.unscaled * other.unscaled;
    if (frac <= DECIMAL_FRAC_MAX) return new Decimal(p, frac);
    return new Decimal(divRoundHalfUp(p, pow10(frac - DECIMAL_FRAC_MAX)), DECIMAL_FRAC_MAX);
  }

  /**
   * Fraction digits TiDB's `doDivMod` computes for a quotient (then truncates at): whole
   * 9-digit words for both operands' fractions plus the increment not already covered by
   * their word padding. Always >= min(frac1 + fracIncrement, 30).
   */
  static divComputedFrac(frac1: number, frac2: number, fracIncrement = DIV_FRAC_INCREMENT): number {
    const w1 = Math.ceil(frac1 / DIGITS_PER_WORD);
    const w2 = Math.ceil(frac2 / DIGITS_PER_WORD);
    const incr = Math.max(0, fracIncrement - (w1 * DIGITS_PER_WORD - frac1) - (w2 * DIGITS_PER_WORD - frac2));
    return DIGITS_PER_WORD * (w1 + w2 + Math.ceil(incr / DIGITS_PER_WORD));
  }

  /**
   * TiDB's internal quotient (`DecimalDiv` before display rounding): truncated toward zero
   * at `divComputedFrac` digits, or fewer when the 9-word MyDecimal buffer is full.
   * `null` for division by zero.
   */
  divTruncated(other: Decimal, fracIncrement = DIV_FRAC_INCREMENT): Decimal | null {
    if (other.unscaled === 0n) return null;
    let frac = Decimal.divComputedFrac(this.frac, other.frac, fracIncrement);
    // this/other scaled by 10^frac = u1 * 10^(frac - f1 + f2) / u2.
    const shift = frac - this.frac + other.frac;
    let n = this.unscaled;
    let d = other.unscaled;
    if (shift >= 0) n *= pow10(shift);
    else d *= pow10(-shift);
    let q = n / d;
    const intWords = Math.ceil(Math.max(0, digitCount(q) - frac) / DIGITS_PER_WORD);
    const fracWordsMax = MY_DECIMAL_WORDS - intWords;
    if (frac / DIGITS_PER_WORD > fracWordsMax) {
      const keep = Math.max(0, fracWordsMax) * DIGITS_PER_WORD;
      q /= pow10(frac - keep);
      frac = keep;
    }
    return new Decimal(q, frac);
  }

  /**
   * Quotient as TiDB shows and stores it: `divTruncated`, then rounded half-up to
   * frac = min(frac1 + fracIncrement, DECIMAL_FRAC_MAX) (MySQL `div_precision_increment`,
   * default 4: `1/3` = `0.3333`, `2/3` = `0.6667`, but `2.00000/3` = `0.666666666` because
   * TiDB truncates at the 9-digit word first). `null` for division by zero (SQL NULL).
   */
  div(other: Decimal, fracIncrement = DIV_FRAC_INCREMENT): Decimal | null {
    const t = this.divTruncated(other, fracIncrement);
    if (t === null) return null;
    return t.round(Math.min(this.frac + fracIncrement, DECIMAL_FRAC_MAX));
  }

  /** MySQL `%` / MOD: sign of the dividend, frac = max(frac1, frac2); null when dividing by zero. */
  mod(other: Decimal): Decimal | null {
    if (other.unscaled === 0n) return null;
    const frac = Math.max(this.frac, other.frac);
    const a = this.unscaled * pow10(frac - this.frac);
    const b = other.unscaled * pow10(frac - other.frac);
    return new Decimal(a % b, frac);
  }

  /** Integer digits this value needs in a DECIMAL(prec, frac) column after rounding to frac. */
  fitsPrecision(prec: number, frac: number): boolean {
    return this.round(frac).intDigits() <= prec - frac;
  }

  /** Size in bytes of the MySQL binary form of DECIMAL(prec, frac). */
  static binSize(prec: number, frac: number): number {
    const intg = prec - frac;
    return (
      Math.floor(intg / DIGITS_PER_WORD) * 4 +
      DIG2BYTES[intg % DIGITS_PER_WORD]! +
      Math.floor(frac / DIGITS_PER_WORD) * 4 +
      DIG2BYTES[frac % DIGITS_PER_WORD]!
    );
  }

  /**
   * MySQL `decimal2bin` / TiDB `MyDecimal.ToBin` for DECIMAL(prec, frac): the value is first
   * rounded half-up to `frac` digits; throws `DomainError('InvalidArgument')` if its integer
   * part does not fit `prec - frac` digits or the arguments are out of range.
   */
  toBin(prec: number, frac: number): Uint8Array {
    const out = new Uint8Array(Decimal.binSize(checkPrecFrac(prec, frac), frac));
    this.writeBin(out, 0, prec, frac);
    return out;
  }

  /** Writes the binary form into `out` at `offset`; returns the offset past it. */
  writeBin(out: Uint8Array, offset: number, prec: number, frac: number): number {
    checkPrecFrac(prec, frac);
    const v = this.rescale(frac);
    const neg = v.unscaled < 0n;
    const a = absBig(v.unscaled);
    const intg = prec - frac;
    const fracDiv = pow10(frac);
    let intPart = frac === 0 ? a : a / fracDiv;
    let fracPart = frac === 0 ? 0n : a - intPart * fracDiv;
    if (digitCount(intPart) > intg) throw new DomainError('InvalidArgument', `decimal ${this.toString()} overflows DECIMAL(${prec},${frac})`);
    const intg0 = Math.floor(intg / DIGITS_PER_WORD);
    const intg0x = intg % DIGITS_PER_WORD;
    const frac0 = Math.floor(frac / DIGITS_PER_WORD);
    const frac0x = frac % DIGITS_PER_WORD;
    const mask = neg ? 0xff : 0;
    const size = intg0 * 4 + DIG2BYTES[intg0x]! + frac0 * 4 + DIG2BYTES[frac0x]!;
    // Integer words, least significant first, written from the right end of their area.
    let pos = offset + DIG2BYTES[intg0x]! + intg0 * 4;
    for (let i = 0; i < intg0; i++) {
      const w = Number(intPart % WORD_BASE_N);
      intPart /= WORD_BASE_N;
      pos -= 4;
      writeBE(out, pos, 4, w, mask);
    }
    if (intg0x > 0) writeBE(out, offset, DIG2BYTES[intg0x]!, Number(intPart), mask);
    // Fraction: trailing partial word holds the last frac0x digits as a plain integer.
    pos = offset + DIG2BYTES[intg0x]! + intg0 * 4 + frac0 * 4;
    if (frac0x > 0) {
      const d = BigInt(POW10_NUM[frac0x]!);
      writeBE(out, pos, DIG2BYTES[frac0x]!, Number(fracPart % d), mask);
      fracPart /= d;
    }
    for (let i = 0; i < frac0; i++) {
      const w = Number(fracPart % WORD_BASE_N);
      fracPart /= WORD_BASE_N;
      pos -= 4;
      writeBE(out, pos, 4, w, mask);
    }
    out[offset] = out[offset]! ^ 0x80;
    return offset + size;
  }

  /**
   * Inverse of `toBin` reading DECIMAL(prec, frac) at `offset` (MySQL `bin2decimal`). The
   * result has exactly `frac` fraction digits. Throws `CorruptionError` on truncated input
   * or words >= 10^9.
   */
  static fromBin(buf: Uint8Array, offset: number, prec: number, frac: number): Decimal {
    if (prec < 1 || prec > DECIMAL_DIGITS_MAX || frac < 0 || frac > prec || frac > DECIMAL_FRAC_MAX) {
      throw new CorruptionError(`decimal bin: bad precision/frac ${prec},${frac}`);
    }
    const intg = prec - frac;
    const intg0 = Math.floor(intg / DIGITS_PER_WORD);
    const intg0x = intg % DIGITS_PER_WORD;
    const frac0 = Math.floor(frac / DIGITS_PER_WORD);
    const frac0x = frac % DIGITS_PER_WORD;
    const size = intg0 * 4 + DIG2BYTES[intg0x]! + frac0 * 4 + DIG2BYTES[frac0x]!;
    if (offset + size > buf.length) throw new CorruptionError('decimal bin: truncated');
    const neg = (buf[offset]! & 0x80) === 0;
    const mask = neg ? 0xff : 0;
    // Chunks in order: leading partial int word, int words, fraction words, trailing
    // partial fraction word. Up to 15 digits accumulate in a double (exact), then a bigint.
    const nChunks = (intg0x > 0 ? 1 : 0) + intg0 + frac0 + (frac0x > 0 ? 1 : 0);
    let pos = offset;
    let accNum = 0;
    let accDigits = 0;
    let acc = 0n;
    let big = false;
    for (let c = 0; c < nChunks; c++) {
      let digits = DIGITS_PER_WORD;
      if (c === 0 && intg0x > 0) digits = intg0x;
      else if (c === nChunks - 1 && frac0x > 0) digits = frac0x;
      const nBytes = DIG2BYTES[digits]!;
      const w = readBE(buf, pos, nBytes, mask, pos === offset);
      if (w >= POW10_NUM[digits]!) throw new CorruptionError('decimal bin: bad word');
      pos += nBytes;
      if (!big && accDigits + digits <= 15) {
        accNum = accNum * POW10_NUM[digits]! + w;
        accDigits += digits;
      } else {
        if (!big) {
          acc = BigInt(accNum);
          big = true;
        }
        acc = acc * BigInt(POW10_NUM[digits]!) + BigInt(w);
      }
    }
    let unscaled = big ? acc : BigInt(accNum);
    if (neg) unscaled = -unscaled;
    return new Decimal(unscaled, frac);
  }

  /**
   * Writes the 40-byte in-memory `MyDecimal` used by the chunk format (coprocessor.md §4.4):
   * digitsInt, digitsFrac, resultFrac, negative, then 9 int32 LE base-10^9 words (integer
   * words first; fraction words left-aligned). `resultFrac` defaults to `frac`.
   */
  writeChunk(out: Uint8Array, offset: number, resultFrac = this.frac): void {
    const neg = this.unscaled < 0n;
    const a = absBig(this.unscaled);
    const fracDiv = pow10(this.frac);
    let intPart = a / fracDiv;
    let fracPart = a - intPart * fracDiv;
    const digitsInt = digitCount(intPart);
    const intWords = Math.ceil(digitsInt / DIGITS_PER_WORD);
    const fracWords = Math.ceil(this.frac / DIGITS_PER_WORD);
    if (intWords + fracWords > 9 || this.frac > 127) throw new DomainError('InvalidArgument', `decimal ${this.toString()} does not fit MyDecimal`);
    out.fill(0, offset, offset + MY_DECIMAL_STRUCT_BYTES);
    out[offset] = digitsInt;
    out[offset + 1] = this.frac;
    out[offset + 2] = resultFrac;
    out[offset + 3] = neg ? 1 : 0;
    for (let i = intWords - 1; i >= 0; i--) {
      writeI32LE(out, offset + 4 + i * 4, Number(intPart % WORD_BASE_N));
      intPart /= WORD_BASE_N;
    }
    // Left-align the fraction to whole words.
    fracPart *= pow10(fracWords * DIGITS_PER_WORD - this.frac);
    for (let i = fracWords - 1; i >= 0; i--) {
      writeI32LE(out, offset + 4 + (intWords + i) * 4, Number(fracPart % WORD_BASE_N));
      fracPart /= WORD_BASE_N;
    }
  }

  /** Reads a 40-byte chunk-format `MyDecimal` (inverse of `writeChunk`). */
  static fromChunk(buf: Uint8Array, offset: number): Decimal {
    if (offset + MY_DECIMAL_STRUCT_BYTES > buf.length) throw new CorruptionError('chunk decimal: truncated');
    const digitsInt = buf[offset]!;
    const digitsFrac = buf[offset + 1]!;
    const neg = buf[offset + 3] !== 0;
    const intWords = Math.ceil(digitsInt / DIGITS_PER_WORD);
    const fracWords = Math.ceil(digitsFrac / DIGITS_PER_WORD);
    if (intWords + fracWords > 9) throw new CorruptionError('chunk decimal: too many words');
    let acc = 0n;
    for (let i = 0; i < intWords + fracWords; i++) {
      const w = buf[offset + 4 + i * 4]! | (buf[offset + 5 + i * 4]! << 8) | (buf[offset + 6 + i * 4]! << 16) | (buf[offset + 7 + i * 4]! << 24);
      if (w < 0 || w >= WORD_BASE) throw new CorruptionError('chunk decimal: bad word');
      acc = acc * WORD_BASE_N + BigInt(w);
    }
    acc /= pow10(fracWords * DIGITS_PER_WORD - digitsFrac);
    return new Decimal(neg ? -acc : acc, digitsFrac);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function checkPrecFrac(prec: number, frac: number): number {
  if (!Number.isInteger(prec) || !Number.isInteger(frac) || prec < 1 || prec > DECIMAL_DIGITS_MAX || frac < 0 || frac > prec || frac > DECIMAL_FRAC_MAX) {
    throw new DomainError('InvalidArgument', `bad decimal precision/frac ${prec},${frac}`);
  }
  return prec;
}

function writeI32LE(out: Uint8Array, pos: number, v: number): void {
  out[pos] = v & 0xff;
  out[pos + 1] = (v >>> 8) & 0xff;
  out[pos + 2] = (v >>> 16) & 0xff;
  out[pos + 3] = (v >>> 24) & 0xff;
}

function writeBE(out: Uint8Array, pos: number, n: number, v: number, mask: number): void {
  for (let i = n - 1; i >= 0; i--) {
    out[pos + i] = (v & 0xff) ^ mask;
    v = Math.floor(v / 256);
  }
}

/** Reads n big-endian bytes; the very first byte of the bin has its sign bit flipped. */
function readBE(buf: Uint8Array, pos: number, n: number, mask: number, first: boolean): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    let b = buf[pos + i]!;
    if (first && i === 0) b ^= 0x80;
    v = v * 256 + (b ^ mask);
  }
  return v;
}
