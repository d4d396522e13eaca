import { CorruptionError, DomainError, type Clock } from '../src/util/mod.ts';
import { AggregationExecutor } from './aggregation_executor.ts';
import { buildAggFunction } from './aggr_functions.ts';
import type { BatchExecutor } from './batch_executor.ts';
import { encodeChunk } from './chunk_encoder.ts';
import { encodeArrowBatch } from './arrow_encoder.ts';
import {
  type Chunk,
  type DAGRequest,
  EncodeType,
  ExecType,
  type Executor,
  type KeyRange,
  type SelectResponse,
} from './dag_types.ts';
import { encodeDefaultRows } from './default_encoder.ts';
import { EvalContext, EvalError, WARNINGS_MAX_DEFAULT } from './eval_context.ts';
import { evalTypeOfTp } from './field_type.ts';
import { LimitExecutor } from './limit_executor.ts';
import { MemoryTracker, REQUEST_MEMORY_BYTES_MAX_DEFAULT } from './memory_tracker.ts';
import { outputColumnKind } from './output_column.ts';
import { ProjectionExecutor } from './projection_executor.ts';
import { RpnExpression, badExpr } from './rpn_expression.ts';
import type { ScanSource } from './scan_source.ts';
import { ScanExecutor, ScanSourceError } from './scan_executor.ts';
import { SelectionExecutor } from './selection_executor.ts';
import { SummaryExecutor } from './summary_executor.ts';
import { TimeZone } from './time_zone.ts';
import { TopNExecutor } from './top_n_executor.ts';

/** First batch size; grows ×2 per batch up to the max (TiKV's 32 → 1024). */
export const BATCH_ROWS_INITIAL = 32;
export const BATCH_ROWS_GROW_FACTOR = 2;
export const BATCH_ROWS_MAX = 1024;
/** Most executors accepted in one DAG. */
export const DAG_EXECUTORS_MAX = 64;

/** Knobs a store passes per request. */
export interface CoprocessorLimits {
  /** Retained-state + response bytes a request may hold (default 256 MiB). */
  requestMemoryBytesMax?: number;
  /**
   * Measures `time_processed_ns` in execution summaries (without it times are 0) and gives
   * functions that need the current date their "now" (without it they refuse the request).
   */
  clock?: Clock;
}

/** What running a DAG produced: the select response and, when paging stopped early, the scanned range. */
export interface DagResult {
  selectResponse: SelectResponse;
  /** Set only when the scan stopped before its ranges were drained (paging). */
  range?: KeyRange;
}

/**
 * A request the coprocessor refuses before or while executing (malformed DAG, unsupported
 * executor/function/type, memory limit): the store answers it with `other_error`.
 */
export class DagRejected extends Error {
  override name = 'DagRejected';
}

/**
 * Builds the executor pipeline for a DAG over `ranges` and runs it to completion (or to the
 * paging limit), encoding each produced batch as one `tipb.Chunk`. Evaluation errors land in
 * `selectResponse.error`; a refused request throws `DagRejected`; ScanSource errors propagate.
 */
export async function runDag(
  dag: DAGRequest,
  ranges: readonly KeyRange[],
  source: ScanSource,
  pagingSize: bigint,
  limits: CoprocessorLimits = {},
): Promise<DagResult> {
  const memory = new MemoryTracker(limits.requestMemoryBytesMax ?? REQUEST_MEMORY_BYTES_MAX_DEFAULT);
  const warningsMax = dag.maxWarningCount !== undefined && dag.maxWarningCount > 0n ? Number(dag.maxWarningCount) : WARNINGS_MAX_DEFAULT;
  let built: Built;
  let ctx: EvalContext;
  let tz: TimeZone;
  try {
    tz = TimeZone.fromRequest(dag.timeZoneName, dag.timeZoneOffset);
    const clock = limits.clock;
    ctx = new EvalContext(dag.flags ?? 0n, dag.sqlMode ?? 0n, Number(dag.timeZoneOffset ?? 0n), Math.min(warningsMax, 65535), tz, clock === undefined ? null : () => clock.nowMs());
    built = buildPipeline(dag, ranges, source, ctx, memory, limits.clock);
  } catch (e) {
    throw asRejection(e);
  }
  const { root, scan, summaries, outputOffsets } = built;
  const kinds = outputOffsets.map((o) => outputColumnKind(root.schema[o]!));
  const requested = dag.encodeType ?? EncodeType.Default;
  const encodeType = requested === EncodeType.Chunk || requested === EncodeType.ArrowIpc ? requested : EncodeType.Default;
  const chunks: Chunk[] = [];
  let error: SelectResponse['error'] = null;
  let rowsOut = 0n;
  let batchRows = BATCH_ROWS_INITIAL;
  let drained = false;
  try {
    while (!drained) {
      const r = await root.nextBatch(batchRows);
      drained = r.drained;
      const n = r.batch.logicalRows.length;
      if (n > 0) {
        const rowsData =
          encodeType === EncodeType.Chunk
            ? encodeChunk(r.batch, outputOffsets, kinds, tz)
            : encodeType === EncodeType.ArrowIpc
              ? encodeArrowBatch(r.batch, outputOffsets, kinds, tz)
              : encodeDefaultRows(r.batch, outputOffsets, kinds);
        memory.consume(rowsData.length);
        chunks.push({ rowsData });
        rowsOut += BigInt(n);
      }
      if (pagingSize > 0n && rowsOut >= pagingSize) break;
      batchRows = Math.min(batchRows * BATCH_ROWS_GROW_FACTOR, BATCH_ROWS_MAX);
    }
  } catch (e) {
    if (e instanceof EvalError) error = { code: e.mysqlCode, msg: e.message };
    else throw asRejection(e);
  }
  const selectResponse: SelectResponse = {
    error,
    chunks: error === null ? chunks : [],
    warnings: ctx.warnings,
    outputCounts: scan.scannedPerRange,
    warningCount: BigInt(ctx.warningCount),
    executionSummaries:
      dag.collectExecutionSummaries === true
        ? summaries.map((s, i) => ({
            timeProcessedNs: s.stats.timeProcessedNs,
            numProducedRows: BigInt(s.stats.producedRows),
            numIterations: BigInt(s.stats.iterations),
            executorId: dag.executors?.[i]?.executorId ?? '',
          }))
        : [],
    encodeType,
  };
  const range = error === null && !drained && !scan.isDrained ? scan.scannedRange() : undefined;
  return range === undefined ? { selectResponse } : { selectResponse, range };
}

function asRejection(e: unknown): unknown {
  if (e instanceof ScanSourceError) return e.sourceError;
  if (e instanceof CorruptionError) return e;
  if (e instanceof DomainError) return new DagRejected(e.message);
  return e;
}

interface Built {
  root: BatchExecutor;
  scan: ScanExecutor;
  summaries: BatchExecutor[];
  outputOffsets: number[];
}

const EXEC_TYPE_NAMES: Record<number, string> = {
  7: 'TypeJoin',
  8: 'TypeKill',
  9: 'TypeExchangeSender',
  10: 'TypeExchangeReceiver',
  12: 'TypePartitionTableScan',
  13: 'TypeSort',
  14: 'TypeWindow',
  15: 'TypeExpand',
  16: 'TypeExpand2',
};

function buildPipeline(dag: DAGRequest, ranges: readonly KeyRange[], source: ScanSource, ctx: EvalContext, memory: MemoryTracker, clock: Clock | undefined): Built {
  const executors = dag.executors ?? [];
  if (executors.length === 0) throw badExpr('DAG has no executors');
  if (executors.length > DAG_EXECUTORS_MAX) throw badExpr(`DAG has more than ${DAG_EXECUTORS_MAX} executors`);
  const wrap = (e: BatchExecutor): BatchExecutor => (dag.collectExecutionSummaries === true ? new SummaryExecutor(e, clock) : e);
  const first = executors[0]!;
  let scan: ScanExecutor;
  if (first.tp === ExecType.TableScan) {
    const ts = need(first.tblScan, 'TableScan executor without tbl_scan');
    const primaryColumnIds = ts.primaryColumnIds ?? [];
    const columns = ts.columns ?? [];
    if (primaryColumnIds.length > 0 && columns.some((c) => c.pkHandle === true)) throw badExpr('a clustered table scan cannot have an int handle column');
    scan = new ScanExecutor(source, ranges, ts.desc === true, { kind: 'table', columns, primaryColumnIds });
  } else if (first.tp === ExecType.IndexScan) {
    const is = need(first.idxScan, 'IndexScan executor without idx_scan');
    scan = new ScanExecutor(source, ranges, is.desc === true, {
      kind: 'index',
      columns: is.columns ?? [],
      unique: is.unique === true,
      commonHandleColumns: is.primaryColumnIds?.length ?? 0,
    });
  } else {
    throw badExpr(`the first executor must be TableScan or IndexScan, got type ${first.tp ?? 0}`);
  }
  let root: BatchExecutor = wrap(scan);
  const summaries: BatchExecutor[] = [root];
  for (let i = 1; i < executors.length; i++) {
    const e = executors[i]!;
    if (i === 1 && e.tp === ExecType.Selection && e.selection) {
      // Late materialization: decode only the condition columns before filtering.
      const conditions = (e.selection.conditions ?? []).map((c) => RpnExpression.build(c, root.schema));
      const needed = new Set(conditions.flatMap((c) => c.columnOffsets));
      const deferred = scan.deferColumns(needed);
      root = wrap(new SelectionExecutor(root, conditions, ctx, deferred ? (batch, rows) => scan.materialize(batch, rows) : undefined));
    } else {
      root = wrap(buildExecutor(e, root, ctx, memory));
    }
    summaries.push(root);
  }
  const offsets = dag.outputOffsets ?? [];
  for (const o of offsets) {
    if (o >= root.schema.length) throw badExpr(`output offset ${o} out of range (last executor has ${root.schema.length} columns)`);
    if (evalTypeOfTp(root.schema[o]!.tp ?? 0) === undefined) throw new DomainError('NotImplemented', `coprocessor: output column type ${root.schema[o]!.tp} is not supported`);
  }
  return { root, scan, summaries, outputOffsets: [...offsets] };
}

function need<T>(v: T | null | undefined, message: string): T {
  if (v === null || v === undefined) throw badExpr(message);
  return v;
}

function buildExecutor(e: Executor, child: BatchExecutor, ctx: EvalContext, memory: MemoryTracker): BatchExecutor {
  const schema = child.schema;
  switch (e.tp) {
    case ExecType.Selection: {
      const sel = need(e.selection, 'Selection executor without selection');
      return new SelectionExecutor(child, (sel.conditions ?? []).map((c) => RpnExpression.build(c, schema)), ctx);
    }
    case ExecType.Projection: {
      const proj = need(e.Projection, 'Projection executor without projection');
      return new ProjectionExecutor(child, (proj.exprs ?? []).map((x) => RpnExpression.build(x, schema)), ctx);
    }
    case ExecType.Limit: {
      const lim = need(e.limit, 'Limit executor without limit');
      if ((lim.partitionBy?.length ?? 0) > 0) throw new DomainError('NotImplemented', 'coprocessor: Limit with partition_by is not supported');
      return new LimitExecutor(child, lim.limit ?? 0n);
    }
    case ExecType.TopN: {
      const topN = need(e.topN, 'TopN executor without topN');
      if ((topN.partitionBy?.length ?? 0) > 0) throw new DomainError('NotImplemented', 'coprocessor: TopN with partition_by is not supported');
      const items = (topN.orderBy ?? []).map((b) => ({ expr: RpnExpression.build(need(b.expr, 'ByItem without expr'), schema), desc: b.desc === true }));
      return new TopNExecutor(child, items, topN.limit ?? 0n, ctx, memory);
    }
    case ExecType.Aggregation:
    case ExecType.StreamAgg: {
      const agg = need(e.aggregation, 'Aggregation executor without aggregation');
      const groupBy = (agg.groupBy ?? []).map((g) => RpnExpression.build(g, schema));
      const fns = (agg.aggFunc ?? []).map((f) => buildAggFunction(f, schema));
      return new AggregationExecutor(child, groupBy, fns, e.tp === ExecType.StreamAgg, ctx, memory);
    }
    case ExecType.TableScan:
    case ExecType.IndexScan:
      throw badExpr('a scan executor may only be the first executor');
    default: {
      const tp = e.tp ?? 0;
      throw new DomainError('NotImplemented', `coprocessor: unsupported executor type ${tp}${EXEC_TYPE_NAMES[tp] !== undefined ? ` (${EXEC_TYPE_NAMES[tp]})` : ''}`);
    }
  }
}
