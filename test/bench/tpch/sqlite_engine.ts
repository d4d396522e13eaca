/**
 * SQLite peer (better-sqlite3): an on-disk database in WAL mode with synchronous=NORMAL,
 * loaded by a prepared INSERT in one transaction per batch; queries and point operations
 * run serially (better-sqlite3 is synchronous, one connection).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { LineitemColumns } from '../copr/lineitem.ts';
import { runSyncFor } from '../lib/mod.ts';
import { loadTables, type LoadResult } from './load_tables.ts';
import type { Cell } from './queries.ts';
import { columnKinds, createTableStatements, TABLES, type TableName } from './schema.ts';
import { POINT_SELECT_SQL, UPDATE_SQL, updatedComment, type KeyPicker, type OltpMeasurement, type TpchEngine } from './tpch_engine.ts';
import { dateText, type TpchGenerator } from './tpch_generator.ts';

export class SqliteEngine implements TpchEngine {
  readonly name = 'SQLite';
  readonly #db: Database.Database;

  constructor(dir: string, readonly batchLines: number) {
    this.#db = new Database(join(dir, 'tpch.sqlite'));
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
  }

  async load(gen: TpchGenerator, columns?: LineitemColumns): Promise<LoadResult> {
    for (const s of createTableStatements('sqlite')) this.#db.exec(s);
    const inserts = new Map<TableName, (rows: readonly (readonly unknown[])[]) => void>();
    for (const table of Object.keys(TABLES) as TableName[]) {
      const kinds = columnKinds(table);
      const stmt = this.#db.prepare(`INSERT INTO ${table} VALUES (${kinds.map(() => '?').join(', ')})`);
      const toSqlite = (row: readonly unknown[]): unknown[] =>
        row.map((v, i) => (kinds[i] === 'cents' ? (v as number) / 100 : kinds[i] === 'date' ? dateText(v as number) : v));
      inserts.set(
        table,
        this.#db.transaction((rows: readonly (readonly unknown[])[]) => {
          for (const r of rows) stmt.run(toSqlite(r));
        }),
      );
    }
    return loadTables(gen, this.name, { batchLines: this.batchLines, concurrency: 1, columns }, (table, rows) => inserts.get(table)!(rows));
  }

  async query(sql: string): Promise<Cell[][]> {
    return this.#db.prepare(sql).raw(true).all() as Cell[][];
  }

  async pointSelect(key: KeyPicker, durationMs: number): Promise<OltpMeasurement> {
    const stmt = this.#db.prepare(POINT_SELECT_SQL).raw(true);
    const m = runSyncFor(durationMs, (i) => {
      if (stmt.all(key(i)).length !== 1) throw new Error(`SQLite: no order ${key(i)}`);
    });
    return { ...m, clients: 1, errors: 0 };
  }

  async update(key: KeyPicker, durationMs: number): Promise<OltpMeasurement> {
    const stmt = this.#db.prepare(UPDATE_SQL);
    const m = runSyncFor(durationMs, (i) => {
      if (stmt.run(updatedComment(i), key(i)).changes !== 1) throw new Error(`SQLite: no order ${key(i)}`);
    });
    return { ...m, clients: 1, errors: 0 };
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
