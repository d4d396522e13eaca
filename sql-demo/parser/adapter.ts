import nodeSqlParser from 'node-sql-parser';
import { Decimal } from '../tidb_codec.ts';
import { parseFastInsert } from './fast_insert.ts';
import { parseAccountStatement } from './account_stmt.ts';
import { numberLiteral, unescapeStringBody } from './literals.ts';
import { ER, sqlError, SqlError } from '../errors.ts';
import type { AggName, AlterSpec, BinaryOp, ColumnDef, Expr, FromItem, IndexDef, OrderItem, Query, SelectItem, SelectStmt, Stmt, TableName, TypeSpec, WithClause } from './ast.ts';

/** Longest statement text accepted (MySQL's max_allowed_packet default is 64 MiB; we parse far less). */
export const SQL_TEXT_BYTES_MAX = 4 * 1024 * 1024;

// The upstream AST is untyped JSON; this file is the only place that looks at it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

const parser = new nodeSqlParser.Parser();
const PARSE_OPT = { database: 'MySQL', parseOptions: { includeLocations: true } };

/** Result of parsing one statement text. */
export interface ParsedStatement {
  readonly stmt: Stmt;
  /** Number of `?` placeholders (prepared statements). */
  readonly paramCount: number;
}

/**
 * Parses ONE MySQL statement into our AST. Statements node-sql-parser does not know
 * (SHOW WARNINGS, SET NAMES, SHOW VARIABLES, ...) are recognised here first. Syntax errors
 * become MySQL error 1064 with the parser's message; unsupported shapes become 1235.
 */
export function parseStatement(sql: string): ParsedStatement {
  return parseStatementVia(sql, true);
}

/** `parseStatement`, optionally without the bulk-INSERT fast path (tests compare the two). */
export function parseStatementVia(sql: string, fastInsert: boolean): ParsedStatement {
  if (sql.length > SQL_TEXT_BYTES_MAX) throw sqlError(ER.NET_PACKET_TOO_LARGE, 'Got a packet bigger than the statement size limit');
  const { text, paramCount, clustered, doubles } = preprocess(sql);
  const trimmed = text.trim().replace(/;+\s*$/, '').trim();
  if (trimmed === '') return { stmt: { kind: 'empty' }, paramCount: 0 };
  const special = parseSpecial(trimmed);
  if (special !== null) return { stmt: special, paramCount };
  const fast = fastInsert ? parseFastInsert(trimmed, doubles) : null;
  if (fast !== null) return { stmt: fast, paramCount };
  let ast: Node;
  try {
    ast = parser.astify(trimmed, PARSE_OPT);
  } catch (e) {
    throw sqlError(ER.PARSE_ERROR, `You have an error in your SQL syntax; ${(e as Error).message} near '${trimmed.slice(0, 80)}'`);
  }
  if (Array.isArray(ast)) {
    if (ast.length !== 1) throw sqlError(ER.PARSE_ERROR, 'You have an error in your SQL syntax; expected exactly one statement');
    ast = ast[0];
  }
  const conv = new Converter(clustered, trimmed, doubles);
  return { stmt: conv.stmt(ast), paramCount };
}

/** Splits a script into statements at `;` outside quotes and comments. */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  while (i < script.length) {
    const c = script[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = quotedEnd(script, i);
      cur += script.slice(i, end);
      i = end;
    } else if (c === '-' && script[i + 1] === '-' && (script[i + 2] === ' ' || script[i + 2] === '\n' || script[i + 2] === undefined)) {
      const nl = script.indexOf('\n', i);
      i = nl < 0 ? script.length : nl + 1;
      cur += '\n';
    } else if (c === '#') {
      const nl = script.indexOf('\n', i);
      i = nl < 0 ? script.length : nl + 1;
      cur += '\n';
    } else if (c === '/' && script[i + 1] === '*') {
      const end = script.indexOf('*/', i + 2);
      i = end < 0 ? script.length : end + 2;
      cur += ' ';
    } else if (c === ';') {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

function quotedEnd(s: string, start: number): number {
  const q = s[start]!;
  let i = start + 1;
  while (i < s.length) {
    if (s[i] === '\\' && q !== '`') {
      i += 2;
      continue;
    }
    if (s[i] === q) {
      if (s[i + 1] === q) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return s.length;
}

/**
 * Token-level rewrites outside quotes: `?` -> `:p<n>` (numbered in text order), BOOL ->
 * BOOLEAN, drops CLUSTERED/NONCLUSTERED (remembered) and comments.
 */
function preprocess(sql: string): { text: string; paramCount: number; clustered: boolean | null; doubles: DoubleLiteral[] } {
  // Output pieces are collected, not concatenated, and the last emitted characters tracked:
  // looking back into a growing string flattens it each time (quadratic on bulk INSERTs).
  const parts: string[] = [];
  let last = ' ';
  let lastNonSpace = ' ';
  const emit = (t: string): void => {
    if (t.length === 0) return;
    parts.push(t);
    last = t[t.length - 1]!;
    const tt = t.trimEnd();
    if (tt.length > 0) lastNonSpace = tt[tt.length - 1]!;
  };
  let paramCount = 0;
  const doubles: DoubleLiteral[] = [];
  let clustered: boolean | null = null;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = quotedEnd(sql, i);
      emit(sql.slice(i, end));
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const body = sql.slice(i + 2, end < 0 ? sql.length : end);
      // TiDB feature comments (/*T![clustered_index] CLUSTERED */) carry real syntax.
      const m = /^T!\[[a-z_]+\]\s*(.*)$/s.exec(body) ?? versionedComment(body);
      if (m !== null) {
        const inner = preprocess(m[1]!);
        if (inner.clustered !== null) clustered = inner.clustered;
        emit(' ' + inner.text + ' ');
      } else {
        emit(' ');
      }
      i = end < 0 ? sql.length : end + 2;
    } else if ((c === '-' && sql[i + 1] === '-' && /\s|$/.test(sql[i + 2] ?? '')) || c === '#') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
      emit(' ');
    } else if (c === '-' && /^\d{16}/.test(sql.slice(i + 1, i + 17)) && !/[A-Za-z0-9_$]/.test(lastNonSpace)) {
      // The upstream parser folds `-<big literal>` into a lossy JS number; keep it a unary minus.
      emit('- ');
      i++;
    } else if (c === '?') {
      emit(`:p${paramCount++}`);
      i++;
    } else if (/[0-9.]/.test(c) && !/[A-Za-z0-9_$.]/.test(last) && SIGNED_EXPONENT_RE.test(sql.slice(i, i + 400))) {
      // The upstream parser reads `6e-10` as column `6e` minus 10; a DOUBLE literal is kept aside.
      const lit = SIGNED_EXPONENT_RE.exec(sql.slice(i, i + 400))![0];
      emit(`:d${doubles.length}`);
      doubles.push({ value: Number(lit), text: lit });
      i += lit.length;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      const word = sql.slice(i, j);
      const up = word.toUpperCase();
      if (up === 'BOOL') emit('BOOLEAN');
      else if (up === 'CLUSTERED') clustered = true;
      else if (up === 'NONCLUSTERED') clustered = false;
      else emit(word);
      i = j;
    } else if (/[0-9]/.test(c)) {
      // A number (or the digits of a word such as `1e`): copied whole, so the checks above see its end.
      let j = i;
      while (j < sql.length && /[A-Za-z0-9_$.]/.test(sql[j]!)) j++;
      emit(sql.slice(i, j));
      i = j;
    } else {
      emit(c);
      i++;
    }
  }
  return { text: parts.join(''), paramCount, clustered, doubles };
}

/** The version MySQL executable comments are compared with (8.0.11: a `/*!80011` comment runs here). */
const SERVER_VERSION_ID = 80011;

/**
 * MySQL's executable comment (slash-star-bang, optional 5-6 digit version, body): the body is
 * SQL when the version is absent or not above ours (dump files rely on it). MariaDB's
 * slash-star-M-bang comments stay comments, as in MySQL.
 */
function versionedComment(body: string): RegExpExecArray | null {
  const m = /^!(\d{5,6})?\s?(.*)$/s.exec(body);
  if (m === null || (m[1] !== undefined && Number(m[1]) > SERVER_VERSION_ID)) return null;
  return [m[0], m[2]!] as unknown as RegExpExecArray;
}

/** A DOUBLE literal set aside by `preprocess`: its value and its original spelling (for column names). */
interface DoubleLiteral {
  readonly value: number;
  readonly text: string;
}

/** A numeric literal whose exponent carries a sign (`6e-10`, `1.5E+3`). */
const SIGNED_EXPONENT_RE = /^(?:\d+\.?\d*|\.\d+)[eE][+-]\d+(?![A-Za-z0-9_$])/;

function unquoteIdent(s: string): string {
  return s.startsWith('`') && s.endsWith('`') ? s.slice(1, -1).replace(/``/g, '`') : s;
}

const IDENT = '(`(?:[^`]|``)+`|[A-Za-z0-9_$]+)';
const QNAME = `${IDENT}(?:\\s*\\.\\s*${IDENT})?`;

function tableName(a: string, b: string | undefined): TableName {
  return b === undefined ? { name: unquoteIdent(a) } : { db: unquoteIdent(a), name: unquoteIdent(b) };
}

function likeArg(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  return s.slice(1, -1).replace(/''/g, "'");
}

/** Statements recognised without node-sql-parser (it lacks or mis-parses them). */
function parseSpecial(s: string): Stmt | null {
  let m: RegExpExecArray | null;
  const account = parseAccountStatement(s);
  if (account !== null) return account;
  if ((m = /^set\s+(?:(session|global|local)\s+|@@(session|global|local)\.|@@)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*default$/i.exec(s))) {
    const scope = (m[1] ?? m[2] ?? 'session').toLowerCase() === 'global' ? 'global' : 'session';
    return { kind: 'set', assignments: [{ target: { kind: 'var', system: true, scope, name: m[3]!.toLowerCase() }, value: { kind: 'default' } }] };
  }
  // Table locks are accepted and do nothing, as TiDB does without enable-table-lock (dump tools send them).
  if (/^(lock\s+tables?\s+[\s\S]+|unlock\s+tables?)$/i.test(s)) return { kind: 'empty' };
  if (/^flush\s+(tables|privileges|status|logs)$/i.test(s)) return { kind: 'empty' };
  if ((m = new RegExp(`^prepare\\s+${IDENT}\\s+from\\s+(?:@([A-Za-z0-9_$.]+)|'((?:[^'\\\\]|''|\\\\.)*)'|"((?:[^"\\\\]|""|\\\\.)*)")$`, 'is').exec(s))) {
    const name = unquoteIdent(m[1]!);
    if (m[2] !== undefined) return { kind: 'prepare', name, text: { userVar: m[2].toLowerCase() } };
    return { kind: 'prepare', name, text: { literal: m[3] !== undefined ? unescapeStringBody(m[3], "'") : unescapeStringBody(m[4]!, '"') } };
  }
  if ((m = new RegExp(`^execute\\s+${IDENT}(?:\\s+using\\s+(@[A-Za-z0-9_$.]+(?:\\s*,\\s*@[A-Za-z0-9_$.]+)*))?$`, 'i').exec(s))) {
    const using = m[2] === undefined ? [] : m[2].split(',').map((v) => v.trim().slice(1).toLowerCase());
    return { kind: 'execute', name: unquoteIdent(m[1]!), using };
  }
  if ((m = new RegExp(`^admin\\s+checksum\\s+table\\s+(${QNAME}(?:\\s*,\\s*${QNAME})*)$`, 'i').exec(s))) {
    const one = new RegExp(QNAME, 'g');
    const tables: TableName[] = [];
    for (let t = one.exec(m[1]!); t !== null; t = one.exec(m[1]!)) tables.push(tableName(t[1]!, t[2]));
    return { kind: 'adminChecksum', tables };
  }
  if ((m = new RegExp(`^(?:deallocate|drop)\\s+prepare\\s+${IDENT}$`, 'i').exec(s))) return { kind: 'deallocate', name: unquoteIdent(m[1]!) };
  if (/^(begin|start\s+transaction)(\s+(read\s+write|with\s+consistent\s+snapshot))?$/i.test(s)) return { kind: 'begin' };
  if ((m = /^begin\s+(pessimistic|optimistic)$/i.exec(s))) return { kind: 'begin', mode: m[1]!.toLowerCase() as 'pessimistic' | 'optimistic' };
  if ((m = new RegExp(`^drop\\s+(?:database|schema)\\s+(if\\s+exists\\s+)?${IDENT}$`, 'i').exec(s))) return { kind: 'dropDatabase', name: unquoteIdent(m[2]!), ifExists: m[1] !== undefined };
  if (/^commit(\s+work)?$/i.test(s)) return { kind: 'commit' };
  if (/^rollback(\s+work)?$/i.test(s)) return { kind: 'rollback' };
  if ((m = new RegExp(`^use\\s+${IDENT}$`, 'i').exec(s))) return { kind: 'use', db: unquoteIdent(m[1]!) };
  if (/^show\s+(warnings|errors)(\s+limit\s+\d+)?$/i.test(s)) return { kind: 'show', what: /warnings/i.test(s) ? 'warnings' : 'errors' };
  if (/^show\s+(databases|schemas)$/i.test(s)) return { kind: 'show', what: 'databases' };
  if ((m = new RegExp(`^show\\s+(full\\s+)?tables(?:\\s+(?:from|in)\\s+${IDENT})?(?:\\s+like\\s+('(?:[^']|'')*'))?$`, 'i').exec(s))) {
    const like = likeArg(m[3]);
    return { kind: 'show', what: 'tables', full: m[1] !== undefined, ...(m[2] === undefined ? {} : { db: unquoteIdent(m[2]) }), ...(like === undefined ? {} : { like }) };
  }
  if ((m = new RegExp(`^show\\s+create\\s+table\\s+${QNAME}$`, 'i').exec(s))) return { kind: 'show', what: 'createTable', table: tableName(m[1]!, m[2]) };
  if ((m = new RegExp(`^show\\s+create\\s+(?:database|schema)\\s+(?:if\\s+not\\s+exists\\s+)?${IDENT}$`, 'i').exec(s))) return { kind: 'show', what: 'createDatabase', db: unquoteIdent(m[1]!) };
  if ((m = new RegExp(`^show\\s+(?:index|indexes|keys)\\s+(?:from|in)\\s+${QNAME}$`, 'i').exec(s))) return { kind: 'show', what: 'index', table: tableName(m[1]!, m[2]) };
  if ((m = new RegExp(`^show\\s+(?:full\\s+)?(?:columns|fields)\\s+(?:from|in)\\s+${QNAME}$`, 'i').exec(s))) return { kind: 'show', what: 'columns', table: tableName(m[1]!, m[2]) };
  if ((m = new RegExp(`^(?:desc|describe|explain)\\s+${QNAME}$`, 'i').exec(s))) return { kind: 'describe', table: tableName(m[1]!, m[2]) };
  if ((m = /^show\s+(?:session\s+|global\s+)?(variables|status)(?:\s+like\s+('(?:[^']|'')*'))?$/i.exec(s))) {
    const like = likeArg(m[2]);
    const what = m[1]!.toLowerCase() as 'variables' | 'status';
    return like === undefined ? { kind: 'show', what } : { kind: 'show', what, like };
  }
  if ((m = /^set\s+names\s+'?([A-Za-z0-9_]+)'?(\s+collate\s+'?[A-Za-z0-9_]+'?)?$/i.exec(s))) return { kind: 'setNames', charset: m[1]! };
  if (/^set\s+(?:character\s+set|charset)\s+/i.test(s)) return { kind: 'setNames', charset: 'utf8mb4' };
  if (/^set\s+(session\s+|global\s+)?transaction\s+/i.test(s)) return { kind: 'setTransaction' };
  if ((m = new RegExp(`^show\\s+table\\s+${QNAME}\\s+regions$`, 'i').exec(s))) return { kind: 'show', what: 'tableRegions', table: tableName(m[1]!, m[2]) };
  if ((m = new RegExp(`^split\\s+table\\s+${QNAME}\\s+between\\s*\\(([^)]*)\\)\\s*and\\s*\\(([^)]*)\\)\\s*regions\\s+([\\s\\S]+)$`, 'i').exec(s))) {
    const [lo, hi, regions] = selectExprs(`${m[3]!}, ${m[4]!}, ${m[5]!}`);
    if (lo === undefined || hi === undefined || regions === undefined) throw sqlError(ER.PARSE_ERROR, `You have an error in your SQL syntax near '${s.slice(0, 80)}'`);
    return { kind: 'splitTable', table: tableName(m[1]!, m[2]), between: { lo, hi, regions } };
  }
  if ((m = new RegExp(`^split\\s+table\\s+${QNAME}\\s+by\\s+(\\([\\s\\S]*\\))$`, 'i').exec(s))) {
    return { kind: 'splitTable', table: tableName(m[1]!, m[2]), by: selectExprs(m[3]!) };
  }
  if ((m = /^explain\s+analyze\s+(select|\()([\s\S]*)$/i.exec(s))) {
    return { kind: 'explain', stmt: parseStatement(m[1]! + m[2]!).stmt, analyze: true };
  }
  if ((m = /^explain\s+(?:format\s*=\s*'?\w+'?\s+)?(select|insert|update|delete|replace|\()([\s\S]*)$/i.exec(s))) {
    return { kind: 'explain', stmt: parseStatement(m[1]! + m[2]!).stmt };
  }
  return null;
}

/** The expressions of `SELECT <list>` (SPLIT TABLE values reuse the expression parser). */
function selectExprs(list: string): Expr[] {
  const st = parseStatement(`SELECT ${list}`).stmt;
  if (st.kind !== 'select') throw sqlError(ER.PARSE_ERROR, `You have an error in your SQL syntax near '${list.slice(0, 80)}'`);
  return st.items.map((i) => {
    if (i.expr.kind === 'star') throw sqlError(ER.PARSE_ERROR, `You have an error in your SQL syntax near '${list.slice(0, 80)}'`);
    return i.expr;
  });
}

/** The function name an `INTERVAL n unit` operand becomes: (amount, unit name). */
export const INTERVAL_FN = '__interval';

function unsupported(what: string): SqlError {
  return sqlError(ER.NOT_SUPPORTED_YET, `This version doesn't yet support '${what}'`);
}


const BIN_OPS: Record<string, BinaryOp> = {
  '+': '+', '-': '-', '*': '*', '/': '/', DIV: 'div', '%': '%', MOD: '%', '=': '=', '!=': '<>', '<>': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  AND: 'and', '&&': 'and', OR: 'or', '||': 'or', XOR: 'xor', '&': '&', '|': '|', '^': '^', '<<': '<<', '>>': '>>', '<=>': '<=>',
};

class Converter {
  constructor(
    private readonly clustered: boolean | null,
    private readonly source: string,
    /** DOUBLE literals `preprocess` replaced by `:dN` placeholders. */
    private readonly doubles: readonly DoubleLiteral[] = [],
  ) {}

  /** Undoes `preprocess`'s placeholders in a slice of the statement: `?` and DOUBLE literals as written. */
  private originalText(s: string): string {
    return s.replace(/:([pd])(\d+)/g, (_, k: string, n: string) => (k === 'p' ? '?' : (this.doubles[Number(n)]?.text ?? _)));
  }

  stmt(a: Node): Stmt {
    switch (a.type) {
      case 'select':
        return this.query(a);
      case 'insert':
      case 'replace':
        return this.insert(a);
      case 'update':
        return this.update(a);
      case 'delete':
        return this.delete(a);
      case 'create':
        return this.create(a);
      case 'drop':
        return this.drop(a);
      case 'truncate':
        return { kind: 'truncate', table: this.tableName(a.name[0]) };
      case 'alter':
        return this.alter(a);
      case 'use':
        return { kind: 'use', db: a.db };
      case 'set':
        return this.set(a);
      case 'show':
        if (a.keyword === 'tables') return { kind: 'show', what: 'tables', full: false };
        if (a.keyword === 'databases') return { kind: 'show', what: 'databases' };
        throw unsupported(`SHOW ${String(a.keyword).toUpperCase()}`);
      case 'desc':
        return { kind: 'describe', table: { name: a.table } };
      case 'explain':
        return { kind: 'explain', stmt: this.stmt(a.expr) };
      case 'transaction': {
        const v = String(a.expr?.action?.value ?? '').toLowerCase();
        if (v === 'begin' || v === 'start') return { kind: 'begin' };
        if (v === 'commit') return { kind: 'commit' };
        if (v === 'rollback') return { kind: 'rollback' };
        throw unsupported(`transaction ${v}`);
      }
      default:
        throw unsupported(String(a.type).toUpperCase());
    }
  }

  tableName(t: Node): TableName {
    return t.db ? { db: t.db, name: t.table } : { name: t.table };
  }

  query(a: Node): Query {
    if (a.ast !== undefined && a.type === undefined) return this.query(a.ast);
    if (a.with) {
      // WITH belongs to the whole query (a UNION's first part carries it in the upstream AST).
      const withClause = this.withClause(a.with as Node[]);
      const body = this.query({ ...a, with: null });
      return { ...body, with: withClause };
    }
    const first = this.select(a);
    if (a._next === undefined || a._next === null) return first;
    const parts: SelectStmt[] = [];
    const all: boolean[] = [];
    let cur: Node = a;
    let op: string | undefined = a.set_op;
    parts.push({ ...first, orderBy: [], limit: null, offset: null });
    while (cur._next) {
      const nxt = cur._next;
      const setOp = String(op ?? 'union').toLowerCase();
      if (!setOp.startsWith('union')) throw unsupported(setOp.toUpperCase());
      all.push(setOp === 'union all');
      parts.push(this.select(nxt));
      op = nxt.set_op;
      cur = nxt;
    }
    // The last part's ORDER BY / LIMIT apply to the whole union (MySQL grammar).
    const last = parts[parts.length - 1]!;
    parts[parts.length - 1] = { ...last, orderBy: [], limit: null, offset: null };
    return { kind: 'union', parts, all, orderBy: last.orderBy, limit: last.limit, offset: last.offset };
  }

  withClause(list: Node[]): WithClause {
    const ctes = list.map((w) => {
      const name = String(w.name?.value ?? w.name);
      const columns = w.columns ? (w.columns as Node[]).map((c) => String(c.column ?? c.value ?? c)) : undefined;
      return { name, query: this.query(w.stmt), ...(columns ? { columns } : {}) };
    });
    const names = new Set<string>();
    for (const c of ctes) {
      if (names.has(c.name.toLowerCase())) throw sqlError([1066, '42000'], `Not unique table/alias: '${c.name}'`);
      names.add(c.name.toLowerCase());
    }
    return { recursive: list.some((w) => w.recursive === true), ctes };
  }

  select(a: Node): SelectStmt {
    if (a.with) throw unsupported('WITH inside a UNION part');
    if (a.window) throw unsupported('WINDOW');
    const items: SelectItem[] = (a.columns as Node[]).map((c: Node) => {
      const e = c.expr;
      if (e.type === 'column_ref' && e.column === '*') return e.table ? { expr: { kind: 'star', table: e.table } } : { expr: { kind: 'star' } };
      if (e.type === 'star') return { expr: { kind: 'star' } };
      const alias = typeof c.as === 'string' ? c.as : undefined;
      if (alias !== undefined) return { expr: this.expr(e), alias };
      // MySQL names an unaliased expression column by its text as written.
      const loc = e.loc;
      const text = loc?.start && loc?.end ? this.originalText(this.source.slice(loc.start.offset, loc.end.offset).trim()) : undefined;
      return text !== undefined && e.type !== 'column_ref' ? { expr: this.expr(e), text } : { expr: this.expr(e) };
    });
    const from = this.fromList((a.from ?? []) as Node[]);
    const { limit, offset } = this.limit(a.limit);
    return {
      kind: 'select',
      distinct: a.distinct?.type === 'DISTINCT' || a.distinct === 'DISTINCT',
      items,
      from,
      where: a.where ? this.expr(a.where) : null,
      groupBy: ((a.groupby?.columns ?? (Array.isArray(a.groupby) ? a.groupby : [])) as Node[]).map((g) => this.expr(g)),
      having: a.having ? this.expr(a.having) : null,
      orderBy: this.orderBy(a.orderby),
      limit,
      offset,
      forUpdate: typeof a.locking_read === 'string' && /update/i.test(a.locking_read),
    };
  }

  /** A FROM list (comma items and JOINs, left-deep) as one FromItem; null for none / DUAL. */
  fromList(list: Node[]): FromItem | null {
    let from: FromItem | null = null;
    for (const f of list) {
      if (f.type === 'dual') continue;
      const item = this.fromItem(f);
      if (from === null) {
        from = item;
        continue;
      }
      const join = String(f.join ?? '').toUpperCase();
      const type = join === '' || join === 'CROSS JOIN' ? 'cross' : join.startsWith('LEFT') ? 'left' : join.startsWith('RIGHT') ? 'right' : 'inner';
      const on = f.on ? this.expr(f.on) : undefined;
      const using = f.using ? (f.using as Node[]).map((u) => String(u.value ?? u)) : undefined;
      from = { kind: 'join', type: on === undefined && using === undefined && type === 'inner' ? 'cross' : type, left: from, right: item, ...(on ? { on } : {}), ...(using ? { using } : {}) };
    }
    return from;
  }

  fromItem(f: Node): FromItem {
    if (f.expr?.ast) {
      if (!f.as) throw sqlError([1248, '42000'], 'Every derived table must have its own alias');
      return { kind: 'derived', query: this.query(f.expr.ast), alias: f.as };
    }
    if (typeof f.table !== 'string') throw unsupported('table expression');
    return { kind: 'table', name: f.table, ...(f.db ? { db: f.db } : {}), ...(f.as ? { alias: f.as } : {}) };
  }

  orderBy(o: Node): OrderItem[] {
    return ((o ?? []) as Node[]).map((x) => ({ expr: this.expr(x.expr), desc: String(x.type ?? '').toUpperCase() === 'DESC' }));
  }

  limit(l: Node): { limit: Expr | null; offset: Expr | null } {
    const v = (l?.value ?? []) as Node[];
    if (v.length === 0) return { limit: null, offset: null };
    if (v.length === 1) return { limit: this.expr(v[0]), offset: null };
    // `LIMIT a, b` = offset a, count b; `LIMIT a OFFSET b` = count a, offset b.
    if (l.seperator === 'offset') return { limit: this.expr(v[0]), offset: this.expr(v[1]) };
    return { limit: this.expr(v[1]), offset: this.expr(v[0]) };
  }

  insert(a: Node): Stmt {
    const table = this.tableName(a.table[0]);
    const columns = a.columns ? (a.columns as Node[]).map((c) => String(c.value ?? c)) : null;
    let rows: Expr[][] | null = null;
    let select: Query | null = null;
    if (a.values?.type === 'values') rows = (a.values.values as Node[]).map((r) => (r.value as Node[]).map((e) => this.expr(e)));
    else if (a.values?.type === 'select' || a.values?.ast) select = this.query(a.values.ast ?? a.values);
    else if (Array.isArray(a.values)) rows = (a.values as Node[]).map((r) => (r.value as Node[]).map((e) => this.expr(e)));
    else throw unsupported('INSERT form');
    const onDuplicate = ((a.on_duplicate_update?.set ?? []) as Node[]).map((s) => ({ column: String(s.column), value: this.expr(s.value) }));
    return { kind: 'insert', table, columns, rows, select, onDuplicate, replace: a.type === 'replace', ignore: /ignore/i.test(String(a.prefix ?? '')) };
  }

  update(a: Node): Stmt {
    if (a.table.length !== 1 || a.table[0].join) {
      if (a.orderby || a.limit?.value?.length) throw sqlError([1221, 'HY000'], 'Incorrect usage of UPDATE and ORDER BY / LIMIT');
      return {
        kind: 'multiUpdate',
        from: this.fromList(a.table as Node[])!,
        set: (a.set as Node[]).map((x) => ({ ...(x.table ? { table: String(x.table) } : {}), column: String(x.column), value: this.expr(x.value) })),
        where: a.where ? this.expr(a.where) : null,
      };
    }
    const t = a.table[0];
    const { limit } = this.limit(a.limit);
    return {
      kind: 'update',
      table: this.tableName(t),
      ...(t.as ? { alias: t.as } : {}),
      set: (a.set as Node[]).map((s) => ({ column: String(s.column), value: this.expr(s.value) })),
      where: a.where ? this.expr(a.where) : null,
      orderBy: this.orderBy(a.orderby),
      limit,
    };
  }

  delete(a: Node): Stmt {
    const targets = ((a.table ?? []) as Node[]).map((t) => String(t.table));
    const single = (a.from ?? []).length === 1 && !a.from[0].join && (targets.length === 0 || (targets.length === 1 && targets[0] === (a.from[0].as ?? a.from[0].table)));
    if (!single) {
      if (a.orderby || a.limit?.value?.length) throw sqlError([1221, 'HY000'], 'Incorrect usage of DELETE and ORDER BY / LIMIT');
      if (targets.length === 0) throw unsupported('DELETE form');
      return { kind: 'multiDelete', targets, from: this.fromList(a.from as Node[])!, where: a.where ? this.expr(a.where) : null };
    }
    const { limit } = this.limit(a.limit);
    return { kind: 'delete', table: this.tableName(a.from[0]), where: a.where ? this.expr(a.where) : null, orderBy: this.orderBy(a.orderby), limit };
  }

  create(a: Node): Stmt {
    if (a.keyword === 'database' || a.keyword === 'schema') {
      const name = a.database?.schema?.[0]?.value ?? a.database;
      return { kind: 'createDatabase', name: String(name), ifNotExists: a.if_not_exists != null };
    }
    if (a.keyword === 'index') {
      return {
        kind: 'createIndex',
        table: this.tableName(a.table),
        index: { name: a.index, columns: (a.index_columns as Node[]).map((c) => String(c.column)), unique: a.index_type === 'unique', primary: false },
      };
    }
    if (a.keyword !== 'table') throw unsupported(`CREATE ${String(a.keyword).toUpperCase()}`);
    if (a.temporary) throw unsupported('CREATE TEMPORARY TABLE');
    if (a.like || a.as || a.query_expr) throw unsupported('CREATE TABLE ... LIKE/AS');
    const columns: ColumnDef[] = [];
    const indexes: IndexDef[] = [];
    for (const d of (a.create_definitions ?? []) as Node[]) {
      if (d.resource === 'column') columns.push(this.columnDef(d));
      else if (d.resource === 'constraint' || d.resource === 'index') {
        const idx = this.indexDef(d);
        if (idx !== null) indexes.push(idx);
      } else throw unsupported(`table element ${String(d.resource)}`);
    }
    return { kind: 'createTable', table: this.tableName(a.table[0]), ifNotExists: a.if_not_exists != null, columns, indexes, clustered: this.clustered };
  }

  indexDef(d: Node): IndexDef | null {
    const ct = String(d.constraint_type ?? '').toLowerCase();
    const cols = ((d.definition ?? []) as Node[]).map((c) => String(c.column ?? c));
    if (ct.startsWith('foreign') || ct === 'check') return null; // accepted and ignored, as TiDB does for FKs before 6.6
    const primary = ct.startsWith('primary');
    const unique = primary || ct.startsWith('unique');
    const name = d.index ?? d.constraint ?? undefined;
    return { ...(name ? { name: String(name) } : {}), columns: cols, unique, primary };
  }

  columnDef(d: Node): ColumnDef {
    const type = this.typeSpec(d.definition);
    const nullable = d.nullable?.type;
    const def = d.default_val?.value;
    return {
      name: String(d.column.column),
      type,
      notNull: nullable === 'not null',
      nullExplicit: nullable !== undefined,
      ...(def !== undefined ? { default: this.expr(def) } : {}),
      autoIncrement: d.auto_increment != null,
      primaryKey: typeof d.primary_key === 'string',
      unique: typeof d.unique === 'string' || typeof d.unique_key === 'string',
      ...(d.comment ? { comment: String(d.comment?.value?.value ?? '') } : {}),
    };
  }

  typeSpec(def: Node): TypeSpec {
    const name = String(def.dataType).toUpperCase();
    const suffix = ((def.suffix ?? []) as Node[]).map((x) => String(x).toUpperCase());
    return {
      name: name === 'INTEGER' ? 'INT' : name === 'NUMERIC' ? 'DECIMAL' : name === 'BOOLEAN' ? 'BOOL' : name,
      ...(typeof def.length === 'number' ? { length: def.length } : {}),
      ...(typeof def.scale === 'number' ? { scale: def.scale } : {}),
      unsigned: suffix.includes('UNSIGNED'),
    };
  }

  drop(a: Node): Stmt {
    if (a.keyword === 'database' || a.keyword === 'schema') return { kind: 'dropDatabase', name: String(a.name), ifExists: a.prefix != null };
    if (a.keyword === 'table') return { kind: 'dropTable', tables: (a.name as Node[]).map((t) => this.tableName(t)), ifExists: a.prefix != null };
    if (a.keyword === 'index') return { kind: 'dropIndex', table: this.tableName(a.table), name: String(a.name.column ?? a.name) };
    throw unsupported(`DROP ${String(a.keyword).toUpperCase()}`);
  }

  alter(a: Node): Stmt {
    const specs: AlterSpec[] = [];
    for (const e of a.expr as Node[]) {
      if (e.resource === 'column' && e.action === 'add') specs.push({ kind: 'addColumn', column: this.columnDef(e) });
      else if (e.resource === 'column' && e.action === 'drop') specs.push({ kind: 'dropColumn', name: String(e.column.column) });
      else if ((e.resource === 'index' || e.resource === 'constraint') && e.action === 'add') {
        const idx = this.indexDef(e);
        if (idx !== null) specs.push({ kind: 'addIndex', index: idx });
      } else if ((e.resource === 'index' || e.resource === 'key') && e.action === 'drop') specs.push({ kind: 'dropIndex', name: String(e.index) });
      else throw unsupported(`ALTER TABLE ${String(e.action).toUpperCase()} ${String(e.resource).toUpperCase()}`);
    }
    return { kind: 'alterTable', table: this.tableName(a.table[0]), specs };
  }

  set(a: Node): Stmt {
    const assignments = (a.expr as Node[]).map((x) => {
      const target = this.expr(x.left);
      if (target.kind !== 'var') {
        // `SET autocommit = 1` arrives as a column ref in some shapes.
        if (target.kind === 'col') return { target: { kind: 'var' as const, system: true, scope: 'session' as const, name: target.name.toLowerCase() }, value: this.expr(x.right) };
        throw unsupported('SET target');
      }
      return { target, value: this.expr(x.right) };
    });
    return { kind: 'set', assignments };
  }

  exprList(n: Node): Expr[] {
    if (n === null || n === undefined) return [];
    if (n.type === 'expr_list') return ((n.value ?? []) as Node[]).map((x) => this.expr(x));
    return [this.expr(n)];
  }

  expr(n: Node): Expr {
    if (n === null || n === undefined) return { kind: 'lit', value: null };
    if (n.ast !== undefined && n.type === undefined) return { kind: 'subquery', query: this.query(n.ast) };
    switch (n.type) {
      case 'number':
        return numberLiteral(n.value);
      case 'bigint':
        return numberLiteral(n.value);
      case 'single_quote_string':
      case 'string':
        return { kind: 'lit', value: unescapeStringBody(String(n.value), "'") };
      case 'double_quote_string':
        return { kind: 'lit', value: unescapeStringBody(String(n.value), '"') };
      case 'natural_string':
        return { kind: 'lit', value: String(n.value) };
      case 'hex_string':
        return { kind: 'lit', value: hexBytes(String(n.value)) };
      case 'full_hex_string':
        return { kind: 'lit', value: hexBytes(String(n.value).replace(/^0x/i, '')) };
      case 'bit_string':
        return { kind: 'lit', value: BigInt('0b' + (String(n.value) || '0')) };
      case 'bool':
        return { kind: 'lit', value: n.value === true };
      case 'null':
        return { kind: 'lit', value: null };
      case 'default':
        if (String(n.value).toUpperCase() === 'DEFAULT') return { kind: 'default' };
        return { kind: 'col', name: String(n.value) };
      case 'param': {
        const name = String(n.value);
        if (name.startsWith('d')) return { kind: 'lit', value: this.doubles[Number(name.slice(1))]!.value };
        return { kind: 'param', index: Number(name.slice(1)) };
      }
      case 'date':
      case 'datetime':
      case 'timestamp':
      case 'time':
        return { kind: 'cast', arg: { kind: 'lit', value: String(n.value) }, type: { name: String(n.type).toUpperCase(), unsigned: false } };
      case 'column_ref': {
        const col = typeof n.column === 'string' ? n.column : String(n.column?.expr?.value ?? '');
        if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(col) && n.table == null) return numberLiteral(col);
        return n.table ? { kind: 'col', table: String(n.table), name: col } : { kind: 'col', name: col };
      }
      case 'var': {
        if (n.prefix === '@@') {
          const members = (n.members ?? []) as string[];
          const scope0 = String(n.name).toLowerCase();
          if (members.length > 0 && (scope0 === 'session' || scope0 === 'global' || scope0 === 'local')) {
            return { kind: 'var', system: true, scope: scope0 === 'global' ? 'global' : 'session', name: members.join('.').toLowerCase() };
          }
          return { kind: 'var', system: true, scope: 'default', name: [n.name, ...members].join('.').toLowerCase() };
        }
        if (n.prefix === '@') return { kind: 'var', system: false, scope: 'session', name: String(n.name).toLowerCase() };
        return { kind: 'var', system: true, scope: 'session', name: String(n.name).toLowerCase() };
      }
      case 'unary_expr': {
        const op = String(n.operator).toUpperCase();
        const arg = this.expr(n.expr);
        if (op === '-') {
          if (arg.kind === 'lit' && typeof arg.value === 'bigint') return { kind: 'lit', value: -arg.value };
          if (arg.kind === 'lit' && arg.value instanceof Decimal) return { kind: 'lit', value: arg.value.neg() };
          return { kind: 'unary', op: '-', arg };
        }
        if (op === '+') return arg;
        if (op === 'NOT' || op === '!') return { kind: 'unary', op: 'not', arg };
        if (op === '~') return { kind: 'unary', op: '~', arg };
        if (op === 'NOT EXISTS') {
          if (arg.kind !== 'subquery') throw unsupported('NOT EXISTS <expr>');
          return { kind: 'exists', query: arg.query, not: true };
        }
        throw unsupported(`operator ${op}`);
      }
      case 'binary_expr':
        return this.binary(n);
      case 'expr_list': {
        const l = this.exprList(n);
        if (l.length === 1) return l[0]!;
        throw sqlError(ER.OPERAND_COLUMNS, 'Operand should contain 1 column(s)');
      }
      case 'case': {
        const whens: Array<{ when: Expr; then: Expr }> = [];
        let elseE: Expr | undefined;
        for (const x of n.args as Node[]) {
          if (x.type === 'when') whens.push({ when: this.expr(x.cond), then: this.expr(x.result) });
          else elseE = this.expr(x.result);
        }
        return { kind: 'case', ...(n.expr ? { operand: this.expr(n.expr) } : {}), whens, ...(elseE ? { else: elseE } : {}) };
      }
      case 'cast': {
        const target = n.target?.[0] ?? n.target;
        return { kind: 'cast', arg: this.expr(n.expr), type: this.typeSpec(target) };
      }
      case 'aggr_func': {
        const name = String(n.name).toLowerCase() as AggName;
        if (!['count', 'sum', 'avg', 'min', 'max', 'group_concat'].includes(name)) throw unsupported(`aggregate ${name}`);
        if (n.over) throw unsupported('window functions');
        const argN = n.args?.expr;
        const distinct = /distinct/i.test(String(n.args?.distinct ?? ''));
        if (argN?.type === 'star') return { kind: 'agg', name, arg: null, distinct: false };
        return { kind: 'agg', name, arg: this.expr(argN), distinct };
      }
      case 'function': {
        const nameParts = (n.name?.name ?? []) as Node[];
        const name = nameParts.map((p) => String(p.value)).join('.').toLowerCase();
        if (n.over) throw unsupported('window functions');
        if (name === 'exists') {
          const q = n.args?.value?.[0];
          return { kind: 'exists', query: this.query(q.ast ?? q), not: false };
        }
        if (name === 'not') {
          const args = this.exprList(n.args);
          if (args.length !== 1) throw sqlError(ER.PARSE_ERROR, 'You have an error in your SQL syntax; NOT takes one operand');
          const a0 = args[0]!;
          if (a0.kind === 'exists') return { ...a0, not: !a0.not };
          return { kind: 'unary', op: 'not', arg: a0 };
        }
        return { kind: 'func', name, args: this.exprList(n.args) };
      }
      case 'origin': {
        const v = String(n.value).toLowerCase();
        if (v === 'current_timestamp' || v === 'current_date' || v === 'current_time' || v === 'current_user') return { kind: 'func', name: v, args: [] };
        throw unsupported(String(n.value));
      }
      case 'interval':
        // Only meaningful as an operand of `±` or DATE_ADD/DATE_SUB; the compiler says so otherwise.
        return { kind: 'func', name: INTERVAL_FN, args: [this.expr(n.expr), { kind: 'lit', value: String(n.unit) }] };
      default:
        throw unsupported(`expression ${String(n.type)}`);
    }
  }

  binary(n: Node): Expr {
    const op = String(n.operator).toUpperCase();
    const left = this.expr(n.left);
    if ((op === '+' || op === '-') && n.right?.type === 'interval') return { kind: 'func', name: op === '+' ? 'date_add' : 'date_sub', args: [left, this.expr(n.right)] };
    if (op === '+' && n.left?.type === 'interval') return { kind: 'func', name: 'date_add', args: [this.expr(n.right), left] };
    // MySQL's JSON operators: col->'$.p' is JSON_EXTRACT, col->>'$.p' JSON_UNQUOTE of it.
    if (op === '->') return { kind: 'func', name: 'json_extract', args: [left, this.expr(n.right)] };
    if (op === '->>') return { kind: 'func', name: 'json_unquote', args: [{ kind: 'func', name: 'json_extract', args: [left, this.expr(n.right)] }] };
    switch (op) {
      case 'IN':
      case 'NOT IN': {
        const not = op === 'NOT IN';
        const r = n.right;
        const vals = (r.type === 'expr_list' ? r.value : [r]) as Node[];
        if (vals.length === 1 && vals[0].ast !== undefined) return { kind: 'inSubquery', arg: left, query: this.query(vals[0].ast), not };
        return { kind: 'in', arg: left, list: vals.map((v) => this.expr(v)), not };
      }
      case 'BETWEEN':
      case 'NOT BETWEEN': {
        const [lo, hi] = this.exprList(n.right);
        return { kind: 'between', arg: left, lo: lo!, hi: hi!, not: op === 'NOT BETWEEN' };
      }
      case 'LIKE':
      case 'NOT LIKE': {
        const pattern = this.expr({ ...n.right, escape: undefined });
        const esc = n.right?.escape?.value;
        return { kind: 'like', arg: left, pattern, ...(esc ? { escape: this.expr(esc) } : {}), not: op === 'NOT LIKE' };
      }
      case 'IS':
      case 'IS NOT': {
        const r = n.right;
        const what = r.type === 'null' ? 'null' : r.type === 'bool' ? (r.value ? 'true' : 'false') : null;
        if (what === null) throw unsupported('IS <expr>');
        return { kind: 'is', arg: left, what, not: op === 'IS NOT' };
      }
      case 'REGEXP':
      case 'RLIKE':
      case 'NOT REGEXP':
        return { kind: 'func', name: op.startsWith('NOT') ? 'not_regexp' : 'regexp', args: [left, this.expr(n.right)] };
    }
    const bop = BIN_OPS[op];
    if (bop === undefined) throw unsupported(`operator ${op}`);
    return { kind: 'binary', op: bop, left, right: this.expr(n.right) };
  }
}

function hexBytes(h: string): Uint8Array {
  const s = h.length % 2 === 1 ? '0' + h : h;
  return Uint8Array.from(Buffer.from(s, 'hex'));
}
