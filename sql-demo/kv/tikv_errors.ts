import { bytesToHex, DomainError } from '../../src/util/mod.ts';

/**
 * Typed failures of the gRPC client, beside `WriteConflictError` / `TxnClosedError` from
 * kv_client.ts. Each carries a stable `DomainError` code; the SQL layer maps them to MySQL
 * errors in its one error-mapping file.
 */

/** An `Insert` mutation found the key already present (kvrpcpb.AlreadyExist; MySQL 1062). */
export class KeyAlreadyExistsError extends DomainError {
  override name = 'KeyAlreadyExistsError';
  constructor(readonly key: Uint8Array) {
    super('AlreadyExists', `key ${bytesToHex(key)} already exists`);
  }
}

/** An operation spent its whole backoff budget retrying region errors, busy stores or locks. */
export class BackoffExhaustedError extends DomainError {
  override name = 'BackoffExhaustedError';
  constructor(
    readonly operation: string,
    readonly budgetMs: number,
    readonly lastError: string,
  ) {
    super('Timeout', `${operation}: backoff budget of ${budgetMs} ms exhausted; last error: ${lastError}`);
  }
}

/** The store refused the transaction for good (KeyError.abort / retryable / txn_not_found / assertion). */
export class TxnAbortedError extends DomainError {
  override name = 'TxnAbortedError';
  constructor(
    readonly startTs: bigint,
    message: string,
    readonly retryable: boolean,
  ) {
    super(retryable ? 'Unavailable' : 'Internal', `transaction ${startTs} aborted: ${message}`);
  }
}

/**
 * The primary commit RPC failed in a way that leaves the outcome unknown (the request may
 * have been applied): the caller must not assume either result.
 */
export class TxnUndeterminedError extends DomainError {
  override name = 'TxnUndeterminedError';
  constructor(readonly startTs: bigint, cause: string) {
    super('Unavailable', `transaction ${startTs}: commit result undetermined: ${cause}`);
  }
}

/** A coprocessor task answered `other_error` (TiDB surfaces it as "other error: ..."). */
export class CoprocessorError extends DomainError {
  override name = 'CoprocessorError';
  constructor(
    readonly regionId: bigint,
    readonly otherError: string,
  ) {
    super('Internal', `coprocessor error in region ${regionId}: ${otherError}`);
  }
}

/** A region error client-go treats as fatal (RaftEntryTooLarge, flashback). */
export class RegionFatalError extends DomainError {
  override name = 'RegionFatalError';
  constructor(readonly regionId: bigint, message: string) {
    super('Internal', `region ${regionId}: ${message}`);
  }
}
