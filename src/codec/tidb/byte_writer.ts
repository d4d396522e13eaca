import { SCRATCH, SCRATCH_VIEW } from './scratch.ts';

/**
 * A growable byte buffer used by every encoder in this folder, so that encoding a key or
 * a row allocates one backing array (amortized) instead of one per field.
 */
const INITIAL_CAPACITY_BYTES = 64;

export class ByteWriter {
  private buf: Uint8Array;
  /** Number of bytes written so far. */
  length = 0;

  constructor(capacityBytes = INITIAL_CAPACITY_BYTES) {
    this.buf = new Uint8Array(Math.max(capacityBytes, 8));
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): void {
    if (this.length >= this.buf.length) this.reserve(1);
    this.buf[this.length++] = v;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  u16le(v: number): void {
    this.reserve(2);
    const o = this.length;
    this.buf[o] = v & 0xff;
    this.buf[o + 1] = (v >>> 8) & 0xff;
    this.length += 2;
  }

  u32le(v: number): void {
    this.reserve(4);
    const o = this.length;
    this.buf[o] = v & 0xff;
    this.buf[o + 1] = (v >>> 8) & 0xff;
    this.buf[o + 2] = (v >>> 16) & 0xff;
    this.buf[o + 3] = (v >>> 24) & 0xff;
    this.length += 4;
  }

  u32be(v: number): void {
    this.reserve(4);
    const o = this.length;
    this.buf[o] = (v >>> 24) & 0xff;
    this.buf[o + 1] = (v >>> 16) & 0xff;
    this.buf[o + 2] = (v >>> 8) & 0xff;
    this.buf[o + 3] = v & 0xff;
    this.length += 4;
  }

  /** 8 bytes big-endian of the low 64 bits of `v`. */
  u64be(v: bigint): void {
    SCRATCH_VIEW.setBigUint64(0, BigInt.asUintN(64, v), false);
    this.scratch8(0);
  }

  /** 8 bytes little-endian of the low 64 bits of `v`. */
  u64le(v: bigint): void {
    SCRATCH_VIEW.setBigUint64(0, BigInt.asUintN(64, v), true);
    this.scratch8(0);
  }

  /**
   * Appends the 8 scratch bytes, XOR-ing the first with `firstXor` (the sign flip of
   * comparable ints). Callers fill SCRATCH first.
   */
  scratch8(firstXor: number): void {
    this.reserve(8);
    const o = this.length;
    const b = this.buf;
    b[o] = SCRATCH[0]! ^ firstXor;
    b[o + 1] = SCRATCH[1]!;
    b[o + 2] = SCRATCH[2]!;
    b[o + 3] = SCRATCH[3]!;
    b[o + 4] = SCRATCH[4]!;
    b[o + 5] = SCRATCH[5]!;
    b[o + 6] = SCRATCH[6]!;
    b[o + 7] = SCRATCH[7]!;
    this.length += 8;
  }

  /** Overwrites one already-written byte (for length prefixes patched after the fact). */
  setU8(offset: number, v: number): void {
    this.buf[offset] = v;
  }

  /** A copy of the written bytes (the writer may be reused afterwards). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /** The written bytes without copying; valid until the next write or `reset`. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** Forgets the content but keeps the capacity. */
  reset(): void {
    this.length = 0;
  }
}
