import type { DeepPartial, kvrpcpb } from '../proto/mod.ts';
import type { RegionContext, RegionError } from '../storage/mod.ts';

/** Request and response message of one Storage command. */
interface Command<Req, Resp> {
  req: Req;
  resp: Resp;
}

/** Every Storage command the Tikv service calls, with its kvrpcpb messages. */
export interface StorageCommandTypes {
  rawGet: Command<kvrpcpb.RawGetRequest, kvrpcpb.RawGetResponse>;
  rawBatchGet: Command<kvrpcpb.RawBatchGetRequest, kvrpcpb.RawBatchGetResponse>;
  rawPut: Command<kvrpcpb.RawPutRequest, kvrpcpb.RawPutResponse>;
  rawBatchPut: Command<kvrpcpb.RawBatchPutRequest, kvrpcpb.RawBatchPutResponse>;
  rawDelete: Command<kvrpcpb.RawDeleteRequest, kvrpcpb.RawDeleteResponse>;
  rawBatchDelete: Command<kvrpcpb.RawBatchDeleteRequest, kvrpcpb.RawBatchDeleteResponse>;
  rawScan: Command<kvrpcpb.RawScanRequest, kvrpcpb.RawScanResponse>;
  rawDeleteRange: Command<kvrpcpb.RawDeleteRangeRequest, kvrpcpb.RawDeleteRangeResponse>;
  rawCompareAndSwap: Command<kvrpcpb.RawCASRequest, kvrpcpb.RawCASResponse>;
  kvGet: Command<kvrpcpb.GetRequest, kvrpcpb.GetResponse>;
  kvBatchGet: Command<kvrpcpb.BatchGetRequest, kvrpcpb.BatchGetResponse>;
  kvScan: Command<kvrpcpb.ScanRequest, kvrpcpb.ScanResponse>;
  prewrite: Command<kvrpcpb.PrewriteRequest, kvrpcpb.PrewriteResponse>;
  commit: Command<kvrpcpb.CommitRequest, kvrpcpb.CommitResponse>;
  batchRollback: Command<kvrpcpb.BatchRollbackRequest, kvrpcpb.BatchRollbackResponse>;
  cleanup: Command<kvrpcpb.CleanupRequest, kvrpcpb.CleanupResponse>;
  checkTxnStatus: Command<kvrpcpb.CheckTxnStatusRequest, kvrpcpb.CheckTxnStatusResponse>;
  checkSecondaryLocks: Command<kvrpcpb.CheckSecondaryLocksRequest, kvrpcpb.CheckSecondaryLocksResponse>;
  resolveLock: Command<kvrpcpb.ResolveLockRequest, kvrpcpb.ResolveLockResponse>;
  scanLock: Command<kvrpcpb.ScanLockRequest, kvrpcpb.ScanLockResponse>;
  txnHeartBeat: Command<kvrpcpb.TxnHeartBeatRequest, kvrpcpb.TxnHeartBeatResponse>;
  pessimisticLock: Command<kvrpcpb.PessimisticLockRequest, kvrpcpb.PessimisticLockResponse>;
  pessimisticRollback: Command<kvrpcpb.PessimisticRollbackRequest, kvrpcpb.PessimisticRollbackResponse>;
  deleteRange: Command<kvrpcpb.DeleteRangeRequest, kvrpcpb.DeleteRangeResponse>;
  gc: Command<kvrpcpb.GCRequest, kvrpcpb.GCResponse>;
}

export type StorageCommandName = keyof StorageCommandTypes;

/** A Storage answer: the response without `regionError`, or the region error as a value. */
export type StorageResult<Resp> = DeepPartial<Omit<Resp, 'regionError'>> | { regionError: RegionError };

/**
 * What the Tikv service needs from `src/storage`'s `Storage` facade (CONTRACTS.md), stated
 * structurally so the service depends on the shape, not the class: one async method per
 * command taking the decoded request and returning the response or `{ regionError }`.
 */
export type StorageApi = {
  [K in StorageCommandName]: (
    ctx: RegionContext,
    req: StorageCommandTypes[K]['req'],
  ) => Promise<StorageResult<StorageCommandTypes[K]['resp']>>;
};
