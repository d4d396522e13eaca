import { assert } from '../../util/assert.ts';
import { CorruptionError } from '../../util/errors.ts';
import { ByteWriter } from './byte_writer.ts';
import { decodeDatum, DatumFlag, writeDatumValue, type Datum } from './datum.ts';
import { coreTimeToPacked } from './time.ts';

/**
 * TiDB row format v1 (`tablecodec.EncodeOldRow`, coprocessor.md §6.5): pairs of
 * (column id as a varint datum, flattened value datum) in value encoding. An empty row is
 * the single byte 0x00; an empty value also means "no columns".
 */

/**
 * Decodes a v1 row into column id -> datum. Values are as stored (flattened): times are
 * `uint` packed times, durations `int` nanoseconds, enum/set/bit `uint`. Throws
 * `CorruptionError` on malformed rows.
 */
export function decodeRowV1(value: Uint8Array): Map<number, Datum> {
  const out = new Map<number, Datum>();
  if (value.length === 0 || (value.length === 1 && value[0] === DatumFlag.Nil)) return out;
  let o = 0;
  while (o < value.length) {
    const id = decodeDatum(value, o);
    if (id.value.kind !== 'int') throw new CorruptionError(`row v1: column id of kind ${id.value.kind}`);
    const v = decodeDatum(value, id.next);
    out.set(Number(id.value.value), v.value);
    o = v.next;
  }
  return out;
}

/** TiDB `tablecodec.flatten`: the datum as row v1 stores it. */
export function flattenDatum(d: Datum): Datum {
  switch (d.kind) {
    case 'time':
      return { kind: 'uint', value: coreTimeToPacked(d.value) };
    case 'duration':
      return { kind: 'int', value: d.value };
    default:
      return d;
  }
}

/** Encodes a v1 row (TiDB `EncodeOldRow`; TIMESTAMP values must already be UTC). */
export function encodeRowV1(colIds: ReadonlyArray<number | bigint>, datums: readonly Datum[]): Uint8Array {
  assert(colIds.length === datums.length, 'encodeRowV1: ids and datums differ in length');
  if (colIds.length === 0) return new Uint8Array([DatumFlag.Nil]);
  const w = new ByteWriter(colIds.length * 12);
  for (let i = 0; i < colIds.length; i++) {
    writeDatumValue(w, { kind: 'int', value: BigInt(colIds[i]!) });
    writeDatumValue(w, flattenDatum(datums[i]!));
  }
  return w.finish();
}
