import { bytesCompare } from '../../util/bytes.ts';
import { CorruptionError, invalidArgument } from '../../util/errors.ts';
import { ByteWriter } from './byte_writer.ts';
import { JsonTypeCode, jsonEnd } from './datum.ts';
import { formatDuration } from './duration.ts';
import { readUvarint, writeUvarint } from './primitive.ts';
import { loadScratch, SCRATCH_VIEW, u16le, u32le } from './scratch.ts';
import { coreTimeFromPacked, coreTimeToPacked, formatCoreTime } from './time.ts';
import { MysqlType } from './field_type.ts';

/**
 * TiDB binary JSON (`pkg/types/json_binary.go`, MySQL 5.7 layout): a type byte followed by
 * the value. Objects: `count u32 | size u32 | key entries (off u32, len u16) | value entries
 * (type u8, off-or-inline u32) | keys | values`, keys sorted bytewise, offsets relative to
 * the object start, literals inlined. Arrays: the same without keys. Scalars: int64/uint64/
 * double as 8 bytes LE, strings as uvarint length + bytes.
 *
 * In JS a JSON value is: `null`, `boolean`, `bigint` (int64, or uint64 above int64 max),
 * `number` (double), `string`, an array, or a `Map` (object, insertion order irrelevant).
 */
export type JsonValue = null | boolean | bigint | number | string | JsonValue[] | Map<string, JsonValue>;

/** TiDB `maxJSONDepth`. */
export const JSON_DEPTH_MAX = 100;
/** Object keys longer than this are rejected (u16 key length). */
export const JSON_KEY_BYTES_MAX = 0xffff;

const LITERAL_NULL = 0x00;
const LITERAL_TRUE = 0x01;
const LITERAL_FALSE = 0x02;
const HEADER_BYTES = 8;
const KEY_ENTRY_BYTES = 6;
const VALUE_ENTRY_BYTES = 5;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function writeValue(w: ByteWriter, v: JsonValue, depth: number): number {
  if (depth > JSON_DEPTH_MAX) throw invalidArgument('json document too deep');
  if (v === null) {
    w.u8(LITERAL_NULL);
    return JsonTypeCode.Literal;
  }
  switch (typeof v) {
    case 'boolean':
      w.u8(v ? LITERAL_TRUE : LITERAL_FALSE);
      return JsonTypeCode.Literal;
    case 'bigint':
      if (v < INT64_MIN || v > UINT64_MAX) throw invalidArgument(`json integer ${v} out of range`);
      w.u64le(v);
      return v > INT64_MAX ? JsonTypeCode.Uint64 : JsonTypeCode.Int64;
    case 'number':
      if (!Number.isFinite(v)) throw invalidArgument('json cannot hold NaN or Infinity');
      SCRATCH_VIEW.setFloat64(0, v, true);
      w.scratch8(0);
      return JsonTypeCode.Float64;
    case 'string': {
      const b = utf8.encode(v);
      writeUvarint(w, BigInt(b.length));
      w.bytes(b);
      return JsonTypeCode.String;
    }
    default:
      break;
  }
  if (Array.isArray(v)) {
    const start = w.length;
    w.u32le(v.length);
    w.u32le(0);
    const entries = w.length;
    for (let i = 0; i < v.length * VALUE_ENTRY_BYTES; i++) w.u8(0);
    v.forEach((el, i) => writeElement(w, start, entries + i * VALUE_ENTRY_BYTES, el, depth));
    patchU32(w, start + 4, w.length - start);
    return JsonTypeCode.Array;
  }
  const keys = [...v.keys()].map((k) => ({ k, b: utf8.encode(k) })).sort((x, y) => bytesCompare(x.b, y.b));
  const start = w.length;
  w.u32le(keys.length);
  w.u32le(0);
  const keyEntries = w.length;
  for (let i = 0; i < keys.length * (KEY_ENTRY_BYTES + VALUE_ENTRY_BYTES); i++) w.u8(0);
  const valueEntries = keyEntries + keys.length * KEY_ENTRY_BYTES;
  keys.forEach(({ b }, i) => {
    if (b.length > JSON_KEY_BYTES_MAX) throw invalidArgument('json object key too long');
    patchU32(w, keyEntries + i * KEY_ENTRY_BYTES, w.length - start);
    w.setU8(keyEntries + i * KEY_ENTRY_BYTES + 4, b.length & 0xff);
    w.setU8(keyEntries + i * KEY_ENTRY_BYTES + 5, b.length >>> 8);
    w.bytes(b);
  });
  keys.forEach(({ k }, i) => writeElement(w, start, valueEntries + i * VALUE_ENTRY_BYTES, v.get(k)!, depth));
  patchU32(w, start + 4, w.length - start);
  return JsonTypeCode.Object;
}

function writeElement(w: ByteWriter, docStart: number, entry: number, v: JsonValue, depth: number): void {
  const at = w.length;
  const tp = writeValue(w, v, depth + 1);
  if (tp === JsonTypeCode.Literal) {
    const lit = w.view()[at]!;
    w.length = at;
    w.setU8(entry, tp);
    w.setU8(entry + 1, lit);
    return;
  }
  w.setU8(entry, tp);
  patchU32(w, entry + 1, at - docStart);
}

function patchU32(w: ByteWriter, at: number, v: number): void {
  w.setU8(at, v & 0xff);
  w.setU8(at + 1, (v >>> 8) & 0xff);
  w.setU8(at + 2, (v >>> 16) & 0xff);
  w.setU8(at + 3, (v >>> 24) & 0xff);
}

/** Binary JSON (type byte + value) of a JS JSON value, as TiDB's `CreateBinaryJSON`. */
export function encodeJson(v: JsonValue): Uint8Array {
  const w = new ByteWriter(64);
  w.u8(0);
  const tp = writeValue(w, v, 1);
  w.setU8(0, tp);
  return w.finish();
}

/** Decodes binary JSON (type byte + value) into a JS value. Throws `CorruptionError`. */
export function decodeJson(bin: Uint8Array): JsonValue {
  if (bin.length < 1) throw new CorruptionError('json: empty');
  if (jsonEnd(bin, 0) !== bin.length) throw new CorruptionError('json: trailing bytes');
  return readValue(bin[0]!, bin, 1, bin.length, 1);
}

function readValue(tp: number, b: Uint8Array, o: number, end: number, depth: number): JsonValue {
  if (depth > JSON_DEPTH_MAX + 1) throw new CorruptionError('json: too deep');
  const need = (n: number): void => {
    if (o + n > end) throw new CorruptionError('json: truncated');
  };
  switch (tp) {
    case JsonTypeCode.Literal:
      need(1);
      if (b[o] === LITERAL_NULL) return null;
      if (b[o] === LITERAL_TRUE) return true;
      if (b[o] === LITERAL_FALSE) return false;
      throw new CorruptionError(`json: bad literal ${b[o]}`);
    case JsonTypeCode.Int64:
      need(8);
      loadScratch(b, o);
      return SCRATCH_VIEW.getBigInt64(0, true);
    case JsonTypeCode.Uint64:
      need(8);
      loadScratch(b, o);
      return SCRATCH_VIEW.getBigUint64(0, true);
    case JsonTypeCode.Float64:
      need(8);
      loadScratch(b, o);
      return SCRATCH_VIEW.getFloat64(0, true);
    case JsonTypeCode.String: {
      const len = readUvarint(b, o);
      const n = Number(len.value);
      if (len.next + n > end) throw new CorruptionError('json: truncated string');
      return utf8Decoder.decode(b.subarray(len.next, len.next + n));
    }
    case JsonTypeCode.Array:
    case JsonTypeCode.Object: {
      need(HEADER_BYTES);
      const count = u32le(b, o);
      const size = u32le(b, o + 4);
      if (o + size > end || size < HEADER_BYTES) throw new CorruptionError('json: bad container size');
      const docEnd = o + size;
      const isObj = tp === JsonTypeCode.Object;
      const valueEntries = o + HEADER_BYTES + (isObj ? count * KEY_ENTRY_BYTES : 0);
      if (valueEntries + count * VALUE_ENTRY_BYTES > docEnd) throw new CorruptionError('json: bad element count');
      const vals: JsonValue[] = [];
      for (let i = 0; i < count; i++) {
        const e = valueEntries + i * VALUE_ENTRY_BYTES;
        const et = b[e]!;
        if (et === JsonTypeCode.Literal) {
          vals.push(readValue(et, b, e + 1, e + 2, depth + 1));
          continue;
        }
        const off = o + u32le(b, e + 1);
        if (off >= docEnd) throw new CorruptionError('json: bad value offset');
        vals.push(readValue(et, b, off, docEnd, depth + 1));
      }
      if (!isObj) return vals;
      const m = new Map<string, JsonValue>();
      for (let i = 0; i < count; i++) {
        const e = o + HEADER_BYTES + i * KEY_ENTRY_BYTES;
        const ko = o + u32le(b, e);
        const kl = u16le(b, e + 4);
        if (ko + kl > docEnd) throw new CorruptionError('json: bad key');
        m.set(utf8Decoder.decode(b.subarray(ko, ko + kl)), vals[i]!);
      }
      return m;
    }
    default:
      throw new CorruptionError(`json: type ${tp} has no JS value (opaque/time are text-only)`);
  }
}

/**
 * MySQL/TiDB text of binary JSON (`BinaryJSON.MarshalJSON` of current TiDB): `", "` and
 * `": "` separators, doubles like ES6 but in exponent form only below 1e-15 / from 1e15
 * and with `.0` kept for integral doubles, dates/times as quoted strings with 6 fraction
 * digits, opaque values as `"base64:typeNN:…"`.
 */
export function jsonToText(bin: Uint8Array): string {
  if (bin.length < 1) throw new CorruptionError('json: empty');
  const parts: string[] = [];
  textOf(bin[0]!, bin, 1, bin.length, parts, 1);
  return parts.join('');
}

function textOf(tp: number, b: Uint8Array, o: number, end: number, out: string[], depth: number): void {
  switch (tp) {
    case JsonTypeCode.Array:
    case JsonTypeCode.Object: {
      if (depth > JSON_DEPTH_MAX + 1) throw new CorruptionError('json: too deep');
      if (o + HEADER_BYTES > end) throw new CorruptionError('json: truncated');
      const count = u32le(b, o);
      const docEnd = Math.min(end, o + u32le(b, o + 4));
      const isObj = tp === JsonTypeCode.Object;
      const valueEntries = o + HEADER_BYTES + (isObj ? count * KEY_ENTRY_BYTES : 0);
      if (valueEntries + count * VALUE_ENTRY_BYTES > docEnd) throw new CorruptionError('json: bad element count');
      out.push(isObj ? '{' : '[');
      for (let i = 0; i < count; i++) {
        if (i > 0) out.push(', ');
        if (isObj) {
          const e = o + HEADER_BYTES + i * KEY_ENTRY_BYTES;
          const ko = o + u32le(b, e);
          const kl = u16le(b, e + 4);
          if (ko + kl > docEnd) throw new CorruptionError('json: bad key');
          out.push(quoteJsonBytes(b.subarray(ko, ko + kl)), ': ');
        }
        const ve = valueEntries + i * VALUE_ENTRY_BYTES;
        const et = b[ve]!;
        if (et === JsonTypeCode.Literal) textOf(et, b, ve + 1, ve + 2, out, depth + 1);
        else textOf(et, b, o + u32le(b, ve + 1), docEnd, out, depth + 1);
      }
      out.push(isObj ? '}' : ']');
      return;
    }
    case JsonTypeCode.Float64: {
      if (o + 8 > end) throw new CorruptionError('json: truncated');
      loadScratch(b, o);
      out.push(formatJsonDouble(SCRATCH_VIEW.getFloat64(0, true)));
      return;
    }
    case JsonTypeCode.String: {
      const len = readUvarint(b, o);
      const n = Number(len.value);
      if (len.next + n > end) throw new CorruptionError('json: truncated string');
      out.push(quoteJsonBytes(b.subarray(len.next, len.next + n)));
      return;
    }
    case JsonTypeCode.Opaque: {
      if (o + 1 > end) throw new CorruptionError('json: truncated');
      const len = readUvarint(b, o + 1);
      const n = Number(len.value);
      if (len.next + n > end) throw new CorruptionError('json: truncated opaque');
      out.push(`"base64:type${b[o]}:${Buffer.from(b.subarray(len.next, len.next + n)).toString('base64')}"`);
      return;
    }
    case JsonTypeCode.Date:
    case JsonTypeCode.Datetime:
    case JsonTypeCode.Timestamp: {
      if (o + 8 > end) throw new CorruptionError('json: truncated');
      loadScratch(b, o);
      const ct = SCRATCH_VIEW.getBigUint64(0, true);
      const mt = tp === JsonTypeCode.Date ? MysqlType.Date : tp === JsonTypeCode.Datetime ? MysqlType.Datetime : MysqlType.Timestamp;
      out.push(`"${formatCoreTime(coreTimeFromPacked(coreTimeToPacked(ct), mt, 6))}"`);
      return;
    }
    case JsonTypeCode.Time: {
      if (o + 12 > end) throw new CorruptionError('json: truncated');
      loadScratch(b, o);
      out.push(`"${formatDuration(SCRATCH_VIEW.getBigInt64(0, true), 6)}"`);
      return;
    }
    default: {
      const v = readValue(tp, b, o, end, depth);
      out.push(v === null ? 'null' : String(v));
    }
  }
}

/** TiDB's double formatting inside JSON text (see `jsonToText`). */
export function formatJsonDouble(f: number): string {
  if (!Number.isFinite(f)) throw invalidArgument('json cannot hold NaN or Infinity');
  const abs = Math.abs(f);
  const exp = f.toExponential(); // shortest round-trip digits: d[.ddd]e±x
  if (abs !== 0 && (abs < 1e-15 || abs >= 1e15)) return exp.replace('e+', 'e');
  if (Object.is(f, -0)) return '-0.0';
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp)!;
  const digits = m[2]! + (m[3] ?? '');
  const point = Number(m[4]) + 1; // digits before the decimal point
  let s: string;
  if (point <= 0) s = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) s = digits + '0'.repeat(point - digits.length);
  else s = digits.slice(0, point) + '.' + digits.slice(point);
  if (!s.includes('.')) s += '.0';
  return m[1] + s;
}

const HEX = '0123456789abcdef';

/** Quotes UTF-8 bytes as TiDB's `jsonMarshalStringTo` does (Go encoding/json without HTML escaping). */
export function quoteJsonBytes(s: Uint8Array): string {
  const text = utf8Decoder.decode(s);
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20) out += '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
    else if (c === 0x2028 || c === 0x2029) out += '\\u202' + HEX[c & 0xf];
    else if (c === 0xfffd) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/**
 * Parses JSON text into binary JSON like TiDB's `ParseBinaryJSONFromString`: integer
 * literals become int64, else uint64, else double; other numbers double; duplicate keys
 * keep the last value. Throws `DomainError('InvalidArgument')` on invalid text.
 */
export function parseJsonText(text: string): Uint8Array {
  return encodeJson(parseJsonValue(text));
}

/** Parses JSON text into a JS JSON value (numbers typed as in `parseJsonText`). */
export function parseJsonValue(text: string): JsonValue {
  let i = 0;
  const fail = (why: string): never => {
    throw invalidArgument(`invalid JSON text: ${why} at ${i}`);
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const value = (depth: number): JsonValue => {
    if (depth > JSON_DEPTH_MAX) fail('document too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const m = new Map<string, JsonValue>();
      ws();
      if (text[i] === '}') {
        i++;
        return m;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected key');
        const k = str();
        ws();
        if (text[i++] !== ':') fail('expected :');
        m.set(k, value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] !== '}') fail('expected , or }');
        return m;
      }
    }
    if (c === '[') {
      i++;
      const a: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] !== ']') fail('expected , or ]');
        return a;
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m === null) return fail('unexpected character');
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = BigInt(m[0]);
      if (n >= INT64_MIN && n <= UINT64_MAX) return n;
    }
    return Number(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22 && !escaped) {
        i++;
        try {
          return JSON.parse(text.slice(start, i)) as string;
        } catch {
          return fail('bad string');
        }
      }
      escaped = c === 0x5c && !escaped;
      i++;
    }
    return fail('unterminated string');
  };
  const v = value(1);
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}
