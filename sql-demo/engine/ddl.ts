import { assertWritableSchema } from './info_schema.ts';
import { MysqlType, tableIndexRange, tableRange, type KeyRange } from '../tidb_codec.ts';
import { ER, sqlError } from '../errors.ts';
import type { KvTxn } from '../kv/mod.ts';
import type { AlterSpec, ColumnDef, Expr, IndexDef, Stmt } from '../parser/mod.ts';
import { Catalog, type ColumnInfo, type DefaultValue, type IndexInfo, type InfoSchema, type TableInfo } from './catalog.ts';
import { convertForColumn, fieldTypeFromSpec, isIntTp, type FieldType } from './column_type.ts';
import { ExprCompiler } from './expr.ts';
import { scanTable } from './executor.ts';
import type { OkResult, Session } from './session.ts';
import { DDL_RETRIES_MAX } from './session.ts';
import { indexEntry } from './table_codec.ts';
import { SqlTime, SqlDuration, valueToString, type Value } from './value.ts';
import { ColumnFlag } from '../tidb_codec.ts';

/** Longest identifier (MySQL). */
export const IDENT_CHARS_MAX = 64;
/** Columns per table (MySQL's limit is 4096; TiDB's 1017 by default). */
export const TABLE_COLUMNS_MAX = 1017;
/** Indexes per table (TiDB's default limit). */
export const TABLE_INDEXES_MAX = 64;

function checkIdent(name: string): void {
  if (name.length > IDENT_CHARS_MAX) throw sqlError(ER.TOO_LONG_IDENT, `Identifier name '${name}' is too long`);
  if (name.length === 0) throw sqlError([1103, '42000'], "Incorrect table name ''");
}

async function deleteRange(txn: KvTxn, r: KeyRange): Promise<number> {
  let n = 0;
  for await (const kv of txn.scan(r.start, r.end)) {
    txn.delete(kv.key);
    n++;
  }
  return n;
}

/**
 * DDL: every statement is one transaction over the meta keys (and, for index backfill,
 * drop and truncate, the table's data), retried on conflict with concurrent DDL, and
 * bumps the schema version so every SQL server reloads its catalog.
 */
export class DdlExecutor {
  constructor(private readonly s: Session) {}

  async run(stmt: Stmt): Promise<OkResult> {
    for (const db of targetDbs(stmt, this.s.db)) assertWritableSchema(db, this.s.identity.account);
    for (let attempt = 0; ; attempt++) {
      const txn = await this.s.engine.kv.begin();
      try {
        const is = await this.s.engine.catalog.load(txn);
        const r = await this.apply(stmt, txn, is);
        if (r.changed) {
          await Catalog.bumpVersion(txn);
          await txn.commit();
        } else await txn.rollback();
        return this.s.ok(r.affected ?? 0);
      } catch (e) {
        await txn.rollback().catch(() => undefined);
        if (e instanceof Error && e.name === 'WriteConflictError' && attempt < DDL_RETRIES_MAX) continue;
        throw e;
      }
    }
  }

  private db(is: InfoSchema, name: string | undefined) {
    const n = name ?? this.s.db;
    if (n === undefined) throw sqlError(ER.NO_DB_ERROR, 'No database selected');
    const db = is.db(n);
    if (db === undefined) throw sqlError(ER.BAD_DB_ERROR, `Unknown database '${n}'`);
    return db;
  }

  private async apply(stmt: Stmt, txn: KvTxn, is: InfoSchema): Promise<{ changed: boolean; affected?: number }> {
    switch (stmt.kind) {
      case 'createDatabase': {
        checkIdent(stmt.name);
        if (is.db(stmt.name) !== undefined) {
          if (stmt.ifNotExists) {
            this.s.addWarning(ER.DB_CREATE_EXISTS[0], `Can't create database '${stmt.name}'; database exists`, 'Note');
            return { changed: false };
          }
          throw sqlError(ER.DB_CREATE_EXISTS, `Can't create database '${stmt.name}'; database exists`);
        }
        Catalog.putDb(txn, { id: await Catalog.allocGlobalIds(txn, 1), name: stmt.name });
        return { changed: true, affected: 1 };
      }
      case 'dropDatabase': {
        const db = is.db(stmt.name);
        if (db === undefined) {
          if (stmt.ifExists) {
            this.s.addWarning(ER.DB_DROP_EXISTS[0], `Can't drop database '${stmt.name}'; database doesn't exist`, 'Note');
            return { changed: false };
          }
          throw sqlError(ER.DB_DROP_EXISTS, `Can't drop database '${stmt.name}'; database doesn't exist`);
        }
        for (const t of is.tablesOf(db.name)) {
          await deleteRange(txn, tableRange(BigInt(t.id)));
          Catalog.deleteTable(txn, t);
        }
        Catalog.deleteDb(txn, db);
        if (this.s.db?.toLowerCase() === db.name.toLowerCase()) this.s.db = undefined;
        return { changed: true };
      }
      case 'createTable':
        return this.createTable(stmt, txn, is);
      case 'dropTable': {
        for (const tn of stmt.tables) {
          const db = this.db(is, tn.db);
          const t = is.table(db.name, tn.name);
          if (t === undefined) {
            if (stmt.ifExists) {
              this.s.addWarning(ER.BAD_TABLE_ERROR[0], `Unknown table '${db.name}.${tn.name}'`, 'Note');
              continue;
            }
            throw sqlError(ER.BAD_TABLE_ERROR, `Unknown table '${db.name}.${tn.name}'`);
          }
          await deleteRange(txn, tableRange(BigInt(t.id)));
          Catalog.deleteTable(txn, t);
          this.s.engine.autoIds.forget(t.id);
        }
        return { changed: true };
      }
      case 'truncate': {
        const db = this.db(is, stmt.table.db);
        const t = is.mustTable(db.name, stmt.table.name);
        await deleteRange(txn, tableRange(BigInt(t.id)));
        Catalog.deleteTable(txn, t);
        // A new table id, like TiDB: old data is unreachable even before it is deleted.
        const id = await Catalog.allocGlobalIds(txn, 1);
        Catalog.putTable(txn, { ...t, id });
        this.s.engine.autoIds.forget(t.id);
        return { changed: true };
      }
      case 'createIndex':
        return this.alter({ table: stmt.table, specs: [{ kind: 'addIndex', index: stmt.index }] }, txn, is);
      case 'dropIndex':
        return this.alter({ table: stmt.table, specs: [{ kind: 'dropIndex', name: stmt.name }] }, txn, is);
      case 'alterTable':
        return this.alter(stmt, txn, is);
      default:
        throw sqlError(ER.UNKNOWN_ERROR, `not a DDL statement: ${stmt.kind}`);
    }
  }

  /** Validates a column definition and builds its ColumnInfo. */
  private columnInfo(d: ColumnDef, id: number, pk: boolean): ColumnInfo {
    checkIdent(d.name);
    let ft: FieldType = fieldTypeFromSpec(d.type);
    const notNull = d.notNull || pk;
    if (notNull) ft = { ...ft, flag: ft.flag | ColumnFlag.NotNull };
    if (d.autoIncrement) {
      if (!isIntTp(ft.tp) && ft.tp !== MysqlType.Float && ft.tp !== MysqlType.Double) throw sqlError([1063, '42000'], `Incorrect column specifier for column '${d.name}'`);
      ft = { ...ft, flag: ft.flag | ColumnFlag.AutoIncrement };
    }
    let defaultValue: DefaultValue | undefined;
    if (d.default !== undefined) defaultValue = this.defaultValue(d.default, ft, d.name, notNull);
    else if (!notNull && !d.autoIncrement) defaultValue = null;
    return {
      id,
      name: d.name,
      ft,
      notNull,
      ...(defaultValue !== undefined ? { defaultValue } : {}),
      autoIncrement: d.autoIncrement,
      ...(d.comment ? { comment: d.comment } : {}),
    };
  }

  private defaultValue(e: Expr, ft: FieldType, name: string, notNull: boolean): DefaultValue {
    const invalid = () => sqlError(ER.INVALID_DEFAULT, `Invalid default value for '${name}'`);
    if (e.kind === 'func' && ['current_timestamp', 'now', 'localtime', 'localtimestamp'].includes(e.name)) {
      if (ft.tp !== MysqlType.Datetime && ft.tp !== MysqlType.Timestamp) throw invalid();
      return { now: true };
    }
    if (e.kind !== 'lit' && !(e.kind === 'unary' && e.op === '-')) throw invalid();
    if (ft.tp === MysqlType.JSON && !(e.kind === 'lit' && e.value === null)) {
      throw sqlError(ER.BLOB_CANT_HAVE_DEFAULT, `BLOB, TEXT, GEOMETRY or JSON column '${name}' can't have a default value`);
    }
    const comp = new ExprCompiler(this.s.evalContext([], undefined as never), () => undefined, []);
    const v = comp.compile(e).eval([]);
    if (v === null) {
      if (notNull) throw invalid();
      return null;
    }
    let conv: Value;
    try {
      conv = convertForColumn(v, ft, name, 1);
    } catch {
      throw invalid();
    }
    if (conv === null) return null;
    if (conv instanceof Uint8Array) return Buffer.from(conv).toString('latin1');
    if (conv instanceof SqlTime || conv instanceof SqlDuration) return conv.toString();
    return valueToString(conv);
  }

  private async createTable(stmt: Extract<Stmt, { kind: 'createTable' }>, txn: KvTxn, is: InfoSchema): Promise<{ changed: boolean }> {
    const db = this.db(is, stmt.table.db);
    checkIdent(stmt.table.name);
    if (is.table(db.name, stmt.table.name) !== undefined) {
      if (stmt.ifNotExists) {
        this.s.addWarning(ER.TABLE_EXISTS_ERROR[0], `Table '${db.name}.${stmt.table.name}' already exists`, 'Note');
        return { changed: false };
      }
      throw sqlError(ER.TABLE_EXISTS_ERROR, `Table '${db.name}.${stmt.table.name}' already exists`);
    }
    if (stmt.columns.length === 0) throw sqlError(ER.TABLE_MUST_HAVE_COLUMNS, 'A table must have at least 1 column');
    if (stmt.columns.length > TABLE_COLUMNS_MAX) throw sqlError([1117, 'HY000'], 'Too many columns');
    const names = new Set<string>();
    for (const c of stmt.columns) {
      if (names.has(c.name.toLowerCase())) throw sqlError(ER.DUP_FIELDNAME, `Duplicate column name '${c.name}'`);
      names.add(c.name.toLowerCase());
    }
    const indexDefs: IndexDef[] = [];
    for (const c of stmt.columns) {
      if (c.primaryKey) indexDefs.push({ columns: [c.name], unique: true, primary: true });
      else if (c.unique) indexDefs.push({ columns: [c.name], unique: true, primary: false });
    }
    indexDefs.push(...stmt.indexes);
    const pkDefs = indexDefs.filter((i) => i.primary);
    if (pkDefs.length > 1) throw sqlError(ER.MULTIPLE_PRI_KEY, 'Multiple primary key defined');
    const pkCols = new Set((pkDefs[0]?.columns ?? []).map((c) => c.toLowerCase()));
    const columns = stmt.columns.map((c, i) => this.columnInfo(c, i + 1, pkCols.has(c.name.toLowerCase())));
    const autoCols = columns.filter((c) => c.autoIncrement);
    if (autoCols.length > 1) throw sqlError(ER.WRONG_AUTO_KEY, 'Incorrect table definition; there can be only one auto column and it must be defined as a key');
    const tableId = await Catalog.allocGlobalIds(txn, 1);
    const indexes = this.buildIndexes(indexDefs, columns, []);
    if (autoCols.length === 1 && !indexes.some((i) => i.columns[0]!.toLowerCase() === autoCols[0]!.name.toLowerCase())) {
      throw sqlError(ER.WRONG_AUTO_KEY, 'Incorrect table definition; there can be only one auto column and it must be defined as a key');
    }
    const pk = indexes.find((i) => i.primary);
    const pkColumn = pk !== undefined && pk.columns.length === 1 ? columns.find((c) => c.name.toLowerCase() === pk.columns[0]!.toLowerCase()) : undefined;
    const pkIsHandle = pkColumn !== undefined && isIntTp(pkColumn.ft.tp) && pkColumn.ft.tp !== MysqlType.Year && stmt.clustered !== false;
    const isCommonHandle = pk !== undefined && !pkIsHandle && stmt.clustered !== false;
    const withFlags = columns.map((c) => {
      let flag = c.ft.flag;
      if (pkCols.has(c.name.toLowerCase())) flag |= ColumnFlag.PriKey;
      if (indexes.some((i) => i.unique && !i.primary && i.columns.length === 1 && i.columns[0]!.toLowerCase() === c.name.toLowerCase())) flag |= ColumnFlag.UniqueKey;
      return { ...c, ft: { ...c.ft, flag } };
    });
    const t: TableInfo = {
      id: tableId,
      dbId: db.id,
      name: stmt.table.name,
      columns: withFlags,
      indexes,
      pkIsHandle,
      isCommonHandle,
      maxColumnId: columns.length,
      maxIndexId: indexes.reduce((m, i) => Math.max(m, i.id), 0),
    };
    Catalog.putTable(txn, t);
    return { changed: true };
  }

  /** Names, validates and numbers new indexes (ids continue after `existing`). */
  private buildIndexes(defs: readonly IndexDef[], columns: readonly ColumnInfo[], existing: readonly IndexInfo[], firstId = 1): IndexInfo[] {
    const out: IndexInfo[] = [];
    const taken = new Set(existing.map((i) => i.name.toLowerCase()));
    let id = firstId;
    for (const d of defs) {
      for (const c of d.columns) {
        const col = columns.find((x) => x.name.toLowerCase() === c.toLowerCase());
        if (col === undefined) throw sqlError(ER.KEY_COLUMN_DOES_NOT_EXITS, `Key column '${c}' doesn't exist in table`);
        if (col.ft.tp >= MysqlType.TinyBlob && col.ft.tp <= MysqlType.Blob) throw sqlError([1170, '42000'], `BLOB/TEXT column '${c}' used in key specification without a key length`);
        if (col.ft.tp === MysqlType.JSON) throw sqlError(ER.JSON_USED_AS_KEY, `JSON column '${col.name}' supports indexing only via generated columns`);
      }
      let name: string;
      if (d.primary) name = 'PRIMARY';
      else if (d.name !== undefined) name = d.name;
      else {
        name = d.columns[0]!;
        for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${d.columns[0]}_${k}`;
      }
      if (taken.has(name.toLowerCase())) throw sqlError(d.primary ? ER.MULTIPLE_PRI_KEY : ER.DUP_KEYNAME, d.primary ? 'Multiple primary key defined' : `Duplicate key name '${name}'`);
      taken.add(name.toLowerCase());
      const cols = d.columns.map((c) => columns.find((x) => x.name.toLowerCase() === c.toLowerCase())!.name);
      out.push({ id: id++, name, columns: cols, unique: d.unique, primary: d.primary });
    }
    if (existing.length + out.length > TABLE_INDEXES_MAX) throw sqlError([1069, '42000'], `Too many keys specified; max ${TABLE_INDEXES_MAX} keys allowed`);
    return out;
  }

  private async alter(stmt: { table: { db?: string; name: string }; specs: readonly AlterSpec[] }, txn: KvTxn, is: InfoSchema): Promise<{ changed: boolean }> {
    const db = this.db(is, stmt.table.db);
    let t = is.mustTable(db.name, stmt.table.name);
    for (const spec of stmt.specs) t = await this.alterOne(t, spec, txn);
    Catalog.putTable(txn, t);
    return { changed: true };
  }

  private async alterOne(t: TableInfo, spec: AlterSpec, txn: KvTxn): Promise<TableInfo> {
    switch (spec.kind) {
      case 'addColumn': {
        const d = spec.column;
        if (t.columns.some((c) => c.name.toLowerCase() === d.name.toLowerCase())) throw sqlError(ER.DUP_FIELDNAME, `Duplicate column name '${d.name}'`);
        if (d.primaryKey || d.autoIncrement) throw sqlError([8200, 'HY000'], 'unsupported add column with primary key or auto_increment');
        if (t.columns.length >= TABLE_COLUMNS_MAX) throw sqlError([1117, 'HY000'], 'Too many columns');
        const id = t.maxColumnId + 1;
        const col = this.columnInfo(d, id, false);
        // Existing rows read the default; NOT NULL without one reads the type's zero value (MySQL).
        const origin: DefaultValue = col.defaultValue !== undefined ? col.defaultValue : zeroValueText(col.ft);
        let next: TableInfo = { ...t, columns: [...t.columns, { ...col, originDefault: origin }], maxColumnId: id };
        if (d.unique) next = await this.addIndex(next, { columns: [d.name], unique: true, primary: false }, txn);
        return next;
      }
      case 'dropColumn': {
        const col = t.columns.find((c) => c.name.toLowerCase() === spec.name.toLowerCase());
        if (col === undefined) throw sqlError(ER.CANT_DROP_FIELD_OR_KEY, `Can't DROP '${spec.name}'; check that column/key exists`);
        if (t.columns.length === 1) throw sqlError(ER.CANT_REMOVE_ALL_FIELDS, "You can't delete all columns with ALTER TABLE; use DROP TABLE instead");
        const covering = t.indexes.filter((i) => i.columns.some((c) => c.toLowerCase() === col.name.toLowerCase()));
        if (covering.some((i) => i.primary)) throw sqlError([8200, 'HY000'], `Unsupported drop primary key column '${col.name}'`);
        if (covering.some((i) => i.columns.length > 1)) throw sqlError([8200, 'HY000'], `can't drop column ${col.name} with composite index covered`);
        let next = t;
        for (const i of covering) next = await this.dropIndex(next, i.name, txn);
        // Row values keep the old column id; readers ignore ids not in the schema.
        return { ...next, columns: next.columns.filter((c) => c !== col) };
      }
      case 'addIndex':
        return this.addIndex(t, spec.index, txn);
      case 'dropIndex':
        return this.dropIndex(t, spec.name, txn);
    }
  }

  private async addIndex(t: TableInfo, def: IndexDef, txn: KvTxn): Promise<TableInfo> {
    if (def.primary) throw sqlError([8200, 'HY000'], 'Unsupported add primary key, alter-primary-key is false');
    const [idx] = this.buildIndexes([def], t.columns, t.indexes, t.maxIndexId + 1);
    const next: TableInfo = { ...t, indexes: [...t.indexes, idx!], maxIndexId: idx!.id };
    // Backfill in the DDL transaction: the index is complete and unique-checked when it becomes visible.
    const env = this.s.execEnv(txn);
    for await (const hr of scanTable(env, next, { kind: 'full' })) {
      const e = indexEntry(next, idx!, hr.row, hr.handle);
      if (e.unique && (await txn.get(e.key)) !== undefined) {
        const vals = idx!.columns.map((c) => hr.row[next.columns.findIndex((x) => x.name.toLowerCase() === c.toLowerCase())]);
        throw sqlError(ER.DUP_ENTRY, `Duplicate entry '${vals.map((v) => (v === null ? 'NULL' : valueToString(v))).join('-')}' for key '${t.name}.${idx!.name}'`);
      }
      txn.set(e.key, e.value);
    }
    return next;
  }

  private async dropIndex(t: TableInfo, name: string, txn: KvTxn): Promise<TableInfo> {
    const idx = t.indexes.find((i) => i.name.toLowerCase() === name.toLowerCase());
    if (idx === undefined) throw sqlError(ER.CANT_DROP_FIELD_OR_KEY, `Can't DROP '${name}'; check that column/key exists`);
    if (idx.primary && (t.pkIsHandle || t.isCommonHandle)) throw sqlError([8200, 'HY000'], 'Unsupported drop primary key when the table is using clustered index');
    await deleteRange(txn, tableIndexRange(BigInt(t.id), BigInt(idx.id)));
    return { ...t, indexes: t.indexes.filter((i) => i !== idx) };
  }
}

function zeroValueText(ft: FieldType): DefaultValue {
  if ((ft.flag & ColumnFlag.NotNull) === 0) return null;
  switch (ft.tp) {
    case MysqlType.Date:
      return null;
    case MysqlType.Datetime:
    case MysqlType.Timestamp:
      return null;
    case MysqlType.Duration:
      return '00:00:00';
    case MysqlType.JSON:
      return 'null';
  }
  if (isIntTp(ft.tp) || ft.tp === MysqlType.NewDecimal || ft.tp === MysqlType.Float || ft.tp === MysqlType.Double) return '0';
  return '';
}

/** The databases a DDL statement changes (undefined: the session has none selected). */
function targetDbs(stmt: Stmt, current: string | undefined): Array<string | undefined> {
  switch (stmt.kind) {
    case 'createDatabase':
    case 'dropDatabase':
      return [stmt.name];
    case 'dropTable':
      return stmt.tables.map((t) => t.db ?? current);
    case 'createTable':
    case 'truncate':
    case 'alterTable':
    case 'createIndex':
    case 'dropIndex':
      return [stmt.table.db ?? current];
    default:
      return [];
  }
}
