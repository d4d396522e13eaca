import { decodeMessage, encodeMessage, type tipb } from '../../src/proto/mod.ts';
import { bytesCompare } from '../../src/util/mod.ts';
import { ColumnFlag, MysqlType } from '../tidb_codec.ts';
import { sqlError } from '../errors.ts';
import type { KvClient } from '../kv/mod.ts';
import type { TableInfo } from './catalog.ts';
import { isBinaryString, isStringTp, type FieldType } from './column_type.ts';
import { copDecode, ENCODE_TYPE, type CopResultEncoding } from './cop_decode.ts';
import { CoprocessorError } from '../kv/mod.ts';
import type { WireExpr, WireFieldType } from './push_expr.ts';
import type { PlanNode } from './plan.ts';
import { handleColumnOffset, type Row } from './table_codec.ts';
import type { Value } from './value.ts';

/** Coprocessor request type of a DAG. */
const REQ_TYPE_DAG = 103;
const EXEC_TABLE_SCAN = 0;
const EXEC_SELECTION = 2;
const EXEC_LIMIT = 5;
/** The encoding `buildCopTask` asks for; `copRead` rewrites the DAG for any other (`tidb_cop_result_encoding`). */
const ENCODE_BUILT: CopResultEncoding = 'arrow';
/** Per-region tasks in flight at once for one reader. */
export const COP_CONCURRENCY_MAX = 4;

/** Column types whose Default-encoded datums we map back exactly (time types are not pushed yet). */
function scanTypeSupported(tp: number): boolean {
  switch (tp) {
    case MysqlType.Tiny:
    case MysqlType.Short:
    case MysqlType.Int24:
    case MysqlType.Long:
    case MysqlType.Longlong:
    case MysqlType.Float:
    case MysqlType.Double:
    case MysqlType.NewDecimal:
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
}

const AGG = { Count: 3001, Sum: 3002, Avg: 3003, Min: 3004, Max: 3005, First: 3006 } as const;
const EXEC_AGGREGATION = 3;

function wire(ft: FieldType): WireFieldType {
  return { tp: ft.tp, flag: ft.flag, flen: ft.flen, decimal: Math.max(0, ft.decimal), collate: isStringTp(ft.tp) && !isBinaryString(ft) ? -46 : -63 };
}

function colRef(index: number, ft: FieldType): WireExpr {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(index) ^ (1n << 63n));
  return { tp: 201, val: b, fieldType: wire(ft) };
}

/** Int (signed) or DECIMAL: the classes whose values group and sum identically here and in the coprocessor. */
function numericExact(ft: FieldType): boolean {
  const intTp = ft.tp === MysqlType.Tiny || ft.tp === MysqlType.Short || ft.tp === MysqlType.Int24 || ft.tp === MysqlType.Long || ft.tp === MysqlType.Longlong;
  return (intTp && (ft.flag & ColumnFlag.Unsigned) === 0) || ft.tp === MysqlType.NewDecimal;
}

/**
 * The partial HashAgg as a tipb Aggregation: GROUP BY bare int/DECIMAL columns; COUNT(*),
 * COUNT/SUM/AVG/MIN/MAX of bare int/DECIMAL/DOUBLE columns; plus FIRST_ROW of every column
 * (the partial layout carries the group's first input row). The coprocessor answers
 * [agg states..., group keys], reshaped to ours: [group keys, states, first row].
 */
function partialAgg(agg: Extract<PlanNode, { op: 'HashAgg' }>, t: TableInfo): { exec: object; outputTypes: FieldType[]; reshape: (row: Value[]) => Row } | undefined {
  const width = t.columns.length;
  for (const g of agg.groupBy) if (g.columnIndex === undefined || g.columnIndex >= width || !numericExact(g.ft)) return undefined;
  const aggFunc: object[] = [];
  const outputTypes: FieldType[] = [];
  const countFt: FieldType = { tp: MysqlType.Longlong, flag: ColumnFlag.Binary | ColumnFlag.Unsigned, flen: 21, decimal: 0, sqlName: 'bigint' };
  for (const a of agg.aggs) {
    if (a.distinct) return undefined;
    let arg: WireExpr;
    let argFt: FieldType | undefined;
    if (a.arg === null) {
      if (a.name !== 'count') return undefined;
      const one = new Uint8Array(8);
      new DataView(one.buffer).setBigUint64(0, 1n ^ (1n << 63n));
      arg = { tp: 1, val: one, fieldType: { tp: MysqlType.Longlong, flag: ColumnFlag.Binary, flen: 21, decimal: 0, collate: -63 } };
    } else {
      if (a.arg.columnIndex === undefined || a.arg.columnIndex >= width) return undefined;
      argFt = a.arg.ft;
      if (!numericExact(argFt) && argFt.tp !== MysqlType.Double) return undefined;
      arg = colRef(a.arg.columnIndex, argFt);
    }
    const sumFt: FieldType | undefined = argFt === undefined ? undefined : argFt.tp === MysqlType.Double ? argFt : { tp: MysqlType.NewDecimal, flag: ColumnFlag.Binary, flen: 65, decimal: Math.max(0, argFt.decimal), sqlName: 'decimal' };
    switch (a.name) {
      case 'count':
        aggFunc.push({ tp: AGG.Count, children: [arg], fieldType: wire(countFt) });
        outputTypes.push(countFt);
        break;
      case 'sum':
        aggFunc.push({ tp: AGG.Sum, children: [arg], fieldType: wire(sumFt!) });
        outputTypes.push(sumFt!);
        break;
      case 'avg':
        aggFunc.push({ tp: AGG.Avg, children: [arg], fieldType: wire(sumFt!) });
        outputTypes.push(countFt, sumFt!);
        break;
      case 'min':
      case 'max':
        aggFunc.push({ tp: a.name === 'min' ? AGG.Min : AGG.Max, children: [arg], fieldType: wire(argFt!) });
        outputTypes.push(argFt!);
        break;
      default:
        return undefined;
    }
  }
  const nStates = outputTypes.length;
  t.columns.forEach((c, k) => {
    aggFunc.push({ tp: AGG.First, children: [colRef(k, c.ft)], fieldType: wire(c.ft) });
    outputTypes.push(c.ft);
  });
  for (const g of agg.groupBy) outputTypes.push(g.ft);
  const nG = agg.groupBy.length;
  const exec = { tp: EXEC_AGGREGATION, executorId: 'HashAgg_4', aggregation: { groupBy: agg.groupBy.map((g) => colRef(g.columnIndex!, g.ft)), aggFunc, streamed: false } };
  const reshape = (r: Value[]): Row => [...r.slice(nStates + width, nStates + width + nG), ...r.slice(0, nStates), ...r.slice(nStates, nStates + width)];
  return { exec, outputTypes, reshape };
}

/**
 * The DAG for the pushable bottom of a TableReader's chain, or undefined when even the scan
 * cannot be pushed. Pushed: the TableScan (int handle or `_tidb_rowid` tables whose columns
 * are ints, floats, decimals or strings, none added after rows were written, ascending),
 * then a Selection whose whole condition has a tipb form (`pushCond`), then a Limit without
 * offset right above those. Operators above `top` keep running at the root over its rows.
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
  if (scan.desc || t.isCommonHandle || scan.schema.length !== t.columns.length) return undefined;
  if (t.columns.some((c) => !scanTypeSupported(c.ft.tp) || (c.originDefault !== undefined && c.originDefault !== null))) return undefined;
  const hOff = handleColumnOffset(t);
  const columns = t.columns.map((c, i) => ({
    columnId: BigInt(c.id),
    tp: c.ft.tp,
    collation: isStringTp(c.ft.tp) && !isBinaryString(c.ft) ? -46 : -63,
    columnLen: c.ft.flen,
    decimal: Math.max(0, c.ft.decimal),
    flag: c.ft.flag,
    pkHandle: i === hOff,
  }));
  const executors: object[] = [{ tp: EXEC_TABLE_SCAN, executorId: 'TableFullScan_1', tblScan: { tableId: BigInt(t.id), columns, desc: false } }];
  let top: PlanNode = scan;
  const pushed: PlanNode[] = [scan];
  let i = 1;
  const sel = chain[i];
  if (sel !== undefined && sel.op === 'Selection' && sel.pushCond !== undefined && sel.apply === undefined) {
    executors.push({ tp: EXEC_SELECTION, executorId: 'Selection_2', selection: { conditions: [sel.pushCond] } });
    top = sel;
    pushed.push(sel);
    i++;
  }
  let outputTypes: FieldType[] = t.columns.map((c) => c.ft);
  let reshape = (r: Value[]): Row => r;
  const agg = chain[i];
  if (agg !== undefined && agg.op === 'HashAgg' && agg.mode === 'partial' && top === chain[i - 1]) {
    const p = partialAgg(agg, t);
    if (p !== undefined) {
      executors.push(p.exec);
      outputTypes = p.outputTypes;
      reshape = p.reshape;
      top = agg;
      pushed.push(agg);
      i++;
    }
  }
  const lim = chain[i];
  if (lim !== undefined && lim.op === 'Limit' && lim.offset === null && lim.limit.constant && top === chain[i - 1]) {
    const v = lim.limit.eval([]);
    if (typeof v === 'bigint' && v >= 0n) {
      executors.push({ tp: EXEC_LIMIT, executorId: 'Limit_3', limit: { limit: v } });
      top = lim;
      pushed.push(lim);
    }
  }
  const data = encodeMessage('tipb.DAGRequest', {
    executors,
    outputOffsets: outputTypes.map((_, k) => k),
    encodeType: ENCODE_TYPE[ENCODE_BUILT],
    timeZoneOffset: 0n,
    flags: 0n,
    collectExecutionSummaries: collectSummaries,
  });
  return { top, scan, data, pushed, outputTypes, reshape };
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
