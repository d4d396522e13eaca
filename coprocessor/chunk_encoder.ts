import type { Batch } from './batch_executor.ts';
import { EvalType } from './field_type.ts';
import type { OutputColumnKind } from './output_column.ts';
import { MY_DECIMAL_STRUCT_BYTES } from '../src/codec/tidb/mod.ts';
import { utcToLocalCoreTime } from './time_convert.ts';
import type { TimeZone } from './time_zone.ts';

/** A growable little-endian byte buffer. */
class ByteWriter {
  buf = new Uint8Array(1024);
  view = new DataView(this.buf.buffer);
  len = 0;

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/**
 * Encodes one batch's output columns in TiDB's chunk format (`util/chunk/codec.go`): per
 * column `u32 length, u32 null_count, [null bitmap if nulls], [i64 offsets if var-len], data`,
 * little-endian; times as CoreTime (TIMESTAMP in the request zone), decimals as 40-byte
 * MyDecimal. Exactly one chunk per call: TiDB decodes one chunk per `rows_data`.
 */
export function encodeChunk(batch: Batch, outputOffsets: readonly number[], kinds: readonly OutputColumnKind[], tz: TimeZone): Uint8Array {
  const rows = batch.logicalRows;
  const n = rows.length;
  const w = new ByteWriter();
  for (let c = 0; c < outputOffsets.length; c++) {
    const vec = batch.columns[outputOffsets[c]!]!;
    const kind = kinds[c]!;
    let nullCount = 0;
    for (let i = 0; i < n; i++) if (vec.nulls[rows[i]!] === 1) nullCount++;
    w.u32(n);
    w.u32(nullCount);
    if (nullCount > 0) {
      const bitmap = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (vec.nulls[rows[i]!] !== 1) bitmap[i >> 3]! |= 1 << (i & 7);
      w.bytes(bitmap);
    }
    const v = vec.values;
    if (v.evalType === EvalType.Bytes) {
      w.reserve((n + 1) * 8);
      let off = 0;
      w.view.setBigInt64(w.len, 0n, true);
      w.len += 8;
      for (let i = 0; i < n; i++) {
        if (vec.nulls[rows[i]!] !== 1) off += v.data[rows[i]!]!.length;
        w.view.setBigInt64(w.len, BigInt(off), true);
        w.len += 8;
      }
      for (let i = 0; i < n; i++) if (vec.nulls[rows[i]!] !== 1) w.bytes(v.data[rows[i]!]!);
      continue;
    }
    const width = v.evalType === EvalType.Decimal ? MY_DECIMAL_STRUCT_BYTES : kind.isFloat32 ? 4 : 8;
    w.reserve(n * width);
    const start = w.len;
    w.buf.fill(0, start, start + n * width);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const at = start + i * width;
      if (vec.nulls[r] === 1) continue;
      switch (v.evalType) {
        case EvalType.Int:
        case EvalType.Duration:
          w.view.setBigInt64(at, v.data[r]!, true);
          break;
        case EvalType.Real:
          if (kind.isFloat32) w.view.setFloat32(at, v.data[r]!, true);
          else w.view.setFloat64(at, v.data[r]!, true);
          break;
        case EvalType.DateTime:
          w.view.setBigUint64(at, kind.isTimestamp ? utcToLocalCoreTime(v.data[r]!, tz) : v.data[r]!, true);
          break;
        case EvalType.Decimal:
          v.data[r]!.writeChunk(w.buf, at, kind.fsp >= 0 && kind.fsp <= 30 ? kind.fsp : v.data[r]!.frac);
          break;
      }
    }
    w.len = start + n * width;
  }
  return w.finish();
}
