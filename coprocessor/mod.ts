/**
 * The coprocessor's public surface: TiDB's pushed-down DAGs evaluated by vectorized batch
 * executors over a ScanSource, answered in TiDB's Default / Chunk encodings or Arrow IPC.
 */
export { handleCoprocessorRequest, type TipbCodec } from './handler.ts';
export { protoTipbCodec } from './tipb_codec.ts';
export { runDag, DagRejected, type CoprocessorLimits, type DagResult, BATCH_ROWS_INITIAL, BATCH_ROWS_MAX } from './dag_runner.ts';
export type { ScanSource, ScanCursor, ScanChunk } from './scan_source.ts';
export { MemoryScanSource } from './memory_scan_source.ts';
export { REQUEST_MEMORY_BYTES_MAX_DEFAULT } from './memory_tracker.ts';
export { implementedSignatures } from './scalar_functions.ts';
export {
  EncodeType,
  ExecType,
  RequestType,
  type CoprocessorRequest,
  type CoprocessorResponse,
  type DAGRequest,
  type SelectResponse,
  type KeyRange,
} from './dag_types.ts';
