import { CorruptionError } from '../util/mod.ts';

/**
 * Helpers for scans that read write-CF / default-CF keys in place (inside an engine's own key
 * arrays, at an offset) instead of decoding them: `encodeKey(userKey) ++ ~ts` (big-endian).
 */

/** Bytes of the inverted timestamp after the encoded user key in write/default CF keys. */
export const TS_BYTES = 8;
/** Bytes of one memcomparable group (8 data bytes + marker). */
export const GROUP_BYTES = 9;
export const U64_MASK = (1n << 64n) - 1n;

/** A read ts as the inverted suffix it is compared with, as two u32 halves (no bigint per key). */
export class InvertedTs {
  /** `~ts` big-endian, for building seek keys. */
  readonly bytes = new Uint8Array(TS_BYTES);
  readonly #hi: number;
  readonly #lo: number;

  constructor(ts: bigint) {
    const view = new DataView(this.bytes.buffer);
    view.setBigUint64(0, ~ts & U64_MASK);
    this.#hi = view.getUint32(0);
    this.#lo = view.getUint32(4);
  }

  /** Whether the version whose inverted commit_ts starts at `key[t]` has commit_ts <= ts. */
  visible(key: Uint8Array, t: number): boolean {
    const hi = ((key[t]! << 24) | (key[t + 1]! << 16) | (key[t + 2]! << 8) | key[t + 3]!) >>> 0;
    if (hi !== this.#hi) return hi > this.#hi;
    const lo = ((key[t + 4]! << 24) | (key[t + 5]! << 16) | (key[t + 6]! << 8) | key[t + 7]!) >>> 0;
    return lo >= this.#lo;
  }
}

/** Orders a[ao..] against b, as unsigned bytes. */
export function compareFrom(a: Uint8Array, ao: number, b: Uint8Array): number {
  const an = a.length - ao;
  const n = Math.min(an, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[ao + i]! - b[i]!;
    if (d !== 0) return d;
  }
  return an - b.length;
}

/** Whether a[ao..ao+n) equals b[bo..bo+n), comparing from the end (keys of one table differ last). */
export function sameBytesFromEnd(a: Uint8Array, ao: number, b: Uint8Array, bo: number, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/**
 * The raw user key of the encoded user key `key[offset..offset+encLen)`: memcomparable groups
 * of 8 bytes plus a marker (0xFF for a full group, 0xFF - padding for the last one). Malformed
 * persisted bytes throw `CorruptionError`.
 */
export function decodeUserKeyAt(key: Uint8Array, offset: number, encLen: number): Uint8Array {
  const groups = encLen / GROUP_BYTES;
  if (!Number.isInteger(groups)) throw new CorruptionError(`write CF key: encoded user key of ${encLen} bytes`);
  const lastMarker = key[offset + encLen - 1]!;
  const pad = 0xff - lastMarker;
  if (pad < 1 || pad > 8) throw new CorruptionError(`write CF key: bad last marker ${lastMarker}`);
  const n = groups * 8 - pad;
  const out = new Uint8Array(n);
  let w = 0;
  for (let g = 0; g < groups; g++) {
    const base = offset + g * GROUP_BYTES;
    if (g < groups - 1) {
      if (key[base + 8] !== 0xff) throw new CorruptionError(`write CF key: bad marker ${key[base + 8]}`);
      for (let i = 0; i < 8; i++) out[w++] = key[base + i]!;
    } else {
      for (let i = 0; i < 8 - pad; i++) out[w++] = key[base + i]!;
      for (let i = 8 - pad; i < 8; i++) {
        if (key[base + i] !== 0) throw new CorruptionError('write CF key: non-zero padding');
      }
    }
  }
  return out;
}
