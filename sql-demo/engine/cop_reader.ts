import { currentTimeZone } from './time_zone.ts';
import { realClock } from '../../src/util/mod.ts';
import { decodeMessage, encodeMessage, type tipb } from '../../src/proto/mod.ts';
import { bytesCompare } from '../../src/util/mod.ts';
import { ColumnFlag, coreTimeFromPacked, encodeDatumValue, MysqlType } from '../tidb_codec.ts';
import { sqlError } from '../errors.ts';
import { CoprocessorError, type KvClient } from '../kv/mod.ts';
import type { ColumnInfo } from './catalog.ts';
import { convertForColumn, isBinaryString, isStringTp, isTimeTp, valueToDatum, type FieldType } from './column_type.ts';
import { copDecode, ENCODE_TYPE, type CopResultEncoding } from './cop_decode.ts';
import { columnRef, columnsOf, i64, remapColumns, wireFieldType, type PushScalar, type WireExpr } from './push_expr.ts';
import type { PlanNode } from './plan.ts';
import { handleColumnOffset, type Row } from './table_codec.ts';
import { SqlTime, type Value } from './value.ts';

/** Coprocessor request type of a DAG. */
const REQ_TYPE_DAG = 103;
const EXEC_TABLE_SCAN = 0;
const EXEC_SELECTION = 2;
const EXEC_AGGREGATION = 3;
const EXEC_TOP_N = 4;
const EXEC_LIMIT = 5;
/** The encoding `buildCopTask` asks for; `copRead` rewrites the DAG for any other (`tidb_cop_result_encoding`). */
const ENCODE_BUILT: CopResultEncoding = 'arrow';
/** Per-region tasks in flight at once for one reader. */
export const COP_CONCURRENCY_MAX = 4;
/** TiDB's `_tidb_rowid` column id: the int handle of a table without an int primary key. */
const EXTRA_HANDLE_COLUMN_ID = -1n;

/** Column types the coprocessor scans and whose values come back exactly as the root decodes them. */
function scanTypeSupported(tp: number): boolean {
  switch (tp) {
    case MysqlType.Tiny:
    case MysqlType.Short:
    case MysqlType.Int24:
    case MysqlType.Long:
    case MysqlType.Longlong:
    case MysqlType.Year:
    case MysqlType.Float:
    case MysqlType.Double:
    case MysqlType.NewDecimal:
    case MysqlType.Date:
    case MysqlType.Datetime:
    case MysqlType.Timestamp:
    case MysqlType.Duration:
      return true;
    default:
      return isStringTp(tp);
  }
}

/** A reader subtree turned into one DAG: `top` is the highest plan node the DAG computes. */
export interface CopTask {
  readonly top: PlanNode;
  readonly scan: Extract<PlanNode, { op: 'TableScan' }>;
  readonly data: Uint8Array;
  /** The plan nodes the DAG's executors compute, in executor order (scan first). */
  readonly pushed: readonly PlanNode[];
  /** Field types of the DAG's output columns (to decode the datums). */
  readonly outputTypes: readonly FieldType[];
  /** The DAG's output row -> `top`'s row layout. */
  readonly reshape: (row: Value[]) => Row;
  /** Table columns the scan reads (pruned: what the plan above and the pushed operators use). */
  readonly scanColumns: readonly number[];
  /** The scan runs in descending handle order (ORDER BY the handle DESC LIMIT). */
  readonly scanDesc: boolean;
}

const HANDLE_FT: FieldType = { tp: MysqlType.Longlong, flag: ColumnFlag.NotNull, flen: 21, decimal: 0, sqlName: 'bigint' };
const AGG = { Count: 3001, Sum: 3002, Avg: 3003, Min: 3004, Max: 3005, First: 3006 } as const;
const COUNT_FT: FieldType = { tp: MysqlType.Longlong, flag: ColumnFlag.Binary | ColumnFlag.Unsigned, flen: 21, decimal: 0, sqlName: 'bigint' };

/**
 * Group keys whose grouping and returned value agree with the root: ints, DECIMAL, times,
 * durations and CHAR (stored without trailing spaces, so PAD SPACE equality picks no
 * different representative). VARCHAR keys (`'a'` = `'a '`) and doubles stay at the root.
 */
function groupKeyOk(p: PushScalar): boolean {
  if (p.cls === 'string') return p.ft.tp === MysqlType.String;
  return p.cls !== 'real';
}

/** The tipb aggregate function of one of ours, with the partial states it outputs, or undefined. */
function aggFunc(name: string, arg: PushScalar | null): { fn: object; states: FieldType[] } | undefined {
  if (arg === null) {
    if (name !== 'count') return undefined;
    return { fn: { tp: AGG.Count, children: [{ tp: 1, val: i64(1n), fieldType: wireFieldType({ ...COUNT_FT, flag: ColumnFlag.Binary }) }], fieldType: wireFieldType(COUNT_FT) }, states: [COUNT_FT] };
  }
  const ft = arg.ft;
  switch (name) {
    case 'count':
      return { fn: { tp: AGG.Count, children: [arg.expr], fieldType: wireFieldType(COUNT_FT) }, states: [COUNT_FT] };
    case 'sum':
    case 'avg': {
      // Sums of ints/DECIMALs are exact DECIMALs on both sides; doubles sum per region (TiDB does the same).
      // FLOAT sums differ: the root adds the rounded values it shows, the store the raw float32s.
      if ((arg.cls !== 'int' && arg.cls !== 'decimal' && arg.cls !== 'real') || ft.tp === MysqlType.Float) return undefined;
      const sumFt: FieldType = arg.cls === 'real' ? ft : { tp: MysqlType.NewDecimal, flag: ColumnFlag.Binary, flen: 65, decimal: Math.max(0, ft.decimal), sqlName: 'decimal' };
      return name === 'sum'
        ? { fn: { tp: AGG.Sum, children: [arg.expr], fieldType: wireFieldType(sumFt) }, states: [sumFt] }
        : { fn: { tp: AGG.Avg, children: [arg.expr], fieldType: wireFieldType(sumFt) }, states: [COUNT_FT, sumFt] };
    }
    case 'min':
    case 'max':
      // VARCHAR ties under PAD SPACE ('a' vs 'a ') could return a different representative.
      if (arg.cls === 'string' && ft.tp !== MysqlType.String) return undefined;
      return { fn: { tp: name === 'min' ? AGG.Min : AGG.Max, children: [arg.expr], fieldType: wireFieldType(ft) }, states: [ft] };
    default:
      return undefined;
  }
}

/** The ColumnInfo `default_val` of a column added after rows existed: the value old rows read. */
function originDefaultBytes(c: ColumnInfo): Uint8Array | undefined | null {
  const d = c.originDefault;
  if (d === undefined || d === null) return undefined;
  // CURRENT_TIMESTAMP origin defaults are evaluated per statement at the root: not pushed.
  if (typeof d === 'object') return null;
  try {
    return encodeDatumValue([valueToDatum(convertForColumn(d, c.ft, c.name, 1), c.ft)]);
  } catch {
    return null;
  }
}

/** Packed times (how Default-encoded datums carry them) back to the SQL layer's SqlTime. */
function timeFixer(types: readonly FieldType[]): (row: Value[]) => Value[] {
  const fix = types.map((ft, k) => (isTimeTp(ft.tp) ? k : -1)).filter((k) => k >= 0);
  if (fix.length === 0) return (r) => r;
  return (r) => {
    for (const k of fix) {
      const v = r[k];
      if (typeof v === 'bigint') r[k] = new SqlTime(coreTimeFromPacked(v, types[k]!.tp, Math.max(0, types[k]!.decimal)));
    }
    return r;
  };
}

/**
 * The DAG for the pushable bottom of a TableReader's chain, or undefined when even the scan
 * cannot be pushed. Pushed: the TableScan (int handle or `_tidb_rowid` tables, ascending,
 * reading only the columns the plan uses; columns added after rows existed carry their
 * origin default), then a Selection whose whole condition has a tipb form (`pushCond`), then
 * one of: the partial HashAgg (`push` set and every key/function supported), a TopN whose
 * keys have a tipb form (`pushKeys`), a Limit. Operators above `top` run at the root.
 */
export function buildCopTask(reader: Extract<PlanNode, { op: 'TableReader' }>, collectSummaries = false): CopTask | undefined {
  const chain: PlanNode[] = [];
  for (let c: PlanNode = reader.child; ; ) {
    chain.unshift(c);
    if (c.op === 'TableScan') break;
    if (c.op !== 'Selection' && c.op !== 'Limit' && c.op !== 'TopN' && c.op !== 'HashAgg') return undefined;
    c = c.child;
  }
  const scan = chain[0] as Extract<PlanNode, { op: 'TableScan' }>;
  const t = scan.table;
  const width = t.columns.length;
  if (scan.desc || t.isCommonHandle || scan.schema.length !== width) return undefined;
  const all = t.columns.map((_, k) => k);

  let i = 1;
  const sel = chain[i];
  const selPushed = sel !== undefined && sel.op === 'Selection' && sel.pushCond !== undefined && sel.apply === undefined ? sel : undefined;
  if (selPushed) i++;
  const next = chain[i];
  const prevIsPushed = i === 1 || selPushed !== undefined;
  // The partial aggregation, when each key and function has an exact pushed form.
  let agg: { node: PlanNode; exec: (map: (k: number) => number) => object; states: FieldType[]; groupFts: FieldType[]; reads: Set<number> } | undefined;
  if (prevIsPushed && next !== undefined && next.op === 'HashAgg' && next.mode === 'partial' && next.push !== undefined) {
    const p = next.push;
    const fns: Array<{ fn: object; states: FieldType[] }> = [];
    let ok = p.groupBy.every(groupKeyOk) && next.aggs.length === p.args.length;
    next.aggs.forEach((a, k) => {
      const f = a.distinct ? undefined : aggFunc(a.name, p.args[k]!);
      if (f === undefined) ok = false;
      else fns.push(f);
    });
    if (ok) {
      const reads = new Set<number>();
      for (const g of p.groupBy) columnsOf(g.expr, reads);
      for (const a of p.args) if (a !== null) columnsOf(a.expr, reads);
      const groupBy = p.groupBy;
      agg = {
        node: next,
        reads,
        states: fns.flatMap((f) => f.states),
        groupFts: groupBy.map((g) => g.ft),
        exec: (map) => {
          const remap = (w: WireExpr) => remapColumns(w, map);
          const aggFuncs = fns.map((f) => {
            const fn = f.fn as { children: WireExpr[] };
            return { ...fn, children: fn.children.map(remap) };
          });
          return { aggFuncs, groupBy: groupBy.map((g) => remap(g.expr)) };
        },
      };
    }
  }
  const topN = agg === undefined && prevIsPushed && next !== undefined && next.op === 'TopN' && next.pushKeys !== undefined && next.offset === null && next.limit.constant ? next : undefined;
  const lim = agg === undefined && topN === undefined && prevIsPushed && next !== undefined && next.op === 'Limit' && next.offset === null && next.limit.constant ? next : undefined;
  const limitOf = (n: { limit: { eval: (r: Row) => Value } }): bigint | undefined => {
    const v = n.limit.eval([]);
    return typeof v === 'bigint' && v >= 0n ? v : undefined;
  };
  const topNLimit = topN ? limitOf(topN) : undefined;
  const limLimit = lim ? limitOf(lim) : undefined;

  // Columns returned to the root: what the statement reads (minus WHERE-only ones once the whole WHERE is pushed).
  const above = (selPushed ? scan.neededAbove : scan.needed) ?? all;
  const reads = new Set<number>(agg !== undefined ? (scan.needed ?? all) : above);
  if (selPushed) columnsOf(selPushed.pushCond!, reads);
  if (agg) for (const k of agg.reads) reads.add(k);
  if (topN && topNLimit !== undefined) for (const k of topN.pushKeys!) columnsOf(k.expr, reads);
  const scanColumns = [...reads].filter((k) => k >= 0 && k < width).sort((a, b) => a - b);
  if (scanColumns.length !== reads.size) return undefined;
  const hOff = handleColumnOffset(t);
  const infos: object[] = [];
  for (const k of scanColumns) {
    const c = t.columns[k]!;
    if (!scanTypeSupported(c.ft.tp)) return undefined;
    const dv = originDefaultBytes(c);
    if (dv === null) return undefined;
    infos.push({
      columnId: BigInt(c.id),
      tp: c.ft.tp,
      collation: isStringTp(c.ft.tp) && !isBinaryString(c.ft) ? -46 : -63,
      columnLen: c.ft.flen,
      decimal: Math.max(0, c.ft.decimal),
      flag: c.ft.flag,
      pkHandle: k === hOff,
      ...(dv !== undefined ? { defaultVal: dv } : {}),
    });
  }
  // Nothing to read (COUNT(*)): the handle alone, as TiDB does.
  if (infos.length === 0) infos.push({ columnId: EXTRA_HANDLE_COLUMN_ID, tp: MysqlType.Longlong, collation: -63, columnLen: 21, decimal: 0, flag: ColumnFlag.NotNull, pkHandle: false });
  const offsetOf = new Map(scanColumns.map((k, j) => [k, j]));
  const map = (k: number): number => offsetOf.get(k)!;

  // ORDER BY the int handle LIMIT n: each region scans in handle order (descending for DESC)
  // and stops after n rows, instead of sorting the whole region (the root TopN still merges).
  const key0 = topN?.pushKeys?.[0];
  const byHandle = topN !== undefined && topNLimit !== undefined && hOff >= 0 && topN.pushKeys!.length === 1 && key0!.expr.tp === 201 && [...columnsOf(key0!.expr, new Set())][0] === hOff;
  const executors: object[] = [{ tp: EXEC_TABLE_SCAN, executorId: 'TableFullScan_1', tblScan: { tableId: BigInt(t.id), columns: infos, desc: byHandle && key0!.desc } }];
  let top: PlanNode = scan;
  const pushed: PlanNode[] = [scan];
  if (selPushed) {
    executors.push({ tp: EXEC_SELECTION, executorId: 'Selection_2', selection: { conditions: [remapColumns(selPushed.pushCond!, map)] } });
    top = selPushed;
    pushed.push(selPushed);
  }
  let outputTypes: FieldType[];
  let outputOffsets: number[];
  let layout: (r: Value[]) => Row;
  if (agg !== undefined) {
    // Partial layout: [group keys, states, first row]; the coprocessor answers [states..., first rows..., group keys].
    const firsts = scan.needed ?? all;
    const { aggFuncs, groupBy } = agg.exec(map) as { aggFuncs: object[]; groupBy: WireExpr[] };
    for (const k of firsts) aggFuncs.push({ tp: AGG.First, children: [columnRef(map(k), t.columns[k]!.ft)], fieldType: wireFieldType(t.columns[k]!.ft) });
    executors.push({ tp: EXEC_AGGREGATION, executorId: 'HashAgg_3', aggregation: { groupBy, aggFunc: aggFuncs, streamed: false } });
    outputTypes = [...agg.states, ...firsts.map((k) => t.columns[k]!.ft), ...agg.groupFts];
    outputOffsets = outputTypes.map((_, k) => k);
    const nS = agg.states.length;
    const nF = firsts.length;
    const nG = agg.groupFts.length;
    layout = (r) => {
      const first: Value[] = new Array<Value>(width).fill(null);
      firsts.forEach((k, j) => (first[k] = r[nS + j]!));
      return [...r.slice(nS + nF, nS + nF + nG), ...r.slice(0, nS), ...first];
    };
    top = agg.node;
    pushed.push(agg.node);
  } else {
    if (byHandle) {
      executors.push({ tp: EXEC_LIMIT, executorId: 'Limit_3', limit: { limit: topNLimit } });
      top = topN!;
      pushed.push(topN!);
    } else if (topN && topNLimit !== undefined) {
      executors.push({ tp: EXEC_TOP_N, executorId: 'TopN_3', topN: { orderBy: topN.pushKeys!.map((k) => ({ expr: remapColumns(k.expr, map), desc: k.desc })), limit: topNLimit } });
      top = topN;
      pushed.push(topN);
    } else if (lim && limLimit !== undefined) {
      executors.push({ tp: EXEC_LIMIT, executorId: 'Limit_3', limit: { limit: limLimit } });
      top = lim;
      pushed.push(lim);
    }
    const out = above.filter((k) => offsetOf.has(k));
    outputTypes = out.map((k) => t.columns[k]!.ft);
    outputOffsets = out.map(map);
    if (out.length === 0) {
      // Rows without columns (`SELECT 1 FROM t WHERE …`) still need one column to be counted.
      outputOffsets = [0];
      outputTypes = [scanColumns.length > 0 ? t.columns[scanColumns[0]!]!.ft : HANDLE_FT];
    }
    layout = (r) => {
      const row: Value[] = new Array<Value>(width).fill(null);
      out.forEach((k, j) => (row[k] = r[j]!));
      return row;
    };
  }
  const fix = timeFixer(outputTypes);
  const reshape = (r: Value[]): Row => layout(fix(r));
  const data = encodeMessage('tipb.DAGRequest', {
    executors,
    outputOffsets,
    encodeType: ENCODE_TYPE[ENCODE_BUILT],
    // The session's zone: the stores show TIMESTAMP in it (Chunk) and read time strings in it.
    timeZoneOffset: BigInt(currentTimeZone().offsetSecondsNow(realClock.nowMs())),
    timeZoneName: currentTimeZone().dagName,
    flags: 0n,
    collectExecutionSummaries: collectSummaries,
  });
  return { top, scan, data, pushed, outputTypes, reshape, scanColumns, scanDesc: byHandle && key0!.desc };
}

/** What one coprocessor read did (EXPLAIN ANALYZE). */
export interface CopReadStats {
  /** Distinct regions that answered: one cop task each. */
  tasks: number;
  /** Per pushed executor (executor order), summed over responses when summaries were asked for. */
  readonly executors: Array<{ rows: number; loops: number; timeMs: number }>;
}

/** The coprocessor's refusal to put a zero date into Arrow (`coprocessor/arrow_encoder.ts`). */
function isArrowRefusal(e: unknown): boolean {
  return e instanceof CoprocessorError && /cannot be encoded as Arrow/.test(e.otherError);
}

/** The task's DAG asking for `encoding` results (decoded and re-encoded with that `encode_type`). */
function dagWithEncoding(task: CopTask, encoding: CopResultEncoding): Uint8Array {
  if (encoding === ENCODE_BUILT) return task.data;
  const dag = decodeMessage<tipb.DAGRequest>('tipb.DAGRequest', task.data);
  dag.encodeType = ENCODE_TYPE[encoding];
  return encodeMessage('tipb.DAGRequest', dag);
}

/**
 * Sends the DAG over `range` at `startTs` asking for `encoding` results (Arrow IPC unless
 * `tidb_cop_result_encoding` says otherwise) and yields the decoded rows per response
 * (`task.reshape`d). `SelectResponse.error` becomes the MySQL error it carries. The first
 * response is awaited before returning, so a client without a coprocessor fails here,
 * before any row was produced (the caller then runs the subtree at the root).
 * A store refusing Arrow (a zero date) is asked again with Default encoding: transparently
 * before any row was yielded, or when the DAG is a scan + selection (its row sequence does
 * not depend on region boundaries, so the rows already yielded are skipped); otherwise the
 * refusal is a MySQL error naming the session variable that avoids it.
 */
export async function copRead(
  kv: KvClient,
  task: CopTask,
  range: { start: Uint8Array; end: Uint8Array },
  startTs: bigint,
  stats: CopReadStats,
  encoding: CopResultEncoding = ENCODE_BUILT,
): Promise<AsyncGenerator<Row[]>> {
  if (bytesCompare(range.start, range.end) >= 0) return (async function* () {})();
  const send = (enc: CopResultEncoding) => kv.coprocessor({ tp: REQ_TYPE_DAG, data: dagWithEncoding(task, enc), ranges: [range], startTs, concurrency: COP_CONCURRENCY_MAX })[Symbol.asyncIterator]();
  let it = send(encoding);
  let first: IteratorResult<{ data: Uint8Array; regionId: bigint }>;
  try {
    first = await it.next();
  } catch (e) {
    if (encoding !== 'arrow' || !isArrowRefusal(e)) throw e;
    encoding = 'default';
    it = send(encoding);
    first = await it.next();
  }
  const regions = new Set<bigint>();
  const decode = (data: Uint8Array, regionId: bigint): Row[] => {
    regions.add(regionId);
    stats.tasks = regions.size;
    const resp = decodeMessage<tipb.SelectResponse>('tipb.SelectResponse', data);
    if (resp.error) throw sqlError([resp.error.code || 1105, 'HY000'], resp.error.msg);
    resp.executionSummaries.forEach((sum, k) => {
      const e = (stats.executors[k] ??= { rows: 0, loops: 0, timeMs: 0 });
      e.rows += Number(sum.numProducedRows);
      e.loops += Number(sum.numIterations);
      e.timeMs += Number(sum.timeProcessedNs) / 1e6;
    });
    // The response says what it holds: a store may answer Default to an encoding it lacks.
    const encodeType = resp.encodeType ?? ENCODE_TYPE.default;
    const rows: Row[] = [];
    for (const chunk of resp.chunks) for (const r of copDecode(encodeType, chunk.rowsData, task.outputTypes)) rows.push(task.reshape(r));
    return rows;
  };
  const orderIndependent = task.pushed.every((p) => p.op === 'TableScan' || p.op === 'Selection');
  return (async function* () {
    let r = first;
    let yielded = 0;
    let skip = 0;
    while (r.done !== true) {
      let rows = decode(r.value.data, r.value.regionId);
      if (skip > 0) {
        const drop = Math.min(skip, rows.length);
        skip -= drop;
        rows = rows.slice(drop);
      }
      if (rows.length > 0) {
        yielded += rows.length;
        yield rows;
      }
      try {
        r = await it.next();
      } catch (e) {
        if (encoding !== 'arrow' || !isArrowRefusal(e)) throw e;
        if (yielded > 0 && !orderIndependent) {
          throw sqlError([1105, 'HY000'], `${(e as CoprocessorError).otherError}; SET tidb_cop_result_encoding = 'default' to read this table with pushed aggregation or limit`);
        }
        encoding = 'default';
        it = send(encoding);
        skip = yielded;
        r = await it.next();
      }
    }
  })();
}
