// Proves remainingRanges follows TiDB's calculateRemain for paging in both scan directions.
import { describe, expect, it } from 'vitest';
import { remainingRanges } from './tikv_coprocessor.ts';

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const show = (rs: Array<{ start: Uint8Array; end: Uint8Array }>): string[] => rs.map((r) => `${new TextDecoder().decode(r.start)}-${new TextDecoder().decode(r.end)}`);

describe('remainingRanges', () => {
  const ranges = [{ start: b('a'), end: b('c') }, { start: b('e'), end: b('g') }, { start: b('h'), end: new Uint8Array(0) }];
  it('ascending keeps what lies at or after the scanned end', () => {
    expect(show(remainingRanges(ranges, { start: b('a'), end: b('b\0') }, false))).toEqual(['b\0-c', 'e-g', 'h-']);
    expect(show(remainingRanges(ranges, { start: b('a'), end: b('f') }, false))).toEqual(['f-g', 'h-']);
    expect(show(remainingRanges(ranges, { start: b('a'), end: b('g') }, false))).toEqual(['h-']);
    expect(show(remainingRanges(ranges, { start: b('a'), end: new Uint8Array(0) }, false))).toEqual([]);
  });
  it('descending keeps what lies before the scanned start', () => {
    expect(show(remainingRanges(ranges, { start: b('hz'), end: new Uint8Array(0) }, true))).toEqual(['a-c', 'e-g', 'h-hz']);
    expect(show(remainingRanges(ranges, { start: b('f'), end: new Uint8Array(0) }, true))).toEqual(['a-c', 'e-f']);
    expect(show(remainingRanges(ranges, { start: b('a'), end: b('c') }, true))).toEqual([]);
  });
});
