export { encodeBytes, encodeBytesInto, encodedBytesLength, decodeBytes, type Decoded } from './memcomparable.ts';
export { encodeU64, decodeU64, encodeU64Desc, decodeU64Desc, encodeI64Comparable, decodeI64Comparable } from './number.ts';
export { encodeKey, encodeKeyWithTs, decodeKeyWithTs, truncateTs, decodeTs, type DecodedMvccKey } from './mvcc_key.ts';
