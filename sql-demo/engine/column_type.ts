import { SqlJson } from './json_value.ts';
import { encodeSqlBytes, ESCAPED_RE, hasRawBytes } from './sql_text.ts';
import { currentTimeZone } from './time_zone.ts';
import { ColumnFlag, Decimal, Datums, MysqlType, parseDuration, type Datum, DECIMAL_PRECISION_MAX, DECIMAL_FRAC_MAX, DURATION_NS_MAX } from '../tidb_codec.ts';
import { ER, sqlError } from '../errors.ts';
import type { TypeSpec } from '../parser/mod.ts';
import { castToTime, jsonOfScalar, SqlDuration, SqlTime, toBigInt, toDecimal, toFloat, valueToString, type Value } from './value.ts';

/** A column's (or expression's) MySQL type, as the protocol and the row codec need it. */
export interface FieldType {
  readonly tp: number;
  /** ColumnFlag bits (Unsigned, Binary, NotNull, ...). */
  readonly flag: number;
  /** Display width / max characters. */
  readonly flen: number;
  /** Scale for DECIMAL, fsp for time types, -1 when not applicable. */
  readonly decimal: number;
  /** SQL spelling for SHOW CREATE TABLE / DESCRIBE, e.g. `decimal(10,2)`, `int unsigned`. */
  readonly sqlName: string;
}

/** Longest CHAR/VARCHAR we accept, in characters (MySQL's limits). */
export const CHAR_LENGTH_MAX = 255;
export const VARCHAR_LENGTH_MAX = 16383;
const BLOB_BYTES: Record<string, number> = { TINY: 255, '': 65535, MEDIUM: 16_777_215, LONG: 4_294_967_295 };

/** Byte limit for one stored row value (TiDB `txn-entry-size-limit` default, 6 MiB). */
export const ROW_VALUE_BYTES_MAX = 6 * 1024 * 1024;

export function isUnsigned(ft: FieldType): boolean {
  return (ft.flag & ColumnFlag.Unsigned) !== 0;
}

export function isBinaryString(ft: FieldType): boolean {
  return (ft.flag & ColumnFlag.Binary) !== 0;
}

export function isStringTp(tp: number): boolean {
  return tp === MysqlType.Varchar || tp === MysqlType.VarString || tp === MysqlType.String || (tp >= MysqlType.TinyBlob && tp <= MysqlType.Blob);
}

export function isIntTp(tp: number): boolean {
  return tp === MysqlType.Tiny || tp === MysqlType.Short || tp === MysqlType.Int24 || tp === MysqlType.Long || tp === MysqlType.Longlong || tp === MysqlType.Year;
}

export function isTimeTp(tp: number): boolean {
  return tp === MysqlType.Date || tp === MysqlType.Datetime || tp === MysqlType.Timestamp;
}

/** Builds a FieldType from a DDL/CAST type spec; throws MySQL errors for bad lengths. */
export function fieldTypeFromSpec(spec: TypeSpec): FieldType {
  const u = spec.unsigned ? ColumnFlag.Unsigned : 0;
  const us = spec.unsigned ? ' unsigned' : '';
  const intType = (tp: number, name: string, width: number): FieldType => ({ tp, flag: u, flen: spec.length ?? width, decimal: 0, sqlName: `${name}${us}` });
  switch (spec.name) {
    case 'TINYINT':
      // MySQL 8 drops integer display widths except TINYINT(1), the BOOL spelling dumps carry.
      if (spec.length === 1 && !spec.unsigned) return { tp: MysqlType.Tiny, flag: 0, flen: 1, decimal: 0, sqlName: 'tinyint(1)' };
      return intType(MysqlType.Tiny, 'tinyint', 4);
    case 'BOOL':
      return { tp: MysqlType.Tiny, flag: 0, flen: 1, decimal: 0, sqlName: 'tinyint(1)' };
    case 'SMALLINT':
      return intType(MysqlType.Short, 'smallint', 6);
    case 'MEDIUMINT':
      return intType(MysqlType.Int24, 'mediumint', 9);
    case 'INT':
      return intType(MysqlType.Long, 'int', 11);
    case 'BIGINT':
      return intType(MysqlType.Longlong, 'bigint', 20);
    case 'SIGNED':
      return { tp: MysqlType.Longlong, flag: 0, flen: 20, decimal: 0, sqlName: 'bigint' };
    case 'UNSIGNED':
      return { tp: MysqlType.Longlong, flag: ColumnFlag.Unsigned, flen: 20, decimal: 0, sqlName: 'bigint unsigned' };
    case 'YEAR':
      return { tp: MysqlType.Year, flag: ColumnFlag.Unsigned | ColumnFlag.Zerofill, flen: 4, decimal: 0, sqlName: 'year' };
    case 'DECIMAL': {
      const p = spec.length ?? 10;
      const s = spec.scale ?? 0;
      if (p > DECIMAL_PRECISION_MAX) throw sqlError(ER.TOO_BIG_PRECISION, `Too big precision ${p} specified. Maximum is ${DECIMAL_PRECISION_MAX}.`);
      if (s > DECIMAL_FRAC_MAX) throw sqlError(ER.TOO_BIG_SCALE, `Too big scale ${s} specified. Maximum is ${DECIMAL_FRAC_MAX}.`);
      if (s > p) throw sqlError(ER.M_BIGGER_THAN_D, 'For float(M,D), double(M,D) or decimal(M,D), M must be >= D');
      return { tp: MysqlType.NewDecimal, flag: u, flen: p, decimal: s, sqlName: `decimal(${p},${s})${us}` };
    }
    case 'FLOAT':
      return { tp: MysqlType.Float, flag: u, flen: 12, decimal: -1, sqlName: `float${us}` };
    case 'DOUBLE':
    case 'REAL':
      return { tp: MysqlType.Double, flag: u, flen: 22, decimal: -1, sqlName: `double${us}` };
    case 'CHAR': {
      const n = spec.length ?? 1;
      if (n > CHAR_LENGTH_MAX) throw sqlError([1074, '42000'], `Column length too big for column (max = ${CHAR_LENGTH_MAX}); use BLOB or TEXT instead`);
      return { tp: MysqlType.String, flag: 0, flen: n, decimal: 0, sqlName: `char(${n})` };
    }
    case 'VARCHAR': {
      const n = spec.length ?? 255;
      if (n > VARCHAR_LENGTH_MAX) throw sqlError([1074, '42000'], `Column length too big for column (max = ${VARCHAR_LENGTH_MAX}); use BLOB or TEXT instead`);
      return { tp: MysqlType.Varchar, flag: 0, flen: n, decimal: 0, sqlName: `varchar(${n})` };
    }
    case 'BINARY':
      return { tp: MysqlType.String, flag: ColumnFlag.Binary, flen: spec.length ?? 1, decimal: 0, sqlName: `binary(${spec.length ?? 1})` };
    case 'VARBINARY':
      return { tp: MysqlType.Varchar, flag: ColumnFlag.Binary, flen: spec.length ?? 255, decimal: 0, sqlName: `varbinary(${spec.length ?? 255})` };
    case 'TINYTEXT':
    case 'TEXT':
    case 'MEDIUMTEXT':
    case 'LONGTEXT': {
      const size = spec.name.replace('TEXT', '');
      const tp = size === 'TINY' ? MysqlType.TinyBlob : size === 'MEDIUM' ? MysqlType.MediumBlob : size === 'LONG' ? MysqlType.LongBlob : MysqlType.Blob;
      return { tp, flag: ColumnFlag.Blob, flen: BLOB_BYTES[size]!, decimal: 0, sqlName: spec.name.toLowerCase() };
    }
    case 'TINYBLOB':
    case 'BLOB':
    case 'MEDIUMBLOB':
    case 'LONGBLOB': {
      const size = spec.name.replace('BLOB', '');
      const tp = size === 'TINY' ? MysqlType.TinyBlob : size === 'MEDIUM' ? MysqlType.MediumBlob : size === 'LONG' ? MysqlType.LongBlob : MysqlType.Blob;
      return { tp, flag: ColumnFlag.Blob | ColumnFlag.Binary, flen: BLOB_BYTES[size]!, decimal: 0, sqlName: spec.name.toLowerCase() };
    }
    case 'DATE':
      return { tp: MysqlType.Date, flag: 0, flen: 10, decimal: 0, sqlName: 'date' };
    case 'DATETIME':
    case 'TIMESTAMP': {
      const fsp = spec.length ?? 0;
      if (fsp > 6) throw sqlError([1426, '42000'], `Too big precision ${fsp} specified. Maximum is 6.`);
      const tp = spec.name === 'DATETIME' ? MysqlType.Datetime : MysqlType.Timestamp;
      return { tp, flag: 0, flen: fsp > 0 ? 20 + fsp : 19, decimal: fsp, sqlName: `${spec.name.toLowerCase()}${fsp > 0 ? `(${fsp})` : ''}` };
    }
    case 'JSON':
      return { tp: MysqlType.JSON, flag: ColumnFlag.Binary | ColumnFlag.Blob, flen: 4294967295, decimal: 0, sqlName: 'json' };
    case 'TIME': {
      const fsp = spec.length ?? 0;
      return { tp: MysqlType.Duration, flag: 0, flen: fsp > 0 ? 11 + fsp : 10, decimal: fsp, sqlName: `time${fsp > 0 ? `(${fsp})` : ''}` };
    }
    default:
      throw sqlError(ER.NOT_SUPPORTED_YET, `This version doesn't yet support column type '${spec.name}'`);
  }
}

function intRange(ft: FieldType): [bigint, bigint] {
  const unsigned = isUnsigned(ft);
  const bits = ft.tp === MysqlType.Tiny ? 8n : ft.tp === MysqlType.Short ? 16n : ft.tp === MysqlType.Int24 ? 24n : ft.tp === MysqlType.Long ? 32n : 64n;
  if (unsigned) return [0n, (1n << bits) - 1n];
  return [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

/** Shortest decimal string that reads back as the same float32 (how MySQL shows FLOAT). */
export function float32Display(f: number): number {
  const x = Math.fround(f);
  if (!Number.isFinite(x) || x === 0) return x;
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/**
 * Converts a value for storage in a column under strict SQL mode: out of range ->
 * 1264, too long -> 1406, unparsable -> 1366/1292. NULL passes through (NOT NULL is
 * checked by the caller, which knows the column name and row).
 */
export function convertForColumn(v: Value, ft: FieldType, colName: string, rowNo: number): Value {
  if (v === null) return null;
  const outOfRange = () => sqlError(ER.WARN_DATA_OUT_OF_RANGE, `Out of range value for column '${colName}' at row ${rowNo}`);
  if (isIntTp(ft.tp)) {
    if (ft.tp === MysqlType.Year) {
      const y = toBigInt(v);
      if (y === 0n) return 0n;
      const yy = y < 70n ? y + 2000n : y < 100n ? y + 1900n : y;
      if (yy < 1901n || yy > 2155n) throw outOfRange();
      return yy;
    }
    if (typeof v === 'string' && !/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v)) {
      throw sqlError(ER.TRUNCATED_WRONG_VALUE_FOR_FIELD, `Incorrect integer value: '${v}' for column '${colName}' at row ${rowNo}`);
    }
    const n = typeof v === 'string' ? toBigInt(toDecimal(v)) : toBigInt(v);
    const [lo, hi] = intRange(ft);
    if (n < lo || n > hi) throw outOfRange();
    return n;
  }
  switch (ft.tp) {
    case MysqlType.JSON: {
      // A string is JSON text (3140 when it is not); other values become JSON scalars.
      if (v instanceof SqlJson) return v;
      if (typeof v === 'string' || v instanceof Uint8Array) {
        try {
          return SqlJson.parse(typeof v === 'string' ? v : utf8d.decode(v));
        } catch (e) {
          const err = e as Error;
          throw sqlError(ER.INVALID_JSON_TEXT, err.message.replace(/\.$/, '') + ` at row ${rowNo} for column '${colName}'.`);
        }
      }
      return SqlJson.of(jsonOfScalar(v));
    }
    case MysqlType.NewDecimal: {
      if (typeof v === 'string' && !/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v)) {
        throw sqlError(ER.TRUNCATED_WRONG_VALUE_FOR_FIELD, `Incorrect decimal value: '${v}' for column '${colName}' at row ${rowNo}`);
      }
      const d = (typeof v === 'string' && /e/i.test(v) ? toDecimal(Number(v)) : toDecimal(v)).round(ft.decimal);
      if (!d.fitsPrecision(ft.flen, ft.decimal)) throw outOfRange();
      if (isUnsigned(ft) && d.sign() < 0) throw outOfRange();
      return d.rescale(ft.decimal);
    }
    case MysqlType.Float:
    case MysqlType.Double: {
      if (typeof v === 'string' && !/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v)) {
        throw sqlError(ER.TRUNCATED_WRONG_VALUE_FOR_FIELD, `Incorrect double value: '${v}' for column '${colName}' at row ${rowNo}`);
      }
      const f = toFloat(v);
      if (!Number.isFinite(f)) throw outOfRange();
      if (ft.tp === MysqlType.Float) {
        if (Math.abs(f) > 3.4028234663852886e38) throw outOfRange();
        return float32Display(f);
      }
      return f;
    }
    case MysqlType.Date:
    case MysqlType.Datetime:
    case MysqlType.Timestamp:
      return castToTime(v, ft.tp, ft.decimal);
    case MysqlType.Duration: {
      if (v instanceof SqlDuration) return new SqlDuration(v.ns, ft.decimal);
      try {
        const ns = parseDuration(valueToString(v), ft.decimal);
        if (ns > DURATION_NS_MAX || ns < -DURATION_NS_MAX) throw outOfRange();
        return new SqlDuration(ns, ft.decimal);
      } catch (e) {
        if ((e as Error).name === 'SqlError') throw e;
        throw sqlError(ER.TRUNCATED_WRONG_VALUE, `Incorrect time value: '${valueToString(v)}' for column '${colName}' at row ${rowNo}`);
      }
    }
  }
  if (isStringTp(ft.tp)) {
    const tooLong = () => sqlError(ER.DATA_TOO_LONG, `Data too long for column '${colName}' at row ${rowNo}`);
    if (isBinaryString(ft)) {
      // Raw bytes in a string literal (a dump of a BLOB) are kept as bytes.
      const b = v instanceof Uint8Array ? v : encodeSqlBytes(valueToString(v));
      if (b.length > ft.flen) throw tooLong();
      return b;
    }
    const s = v instanceof Uint8Array ? utf8d.decode(v) : valueToString(v);
    if (hasRawBytes(s)) {
      const bad = [...encodeSqlBytes(s.slice(s.search(ESCAPED_RE)))].slice(0, 4).map((x) => `\\x${x.toString(16).toUpperCase().padStart(2, '0')}`).join('');
      throw sqlError(ER.TRUNCATED_WRONG_VALUE_FOR_FIELD, `Incorrect string value: '${bad}' for column '${colName}' at row ${rowNo}`);
    }
    const isBlobLike = ft.tp >= MysqlType.TinyBlob && ft.tp <= MysqlType.Blob;
    if (isBlobLike ? utf8.encode(s).length > ft.flen : [...s].length > ft.flen) throw tooLong();
    return ft.tp === MysqlType.String ? s.replace(/ +$/, '') : s;
  }
  throw sqlError(ER.NOT_SUPPORTED_YET, `column type ${ft.tp} not supported`);
}

/** The storage datum of a converted column value (see convertForColumn). */
export function valueToDatum(v: Value, ft: FieldType): Datum {
  if (v === null) return Datums.null();
  if (isIntTp(ft.tp)) return isUnsigned(ft) && ft.tp !== MysqlType.Year ? Datums.uint(v as bigint) : Datums.int(v as bigint);
  switch (ft.tp) {
    case MysqlType.NewDecimal:
      return Datums.decimal(v as Decimal, ft.flen, ft.decimal);
    case MysqlType.Float:
    case MysqlType.Double:
      return Datums.float(v as number);
    case MysqlType.Date:
    case MysqlType.Datetime:
      return Datums.time((v as SqlTime).core);
    case MysqlType.Timestamp:
      // Stored in UTC; the SQL layer holds the session zone's wall clock.
      return Datums.time(currentTimeZone().toUtc((v as SqlTime).core));
    case MysqlType.Duration:
      return Datums.duration((v as SqlDuration).ns);
    case MysqlType.JSON:
      return Datums.json((v as SqlJson).bin);
  }
  if (v instanceof Uint8Array) return Datums.bytes(v);
  return Datums.bytes(utf8.encode(valueToString(v)));
}

/** Inverse of valueToDatum for a column of type `ft`. */
export function datumToValue(d: Datum, ft: FieldType): Value {
  switch (d.kind) {
    case 'null':
      return null;
    case 'int':
    case 'uint':
      return d.value;
    case 'float':
      return ft.tp === MysqlType.Float ? float32Display(d.value) : d.value;
    case 'decimal':
      return d.value;
    case 'bytes':
      return isBinaryString(ft) ? d.value.slice() : utf8d.decode(d.value);
    case 'json':
      return new SqlJson(d.value.slice());
    case 'time':
      return new SqlTime(ft.tp === MysqlType.Timestamp ? currentTimeZone().fromUtc(d.value) : d.value);
    case 'duration':
      return new SqlDuration(d.value, Math.max(0, ft.decimal));
    default:
      throw sqlError(ER.NOT_SUPPORTED_YET, `datum kind ${d.kind} not supported`);
  }
}
