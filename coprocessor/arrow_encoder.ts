import * as arrow from 'apache-arrow';
import { type Decimal, coreTimeToFields } from '../src/codec/tidb/mod.ts';
import { DomainError } from '../src/util/mod.ts';
import type { Batch } from './batch_executor.ts';
import { EvalType, MysqlType } from './field_type.ts';
import type { OutputColumnKind } from './output_column.ts';
import type { TimeZone } from './time_zone.ts';

/**
 * Encodes one batch as a complete Arrow IPC stream (schema + one record batch), our
 * `EncodeType.ArrowIpc` answer. Columns are named `c0, c1, ...` in output order. Types:
 * Int64 / UInt64, Float32 / Float64, Binary, Duration(ns), Date32 for DATE, Timestamp(µs)
 * for DATETIME (no zone) and TIMESTAMP (zone = request zone, values UTC instants).
 * Decimal128/256(precision, scale) for DECIMAL (scale = the column's, precision 38 or 76).
 * Zero dates have no Arrow value and fail the request with a clear error.
 */
export function encodeArrowBatch(batch: Batch, outputOffsets: readonly number[], kinds: readonly OutputColumnKind[], tz: TimeZone): Uint8Array {
  const rows = batch.logicalRows;
  const n = rows.length;
  const children: Record<string, arrow.Vector> = {};
  for (let c = 0; c < outputOffsets.length; c++) {
    const vec = batch.columns[outputOffsets[c]!]!;
    const kind = kinds[c]!;
    const nullBitmap = new Uint8Array((n + 7) >> 3);
    let nullCount = 0;
    for (let i = 0; i < n; i++) {
      if (vec.nulls[rows[i]!] === 1) nullCount++;
      else nullBitmap[i >> 3]! |= 1 << (i & 7);
    }
    const v = vec.values;
    let data: arrow.Data;
    switch (v.evalType) {
      case EvalType.Int: {
        const out = kind.unsigned ? new BigUint64Array(n) : new BigInt64Array(n);
        for (let i = 0; i < n; i++) out[i] = kind.unsigned ? BigInt.asUintN(64, v.data[rows[i]!]!) : v.data[rows[i]!]!;
        data = arrow.makeData({ type: kind.unsigned ? new arrow.Uint64() : new arrow.Int64(), length: n, nullCount, nullBitmap, data: out as BigInt64Array & BigUint64Array });
        break;
      }
      case EvalType.Real: {
        const out = kind.isFloat32 ? new Float32Array(n) : new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = v.data[rows[i]!]!;
        data = kind.isFloat32
          ? arrow.makeData({ type: new arrow.Float32(), length: n, nullCount, nullBitmap, data: out as Float32Array })
          : arrow.makeData({ type: new arrow.Float64(), length: n, nullCount, nullBitmap, data: out as Float64Array });
        break;
      }
      case EvalType.Duration: {
        const out = new BigInt64Array(n);
        for (let i = 0; i < n; i++) out[i] = v.data[rows[i]!]!;
        data = arrow.makeData({ type: new arrow.Duration(arrow.TimeUnit.NANOSECOND), length: n, nullCount, nullBitmap, data: out });
        break;
      }
      case EvalType.Bytes: {
        const offsets = new Int32Array(n + 1);
        let total = 0;
        for (let i = 0; i < n; i++) {
          if (vec.nulls[rows[i]!] !== 1) total += v.data[rows[i]!]!.length;
          offsets[i + 1] = total;
        }
        const bytes = new Uint8Array(total);
        for (let i = 0; i < n; i++) if (vec.nulls[rows[i]!] !== 1) bytes.set(v.data[rows[i]!]!, offsets[i]!);
        data = arrow.makeData({ type: new arrow.Binary(), length: n, nullCount, nullBitmap, valueOffsets: offsets, data: bytes });
        break;
      }
      case EvalType.DateTime: {
        const isDate = kind.tp === MysqlType.Date || kind.tp === MysqlType.NewDate;
        const days = new Int32Array(isDate ? n : 0);
        const micros = new BigInt64Array(isDate ? 0 : n);
        for (let i = 0; i < n; i++) {
          const r = rows[i]!;
          if (vec.nulls[r] === 1) continue;
          const t = coreTimeToFields(v.data[r]!);
          if (t.month === 0 || t.day === 0) throw new DomainError('NotImplemented', 'coprocessor: zero dates cannot be encoded as Arrow');
          const d = new Date(0);
          d.setUTCFullYear(t.year, t.month - 1, t.day);
          d.setUTCHours(t.hour, t.minute, t.second, 0);
          if (isDate) days[i] = Math.floor(d.getTime() / 86_400_000);
          else micros[i] = BigInt(d.getTime()) * 1000n + BigInt(t.microsecond);
        }
        data = isDate
          ? arrow.makeData({ type: new arrow.DateDay(), length: n, nullCount, nullBitmap, data: days })
          : arrow.makeData({ type: new arrow.TimestampMicrosecond(kind.isTimestamp ? tz.name : null), length: n, nullCount, nullBitmap, data: micros });
        break;
      }
      case EvalType.Decimal:
        data = decimalData(v.data, rows, vec.nulls, kind.fsp, nullCount, nullBitmap);
        break;
    }
    children[`c${c}`] = arrow.makeVector(data);
  }
  return arrow.tableToIPC(new arrow.Table(children), 'stream');
}

/** Arrow decimal: little-endian two's-complement words, values rescaled to the column scale. */
function decimalData(values: Decimal[], rows: Int32Array, nulls: Uint8Array, columnScale: number, nullCount: number, nullBitmap: Uint8Array): arrow.Data {
  const n = rows.length;
  let scale = columnScale >= 0 && columnScale <= 30 ? columnScale : 0;
  if (columnScale < 0 || columnScale > 30) for (let i = 0; i < n; i++) if (nulls[rows[i]!] !== 1) scale = Math.max(scale, values[rows[i]!]!.frac);
  let wide = false;
  const scaled: bigint[] = new Array<bigint>(n).fill(0n);
  for (let i = 0; i < n; i++) {
    if (nulls[rows[i]!] === 1) continue;
    const u = values[rows[i]!]!.rescale(scale).unscaled;
    scaled[i] = u;
    if (u >= 10n ** 38n || u <= -(10n ** 38n)) wide = true;
  }
  const bitWidth = wide ? 256 : 128;
  const words = bitWidth / 32;
  const out = new Uint32Array(n * words);
  for (let i = 0; i < n; i++) {
    let u = BigInt.asUintN(bitWidth, scaled[i]!);
    for (let w = 0; w < words; w++) {
      out[i * words + w] = Number(u & 0xffff_ffffn);
      u >>= 32n;
    }
  }
  return arrow.makeData({ type: new arrow.Decimal(scale, wide ? 76 : 38, bitWidth), length: n, nullCount, nullBitmap, data: out });
}
