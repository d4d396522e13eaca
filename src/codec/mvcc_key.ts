import { CorruptionError } from '../util/errors.ts';
import { encodeBytesInto, encodedBytesLength, decodeBytes } from './memcomparable.ts';
import { decodeU64Desc } from './number.ts';

/**
 * MVCC keys as TiKV lays them out: the memcomparable-encoded user key, then (for the
 * `write` and `default` families) the timestamp bitwise inverted, so that a forward scan
 * meets the newest version of a key first. The `lock` family uses the encoded key alone.
 */
const TS_LEN = 8;
const U64_MASK = (1n << 64n) - 1n;

/** Encoded user key with no timestamp (lock CF key, and the seek prefix of a user key). */
export function encodeKey(userKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(encodedBytesLength(userKey.length));
  encodeBytesInto(userKey, out, 0);
  return out;
}

/** Encoded user key followed by the inverted timestamp. */
export function encodeKeyWithTs(userKey: Uint8Array, ts: bigint): Uint8Array {
  const n = encodedBytesLength(userKey.length);
  const out = new Uint8Array(n + TS_LEN);
  encodeBytesInto(userKey, out, 0);
  new DataView(out.buffer).setBigUint64(n, ~ts & U64_MASK);
  return out;
}

export interface DecodedMvccKey {
  userKey: Uint8Array;
  ts: bigint;
}

export function decodeKeyWithTs(key: Uint8Array): DecodedMvccKey {
  const { value, next } = decodeBytes(key, 0);
  if (key.length !== next + TS_LEN) throw new CorruptionError('mvcc key: bad timestamp suffix');
  return { userKey: value, ts: decodeU64Desc(key, next) };
}

/** The encoded-user-key part of an MVCC key (everything but the timestamp). */
export function truncateTs(key: Uint8Array): Uint8Array {
  if (key.length < TS_LEN) throw new CorruptionError('mvcc key: too short');
  return key.subarray(0, key.length - TS_LEN);
}

export function decodeTs(key: Uint8Array): bigint {
  if (key.length < TS_LEN) throw new CorruptionError('mvcc key: too short');
  return decodeU64Desc(key, key.length - TS_LEN);
}
