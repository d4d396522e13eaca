import type { KvClient, KvSnapshotReader, KvTxn } from '../kv/mod.ts';
import { ER, sqlError } from '../errors.ts';
import type { FieldType } from './column_type.ts';

/** A column as stored in the catalog (JSON under the table's meta key). */
export interface ColumnInfo {
  readonly id: number;
  readonly name: string;
  readonly ft: FieldType;
  readonly notNull: boolean;
  /** Default: its string form (converted on use), null = DEFAULT NULL, `{now}` = CURRENT_TIMESTAMP; absent = none. */
  readonly defaultValue?: DefaultValue;
  /** Value for rows written before this column existed (TiDB OriginDefaultValue). */
  readonly originDefault?: DefaultValue;
  readonly autoIncrement: boolean;
  readonly comment?: string;
}

/** A stored default (JSON-able). */
export type DefaultValue = string | null | { readonly now: true };

export interface IndexInfo {
  readonly id: number;
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly primary: boolean;
}

export interface TableInfo {
  readonly id: number;
  readonly dbId: number;
  readonly name: string;
  readonly columns: readonly ColumnInfo[];
  readonly indexes: readonly IndexInfo[];
  /** The single integer primary key column is the row handle (record key `t{id}_r{pk}`). */
  readonly pkIsHandle: boolean;
  /** Clustered non-int primary key: the record key holds the encoded PK datums. */
  readonly isCommonHandle: boolean;
  readonly maxColumnId: number;
  readonly maxIndexId: number;
}

export interface DbInfo {
  readonly id: number;
  readonly name: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Meta keys (all under the `m` prefix, apart from table data which lives under `t`):
 * `mNextGlobalID` id counter, `mSchemaVersion` bumped by every DDL, `mDB:{dbId}` database
 * JSON, `mTbl:{dbId}:{tableId}` table JSON, `mAutoID:{tableId}` auto-increment/row-id
 * counter. The layout is ours (TiDB's meta hash structures are not reproduced).
 */
export const MetaKeys = {
  nextGlobalId: enc.encode('mNextGlobalID'),
  schemaVersion: enc.encode('mSchemaVersion'),
  dbPrefix: enc.encode('mDB:'),
  db: (id: number) => enc.encode(`mDB:${id}`),
  tablePrefix: enc.encode('mTbl:'),
  tablesOfDb: (dbId: number) => enc.encode(`mTbl:${dbId}:`),
  table: (dbId: number, id: number) => enc.encode(`mTbl:${dbId}:${id}`),
  autoId: (tableId: number) => enc.encode(`mAutoID:${tableId}`),
};

function prefixEnd(p: Uint8Array): Uint8Array {
  const out = p.slice();
  out[out.length - 1]!++;
  return out;
}

/** Reads a decimal counter value (absent = 0). */
export async function readCounter(r: KvSnapshotReader, key: Uint8Array): Promise<bigint> {
  const v = await r.get(key);
  return v === undefined ? 0n : BigInt(dec.decode(v));
}

export function writeCounter(txn: KvTxn, key: Uint8Array, v: bigint): void {
  txn.set(key, enc.encode(v.toString()));
}

/** One immutable loaded version of the schema. */
export class InfoSchema {
  constructor(
    readonly version: bigint,
    readonly dbs: ReadonlyMap<string, DbInfo>,
    readonly tables: ReadonlyMap<number, ReadonlyMap<string, TableInfo>>,
  ) {}

  db(name: string): DbInfo | undefined {
    return this.dbs.get(name.toLowerCase());
  }

  table(dbName: string, name: string): TableInfo | undefined {
    const db = this.db(dbName);
    if (db === undefined) return undefined;
    return this.tables.get(db.id)?.get(name.toLowerCase());
  }

  /** The table or MySQL error 1146 (1049 when the database is unknown). */
  mustTable(dbName: string | undefined, name: string): TableInfo {
    if (dbName === undefined) throw sqlError(ER.NO_DB_ERROR, 'No database selected');
    const t = this.table(dbName, name);
    if (t === undefined) throw sqlError(ER.NO_SUCH_TABLE, `Table '${dbName}.${name}' doesn't exist`);
    return t;
  }

  tablesOf(dbName: string): TableInfo[] {
    const db = this.db(dbName);
    if (db === undefined) throw sqlError(ER.BAD_DB_ERROR, `Unknown database '${dbName}'`);
    return [...(this.tables.get(db.id)?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}

/**
 * Loads the schema from the cluster and caches it per schema version, so every SQL server
 * on the same cluster sees DDL done by the others on its next statement.
 */
export class Catalog {
  private cached: InfoSchema | undefined;

  constructor(private readonly kv: KvClient) {}

  /** The schema as of `reader`'s timestamp (re-read when the version key moved). */
  async load(reader: KvSnapshotReader): Promise<InfoSchema> {
    const version = await readCounter(reader, MetaKeys.schemaVersion);
    if (this.cached !== undefined && this.cached.version === version) return this.cached;
    const dbs = new Map<string, DbInfo>();
    for await (const { value } of reader.scan(MetaKeys.dbPrefix, prefixEnd(MetaKeys.dbPrefix))) {
      const db = JSON.parse(dec.decode(value)) as DbInfo;
      dbs.set(db.name.toLowerCase(), db);
    }
    const tables = new Map<number, Map<string, TableInfo>>();
    for await (const { value } of reader.scan(MetaKeys.tablePrefix, prefixEnd(MetaKeys.tablePrefix))) {
      const t = JSON.parse(dec.decode(value)) as TableInfo;
      let m = tables.get(t.dbId);
      if (m === undefined) tables.set(t.dbId, (m = new Map()));
      m.set(t.name.toLowerCase(), t);
    }
    const is = new InfoSchema(version, dbs, tables);
    if (this.cached === undefined || version >= this.cached.version) this.cached = is;
    return is;
  }

  /** Fresh schema at a new timestamp. */
  async latest(): Promise<InfoSchema> {
    return this.load(await this.kv.snapshot());
  }

  /** Allocates `n` global ids (tables, indexes share TiDB's global id space) inside `txn`. */
  static async allocGlobalIds(txn: KvTxn, n: number): Promise<number> {
    const cur = await readCounter(txn, MetaKeys.nextGlobalId);
    // Start user ids well above TiDB's reserved system range.
    const base = cur === 0n ? 100n : cur;
    writeCounter(txn, MetaKeys.nextGlobalId, base + BigInt(n));
    return Number(base);
  }

  static async bumpVersion(txn: KvTxn): Promise<void> {
    writeCounter(txn, MetaKeys.schemaVersion, (await readCounter(txn, MetaKeys.schemaVersion)) + 1n);
  }

  static putDb(txn: KvTxn, db: DbInfo): void {
    txn.set(MetaKeys.db(db.id), enc.encode(JSON.stringify(db)));
  }

  static deleteDb(txn: KvTxn, db: DbInfo): void {
    txn.delete(MetaKeys.db(db.id));
  }

  static putTable(txn: KvTxn, t: TableInfo): void {
    txn.set(MetaKeys.table(t.dbId, t.id), enc.encode(JSON.stringify(t)));
  }

  static deleteTable(txn: KvTxn, t: TableInfo): void {
    txn.delete(MetaKeys.table(t.dbId, t.id));
    txn.delete(MetaKeys.autoId(t.id));
  }
}
