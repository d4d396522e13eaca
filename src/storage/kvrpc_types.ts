import type { DeepPartial, kvrpcpb } from '../proto/mod.ts';

/**
 * The `kvrpcpb` shapes the storage layer speaks (kvproto e166ae588106). Requests are the
 * generated `src/proto` messages, deep-partial so tests and tools may omit defaults (a decoded
 * message is assignable). Responses, `KeyError` and `LockInfo` are declared here with only the
 * fields storage fills; they are assignable to the service's deep-partial response types.
 * The enums repeat the wire numbers so this file loads no proto runtime.
 */

export const Op = {
  Put: 0,
  Del: 1,
  Lock: 2,
  Rollback: 3,
  Insert: 4,
  PessimisticLock: 5,
  CheckNotExists: 6,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

export const Assertion = {
  None: 0,
  Exist: 1,
  NotExist: 2,
} as const;
export type Assertion = (typeof Assertion)[keyof typeof Assertion];

export const AssertionLevel = {
  Off: 0,
  Fast: 1,
  Strict: 2,
} as const;
export type AssertionLevel = (typeof AssertionLevel)[keyof typeof AssertionLevel];

export const PessimisticAction = {
  SkipPessimisticCheck: 0,
  DoPessimisticCheck: 1,
  DoConstraintCheck: 2,
} as const;
export type PessimisticAction = (typeof PessimisticAction)[keyof typeof PessimisticAction];

export const WriteConflictReason = {
  Unknown: 0,
  Optimistic: 1,
  PessimisticRetry: 2,
  SelfRolledBack: 3,
  RcCheckTs: 4,
  LazyUniquenessCheck: 5,
} as const;
export type WriteConflictReason = (typeof WriteConflictReason)[keyof typeof WriteConflictReason];

export const Action = {
  NoAction: 0,
  TTLExpireRollback: 1,
  LockNotExistRollback: 2,
  MinCommitTSPushed: 3,
  TTLExpirePessimisticRollback: 4,
  LockNotExistDoNothing: 5,
} as const;
export type Action = (typeof Action)[keyof typeof Action];

export const ApiVersion = {
  V1: 0,
  V1TTL: 1,
  V2: 2,
} as const;
export type ApiVersion = (typeof ApiVersion)[keyof typeof ApiVersion];

export const PessimisticLockWakeUpMode = {
  WakeUpModeNormal: 0,
  WakeUpModeForceLock: 1,
} as const;
export type PessimisticLockWakeUpMode = (typeof PessimisticLockWakeUpMode)[keyof typeof PessimisticLockWakeUpMode];

export const PessimisticLockKeyResultType = {
  LockResultNormal: 0,
  LockResultLockedWithConflict: 1,
  LockResultFailed: 2,
} as const;
export type PessimisticLockKeyResultType = (typeof PessimisticLockKeyResultType)[keyof typeof PessimisticLockKeyResultType];

export type KvContext = DeepPartial<kvrpcpb.Context>;

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

/** `deadlock.WaitForEntry`: one edge of a wait-for chain. */
export interface WaitForEntry {
  txn: bigint;
  waitForTxn: bigint;
  keyHash: bigint;
  key: Uint8Array;
  resourceGroupTag: Uint8Array;
  waitTime: bigint;
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
  deadlock?: { lockTs: bigint; lockKey: Uint8Array; deadlockKeyHash: bigint; waitChain: WaitForEntry[] };
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

export type Mutation = DeepPartial<kvrpcpb.Mutation>;

// ---- transactional KV ----

export type GetRequest = DeepPartial<kvrpcpb.GetRequest>;
export interface GetResponse {
  error?: KeyError;
  value: Uint8Array;
  notFound: boolean;
}

export type BatchGetRequest = DeepPartial<kvrpcpb.BatchGetRequest>;
export interface BatchGetResponse {
  pairs: KvPair[];
  error?: KeyError;
}

export type ScanRequest = DeepPartial<kvrpcpb.ScanRequest>;
export interface ScanResponse {
  pairs: KvPair[];
  error?: KeyError;
}

export type PrewriteRequest = DeepPartial<kvrpcpb.PrewriteRequest>;
export interface PrewriteResponse {
  errors: KeyError[];
  minCommitTs: bigint;
  onePcCommitTs: bigint;
}

export type CommitRequest = DeepPartial<kvrpcpb.CommitRequest>;
export interface CommitResponse {
  error?: KeyError;
  commitVersion: bigint;
}

export type BatchRollbackRequest = DeepPartial<kvrpcpb.BatchRollbackRequest>;
export interface BatchRollbackResponse {
  error?: KeyError;
}

export type CleanupRequest = DeepPartial<kvrpcpb.CleanupRequest>;
export interface CleanupResponse {
  error?: KeyError;
  commitVersion: bigint;
}

export type CheckTxnStatusRequest = DeepPartial<kvrpcpb.CheckTxnStatusRequest>;
export interface CheckTxnStatusResponse {
  error?: KeyError;
  lockTtl: bigint;
  commitVersion: bigint;
  action: Action;
  lockInfo?: LockInfo;
}

export type CheckSecondaryLocksRequest = DeepPartial<kvrpcpb.CheckSecondaryLocksRequest>;
export interface CheckSecondaryLocksResponse {
  error?: KeyError;
  locks: LockInfo[];
  commitTs: bigint;
}

export type TxnInfo = DeepPartial<kvrpcpb.TxnInfo>;
export type ResolveLockRequest = DeepPartial<kvrpcpb.ResolveLockRequest>;
export interface ResolveLockResponse {
  error?: KeyError;
}

export type ScanLockRequest = DeepPartial<kvrpcpb.ScanLockRequest>;
export interface ScanLockResponse {
  error?: KeyError;
  locks: LockInfo[];
}

export type TxnHeartBeatRequest = DeepPartial<kvrpcpb.TxnHeartBeatRequest>;
export interface TxnHeartBeatResponse {
  error?: KeyError;
  lockTtl: bigint;
}

export type PessimisticLockRequest = DeepPartial<kvrpcpb.PessimisticLockRequest>;
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

export type PessimisticRollbackRequest = DeepPartial<kvrpcpb.PessimisticRollbackRequest>;
export interface PessimisticRollbackResponse {
  errors: KeyError[];
}

export type DeleteRangeRequest = DeepPartial<kvrpcpb.DeleteRangeRequest>;
export interface DeleteRangeResponse {
  error: string;
}

export type GcRequest = DeepPartial<kvrpcpb.GCRequest>;
export interface GcResponse {
  error?: KeyError;
}

// ---- raw KV ----

export type RawGetRequest = DeepPartial<kvrpcpb.RawGetRequest>;
export interface RawGetResponse {
  error: string;
  value: Uint8Array;
  notFound: boolean;
}

export type RawBatchGetRequest = DeepPartial<kvrpcpb.RawBatchGetRequest>;
export interface RawBatchGetResponse {
  pairs: KvPair[];
}

export type RawPutRequest = DeepPartial<kvrpcpb.RawPutRequest>;
export interface RawPutResponse {
  error: string;
}

export type RawBatchPutRequest = DeepPartial<kvrpcpb.RawBatchPutRequest>;
export interface RawBatchPutResponse {
  error: string;
}

export type RawDeleteRequest = DeepPartial<kvrpcpb.RawDeleteRequest>;
export interface RawDeleteResponse {
  error: string;
}

export type RawBatchDeleteRequest = DeepPartial<kvrpcpb.RawBatchDeleteRequest>;
export interface RawBatchDeleteResponse {
  error: string;
}

export type RawScanRequest = DeepPartial<kvrpcpb.RawScanRequest>;
export interface RawScanResponse {
  kvs: KvPair[];
}

export type RawDeleteRangeRequest = DeepPartial<kvrpcpb.RawDeleteRangeRequest>;
export interface RawDeleteRangeResponse {
  error: string;
}

export type RawCasRequest = DeepPartial<kvrpcpb.RawCASRequest>;
export interface RawCasResponse {
  error: string;
  succeed: boolean;
  previousNotExist: boolean;
  previousValue: Uint8Array;
}
