import { CorruptionError } from '../../util/errors.ts';
import { decodeBytes, encodeBytesInto, encodedBytesLength, type Decoded } from '../memcomparable.ts';
import type { ByteWriter } from './byte_writer.ts';
import { loadScratch, SCRATCH, SCRATCH_VIEW, u32be } from './scratch.ts';

/**
 * The primitive codecs of TiDB `pkg/util/codec` (and TiKV `components/codec`): comparable
 * (memcomparable) int64/uint64/float64, Go's varint/uvarint, compact bytes and
 * memcomparable bytes, plus the descending variants (bitwise NOT of the ascending bytes).
 * Writers append to a `ByteWriter`; readers take `(buf, offset)` and throw
 * `CorruptionError` on truncated or malformed input.
 */

/** Go `binary.MaxVarintLen64`. */
export const VARINT_BYTES_MAX = 10;

function need(buf: Uint8Array, offset: number, n: number, what: string): void {
  if (offset < 0 || offset + n > buf.length) throw new CorruptionError(`${what}: need ${n} bytes at ${offset}, have ${buf.length - offset}`);
}

/** TiDB `EncodeInt`: 8 bytes big-endian of `uint64(v) ^ (1 << 63)`. */
export function writeIntComparable(w: ByteWriter, v: bigint): void {
  SCRATCH_VIEW.setBigInt64(0, BigInt.asIntN(64, v), false);
  w.scratch8(0x80);
}

/** Writes TiDB `EncodeInt(v)` into `out` at `offset` (8 bytes; no bounds growth). */
export function putIntComparable(out: Uint8Array, offset: number, v: bigint): void {
  SCRATCH_VIEW.setBigInt64(0, BigInt.asIntN(64, v), false);
  out[offset] = SCRATCH[0]! ^ 0x80;
  for (let i = 1; i < 8; i++) out[offset + i] = SCRATCH[i]!;
}

/** TiDB `EncodeIntDesc`: bitwise NOT of `EncodeInt`. */
export function writeIntComparableDesc(w: ByteWriter, v: bigint): void {
  SCRATCH_VIEW.setBigInt64(0, ~BigInt.asIntN(64, v), false);
  w.scratch8(0x80);
}

export function readIntComparable(buf: Uint8Array, offset: number): bigint {
  need(buf, offset, 8, 'comparable int');
  loadScratch(buf, offset);
  SCRATCH[0] = SCRATCH[0]! ^ 0x80;
  return SCRATCH_VIEW.getBigInt64(0, false);
}

export function readIntComparableDesc(buf: Uint8Array, offset: number): bigint {
  need(buf, offset, 8, 'comparable int desc');
  loadScratch(buf, offset);
  SCRATCH[0] = SCRATCH[0]! ^ 0x80;
  return ~SCRATCH_VIEW.getBigInt64(0, false);
}

/** TiDB `EncodeUint`: 8 bytes big-endian. */
export function writeUintComparable(w: ByteWriter, v: bigint): void {
  w.u64be(v);
}

export function writeUintComparableDesc(w: ByteWriter, v: bigint): void {
  w.u64be(~v);
}

export function readUintComparable(buf: Uint8Array, offset: number): bigint {
  need(buf, offset, 8, 'comparable uint');
  loadScratch(buf, offset);
  return SCRATCH_VIEW.getBigUint64(0, false);
}

export function readUintComparableDesc(buf: Uint8Array, offset: number): bigint {
  need(buf, offset, 8, 'comparable uint desc');
  loadScratch(buf, offset);
  return BigInt.asUintN(64, ~SCRATCH_VIEW.getBigUint64(0, false));
}

const floatScratch = new DataView(new ArrayBuffer(8));

/**
 * TiDB `EncodeFloat`: the IEEE bits with the sign bit set for `f >= 0`, all bits inverted
 * otherwise. Like TiDB (`f >= 0`, not the sign bit) −0.0 encodes as +0.0.
 */
export function writeFloatComparable(w: ByteWriter, f: number): void {
  floatScratch.setFloat64(0, f, false);
  let hi = floatScratch.getUint32(0, false);
  let lo = floatScratch.getUint32(4, false);
  if (f >= 0) {
    hi = (hi | 0x80000000) >>> 0;
  } else {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  }
  w.u32be(hi);
  w.u32be(lo);
}

export function writeFloatComparableDesc(w: ByteWriter, f: number): void {
  floatScratch.setFloat64(0, f, false);
  let hi = floatScratch.getUint32(0, false);
  let lo = floatScratch.getUint32(4, false);
  if (f >= 0) hi = (hi | 0x80000000) >>> 0;
  else {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  }
  w.u32be(~hi >>> 0);
  w.u32be(~lo >>> 0);
}

/** Inverse of `writeFloatComparable` reading 8 bytes at `offset`. */
export function readFloatComparable(buf: Uint8Array, offset: number): number {
  need(buf, offset, 8, 'comparable float');
  return cmpWordsToFloat(u32be(buf, offset), u32be(buf, offset + 4));
}

export function readFloatComparableDesc(buf: Uint8Array, offset: number): number {
  need(buf, offset, 8, 'comparable float desc');
  return cmpWordsToFloat(~u32be(buf, offset) >>> 0, ~u32be(buf, offset + 4) >>> 0);
}

function cmpWordsToFloat(hi: number, lo: number): number {
  if (hi & 0x80000000) {
    hi = (hi & 0x7fffffff) >>> 0;
  } else {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  }
  floatScratch.setUint32(0, hi, false);
  floatScratch.setUint32(4, lo, false);
  return floatScratch.getFloat64(0, false);
}

/** Go `binary.PutUvarint` (LEB128) of a uint64. */
export function writeUvarint(w: ByteWriter, v: bigint): void {
  let x = BigInt.asUintN(64, v);
  if (x < 0x80n) {
    w.u8(Number(x));
    return;
  }
  while (x >= 0x80n) {
    w.u8(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  w.u8(Number(x));
}

/** Go `binary.PutVarint`: zig-zag (`(v << 1) ^ (v >> 63)`) then LEB128. */
export function writeVarint(w: ByteWriter, v: bigint): void {
  const x = BigInt.asIntN(64, v);
  writeUvarint(w, BigInt.asUintN(64, (x << 1n) ^ (x >> 63n)));
}

/** Writes a non-negative JS integer as a varint (lengths). */
export function writeVarintSmall(w: ByteWriter, n: number): void {
  let x = n * 2; // zig-zag of a non-negative value
  while (x >= 0x80) {
    w.u8((x % 0x80) | 0x80);
    x = Math.floor(x / 0x80);
  }
  w.u8(x);
}

/** Go `binary.Uvarint`, rejecting overflow beyond 64 bits and truncation. */
export function readUvarint(buf: Uint8Array, offset: number): Decoded<bigint> {
  let small = 0;
  let o = offset;
  // Up to 7 groups (49 bits) fit a double exactly.
  for (let shift = 0; shift < 49; shift += 7) {
    if (o >= buf.length) throw new CorruptionError('uvarint: truncated');
    const b = buf[o++]!;
    small += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return { value: BigInt(small), next: o };
  }
  let big = BigInt(small);
  for (let shift = 49n; ; shift += 7n) {
    if (o >= buf.length) throw new CorruptionError('uvarint: truncated');
    const b = buf[o++]!;
    if (o - offset === VARINT_BYTES_MAX && b > 1) throw new CorruptionError('uvarint: overflows 64 bits');
    big |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return { value: big, next: o };
    if (o - offset >= VARINT_BYTES_MAX) throw new CorruptionError('uvarint: overflows 64 bits');
  }
}

/** Go `binary.Varint`. */
export function readVarint(buf: Uint8Array, offset: number): Decoded<bigint> {
  const u = readUvarint(buf, offset);
  const x = u.value;
  const v = (x & 1n) === 0n ? x >> 1n : ~(x >> 1n);
  return { value: BigInt.asIntN(64, v), next: u.next };
}

/** A varint that must be a non-negative safe JS integer (lengths). */
export function readVarintLength(buf: Uint8Array, offset: number, what: string): Decoded<number> {
  const d = readVarint(buf, offset);
  if (d.value < 0n || d.value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CorruptionError(`${what}: bad length ${d.value}`);
  return { value: Number(d.value), next: d.next };
}

/** TiDB `EncodeCompactBytes`: varint(len) ++ bytes. */
export function writeCompactBytes(w: ByteWriter, b: Uint8Array): void {
  writeVarintSmall(w, b.length);
  w.bytes(b);
}

/** Decodes compact bytes; the value is a view into `buf` (no copy). */
export function readCompactBytes(buf: Uint8Array, offset: number): Decoded<Uint8Array> {
  const len = readVarintLength(buf, offset, 'compact bytes');
  need(buf, len.next, len.value, 'compact bytes');
  return { value: buf.subarray(len.next, len.next + len.value), next: len.next + len.value };
}

/** TiDB `EncodeBytes` (memcomparable groups of 8 + marker). */
export function writeMemComparableBytes(w: ByteWriter, b: Uint8Array): void {
  const n = encodedBytesLength(b.length);
  w.reserve(n);
  const tmp = new Uint8Array(n);
  encodeBytesInto(b, tmp, 0);
  w.bytes(tmp);
}

/** TiDB `EncodeBytesDesc`: every byte of `EncodeBytes` inverted. */
export function writeMemComparableBytesDesc(w: ByteWriter, b: Uint8Array): void {
  const tmp = new Uint8Array(encodedBytesLength(b.length));
  encodeBytesInto(b, tmp, 0);
  for (let i = 0; i < tmp.length; i++) tmp[i] = ~tmp[i]! & 0xff;
  w.bytes(tmp);
}

/** Decodes memcomparable bytes (copying). */
export function readMemComparableBytes(buf: Uint8Array, offset: number): Decoded<Uint8Array> {
  return decodeBytes(buf, offset);
}

export function readMemComparableBytesDesc(buf: Uint8Array, offset: number): Decoded<Uint8Array> {
  const end = memComparableBytesEnd(buf, offset, true);
  const inv = new Uint8Array(end - offset);
  for (let i = 0; i < inv.length; i++) inv[i] = ~buf[offset + i]! & 0xff;
  const d = decodeBytes(inv, 0);
  return { value: d.value, next: offset + d.next };
}

/** Offset just past the memcomparable byte string at `offset` without decoding it. */
export function memComparableBytesEnd(buf: Uint8Array, offset: number, desc = false): number {
  let o = offset;
  for (;;) {
    need(buf, o, 9, 'memcomparable bytes');
    const marker = desc ? ~buf[o + 8]! & 0xff : buf[o + 8]!;
    o += 9;
    if (marker === 0xff) continue;
    if (marker < 0xff - 8) throw new CorruptionError(`memcomparable bytes: bad marker ${marker}`);
    return o;
  }
}
