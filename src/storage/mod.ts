/**
 * Storage: MVCC records, Percolator actions, latches, the concurrency manager, raw KV and
 * GC behind one facade, `Storage` (see README.md).
 */
export { Storage, isRegionError, type Answer, type GcResult, type ReadSnapshot } from './storage.ts';
export { DEFAULT_STORAGE_LIMITS, type StorageLimits } from './storage_limits.ts';
export type {
  RegionKv,
  RegionContext,
  RegionError,
  RegionResult,
  Modify,
  RegionRange,
  RegionRangeSource,
} from './region_kv.ts';
export { SingleRegionKv } from './single_region_kv.ts';
export { ConcurrencyManager, type MemoryLockGuard } from './concurrency_manager.ts';
export { Latches, LATCH_SLOTS } from './latches.ts';
export { Lock, LockType, SHORT_VALUE_BYTES_MAX, isShortValue } from './lock.ts';
export { Write, WriteType } from './write.ts';
export { MvccReader, type CommittedWrite, type TxnCommitRecord, type KeyLock } from './mvcc_reader.ts';
export { mvccScan, encodeRange, type ScanSpec } from './mvcc_scanner.ts';
export { MvccScanSource, type ScanKeyRange, type ScanChunk, type ScanCursor } from './mvcc_scan_source.ts';
export { checkLockForRead, type ReadOptions, type LockVerdict } from './read_check.ts';
export { TxnError, type TxnErrorDetail } from './txn_error.ts';
export { toKeyError } from './key_error.ts';
export { TS_MAX, physicalMs, composeTs } from './timestamp.ts';
export * as kvrpc from './kvrpc_types.ts';
