import type { VirtualSources } from './info_schema.ts';
import { Decimal, encodeDatumKey, encodeIndexKey, encodeIndexPrefix, encodeRecordKey, encodeRecordPrefix, prefixNext, tableRecordRange, type Datum } from '../tidb_codec.ts';
import { concatBytes, DomainError } from '../../src/util/mod.ts';
import { buildCopTask, copRead, type CopReadStats } from './cop_reader.ts';
import type { CopResultEncoding } from './cop_decode.ts';
import { ER, sqlError } from '../errors.ts';
import { CoprocessorError, type KvClient, type KvSnapshotReader } from '../kv/mod.ts';
import type { ColumnInfo, TableInfo } from './catalog.ts';
import { convertForColumn, valueToDatum } from './column_type.ts';
import type { Compiled, SubqueryRef } from './expr.ts';
import type { Access, AggDesc, Bound, PlanNode, QueryPlan, SortKey } from './plan.ts';
import { columnOffset, decodeRow, handleFromIndexEntry, handleFromRecordKey, handleKey, primaryIndex, recordKey, type Handle, type Row } from './table_codec.ts';
import { compareNullable, hashKey, toDecimal, toFloat, truthy, valueToString, type Value } from './value.ts';

/** Rows per batch flowing between executors. */
export const BATCH_ROWS_MAX = 1024;
/** Rows one blocking operator (sort, hash table, aggregation) may hold (a memory quota). */
export const OPERATOR_ROWS_MAX = 5_000_000;

/** What executors read from: a snapshot or a transaction with its staged writes. */
export interface ExecEnv {
  readonly reader: KvSnapshotReader;
  /** Value of a column for rows written before the column was added. */
  missingDefault(t: TableInfo, c: ColumnInfo): Value;
  /** The cluster (region lookups for cop task counts; coprocessor requests). */
  readonly kv?: KvClient;
  /** EXPLAIN ANALYZE: per-operator runtime statistics are collected here when set. */
  readonly stats?: Map<PlanNode, OperatorStats>;
  /** Monotonic milliseconds for operator timings (EXPLAIN ANALYZE). */
  readonly monotonicMs?: () => number;
  /**
   * TableReaders may send their pushable part to the coprocessor (`tidb_enable_pushdown`
   * and a plain snapshot reader: a transaction's own buffered writes are invisible there).
   */
  readonly pushdown?: boolean;
  /** How pushed TableReaders ask for coprocessor results (`tidb_cop_result_encoding`; Arrow when absent). */
  readonly copEncoding?: CopResultEncoding;
  /** Set by a pushed TableReader: this node's rows come from the coprocessor. */
  readonly substitute?: { readonly node: PlanNode; readonly rows: AsyncGenerator<Row[]> };
  /** What system tables (information_schema, mysql.user) are computed from. */
  readonly virtualSources?: () => Promise<VirtualSources>;
}

/** Rows per batch a system table yields. */
const MEM_TABLE_BATCH_ROWS = 1024;

/** What EXPLAIN ANALYZE reports per operator. */
export interface OperatorStats {
  /** Rows the operator produced. */
  rows: number;
  /** Batches produced plus the final pull (TiDB's `loops`). */
  loops: number;
  /** Wall time spent inside the operator and its children, ms. */
  timeMs: number;
  /** TableReader: regions its scan touched (one cop task each). */
  copTasks?: number;
}

/** A row read from a table with its handle (UPDATE/DELETE need it). */
export interface HandleRow {
  readonly handle: Handle;
  readonly row: Row;
}

function quota(n: number): void {
  if (n > OPERATOR_ROWS_MAX) throw sqlError([8175, 'HY000'], `Your query has been cancelled due to exceeding the allowed memory limit for a single SQL query (${OPERATOR_ROWS_MAX} rows in one operator)`);
}

/**
 * WITH RECURSIVE: the seed's rows, then each iteration's new rows from the recursive parts
 * run over the previous iteration's rows, until an iteration adds none. UNION DISTINCT drops
 * rows seen before (which also ends cycles); more than `depthMax` iterations is MySQL's 3636.
 */
async function* recursiveCte(n: Extract<PlanNode, { op: 'RecursiveCte' }>, env: ExecEnv): AsyncGenerator<Row[]> {
  const width = n.schema.length;
  const seen = n.distinct ? new Set<string>() : undefined;
  let total = 0;
  const fresh = (rows: Row[]): Row[] => {
    const out: Row[] = [];
    for (const r of rows) {
      const row = r.slice(0, width);
      if (seen !== undefined) {
        const k = row.map(hashKey).join('\u0000');
        if (seen.has(k)) continue;
        seen.add(k);
      }
      out.push(row);
    }
    total += out.length;
    quota(total);
    return out;
  };
  let working = fresh(await collect(exec(n.seed, env)));
  if (working.length > 0) yield working;
  for (let iteration = 1; working.length > 0; iteration++) {
    if (iteration > n.depthMax) {
      throw sqlError([3636, 'HY000'], `Recursive query aborted after ${iteration} iterations. Try increasing @@cte_max_recursion_depth to a larger value.`);
    }
    n.working.rows = working;
    const next: Row[] = [];
    for (const part of n.recursive) for await (const b of exec(part, env)) next.push(...fresh(b));
    working = next;
    if (working.length > 0) yield working;
  }
  n.working.rows = [];
}

/** Runs the subqueries, then the plan; returns all rows (visible columns). */
export async function runQuery(plan: QueryPlan, env: ExecEnv): Promise<Row[]> {
  for (const sq of plan.subqueries) sq.rows = await collect(exec(sq.plan as PlanNode, env));
  return collect(exec(plan.root, env));
}

export async function collect(it: AsyncIterable<Row[]>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of it) {
    for (const r of b) out.push(r);
    quota(out.length);
  }
  return out;
}

function constNumber(c: Compiled | null, what: string): number {
  if (c === null) return 0;
  const v = c.eval([]);
  if (typeof v !== 'bigint' || v < 0n) throw sqlError(ER.WRONG_ARGUMENTS, `Incorrect arguments to ${what}`);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

function sortRows(rows: Row[], keys: readonly SortKey[]): void {
  const decorated = rows.map((r, i) => ({ r, i, k: keys.map((k) => k.expr.eval(r)) }));
  decorated.sort((a, b) => {
    for (let j = 0; j < keys.length; j++) {
      const c = compareNullable(a.k[j]!, b.k[j]!);
      if (c !== 0) return keys[j]!.desc ? -c : c;
    }
    return a.i - b.i;
  });
  for (let i = 0; i < rows.length; i++) rows[i] = decorated[i]!.r;
}

/** Pull-based batch executors over the physical plan (with statistics when `env.stats` is set). */
export function exec(n: PlanNode, env: ExecEnv): AsyncGenerator<Row[]> {
  return env.stats === undefined ? execNode(n, env) : execMeasured(n, env, env.stats);
}

async function* execMeasured(n: PlanNode, env: ExecEnv, stats: Map<PlanNode, OperatorStats>): AsyncGenerator<Row[]> {
  const now = env.monotonicMs ?? (() => 0);
  let st = stats.get(n);
  if (st === undefined) {
    st = { rows: 0, loops: 0, timeMs: 0 };
    stats.set(n, st);
  }
  if (n.op === 'TableReader' && st.copTasks === undefined && !pushable(n, env)) st.copTasks = await copTaskCount(n, env);
  const it = execNode(n, env);
  for (;;) {
    const t0 = now();
    const r = await it.next();
    st.timeMs += now() - t0;
    st.loops++;
    if (r.done === true) return;
    st.rows += r.value.length;
    yield r.value;
  }
}

/** The scan under a TableReader (the leaf of its cop-side chain). */
export function readerScan(n: PlanNode): Extract<PlanNode, { op: 'TableScan' }> | undefined {
  let c: PlanNode = n;
  for (;;) {
    if (c.op === 'TableScan') return c;
    if (c.op === 'Selection' || c.op === 'Limit' || c.op === 'TopN' || c.op === 'HashAgg' || c.op === 'TableReader' || c.op === 'Projection') c = c.child;
    else return undefined;
  }
}

/** Regions the reader's record range touches (0 when its scan has no record range or no kv). */
async function copTaskCount(n: PlanNode, env: ExecEnv): Promise<number> {
  const scan = readerScan(n);
  if (scan === undefined || env.kv === undefined) return 0;
  const r = recordScanRange(scan.table, scan.access);
  if (r === null || r === undefined) return 0;
  return (await env.kv.regions(r.start, r.end)).length;
}

function pushable(n: Extract<PlanNode, { op: 'TableReader' }>, env: ExecEnv): boolean {
  return env.pushdown === true && env.kv !== undefined && buildCopTask(n) !== undefined;
}

/**
 * A TableReader: the pushable bottom of its chain runs in the coprocessor when allowed (see
 * `buildCopTask`), the rest at the root over those rows; a client without a coprocessor, a
 * scan range we cannot compute, or pushdown off runs everything at the root.
 */
async function* tableReader(n: Extract<PlanNode, { op: 'TableReader' }>, env: ExecEnv): AsyncGenerator<Row[]> {
  const task = env.pushdown === true && env.kv !== undefined ? buildCopTask(n, env.stats !== undefined) : undefined;
  const range = task === undefined ? undefined : recordScanRange(task.scan.table, task.scan.access);
  if (task === undefined || range === undefined || range === null) return yield* exec(n.child, env);
  const copStats: CopReadStats = { tasks: 0, executors: [] };
  let rows: AsyncGenerator<Row[]>;
  try {
    rows = await copRead(env.kv!, task, range, env.reader.ts, copStats, env.copEncoding);
  } catch (e) {
    // No coprocessor, or the store refused this DAG (other_error): the root is the reference path.
    if ((e instanceof DomainError && e.code === 'NotImplemented') || e instanceof CoprocessorError) return yield* exec(n.child, env);
    throw e;
  }
  try {
    yield* exec(n.child, { ...env, substitute: { node: task.top, rows } });
  } finally {
    const st = env.stats?.get(n);
    if (st !== undefined) st.copTasks = copStats.tasks;
    // Pushed operators report what the coprocessor's execution summaries say (summed over regions).
    task.pushed.forEach((p, k) => {
      const e = copStats.executors[k];
      if (env.stats === undefined || e === undefined || p === task.top) return;
      env.stats.set(p, { rows: e.rows, loops: e.loops, timeMs: e.timeMs });
    });
  }
}

async function* execNode(n: PlanNode, env: ExecEnv): AsyncGenerator<Row[]> {
  if (env.substitute !== undefined && env.substitute.node === n) return yield* env.substitute.rows;
  switch (n.op) {
    case 'Dual':
      if (n.rows > 0) yield [[]];
      return;
    case 'CteScan':
      for (let i = 0; i < n.working.rows.length; i += MEM_TABLE_BATCH_ROWS) yield n.working.rows.slice(i, i + MEM_TABLE_BATCH_ROWS);
      return;
    case 'RecursiveCte':
      yield* recursiveCte(n, env);
      return;
    case 'MemTable': {
      if (env.virtualSources === undefined) throw sqlError(ER.NOT_SUPPORTED_YET, `This version doesn't yet support 'reading ${n.table.db}.${n.table.name} here'`);
      const rows = await n.table.rows(await env.virtualSources());
      for (let i = 0; i < rows.length; i += MEM_TABLE_BATCH_ROWS) yield rows.slice(i, i + MEM_TABLE_BATCH_ROWS);
      return;
    }
    case 'TableReader':
      yield* tableReader(n, env);
      return;
    case 'TableScan': {
      let batch: Row[] = [];
      for await (const hr of scanTable(env, n.table, n.access, n.desc)) {
        batch.push(hr.row);
        if (batch.length >= BATCH_ROWS_MAX) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      return;
    }
    case 'Selection':
      for await (const b of exec(n.child, env)) {
        const out: Row[] = [];
        for (const r of b) {
          if (n.apply) await applyCorrelated(n.apply, r, env);
          if (truthy(n.cond.eval(r)) === true) out.push(r);
        }
        if (out.length > 0) yield out;
      }
      return;
    case 'Projection':
      for await (const b of exec(n.child, env)) {
        if (n.apply === undefined) {
          yield b.map((r) => n.exprs.map((e) => e.eval(r)));
          continue;
        }
        const out: Row[] = [];
        for (const r of b) {
          await applyCorrelated(n.apply, r, env);
          out.push(n.exprs.map((e) => e.eval(r)));
        }
        yield out;
      }
      return;
    case 'Limit': {
      let skip = constNumber(n.offset, 'LIMIT');
      let left = constNumber(n.limit, 'LIMIT');
      if (left === 0) return;
      for await (const b of exec(n.child, env)) {
        let rows = b;
        if (skip > 0) {
          const k = Math.min(skip, rows.length);
          rows = rows.slice(k);
          skip -= k;
        }
        if (rows.length === 0) continue;
        if (rows.length >= left) {
          yield rows.slice(0, left);
          return;
        }
        left -= rows.length;
        yield rows;
      }
      return;
    }
    case 'Sort': {
      const rows = await collect(exec(n.child, env));
      sortRows(rows, n.keys);
      for (let i = 0; i < rows.length; i += BATCH_ROWS_MAX) yield rows.slice(i, i + BATCH_ROWS_MAX);
      return;
    }
    case 'TopN': {
      const off = constNumber(n.offset, 'LIMIT');
      const lim = constNumber(n.limit, 'LIMIT');
      const keep = off + lim;
      if (lim === 0) return;
      let buf: Row[] = [];
      for await (const b of exec(n.child, env)) {
        for (const r of b) buf.push(r);
        // Keep the buffer bounded: re-sort and truncate when it doubles.
        if (buf.length > Math.max(2 * keep, BATCH_ROWS_MAX)) {
          sortRows(buf, n.keys);
          buf = buf.slice(0, keep);
        }
      }
      sortRows(buf, n.keys);
      const out = buf.slice(off, keep);
      if (out.length > 0) yield out;
      return;
    }
    case 'Distinct': {
      const seen = new Set<string>();
      for await (const b of exec(n.child, env)) {
        const out: Row[] = [];
        for (const r of b) {
          const k = r.slice(0, n.visible).map(hashKey).join('\u0000');
          if (seen.has(k)) continue;
          seen.add(k);
          quota(seen.size);
          out.push(r);
        }
        if (out.length > 0) yield out;
      }
      return;
    }
    case 'HashAgg':
      yield* hashAgg(n, env);
      return;
    case 'HashJoin':
      yield* hashJoin(n, env);
      return;
    case 'Union': {
      const seen = n.distinct ? new Set<string>() : undefined;
      for (const c of n.children) {
        for await (const b of exec(c, env)) {
          const rows = b.map((r) => r.slice(0, n.schema.length));
          if (seen === undefined) {
            yield rows;
            continue;
          }
          const out = rows.filter((r) => {
            const k = r.map(hashKey).join('\u0000');
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          });
          quota(seen.size);
          if (out.length > 0) yield out;
        }
      }
      return;
    }
  }
}

/** Re-runs correlated subqueries for one outer row (nested-loop apply). */
async function applyCorrelated(refs: readonly SubqueryRef[], row: Row, env: ExecEnv): Promise<void> {
  for (const ref of refs) {
    ref.slot.row = row;
    ref.rows = await collect(exec(ref.plan as PlanNode, env));
  }
}

interface AggState {
  count: bigint;
  sum: Decimal | number | null;
  best: Value;
  parts: string[];
  distinct?: Set<string>;
}

function newState(a: AggDesc): AggState {
  return { count: 0n, sum: null, best: null, parts: [], ...(a.distinct ? { distinct: new Set<string>() } : {}) };
}

function isRealAgg(a: AggDesc): boolean {
  const tp = a.arg?.ft.tp;
  return tp === 4 || tp === 5 || (tp !== undefined && (tp === 15 || tp === 253 || tp === 254 || (tp >= 249 && tp <= 252)));
}

function feed(a: AggDesc, s: AggState, row: Row): void {
  if (a.arg === null) {
    s.count++;
    return;
  }
  const v = a.arg.eval(row);
  if (v === null) return;
  if (s.distinct !== undefined) {
    const k = hashKey(v);
    if (s.distinct.has(k)) return;
    s.distinct.add(k);
  }
  s.count++;
  switch (a.name) {
    case 'sum':
    case 'avg':
      if (isRealAgg(a)) s.sum = (s.sum === null ? 0 : (s.sum as number)) + toFloat(v);
      else s.sum = s.sum === null ? toDecimal(v) : (s.sum as Decimal).add(toDecimal(v));
      return;
    case 'min':
      if (s.best === null || compareNullable(v, s.best) < 0) s.best = v;
      return;
    case 'max':
      if (s.best === null || compareNullable(v, s.best) > 0) s.best = v;
      return;
    case 'group_concat':
      s.parts.push(valueToString(v));
      return;
    case 'count':
      return;
  }
}

function finish(a: AggDesc, s: AggState): Value {
  switch (a.name) {
    case 'count':
      return s.count;
    case 'sum':
      return s.sum;
    case 'avg':
      if (s.sum === null || s.count === 0n) return null;
      if (typeof s.sum === 'number') return s.sum / Number(s.count);
      return s.sum.div(Decimal.fromBigInt(s.count), 4);
    case 'min':
    case 'max':
      return s.best;
    case 'group_concat':
      return s.parts.length === 0 ? null : s.parts.join(',');
  }
}

/** Partial state columns of one aggregate (see the HashAgg plan node). */
function partialState(a: AggDesc, s: AggState): Value[] {
  switch (a.name) {
    case 'count':
      return [s.count];
    case 'avg':
      return [s.count, s.sum];
    case 'sum':
      return [s.sum];
    default:
      return [s.best];
  }
}

/** Merges one partial state (starting at `row[off]`) into `s`; returns the next offset. */
function mergeState(a: AggDesc, s: AggState, row: Row, off: number): number {
  const add = (v: Value): void => {
    if (v === null) return;
    if (typeof v === 'number') s.sum = (s.sum === null ? 0 : (s.sum as number)) + v;
    else s.sum = s.sum === null ? toDecimal(v) : (s.sum as Decimal).add(toDecimal(v));
  };
  switch (a.name) {
    case 'count':
      s.count += row[off] as bigint;
      return off + 1;
    case 'avg':
      s.count += row[off] as bigint;
      add(row[off + 1]!);
      return off + 2;
    case 'sum':
      add(row[off]!);
      return off + 1;
    default: {
      const v = row[off]!;
      if (v !== null && (s.best === null || (a.name === 'min' ? compareNullable(v, s.best) < 0 : compareNullable(v, s.best) > 0))) s.best = v;
      return off + 1;
    }
  }
}

async function* hashAgg(n: Extract<PlanNode, { op: 'HashAgg' }>, env: ExecEnv): AsyncGenerator<Row[]> {
  const groups = new Map<string, { keys: Value[]; states: AggState[]; first: Row }>();
  const final = n.mode === 'final';
  const nG = n.groupBy.length;
  const stateWidth = n.aggs.reduce((w, a) => w + (a.name === 'avg' ? 2 : 1), 0);
  for await (const b of exec(n.child, env)) {
    for (const r of b) {
      const keys = n.groupBy.map((g) => g.eval(r));
      const k = keys.map(hashKey).join('\u0000');
      let g = groups.get(k);
      if (g === undefined) {
        g = { keys, states: n.aggs.map(newState), first: final ? r.slice(nG + stateWidth) : r };
        groups.set(k, g);
        quota(groups.size);
      }
      if (final) {
        let off = nG;
        n.aggs.forEach((a, i) => (off = mergeState(a, g!.states[i]!, r, off)));
      } else n.aggs.forEach((a, i) => feed(a, g!.states[i]!, r));
    }
  }
  if (n.mode === 'partial') {
    const out: Row[] = [];
    for (const g of groups.values()) out.push([...g.keys, ...n.aggs.flatMap((a, i) => partialState(a, g.states[i]!)), ...g.first]);
    for (let i = 0; i < out.length; i += BATCH_ROWS_MAX) yield out.slice(i, i + BATCH_ROWS_MAX);
    return;
  }
  // Aggregation without GROUP BY over no rows still yields one row (COUNT(*) = 0).
  if (groups.size === 0 && n.groupBy.length === 0) {
    const width = n.schema.length - n.aggs.length - nG;
    yield [[...n.aggs.map((a) => finish(a, newState(a))), ...new Array<Value>(width).fill(null)]];
    return;
  }
  let out: Row[] = [];
  for (const g of groups.values()) {
    out.push([...g.keys, ...n.aggs.map((a, i) => finish(a, g.states[i]!)), ...g.first]);
    if (out.length >= BATCH_ROWS_MAX) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

async function* hashJoin(n: Extract<PlanNode, { op: 'HashJoin' }>, env: ExecEnv): AsyncGenerator<Row[]> {
  // Build on the inner side: right for inner/left joins, left for right joins.
  const buildLeft = n.joinType === 'right';
  const build = await collect(exec(buildLeft ? n.left : n.right, env));
  const buildKeys = buildLeft ? n.leftKeys : n.rightKeys;
  const probeKeys = buildLeft ? n.rightKeys : n.leftKeys;
  const table = new Map<string, Row[]>();
  const hasKeys = buildKeys.length > 0;
  if (hasKeys) {
    for (const r of build) {
      const ks = buildKeys.map((k) => k.eval(r));
      if (ks.some((v) => v === null)) continue;
      const k = ks.map(hashKey).join('\u0000');
      const l = table.get(k);
      if (l === undefined) table.set(k, [r]);
      else l.push(r);
    }
  }
  const leftWidth = n.left.schema.length;
  const rightWidth = n.right.schema.length;
  const outer = n.joinType === 'left' || n.joinType === 'right';
  for await (const b of exec(buildLeft ? n.right : n.left, env)) {
    const out: Row[] = [];
    for (const p of b) {
      let candidates: Row[];
      if (hasKeys) {
        const ks = probeKeys.map((k) => k.eval(p));
        candidates = ks.some((v) => v === null) ? [] : table.get(ks.map(hashKey).join('\u0000')) ?? [];
      } else candidates = build;
      let matched = false;
      for (const c of candidates) {
        const joined = buildLeft ? [...c, ...p] : [...p, ...c];
        if (n.other !== null && truthy(n.other.eval(joined)) !== true) continue;
        matched = true;
        out.push(joined);
      }
      if (!matched && outer) out.push(buildLeft ? [...new Array<Value>(leftWidth).fill(null), ...p] : [...p, ...new Array<Value>(rightWidth).fill(null)]);
    }
    quota(out.length);
    if (out.length > 0) yield out;
  }
}

function boundDatum(t: TableInfo, colName: string, b: Compiled): Datum | undefined {
  const off = columnOffset(t, colName);
  const c = t.columns[off]!;
  const v = b.eval([]);
  if (v === null) return undefined;
  try {
    return valueToDatum(convertForColumn(v, c.ft, c.name, 1), c.ft);
  } catch {
    return undefined;
  }
}

/** Converts point values to a handle; undefined when a value cannot exist in the column. */
function pointHandle(t: TableInfo, values: readonly Compiled[]): Handle | undefined {
  const pk = primaryIndex(t)!;
  const datums: Datum[] = [];
  for (let i = 0; i < pk.columns.length; i++) {
    const d = boundDatum(t, pk.columns[i]!, values[i]!);
    if (d === undefined) return undefined;
    datums.push(d);
  }
  if (t.pkIsHandle) return { kind: 'int', value: BigInt.asIntN(64, (datums[0] as { value: bigint }).value) };
  return { kind: 'common', encoded: encodeDatumKey(datums) };
}

/** Reads one row by handle. */
export async function getRow(env: ExecEnv, t: TableInfo, h: Handle): Promise<HandleRow | undefined> {
  const v = await env.reader.get(recordKey(t, h));
  if (v === undefined) return undefined;
  return { handle: h, row: decodeRow(t, h, v, (c) => env.missingDefault(t, c)) };
}

/**
 * The record-key range a full or handle-range access reads; `undefined` when a bound cannot
 * be converted to the handle type (the caller scans the whole table and filters), `null`
 * for accesses that are not record-range scans.
 */
export function recordScanRange(t: TableInfo, access: Access): { start: Uint8Array; end: Uint8Array } | null | undefined {
  const full = tableRecordRange(BigInt(t.id));
  if (access.kind === 'full') return full;
  if (access.kind !== 'handleRange') return null;
  const col = primaryIndex(t)!.columns[0]!;
  let start = full.start;
  let end = full.end;
  if (access.lo) {
    const d = boundDatum(t, col, access.lo.value);
    if (d === undefined) return undefined;
    start = encodeRecordKey(BigInt(t.id), (d as { value: bigint }).value);
    if (!access.lo.inclusive) start = prefixNext(start);
  }
  if (access.hi) {
    const d = boundDatum(t, col, access.hi.value);
    if (d === undefined) return undefined;
    end = encodeRecordKey(BigInt(t.id), (d as { value: bigint }).value);
    if (access.hi.inclusive) end = prefixNext(end);
  }
  return { start, end };
}

/** All rows reachable through an access path (not yet filtered by the WHERE clause). */
export async function* scanTable(env: ExecEnv, t: TableInfo, access: Access, desc = false): AsyncGenerator<HandleRow> {
  const decode = (key: Uint8Array, value: Uint8Array): HandleRow => {
    const h = handleFromRecordKey(t, key);
    return { handle: h, row: decodeRow(t, h, value, (c) => env.missingDefault(t, c)) };
  };
  switch (access.kind) {
    case 'full': {
      const r = tableRecordRange(BigInt(t.id));
      for await (const kv of env.reader.scan(r.start, r.end, { reverse: desc })) yield decode(kv.key, kv.value);
      return;
    }
    case 'handlePoints': {
      const seen = new Set<string>();
      for (const p of access.points) {
        const h = pointHandle(t, p);
        if (h === undefined || seen.has(handleKey(h))) continue;
        seen.add(handleKey(h));
        const r = await getRow(env, t, h);
        if (r !== undefined) yield r;
      }
      return;
    }
    case 'handleRange': {
      const r = recordScanRange(t, access);
      if (r === undefined || r === null) return yield* scanTable(env, t, { kind: 'full' }, desc);
      for await (const kv of env.reader.scan(r.start, r.end, { reverse: desc })) yield decode(kv.key, kv.value);
      return;
    }
    case 'uniquePoints': {
      const seen = new Set<string>();
      for (const p of access.points) {
        const datums: Datum[] = [];
        let ok = true;
        for (let i = 0; i < access.index.columns.length; i++) {
          const d = boundDatum(t, access.index.columns[i]!, p[i]!);
          if (d === undefined) ok = false;
          else datums.push(d);
        }
        if (!ok) continue;
        const key = encodeIndexKey(BigInt(t.id), BigInt(access.index.id), encodeDatumKey(datums));
        const v = await env.reader.get(key);
        if (v === undefined) continue;
        const h = handleFromIndexEntry(t, access.index, key, v);
        if (seen.has(handleKey(h))) continue;
        seen.add(handleKey(h));
        const r = await getRow(env, t, h);
        if (r !== undefined) yield r;
      }
      return;
    }
    case 'indexRange': {
      const idx = access.index;
      const prefixDatums: Datum[] = [];
      for (let i = 0; i < access.eq.length; i++) {
        const d = boundDatum(t, idx.columns[i]!, access.eq[i]!);
        if (d === undefined) return yield* scanTable(env, t, { kind: 'full' }, desc);
        prefixDatums.push(d);
      }
      const base = concatBytes(encodeIndexPrefix(BigInt(t.id), BigInt(idx.id)), encodeDatumKey(prefixDatums));
      let start = base;
      let end = prefixNext(base);
      const next = idx.columns[access.eq.length];
      const bound = (b: Bound | undefined, isLo: boolean): Uint8Array | null | undefined => {
        if (b === undefined || next === undefined) return null;
        const d = boundDatum(t, next, b.value);
        if (d === undefined) return undefined;
        const k = concatBytes(base, encodeDatumKey([d]));
        return isLo ? (b.inclusive ? k : prefixNext(k)) : b.inclusive ? prefixNext(k) : k;
      };
      const lo = bound(access.lo, true);
      const hi = bound(access.hi, false);
      if (lo === undefined || hi === undefined) return yield* scanTable(env, t, { kind: 'full' }, desc);
      // Without a lower bound, skip NULLs of the ranged column (they sort first).
      if (lo !== null) start = lo;
      else if (access.hi !== undefined && next !== undefined) start = concatBytes(base, new Uint8Array([1]));
      if (hi !== null) end = hi;
      for await (const kv of env.reader.scan(start, end)) {
        const h = handleFromIndexEntry(t, idx, kv.key, kv.value);
        const r = await getRow(env, t, h);
        if (r !== undefined) yield r;
      }
      return;
    }
  }
}

/** Keeps the record prefix helper referenced for callers building raw ranges. */
export const recordPrefix = (t: TableInfo): Uint8Array => encodeRecordPrefix(BigInt(t.id));
