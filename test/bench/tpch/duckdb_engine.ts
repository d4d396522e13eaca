/**
 * DuckDB peer (@duckdb/node-api): a database file, loaded through appenders (typed values:
 * DECIMAL(15,2) as scaled integers, DATE as day numbers); queries and point operations run
 * serially on one connection with prepared statements.
 */
import { DuckDBDateValue, DuckDBDecimalValue, DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import type { LineitemColumns } from '../copr/lineitem.ts';
import { runConcurrent } from '../lib/mod.ts';
import { loadTables, type LoadResult } from './load_tables.ts';
import type { Cell } from './queries.ts';
import { createTableStatements, TABLES, type TableName } from './schema.ts';
import { POINT_SELECT_SQL, UPDATE_SQL, updatedComment, type KeyPicker, type OltpMeasurement, type TpchEngine } from './tpch_engine.ts';
import type { TpchGenerator } from './tpch_generator.ts';

/** Appends one value of a column of `type` (the schema's MySQL/DuckDB type text). */
type Append = (a: DuckDBAppender, v: unknown) => void;

function appenderFor(type: string): Append {
  if (type === 'BIGINT') return (a, v) => a.appendBigInt(BigInt(v as number));
  if (type === 'INT') return (a, v) => a.appendInteger(v as number);
  if (type === 'DATE') return (a, v) => a.appendDate(new DuckDBDateValue(v as number));
  if (type.startsWith('DECIMAL')) return (a, v) => a.appendDecimal(new DuckDBDecimalValue(BigInt(v as number), 15, 2));
  return (a, v) => a.appendVarchar(v as string);
}

export class DuckdbEngine implements TpchEngine {
  readonly name = 'DuckDB';

  private constructor(
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly batchLines: number,
  ) {}

  static async open(dir: string, batchLines: number): Promise<DuckdbEngine> {
    const instance = await DuckDBInstance.create(join(dir, 'tpch.duckdb'));
    return new DuckdbEngine(instance, await instance.connect(), batchLines);
  }

  async load(gen: TpchGenerator, columns?: LineitemColumns): Promise<LoadResult> {
    for (const s of createTableStatements('duckdb')) await this.connection.run(s);
    const appenders = new Map<TableName, { appender: DuckDBAppender; appends: Append[] }>();
    for (const table of Object.keys(TABLES) as TableName[]) {
      appenders.set(table, { appender: await this.connection.createAppender(table), appends: TABLES[table].map((c) => appenderFor(c.type)) });
    }
    const result = await loadTables(gen, this.name, { batchLines: this.batchLines, concurrency: 1, columns }, (table, rows) => {
      const { appender, appends } = appenders.get(table)!;
      for (const row of rows) {
        for (let i = 0; i < appends.length; i++) appends[i]!(appender, row[i]);
        appender.endRow();
      }
    });
    // Closing flushes the appenders' last rows; that is part of the load.
    const t0 = performance.now();
    for (const { appender } of appenders.values()) appender.closeSync();
    await this.connection.run('CHECKPOINT');
    const ms = result.ms + (performance.now() - t0);
    return { ...result, ms, rowsPerSec: result.rows / (ms / 1000) };
  }

  async query(sql: string): Promise<Cell[][]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowsJson() as Cell[][];
  }

  async pointSelect(key: KeyPicker, durationMs: number): Promise<OltpMeasurement> {
    const stmt = await this.connection.prepare(POINT_SELECT_SQL);
    const m = await runConcurrent(1, durationMs, async (i) => {
      stmt.bindBigInt(1, BigInt(key(i)));
      const reader = await stmt.runAndReadAll();
      if (reader.currentRowCount !== 1) throw new Error(`DuckDB: no order ${key(i)}`);
    });
    return { ...m, clients: 1, errors: 0 };
  }

  async update(key: KeyPicker, durationMs: number): Promise<OltpMeasurement> {
    const stmt = await this.connection.prepare(UPDATE_SQL);
    const m = await runConcurrent(1, durationMs, async (i) => {
      stmt.bindVarchar(1, updatedComment(i));
      stmt.bindBigInt(2, BigInt(key(i)));
      await stmt.run();
    });
    return { ...m, clients: 1, errors: 0 };
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
