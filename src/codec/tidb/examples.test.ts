// Proves the encoders reproduce the worked byte examples of coprocessor.md §6 and that decoders invert them.
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../util/bytes.ts';
import {
  Datums,
  Decimal,
  MysqlType,
  RowV2Decoder,
  RowV2Lookup,
  coreTimeFromFields,
  coreTimeToPacked,
  decodeDatum,
  decodeIndexHandle,
  decodeIndexValue,
  decodeRecordKey,
  decodeRowV1,
  encodeCommonHandleRecordKey,
  encodeDatumKey,
  encodeDatumValue,
  encodeIndexKey,
  encodeIndexValue,
  encodeRecordKey,
  encodeRowV1,
  encodeRowV2,
  formatCoreTime,
  formatDuration,
  parseDuration,
  parseTime,
  tableRecordRange,
  ByteWriter,
  CollationId,
  collationSortKey,
  writeDatumForResponse,
} from './mod.ts';

const hex = (b: Uint8Array): string => bytesToHex(b);

describe('keys', () => {
  it('record key of table 42, handle 7', () => {
    const k = encodeRecordKey(42n, 7n);
    expect(hex(k)).toBe('7480000000000000' + '2a5f728000000000000007');
    expect(decodeRecordKey(k)).toEqual({ tableId: 42n, handle: { kind: 'int', value: 7n } });
  });
  it('common handle keys are padded to 9 bytes and decode as common', () => {
    const enc = encodeDatumKey([Datums.decimal(Decimal.parse('12345'), 10, 0)]);
    expect(enc.length).toBe(8);
    const k = encodeCommonHandleRecordKey(1n, enc);
    const d = decodeRecordKey(k);
    expect(d.handle.kind).toBe('common');
    expect(k.length).toBe(11 + 9);
  });
  it('record range is the _r prefix range', () => {
    const r = tableRecordRange(42n);
    expect(hex(r.start)).toBe('74800000000000002a5f72');
    expect(hex(r.end)).toBe('74800000000000002a5f73');
  });
  it('non-unique index handle comes from the key suffix', () => {
    const vals = encodeDatumKey([Datums.int(5n), Datums.int(99n)]);
    const key = encodeIndexKey(3n, 1n, vals);
    expect(decodeIndexHandle(key, new Uint8Array([0x30]), 1, false)).toEqual({ kind: 'int', value: 99n });
    const uniqueKey = encodeIndexKey(3n, 1n, encodeDatumKey([Datums.int(5n)]));
    expect(decodeIndexHandle(uniqueKey, encodeIndexValue({ intHandle: -3n }), 1, false)).toEqual({ kind: 'int', value: -3n });
  });
});

describe('decimal bin', () => {
  it('DECIMAL(5,2) 123.45 and -123.45', () => {
    expect(hex(Decimal.parse('123.45').toBin(5, 2))).toBe('807b2d');
    expect(hex(Decimal.parse('-123.45').toBin(5, 2))).toBe('7f84d2');
    expect(Decimal.fromBin(hexToBytes('7f84d2'), 0, 5, 2).toString()).toBe('-123.45');
  });
  it('datum payload is prec, frac, bin', () => {
    expect(hex(encodeDatumValue([Datums.decimal(Decimal.parse('123.45'), 5, 2)]))).toBe('060502807b2d');
  });
  it('division follows div_precision_increment', () => {
    expect(Decimal.parse('1').div(Decimal.parse('3'))!.toString()).toBe('0.3333');
    expect(Decimal.parse('2').div(Decimal.parse('3'))!.toString()).toBe('0.6667');
    expect(Decimal.parse('-2').div(Decimal.parse('3'))!.toString()).toBe('-0.6667');
    // Observed from TiDB's DecimalDiv: truncation at the 9-digit word, then rounding.
    expect(Decimal.parse('2.00000').div(Decimal.parse('3'))!.toString()).toBe('0.666666666');
    expect(Decimal.parse('1.1').div(Decimal.parse('9'))!.toString()).toBe('0.12222');
    expect(Decimal.parse('0.5').div(Decimal.parse('3'))!.toString()).toBe('0.16667');
    expect(Decimal.parse('10').div(Decimal.parse('7'))!.toString()).toBe('1.4286');
    expect(Decimal.parse('1.00').div(Decimal.parse('0'))).toBeNull();
    expect(Decimal.parse('2.5').round(0).toString()).toBe('3');
    expect(Decimal.parse('-2.5').round(0).toString()).toBe('-3');
    expect(Decimal.parse('1.5e2').toString()).toBe('150');
    expect(Decimal.parse('1.25e-1').toString()).toBe('0.125');
  });
});

describe('row v2', () => {
  it('ids 1:int 5, 2:varchar "ab", 3:NULL', () => {
    const row = encodeRowV2([1, 2, 3], [Datums.int(5n), Datums.string('ab'), Datums.null()]);
    expect(hex(row)).toBe('8000' + '0200' + '0100' + '010203' + '01000300' + '056162');
    const d = new RowV2Decoder(row);
    expect(d.readInt(1)).toBe(5n);
    expect(new TextDecoder().decode(d.readBytes(2)!)).toBe('ab');
    expect(d.locate(3)).toBe(RowV2Lookup.Null);
    expect(d.locate(4)).toBe(RowV2Lookup.Missing);
  });
});

describe('row v2 facts from TiDB rowcodec tests', () => {
  it('TIMESTAMP 2011-11-10 11:11:11.999999 is stored as packed 1840446893366133311', () => {
    const ct = parseTime('2011-11-10 11:11:11.999999', MysqlType.Timestamp, 6);
    expect(coreTimeToPacked(ct)).toBe(1840446893366133311n);
    const row = encodeRowV2([5], [Datums.time(ct)]);
    expect(new RowV2Decoder(row).readTime(5, MysqlType.Timestamp, 6)).toBe(ct);
  });
  it('a checksum after the data is ignored', () => {
    const row = encodeRowV2([1], [Datums.int(300n)]);
    const withChecksum = new Uint8Array([...row, 0x01, 0xde, 0xad, 0xbe, 0xef]);
    withChecksum[1] = withChecksum[1]! | 0x02;
    const d = new RowV2Decoder(withChecksum);
    expect(d.hasChecksum).toBe(true);
    expect(d.readInt(1)).toBe(300n);
  });
});

describe('row v1', () => {
  it('id1=5, id2="ab", id3=NULL', () => {
    const row = encodeRowV1([1, 2, 3], [Datums.int(5n), Datums.string('ab'), Datums.null()]);
    expect(hex(row)).toBe('0802080a' + '0804020461' + '62' + '080600');
    const m = decodeRowV1(row);
    expect(m.get(1)).toEqual({ kind: 'int', value: 5n });
    expect(m.get(3)).toEqual({ kind: 'null' });
    expect(decodeRowV1(new Uint8Array([0])).size).toBe(0);
  });
});

describe('time', () => {
  it('packed and CoreTime layouts', () => {
    const f = { year: 2024, month: 2, day: 29, hour: 13, minute: 4, second: 5, microsecond: 123456 };
    const ct = coreTimeFromFields(f, MysqlType.Datetime, 6);
    expect(formatCoreTime(ct)).toBe('2024-02-29 13:04:05.123456');
    const packed = coreTimeToPacked(ct);
    const ymd = BigInt(((2024 * 13 + 2) << 5) | 29);
    const hms = BigInt((13 << 12) | (4 << 6) | 5);
    expect(packed).toBe((((ymd << 17n) | hms) << 24n) | 123456n);
    expect(parseTime('2024-02-29 13:04:05.1234565', MysqlType.Datetime, 6)).toBe(coreTimeFromFields({ ...f, microsecond: 123457 }, MysqlType.Datetime, 6));
    expect(formatCoreTime(parseTime('1999-12-31 23:59:59.9', MysqlType.Datetime, 0))).toBe('2000-01-01 00:00:00');
    expect(formatCoreTime(parseTime('2020-01-02', MysqlType.Date, 0))).toBe('2020-01-02');
  });
  it('durations', () => {
    expect(parseDuration('-838:59:59', 0)).toBe(-(838n * 3600n + 59n * 60n + 59n) * 1_000_000_000n);
    expect(formatDuration(parseDuration('1 02:03:04.5', 2), 2)).toBe('26:03:04.50');
    expect(formatDuration(parseDuration('123456', 0), 0)).toBe('12:34:56');
  });
});

describe('index values', () => {
  it('old and version-0 layouts round trip', () => {
    expect(hex(encodeIndexValue({}))).toBe('30');
    expect(decodeIndexValue(encodeIndexValue({ intHandle: 7n })).intHandle).toBe(7n);
    const ch = encodeDatumKey([Datums.string('k')]);
    const v = decodeIndexValue(encodeIndexValue({ commonHandle: ch }));
    expect(v.layout).toBe(0);
    expect(hex(v.commonHandle!)).toBe(hex(ch));
    const restored = encodeRowV2([2], [Datums.string('Ab')]);
    const v2 = decodeIndexValue(encodeIndexValue({ intHandle: -1n, restoredData: restored, partitionId: 9n, untouched: true }));
    expect(v2).toMatchObject({ intHandle: -1n, partitionId: 9n, untouched: true });
    expect(hex(v2.restoredData!)).toBe(hex(restored));
  });
});

describe('datum decoding', () => {
  it('decodes key and value encodings', () => {
    const enc = encodeDatumKey([Datums.int(-1n), Datums.string('abc'), Datums.float(-2.5), Datums.duration(5n)]);
    let o = 0;
    const out = [];
    while (o < enc.length) {
      const d = decodeDatum(enc, o);
      out.push(d.value);
      o = d.next;
    }
    expect(out[0]).toEqual({ kind: 'int', value: -1n });
    expect(new TextDecoder().decode((out[1] as { value: Uint8Array }).value)).toBe('abc');
    expect(out[2]).toEqual({ kind: 'float', value: -2.5 });
    expect(out[3]).toEqual({ kind: 'duration', value: 5n });
  });
});

describe('response datums and collations', () => {
  it('default response encoding uses 03 for ints and 02 for bytes', () => {
    const w = new ByteWriter();
    writeDatumForResponse(w, Datums.int(3n));
    writeDatumForResponse(w, Datums.string('ab'));
    writeDatumForResponse(w, Datums.null());
    expect(hex(w.finish())).toBe('038000000000000003' + '02046162' + '00');
  });
  it('PAD SPACE _bin collations trim trailing spaces; binary does not; ci is refused', () => {
    const v = new TextEncoder().encode('ab  ');
    expect(hex(collationSortKey(-CollationId.Utf8mb4Bin, v))).toBe('6162');
    expect(hex(collationSortKey(CollationId.Binary, v))).toBe('61622020');
    expect(hex(collationSortKey(CollationId.Utf8mb4_0900Bin, v))).toBe('61622020');
    expect(() => collationSortKey(-CollationId.Utf8mb4GeneralCi, v)).toThrow(/not implemented/);
  });
});
