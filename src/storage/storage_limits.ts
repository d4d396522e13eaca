/**
 * Named limits of the storage layer (TiKV defaults where TiKV has one).
 */
export interface StorageLimits {
  /** TiKV `storage.max-key-size`. */
  keyBytesMax: number;
  /** Rows one KvScan / RawScan may return (client-go caps raw scans at 10240). */
  scanRowsMax: number;
  /** Locks one ScanLock may return when the request sets no limit. */
  scanLockRowsMax: number;
  /** Keys resolved per write when ResolveLock / PessimisticRollback cover a whole region. */
  resolveLockBatchKeys: number;
  /** User keys examined per GC write. */
  gcBatchKeys: number;
  /** Modifications per GC write. */
  gcBatchModifiesMax: number;
  /** Lock wait when PessimisticLock asks for the default (wait_timeout = 0), and the cap on any wait. */
  lockWaitTimeoutMsMax: number;
  /** Mutations / keys one transactional request may carry. */
  requestKeysMax: number;
}

/** TiKV-like defaults; `Storage` takes overrides per field. */
export const DEFAULT_STORAGE_LIMITS: StorageLimits = {
  keyBytesMax: 8 * 1024,
  scanRowsMax: 10_240,
  scanLockRowsMax: 1 << 16,
  resolveLockBatchKeys: 256,
  gcBatchKeys: 256,
  gcBatchModifiesMax: 4096,
  lockWaitTimeoutMsMax: 1000,
  requestKeysMax: 1 << 17,
};
