// Proves CRC-64/XZ against the catalogue check value and a bit-by-bit BigInt reference, including forked prefix states.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from './crc64.ts';

function reference(bytes: Uint8Array): bigint {
  let c = 0xffffffffffffffffn;
  for (const b of bytes) {
    c ^= BigInt(b);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ 0xc96c5795d7870f42n : c >> 1n;
  }
  return c ^ 0xffffffffffffffffn;
}

describe('crc64', () => {
  it('matches the CRC-64/XZ check value', () => {
    expect(crc64(new TextEncoder().encode('123456789'))).toBe(0x995dc9bbdf1939fan);
    expect(crc64(new Uint8Array(0))).toBe(0n);
  });

  it('equals a bit-by-bit reference and forks a prefix state correctly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 50 }), (a, b) => {
        expect(crc64(a)).toBe(reference(a));
        const prefix = Crc64.create().update(a);
        const whole = new Uint8Array([...a, ...b]);
        expect(prefix.clone().update(b).digest()).toBe(reference(whole));
        expect(prefix.digest()).toBe(reference(a));
      }),
      { numRuns: 200 },
    );
  });
});
