import { Decimal, coreTimeToPacked, decimalDatumPrecFrac } from '../src/codec/tidb/mod.ts';
import type { Batch } from './batch_executor.ts';
import { EvalType } from './field_type.ts';
import type { OutputColumnKind } from './output_column.ts';

const NIL_FLAG = 0;
const COMPACT_BYTES_FLAG = 2;
const INT_FLAG = 3;
const UINT_FLAG = 4;
const FLOAT_FLAG = 5;
const DECIMAL_FLAG = 6;
const DURATION_FLAG = 7;

/**
 * Encodes a batch as Default (datum) rows: for each row, its output columns' datums back to
 * back (TiDB `codec.Decoder.DecodeOne`): NULL `00`, signed `03`+comparable i64, unsigned and
 * packed time `04`+u64 BE (TIMESTAMP stays UTC), float `05`+comparable f64, bytes
 * `02`+varint length, duration `07`+comparable i64, decimal `06`+prec+frac+binary.
 */
export function encodeDefaultRows(batch: Batch, outputOffsets: readonly number[], kinds: readonly OutputColumnKind[]): Uint8Array {
  const rows = batch.logicalRows;
  let size = 0;
  for (const off of outputOffsets) {
    const vec = batch.columns[off]!;
    if (vec.values.evalType === EvalType.Bytes) {
      for (let i = 0; i < rows.length; i++) size += 11 + vec.values.data[rows[i]!]!.length;
    } else if (vec.values.evalType === EvalType.Decimal) {
      size += 3 + 40 * rows.length;
      for (let i = 0; i < rows.length; i++) size += 3 + Decimal.binSize(...decimalDatumPrecFrac({ value: (vec.values.data as Decimal[])[rows[i]!]! }));
    } else size += 9 * rows.length;
  }
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  let p = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let c = 0; c < outputOffsets.length; c++) {
      const vec = batch.columns[outputOffsets[c]!]!;
      if (vec.nulls[r] === 1) {
        buf[p++] = NIL_FLAG;
        continue;
      }
      const v = vec.values;
      switch (v.evalType) {
        case EvalType.Int:
          if (kinds[c]!.unsigned) {
            buf[p++] = UINT_FLAG;
            view.setBigUint64(p, BigInt.asUintN(64, v.data[r]!));
          } else {
            buf[p++] = INT_FLAG;
            view.setBigUint64(p, BigInt.asUintN(64, v.data[r]!) ^ (1n << 63n));
          }
          p += 8;
          break;
        case EvalType.Duration:
          buf[p++] = DURATION_FLAG;
          view.setBigUint64(p, BigInt.asUintN(64, v.data[r]!) ^ (1n << 63n));
          p += 8;
          break;
        case EvalType.DateTime:
          buf[p++] = UINT_FLAG;
          view.setBigUint64(p, coreTimeToPacked(v.data[r]!));
          p += 8;
          break;
        case EvalType.Decimal: {
          const d = v.data[r]!;
          const [prec, frac] = decimalDatumPrecFrac({ value: d });
          buf[p++] = DECIMAL_FLAG;
          buf[p++] = prec;
          buf[p++] = frac;
          p = d.writeBin(buf, p, prec, frac);
          break;
        }
        case EvalType.Real: {
          buf[p++] = FLOAT_FLAG;
          view.setFloat64(p, v.data[r]!);
          const bits = view.getBigUint64(p);
          view.setBigUint64(p, (bits & (1n << 63n)) === 0n ? bits | (1n << 63n) : ~bits & 0xffff_ffff_ffff_ffffn);
          p += 8;
          break;
        }
        case EvalType.Bytes: {
          const b = v.data[r]!;
          buf[p++] = COMPACT_BYTES_FLAG;
          let z = BigInt(b.length) << 1n;
          while (z >= 0x80n) {
            buf[p++] = Number(z & 0x7fn) | 0x80;
            z >>= 7n;
          }
          buf[p++] = Number(z);
          buf.set(b, p);
          p += b.length;
          break;
        }
      }
    }
  }
  return buf.subarray(0, p);
}
