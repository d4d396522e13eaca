/** The SQL layer's transactional KV seam: interfaces, the in-memory client, shared helpers. */
export {
  type KvClient,
  type KvTxn,
  type KvSnapshotReader,
  type RegionInfo,
  type RegionsOptions,
  type CopRequest,
  type CopResult,
  type CopKeyRange,
  type LockKeysOptions,
  WriteConflictError,
  DeadlockError,
  LockWaitTimeoutError,
  TxnClosedError,
} from './kv_client.ts';
export { MemoryKvClient, MEMORY_SCAN_ROWS_MAX } from './memory_kv_client.ts';
export { bufferedScan, type BufferedWrite } from './buffered_scan.ts';
export { TikvKvClient, type TikvKvClientOptions } from './tikv_kv_client.ts';
export { TikvTxn } from './tikv_txn.ts';
export { TikvSnapshot } from './tikv_snapshot.ts';
export { TikvCoprocessor, remainingRanges, type TikvCopRequest, type TikvCopResult } from './tikv_coprocessor.ts';
export { TxnAbandonedError } from './tikv_committer.ts';
export { KeyAlreadyExistsError, BackoffExhaustedError, TxnAbortedError, TxnUndeterminedError, CoprocessorError, RegionFatalError } from './tikv_errors.ts';
export { TikvRegionCache, type CachedRegion } from './tikv_region_cache.ts';
export { TikvRpc } from './tikv_rpc.ts';
export { TikvLockResolver } from './tikv_lock_resolver.ts';
export { TikvBackoffer, BACKOFF } from './tikv_backoffer.ts';
export { DEFAULT_BUDGETS, type TikvClientContext } from './tikv_snapshot.ts';
