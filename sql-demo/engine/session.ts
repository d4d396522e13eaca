import { MysqlType } from '../tidb_codec.ts';
import { ER, sqlError, SqlError, toSqlError } from '../errors.ts';
import { DeadlockError, WriteConflictError, type KvClient, type KvSnapshotReader, type KvTxn } from '../kv/mod.ts';
import { parseStatement, type ParsedStatement, type Expr, type Query, type ShowStmt, type Stmt } from '../parser/mod.ts';
import { Catalog, type ColumnInfo, type InfoSchema, type TableInfo } from './catalog.ts';
import { convertForColumn } from './column_type.ts';
import { DdlExecutor } from './ddl.ts';
import { DmlExecutor } from './dml.ts';
import { exprText, ExprCompiler, type EvalContext, type OuterResolver, type SchemaColumn, type SubqueryRef } from './expr.ts';
import type { Row } from './table_codec.ts';
import { FT } from './field_types.ts';
import { buildCopTask } from './cop_reader.ts';
import { parseCopResultEncoding } from './cop_decode.ts';
import { runQuery, type ExecEnv, type OperatorStats } from './executor.ts';
import { explainPlan, type PlanNode, type QueryPlan } from './plan.ts';
import { realClock } from '../../src/util/mod.ts';
import { Planner } from './planner.ts';
import { showStatement } from './show.ts';
import { splitTable, type SplitSpec } from './split_table.ts';
import { StagedTxn } from './staged_txn.ts';
import { SYSVAR_DEFAULTS } from './sysvars.ts';
import { castToTime, SqlTime, toBigInt, valueToString, type Value } from './value.ts';
import { AutoIdAllocator } from './auto_id.ts';
import { isSystemSchema, systemSchemaName } from './info_schema.ts';
import { checksumResult, checksumTable } from './checksum_table.ts';
import { currentTimeZone, SessionTimeZone, withTimeZone } from './time_zone.ts';
import { Accounts, ROOT_IDENTITY, type SessionIdentity } from './accounts.ts';

/** Rows returned to the client. */
export interface RowsResult {
  readonly kind: 'rows';
  readonly columns: readonly SchemaColumn[];
  readonly rows: Value[][];
}

/** A statement without a result set (DML, DDL, SET, ...). */
export interface OkResult {
  readonly kind: 'ok';
  readonly affectedRows: number;
  readonly insertId: bigint;
  readonly warnings: number;
  readonly info?: string;
}

export type ExecResult = RowsResult | OkResult;

export interface Warning {
  level: string;
  code: number;
  message: string;
}

/** Warnings kept per statement (MySQL max_error_count default). */
export const WARNINGS_MAX = 64;

/** Times a DDL transaction is retried on write conflict with another DDL. */
export const DDL_RETRIES_MAX = 10;

/** Times a pessimistic statement is re-run at a fresh for_update_ts after a write conflict (TiDB max-retry-count). */
export const PESSIMISTIC_STMT_RETRIES_MAX = 256;

/** SQL-level prepared statements one session may hold (MySQL's max_prepared_stmt_count is global). */
export const SQL_PREPARED_MAX = 1024;

/** `innodb_lock_wait_timeout` bounds, seconds (MySQL's range). */
export const LOCK_WAIT_TIMEOUT_S_MAX = 1_073_741_824;


/**
 * The SQL engine shared by all sessions of one server: the KvClient, the catalog cache,
 * the auto-increment allocator and global variables. Sessions are cheap.
 */
export class SqlEngine {
  readonly catalog: Catalog;
  readonly autoIds: AutoIdAllocator;
  readonly accounts: Accounts;
  readonly globals = new Map<string, Value>(SYSVAR_DEFAULTS);
  private connSeq = 0;
  private bootstrapped = false;

  constructor(
    readonly kv: KvClient,
    readonly opts: { nowMs?: () => number } = {},
  ) {
    this.catalog = new Catalog(kv);
    this.autoIds = new AutoIdAllocator(kv);
    this.accounts = new Accounts(kv);
  }

  nowMs(): number {
    // Wall time is the one nondeterministic input here; tests inject it.
    return this.opts.nowMs !== undefined ? this.opts.nowMs() : Date.now();
  }

  /** Creates the `test` database on an empty cluster (as TiDB's bootstrap does). */
  async bootstrap(): Promise<void> {
    if (this.bootstrapped) return;
    await this.accounts.bootstrap();
    const is = await this.catalog.latest();
    if (is.dbs.size === 0) {
      const s = this.newSession();
      try {
        await s.execute('CREATE DATABASE IF NOT EXISTS test');
      } finally {
        await s.close();
      }
    }
    this.bootstrapped = true;
  }

  newSession(): Session {
    return new Session(this, ++this.connSeq);
  }

  async close(): Promise<void> {
    await this.kv.close();
  }
}

/** Defaults of columns, evaluated per statement (CURRENT_TIMESTAMP = statement time). */
export function defaultOf(c: ColumnInfo, nowMs: number, origin = false): Value {
  const d = origin ? (c.originDefault !== undefined ? c.originDefault : c.defaultValue) : c.defaultValue;
  if (d === undefined || d === null) return null;
  // CURRENT_TIMESTAMP: the statement time on the session zone's wall clock (stored as UTC for TIMESTAMP).
  if (typeof d === 'object') return castToTime(currentTimeZone().wallClockText(nowMs).slice(0, c.ft.decimal > 0 ? 20 + Math.min(3, c.ft.decimal) : 19), c.ft.tp === MysqlType.Date ? MysqlType.Date : c.ft.tp, c.ft.decimal);
  return convertForColumn(d, c.ft, c.name, 1);
}

/**
 * One client connection's state: current database, transaction, variables, warnings.
 * `execute` runs one statement and maps every failure to a `SqlError`.
 */
export class Session {
  db: string | undefined;
  private txn: KvTxn | undefined;
  private readonly vars = new Map<string, Value>();
  private readonly userVars = new Map<string, Value>();
  /** SQL-level PREPARE'd statements by lower-case name. */
  private readonly sqlPrepared = new Map<string, ParsedStatement>();
  warnings: Warning[] = [];
  lastInsertId = 0n;
  private zoneCache: { text: string; zone: SessionTimeZone } | undefined;
  /** Who this session runs as; the MySQL server sets it after the handshake. */
  identity: SessionIdentity = ROOT_IDENTITY;
  private closed = false;

  constructor(
    readonly engine: SqlEngine,
    readonly connectionId: number,
  ) {}

  get inTransaction(): boolean {
    return this.txn !== undefined;
  }

  get autocommit(): boolean {
    return toBigInt(this.sysVar('autocommit', 'session') ?? 1n) !== 0n;
  }

  /** Parses and runs one statement. */
  async execute(sql: string, params: Value[] = []): Promise<ExecResult> {
    let stmt: Stmt;
    try {
      stmt = parseStatement(sql).stmt;
    } catch (e) {
      this.warnings = [];
      throw toSqlError(e);
    }
    return this.executeStmt(stmt, params);
  }

  /** Runs an already parsed statement (prepared statements reuse the AST) in the session's time zone. */
  async executeStmt(stmt: Stmt, params: Value[] = []): Promise<ExecResult> {
    let tz: SessionTimeZone;
    try {
      tz = this.timeZone();
    } catch (e) {
      throw toSqlError(e);
    }
    return withTimeZone(tz, () => this.executeInZone(stmt, params));
  }

  /** The session's `time_zone` (SYSTEM is the server's `system_time_zone`). */
  timeZone(): SessionTimeZone {
    const v = this.sysVar('time_zone', 'session');
    const text = v === null ? 'SYSTEM' : valueToString(v);
    if (this.zoneCache?.text !== text) this.zoneCache = { text, zone: SessionTimeZone.parse(text, this.systemTimeZone()) };
    return this.zoneCache.zone;
  }

  private systemTimeZone(): string {
    const v = this.sysVar('system_time_zone', 'session');
    return v === null ? 'UTC' : valueToString(v);
  }

  private async executeInZone(stmt: Stmt, params: Value[]): Promise<ExecResult> {
    if (this.closed) throw sqlError(ER.UNKNOWN_ERROR, 'session closed');
    const keepWarnings = stmt.kind === 'show' && (stmt.what === 'warnings' || stmt.what === 'errors');
    const prevWarnings = this.warnings;
    if (!keepWarnings) this.warnings = [];
    try {
      if (keepWarnings) return this.showWarnings(prevWarnings);
      return await this.dispatch(stmt, params);
    } catch (e) {
      const err = toSqlError(e);
      this.warnings = [{ level: 'Error', code: err.code, message: err.message }];
      throw err;
    }
  }

  private showWarnings(ws: Warning[]): RowsResult {
    return {
      kind: 'rows',
      columns: [
        { name: 'Level', ft: FT.varchar(7) },
        { name: 'Code', ft: FT.longlong(true) },
        { name: 'Message', ft: FT.varchar(512) },
      ],
      rows: ws.map((w) => [w.level, BigInt(w.code), w.message]),
    };
  }

  ok(affectedRows = 0, insertId = 0n, info?: string): OkResult {
    return { kind: 'ok', affectedRows, insertId, warnings: this.warnings.length, ...(info !== undefined ? { info } : {}) };
  }

  addWarning(code: number, message: string, level = 'Warning'): void {
    if (this.warnings.length < WARNINGS_MAX) this.warnings.push({ level, code, message });
  }

  private async dispatch(stmt: Stmt, params: Value[]): Promise<ExecResult> {
    switch (stmt.kind) {
      case 'empty':
        return this.ok();
      case 'select':
      case 'union':
        return this.withReader(false, async (reader, is) => this.query(stmt, reader, is, params), stmt.kind === 'select' && stmt.forUpdate);
      case 'explain': {
        const inner = stmt.stmt;
        if (inner.kind !== 'select' && inner.kind !== 'union') throw sqlError(ER.NOT_SUPPORTED_YET, "This version doesn't yet support 'EXPLAIN' of DML");
        return this.withReader(false, async (reader, is) => {
          const holder: { current?: Planner } = {};
          const planner = new Planner(is, this.evalContext(params, reader, holder));
          holder.current = planner;
          const plan = planner.plan(inner);
          if (stmt.analyze === true) return this.explainAnalyze(plan, reader);
          const rows = explainPlan(plan.root, undefined, this.copTopFn()).map(([id, task, obj, info]) => [id!, 'N/A', task!, obj!, info!]);
          return { kind: 'rows', columns: ['id', 'estRows', 'task', 'access object', 'operator info'].map((n) => ({ name: n, ft: FT.varchar(256) })), rows };
        });
      }
      case 'splitTable': {
        const is = await this.engine.catalog.latest();
        const t = is.mustTable(stmt.table.db ?? this.db, stmt.table.name);
        const comp = new ExprCompiler(this.evalContext(params, undefined as unknown as KvSnapshotReader), () => undefined, []);
        const spec: SplitSpec = stmt.between !== undefined ? { kind: 'between', ...stmt.between } : { kind: 'by', values: stmt.by ?? [] };
        const r = await splitTable(this.engine.kv, t, spec, (e) => comp.compile(e));
        return {
          kind: 'rows',
          columns: [
            { name: 'TOTAL_SPLIT_REGION', ft: FT.longlong() },
            { name: 'SCATTER_FINISH_RATIO', ft: FT.double() },
          ],
          rows: [[BigInt(r.totalSplitRegion), r.scatterFinishRatio]],
        };
      }
      case 'insert':
      case 'update':
      case 'delete':
      case 'multiUpdate':
      case 'multiDelete':
        return this.withReader(true, async (reader, is) => {
          const dml = new DmlExecutor(this, reader as StagedTxn, is, params);
          return dml.run(stmt);
        });
      case 'begin':
        await this.commitCurrent();
        this.txn = await this.beginTxn(stmt.mode === undefined ? undefined : stmt.mode === 'pessimistic');
        return this.ok();
      case 'commit':
        await this.commitCurrent();
        return this.ok();
      case 'rollback':
        if (this.txn !== undefined) {
          const t = this.txn;
          this.txn = undefined;
          await t.rollback();
        }
        return this.ok();
      case 'use': {
        if (isSystemSchema(stmt.db)) {
          this.db = systemSchemaName(stmt.db);
          return this.ok();
        }
        const is = await this.engine.catalog.latest();
        if (is.db(stmt.db) === undefined) throw sqlError(ER.BAD_DB_ERROR, `Unknown database '${stmt.db}'`);
        this.db = is.db(stmt.db)!.name;
        return this.ok();
      }
      case 'set':
        return this.set(stmt, params);
      case 'setNames':
        for (const v of ['character_set_client', 'character_set_connection', 'character_set_results']) this.vars.set(v, stmt.charset.toLowerCase());
        return this.ok();
      case 'setTransaction':
        return this.ok();
      case 'show':
        return this.withReader(false, async (reader, is) => showStatement(this, stmt as ShowStmt, is, reader));
      case 'describe':
        return this.withReader(false, async (reader, is) => showStatement(this, { kind: 'show', what: 'columns', table: stmt.table }, is, reader));
      case 'createDatabase':
      case 'dropDatabase':
      case 'createTable':
      case 'dropTable':
      case 'truncate':
      case 'alterTable':
      case 'createIndex':
      case 'dropIndex':
        // DDL commits the current transaction first (implicit commit, as in MySQL).
        await this.commitCurrent();
        return new DdlExecutor(this).run(stmt);
      case 'adminChecksum': {
        const is = await this.engine.catalog.latest();
        const viaCop = this.engine.kv.coprocessorSupported !== false && this.pushdownEnabled();
        const out = [];
        for (const tn of stmt.tables) {
          const t = is.mustTable(tn.db ?? this.db, tn.name);
          const db = is.db(tn.db ?? this.db!)!.name;
          out.push({ db, table: t.name, sum: await checksumTable(this.engine.kv, t, viaCop) });
        }
        return checksumResult(out);
      }
      case 'prepare': {
        // A NULL or unset variable prepares the text NULL, a syntax error as in MySQL.
        const fromVar = 'literal' in stmt.text ? undefined : (this.userVars.get(stmt.text.userVar) ?? null);
        const text = 'literal' in stmt.text ? stmt.text.literal : fromVar === null || fromVar === undefined ? 'NULL' : valueToString(fromVar);
        if (this.sqlPrepared.size >= SQL_PREPARED_MAX && !this.sqlPrepared.has(stmt.name.toLowerCase())) {
          throw sqlError([1461, '42000'], `Can't create more than max_prepared_stmt_count statements (current value: ${SQL_PREPARED_MAX})`);
        }
        const parsed = parseStatement(text);
        if (parsed.stmt.kind === 'prepare' || parsed.stmt.kind === 'execute' || parsed.stmt.kind === 'deallocate') {
          throw sqlError([1295, 'HY000'], 'This command is not supported in the prepared statement protocol yet');
        }
        this.sqlPrepared.set(stmt.name.toLowerCase(), parsed);
        return this.ok(0, 0n, 'Statement prepared');
      }
      case 'execute': {
        const p = this.sqlPrepared.get(stmt.name.toLowerCase());
        if (p === undefined) throw sqlError(ER.UNKNOWN_STMT_HANDLER, `Unknown prepared statement handler (${stmt.name}) given to EXECUTE`);
        if (stmt.using.length !== p.paramCount) throw sqlError(ER.WRONG_ARGUMENTS, 'Incorrect arguments to EXECUTE');
        return this.dispatch(p.stmt, stmt.using.map((v) => this.userVars.get(v) ?? null));
      }
      case 'deallocate':
        if (!this.sqlPrepared.delete(stmt.name.toLowerCase())) throw sqlError(ER.UNKNOWN_STMT_HANDLER, `Unknown prepared statement handler (${stmt.name}) given to DEALLOCATE PREPARE`);
        return this.ok();
      case 'account': {
        // Account changes commit the current transaction first, as DDL does.
        await this.commitCurrent();
        const r = await this.engine.accounts.execute(stmt, this.identity);
        for (const w of r.warnings) this.addWarning(w.code, w.message, w.level);
        return r.rows !== undefined ? { kind: 'rows', columns: r.rows.columns, rows: r.rows.rows as Value[][] } : this.ok();
      }
    }
  }

  /** Commits the explicit transaction if any; a write conflict becomes error 9007. */
  private async commitCurrent(): Promise<void> {
    const t = this.txn;
    if (t === undefined) return;
    this.txn = undefined;
    try {
      await t.commit();
    } catch (e) {
      await t.rollback().catch(() => undefined);
      throw e;
    }
  }

  /** Starts the session transaction: pessimistic when asked, else as `tidb_txn_mode` says. */
  private async beginTxn(pessimistic?: boolean): Promise<KvTxn> {
    const mode = this.sysVar('tidb_txn_mode', 'session');
    const p = pessimistic ?? (mode !== null && valueToString(mode).toLowerCase() === 'pessimistic');
    return this.engine.kv.begin(p ? { pessimistic: true } : undefined);
  }

  /** `innodb_lock_wait_timeout` in ms (seconds in the variable, MySQL's range 1..2^30). */
  private lockWaitTimeoutMs(): number {
    const v = this.sysVar('innodb_lock_wait_timeout', 'session');
    const n = Number(v === null ? 50 : typeof v === 'bigint' ? v : valueToString(v));
    const s = Number.isFinite(n) ? Math.min(LOCK_WAIT_TIMEOUT_S_MAX, Math.max(1, Math.floor(n))) : 50;
    return s * 1000;
  }

  /**
   * One write (or SELECT … FOR UPDATE) statement of a pessimistic transaction, as TiDB runs
   * it: read at a fresh for_update_ts (the current read) under the statement's staged writes,
   * then lock every written key (and every record read, for FOR UPDATE), waiting for other
   * holders. A write conflict (a newer commit, e.g. the holder we waited for) re-runs the
   * statement at a fresh for_update_ts, so it sees that commit instead of failing with 9007.
   * A deadlock rolls the whole transaction back (MySQL 1213); a lock wait timeout only the
   * statement (1205).
   */
  private async pessimisticStatement<T>(txn: KvTxn, lockReads: boolean, f: (reader: KvSnapshotReader, is: InfoSchema) => Promise<T>): Promise<T> {
    const waitTimeoutMs = this.lockWaitTimeoutMs();
    const warningsBefore = this.warnings.length;
    for (let attempt = 0; ; attempt++) {
      const forUpdateTs = await this.engine.kv.getTs();
      const staged = new StagedTxn(txn, txn.currentRead!(forUpdateTs), lockReads);
      const is = await this.engine.catalog.load(txn);
      let r: T;
      try {
        r = await f(staged, is);
        await txn.lockKeys!(staged.keysToLock(), { forUpdateTs, waitTimeoutMs });
      } catch (e) {
        staged.discard();
        if (e instanceof WriteConflictError && attempt < PESSIMISTIC_STMT_RETRIES_MAX) {
          this.warnings.length = warningsBefore;
          continue;
        }
        if (e instanceof DeadlockError && this.txn === txn) {
          this.txn = undefined;
          await txn.rollback().catch(() => undefined);
        }
        throw e;
      }
      staged.flush();
      return r;
    }
  }

  /**
   * Runs `f` with a reader: inside the session transaction when there is one (or when
   * autocommit is off), else a fresh snapshot (reads) or a one-statement transaction
   * (writes, committed here). Statement writes are staged and flushed only on success.
   * In a pessimistic transaction, writes and `lockReads` (FOR UPDATE) statements lock.
   */
  private async withReader<T>(write: boolean, f: (reader: KvSnapshotReader, is: InfoSchema) => Promise<T>, lockReads = false): Promise<T> {
    if (this.txn === undefined && !this.autocommit) this.txn = await this.beginTxn();
    if (this.txn !== undefined && this.txn.pessimistic === true && (write || lockReads)) return this.pessimisticStatement(this.txn, lockReads, f);
    if (this.txn !== undefined) {
      const txn = this.txn;
      // Optimistic FOR UPDATE (TiDB): the rows read are conflict-checked at commit.
      const recordReads = lockReads && txn.lockAtCommit !== undefined;
      const staged = new StagedTxn(txn, txn, recordReads);
      const is = await this.engine.catalog.load(txn);
      try {
        const r = await f(staged, is);
        if (recordReads) txn.lockAtCommit!(staged.keysToLock());
        staged.flush();
        return r;
      } catch (e) {
        staged.discard();
        throw e;
      }
    }
    if (!write) {
      const snap = await this.engine.kv.snapshot();
      return f(snap, await this.engine.catalog.load(snap));
    }
    const txn = await this.engine.kv.begin();
    const staged = new StagedTxn(txn);
    try {
      const is = await this.engine.catalog.load(txn);
      const r = await f(staged, is);
      staged.flush();
      await txn.commit();
      return r;
    } catch (e) {
      await txn.rollback().catch(() => undefined);
      throw e;
    }
  }

  /** Expression context bound to this session and statement. */
  evalContext(params: Value[], reader: KvSnapshotReader, planner?: { current?: Planner }): EvalContext & { planner?: Planner } {
    const self = this;
    const holder = planner ?? {};
    const ctx: EvalContext & { planner?: Planner } = {
      params,
      warnings: this.warnings,
      currentDb: () => self.db,
      sysVar: (name, scope) => self.sysVar(name, scope),
      userVar: (name) => self.userVars.get(name) ?? null,
      connectionId: () => self.connectionId,
      user: () => `${self.identity.user}@${self.identity.clientHost}`,
      currentUser: () => `${self.identity.account.user}@${self.identity.account.host}`,
      lastInsertId: () => self.lastInsertId,
      nowMs: () => self.engine.nowMs(),
      planSubquery: (q: Query, outer?: OuterResolver, slot?: { row: Row }): SubqueryRef => {
        if (holder.current === undefined) throw sqlError(ER.NOT_SUPPORTED_YET, 'subquery in this context');
        return holder.current.subquery(q, outer, slot);
      },
    };
    void reader;
    return ctx;
  }

  /** Plans and runs a query. */
  async query(q: Query, reader: KvSnapshotReader, is: InfoSchema, params: Value[]): Promise<RowsResult> {
    const holder: { current?: Planner } = {};
    const planner = new Planner(is, this.evalContext(params, reader, holder));
    holder.current = planner;
    const plan = planner.plan(q);
    const rows = await runQuery(plan, this.execEnv(reader));
    return { kind: 'rows', columns: plan.root.schema.filter((c) => !c.hidden), rows };
  }

  execEnv(reader: KvSnapshotReader, stats?: Map<PlanNode, OperatorStats>): ExecEnv {
    const now = this.engine.nowMs();
    return {
      reader,
      kv: this.engine.kv,
      pushdown: !(reader instanceof StagedTxn) && this.engine.kv.coprocessorSupported !== false && this.pushdownEnabled(),
      copEncoding: parseCopResultEncoding(this.sysVar('tidb_cop_result_encoding', 'session')) ?? 'arrow',
      missingDefault: (_t: TableInfo, c: ColumnInfo) => defaultOf(c, now, true),
      virtualSources: async () => ({ is: await this.engine.catalog.latest(), kv: this.engine.kv, accounts: this.engine.accounts }),
      ...(stats !== undefined ? { stats, monotonicMs: () => realClock.monotonicMs() } : {}),
    };
  }

  /** For EXPLAIN: what each TableReader would send to the coprocessor (undefined when pushdown is off). */
  private copTopFn(): ((reader: Extract<PlanNode, { op: 'TableReader' }>) => PlanNode | undefined) | undefined {
    if (this.txn !== undefined || !this.autocommit || !this.pushdownEnabled() || this.engine.kv.coprocessorSupported === false) return undefined;
    return (reader) => buildCopTask(reader)?.top;
  }

  /** `tidb_enable_pushdown` is ON (accepts ON/OFF, 1/0, TRUE/FALSE). */
  private pushdownEnabled(): boolean {
    const v = this.sysVar('tidb_enable_pushdown', 'session');
    if (typeof v === 'bigint') return v !== 0n;
    const s = v === null ? '' : valueToString(v).toLowerCase();
    return s === 'on' || s === '1' || s === 'true';
  }

  /**
   * EXPLAIN ANALYZE: runs the plan (rows are discarded) and reports, per operator, the rows
   * it produced, its inclusive time and pulls, and for a TableReader the cop tasks (regions
   * its scan touched). Columns as TiDB: id, estRows, actRows, task, access object,
   * execution info, operator info, memory, disk.
   */
  private async explainAnalyze(plan: QueryPlan, reader: KvSnapshotReader): Promise<RowsResult> {
    const stats = new Map<PlanNode, OperatorStats>();
    await runQuery(plan, this.execEnv(reader, stats));
    const nodes: PlanNode[] = [];
    const lines = explainPlan(plan.root, nodes, this.copTopFn());
    const rows = lines.map(([id, task, obj, info], i) => {
      const st = stats.get(nodes[i]!);
      const cop = st?.copTasks === undefined ? '' : `, cop_task: {num: ${st.copTasks}}`;
      const execInfo = st === undefined ? 'time:0s, loops:0' : `time:${formatMs(st.timeMs)}, loops:${st.loops}${cop}`;
      return [id!, 'N/A', String(st?.rows ?? 0), task!, obj!, execInfo, info!, 'N/A', 'N/A'];
    });
    const names = ['id', 'estRows', 'actRows', 'task', 'access object', 'execution info', 'operator info', 'memory', 'disk'];
    return { kind: 'rows', columns: names.map((n) => ({ name: n, ft: FT.varchar(256) })), rows };
  }

  sysVar(name: string, scope: 'session' | 'global' | 'default'): Value {
    const n = name.toLowerCase();
    if (n === 'last_insert_id' || n === 'identity') return this.lastInsertId;
    if (n === 'warning_count') return BigInt(this.warnings.length);
    if (scope !== 'global' && this.vars.has(n)) return this.vars.get(n)!;
    if (this.engine.globals.has(n)) return this.engine.globals.get(n)!;
    throw sqlError(ER.UNKNOWN_SYSTEM_VARIABLE, `Unknown system variable '${name}'`);
  }

  private async set(stmt: Extract<Stmt, { kind: 'set' }>, params: Value[]): Promise<OkResult> {
    for (const a of stmt.assignments) {
      const comp = new ExprCompiler(this.evalContext(params, undefined as unknown as KvSnapshotReader), () => undefined, []);
      // `SET x = ON/OFF` arrives as a column ref: treat the bare word as a string.
      const valueExpr: Expr = a.value.kind === 'col' && a.value.table === undefined ? { kind: 'lit', value: a.value.name } : a.value;
      const name0 = a.target.name;
      // SET var = DEFAULT: a session variable takes the global value, a global its built-in default.
      let v = valueExpr.kind === 'default' ? (a.target.scope === 'global' ? (SYSVAR_DEFAULTS.get(name0) ?? null) : (this.engine.globals.get(name0) ?? null)) : comp.compile(valueExpr).eval([]);
      if (!a.target.system) {
        this.userVars.set(a.target.name, v);
        continue;
      }
      const name = a.target.name;
      if (!this.engine.globals.has(name)) throw sqlError(ER.UNKNOWN_SYSTEM_VARIABLE, `Unknown system variable '${name}'`);
      if (name === 'autocommit') {
        const s = v === null ? '' : valueToString(v).toLowerCase();
        v = s === 'on' || s === '1' || s === 'true' ? 1n : s === 'off' || s === '0' || s === 'false' ? 0n : null;
        if (v === null) throw sqlError([1231, '42000'], `Variable 'autocommit' can't be set to the value of '${s}'`);
        // Turning autocommit on commits the open transaction (MySQL).
        if (v === 1n) await this.commitCurrent();
      }
      if (name === 'tidb_cop_result_encoding') {
        const enc = parseCopResultEncoding(v === null ? null : valueToString(v));
        if (enc === undefined) throw sqlError([1231, '42000'], `Variable 'tidb_cop_result_encoding' can't be set to the value of '${v === null ? 'NULL' : valueToString(v)}'`);
        v = enc;
      }
      if (name === 'time_zone') {
        if (v === null) throw sqlError([1231, '42000'], "Variable 'time_zone' can't be set to the value of 'NULL'");
        SessionTimeZone.parse(valueToString(v), this.systemTimeZone()); // 1298 for an unknown zone
      }
      if (a.target.scope === 'global') this.engine.globals.set(name, v);
      else this.vars.set(name, v);
    }
    return this.ok();
  }

  /** Rolls back any open transaction (client disconnect). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const t = this.txn;
    this.txn = undefined;
    if (t !== undefined) await t.rollback().catch(() => undefined);
  }
}

/** TiDB's duration style for execution info: `1.2ms`, `850µs`, `2.1s`. */
function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 1) return `${ms.toFixed(2)}ms`;
  return `${Math.round(ms * 1000)}µs`;
}

export { SqlError, SqlTime, exprText };
