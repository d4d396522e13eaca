import { DomainError } from '../../src/util/mod.ts';

/** One region as the SQL layer sees it (for SHOW TABLE REGIONS and task splitting). */
export interface RegionInfo {
  readonly id: bigint;
  /** Raw user key, inclusive; empty = -inf. */
  readonly startKey: Uint8Array;
  /** Raw user key, exclusive; empty = +inf. */
  readonly endKey: Uint8Array;
  readonly leaderStoreId: bigint;
  /** Peer id of the leader, when the client knows it. */
  readonly leaderPeerId?: bigint;
  /** Every peer (voter or learner) of the region, when known. */
  readonly peers?: ReadonlyArray<{ readonly id: bigint; readonly storeId: bigint }>;
  /** Approximate bytes / keys in the region, when the client knows them (PD heartbeat stats). */
  readonly approximateSizeBytes?: number;
  readonly approximateKeys?: number;
}

export interface RegionsOptions {
  /** Also fetch each region's approximate size and keys (one PD HTTP call per region over gRPC clusters). */
  readonly withStats?: boolean;
}

/** `[start, end)` over raw user keys. */
export interface CopKeyRange {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
}

/** A coprocessor request fanned out per region by the client (tp 103 = DAG). */
export interface CopRequest {
  readonly tp: number;
  /** Encoded `tipb.DAGRequest` (or other payload for tp). */
  readonly data: Uint8Array;
  readonly ranges: readonly CopKeyRange[];
  readonly startTs: bigint;
  /** Per-region tasks run at most this many at a time. */
  readonly concurrency?: number;
}

/** One region's response payload (an encoded `tipb.SelectResponse` for DAG). */
export interface CopResult {
  readonly data: Uint8Array;
  readonly regionId: bigint;
}

/** Read-only MVCC view at one timestamp. */
export interface KvSnapshotReader {
  readonly ts: bigint;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Found keys only, keyed by lowercase hex of the key. */
  batchGet(keys: Uint8Array[]): Promise<Map<string, Uint8Array>>;
  /** Ascending over `[start, end)` (descending when `reverse`); empty `end` = +inf. */
  scan(start: Uint8Array, end: Uint8Array, opts?: { limit?: number; reverse?: boolean }): AsyncIterable<{ key: Uint8Array; value: Uint8Array }>;
}

/** How `KvTxn.lockKeys` locks (TiDB's statement-level pessimistic locking). */
export interface LockKeysOptions {
  /** The statement's for_update_ts (a fresh TSO): a key committed after it is a WriteConflictError. */
  readonly forUpdateTs: bigint;
  /** Total time to wait for other transactions' locks (`innodb_lock_wait_timeout`); then LockWaitTimeoutError. */
  readonly waitTimeoutMs: number;
}

/**
 * A Percolator transaction: writes are buffered until commit. An optimistic one checks
 * conflicts at commit; a pessimistic one (`begin({ pessimistic: true })`) also locks keys as
 * statements run (`lockKeys`), reads for writes at the statement's for_update_ts
 * (`currentRead`), and at commit only re-checks keys it did not lock.
 */
export interface KvTxn extends KvSnapshotReader {
  readonly startTs: bigint;
  /** True for a pessimistic transaction (then `lockKeys` and `currentRead` are present). */
  readonly pessimistic?: boolean;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /** Atomically applies the buffer; throws `WriteConflictError` when another txn committed a key first. */
  commit(): Promise<bigint>;
  /** Drops the buffer and releases every lock the transaction holds. */
  rollback(): Promise<void>;
  /**
   * Pessimistic only: acquires locks on `keys` at `forUpdateTs`, waiting for other holders.
   * Throws `WriteConflictError` (a newer commit: re-run the statement at a fresh
   * for_update_ts), `DeadlockError` (this txn was chosen as the victim) or
   * `LockWaitTimeoutError`. Keys already locked by this txn are no-ops.
   */
  lockKeys?(keys: readonly Uint8Array[], opts: LockKeysOptions): Promise<void>;
  /**
   * Optimistic `SELECT … FOR UPDATE`: `keys` are conflict-checked at commit like written keys
   * (a newer commit by another txn is a WriteConflictError) without being written.
   */
  lockAtCommit?(keys: readonly Uint8Array[]): void;
  /** Pessimistic only: this txn's buffer over the newest data committed at or before `forUpdateTs` (a current read). */
  currentRead?(forUpdateTs: bigint): KvSnapshotReader;
}

/** The SQL layer's whole view of the cluster (contract fixed in CONTRACTS.md). */
export interface KvClient {
  begin(opts?: { pessimistic?: boolean }): Promise<KvTxn>;
  snapshot(ts?: bigint): Promise<KvSnapshotReader>;
  getTs(): Promise<bigint>;
  splitRegions(keys: Uint8Array[]): Promise<void>;
  regions(start: Uint8Array, end: Uint8Array, options?: RegionsOptions): Promise<RegionInfo[]>;
  coprocessor(req: CopRequest): AsyncIterable<CopResult>;
  /** `false` when `coprocessor` always fails (the SQL layer then runs every operator at the root). */
  readonly coprocessorSupported?: boolean;
  close(): Promise<void>;
}

/**
 * Another transaction committed a write to `key` after our start_ts (first committer wins).
 * Retryable: the whole transaction must be re-run from a fresh start_ts.
 */
export class WriteConflictError extends DomainError {
  override name = 'WriteConflictError';
  readonly retryable = true;
  constructor(
    readonly key: Uint8Array,
    readonly startTs: bigint,
    readonly conflictCommitTs: bigint,
  ) {
    super('Unavailable', `write conflict on key ${Buffer.from(key).toString('hex')} (start_ts ${startTs}, conflicting commit_ts ${conflictCommitTs})`);
  }
}

/** Operation on a transaction that already committed or rolled back. */
export class TxnClosedError extends DomainError {
  override name = 'TxnClosedError';
  constructor(startTs: bigint) {
    super('Closed', `transaction ${startTs} is already finished`);
  }
}

/** A pessimistic lock request closed a wait-for cycle: this transaction is the victim (MySQL 1213). */
export class DeadlockError extends DomainError {
  override name = 'DeadlockError';
  constructor(
    readonly startTs: bigint,
    readonly lockTs: bigint,
    readonly key: Uint8Array,
  ) {
    super('Unavailable', `deadlock: txn ${startTs} waits for txn ${lockTs} on key ${Buffer.from(key).toString('hex')}`);
  }
}

/** Another transaction held a wanted lock longer than the wait allowed (MySQL 1205). */
export class LockWaitTimeoutError extends DomainError {
  override name = 'LockWaitTimeoutError';
  constructor(
    readonly startTs: bigint,
    readonly key: Uint8Array,
    readonly waitedMs: number,
  ) {
    super('Timeout', `lock wait timeout: txn ${startTs} waited ${waitedMs} ms for key ${Buffer.from(key).toString('hex')}`);
  }
}
