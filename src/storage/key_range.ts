import { bytesCompare } from '../util/mod.ts';

/**
 * Byte-range helpers. An empty end key means "unbounded" everywhere, as in region ranges.
 */

/** The smallest key greater than every key that has `key` as a prefix; empty if none. */
export function prefixNext(key: Uint8Array): Uint8Array {
  const out = key.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]! += 1;
      return out.subarray(0, i + 1);
    }
  }
  return new Uint8Array(0);
}

/** The larger of two lower bounds. */
export function maxLower(a: Uint8Array, b: Uint8Array): Uint8Array {
  return bytesCompare(a, b) >= 0 ? a : b;
}

/** The smaller of two exclusive upper bounds, where empty means unbounded. */
export function minUpper(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return bytesCompare(a, b) <= 0 ? a : b;
}

/** Whether `key` is in [start, end) with an empty end unbounded. */
export function inRange(key: Uint8Array, start: Uint8Array, end: Uint8Array): boolean {
  return bytesCompare(key, start) >= 0 && (end.length === 0 || bytesCompare(key, end) < 0);
}
