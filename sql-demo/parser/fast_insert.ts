import type { Expr, Stmt } from './ast.ts';
import { numberLiteral, unescapeStringBody } from './literals.ts';

/** A DOUBLE literal the adapter's pre-pass set aside as `:dN`. */
export interface FastDouble {
  readonly value: number;
}

/** Longest unsigned digit run read as a plain literal here; longer signed ones go the general way. */
const SIGNED_DIGITS_MAX = 15;

/**
 * Bulk loads are multi-row `INSERT|REPLACE [IGNORE] [INTO] t [(cols)] VALUES (…), …` whose
 * values are all literals or `?`; the general parser spends hundreds of milliseconds on a
 * thousand such rows. This reads exactly that shape from the pre-processed text (comments
 * gone, `?` as `:pN`, signed-exponent DOUBLEs as `:dN`) and gives the same AST the general
 * path gives, or null for anything else (expressions, ON DUPLICATE KEY UPDATE, SELECT, odd
 * quoting), which then takes the general path.
 */
export function parseFastInsert(text: string, doubles: readonly FastDouble[]): Stmt | null {
  const s = new Scanner(text);
  const verb = s.word();
  if (verb !== 'insert' && verb !== 'replace') return null;
  let w = s.word();
  let ignore = false;
  if (w === 'ignore') {
    ignore = true;
    w = s.word();
  }
  if (w === 'into') w = s.word(true);
  if (w === null) return null;
  let db: string | undefined;
  let name = w;
  if (s.eat('.')) {
    const t = s.word(true);
    if (t === null) return null;
    db = name;
    name = t;
  }
  let columns: string[] | null = null;
  if (s.eat('(')) {
    columns = [];
    do {
      const c = s.word(true);
      if (c === null) return null;
      columns.push(c);
    } while (s.eat(','));
    if (!s.eat(')')) return null;
  }
  const kw = s.word();
  if (kw !== 'values' && kw !== 'value') return null;
  const rows: Expr[][] = [];
  do {
    if (!s.eat('(')) return null;
    const row: Expr[] = [];
    do {
      const v = s.literal(doubles);
      if (v === null) return null;
      row.push(v);
    } while (s.eat(','));
    if (!s.eat(')')) return null;
    rows.push(row);
  } while (s.eat(','));
  if (!s.atEnd()) return null;
  return { kind: 'insert', table: db === undefined ? { name } : { db, name }, columns, rows, select: null, onDuplicate: [], replace: verb === 'replace', ignore };
}

class Scanner {
  #i = 0;
  constructor(private readonly s: string) {}

  #skipSpace(): void {
    const s = this.s;
    while (this.#i < s.length) {
      const c = s.charCodeAt(this.#i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.#i++;
    }
  }

  atEnd(): boolean {
    this.#skipSpace();
    return this.#i >= this.s.length;
  }

  eat(ch: string): boolean {
    this.#skipSpace();
    if (this.s[this.#i] === ch) {
      this.#i++;
      return true;
    }
    return false;
  }

  /** A bare word (lower-cased unless `keepCase`) or, when `keepCase`, a backquoted identifier. */
  word(keepCase = false): string | null {
    this.#skipSpace();
    const s = this.s;
    const start = this.#i;
    if (keepCase && s[start] === '`') {
      const end = s.indexOf('`', start + 1);
      if (end < 0 || s[end + 1] === '`') return null;
      this.#i = end + 1;
      return s.slice(start + 1, end);
    }
    let j = start;
    while (j < s.length && /[A-Za-z0-9_$]/.test(s[j]!)) j++;
    if (j === start || /[0-9]/.test(s[start]!)) return null;
    this.#i = j;
    const w = s.slice(start, j);
    return keepCase ? w : w.toLowerCase();
  }

  literal(doubles: readonly FastDouble[]): Expr | null {
    this.#skipSpace();
    const s = this.s;
    const c = s[this.#i];
    if (c === "'" || c === '"') return this.#string(c);
    if (c === ':') {
      const m = /^:([pd])(\d+)/.exec(s.slice(this.#i, this.#i + 12));
      if (m === null) return null;
      this.#i += m[0].length;
      const n = Number(m[2]);
      if (m[1] === 'p') return { kind: 'param', index: n };
      const d = doubles[n];
      return d === undefined ? null : { kind: 'lit', value: d.value };
    }
    const m = /^([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]\d+)?(?![A-Za-z0-9_$.])/.exec(s.slice(this.#i, this.#i + 80));
    if (m !== null) {
      if (m[1] !== '' && m[2]!.replace('.', '').length > SIGNED_DIGITS_MAX) return null;
      this.#i += m[0].length;
      return numberLiteral(m[0]);
    }
    const w = this.word();
    if (w === 'null') return { kind: 'lit', value: null };
    if (w === 'true') return { kind: 'lit', value: true };
    if (w === 'false') return { kind: 'lit', value: false };
    return null;
  }

  #string(q: "'" | '"'): Expr | null {
    const s = this.s;
    const start = this.#i + 1;
    let i = start;
    for (;;) {
      if (i >= s.length) return null;
      const c = s[i]!;
      if (c === '\\') i += 2;
      else if (c === q) {
        if (s[i + 1] === q) i += 2;
        else break;
      } else i++;
    }
    this.#i = i + 1;
    return { kind: 'lit', value: unescapeStringBody(s.slice(start, i), q) };
  }
}
