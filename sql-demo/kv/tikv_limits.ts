/**
 * Named limits and backoff budgets of the gRPC transactional client (client-go's defaults
 * where client-go has one). Every loop, batch and fan-out in `tikv_*.ts` is bounded by one
 * of these or by a `TikvKvClientOptions` knob that defaults to one of these.
 */

/** Backoff budget (total sleep) of one read operation: get, batch get, one scan batch (client-go getMaxBackoff). */
export const READ_BACKOFF_BUDGET_MS = 20_000;
/** Backoff budget of the prewrite phase (client-go PrewriteMaxBackoff). */
export const PREWRITE_BACKOFF_BUDGET_MS = 40_000;
/** Backoff budget of committing the primary / the secondaries / a rollback (client-go CommitMaxBackoff). */
export const COMMIT_BACKOFF_BUDGET_MS = 40_000;
/** Backoff budget of one coprocessor task, pages included (client-go copNextMaxBackoff). */
export const COP_BACKOFF_BUDGET_MS = 20_000;
/** Backoff budget of splitRegions / regions / other metadata calls. */
export const ADMIN_BACKOFF_BUDGET_MS = 20_000;

/** Per-RPC gRPC deadline to a store. */
export const STORE_RPC_DEADLINE_MS = 10_000;
/** Longest lock wait asked of the store in one PessimisticLock request (it caps its own waits too). */
export const PESSIMISTIC_LOCK_WAIT_STEP_MS = 1_000;
/** Per-RPC deadline for SplitRegion (a split waits for the store's loop and PD). */
export const SPLIT_RPC_DEADLINE_MS = 30_000;
/** Attempts on one region without any backoff (NotLeader hops) before a backoff is forced. */
export const REGION_FAST_RETRIES_MAX = 8;

/** Rows asked by a scan's first KvScan (client-go scanBatchSize); later round trips double it. */
export const SCAN_BATCH_ROWS = 256;
/** Cap of the doubling scan batch (the store caps one KvScan at 10240 rows). */
export const SCAN_BATCH_ROWS_MAX = 4096;
/** Rows a scan yields when the caller gives no limit. */
export const SCAN_ROWS_MAX = Number.MAX_SAFE_INTEGER;
/** Keys per KvBatchGet request (client-go batchGetSize is 5120). */
export const BATCH_GET_KEYS_MAX = 5120;
/** Concurrent region requests of one batch get / rollback / resolve fan-out. */
export const REGION_FANOUT_CONCURRENCY_MAX = 16;

/** Mutations per prewrite/commit request: bytes (client-go txnCommitBatchSize) and keys. */
export const COMMIT_BATCH_BYTES_MAX = 16 * 1024;
export const COMMIT_BATCH_KEYS_MAX = 2048;
/** Concurrent prewrite / commit batches of one transaction (client-go committer-concurrency 128; 2 cores here). */
export const COMMIT_CONCURRENCY_MAX = 16;
/** Default lock TTL (client-go defaultLockTTL) plus the time already spent in the transaction. */
export const LOCK_TTL_MS_DEFAULT = 3_000;
/** Cap of the size-scaled TTL of big transactions (client-go ManagedLockTTL). */
export const LOCK_TTL_MS_MANAGED = 20_000;
/** How long heartbeats may keep a transaction alive (client-go MaxTxnTTL). */
export const TXN_TTL_MS_MAX = 60 * 60 * 1000;
/** Interval of the TxnHeartBeat loop, as a fraction of the lock TTL: beat at ttl / 2. */
export const TXN_HEARTBEAT_TTL_DIVISOR = 2;
/** Async commit eligibility (client-go AsyncCommit.KeysLimit / TotalKeySizeLimit). */
export const ASYNC_COMMIT_KEYS_MAX = 256;
export const ASYNC_COMMIT_KEY_BYTES_MAX = 4096;
/** Window above the current TSO an async-commit / 1PC commit_ts may take (client-go safe-window 2 s). */
export const ASYNC_COMMIT_SAFE_WINDOW_MS = 2_000;
/** Locks of a txn smaller than this are resolved key by key ("lite"), else the whole region (client-go ResolveLockLiteThreshold). */
export const RESOLVE_LOCK_LITE_THRESHOLD = 16;
/** Transactions whose resolved status the lock resolver remembers. */
export const RESOLVED_TXN_CACHE_MAX = 2048;
/** Background commits / rollbacks the client waits for on close(). */
export const BACKGROUND_TASKS_MAX = 1024;

/** Coprocessor tasks in flight per request when the request gives no concurrency (TiDB tidb_distsql_scan_concurrency 15). */
export const COP_CONCURRENCY_DEFAULT = 8;
/** Upper bound on a request's own concurrency. */
export const COP_CONCURRENCY_MAX = 64;
/** Pages of one task buffered ahead of the consumer before its producer parks. */
export const COP_TASK_PAGES_BUFFERED_MAX = 4;
/** Paging grows x2 per page up to this many rows (TiDB MaxPagingSize). */
export const COP_PAGING_SIZE_MAX = 50_000n;
/** Regions asked from PD per ScanRegions page. */
export const SCAN_REGIONS_PAGE = 1024;
/** Regions one cached lookup table holds before it is cleared (region cache bound). */
export const REGION_CACHE_REGIONS_MAX = 100_000;
