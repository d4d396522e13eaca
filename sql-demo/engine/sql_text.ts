/**
 * SQL text that may carry raw bytes. MySQL string literals are byte strings: a dump of a BLOB
 * holds bytes that are not UTF-8 (`'\0\xff'`), and they must reach a binary column unchanged.
 * Statement text is decoded as UTF-8 with every byte of an invalid sequence kept as a lone
 * surrogate U+DC00+byte, i.e. U+DC80..U+DCFF ("surrogate escape"); encoding for a binary
 * column turns them back into the bytes, and a text column refuses them (MySQL's 1366).
 * Valid UTF-8 — nearly all text — takes the fast path both ways.
 */

const strict = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();
const ESCAPE_BASE = 0xdc00;
/** A lone low surrogate in U+DC80..U+DCFF (the low half of a surrogate pair is text). */
export const ESCAPED_RE = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/** Decodes statement bytes; invalid UTF-8 bytes (all >= 0x80) become U+DC00+byte. */
export function decodeSqlText(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    return decodeEscaping(bytes);
  }
}

function decodeEscaping(b: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n > 1) {
      if (i + n > b.length) n = 0;
      else {
        for (let k = 1; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) n = 0;
        // Overlong, surrogate and out-of-range forms are invalid too.
        if (n === 3 && ((c === 0xe0 && b[i + 1]! < 0xa0) || (c === 0xed && b[i + 1]! >= 0xa0))) n = 0;
        if (n === 4 && ((c === 0xf0 && b[i + 1]! < 0x90) || (c === 0xf4 && b[i + 1]! >= 0x90))) n = 0;
      }
    }
    if (n === 0) {
      out += String.fromCharCode(ESCAPE_BASE + c);
      i++;
    } else {
      out += strict.decode(b.subarray(i, i + n));
      i += n;
    }
  }
  return out;
}

/** Whether `s` holds escaped raw bytes (and so is not valid text). */
export function hasRawBytes(s: string): boolean {
  return ESCAPED_RE.test(s);
}

/** The bytes of `s` for a binary value: UTF-8, with escaped raw bytes restored. */
export function encodeSqlBytes(s: string): Uint8Array {
  if (!ESCAPED_RE.test(s)) return encoder.encode(s);
  const parts: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= ESCAPE_BASE && u <= 0xdcff) {
      parts.push(u - ESCAPE_BASE);
      continue;
    }
    // A full code point (surrogate pairs stay together).
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    for (const x of encoder.encode(ch)) parts.push(x);
    if (cp > 0xffff) i++;
  }
  return Uint8Array.from(parts);
}
