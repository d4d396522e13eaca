import { canonicalText, compareJson, SqlJson } from './json_value.ts';
import type { JsonValue } from '../tidb_codec.ts';
import { encodeSqlBytes } from './sql_text.ts';
import { Decimal, formatCoreTime, formatDuration, parseTime, MysqlType, coreTimeToFields, coreTimeType } from '../tidb_codec.ts';
import { ER, sqlError } from '../errors.ts';

/** A DATE/DATETIME/TIMESTAMP value in TiDB's CoreTime layout (type and fsp included). */
export class SqlTime {
  constructor(readonly core: bigint) {}
  toString(): string {
    return formatCoreTime(this.core);
  }
  /** MySQL's numeric form: YYYYMMDD or YYYYMMDDhhmmss. */
  toNumber(): number {
    const f = coreTimeToFields(this.core);
    const date = f.year * 10000 + f.month * 100 + f.day;
    if (coreTimeType(this.core) === MysqlType.Date) return date;
    return date * 1_000_000 + f.hour * 10000 + f.minute * 100 + f.second + f.microsecond / 1e6;
  }
}

/** A TIME value: signed nanoseconds plus the fsp it displays with. */
export class SqlDuration {
  constructor(
    readonly ns: bigint,
    readonly fsp: number,
  ) {}
  toString(): string {
    return formatDuration(this.ns, this.fsp);
  }
  toNumber(): number {
    const neg = this.ns < 0n;
    const abs = neg ? -this.ns : this.ns;
    const totalSec = abs / 1_000_000_000n;
    const h = totalSec / 3600n;
    const m = (totalSec / 60n) % 60n;
    const s = totalSec % 60n;
    const v = Number(h * 10000n + m * 100n + s) + Number(abs % 1_000_000_000n) / 1e9;
    return neg ? -v : v;
  }
}

/**
 * A runtime SQL value. Integers (signed and unsigned) are bigint, FLOAT/DOUBLE number,
 * DECIMAL `Decimal`, character strings JS strings, binary strings/BLOBs Uint8Array,
 * booleans 1n/0n, JSON `SqlJson`, NULL null.
 */
export type Value = null | bigint | number | Decimal | string | Uint8Array | SqlTime | SqlDuration | SqlJson;

export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;
export const UINT64_MAX = (1n << 64n) - 1n;

const utf8 = new TextDecoder();

/** String form used by the text protocol, CONCAT and the shell. */
export function valueToString(v: Exclude<Value, null>): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatFloat(v);
  if (v instanceof Uint8Array) return utf8.decode(v);
  return v.toString();
}

/** Bytes form (text protocol, LENGTH()). */
export function valueToBytes(v: Exclude<Value, null>): Uint8Array {
  if (v instanceof Uint8Array) return v;
  // Strings may carry raw bytes from the statement text (see sql_text.ts).
  return encodeSqlBytes(valueToString(v));
}

/** MySQL prints doubles in their shortest round-trip form, with exponent past 1e15. */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? 'inf' : '-inf';
  if (f === 0) return '0';
  const abs = Math.abs(f);
  if (abs >= 1e15 || abs < 1e-15) {
    return f.toExponential().replace('e+', 'e').replace(/\.?0+e/, 'e');
  }
  return String(f);
}

/** True for the numeric kinds (after evaluation). */
export function isNumeric(v: Value): v is bigint | number | Decimal {
  return typeof v === 'bigint' || typeof v === 'number' || v instanceof Decimal;
}

/** Leading-number parse of a string, like MySQL's string->double conversion (lenient). */
export function stringToFloat(s: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(s);
  return m === null ? 0 : Number(m[0]);
}

/** Numeric view as a double. */
export function toFloat(v: Exclude<Value, null>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Decimal) return v.toFloat();
  if (typeof v === 'string') return stringToFloat(v);
  if (v instanceof Uint8Array) return stringToFloat(utf8.decode(v));
  return v.toNumber();
}

/** Numeric view as a Decimal (floats via their shortest form). */
export function toDecimal(v: Exclude<Value, null>): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return Decimal.fromBigInt(v);
  if (typeof v === 'number') return Number.isFinite(v) ? Decimal.fromFloat(v) : Decimal.ZERO;
  const s = typeof v === 'string' ? v : v instanceof Uint8Array ? utf8.decode(v) : String(v.toNumber());
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)/.exec(s);
  return m === null ? Decimal.ZERO : Decimal.parse(m[0].trim());
}

/** Integer view (rounding half away from zero, as MySQL does for casts to integer). */
export function toBigInt(v: Exclude<Value, null>): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw sqlError(ER.WARN_DATA_OUT_OF_RANGE, `value ${v} is out of range`);
    return BigInt(Math.round(v));
  }
  if (v instanceof Decimal) return v.toBigIntRounded();
  if (typeof v === 'string' || v instanceof Uint8Array) {
    const s = typeof v === 'string' ? v : utf8.decode(v);
    const m = /^\s*[+-]?\d+/.exec(s);
    if (m !== null && !/^\s*[+-]?\d+\s*[.eE]/.test(s)) return BigInt(m[0].trim());
    return BigInt(Math.round(stringToFloat(s)));
  }
  return BigInt(Math.round(v.toNumber()));
}

/** SQL truth value: null for NULL, else whether the value is non-zero. */
export function truthy(v: Value): boolean | null {
  if (v === null) return null;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof Decimal) return !v.isZero();
  return toFloat(v) !== 0;
}

function kindRank(v: Exclude<Value, null>): 'num' | 'str' | 'time' | 'dur' | 'json' {
  if (typeof v === 'bigint' || typeof v === 'number' || v instanceof Decimal) return 'num';
  if (v instanceof SqlJson) return 'json';
  if (v instanceof SqlTime) return 'time';
  if (v instanceof SqlDuration) return 'dur';
  return 'str';
}

function compareNumeric(a: bigint | number | Decimal, b: bigint | number | Decimal): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = toFloat(a);
    const y = toFloat(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return toDecimal(a).compare(toDecimal(b));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length === 0 ? 0 : a.length < b.length ? -1 : 1;
}

/** Trailing spaces are ignored by PAD SPACE collations (utf8mb4_bin). */
function compareStrings(a: string, b: string): number {
  const x = a.replace(/ +$/, '');
  const y = b.replace(/ +$/, '');
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * MySQL comparison of two non-NULL values: numbers numerically, strings by binary
 * collation (PAD SPACE), times chronologically; a string against a number compares as
 * doubles, a string against a time parses the string as a time.
 */
export function compareValues(a: Exclude<Value, null>, b: Exclude<Value, null>): number {
  const ka = kindRank(a);
  const kb = kindRank(b);
  if (ka === 'num' && kb === 'num') return compareNumeric(a as bigint, b as bigint);
  // Against JSON the other side becomes a JSON scalar (a string stays a string, as MySQL does).
  if (ka === 'json' || kb === 'json') return compareJson(jsonOfScalar(a), jsonOfScalar(b));
  if (ka === 'str' && kb === 'str') {
    if (a instanceof Uint8Array || b instanceof Uint8Array) return compareBytes(valueToBytes(a), valueToBytes(b));
    return compareStrings(a as string, b as string);
  }
  if (ka === 'time' && kb === 'time') return cmpBig((a as SqlTime).core >> 4n, (b as SqlTime).core >> 4n);
  if (ka === 'dur' && kb === 'dur') return cmpBig((a as SqlDuration).ns, (b as SqlDuration).ns);
  if (ka === 'time' && kb === 'str') return compareValues(a, castToTime(b, MysqlType.Datetime, 6));
  if (ka === 'str' && kb === 'time') return compareValues(castToTime(a, MysqlType.Datetime, 6), b);
  if (ka === 'num' || kb === 'num') {
    const x = toFloat(a);
    const y = toFloat(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareStrings(valueToString(a), valueToString(b));
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sort order used by ORDER BY / GROUP BY keys: NULL first. */
export function compareNullable(a: Value, b: Value): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compareValues(a, b);
}

/** A string key that is equal for values MySQL considers equal (GROUP BY, DISTINCT, hash join). */
export function hashKey(v: Value): string {
  if (v === null) return 'N';
  if (typeof v === 'bigint') return 'n' + v.toString();
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? 'n' + v.toString() : 'f' + v.toString();
  if (v instanceof Decimal) {
    const s = v.rescale(30).toString().replace(/\.?0+$/, '');
    return 'n' + (s === '-0' ? '0' : s);
  }
  if (typeof v === 'string') return 's' + v.replace(/ +$/, '');
  if (v instanceof Uint8Array) return 's' + utf8.decode(v).replace(/ +$/, '');
  if (v instanceof SqlTime) return 't' + (v.core >> 4n).toString();
  if (v instanceof SqlJson) return 'j' + canonicalText(v.value);
  return 'd' + v.ns.toString();
}

/** Parses a value into a DATE/DATETIME/TIMESTAMP. Throws 1292 on bad input. */
export function castToTime(v: Exclude<Value, null>, tp: number, fsp: number): SqlTime {
  if (v instanceof SqlTime) {
    const f = coreTimeToFields(v.core);
    const s = `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}:${f.second}.${String(f.microsecond).padStart(6, '0')}`;
    return new SqlTime(parseTime(s, tp, fsp));
  }
  let s: string;
  if (typeof v === 'bigint' || typeof v === 'number' || v instanceof Decimal) {
    s = valueToString(v);
    const [intPart, fracPart] = s.split('.');
    const digits = intPart!.replace('-', '');
    if (digits.length <= 8) s = digits.padStart(8, '0');
    else s = digits.padStart(14, '0') + (fracPart ? '.' + fracPart : '');
  } else {
    s = valueToString(v);
  }
  try {
    return new SqlTime(parseTime(s, tp, fsp));
  } catch {
    throw sqlError(ER.TRUNCATED_WRONG_VALUE, `Incorrect ${tp === MysqlType.Date ? 'date' : 'datetime'} value: '${s}'`);
  }
}

/**
 * A SQL value as JSON (CAST(x AS JSON) of a non-string, JSON_ARRAY/JSON_OBJECT arguments,
 * comparisons with JSON): numbers stay numbers, strings become JSON strings, times their text.
 */
export function jsonOfScalar(v: Exclude<Value, null>): JsonValue {
  if (v instanceof SqlJson) return v.value;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return v;
  if (v instanceof Decimal) return v.toFloat();
  if (v instanceof Uint8Array) return utf8.decode(v);
  return valueToString(v);
}
