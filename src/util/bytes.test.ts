// Proves bytesCompare is the unsigned lexicographic order that keys use everywhere.
import { describe, expect, it } from 'vitest';
import { bytesCompare } from './bytes.ts';

describe('bytesCompare', () => {
  it('orders unsigned, shorter prefix first', () => {
    expect(bytesCompare(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(-1);
    expect(bytesCompare(new Uint8Array([0xff]), new Uint8Array([0x01]))).toBe(1);
    expect(bytesCompare(new Uint8Array([]), new Uint8Array([]))).toBe(0);
  });
});
