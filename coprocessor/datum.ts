import { decodeBytes } from '../src/codec/mod.ts';
import { CorruptionError } from '../src/util/mod.ts';
import { EvalType } from './field_type.ts';
import type { Scalar } from './vector.ts';

/**
 * Stand-in datum reader for the value shapes the coprocessor meets before src/codec/tidb lands
 * (column default values, row v1 values, index key columns): flags NULL, bytes, compact bytes,
 * int, uint, float, duration, varint, uvarint. Decimal/JSON datums are rejected as
 * unsupported. To be replaced by `decodeDatum` from src/codec/tidb (CONTRACTS.md).
 */
export function decodeDatumAs(buf: Uint8Array, offset: number, evalType: EvalType): { value: Scalar; next: number } {
  if (offset >= buf.length) throw new CorruptionError('datum: empty input');
  const flag = buf[offset]!;
  let p = offset + 1;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const need = (n: number): void => {
    if (p + n > buf.length) throw new CorruptionError(`datum: truncated (flag ${flag})`);
  };
  let raw: bigint | number | Uint8Array | null;
  switch (flag) {
    case 0:
      return { value: null, next: p };
    case 1: {
      const d = decodeBytes(buf, p);
      raw = d.value;
      p = d.next;
      break;
    }
    case 2: {
      const [len, q] = readVarint(buf, p);
      p = q;
      need(Number(len));
      raw = buf.subarray(p, p + Number(len));
      p += Number(len);
      break;
    }
    case 3:
    case 7:
      need(8);
      raw = BigInt.asIntN(64, view.getBigUint64(p) ^ (1n << 63n));
      p += 8;
      break;
    case 4:
      need(8);
      raw = view.getBigUint64(p);
      p += 8;
      break;
    case 5: {
      need(8);
      let u = view.getBigUint64(p);
      u = (u & (1n << 63n)) !== 0n ? u & ~(1n << 63n) : ~u & 0xffff_ffff_ffff_ffffn;
      const tmp = new DataView(new ArrayBuffer(8));
      tmp.setBigUint64(0, u);
      raw = tmp.getFloat64(0);
      p += 8;
      break;
    }
    case 8: {
      const [v, q] = readVarint(buf, p);
      raw = v;
      p = q;
      break;
    }
    case 9: {
      const [v, q] = readUvarint(buf, p);
      raw = v;
      p = q;
      break;
    }
    default:
      throw new CorruptionError(`datum: unsupported flag ${flag}`);
  }
  return { value: coerce(raw, evalType, flag), next: p };
}

function coerce(raw: bigint | number | Uint8Array, evalType: EvalType, flag: number): Scalar {
  switch (evalType) {
    case EvalType.Int:
    case EvalType.Duration:
    case EvalType.DateTime:
      if (typeof raw === 'bigint') return raw;
      break;
    case EvalType.Real:
      if (typeof raw === 'number') return raw;
      break;
    case EvalType.Bytes:
      if (raw instanceof Uint8Array) return raw;
      break;
    default:
      break;
  }
  throw new CorruptionError(`datum flag ${flag} does not hold a ${evalType} value`);
}

/** Go `binary.Varint`: zig-zag LEB128. */
export function readVarint(buf: Uint8Array, offset: number): [bigint, number] {
  const [u, next] = readUvarint(buf, offset);
  const v = (u >> 1n) ^ -(u & 1n);
  return [BigInt.asIntN(64, v), next];
}

/** Go `binary.Uvarint`: LEB128, at most 10 bytes. */
export function readUvarint(buf: Uint8Array, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let p = offset; p < buf.length && p < offset + 10; p++) {
    const b = buf[p]!;
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [BigInt.asUintN(64, result), p + 1];
    shift += 7n;
  }
  throw new CorruptionError('varint: truncated or too long');
}
