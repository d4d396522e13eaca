import { CorruptionError } from '../util/errors.ts';

/**
 * Memcomparable byte-string encoding (TiKV `codec::bytes`, TiDB `codec.EncodeBytes`):
 * the input is cut into 8-byte groups, each followed by a marker byte `0xFF - padding`,
 * the last group zero-padded. The encoded strings sort exactly as the originals.
 */
const GROUP_SIZE = 8;
const MARKER = 0xff;
const PAD = 0;

/** Length of `encodeBytes(input)` for an input of `n` bytes. */
export function encodedBytesLength(n: number): number {
  return (Math.floor(n / GROUP_SIZE) + 1) * (GROUP_SIZE + 1);
}

export function encodeBytes(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(encodedBytesLength(input.length));
  encodeBytesInto(input, out, 0);
  return out;
}

/** Writes the encoding of `input` into `out` at `offset`; returns the offset past it. */
export function encodeBytesInto(input: Uint8Array, out: Uint8Array, offset: number): number {
  let o = offset;
  for (let i = 0; i <= input.length; i += GROUP_SIZE) {
    const remain = input.length - i;
    if (remain >= GROUP_SIZE) {
      out.set(input.subarray(i, i + GROUP_SIZE), o);
      out[o + GROUP_SIZE] = MARKER;
    } else {
      out.set(input.subarray(i), o);
      out.fill(PAD, o + remain, o + GROUP_SIZE);
      out[o + GROUP_SIZE] = MARKER - (GROUP_SIZE - remain);
    }
    o += GROUP_SIZE + 1;
  }
  return o;
}

export interface Decoded<T> {
  value: T;
  /** Offset just past the decoded part. */
  next: number;
}

/**
 * Decodes one memcomparable byte string starting at `offset`. Throws `CorruptionError`
 * (callers decoding remote input catch it and answer a typed error) on malformed input.
 */
export function decodeBytes(buf: Uint8Array, offset = 0): Decoded<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  let o = offset;
  for (;;) {
    if (o + GROUP_SIZE + 1 > buf.length) throw new CorruptionError('memcomparable bytes: truncated group');
    const marker = buf[o + GROUP_SIZE]!;
    const padCount = MARKER - marker;
    if (padCount > GROUP_SIZE) throw new CorruptionError(`memcomparable bytes: bad marker ${marker}`);
    const realLen = GROUP_SIZE - padCount;
    parts.push(buf.subarray(o, o + realLen));
    total += realLen;
    for (let i = realLen; i < GROUP_SIZE; i++) {
      if (buf[o + i] !== PAD) throw new CorruptionError('memcomparable bytes: non-zero padding');
    }
    o += GROUP_SIZE + 1;
    if (padCount !== 0) break;
  }
  const value = new Uint8Array(total);
  let w = 0;
  for (const p of parts) {
    value.set(p, w);
    w += p.length;
  }
  return { value, next: o };
}
