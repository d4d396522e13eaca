/**
 * Fixed-width big-endian integers. Comparable encodings: unsigned as-is; signed with the
 * sign bit flipped; "desc" variants are bitwise inverted so larger values sort first.
 */
const U64_MASK = (1n << 64n) - 1n;
const SIGN_BIT = 1n << 63n;

export function encodeU64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value & U64_MASK);
  return out;
}

export function decodeU64(buf: Uint8Array, offset = 0): bigint {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(offset);
}

export function encodeU64Desc(value: bigint): Uint8Array {
  return encodeU64(~value & U64_MASK);
}

export function decodeU64Desc(buf: Uint8Array, offset = 0): bigint {
  return ~decodeU64(buf, offset) & U64_MASK;
}

/** Memcomparable signed 64-bit (TiDB `EncodeInt`): sign bit flipped, big-endian. */
export function encodeI64Comparable(value: bigint): Uint8Array {
  return encodeU64((BigInt.asUintN(64, value) ^ SIGN_BIT) & U64_MASK);
}

export function decodeI64Comparable(buf: Uint8Array, offset = 0): bigint {
  return BigInt.asIntN(64, decodeU64(buf, offset) ^ SIGN_BIT);
}
