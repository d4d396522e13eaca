/**
 * Local, structurally identical copies of the `kvrpcpb` messages the storage layer speaks
 * (kvproto e166ae588106), in protobufjs's decoded form: camelCase names, `bigint` for 64-bit
 * integers, `Uint8Array` for bytes, numbers for enums. When `src/proto` lands these are
 * interchangeable with its generated types. Request fields are optional because a decoded
 * message may omit defaults; responses only set the fields that carry information.
 */

export enum Op {
  Put = 0,
  Del = 1,
  Lock = 2,
  Rollback = 3,
  Insert = 4,
  PessimisticLock = 5,
  CheckNotExists = 6,
}

export enum Assertion {
  None = 0,
  Exist = 1,
  NotExist = 2,
}

export enum AssertionLevel {
  Off = 0,
  Fast = 1,
  Strict = 2,
}

export enum PessimisticAction {
  SkipPessimisticCheck = 0,
  DoPessimisticCheck = 1,
  DoConstraintCheck = 2,
}

export enum WriteConflictReason {
  Unknown = 0,
  Optimistic = 1,
  PessimisticRetry = 2,
  SelfRolledBack = 3,
  RcCheckTs = 4,
  LazyUniquenessCheck = 5,
}

export enum Action {
  NoAction = 0,
  TTLExpireRollback = 1,
  LockNotExistRollback = 2,
  MinCommitTSPushed = 3,
  TTLExpirePessimisticRollback = 4,
  LockNotExistDoNothing = 5,
}

export enum ApiVersion {
  V1 = 0,
  V1TTL = 1,
  V2 = 2,
}

export enum PessimisticLockWakeUpMode {
  WakeUpModeNormal = 0,
  WakeUpModeForceLock = 1,
}

export enum PessimisticLockKeyResultType {
  LockResultNormal = 0,
  LockResultLockedWithConflict = 1,
  LockResultFailed = 2,
}

/** The parts of `kvrpcpb.Context` the storage layer reads. */
export interface KvContext {
  regionId?: bigint;
  resolvedLocks?: bigint[];
  committedLocks?: bigint[];
  apiVersion?: number;
  isolationLevel?: number;
  isRetryRequest?: boolean;
}

export interface LockInfo {
  primaryLock: Uint8Array;
  lockVersion: bigint;
  key: Uint8Array;
  lockTtl: bigint;
  txnSize: bigint;
  lockType: number;
  lockForUpdateTs: bigint;
  useAsyncCommit: boolean;
  minCommitTs: bigint;
  secondaries: Uint8Array[];
  durationToLastUpdateMs?: bigint;
}

export interface WriteConflict {
  startTs: bigint;
  conflictTs: bigint;
  key: Uint8Array;
  primary: Uint8Array;
  conflictCommitTs: bigint;
  reason: number;
}

export interface KeyError {
  locked?: LockInfo;
  retryable?: string;
  abort?: string;
  conflict?: WriteConflict;
  alreadyExist?: { key: Uint8Array };
  deadlock?: { lockTs: bigint; lockKey: Uint8Array; deadlockKeyHash: bigint; waitChain: Array<{ txn?: bigint; waitForTxn?: bigint; keyHash?: bigint; key?: Uint8Array }> };
  commitTsExpired?: { startTs: bigint; attemptedCommitTs: bigint; key: Uint8Array; minCommitTs: bigint };
  txnNotFound?: { startTs: bigint; primaryKey: Uint8Array };
  commitTsTooLarge?: { commitTs: bigint };
  assertionFailed?: {
    startTs: bigint;
    key: Uint8Array;
    assertion: number;
    existingStartTs: bigint;
    existingCommitTs: bigint;
  };
}

export interface KvPair {
  error?: KeyError;
  key: Uint8Array;
  value: Uint8Array;
}

export interface Mutation {
  op?: number;
  key?: Uint8Array;
  value?: Uint8Array;
  assertion?: number;
}

// ---- transactional KV ----

export interface GetRequest {
  context?: KvContext | null;
  key?: Uint8Array;
  version?: bigint;
}
export interface GetResponse {
  error?: KeyError;
  value: Uint8Array;
  notFound: boolean;
}

export interface BatchGetRequest {
  context?: KvContext | null;
  keys?: Uint8Array[];
  version?: bigint;
}
export interface BatchGetResponse {
  pairs: KvPair[];
  error?: KeyError;
}

export interface ScanRequest {
  context?: KvContext | null;
  startKey?: Uint8Array;
  limit?: number;
  version?: bigint;
  keyOnly?: boolean;
  reverse?: boolean;
  endKey?: Uint8Array;
  sampleStep?: number;
}
export interface ScanResponse {
  pairs: KvPair[];
  error?: KeyError;
}

export interface PrewriteRequest {
  context?: KvContext | null;
  mutations?: Mutation[];
  primaryLock?: Uint8Array;
  startVersion?: bigint;
  lockTtl?: bigint;
  skipConstraintCheck?: boolean;
  pessimisticActions?: number[];
  txnSize?: bigint;
  forUpdateTs?: bigint;
  minCommitTs?: bigint;
  useAsyncCommit?: boolean;
  secondaries?: Uint8Array[];
  tryOnePc?: boolean;
  maxCommitTs?: bigint;
  assertionLevel?: number;
}
export interface PrewriteResponse {
  errors: KeyError[];
  minCommitTs: bigint;
  onePcCommitTs: bigint;
}

export interface CommitRequest {
  context?: KvContext | null;
  startVersion?: bigint;
  keys?: Uint8Array[];
  commitVersion?: bigint;
}
export interface CommitResponse {
  error?: KeyError;
  commitVersion: bigint;
}

export interface BatchRollbackRequest {
  context?: KvContext | null;
  startVersion?: bigint;
  keys?: Uint8Array[];
}
export interface BatchRollbackResponse {
  error?: KeyError;
}

export interface CleanupRequest {
  context?: KvContext | null;
  key?: Uint8Array;
  startVersion?: bigint;
  currentTs?: bigint;
}
export interface CleanupResponse {
  error?: KeyError;
  commitVersion: bigint;
}

export interface CheckTxnStatusRequest {
  context?: KvContext | null;
  primaryKey?: Uint8Array;
  lockTs?: bigint;
  callerStartTs?: bigint;
  currentTs?: bigint;
  rollbackIfNotExist?: boolean;
  forceSyncCommit?: boolean;
  resolvingPessimisticLock?: boolean;
}
export interface CheckTxnStatusResponse {
  error?: KeyError;
  lockTtl: bigint;
  commitVersion: bigint;
  action: Action;
  lockInfo?: LockInfo;
}

export interface CheckSecondaryLocksRequest {
  context?: KvContext | null;
  keys?: Uint8Array[];
  startVersion?: bigint;
}
export interface CheckSecondaryLocksResponse {
  error?: KeyError;
  locks: LockInfo[];
  commitTs: bigint;
}

export interface TxnInfo {
  txn?: bigint;
  status?: bigint;
}
export interface ResolveLockRequest {
  context?: KvContext | null;
  startVersion?: bigint;
  commitVersion?: bigint;
  txnInfos?: TxnInfo[];
  keys?: Uint8Array[];
}
export interface ResolveLockResponse {
  error?: KeyError;
}

export interface ScanLockRequest {
  context?: KvContext | null;
  maxVersion?: bigint;
  startKey?: Uint8Array;
  limit?: number;
  endKey?: Uint8Array;
}
export interface ScanLockResponse {
  error?: KeyError;
  locks: LockInfo[];
}

export interface TxnHeartBeatRequest {
  context?: KvContext | null;
  primaryLock?: Uint8Array;
  startVersion?: bigint;
  adviseLockTtl?: bigint;
}
export interface TxnHeartBeatResponse {
  error?: KeyError;
  lockTtl: bigint;
}

export interface PessimisticLockRequest {
  context?: KvContext | null;
  mutations?: Mutation[];
  primaryLock?: Uint8Array;
  startVersion?: bigint;
  lockTtl?: bigint;
  forUpdateTs?: bigint;
  isFirstLock?: boolean;
  waitTimeout?: bigint;
  returnValues?: boolean;
  minCommitTs?: bigint;
  checkExistence?: boolean;
  lockOnlyIfExists?: boolean;
  wakeUpMode?: number;
}
export interface PessimisticLockKeyResult {
  type: PessimisticLockKeyResultType;
  value: Uint8Array;
  existence: boolean;
  lockedWithConflictTs: bigint;
  skipResolvingLock: boolean;
}
export interface PessimisticLockResponse {
  errors: KeyError[];
  values: Uint8Array[];
  notFounds: boolean[];
  results: PessimisticLockKeyResult[];
}

export interface PessimisticRollbackRequest {
  context?: KvContext | null;
  startVersion?: bigint;
  forUpdateTs?: bigint;
  keys?: Uint8Array[];
}
export interface PessimisticRollbackResponse {
  errors: KeyError[];
}

export interface DeleteRangeRequest {
  context?: KvContext | null;
  startKey?: Uint8Array;
  endKey?: Uint8Array;
  notifyOnly?: boolean;
}
export interface DeleteRangeResponse {
  error: string;
}

export interface GcRequest {
  context?: KvContext | null;
  safePoint?: bigint;
}
export interface GcResponse {
  error?: KeyError;
}

// ---- raw KV ----

export interface RawGetRequest {
  context?: KvContext | null;
  key?: Uint8Array;
  cf?: string;
}
export interface RawGetResponse {
  error: string;
  value: Uint8Array;
  notFound: boolean;
}

export interface RawBatchGetRequest {
  context?: KvContext | null;
  keys?: Uint8Array[];
  cf?: string;
}
export interface RawBatchGetResponse {
  pairs: KvPair[];
}

export interface RawPutRequest {
  context?: KvContext | null;
  key?: Uint8Array;
  value?: Uint8Array;
  cf?: string;
  ttl?: bigint;
  forCas?: boolean;
}
export interface RawPutResponse {
  error: string;
}

export interface RawBatchPutRequest {
  context?: KvContext | null;
  pairs?: { key?: Uint8Array; value?: Uint8Array }[];
  cf?: string;
  ttl?: bigint;
  forCas?: boolean;
  ttls?: bigint[];
}
export interface RawBatchPutResponse {
  error: string;
}

export interface RawDeleteRequest {
  context?: KvContext | null;
  key?: Uint8Array;
  cf?: string;
  forCas?: boolean;
}
export interface RawDeleteResponse {
  error: string;
}

export interface RawBatchDeleteRequest {
  context?: KvContext | null;
  keys?: Uint8Array[];
  cf?: string;
  forCas?: boolean;
}
export interface RawBatchDeleteResponse {
  error: string;
}

export interface RawScanRequest {
  context?: KvContext | null;
  startKey?: Uint8Array;
  limit?: number;
  keyOnly?: boolean;
  cf?: string;
  reverse?: boolean;
  endKey?: Uint8Array;
}
export interface RawScanResponse {
  kvs: KvPair[];
}

export interface RawDeleteRangeRequest {
  context?: KvContext | null;
  startKey?: Uint8Array;
  endKey?: Uint8Array;
  cf?: string;
}
export interface RawDeleteRangeResponse {
  error: string;
}

export interface RawCasRequest {
  context?: KvContext | null;
  key?: Uint8Array;
  value?: Uint8Array;
  previousNotExist?: boolean;
  previousValue?: Uint8Array;
  cf?: string;
  ttl?: bigint;
}
export interface RawCasResponse {
  error: string;
  succeed: boolean;
  previousNotExist: boolean;
  previousValue: Uint8Array;
}
