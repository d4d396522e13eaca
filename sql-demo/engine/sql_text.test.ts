// Proves statement text is binary-safe: any byte string decodes and re-encodes to the same bytes, valid UTF-8 decodes as ordinary text, and only invalid bytes are flagged as raw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSqlText, encodeSqlBytes, hasRawBytes } from './sql_text.ts';

describe('sql text', () => {
  it('round-trips every byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(encodeSqlBytes(decodeSqlText(b))).toEqual(b);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes valid UTF-8 as text and flags nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 32 }).filter((s) => new TextDecoder().decode(new TextEncoder().encode(s)) === s), (s) => {
        const b = new TextEncoder().encode(s);
        expect(decodeSqlText(b)).toBe(s);
        expect(hasRawBytes(s)).toBe(false);
        expect(encodeSqlBytes(s)).toEqual(b);
      }),
    );
    expect(hasRawBytes(decodeSqlText(Uint8Array.of(0x61, 0xff)))).toBe(true);
    // Overlong and surrogate encodings are invalid UTF-8 and stay bytes.
    for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      const s = decodeSqlText(Uint8Array.from(bad));
      expect(hasRawBytes(s)).toBe(true);
      expect([...encodeSqlBytes(s)]).toEqual(bad);
    }
  });
});
