import { MysqlType, prefixNext, encodeTablePrefix, readIntComparable } from '../tidb_codec.ts';
import { ER, sqlError } from '../errors.ts';
import type { KvClient } from '../kv/mod.ts';
import type { Accounts } from './accounts.ts';
import type { ColumnInfo, InfoSchema, TableInfo } from './catalog.ts';
import type { FieldType } from './column_type.ts';
import { FT } from './field_types.ts';
import { renderRegionKey } from './region_key.ts';
import type { Value } from './value.ts';

/**
 * Read-only system tables computed on demand: `information_schema` (SCHEMATA, TABLES,
 * COLUMNS, STATISTICS, TiDB's TIKV_REGION_STATUS) from the catalog and PD, and `mysql.user`
 * from the accounts. They are planned as `MemTable` nodes: rows are produced when the
 * statement runs, then filtered, joined and aggregated by the root executors like any rows.
 */

export const INFORMATION_SCHEMA = 'INFORMATION_SCHEMA';
export const MYSQL_SCHEMA = 'mysql';

/** What a virtual table needs to produce its rows. */
export interface VirtualSources {
  /** The newest schema (system tables always describe the current catalog). */
  readonly is: InfoSchema;
  readonly kv: KvClient;
  readonly accounts: Accounts;
}

export interface VirtualTable {
  /** The database name as shown (INFORMATION_SCHEMA, mysql). */
  readonly db: string;
  /** The table name as shown (upper case in information_schema, as MySQL shows them). */
  readonly name: string;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly ft: FieldType }>;
  rows(src: VirtualSources): Promise<Value[][]>;
}

const str = (name: string, flen = 64) => ({ name, ft: FT.varchar(flen) });
const int = (name: string) => ({ name, ft: FT.longlong(true) });

/** `information_schema` as MySQL shows it for a BASE TABLE / SYSTEM VIEW. */
function tableType(db: string): string {
  return db === INFORMATION_SCHEMA ? 'SYSTEM VIEW' : 'BASE TABLE';
}

/** All user tables plus the virtual ones, as (database name, table) pairs in name order. */
function userTables(is: InfoSchema): Array<{ db: string; t: TableInfo }> {
  const out: Array<{ db: string; t: TableInfo }> = [];
  for (const d of [...is.dbs.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) for (const t of is.tablesOf(d.name)) out.push({ db: d.name, t });
  return out;
}

/** MySQL's DATA_TYPE: the bare type name of a column type such as `decimal(10,2) unsigned`. */
function dataType(ft: FieldType): string {
  return ft.sqlName.replace(/\(.*$/, '').replace(/\s.*$/, '').toLowerCase();
}

function isStringType(tp: number): boolean {
  return tp === MysqlType.VarString || tp === MysqlType.String || tp === MysqlType.Varchar || tp === MysqlType.Blob || tp === MysqlType.TinyBlob || tp === MysqlType.MediumBlob || tp === MysqlType.LongBlob;
}

function columnKey(t: TableInfo, c: ColumnInfo): string {
  const lc = c.name.toLowerCase();
  for (const i of t.indexes) {
    if (i.columns[0]?.toLowerCase() !== lc) continue;
    if (i.primary) return 'PRI';
  }
  for (const i of t.indexes) if (i.columns[0]?.toLowerCase() === lc && i.unique && i.columns.length === 1) return 'UNI';
  for (const i of t.indexes) if (i.columns[0]?.toLowerCase() === lc) return 'MUL';
  return '';
}

function defaultText(c: ColumnInfo): string | null {
  const d = c.defaultValue;
  if (d === undefined || d === null) return null;
  return typeof d === 'object' ? 'CURRENT_TIMESTAMP' : d;
}

const VIRTUAL: VirtualTable[] = [
  {
    db: INFORMATION_SCHEMA,
    name: 'SCHEMATA',
    columns: [str('CATALOG_NAME', 512), str('SCHEMA_NAME'), str('DEFAULT_CHARACTER_SET_NAME'), str('DEFAULT_COLLATION_NAME'), str('SQL_PATH', 512)],
    rows: async ({ is }) => allSchemaNames(is).map((n) => ['def', n, 'utf8mb4', 'utf8mb4_bin', null]),
  },
  {
    db: INFORMATION_SCHEMA,
    name: 'TABLES',
    columns: [str('TABLE_CATALOG', 512), str('TABLE_SCHEMA'), str('TABLE_NAME'), str('TABLE_TYPE'), str('ENGINE'), str('ROW_FORMAT', 10), int('TABLE_ROWS'), int('AUTO_INCREMENT'), str('TABLE_COLLATION', 32), str('TABLE_COMMENT', 2048), int('TIDB_TABLE_ID')],
    rows: async ({ is }) => [
      ...VIRTUAL.map((v): Value[] => ['def', v.db, v.name, tableType(v.db), v.db === INFORMATION_SCHEMA ? null : 'InnoDB', null, null, null, 'utf8mb4_bin', '', null]),
      ...userTables(is).map(({ db, t }): Value[] => ['def', db, t.name, 'BASE TABLE', 'InnoDB', 'Compact', null, null, 'utf8mb4_bin', '', BigInt(t.id)]),
    ],
  },
  {
    db: INFORMATION_SCHEMA,
    name: 'COLUMNS',
    columns: [
      str('TABLE_CATALOG', 512), str('TABLE_SCHEMA'), str('TABLE_NAME'), str('COLUMN_NAME'), int('ORDINAL_POSITION'), str('COLUMN_DEFAULT', 1024), str('IS_NULLABLE', 3), str('DATA_TYPE'),
      int('CHARACTER_MAXIMUM_LENGTH'), int('NUMERIC_PRECISION'), int('NUMERIC_SCALE'), int('DATETIME_PRECISION'), str('CHARACTER_SET_NAME', 32), str('COLLATION_NAME', 32), str('COLUMN_TYPE'), str('COLUMN_KEY', 3), str('EXTRA', 30), str('PRIVILEGES', 80), str('COLUMN_COMMENT', 1024), str('GENERATION_EXPRESSION', 1024),
    ],
    rows: async ({ is }) => {
      const out: Value[][] = [];
      for (const v of VIRTUAL) {
        v.columns.forEach((c, i) => out.push(columnRow(v.db, v.name, c.name, i + 1, c.ft, null, true, '', '', '')));
      }
      for (const { db, t } of userTables(is)) {
        t.columns.forEach((c, i) => out.push(columnRow(db, t.name, c.name, i + 1, c.ft, defaultText(c), !c.notNull, columnKey(t, c), c.autoIncrement ? 'auto_increment' : '', c.comment ?? '')));
      }
      return out;
    },
  },
  {
    db: INFORMATION_SCHEMA,
    name: 'STATISTICS',
    columns: [str('TABLE_CATALOG', 512), str('TABLE_SCHEMA'), str('TABLE_NAME'), int('NON_UNIQUE'), str('INDEX_SCHEMA'), str('INDEX_NAME'), int('SEQ_IN_INDEX'), str('COLUMN_NAME', 21), str('NULLABLE', 3), str('INDEX_TYPE', 16)],
    rows: async ({ is }) => {
      const out: Value[][] = [];
      for (const { db, t } of userTables(is)) {
        for (const i of t.indexes) {
          i.columns.forEach((col, k) => {
            const c = t.columns.find((x) => x.name.toLowerCase() === col.toLowerCase());
            out.push(['def', db, t.name, i.unique || i.primary ? 0n : 1n, db, i.primary ? 'PRIMARY' : i.name, BigInt(k + 1), c?.name ?? col, c?.notNull ? '' : 'YES', 'BTREE']);
          });
        }
      }
      return out;
    },
  },
  {
    // No tablespaces or log files exist here; dump tools read it and expect no rows.
    db: INFORMATION_SCHEMA,
    name: 'FILES',
    columns: [int('FILE_ID'), str('FILE_NAME', 4000), str('FILE_TYPE', 20), str('TABLESPACE_NAME'), str('TABLE_SCHEMA'), str('TABLE_NAME'), str('LOGFILE_GROUP_NAME'), int('LOGFILE_GROUP_NUMBER'), str('ENGINE'), int('TOTAL_EXTENTS'), int('EXTENT_SIZE'), int('INITIAL_SIZE'), int('MAXIMUM_SIZE'), int('AUTOEXTEND_SIZE'), str('STATUS', 20), str('EXTRA', 255)],
    rows: async () => [],
  },
  // Objects this server has none of (no triggers, views, routines or events): empty, with the
  // columns tools select.
  emptyTable('TRIGGERS', ['TRIGGER_CATALOG', 'TRIGGER_SCHEMA', 'TRIGGER_NAME', 'EVENT_MANIPULATION', 'EVENT_OBJECT_CATALOG', 'EVENT_OBJECT_SCHEMA', 'EVENT_OBJECT_TABLE', 'ACTION_ORDER', 'ACTION_STATEMENT', 'ACTION_TIMING', 'DEFINER']),
  emptyTable('VIEWS', ['TABLE_CATALOG', 'TABLE_SCHEMA', 'TABLE_NAME', 'VIEW_DEFINITION', 'CHECK_OPTION', 'IS_UPDATABLE', 'DEFINER', 'SECURITY_TYPE', 'CHARACTER_SET_CLIENT', 'COLLATION_CONNECTION']),
  emptyTable('ROUTINES', ['SPECIFIC_NAME', 'ROUTINE_CATALOG', 'ROUTINE_SCHEMA', 'ROUTINE_NAME', 'ROUTINE_TYPE', 'DATA_TYPE', 'ROUTINE_DEFINITION', 'DEFINER']),
  emptyTable('EVENTS', ['EVENT_CATALOG', 'EVENT_SCHEMA', 'EVENT_NAME', 'DEFINER', 'EVENT_DEFINITION', 'STATUS']),
  {
    // Tables are not partitioned: one row per table with NULL partition fields, as MySQL shows.
    db: INFORMATION_SCHEMA,
    name: 'PARTITIONS',
    columns: [str('TABLE_CATALOG', 512), str('TABLE_SCHEMA'), str('TABLE_NAME'), str('PARTITION_NAME'), int('PARTITION_ORDINAL_POSITION'), str('PARTITION_METHOD', 18), str('PARTITION_EXPRESSION', 1024), int('TABLE_ROWS'), str('TABLESPACE_NAME')],
    rows: async ({ is }) => userTables(is).map(({ db, t }): Value[] => ['def', db, t.name, null, null, null, null, null, null]),
  },
  {
    db: INFORMATION_SCHEMA,
    name: 'TIKV_REGION_STATUS',
    columns: [int('REGION_ID'), str('START_KEY', 1024), str('END_KEY', 1024), int('TABLE_ID'), str('DB_NAME'), str('TABLE_NAME'), int('IS_INDEX'), int('INDEX_ID'), str('INDEX_NAME'), int('APPROXIMATE_SIZE'), int('APPROXIMATE_KEYS')],
    rows: async ({ is, kv }) => regionStatusRows(is, kv),
  },
  {
    db: MYSQL_SCHEMA,
    name: 'user',
    columns: [str('Host', 255), str('User', 32), str('authentication_string', 4096), str('plugin')],
    rows: async ({ accounts }) => (await accounts.list()).map((a) => [a.host, a.user, a.authString, a.plugin]),
  },
];

function emptyTable(name: string, columns: string[]): VirtualTable {
  return { db: INFORMATION_SCHEMA, name, columns: columns.map((c) => str(c, 256)), rows: async () => [] };
}

function columnRow(db: string, table: string, name: string, pos: number, ft: FieldType, def: string | null, nullable: boolean, key: string, extra: string, comment: string): Value[] {
  const stringy = isStringType(ft.tp);
  const numeric = !stringy && ft.tp !== MysqlType.Date && ft.tp !== MysqlType.Datetime && ft.tp !== MysqlType.Timestamp && ft.tp !== MysqlType.Duration && ft.tp !== MysqlType.Year;
  const timeLike = ft.tp === MysqlType.Datetime || ft.tp === MysqlType.Timestamp || ft.tp === MysqlType.Duration;
  return [
    'def', db, table, name, BigInt(pos), def, nullable ? 'YES' : 'NO', dataType(ft),
    stringy ? BigInt(ft.flen) : null,
    numeric ? BigInt(ft.flen) : null,
    numeric ? BigInt(Math.max(0, ft.decimal === 31 ? 0 : ft.decimal)) : null,
    timeLike ? BigInt(Math.max(0, ft.decimal)) : null,
    stringy ? 'utf8mb4' : null,
    stringy ? 'utf8mb4_bin' : null,
    ft.sqlName, key, extra, 'select,insert,update,references', comment, '',
  ];
}

/** Database names SHOW DATABASES and SCHEMATA list: the system ones and every user database. */
export function allSchemaNames(is: InfoSchema): string[] {
  return [INFORMATION_SCHEMA, MYSQL_SCHEMA, ...[...is.dbs.values()].map((d) => d.name)].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
}

/** Whether `name` is a system database (read-only, not in the catalog). */
export function isSystemSchema(name: string): boolean {
  const l = name.toLowerCase();
  return l === INFORMATION_SCHEMA.toLowerCase() || l === MYSQL_SCHEMA;
}

/**
 * Refuses a write (DML or DDL) into a system database with MySQL's 1044, naming the account;
 * `db` undefined (no database selected) is left to the caller's own error.
 */
export function assertWritableSchema(db: string | undefined, account: { user: string; host: string }): void {
  if (db !== undefined && isSystemSchema(db)) {
    throw sqlError(ER.DBACCESS_DENIED, `Access denied for user '${account.user}'@'${account.host}' to database '${systemSchemaName(db)}'`);
  }
}

/** The system database's name as shown, for USE. */
export function systemSchemaName(name: string): string {
  return name.toLowerCase() === MYSQL_SCHEMA ? MYSQL_SCHEMA : INFORMATION_SCHEMA;
}

/** The virtual table `db.name`, if there is one (names compare case-insensitively). */
export function virtualTable(db: string, name: string): VirtualTable | undefined {
  const d = db.toLowerCase();
  const n = name.toLowerCase();
  return VIRTUAL.find((v) => v.db.toLowerCase() === d && v.name.toLowerCase() === n);
}

/** The virtual tables of a system database, in name order. */
export function virtualTablesOf(db: string): VirtualTable[] {
  const d = db.toLowerCase();
  return VIRTUAL.filter((v) => v.db.toLowerCase() === d).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * One row per (region, table) pair for every region holding part of a table's key space, as
 * TiDB's TIKV_REGION_STATUS lists them; IS_INDEX / INDEX_ID describe where the region starts.
 */
async function regionStatusRows(is: InfoSchema, kv: KvClient): Promise<Value[][]> {
  const out: Value[][] = [];
  for (const { db, t } of userTables(is)) {
    const start = encodeTablePrefix(BigInt(t.id));
    for (const r of await kv.regions(start, prefixNext(start), { withStats: true })) {
      const inTable = r.startKey.length >= TABLE_PREFIX_BYTES && Number(readIntComparable(r.startKey, 1)) === t.id;
      const isIndex = inTable && r.startKey.length >= INDEX_ID_END && r.startKey[TABLE_PREFIX_BYTES + 1] === 0x69;
      const indexId = isIndex ? Number(readIntComparable(r.startKey, TABLE_PREFIX_BYTES + 2)) : undefined;
      const index = indexId === undefined ? undefined : t.indexes.find((i) => i.id === indexId);
      out.push([
        r.id, renderRegionKey(r.startKey), renderRegionKey(r.endKey), BigInt(t.id), db, t.name,
        isIndex ? 1n : 0n, indexId === undefined ? null : BigInt(indexId), index?.name ?? null,
        BigInt(Math.round((r.approximateSizeBytes ?? 0) / BYTES_PER_MIB)), BigInt(r.approximateKeys ?? 0),
      ]);
    }
  }
  return out;
}

/** `t` + the comparable int64 table id. */
const TABLE_PREFIX_BYTES = 9;
/** `t{id}_i{indexId}`: where an index key's index id ends. */
const INDEX_ID_END = TABLE_PREFIX_BYTES + 2 + 8;
const BYTES_PER_MIB = 1024 * 1024;
