import { assertWritableSchema } from './info_schema.ts';
import { ER, sqlError } from '../errors.ts';
import type { Expr, FromItem, OrderItem, SelectItem, SelectStmt, Stmt } from '../parser/mod.ts';
import type { ColumnInfo, IndexInfo, InfoSchema, TableInfo } from './catalog.ts';
import { convertForColumn, isUnsigned } from './column_type.ts';
import { collect, exec, getRow, scanTable, type ExecEnv, type HandleRow } from './executor.ts';
import { ExprCompiler, type Compiled, type SchemaColumn } from './expr.ts';
import { Planner, schemaResolver } from './planner.ts';
import type { OkResult, Session } from './session.ts';
import { defaultOf } from './session.ts';
import type { StagedTxn } from './staged_txn.ts';
import {
  columnOffset,
  commonHandleOf,
  encodeRow,
  handleColumnOffset,
  handleFromIndexEntry,
  handleKey,
  indexEntry,
  primaryIndex,
  recordKey,
  secondaryIndexes,
  type Handle,
  type Row,
} from './table_codec.ts';
import { compareNullable, hashKey, truthy, valueToString, type Value } from './value.ts';
import type { Access } from './plan.ts';

/** Rows one INSERT ... VALUES may carry. */
export const INSERT_ROWS_MAX = 100_000;

const VALUES_QUALIFIER = '\u0000values';

/**
 * INSERT / REPLACE / UPDATE / DELETE over one table, writing TiDB-format record and index
 * keys into the statement's staged buffer. Unique checks read through the buffer, so
 * duplicates inside one statement are caught too.
 */
export class DmlExecutor {
  private readonly env: ExecEnv;
  private readonly nowMs: number;
  private planner!: Planner;

  constructor(
    private readonly s: Session,
    private readonly txn: StagedTxn,
    private readonly is: InfoSchema,
    private readonly params: Value[],
  ) {
    this.env = s.execEnv(txn);
    this.nowMs = s.engine.nowMs();
  }

  private table(tn: { db?: string; name: string }): TableInfo {
    return this.is.mustTable(tn.db ?? this.s.db, tn.name);
  }

  private compiler(schema: readonly SchemaColumn[], resolver?: (t: string | undefined, n: string) => number | undefined): ExprCompiler {
    const holder: { current?: Planner } = {};
    this.planner = new Planner(this.is, this.s.evalContext(this.params, this.txn, holder));
    holder.current = this.planner;
    return new ExprCompiler(this.s.evalContext(this.params, this.txn, holder), resolver ?? schemaResolver(schema), schema);
  }

  private async runSubqueries(): Promise<void> {
    this.planner.checkNoPendingCorrelated();
    for (const sq of this.planner.subqueries) if (sq.rows === undefined) sq.rows = await collect(exec(sq.plan as never, this.env));
  }

  async run(stmt: Stmt): Promise<OkResult> {
    if (stmt.kind === 'insert' || stmt.kind === 'update' || stmt.kind === 'delete') assertWritableSchema(stmt.table.db ?? this.s.db, this.s.identity.account);
    switch (stmt.kind) {
      case 'multiUpdate':
        return this.multiUpdate(stmt);
      case 'multiDelete':
        return this.multiDelete(stmt);
      case 'insert':
        return this.insert(stmt);
      case 'update':
        return this.update(stmt);
      case 'delete':
        return this.delete(stmt);
      default:
        throw sqlError(ER.UNKNOWN_ERROR, `not DML: ${stmt.kind}`);
    }
  }

  private tableSchema(t: TableInfo, qualifier: string): SchemaColumn[] {
    return t.columns.map((c) => ({ qualifier, name: c.name, ft: c.ft }));
  }

  // ---------------------------------------------------------------- INSERT / REPLACE

  private async insert(stmt: Extract<Stmt, { kind: 'insert' }>): Promise<OkResult> {
    const t = this.table(stmt.table);
    const targetCols: ColumnInfo[] = (stmt.columns ?? t.columns.map((c) => c.name)).map((n) => {
      const c = t.columns.find((x) => x.name.toLowerCase() === n.toLowerCase());
      if (c === undefined) throw sqlError(ER.BAD_FIELD_ERROR, `Unknown column '${n}' in 'field list'`);
      return c;
    });
    const comp = this.compiler([]);
    let sourceRows: Array<Array<Value | typeof DEFAULT>>;
    if (stmt.select !== null) {
      const sel = await this.s.query(stmt.select, this.txn, this.is, this.params);
      sourceRows = sel.rows;
      if (sourceRows.length > 0 && sourceRows[0]!.length !== targetCols.length) throw sqlError(ER.WRONG_VALUE_COUNT_ON_ROW, 'Column count doesn\'t match value count at row 1');
    } else {
      const rows = stmt.rows!;
      if (rows.length > INSERT_ROWS_MAX) throw sqlError([1105, 'HY000'], `too many rows in one INSERT (max ${INSERT_ROWS_MAX})`);
      const compiled = rows.map((r, i) => {
        if (r.length !== targetCols.length && !(r.length === 0 && stmt.columns === null)) throw sqlError(ER.WRONG_VALUE_COUNT_ON_ROW, `Column count doesn't match value count at row ${i + 1}`);
        return r.map((e) => (e.kind === 'default' ? null : comp.compile(e)));
      });
      await this.runSubqueries();
      sourceRows = compiled.map((r) => r.map((c) => (c === null ? DEFAULT : c.eval([]))));
    }
    // ON DUPLICATE KEY UPDATE: SET expressions over [old row ++ VALUES() row].
    let onDup: Array<{ off: number; c: Compiled }> | undefined;
    if (stmt.onDuplicate.length > 0) {
      const schema = [...this.tableSchema(t, t.name), ...this.tableSchema(t, VALUES_QUALIFIER)];
      const n = t.columns.length;
      const oldResolver = schemaResolver(schema.slice(0, n));
      const c2 = this.compiler(schema, (q, name) => {
        if (q === VALUES_QUALIFIER) {
          const i = columnOffset(t, name);
          return i < 0 ? undefined : i + n;
        }
        return oldResolver(q, name);
      });
      onDup = stmt.onDuplicate.map((a) => {
        const off = columnOffset(t, a.column);
        if (off < 0) throw sqlError(ER.BAD_FIELD_ERROR, `Unknown column '${a.column}' in 'field list'`);
        return { off, c: c2.compile(rewriteValues(a.value)) };
      });
      await this.runSubqueries();
    }
    let affected = 0;
    let firstAutoId = 0n;
    const autoCol = t.columns.findIndex((c) => c.autoIncrement);
    let autoNeeded = 0;
    for (const src of sourceRows) {
      const v = autoCol < 0 ? undefined : src[targetCols.indexOf(t.columns[autoCol]!)];
      if (autoCol >= 0 && (v === undefined || v === null || v === DEFAULT || v === 0n)) autoNeeded++;
    }
    let nextAuto = autoNeeded > 0 ? await this.s.engine.autoIds.alloc(t.id, autoNeeded) : 0n;
    const buildRow = (src: Array<Value | typeof DEFAULT>): Row =>
      t.columns.map((c) => {
        const k = targetCols.indexOf(c);
        const v = k < 0 || src.length === 0 ? DEFAULT : src[k]!;
        if (v !== DEFAULT) return v as Value;
        if (c.defaultValue === undefined && c.notNull && !c.autoIncrement) {
          if (k < 0) throw sqlError([1364, 'HY000'], `Field '${c.name}' doesn't have a default value`);
        }
        return defaultOf(c, this.nowMs);
      });
    if (sourceRows.length > 1) await this.prefetchConflictKeys(t, sourceRows.map((src) => () => buildRow(src)), autoCol);
    for (let ri = 0; ri < sourceRows.length; ri++) {
      const src = sourceRows[ri]!;
      const rowNo = ri + 1;
      const row: Row = buildRow(src);
      if (autoCol >= 0) {
        const v = row[autoCol];
        if (v === null || v === 0n) {
          if (firstAutoId === 0n) firstAutoId = nextAuto;
          row[autoCol] = nextAuto++;
        }
      }
      const conv = this.convertRow(t, row, rowNo);
      if (autoCol >= 0 && typeof conv[autoCol] === 'bigint') await this.s.engine.autoIds.rebase(t.id, conv[autoCol] as bigint);
      const handle = await this.handleFor(t, conv);
      const conflicts = await this.conflicts(t, conv, handle);
      if (conflicts.length === 0) {
        this.writeRow(t, handle, conv);
        affected++;
        continue;
      }
      if (stmt.replace) {
        for (const old of conflicts) {
          this.deleteRow(t, old);
          affected++;
        }
        // The row may conflict with rows deleted above only; re-check is unnecessary.
        this.writeRow(t, handle, conv);
        affected++;
        continue;
      }
      if (onDup !== undefined) {
        const old = conflicts[0]!;
        const ctxRow = [...old.row, ...conv];
        const updated = old.row.slice();
        for (const a of onDup) {
          updated[a.off] = a.c.eval([...updated, ...conv]);
          void ctxRow;
        }
        const newRow = this.convertRow(t, updated, rowNo);
        if (sameRow(old.row, newRow)) continue;
        await this.updateRow(t, old, newRow);
        affected += 2;
        continue;
      }
      const dup = this.dupError(t, conv, conflicts[0]!.via);
      if (stmt.ignore) {
        this.s.addWarning(dup.code, dup.message);
        continue;
      }
      throw dup;
    }
    if (firstAutoId !== 0n) this.s.lastInsertId = firstAutoId;
    return this.s.ok(affected, firstAutoId);
  }

  /**
   * Reads, in one batch, every key a multi-row INSERT's duplicate checks will look at: the
   * record keys of rows with a known primary key and their unique-index keys (TiDB's batch
   * check). Rows that fail to build or convert, or get an AUTO_INCREMENT value, are left to
   * the row-by-row path, which raises their errors in row order.
   */
  private async prefetchConflictKeys(t: TableInfo, rows: ReadonlyArray<() => Row>, autoCol: number): Promise<void> {
    const keys: Uint8Array[] = [];
    const uniques = secondaryIndexes(t).filter((i) => i.unique);
    const placeholder: Handle = { kind: 'int', value: 0n };
    for (let ri = 0; ri < rows.length; ri++) {
      try {
        const row = rows[ri]!();
        if (autoCol >= 0 && (row[autoCol] === null || row[autoCol] === 0n)) continue;
        const conv = this.convertRow(t, row, ri + 1);
        let h: Handle | undefined;
        if (t.pkIsHandle) {
          const off = handleColumnOffset(t);
          const v = conv[off];
          if (typeof v === 'bigint') h = { kind: 'int', value: isUnsigned(t.columns[off]!.ft) ? BigInt.asIntN(64, v) : v };
        } else if (t.isCommonHandle) {
          h = { kind: 'common', encoded: commonHandleOf(t, conv) };
        }
        if (h !== undefined) keys.push(recordKey(t, h));
        for (const idx of uniques) {
          const e = indexEntry(t, idx, conv, h ?? placeholder);
          if (e.unique) keys.push(e.key);
        }
      } catch {
        // Raised again, in row order, by the row-by-row path.
      }
    }
    await this.txn.prefetch(keys);
  }

  /** Applies column conversions, NOT NULL checks (1048) and size limits to a full row. */
  private convertRow(t: TableInfo, row: Row, rowNo: number): Row {
    return t.columns.map((c, i) => {
      const v = convertForColumn(row[i] ?? null, c.ft, c.name, rowNo);
      if (v === null && c.notNull) throw sqlError(ER.BAD_NULL_ERROR, `Column '${c.name}' cannot be null`);
      return v;
    });
  }

  private async handleFor(t: TableInfo, row: Row): Promise<Handle> {
    if (t.pkIsHandle) {
      const off = handleColumnOffset(t);
      const v = row[off] as bigint;
      return { kind: 'int', value: isUnsigned(t.columns[off]!.ft) ? BigInt.asIntN(64, v) : v };
    }
    if (t.isCommonHandle) return { kind: 'common', encoded: commonHandleOf(t, row) };
    return { kind: 'int', value: await this.s.engine.autoIds.alloc(t.id, 1) };
  }

  /** Existing rows that collide with `row` on the primary key or a unique index. */
  private async conflicts(t: TableInfo, row: Row, h: Handle, ignoreHandle?: Handle): Promise<Array<HandleRow & { via: IndexInfo | 'PRIMARY' }>> {
    const out: Array<HandleRow & { via: IndexInfo | 'PRIMARY' }> = [];
    const seen = new Set<string>();
    const skip = ignoreHandle === undefined ? undefined : handleKey(ignoreHandle);
    if (t.pkIsHandle || t.isCommonHandle) {
      const existing = await getRow(this.env, t, h);
      if (existing !== undefined && handleKey(h) !== skip) {
        out.push({ ...existing, via: 'PRIMARY' });
        seen.add(handleKey(h));
      }
    }
    for (const idx of secondaryIndexes(t)) {
      if (!idx.unique) continue;
      const e = indexEntry(t, idx, row, h);
      if (!e.unique) continue;
      const v = await this.txn.get(e.key);
      if (v === undefined) continue;
      const oh = handleFromIndexEntry(t, idx, e.key, v);
      const k = handleKey(oh);
      if (k === skip || seen.has(k)) continue;
      seen.add(k);
      const existing = await getRow(this.env, t, oh);
      if (existing !== undefined) out.push({ ...existing, via: idx });
    }
    return out;
  }

  private dupError(t: TableInfo, row: Row, via: IndexInfo | 'PRIMARY') {
    const idx = via === 'PRIMARY' ? primaryIndex(t)! : via;
    const vals = idx.columns.map((c) => row[columnOffset(t, c)]!);
    return sqlError(ER.DUP_ENTRY, `Duplicate entry '${vals.map((v) => (v === null ? 'NULL' : valueToString(v))).join('-')}' for key '${t.name}.${idx.name}'`);
  }

  private writeRow(t: TableInfo, h: Handle, row: Row): void {
    this.txn.set(recordKey(t, h), encodeRow(t, row));
    for (const idx of secondaryIndexes(t)) {
      const e = indexEntry(t, idx, row, h);
      this.txn.set(e.key, e.value);
    }
  }

  private deleteRow(t: TableInfo, old: HandleRow): void {
    this.txn.delete(recordKey(t, old.handle));
    for (const idx of secondaryIndexes(t)) this.txn.delete(indexEntry(t, idx, old.row, old.handle).key);
  }

  /** Replaces `old` by `newRow` (new handle if the primary key changed), checking unique keys. */
  private async updateRow(t: TableInfo, old: HandleRow, newRow: Row): Promise<void> {
    const h = t.pkIsHandle || t.isCommonHandle ? await this.handleFor(t, newRow) : old.handle;
    const conflicts = await this.conflicts(t, newRow, h, old.handle);
    if (conflicts.length > 0) throw this.dupError(t, newRow, conflicts[0]!.via);
    this.deleteRow(t, old);
    this.writeRow(t, h, newRow);
  }

  // ---------------------------------------------------------------- UPDATE / DELETE

  /** Rows matching WHERE, in ORDER BY order, cut by LIMIT (materialized before any write). */
  private async targetRows(t: TableInfo, alias: string, where: Expr | null, orderBy: readonly OrderItem[], limit: Expr | null): Promise<{ rows: HandleRow[]; comp: ExprCompiler }> {
    const schema = this.tableSchema(t, alias);
    const comp = this.compiler(schema);
    const cond = where === null ? null : comp.compile(where);
    const access: Access = where === null ? { kind: 'full' } : this.planner.dmlAccess(t, schema, where, comp);
    const keys = orderBy.map((o) => ({ c: comp.compile(o.expr), desc: o.desc }));
    const lim = limit === null ? undefined : comp.compile(limit);
    await this.runSubqueries();
    let rows: HandleRow[] = [];
    for await (const hr of scanTable(this.env, t, access)) {
      if (cond !== null && truthy(cond.eval(hr.row)) !== true) continue;
      rows.push(hr);
    }
    if (keys.length > 0) {
      rows.sort((a, b) => {
        for (const k of keys) {
          const c = compareNullable(k.c.eval(a.row), k.c.eval(b.row));
          if (c !== 0) return k.desc ? -c : c;
        }
        return 0;
      });
    }
    if (lim !== undefined) {
      const n = lim.eval([]);
      if (typeof n !== 'bigint' || n < 0n) throw sqlError(ER.WRONG_ARGUMENTS, 'Incorrect arguments to LIMIT');
      rows = rows.slice(0, Number(n));
    }
    return { rows, comp };
  }

  private async update(stmt: Extract<Stmt, { kind: 'update' }>): Promise<OkResult> {
    const t = this.table(stmt.table);
    const alias = stmt.alias ?? t.name;
    const { rows, comp } = await this.targetRows(t, alias, stmt.where, stmt.orderBy, stmt.limit);
    const sets = stmt.set.map((a) => {
      const off = columnOffset(t, a.column);
      if (off < 0) throw sqlError(ER.BAD_FIELD_ERROR, `Unknown column '${a.column}' in 'field list'`);
      return { off, c: a.value.kind === 'default' ? null : comp.compile(a.value) };
    });
    await this.runSubqueries();
    let changed = 0;
    let rowNo = 0;
    for (const old of rows) {
      rowNo++;
      // MySQL evaluates SET left to right, later assignments seeing earlier ones.
      const next = old.row.slice();
      for (const s of sets) next[s.off] = s.c === null ? defaultOf(t.columns[s.off]!, this.nowMs) : s.c.eval(next);
      const conv = this.convertRow(t, next, rowNo);
      if (sameRow(old.row, conv)) continue;
      await this.updateRow(t, old, conv);
      changed++;
    }
    return this.s.ok(changed, 0n, `Rows matched: ${rows.length}  Changed: ${changed}  Warnings: ${this.s.warnings.length}`);
  }

  // ---------------------------------------------------------------- multi-table UPDATE / DELETE

  /**
   * The joined rows of a multi-table statement: every column of every FROM table (in FROM
   * order), filtered by WHERE, materialized before any write.
   */
  private async joinedRows(from: FromItem, where: Expr | null): Promise<{ tables: JoinedTable[]; rows: Row[]; schema: SchemaColumn[] }> {
    const tables: JoinedTable[] = [];
    const items: SelectItem[] = [];
    const walk = (f: FromItem): void => {
      if (f.kind === 'join') {
        walk(f.left);
        walk(f.right);
        return;
      }
      if (f.kind !== 'table') throw sqlError(ER.NOT_SUPPORTED_YET, "This version doesn't yet support 'a derived table in a multi-table UPDATE/DELETE'");
      assertWritableSchema(f.db ?? this.s.db, this.s.identity.account);
      const t = this.table(f);
      const alias = f.alias ?? f.name;
      if (tables.some((x) => x.alias.toLowerCase() === alias.toLowerCase())) throw sqlError([1066, '42000'], `Not unique table/alias: '${alias}'`);
      tables.push({ alias, t, offset: items.length });
      for (const c of t.columns) items.push({ expr: { kind: 'col', table: alias, name: c.name } });
    };
    walk(from);
    const q: SelectStmt = { kind: 'select', distinct: false, items, from, where, groupBy: [], having: null, orderBy: [], limit: null, offset: null, forUpdate: false };
    const res = await this.s.query(q, this.txn, this.is, this.params);
    const schema: SchemaColumn[] = tables.flatMap((jt) => jt.t.columns.map((c) => ({ qualifier: jt.alias, name: c.name, ft: c.ft })));
    return { tables, rows: res.rows as Row[], schema };
  }

  /**
   * The handles of `jt`'s row inside a joined row. Int and clustered primary keys give it
   * directly; a `_tidb_rowid` table maps the row's values to every row holding them (rows with
   * equal values join identically, so they are all targets or none).
   */
  private async handlesOf(jt: JoinedTable, slice: Row, byValue: Map<JoinedTable, Map<string, Handle[]>>): Promise<Handle[]> {
    if (jt.t.pkIsHandle || jt.t.isCommonHandle) return [await this.handleFor(jt.t, slice)];
    let m = byValue.get(jt);
    if (m === undefined) {
      m = new Map();
      for await (const hr of scanTable(this.env, jt.t, { kind: 'full' })) {
        const k = rowKey(hr.row);
        const list = m.get(k);
        if (list === undefined) m.set(k, [hr.handle]);
        else list.push(hr.handle);
      }
      byValue.set(jt, m);
    }
    return m.get(rowKey(slice)) ?? [];
  }

  private async multiDelete(stmt: Extract<Stmt, { kind: 'multiDelete' }>): Promise<OkResult> {
    const { tables, rows } = await this.joinedRows(stmt.from, stmt.where);
    const targets = stmt.targets.map((name) => {
      const jt = tables.find((x) => x.alias.toLowerCase() === name.toLowerCase());
      if (jt === undefined) throw sqlError([1109, '42S02'], `Unknown table '${name}' in MULTI DELETE`);
      return jt;
    });
    const byValue = new Map<JoinedTable, Map<string, Handle[]>>();
    let deleted = 0;
    for (const jt of new Set(targets)) {
      const done = new Set<string>();
      for (const r of rows) {
        const slice = r.slice(jt.offset, jt.offset + jt.t.columns.length);
        if (slice.every((v) => v === null) && jt.t.columns.some((c) => c.notNull)) continue; // the NULL side of an outer join
        for (const h of await this.handlesOf(jt, slice, byValue)) {
          if (done.has(handleKey(h))) continue;
          done.add(handleKey(h));
          this.deleteRow(jt.t, { handle: h, row: slice });
          deleted++;
        }
      }
    }
    return this.s.ok(deleted);
  }

  private async multiUpdate(stmt: Extract<Stmt, { kind: 'multiUpdate' }>): Promise<OkResult> {
    const { tables, rows, schema } = await this.joinedRows(stmt.from, stmt.where);
    const comp = this.compiler(schema);
    const sets = stmt.set.map((a) => {
      const candidates = tables.filter((jt) => (a.table === undefined || jt.alias.toLowerCase() === a.table.toLowerCase()) && columnOffset(jt.t, a.column) >= 0);
      if (candidates.length === 0) throw sqlError(ER.BAD_FIELD_ERROR, `Unknown column '${a.table ? a.table + '.' : ''}${a.column}' in 'field list'`);
      if (candidates.length > 1) throw sqlError(ER.NON_UNIQ_ERROR, `Column '${a.column}' in field list is ambiguous`);
      const jt = candidates[0]!;
      return { jt, at: jt.offset + columnOffset(jt.t, a.column), c: a.value.kind === 'default' ? null : comp.compile(a.value) };
    });
    await this.runSubqueries();
    const byValue = new Map<JoinedTable, Map<string, Handle[]>>();
    const updated = new Set<string>();
    let matched = 0;
    let changed = 0;
    let rowNo = 0;
    for (const r of rows) {
      rowNo++;
      // Assignments run left to right on the joined row, later ones seeing earlier ones.
      const next = r.slice();
      for (const s of sets) next[s.at] = s.c === null ? defaultOf(s.jt.t.columns[s.at - s.jt.offset]!, this.nowMs) : s.c.eval(next);
      for (const jt of new Set(sets.map((s) => s.jt))) {
        const old = r.slice(jt.offset, jt.offset + jt.t.columns.length);
        if (old.every((v) => v === null) && jt.t.columns.some((c) => c.notNull)) continue;
        for (const h of await this.handlesOf(jt, old, byValue)) {
          const key = `${jt.alias}\u0000${handleKey(h)}`;
          if (updated.has(key)) continue; // each target row changes once, with its first match
          updated.add(key);
          matched++;
          const conv = this.convertRow(jt.t, next.slice(jt.offset, jt.offset + jt.t.columns.length), rowNo);
          if (sameRow(old, conv)) continue;
          await this.updateRow(jt.t, { handle: h, row: old }, conv);
          changed++;
        }
      }
    }
    return this.s.ok(changed, 0n, `Rows matched: ${matched}  Changed: ${changed}  Warnings: ${this.s.warnings.length}`);
  }

  private async delete(stmt: Extract<Stmt, { kind: 'delete' }>): Promise<OkResult> {
    const t = this.table(stmt.table);
    const { rows } = await this.targetRows(t, t.name, stmt.where, stmt.orderBy, stmt.limit);
    for (const r of rows) this.deleteRow(t, r);
    return this.s.ok(rows.length);
  }
}

const DEFAULT = Symbol('default');

/** One table of a multi-table statement's FROM and where its columns sit in the joined row. */
interface JoinedTable {
  readonly alias: string;
  readonly t: TableInfo;
  readonly offset: number;
}

function sameRow(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === null || y === null) {
      if (x !== y) return false;
    } else if (compareNullable(x, y) !== 0 || typeof x !== typeof y) return false;
  }
  return true;
}

/** `VALUES(col)` in ON DUPLICATE KEY UPDATE reads the row that failed to insert. */
function rewriteValues(e: Expr): Expr {
  const rec = rewriteValues;
  switch (e.kind) {
    case 'func':
      if (e.name === 'values' && e.args.length === 1 && e.args[0]!.kind === 'col') return { kind: 'col', table: VALUES_QUALIFIER, name: e.args[0]!.name };
      return { ...e, args: e.args.map(rec) };
    case 'unary':
      return { ...e, arg: rec(e.arg) };
    case 'binary':
      return { ...e, left: rec(e.left), right: rec(e.right) };
    case 'case':
      return { ...e, ...(e.operand ? { operand: rec(e.operand) } : {}), whens: e.whens.map((w) => ({ when: rec(w.when), then: rec(w.then) })), ...(e.else ? { else: rec(e.else) } : {}) };
    case 'cast':
    case 'is':
      return { ...e, arg: rec(e.arg) };
    case 'in':
      return { ...e, arg: rec(e.arg), list: e.list.map(rec) };
    default:
      return e;
  }
}

/** A row's values as a map key (rows of a `_tidb_rowid` table matched by value). */
function rowKey(r: Row): string {
  return r.map((v) => (v === null ? '\u0001' : hashKey(v))).join('\u0000');
}
