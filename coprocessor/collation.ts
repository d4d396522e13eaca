import { DomainError, bytesCompare } from '../src/util/mod.ts';

/** A string collation: ordering and the key under which strings group/hash as equal. */
export interface Collator {
  readonly name: string;
  compare(a: Uint8Array, b: Uint8Array): number;
  /** Bytes equal for exactly the strings the collation calls equal (hash/group key). */
  sortKey(s: Uint8Array): Uint8Array;
  /** True when `_` / `%` in LIKE match characters (not bytes) and compare case-insensitively. */
  readonly likeFoldCase: boolean;
  readonly likeByChars: boolean;
}

/** Case/accent-folded weight of one code point under utf8mb4_general_ci (used by LIKE). */
export function generalCiCodePointWeight(cp: number): number {
  return generalCiWeight(cp);
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

function trimTrailingSpaces(s: Uint8Array): Uint8Array {
  let n = s.length;
  while (n > 0 && s[n - 1] === 0x20) n--;
  return n === s.length ? s : s.subarray(0, n);
}

const BINARY: Collator = {
  name: 'binary',
  compare: bytesCompare,
  sortKey: (s) => s,
  likeFoldCase: false,
  likeByChars: false,
};

/** utf8mb4_bin / utf8_bin: byte order, trailing spaces ignored (PAD SPACE). */
const UTF8MB4_BIN: Collator = {
  name: 'utf8mb4_bin',
  compare: (a, b) => bytesCompare(trimTrailingSpaces(a), trimTrailingSpaces(b)),
  sortKey: trimTrailingSpaces,
  likeFoldCase: false,
  likeByChars: true,
};

/** utf8mb4_0900_bin: byte order, NO PAD. */
const UTF8MB4_0900_BIN: Collator = { ...BINARY, name: 'utf8mb4_0900_bin', likeByChars: true };

/**
 * Weight of one code point under utf8mb4_general_ci: accents stripped, upper-cased, one
 * weight per code point; supplementary-plane characters all weigh U+FFFD (as TiDB does).
 * Accent stripping uses Unicode NFD, which matches MySQL's table for Latin letters.
 */
function generalCiWeight(cp: number): number {
  if (cp > 0xffff) return 0xfffd;
  if (cp < 0x80) return cp >= 0x61 && cp <= 0x7a ? cp - 0x20 : cp;
  const base = String.fromCodePoint(cp).normalize('NFD').codePointAt(0)!;
  const upper = String.fromCodePoint(base).toUpperCase();
  return upper.length === 1 ? upper.codePointAt(0)! : base;
}

function generalCiKey(s: Uint8Array): Uint8Array {
  const t = trimTrailingSpaces(s);
  let ascii = true;
  for (let i = 0; i < t.length; i++) if (t[i]! >= 0x80) ascii = false;
  const out = new Uint8Array(ascii ? t.length * 2 : 0);
  if (ascii) {
    for (let i = 0; i < t.length; i++) {
      const c = t[i]!;
      out[2 * i + 1] = c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
    }
    return out;
  }
  const str = decoder.decode(t);
  const weights: number[] = [];
  for (const ch of str) weights.push(generalCiWeight(ch.codePointAt(0)!));
  const key = new Uint8Array(weights.length * 2);
  for (let i = 0; i < weights.length; i++) {
    key[2 * i] = weights[i]! >> 8;
    key[2 * i + 1] = weights[i]! & 0xff;
  }
  return key;
}

const UTF8MB4_GENERAL_CI: Collator = {
  name: 'utf8mb4_general_ci',
  compare: (a, b) => bytesCompare(generalCiKey(a), generalCiKey(b)),
  sortKey: generalCiKey,
  likeFoldCase: true,
  likeByChars: true,
};

/**
 * Resolves a pushed-down collation id. Negative ids come from TiDB's new collation framework;
 * non-negative ids mean the old framework, where TiKV compares bytes (utf8mb4_bin without
 * padding for non-binary ids). Unsupported new-framework collations are an error, never a
 * silently wrong order.
 */
export function collatorFor(collate: number | undefined): Collator {
  const id = collate ?? 0;
  if (id >= 0) return id === 63 || id === 0 ? BINARY : { ...BINARY, name: `old-framework(${id})`, likeByChars: true };
  switch (-id) {
    case 63:
      return BINARY;
    case 46:
    case 83:
    case 65:
    case 47:
      return UTF8MB4_BIN;
    case 309:
      return UTF8MB4_0900_BIN;
    case 45:
    case 33:
      return UTF8MB4_GENERAL_CI;
    default:
      throw new DomainError('NotImplemented', `coprocessor: collation id ${id} is not supported`);
  }
}

/** UTF-8 helpers shared by the string functions. */
export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}
