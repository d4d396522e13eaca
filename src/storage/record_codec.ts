import { CorruptionError } from '../util/mod.ts';

/**
 * Byte helpers for the lock and write record layouts (TiKV `codec::number` varints and
 * big-endian u64s). A `RecordWriter` grows as needed; a `RecordReader` throws
 * `CorruptionError` on truncated or malformed persisted bytes.
 */

/** Largest varint we accept: ten 7-bit groups hold 64 bits. */
const VARINT_BYTES_MAX = 10;
const U64_MASK = (1n << 64n) - 1n;

/** Appends record fields into a growing buffer. */
export class RecordWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Unsigned LEB128 (TiKV `encode_var_u64`). */
  varU64(value: bigint): void {
    let v = value & U64_MASK;
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  /** Zigzag LEB128 (TiKV `encode_var_i64`). */
  varI64(value: bigint): void {
    const zigzag = value < 0n ? ((-value) << 1n) - 1n : value << 1n;
    this.varU64(zigzag);
  }

  /** Big-endian fixed 8 bytes (TiKV `encode_u64`). */
  u64(value: bigint): void {
    this.reserve(8);
    new DataView(this.buf.buffer).setBigUint64(this.len, value & U64_MASK);
    this.len += 8;
  }

  /** Length as zigzag varint, then the bytes (TiKV `encode_compact_bytes`). */
  compactBytes(b: Uint8Array): void {
    this.varI64(BigInt(b.length));
    this.bytes(b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Reads record fields; every malformed input becomes a `CorruptionError`. */
export class RecordReader {
  private off = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.off;
  }

  private need(n: number): void {
    if (this.off + n > this.buf.length) throw new CorruptionError(`${this.what}: truncated at ${this.off}`);
  }

  byte(): number {
    this.need(1);
    return this.buf[this.off++]!;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.off, this.off + n);
    this.off += n;
    return out;
  }

  varU64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < VARINT_BYTES_MAX; i++) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result & U64_MASK;
      shift += 7n;
    }
    throw new CorruptionError(`${this.what}: varint too long`);
  }

  varI64(): bigint {
    const z = this.varU64();
    return (z & 1n) === 0n ? z >> 1n : -((z + 1n) >> 1n);
  }

  u64(): bigint {
    this.need(8);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength).getBigUint64(this.off);
    this.off += 8;
    return v;
  }

  compactBytes(): Uint8Array {
    const n = this.varI64();
    if (n < 0n || n > BigInt(this.remaining)) throw new CorruptionError(`${this.what}: bad byte-string length ${n}`);
    return this.bytes(Number(n));
  }

  /** A count prefix for a repeated field; bounded by the bytes left so garbage cannot allocate. */
  count(minBytesEach: number): number {
    const n = this.varU64();
    if (n > BigInt(Math.floor(this.remaining / minBytesEach))) throw new CorruptionError(`${this.what}: bad count ${n}`);
    return Number(n);
  }
}
