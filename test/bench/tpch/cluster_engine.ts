/**
 * Our system through its front door: the playground child process (PD + store + SQL layer)
 * and mysql2 connections to its MySQL port. Loads with multi-row INSERT statements over
 * several connections, splits lineitem and orders into regions first (`SPLIT TABLE`), runs
 * the workload with prepared statements (COM_STMT_PREPARE / EXECUTE) from many connections.
 */
import mysql from 'mysql2/promise';
import { join } from 'node:path';
import type { LineitemColumns } from '../copr/lineitem.ts';
import { runConcurrent } from '../lib/mod.ts';
import { loadTables, type LoadResult } from './load_tables.ts';
import { PlaygroundProcess } from './playground_process.ts';
import type { Cell } from './queries.ts';
import { columnKinds, createTableStatements, TABLES, type TableName } from './schema.ts';
import { POINT_SELECT_SQL, UPDATE_SQL, updatedComment, type KeyPicker, type OltpMeasurement, type TpchEngine } from './tpch_engine.ts';
import { centsText, dateText, type TpchGenerator } from './tpch_generator.ts';

/**
 * The order key bound as a plain JS number, as applications do: mysql2 sends it as DOUBLE,
 * and the planner takes a whole-number DOUBLE for the int handle's point get.
 */
const bigintParam = (n: number) => n;

/** MySQL error of a write conflict at commit (TiDB's 9007): counted, not fatal. */
const ER_WRITE_CONFLICT = 9007;

export interface ClusterEngineOptions {
  /** lineitem rows per INSERT (their orders go in one INSERT of their own). */
  batchLines: number;
  /** Connections loading in parallel. */
  loadConnections: number;
  /** Regions lineitem is split into before the load (orders gets a quarter, at least 1). */
  regions: number;
  /** Extra playground flags. */
  playgroundArgs?: readonly string[];
  /** Flags for the playground's node process (e.g. `--cpu-prof`). */
  nodeArgs?: readonly string[];
}

/** What EXPLAIN ANALYZE says about one query. */
export interface ExplainSummary {
  lines: string[];
  /** Operator names (without the `_n` suffix) that ran as `cop[tikv]`. */
  pushedOperators: string[];
  /** Cop tasks (region requests) over all TableReaders. */
  copTasks: number;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export class ClusterEngine implements TpchEngine {
  readonly name = 'ours';
  readonly #connections: mysql.Connection[] = [];

  private constructor(
    readonly playground: PlaygroundProcess,
    readonly opts: ClusterEngineOptions,
  ) {}

  static async start(dir: string, opts: ClusterEngineOptions): Promise<ClusterEngine> {
    const playground = await PlaygroundProcess.start(join(dir, 'cluster'), opts.playgroundArgs, opts.nodeArgs);
    return new ClusterEngine(playground, opts);
  }

  /** A new connection to the `tpch` database (kept and closed by `close`). */
  async connect(database: string | null = 'tpch'): Promise<mysql.Connection> {
    const conn = await mysql.createConnection({
      host: this.playground.sqlHost,
      port: this.playground.sqlPort,
      user: 'root',
      database: database ?? undefined,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    this.#connections.push(conn);
    return conn;
  }

  async load(gen: TpchGenerator, columns?: LineitemColumns): Promise<LoadResult> {
    const admin = await this.connect(null);
    await admin.query('CREATE DATABASE tpch');
    await admin.query('USE tpch');
    for (const s of createTableStatements('mysql')) await admin.query(s);
    const hi = gen.lineitemRows + 1;
    await admin.query(`SPLIT TABLE lineitem BETWEEN (1) AND (${hi}) REGIONS ${this.opts.regions}`);
    // Sparse order keys reach about 4 × orders ≈ lineitem rows.
    await admin.query(`SPLIT TABLE orders BETWEEN (1) AND (${hi}) REGIONS ${Math.max(1, Math.floor(this.opts.regions / 4))}`);
    const conns = await Promise.all(Array.from({ length: this.opts.loadConnections }, () => this.connect()));
    const free = [...conns];
    const formatters = new Map<TableName, (row: readonly unknown[]) => string>();
    for (const table of Object.keys(TABLES) as TableName[]) {
      const kinds = columnKinds(table);
      formatters.set(table, (row) => {
        const cells = row.map((v, i) => {
          switch (kinds[i]!) {
            case 'int':
              return String(v);
            case 'cents':
              return centsText(v as number);
            case 'date':
              return `'${dateText(v as number)}'`;
            case 'text':
              return quote(v as string);
          }
        });
        return `(${cells.join(',')})`;
      });
    }
    return loadTables(gen, this.name, { batchLines: this.opts.batchLines, concurrency: this.opts.loadConnections, columns }, async (table, rows) => {
      const conn = free.pop()!;
      try {
        const format = formatters.get(table)!;
        await conn.query(`INSERT INTO ${table} VALUES ${rows.map(format).join(',')}`);
      } finally {
        free.push(conn);
      }
    });
  }

  #queryConn: mysql.Connection | undefined;

  async query(sql: string): Promise<Cell[][]> {
    this.#queryConn ??= await this.connect();
    const [rows] = await this.#queryConn.query({ sql, rowsAsArray: true });
    return rows as Cell[][];
  }

  async pointSelect(key: KeyPicker, durationMs: number, clients = 16): Promise<OltpMeasurement> {
    return this.#workload(clients, durationMs, async (conn, i) => {
      const [rows] = await conn.execute(POINT_SELECT_SQL, [bigintParam(key(i))]);
      if ((rows as unknown[]).length !== 1) throw new Error(`ours: no order ${key(i)}`);
    });
  }

  async update(key: KeyPicker, durationMs: number, clients = 16): Promise<OltpMeasurement> {
    return this.#workload(clients, durationMs, async (conn, i) => {
      const [res] = await conn.execute(UPDATE_SQL, [updatedComment(i), bigintParam(key(i))]);
      if ((res as mysql.ResultSetHeader).affectedRows !== 1) throw new Error(`ours: no order ${key(i)}`);
    });
  }

  async #workload(clients: number, durationMs: number, op: (conn: mysql.Connection, i: number) => Promise<void>): Promise<OltpMeasurement> {
    const conns = await Promise.all(Array.from({ length: clients }, () => this.connect()));
    const free = [...conns];
    let errors = 0;
    const m = await runConcurrent(clients, durationMs, async (i) => {
      const conn = free.pop()!;
      try {
        await op(conn, i);
      } catch (e) {
        if ((e as { errno?: number }).errno !== ER_WRITE_CONFLICT) throw e;
        errors++;
        return 0;
      } finally {
        free.push(conn);
      }
    });
    for (const c of conns) await c.end();
    for (const c of conns) this.#connections.splice(this.#connections.indexOf(c), 1);
    return { ...m, clients, errors };
  }

  /**
   * `EXPLAIN ANALYZE sql`: printable lines (id, actRows, task, execution info, operator
   * info), the operators that ran in the coprocessor (`cop[tikv]`), and the cop tasks sent.
   */
  async explainAnalyze(sql: string): Promise<ExplainSummary> {
    const rows = await this.query(`EXPLAIN ANALYZE ${sql}`);
    const summary: ExplainSummary = { lines: [], pushedOperators: [], copTasks: 0 };
    for (const r of rows) {
      const [id, , actRows, task, , info, op] = r.map((c) => (c === null ? '' : String(c)));
      summary.lines.push(`${id!.padEnd(34)} ${actRows!.padStart(8)}  ${task!.padEnd(10)} ${info!.padEnd(52)} ${op!.length > 90 ? `${op!.slice(0, 87)}...` : op}`);
      if (task!.startsWith('cop')) summary.pushedOperators.push(id!.replace(/^[\s│├└─]+/, '').replace(/_\d+$/, ''));
      const tasks = /cop_task: \{num: (\d+)/.exec(info!);
      if (tasks !== null) summary.copTasks += Number(tasks[1]);
    }
    return summary;
  }

  async close(): Promise<void> {
    for (const c of this.#connections.splice(0)) await c.end().catch(() => undefined);
    await this.playground.stop();
  }
}
