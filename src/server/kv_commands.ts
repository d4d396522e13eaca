import type { StorageCommandName } from './storage_api.ts';

/** Where a command's response carries an error detected at the edge (bad argument, too large). */
export type EdgeErrorSlot =
  /** `error: string` (RawKV responses, DeleteRange). */
  | 'string'
  /** `error: KeyError` with `abort` set. */
  | 'keyError'
  /** `errors: KeyError[]` with one `abort` entry. */
  | 'keyErrors'
  /** No error field: a message-only region error. */
  | 'regionMessage';

/** One `tikvpb.Tikv` command served by Storage. */
export interface KvCommand {
  /** gRPC method name in `tikvpb.Tikv`. */
  rpc: string;
  /** Name of the `BatchCommandsRequest.Request` oneof member, when BatchCommands carries it. */
  batch?: string;
  storage: StorageCommandName;
  /** RawKV (keys verbatim, TTL checks) or transactional. */
  mode: 'raw' | 'txn';
  errorSlot: EdgeErrorSlot;
}

/** The Storage-backed commands, in tikvpb.proto order within each group. */
export const KV_COMMANDS: readonly KvCommand[] = [
  { rpc: 'KvGet', batch: 'Get', storage: 'kvGet', mode: 'txn', errorSlot: 'keyError' },
  { rpc: 'KvScan', batch: 'Scan', storage: 'kvScan', mode: 'txn', errorSlot: 'keyError' },
  { rpc: 'KvPrewrite', batch: 'Prewrite', storage: 'prewrite', mode: 'txn', errorSlot: 'keyErrors' },
  { rpc: 'KvPessimisticLock', batch: 'PessimisticLock', storage: 'pessimisticLock', mode: 'txn', errorSlot: 'keyErrors' },
  {
    rpc: 'KVPessimisticRollback',
    batch: 'PessimisticRollback',
    storage: 'pessimisticRollback',
    mode: 'txn',
    errorSlot: 'keyErrors',
  },
  { rpc: 'KvTxnHeartBeat', batch: 'TxnHeartBeat', storage: 'txnHeartBeat', mode: 'txn', errorSlot: 'keyError' },
  { rpc: 'KvCheckTxnStatus', batch: 'CheckTxnStatus', storage: 'checkTxnStatus', mode: 'txn', errorSlot: 'keyError' },
  {
    rpc: 'KvCheckSecondaryLocks',
    batch: 'CheckSecondaryLocks',
    storage: 'checkSecondaryLocks',
    mode: 'txn',
    errorSlot: 'keyError',
  },
  { rpc: 'KvCommit', batch: 'Commit', storage: 'commit', mode: 'txn', errorSlot: 'keyError' },
  { rpc: 'KvCleanup', batch: 'Cleanup', storage: 'cleanup', mode: 'txn', errorSlot: 'keyError' },
  { rpc: 'KvBatchGet', batch: 'BatchGet', storage: 'kvBatchGet', mode: 'txn', errorSlot: 'keyError' },
  { rpc: 'KvBatchRollback', batch: 'BatchRollback', storage: 'batchRollback', mode: 'txn', errorSlot: 'keyError' },
  { rpc: 'KvScanLock', batch: 'ScanLock', storage: 'scanLock', mode: 'txn', errorSlot: 'keyError' },
  { rpc: 'KvResolveLock', batch: 'ResolveLock', storage: 'resolveLock', mode: 'txn', errorSlot: 'keyError' },
  { rpc: 'KvDeleteRange', batch: 'DeleteRange', storage: 'deleteRange', mode: 'txn', errorSlot: 'string' },
  { rpc: 'KvGC', batch: 'GC', storage: 'gc', mode: 'txn', errorSlot: 'keyError' },
  { rpc: 'RawGet', batch: 'RawGet', storage: 'rawGet', mode: 'raw', errorSlot: 'string' },
  { rpc: 'RawBatchGet', batch: 'RawBatchGet', storage: 'rawBatchGet', mode: 'raw', errorSlot: 'regionMessage' },
  { rpc: 'RawPut', batch: 'RawPut', storage: 'rawPut', mode: 'raw', errorSlot: 'string' },
  { rpc: 'RawBatchPut', batch: 'RawBatchPut', storage: 'rawBatchPut', mode: 'raw', errorSlot: 'string' },
  { rpc: 'RawDelete', batch: 'RawDelete', storage: 'rawDelete', mode: 'raw', errorSlot: 'string' },
  { rpc: 'RawBatchDelete', batch: 'RawBatchDelete', storage: 'rawBatchDelete', mode: 'raw', errorSlot: 'string' },
  { rpc: 'RawScan', batch: 'RawScan', storage: 'rawScan', mode: 'raw', errorSlot: 'regionMessage' },
  { rpc: 'RawDeleteRange', batch: 'RawDeleteRange', storage: 'rawDeleteRange', mode: 'raw', errorSlot: 'string' },
  // Always unary in client-go (no BatchCommands variant).
  { rpc: 'RawCompareAndSwap', storage: 'rawCompareAndSwap', mode: 'raw', errorSlot: 'string' },
];
