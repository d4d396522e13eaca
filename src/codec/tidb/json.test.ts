// Proves binary JSON round trips (value -> binary -> value/text -> binary) and TiDB's text formatting rules (seeded fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../util/bytes.ts';
import { datumEnd, encodeDatumValue } from './datum.ts';
import { decodeJson, encodeJson, formatJsonDouble, jsonToText, parseJsonText, type JsonValue } from './json.ts';
import { propertySeed } from './test_support.ts';

const seed = propertySeed();

const arbJson: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.string({ maxLength: 6 }), tie('v')), { maxLength: 4 }).map((kv) => new Map(kv)),
  ),
})).v;

describe('binary JSON', () => {
  it('encode/decode and text/parse round trips', () => {
    fc.assert(
      fc.property(arbJson, (v) => {
        const bin = encodeJson(v);
        const back = decodeJson(bin);
        expect(bytesToHex(encodeJson(back))).toBe(bytesToHex(bin));
        expect(bytesToHex(parseJsonText(jsonToText(bin)))).toBe(bytesToHex(bin));
        // As a datum the JSON value is self-delimiting.
        const datum = encodeDatumValue([{ kind: 'json', value: bin }]);
        expect(datumEnd(datum, 0)).toBe(datum.length);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('text formatting follows current TiDB', () => {
    expect(jsonToText(parseJsonText('{"b":[1,2.5,"x"],"a":{"c":null,"d":true}}'))).toBe('{"a": {"c": null, "d": true}, "b": [1, 2.5, "x"]}');
    expect(jsonToText(parseJsonText('"<&>\\u2028\\u0001é"'))).toBe('"<&>\\u2028\\u0001é"');
    expect(jsonToText(parseJsonText('18446744073709551615'))).toBe('18446744073709551615');
    expect(jsonToText(parseJsonText('18446744073709551616'))).toBe('1.8446744073709552e19');
    expect(formatJsonDouble(1)).toBe('1.0');
    expect(formatJsonDouble(-0)).toBe('-0.0');
    expect(formatJsonDouble(1e15)).toBe('1e15');
    expect(formatJsonDouble(999999999999999.9)).toBe('999999999999999.9');
    expect(formatJsonDouble(1.5e-16)).toBe('1.5e-16');
    expect(formatJsonDouble(0.000001)).toBe('0.000001');
    expect(formatJsonDouble(1e-15)).toBe('0.000000000000001');
  });

  it('rejects invalid text', () => {
    for (const t of ['', '{', '[1,]', '{"a" 1}', 'nul', '1 2', '"abc']) expect(() => parseJsonText(t)).toThrow(/invalid JSON/);
  });
});
