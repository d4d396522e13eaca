/**
 * A growable byte buffer used by every encoder in this folder, so that encoding a key or
 * a row allocates one backing array (amortized) instead of one per field.
 */
const INITIAL_CAPACITY_BYTES = 64;

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Number of bytes written so far. */
  length = 0;

  constructor(capacityBytes = INITIAL_CAPACITY_BYTES) {
    this.buf = new Uint8Array(Math.max(capacityBytes, 8));
    this.view = new DataView(this.buf.buffer);
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
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  u16le(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32le(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  u32be(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, false);
    this.length += 4;
  }

  /** 8 bytes big-endian of the low 64 bits of `v`. */
  u64be(v: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, v), false);
    this.length += 8;
  }

  /** 8 bytes little-endian of the low 64 bits of `v`. */
  u64le(v: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, v), true);
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

  /** Forgets the content but keeps the capacity. */
  reset(): void {
    this.length = 0;
  }
}
