/**
 * CRC-64/XZ (ECMA-182 polynomial, reflected, all-ones init and final xor): the checksum
 * TiKV's coprocessor CHECKSUM uses per key-value pair and Go's `crc64.MakeTable(crc64.ECMA)`
 * computes. Kept as two 32-bit halves so the inner loop stays in small integers.
 */

/** The reflected ECMA-182 polynomial. */
const POLY = 0xc96c5795d7870f42n;
const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = BigInt(i);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY : c >> 1n;
  TABLE_HI[i] = Number(c >> 32n);
  TABLE_LO[i] = Number(c & 0xffffffffn);
}

/** A running CRC-64/XZ; `clone` forks the state (a shared prefix digested once). */
export class Crc64 {
  /** The register, inverted as the algorithm keeps it between updates. */
  private constructor(
    private hi: number,
    private lo: number,
  ) {}

  static create(): Crc64 {
    return new Crc64(0xffffffff, 0xffffffff);
  }

  update(bytes: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < bytes.length; i++) {
      const idx = (lo ^ bytes[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ TABLE_LO[idx]!;
      hi = (hi >>> 8) ^ TABLE_HI[idx]!;
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  clone(): Crc64 {
    return new Crc64(this.hi, this.lo);
  }

  /** The checksum of everything written so far (the state is unchanged). */
  digest(): bigint {
    return (BigInt((~this.hi) >>> 0) << 32n) | BigInt((~this.lo) >>> 0);
  }
}

/** CRC-64/XZ of one byte string. */
export function crc64(bytes: Uint8Array): bigint {
  return Crc64.create().update(bytes).digest();
}
