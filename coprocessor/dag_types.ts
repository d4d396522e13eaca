/**
 * Decoded-message shapes for the tipb and kvproto coprocessor messages this folder reads and
 * writes: camelCase fields, bigint for 64-bit integers, exactly as the project's protobuf
 * runtime (src/proto) decodes them (CONTRACTS.md). Structural typing makes the generated
 * `tipb.*` types assignable to these. Optional fields may be absent (proto2).
 */

export interface FieldType {
  tp?: number;
  flag?: number;
  flen?: number;
  decimal?: number;
  collate?: number;
  charset?: string;
  elems?: string[];
}

export interface ColumnInfo {
  columnId?: bigint;
  tp?: number;
  collation?: number;
  columnLen?: number;
  decimal?: number;
  flag?: number;
  elems?: string[];
  defaultVal?: Uint8Array | null;
  pkHandle?: boolean;
}

export interface ByItem {
  expr?: Expr | null;
  desc?: boolean;
}

export interface Expr {
  tp?: number;
  val?: Uint8Array | null;
  children?: Expr[];
  sig?: number;
  fieldType?: FieldType | null;
  hasDistinct?: boolean;
  aggFuncMode?: number;
}

export interface TableScan {
  tableId?: bigint;
  columns?: ColumnInfo[];
  desc?: boolean;
  primaryColumnIds?: bigint[];
}

export interface IndexScan {
  tableId?: bigint;
  indexId?: bigint;
  columns?: ColumnInfo[];
  desc?: boolean;
  unique?: boolean;
  primaryColumnIds?: bigint[];
}

export interface Selection {
  conditions?: Expr[];
}

export interface Projection {
  exprs?: Expr[];
}

export interface Aggregation {
  groupBy?: Expr[];
  aggFunc?: Expr[];
  streamed?: boolean;
}

export interface TopN {
  orderBy?: ByItem[];
  limit?: bigint;
  partitionBy?: ByItem[];
}

export interface Limit {
  limit?: bigint;
  partitionBy?: ByItem[];
}

export interface Executor {
  tp?: number;
  tblScan?: TableScan | null;
  idxScan?: IndexScan | null;
  selection?: Selection | null;
  aggregation?: Aggregation | null;
  topN?: TopN | null;
  limit?: Limit | null;
  executorId?: string;
  Projection?: Projection | null;
}

export interface DAGRequest {
  startTsFallback?: bigint;
  executors?: Executor[];
  timeZoneOffset?: bigint;
  flags?: bigint;
  outputOffsets?: number[];
  collectRangeCounts?: boolean;
  maxWarningCount?: bigint;
  encodeType?: number;
  sqlMode?: bigint;
  timeZoneName?: string;
  collectExecutionSummaries?: boolean;
}

export interface TipbError {
  code: number;
  msg: string;
}

export interface Chunk {
  rowsData: Uint8Array;
}

export interface ExecutorExecutionSummary {
  timeProcessedNs: bigint;
  numProducedRows: bigint;
  numIterations: bigint;
  executorId?: string;
}

export interface SelectResponse {
  error?: TipbError | null;
  chunks: Chunk[];
  warnings: TipbError[];
  outputCounts: bigint[];
  warningCount: bigint;
  executionSummaries: ExecutorExecutionSummary[];
  encodeType: number;
}

/** `coprocessor.KeyRange`: raw user keys, `[start, end)`. */
export interface KeyRange {
  start: Uint8Array;
  end: Uint8Array;
}

/** The fields of `coprocessor.Request` the coprocessor reads (context/region handled by the store). */
export interface CoprocessorRequest {
  tp: bigint;
  data: Uint8Array;
  ranges: KeyRange[];
  startTs: bigint;
  pagingSize?: bigint;
}

/**
 * The fields of `coprocessor.Response` the coprocessor fills. `locked` / `regionError` are
 * the store's to set from its ScanSource errors; `data` is an encoded `tipb.SelectResponse`.
 */
export interface CoprocessorResponse {
  data: Uint8Array;
  otherError: string;
  range?: KeyRange | null;
}

/** tipb.ExecType values. */
export const ExecType = {
  TableScan: 0,
  IndexScan: 1,
  Selection: 2,
  Aggregation: 3,
  TopN: 4,
  Limit: 5,
  StreamAgg: 6,
  Projection: 11,
} as const;

/** tipb.EncodeType values; `ArrowIpc` is our addition (proto/tipb/README.md). */
export const EncodeType = {
  Default: 0,
  Chunk: 1,
  CHBlock: 2,
  ArrowIpc: 1001,
} as const;

/** coprocessor.Request.tp values. */
export const RequestType = {
  Dag: 103n,
  Analyze: 104n,
  Checksum: 105n,
} as const;
