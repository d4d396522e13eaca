import { encodeTablePrefix, MysqlType, prefixNext } from '../tidb_codec.ts';
import { allSchemaNames, isSystemSchema, systemSchemaName, virtualTable, virtualTablesOf } from './info_schema.ts';
import { renderRegionKey } from './region_key.ts';
import { ER, sqlError } from '../errors.ts';
import type { KvClient, KvSnapshotReader } from '../kv/mod.ts';
import type { ShowStmt } from '../parser/mod.ts';
import type { ColumnInfo, InfoSchema, TableInfo } from './catalog.ts';
import { FT } from './field_types.ts';
import type { RowsResult, Session } from './session.ts';
import type { Value } from './value.ts';
import { likeToRegExp } from './expr.ts';

function cols(...names: string[]) {
  return names.map((n) => ({ name: n, ft: FT.varchar(64) }));
}

function defaultText(c: ColumnInfo): string | null {
  const d = c.defaultValue;
  if (d === undefined || d === null) return null;
  if (typeof d === 'object') return 'CURRENT_TIMESTAMP';
  return d;
}

function quoteIdent(s: string): string {
  return '`' + s.replace(/`/g, '``') + '`';
}

function quoteString(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "''") + "'";
}

function isNumericTp(tp: number): boolean {
  return tp <= MysqlType.Double || tp === MysqlType.Longlong || tp === MysqlType.Int24 || tp === MysqlType.NewDecimal || tp === MysqlType.Year;
}

/** `SHOW CREATE TABLE` text in MySQL's layout (clustered-index note as TiDB prints it). */
export function showCreateTable(t: TableInfo): string {
  const lines: string[] = [];
  for (const c of t.columns) {
    let l = `  ${quoteIdent(c.name)} ${c.ft.sqlName}`;
    if (c.notNull) l += ' NOT NULL';
    const d = c.defaultValue;
    if (d !== undefined) {
      if (d === null) {
        if (!c.notNull && c.ft.tp !== MysqlType.Blob) l += ' DEFAULT NULL';
      } else if (typeof d === 'object') l += ' DEFAULT CURRENT_TIMESTAMP';
      else l += ` DEFAULT ${isNumericTp(c.ft.tp) ? quoteString(d) : quoteString(d)}`;
    }
    if (c.autoIncrement) l += ' AUTO_INCREMENT';
    if (c.comment) l += ` COMMENT ${quoteString(c.comment)}`;
    lines.push(l);
  }
  for (const i of t.indexes) {
    const colList = i.columns.map(quoteIdent).join(',');
    if (i.primary) lines.push(`  PRIMARY KEY (${colList}) /*T![clustered_index] ${t.pkIsHandle || t.isCommonHandle ? 'CLUSTERED' : 'NONCLUSTERED'} */`);
    else if (i.unique) lines.push(`  UNIQUE KEY ${quoteIdent(i.name)} (${colList})`);
    else lines.push(`  KEY ${quoteIdent(i.name)} (${colList})`);
  }
  return `CREATE TABLE ${quoteIdent(t.name)} (\n${lines.join(',\n')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

/** Bytes per MB in APPROXIMATE_SIZE(MB) (TiDB rounds PD's MiB figure). */
const BYTES_PER_MB = 1024 * 1024;

/** `SHOW TABLE t REGIONS`: every region intersecting the table's key space `[t{id}, t{id+1})`. */
export async function showTableRegions(kv: KvClient, t: TableInfo): Promise<RowsResult> {
  const start = encodeTablePrefix(BigInt(t.id));
  const regions = await kv.regions(start, prefixNext(start), { withStats: true });
  const rows: Value[][] = regions.map((r) => [
    r.id,
    renderRegionKey(r.startKey),
    renderRegionKey(r.endKey),
    r.leaderPeerId ?? 0n,
    r.leaderStoreId,
    (r.peers ?? []).map((p) => String(p.id)).join(', '),
    BigInt(Math.round((r.approximateSizeBytes ?? 0) / BYTES_PER_MB)),
    BigInt(r.approximateKeys ?? 0),
  ]);
  const int = (name: string) => ({ name, ft: FT.longlong() });
  const str = (name: string) => ({ name, ft: FT.varchar(256) });
  return {
    kind: 'rows',
    columns: [int('REGION_ID'), str('START_KEY'), str('END_KEY'), int('LEADER_ID'), int('LEADER_STORE_ID'), str('PEERS'), int('APPROXIMATE_SIZE(MB)'), int('APPROXIMATE_KEYS')],
    rows,
  };
}

/** SHOW / DESCRIBE statements, answered from the catalog. */
export async function showStatement(s: Session, stmt: ShowStmt, is: InfoSchema, _reader: KvSnapshotReader): Promise<RowsResult> {
  switch (stmt.what) {
    case 'databases':
      return { kind: 'rows', columns: cols('Database'), rows: allSchemaNames(is).map((n) => [n]) };
    case 'tables': {
      const dbName = stmt.db ?? s.db;
      if (dbName === undefined) throw sqlError(ER.NO_DB_ERROR, 'No database selected');
      if (isSystemSchema(dbName)) {
        const name = `Tables_in_${systemSchemaName(dbName)}`;
        const vts = virtualTablesOf(dbName);
        if (stmt.full) return { kind: 'rows', columns: cols(name, 'Table_type'), rows: vts.map((v) => [v.name, v.db === 'mysql' ? 'BASE TABLE' : 'SYSTEM VIEW']) };
        return { kind: 'rows', columns: cols(name), rows: vts.map((v) => [v.name]) };
      }
      const likeRe = stmt.like === undefined ? undefined : likeToRegExp(stmt.like.toLowerCase(), '\\');
      const tables = is.tablesOf(dbName).filter((t) => likeRe === undefined || likeRe.test(t.name.toLowerCase()));
      const name = `Tables_in_${is.db(dbName)!.name}`;
      if (stmt.full) return { kind: 'rows', columns: cols(name, 'Table_type'), rows: tables.map((t) => [t.name, 'BASE TABLE']) };
      return { kind: 'rows', columns: cols(name), rows: tables.map((t) => [t.name]) };
    }
    case 'createTable': {
      const t = is.mustTable(stmt.table.db ?? s.db, stmt.table.name);
      return { kind: 'rows', columns: cols('Table', 'Create Table'), rows: [[t.name, showCreateTable(t)]] };
    }
    case 'createDatabase': {
      if (isSystemSchema(stmt.db)) {
        const n = systemSchemaName(stmt.db);
        return { kind: 'rows', columns: cols('Database', 'Create Database'), rows: [[n, `CREATE DATABASE ${quoteIdent(n)} /*!40100 DEFAULT CHARACTER SET utf8mb4 */`]] };
      }
      const db = is.db(stmt.db);
      if (db === undefined) throw sqlError(ER.BAD_DB_ERROR, `Unknown database '${stmt.db}'`);
      return { kind: 'rows', columns: cols('Database', 'Create Database'), rows: [[db.name, `CREATE DATABASE ${quoteIdent(db.name)} /*!40100 DEFAULT CHARACTER SET utf8mb4 */`]] };
    }
    case 'columns': {
      const sysDb = stmt.table.db ?? s.db;
      if (sysDb !== undefined && isSystemSchema(sysDb)) {
        const vt = virtualTable(sysDb, stmt.table.name);
        if (vt === undefined) throw sqlError(ER.NO_SUCH_TABLE, `Table '${sysDb}.${stmt.table.name}' doesn't exist`);
        return { kind: 'rows', columns: cols('Field', 'Type', 'Null', 'Key', 'Default', 'Extra'), rows: vt.columns.map((c) => [c.name, c.ft.sqlName, 'YES', '', null, '']) };
      }
      const t = is.mustTable(stmt.table.db ?? s.db, stmt.table.name);
      const rows: Value[][] = t.columns.map((c) => {
        const idx = t.indexes.find((i) => i.columns[0]!.toLowerCase() === c.name.toLowerCase());
        const key = idx === undefined ? '' : idx.primary ? 'PRI' : idx.unique && idx.columns.length === 1 ? 'UNI' : 'MUL';
        return [c.name, c.ft.sqlName, c.notNull ? 'NO' : 'YES', key, defaultText(c), c.autoIncrement ? 'auto_increment' : ''];
      });
      return { kind: 'rows', columns: cols('Field', 'Type', 'Null', 'Key', 'Default', 'Extra'), rows };
    }
    case 'index': {
      const t = is.mustTable(stmt.table.db ?? s.db, stmt.table.name);
      const rows: Value[][] = [];
      for (const i of t.indexes) {
        i.columns.forEach((cn, k) => {
          const c = t.columns.find((x) => x.name.toLowerCase() === cn.toLowerCase())!;
          rows.push([t.name, i.unique ? 0n : 1n, i.name, BigInt(k + 1), c.name, 'A', 0n, null, null, c.notNull ? '' : 'YES', 'BTREE', '', '', 'YES', null, i.primary && (t.pkIsHandle || t.isCommonHandle) ? 'YES' : 'NO']);
        });
      }
      const columns = cols('Table', 'Non_unique', 'Key_name', 'Seq_in_index', 'Column_name', 'Collation', 'Cardinality', 'Sub_part', 'Packed', 'Null', 'Index_type', 'Comment', 'Index_comment', 'Visible', 'Expression', 'Clustered');
      return { kind: 'rows', columns: columns.map((c, i) => (i === 1 || i === 3 || i === 6 ? { ...c, ft: FT.longlong() } : c)), rows };
    }
    case 'variables': {
      const re = stmt.like === undefined ? undefined : likeToRegExp(stmt.like.toLowerCase(), '\\');
      const rows: Value[][] = [];
      for (const name of [...s.engine.globals.keys()].sort()) {
        if (re !== undefined && !re.test(name)) continue;
        const v = s.sysVar(name, 'session');
        rows.push([name, v === null ? '' : String(v)]);
      }
      return { kind: 'rows', columns: cols('Variable_name', 'Value'), rows };
    }
    case 'tableRegions': {
      const t = is.mustTable(stmt.table.db ?? s.db, stmt.table.name);
      return showTableRegions(s.engine.kv, t);
    }
    case 'status':
      return { kind: 'rows', columns: cols('Variable_name', 'Value'), rows: [] };
    case 'warnings':
    case 'errors':
      return { kind: 'rows', columns: cols('Level', 'Code', 'Message'), rows: [] };
  }
}
