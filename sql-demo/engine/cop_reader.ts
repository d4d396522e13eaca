import { decodeMessage, encodeMessage, type tipb } from '../../src/proto/mod.ts';
import { bytesCompare } from '../../src/util/mod.ts';
import { decodeDatums, MysqlType } from '../tidb_codec.ts';
import { sqlError } from '../errors.ts';
import type { KvClient } from '../kv/mod.ts';
import { datumToValue, isBinaryString, isStringTp } from './column_type.ts';
import type { PlanNode } from './plan.ts';
import { handleColumnOffset, type Row } from './table_codec.ts';
import type { Value } from './value.ts';

/** Coprocessor request type of a DAG. */
const REQ_TYPE_DAG = 103;
const EXEC_TABLE_SCAN = 0;
const EXEC_SELECTION = 2;
const EXEC_LIMIT = 5;
/** tipb.EncodeType.TypeDefault: rows of datums (decoded with the same datum codec we write). */
const ENCODE_DEFAULT = 0;
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
    outputOffsets: t.columns.map((_, k) => k),
    encodeType: ENCODE_DEFAULT,
    timeZoneOffset: 0n,
    flags: 0n,
    collectExecutionSummaries: collectSummaries,
  });
  return { top, scan, data, pushed };
}

/** What one coprocessor read did (EXPLAIN ANALYZE). */
export interface CopReadStats {
  /** Distinct regions that answered: one cop task each. */
  tasks: number;
  /** Per pushed executor (executor order), summed over responses when summaries were asked for. */
  readonly executors: Array<{ rows: number; loops: number; timeMs: number }>;
}

/**
 * Sends the DAG over `range` at `startTs` and yields the decoded rows per response (table
 * column order). `SelectResponse.error` becomes the MySQL error it carries. The first
 * response is awaited before returning, so a client without a coprocessor fails here,
 * before any row was produced (the caller then runs the subtree at the root).
 */
export async function copRead(kv: KvClient, task: CopTask, range: { start: Uint8Array; end: Uint8Array }, startTs: bigint, stats: CopReadStats): Promise<AsyncGenerator<Row[]>> {
  const t = task.scan.table;
  if (bytesCompare(range.start, range.end) >= 0) return (async function* () {})();
  const it = kv.coprocessor({ tp: REQ_TYPE_DAG, data: task.data, ranges: [range], startTs, concurrency: COP_CONCURRENCY_MAX })[Symbol.asyncIterator]();
  const first = await it.next();
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
    const width = t.columns.length;
    const rows: Row[] = [];
    for (const chunk of resp.chunks) {
      const datums = decodeDatums(chunk.rowsData);
      for (let p = 0; p + width <= datums.length; p += width) {
        const row: Value[] = new Array<Value>(width);
        for (let k = 0; k < width; k++) row[k] = datumToValue(datums[p + k]!, t.columns[k]!.ft);
        rows.push(row);
      }
    }
    return rows;
  };
  return (async function* () {
    let r = first;
    while (r.done !== true) {
      const rows = decode(r.value.data, r.value.regionId);
      if (rows.length > 0) yield rows;
      r = await it.next();
    }
  })();
}
