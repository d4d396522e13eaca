// Proves the protobuf runtime round-trips every 64-bit integer as an exact bigint, fills
// proto3 defaults, and turns malformed bytes into a typed error instead of a crash.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { loadProtoRoot } from './runtime.ts';
import { DomainError } from '../util/errors.ts';

const root = loadProtoRoot(join(import.meta.dirname, 'testdata'));
const Outer = root.lookupType('sample.Outer');

function roundTrip(value: object): Record<string, unknown> {
  return Outer.decode(Outer.encode(value).finish()) as unknown as Record<string, unknown>;
}

describe('protobuf runtime (bigint mode)', () => {
  it('round-trips 64-bit extremes exactly', () => {
    const max = (1n << 64n) - 1n;
    const out = roundTrip({
      signedValue: -(1n << 63n),
      unsignedValue: max,
      fixedValue: (1n << 62n) + 12345n,
      zigzagValue: -7n,
      versions: [0n, 1n, 1n << 60n, max],
    });
    expect(out['signedValue']).toBe(-(1n << 63n));
    expect(out['unsignedValue']).toBe(max);
    expect(out['fixedValue']).toBe((1n << 62n) + 12345n);
    expect(out['zigzagValue']).toBe(-7n);
    expect(out['versions']).toEqual([0n, 1n, 1n << 60n, max]);
  });

  it('reads proto3 defaults for absent fields', () => {
    const out = roundTrip({});
    expect(out['signedValue']).toBe(0n);
    expect(out['unsignedValue']).toBe(0n);
    expect(out['small']).toBe(0);
    expect(out['name']).toBe('');
    expect(out['versions']).toEqual([]);
    expect(out['inner'] ?? null).toBeNull();
    expect(out['color']).toBe(0);
  });

  it('reads an absent bytes field as an empty Uint8Array', () => {
    const out = roundTrip({ inner: {} });
    const key = (out['inner'] as { key: unknown }).key;
    expect(key).toBeInstanceOf(Uint8Array);
    expect((key as Uint8Array).length).toBe(0);
  });

  it('round-trips nested messages, bytes and oneofs', () => {
    const out = roundTrip({ inner: { key: new Uint8Array([0, 255]), version: 42n }, put: { version: 7n } });
    expect(Array.from((out['inner'] as { key: Uint8Array }).key)).toEqual([0, 255]);
    expect((out['inner'] as { version: bigint }).version).toBe(42n);
    expect(out['cmd']).toBe('put');
    expect((out['put'] as { version: bigint }).version).toBe(7n);
  });

  it('random uint64 and int64 values survive encode/decode (seeded)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (u, s) => {
        const out = roundTrip({ unsignedValue: u, signedValue: s, zigzagValue: s });
        return out['unsignedValue'] === u && out['signedValue'] === s && out['zigzagValue'] === s;
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });

  it('malformed bytes become a DomainError', async () => {
    const { decodeMessage } = await import('./runtime.ts');
    // decodeMessage uses the project's root; exercise the same error path on the sample root.
    expect(() => Outer.decode(new Uint8Array([0x0a, 0xff, 0xff]))).toThrow();
    expect(() => decodeMessage('sample.Outer', new Uint8Array([1]))).toThrow(DomainError);
  });
});
