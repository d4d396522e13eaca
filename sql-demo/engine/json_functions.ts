import { ER, sqlError } from '../errors.ts';
import type { JsonValue } from '../tidb_codec.ts';
import type { Compiled } from './expr.ts';
import type { FieldType } from './column_type.ts';
import { FT } from './field_types.ts';
import { canonicalText, compareJson, compareKeys, jsonPathValues, jsonTypeName, parseJsonPath, SqlJson } from './json_value.ts';
import type { Row } from './table_codec.ts';
import { jsonOfScalar, valueToString, type Value } from './value.ts';

/**
 * MySQL's JSON functions, evaluated in the SQL layer: JSON_EXTRACT (and `->` / `->>`),
 * JSON_UNQUOTE, JSON_OBJECT, JSON_ARRAY, JSON_TYPE, JSON_VALID, JSON_LENGTH, JSON_KEYS,
 * JSON_QUOTE, JSON_CONTAINS, and CAST(… AS JSON). Documents given as strings are parsed (3141
 * names the argument); paths are MySQL paths (3143).
 */

type Mk = (fn: (row: Row) => Value, ft: FieldType, text: string, args: readonly Compiled[]) => Compiled;

/** The JSON column/result type. */
export const JSON_FT: FieldType = { ...FT.varbinary(0), tp: 0xf5, flen: 4294967295, sqlName: 'json' };

/** A function argument as a JSON document: JSON as is, strings parsed. */
function docArg(v: Exclude<Value, null>, argNo: number, fn: string): JsonValue {
  if (v instanceof SqlJson) return v.value;
  if (typeof v === 'string' || v instanceof Uint8Array) {
    const text = valueToString(v);
    try {
      return SqlJson.parse(text).value;
    } catch {
      throw sqlError(ER.INVALID_JSON_TEXT_IN_PARAM, `Invalid JSON text in argument ${argNo} to function ${fn}: "${text.length > 40 ? text.slice(0, 40) + '…' : text}".`);
    }
  }
  throw sqlError(ER.INVALID_JSON_TEXT_IN_PARAM, `Invalid data type for JSON data in argument ${argNo} to function ${fn}; a JSON string or JSON type is required.`);
}

/** CAST(v AS JSON): strings are JSON text, other values JSON scalars. */
export function castToJson(v: Exclude<Value, null>): SqlJson {
  if (v instanceof SqlJson) return v;
  if (typeof v === 'string' || v instanceof Uint8Array) {
    try {
      return SqlJson.parse(valueToString(v));
    } catch {
      throw sqlError(ER.INVALID_JSON_TEXT_IN_PARAM, `Invalid JSON text in argument 1 to function cast_as_json: "${valueToString(v).slice(0, 40)}".`);
    }
  }
  return SqlJson.of(jsonOfScalar(v));
}

/** MySQL's containment: scalars equal, arrays by element, objects by key. */
function contains(target: JsonValue, candidate: JsonValue): boolean {
  if (Array.isArray(target)) {
    if (Array.isArray(candidate)) return candidate.every((c) => contains(target, c));
    return target.some((t) => contains(t, candidate));
  }
  if (target instanceof Map) {
    if (!(candidate instanceof Map)) return false;
    for (const [k, v] of candidate) if (!target.has(k) || !contains(target.get(k)!, v)) return false;
    return true;
  }
  if (Array.isArray(candidate) || candidate instanceof Map) return false;
  return compareJson(target, candidate) === 0;
}

/** Compiles `name(args)` when it is a JSON function; undefined otherwise. */
export function compileJsonFunction(name: string, args: readonly Compiled[], text: string, mk: Mk): Compiled | undefined {
  const arity = (min: number, max = min): void => {
    if (args.length < min || args.length > max) throw sqlError(ER.WRONG_PARAMCOUNT_TO_NATIVE_FCT, `Incorrect parameter count in the call to native function '${name}'`);
  };
  const evalAll = (row: Row): Array<Exclude<Value, null>> | null => {
    const out: Array<Exclude<Value, null>> = [];
    for (const a of args) {
      const v = a.eval(row);
      if (v === null) return null;
      out.push(v);
    }
    return out;
  };
  const upper = name.toUpperCase();
  switch (name) {
    case 'json_extract':
      arity(2, 1000);
      return mk((row) => {
        const vs = evalAll(row);
        if (vs === null) return null;
        const doc = docArg(vs[0]!, 1, upper);
        const paths = vs.slice(1).map((p) => parseJsonPath(valueToString(p)));
        const found = paths.flatMap((p) => jsonPathValues(doc, p));
        if (paths.length === 1 && !paths[0]!.wildcard) return found.length === 0 ? null : SqlJson.of(found[0]!);
        return found.length === 0 ? null : SqlJson.of(found);
      }, JSON_FT, text, args);
    case 'json_unquote':
      arity(1);
      return mk((row) => {
        const v = args[0]!.eval(row);
        if (v === null) return null;
        if (v instanceof SqlJson) return typeof v.value === 'string' ? v.value : v.toString();
        const s = valueToString(v);
        if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
          const parsed = docArg(s, 1, upper);
          if (typeof parsed === 'string') return parsed;
        }
        return s;
      }, FT.varchar(1024), text, args);
    case 'json_object':
      if (args.length % 2 !== 0) throw sqlError(ER.WRONG_PARAMCOUNT_TO_NATIVE_FCT, `Incorrect parameter count in the call to native function '${name}'`);
      return mk((row) => {
        const m = new Map<string, JsonValue>();
        for (let i = 0; i < args.length; i += 2) {
          const k = args[i]!.eval(row);
          if (k === null) throw sqlError([3158, '22032'], 'JSON documents may not contain NULL member names.');
          const v = args[i + 1]!.eval(row);
          m.set(valueToString(k), v === null ? null : jsonOfScalar(v));
        }
        return SqlJson.of(m);
      }, JSON_FT, text, args);
    case 'json_array':
      return mk((row) => SqlJson.of(args.map((a) => {
        const v = a.eval(row);
        return v === null ? null : jsonOfScalar(v);
      })), JSON_FT, text, args);
    case 'json_type':
      arity(1);
      return mk((row) => {
        const v = args[0]!.eval(row);
        return v === null ? null : jsonTypeName(docArg(v, 1, upper));
      }, FT.varchar(30), text, args);
    case 'json_valid':
      arity(1);
      return mk((row) => {
        const v = args[0]!.eval(row);
        if (v === null) return null;
        if (v instanceof SqlJson) return 1n;
        if (typeof v !== 'string' && !(v instanceof Uint8Array)) return 0n;
        try {
          SqlJson.parse(valueToString(v));
          return 1n;
        } catch {
          return 0n;
        }
      }, FT.longlong(), text, args);
    case 'json_length':
    case 'json_keys':
      arity(1, 2);
      return mk((row) => {
        const vs = evalAll(row);
        if (vs === null) return null;
        let doc = docArg(vs[0]!, 1, upper);
        if (vs.length === 2) {
          const p = parseJsonPath(valueToString(vs[1]!));
          if (p.wildcard) throw sqlError(ER.INVALID_JSON_PATH, 'In this situation, path expressions may not contain the * and ** tokens.');
          const found = jsonPathValues(doc, p);
          if (found.length === 0) return null;
          doc = found[0]!;
        }
        if (name === 'json_keys') return doc instanceof Map ? SqlJson.of([...doc.keys()].sort(compareKeys)) : null;
        return BigInt(Array.isArray(doc) ? doc.length : doc instanceof Map ? doc.size : 1);
      }, name === 'json_keys' ? JSON_FT : FT.longlong(), text, args);
    case 'json_quote':
      arity(1);
      return mk((row) => {
        const v = args[0]!.eval(row);
        return v === null ? null : canonicalText(valueToString(v));
      }, FT.varchar(1024), text, args);
    case 'json_contains':
      arity(2, 3);
      return mk((row) => {
        const vs = evalAll(row);
        if (vs === null) return null;
        let target = docArg(vs[0]!, 1, upper);
        const candidate = docArg(vs[1]!, 2, upper);
        if (vs.length === 3) {
          const found = jsonPathValues(target, parseJsonPath(valueToString(vs[2]!)));
          if (found.length === 0) return null;
          target = found[0]!;
        }
        return contains(target, candidate) ? 1n : 0n;
      }, FT.longlong(), text, args);
    default:
      return undefined;
  }
}
