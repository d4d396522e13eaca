import { ER, sqlError } from '../errors.ts';
import { decodeJson, encodeJson, formatJsonDouble, jsonToText, parseJsonValue, type JsonValue } from '../tidb_codec.ts';

/**
 * A JSON value in the SQL layer: TiDB's binary JSON (what rows store) with its decoded form
 * made on demand. Text is MySQL's (`{"a": 1}`), comparison follows MySQL's JSON ordering,
 * paths are MySQL's (`$.a.b[0]`, `$."k y"`, `[*]`, `.*`, `**`).
 */
export class SqlJson {
  private decoded: JsonValue | undefined;
  private text: string | undefined;

  constructor(readonly bin: Uint8Array) {}

  static of(v: JsonValue): SqlJson {
    const j = new SqlJson(encodeJson(v));
    j.decoded = v;
    return j;
  }

  /** JSON text as MySQL's JSON type accepts it; 3140 for anything else. */
  static parse(text: string): SqlJson {
    let v: JsonValue;
    try {
      v = parseJsonValue(text);
    } catch (e) {
      throw sqlError(ER.INVALID_JSON_TEXT, `Invalid JSON text: "${(e as Error).message.replace(/^invalid JSON text: /, '')}" in value '${text.length > 60 ? text.slice(0, 60) + '…' : text}'.`);
    }
    return SqlJson.of(v);
  }

  get value(): JsonValue {
    if (this.decoded === undefined) this.decoded = decodeJson(this.bin);
    return this.decoded;
  }

  toString(): string {
    if (this.text === undefined) this.text = jsonToText(this.bin);
    return this.text;
  }

  /** A JSON number as a double; anything else 0 (MySQL warns and uses 0). */
  toNumber(): number {
    const v = this.value;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    return 0;
  }
}

/** JSON_TYPE's name of a value. */
export function jsonTypeName(v: JsonValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'bigint') return v > (1n << 63n) - 1n ? 'UNSIGNED INTEGER' : 'INTEGER';
  if (typeof v === 'number') return 'DOUBLE';
  if (typeof v === 'string') return 'STRING';
  if (Array.isArray(v)) return 'ARRAY';
  return 'OBJECT';
}

// ------------------------------------------------------------------------------- paths

type PathLeg = { kind: 'key'; key: string } | { kind: 'index'; index: number | 'last' } | { kind: 'anyKey' } | { kind: 'anyIndex' } | { kind: 'anyDepth' };

export interface JsonPath {
  readonly legs: readonly PathLeg[];
  /** Has `*` or `**`: results are always wrapped in an array. */
  readonly wildcard: boolean;
}

/** Paths of one statement are few; parsed paths are cached by text. */
const pathCache = new Map<string, JsonPath>();
const PATH_CACHE_MAX = 1024;

/** Parses a MySQL JSON path; 3143 for a malformed one. */
export function parseJsonPath(text: string): JsonPath {
  const cached = pathCache.get(text);
  if (cached !== undefined) return cached;
  const bad = (): never => {
    throw sqlError(ER.INVALID_JSON_PATH, `Invalid JSON path expression. The error is around character position ${i}.`);
  };
  let i = 0;
  const ws = (): void => {
    while (text[i] === ' ') i++;
  };
  ws();
  if (text[i] !== '$') bad();
  i++;
  const legs: PathLeg[] = [];
  for (;;) {
    ws();
    if (i >= text.length) break;
    if (text[i] === '.') {
      i++;
      ws();
      if (text[i] === '*') {
        i++;
        legs.push({ kind: 'anyKey' });
      } else if (text[i] === '"') {
        let j = i + 1;
        let key = '';
        while (j < text.length && text[j] !== '"') {
          if (text[j] === '\\') j++;
          key += text[j] ?? '';
          j++;
        }
        if (j >= text.length) bad();
        legs.push({ kind: 'key', key });
        i = j + 1;
      } else {
        const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i));
        if (m === null) bad();
        legs.push({ kind: 'key', key: m![0] });
        i += m![0].length;
      }
    } else if (text[i] === '[') {
      i++;
      ws();
      if (text[i] === '*') {
        i++;
        legs.push({ kind: 'anyIndex' });
      } else if (text.startsWith('last', i)) {
        i += 4;
        legs.push({ kind: 'index', index: 'last' });
      } else {
        const m = /^\d+/.exec(text.slice(i));
        if (m === null) bad();
        legs.push({ kind: 'index', index: Number(m![0]) });
        i += m![0].length;
      }
      ws();
      if (text[i] !== ']') bad();
      i++;
    } else if (text.startsWith('**', i)) {
      i += 2;
      legs.push({ kind: 'anyDepth' });
      if (i >= text.length) bad(); // `**` cannot end a path
    } else {
      bad();
    }
  }
  const path: JsonPath = { legs, wildcard: legs.some((l) => l.kind === 'anyKey' || l.kind === 'anyIndex' || l.kind === 'anyDepth') };
  if (pathCache.size >= PATH_CACHE_MAX) pathCache.clear();
  pathCache.set(text, path);
  return path;
}

/** Every value `path` reaches in `v`, in document order. */
export function jsonPathValues(v: JsonValue, path: JsonPath): JsonValue[] {
  let current: JsonValue[] = [v];
  for (const leg of path.legs) {
    const next: JsonValue[] = [];
    for (const c of current) {
      switch (leg.kind) {
        case 'key':
          if (c instanceof Map && c.has(leg.key)) next.push(c.get(leg.key)!);
          break;
        case 'anyKey':
          if (c instanceof Map) for (const k of [...c.keys()].sort(compareKeys)) next.push(c.get(k)!);
          break;
        case 'index': {
          // A scalar or object is an array of one element at index 0 (MySQL auto-wrapping).
          const arr = Array.isArray(c) ? c : [c];
          const at = leg.index === 'last' ? arr.length - 1 : leg.index;
          if (at >= 0 && at < arr.length) next.push(arr[at]!);
          break;
        }
        case 'anyIndex':
          if (Array.isArray(c)) next.push(...c);
          break;
        case 'anyDepth': {
          const all: JsonValue[] = [];
          const walk = (x: JsonValue): void => {
            all.push(x);
            if (Array.isArray(x)) x.forEach(walk);
            else if (x instanceof Map) for (const k of [...x.keys()].sort(compareKeys)) walk(x.get(k)!);
          };
          walk(c);
          next.push(...all);
          break;
        }
      }
    }
    current = next;
  }
  return current;
}

/** JSON object keys in TiDB's storage order: by bytes (MySQL orders by length first). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

// ------------------------------------------------------------------------------- comparison

/** MySQL's JSON type precedence for comparisons (higher sorts after). */
function rank(v: JsonValue): number {
  if (v === null) return 0;
  if (typeof v === 'number' || typeof v === 'bigint') return 1;
  if (typeof v === 'string') return 2;
  if (v instanceof Map) return 3;
  if (Array.isArray(v)) return 4;
  return 5; // boolean
}

/** Compares two JSON values as MySQL orders them (numbers numerically, strings by bytes, arrays element-wise). */
export function compareJson(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (typeof a === 'number' || typeof a === 'bigint') {
    const x = a;
    const y = b as number | bigint;
    if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
    const fx = Number(x);
    const fy = Number(y);
    return fx < fy ? -1 : fx > fy ? 1 : 0;
  }
  if (typeof a === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b as string));
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a)) {
    const y = b as JsonValue[];
    for (let i = 0; i < Math.min(a.length, y.length); i++) {
      const c = compareJson(a[i]!, y[i]!);
      if (c !== 0) return c;
    }
    return a.length - y.length === 0 ? 0 : a.length < y.length ? -1 : 1;
  }
  // Objects: equal when they hold the same keys and values; otherwise ordered by their text.
  const x = canonicalText(a);
  const y = canonicalText(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Text with object keys in storage order, so equal values have equal text (GROUP BY / DISTINCT keys). */
export function canonicalText(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatJsonDouble(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalText).join(', ')}]`;
  return `{${[...v.keys()].sort(compareKeys).map((k) => `${JSON.stringify(k)}: ${canonicalText(v.get(k)!)}`).join(', ')}}`;
}
