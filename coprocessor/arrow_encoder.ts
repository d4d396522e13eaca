import * as arrow from 'apache-arrow';
import { DomainError } from '../src/util/mod.ts';
import type { Batch } from './batch_executor.ts';
import { EvalType, MysqlType } from './field_type.ts';
import type { OutputColumnKind } from './output_column.ts';
import { packedToParts } from './time_convert.ts';
import type { TimeZone } from './time_zone.ts';

/**
 * Encodes one batch as a complete Arrow IPC stream (schema + one record batch), our
 * `EncodeType.ArrowIpc` answer. Columns are named `c0, c1, ...` in output order. Types:
 * Int64 / UInt64, Float32 / Float64, Binary, Duration(ns), Date32 for DATE, Timestamp(µs)
 * for DATETIME (no zone) and TIMESTAMP (zone = request zone, values UTC instants).
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
          const t = packedToParts(v.data[r]!);
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
    }
    children[`c${c}`] = arrow.makeVector(data);
  }
  return arrow.tableToIPC(new arrow.Table(children), 'stream');
}
