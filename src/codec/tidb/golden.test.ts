// Proves byte-exact agreement with TiDB's own codec (vectors from test/compat/tidbcodec, TiDB v1.1.0-beta packages).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../util/bytes.ts';
import {
  ByteWriter,
  Datums,
  Decimal,
  MysqlType,
  coreTimeToFields,
  coreTimeToPacked,
  decodeDatum,
  decodeIndexKey,
  decodeRecordKey,
  decodeRowV1,
  encodeDatumKey,
  encodeDatumValue,
  encodeIndexKey,
  encodeRecordKey,
  encodeRowV1,
  formatCoreTime,
  formatDuration,
  parseDuration,
  parseTime,
  readCompactBytes,
  readFloatComparable,
  readFloatComparableDesc,
  readIntComparable,
  readIntComparableDesc,
  readMemComparableBytes,
  readMemComparableBytesDesc,
  readUintComparable,
  readUintComparableDesc,
  readUvarint,
  readVarint,
  writeCompactBytes,
  writeFloatComparable,
  writeFloatComparableDesc,
  writeIntComparable,
  writeIntComparableDesc,
  writeMemComparableBytes,
  writeMemComparableBytesDesc,
  writeUintComparable,
  writeUintComparableDesc,
  writeUvarint,
  writeVarint,
  decodeJson,
  encodeJson,
  jsonToText,
  parseJsonText,
  type Datum,
} from './mod.ts';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const V: J = JSON.parse(readFileSync(new URL('./testdata/tidb_vectors.json', import.meta.url), 'utf8'));

function enc(f: (w: ByteWriter) => void): string {
  const w = new ByteWriter();
  f(w);
  return bytesToHex(w.finish());
}

function floatOfBits(bits: string): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, BigInt('0x' + bits));
  return dv.getFloat64(0);
}

function datumOf(d: J): Datum {
  switch (d.k) {
    case 'null':
      return Datums.null();
    case 'int':
      return Datums.int(BigInt(d.v));
    case 'uint':
      return Datums.uint(BigInt(d.v));
    case 'float':
      return Datums.float(floatOfBits(d.bits));
    case 'bytes':
      return Datums.bytes(hexToBytes(d.v));
    case 'decimal':
      return Datums.decimal(Decimal.parse(d.v), d.prec, d.frac);
    case 'time':
      return Datums.time(parseTime(d.v, d.tp, d.fsp));
    case 'duration':
      return Datums.duration(BigInt(d.ns));
    case 'maxValue':
      return Datums.maxValue();
    case 'minNotNull':
      return Datums.minNotNull();
    default:
      throw new Error(`unknown datum kind ${d.k}`);
  }
}

describe(`golden vectors from ${V.source}`, () => {
  it('comparable and varint int64', () => {
    for (const c of V.ints) {
      const v = BigInt(c.v);
      expect(enc((w) => writeIntComparable(w, v))).toBe(c.cmp);
      expect(enc((w) => writeIntComparableDesc(w, v))).toBe(c.cmpDesc);
      expect(enc((w) => writeVarint(w, v))).toBe(c.varint);
      expect(readIntComparable(hexToBytes(c.cmp), 0)).toBe(v);
      expect(readIntComparableDesc(hexToBytes(c.cmpDesc), 0)).toBe(v);
      expect(readVarint(hexToBytes(c.varint), 0).value).toBe(v);
    }
  });

  it('comparable and uvarint uint64', () => {
    for (const c of V.uints) {
      const v = BigInt(c.v);
      expect(enc((w) => writeUintComparable(w, v))).toBe(c.cmp);
      expect(enc((w) => writeUintComparableDesc(w, v))).toBe(c.cmpDesc);
      expect(enc((w) => writeUvarint(w, v))).toBe(c.uvarint);
      expect(readUintComparable(hexToBytes(c.cmp), 0)).toBe(v);
      expect(readUintComparableDesc(hexToBytes(c.cmpDesc), 0)).toBe(v);
      expect(readUvarint(hexToBytes(c.uvarint), 0).value).toBe(v);
    }
  });

  it('comparable float64', () => {
    for (const c of V.floats) {
      const f = floatOfBits(c.bits);
      expect(enc((w) => writeFloatComparable(w, f))).toBe(c.cmp);
      expect(enc((w) => writeFloatComparableDesc(w, f))).toBe(c.cmpDesc);
      // -0.0 encodes as +0.0 in TiDB, so only the value (not the sign of zero) round-trips.
      expect(readFloatComparable(hexToBytes(c.cmp), 0) === f).toBe(true);
      expect(readFloatComparableDesc(hexToBytes(c.cmpDesc), 0) === f).toBe(true);
    }
  });

  it('memcomparable and compact bytes', () => {
    for (const c of V.bytes) {
      const b = hexToBytes(c.v);
      expect(enc((w) => writeMemComparableBytes(w, b))).toBe(c.mem);
      expect(enc((w) => writeMemComparableBytesDesc(w, b))).toBe(c.memDesc);
      expect(enc((w) => writeCompactBytes(w, b))).toBe(c.compact);
      expect(bytesToHex(readMemComparableBytes(hexToBytes(c.mem), 0).value)).toBe(c.v);
      expect(bytesToHex(readMemComparableBytesDesc(hexToBytes(c.memDesc), 0).value)).toBe(c.v);
      expect(bytesToHex(readCompactBytes(hexToBytes(c.compact), 0).value)).toBe(c.v);
    }
  });

  it('decimal parse, string, precision, bin and datum key', () => {
    for (const c of V.decimals) {
      const d = Decimal.parse(c.s);
      expect(d.toString()).toBe(c.str);
      expect([d.precision, d.frac]).toEqual([c.autoPrec, c.autoFrac]);
      expect(bytesToHex(d.toBin(c.prec, c.frac))).toBe(c.bin);
      const back = Decimal.fromBin(hexToBytes(c.bin), 0, c.prec, c.frac);
      expect(back.compare(d)).toBe(0);
      expect(back.frac).toBe(c.frac);
      expect(bytesToHex(encodeDatumKey([Datums.decimal(d)]))).toBe(c.datumKey);
    }
  });

  it('decimal arithmetic matches MyDecimal', () => {
    for (const c of V.decimalOps) {
      const a = Decimal.parse(c.a);
      const b = Decimal.parse(c.b);
      const ctx = `${c.a} op ${c.b}`;
      expect(a.add(b).toString(), ctx).toBe(c.add);
      expect(a.sub(b).toString(), ctx).toBe(c.sub);
      // v1.1.0-beta's DecimalMul prints garbage for some wide products (an old TiDB bug);
      // those vectors are skipped (mul is also checked against a bigint model in decimal.test.ts).
      if (c.mul !== undefined && /^-?\d+(\.\d+)?$/.test(c.mul)) {
        // v1.1.0-beta turns a negative-zero product into frac 0; current TiDB keeps frac1+frac2
        // (zeroMyDecimalWithFrac), which is what we do: compare zero products by value.
        const p = a.mul(b);
        if (p.isZero()) expect(p.compare(Decimal.parse(c.mul)), ctx).toBe(0);
        else expect(p.toString(), ctx).toBe(c.mul);
      }
      expect(a.div(b)?.toString() ?? null, ctx).toBe(c.div);
      expect(a.mod(b)?.toString() ?? null, ctx).toBe(c.mod);
      expect(a.round(c.roundFrac).toString(), `${ctx} round ${c.roundFrac}`).toBe(c.round);
    }
  });

  it('packed times, fields, strings and datum keys', () => {
    for (const c of V.times) {
      const ct = parseTime(c.s, c.tp, c.fsp);
      const f = coreTimeToFields(ct);
      if (c.tp === MysqlType.Date && c.fields.slice(3).some((x: number) => x !== 0)) {
        // v1.1.0-beta keeps hh:mm:ss inside a DATE; current TiDB's ParseTime truncates them
        // (as we do), so only the date part is comparable here.
        expect([f.year, f.month, f.day, f.hour, f.minute, f.second], c.s).toEqual([...c.fields.slice(0, 3), 0, 0, 0]);
        expect(formatCoreTime(ct), c.s).toBe(c.str);
        continue;
      }
      expect([f.year, f.month, f.day, f.hour, f.minute, f.second, f.microsecond], c.s).toEqual(c.fields);
      expect(coreTimeToPacked(ct).toString(), c.s).toBe(c.packed);
      expect(formatCoreTime(ct), c.s).toBe(c.str);
      expect(bytesToHex(encodeDatumKey([Datums.time(ct)])), c.s).toBe(c.datumKey);
    }
  });

  it('durations', () => {
    for (const c of V.durations) {
      const ns = parseDuration(c.s, c.fsp);
      expect(ns.toString(), c.s).toBe(c.ns);
      expect(formatDuration(ns, c.fsp), c.s).toBe(c.str);
      expect(bytesToHex(encodeDatumKey([Datums.duration(ns)])), c.s).toBe(c.datumKey);
    }
  });

  it('datum key and value encodings', () => {
    for (const c of V.datums) {
      const d = datumOf(c.d);
      expect(bytesToHex(encodeDatumKey([d])), JSON.stringify(c.d)).toBe(c.key);
      expect(bytesToHex(encodeDatumValue([d])), JSON.stringify(c.d)).toBe(c.value);
      if (c.d.k !== 'minNotNull') {
        // Both encodings decode to a datum whose key encoding is TiDB's key encoding
        // (times come back as packed uints, which encode identically).
        for (const hex of [c.key, c.value]) {
          const back = decodeDatum(hexToBytes(hex), 0);
          expect(back.next).toBe(hex.length / 2);
          expect(bytesToHex(encodeDatumKey([back.value])), JSON.stringify(c.d)).toBe(c.key);
        }
      }
    }
  });

  it('record and index keys', () => {
    for (const c of V.keys) {
      if (c.kind === 'record') {
        const k = encodeRecordKey(BigInt(c.table), BigInt(c.handle));
        expect(bytesToHex(k)).toBe(c.key);
        expect(decodeRecordKey(k)).toEqual({ tableId: BigInt(c.table), handle: { kind: 'int', value: BigInt(c.handle) } });
      } else {
        const vals = encodeDatumKey(c.datums.map(datumOf));
        const k = encodeIndexKey(BigInt(c.table), BigInt(c.index), vals);
        expect(bytesToHex(k)).toBe(c.key);
        const d = decodeIndexKey(k);
        expect([d.tableId, d.indexId, bytesToHex(d.encodedValues)]).toEqual([BigInt(c.table), BigInt(c.index), bytesToHex(vals)]);
      }
    }
  });

  it('binary JSON layout', () => {
    for (const c of V.jsons) {
      const bin = parseJsonText(c.text);
      expect(bytesToHex(bin), c.text).toBe(c.bin);
      expect(bytesToHex(encodeJson(decodeJson(hexToBytes(c.bin)))), c.text).toBe(c.bin);
      // v1.1.0-beta printed compact text with HTML escapes; current TiDB (ours) prints
      // ", "/": " separators, so compare the text structurally by re-parsing it.
      expect(bytesToHex(parseJsonText(jsonToText(hexToBytes(c.bin)))), c.text).toBe(c.bin);
    }
  });

  it('row format v1', () => {
    for (const c of V.rowsV1) {
      const datums = c.datums.map(datumOf);
      const row = encodeRowV1(c.ids.map(Number), datums);
      expect(bytesToHex(row)).toBe(c.row);
      const m = decodeRowV1(row);
      expect([...m.keys()]).toEqual(c.ids.map(Number));
      // Re-encoding the decoded (flattened) datums gives the same bytes.
      expect(bytesToHex(encodeRowV1([...m.keys()], [...m.values()]))).toBe(c.row);
    }
  });
});
