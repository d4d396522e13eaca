import type { Lock } from '../lock.ts';

/** The outcome of checking a transaction's primary key (TiKV `TxnStatus`). */
export type TxnStatus =
  | { kind: 'rolledBack' }
  | { kind: 'ttlExpire' }
  | { kind: 'lockNotExist' }
  | { kind: 'uncommitted'; lock: Lock; minCommitTsPushed: boolean }
  | { kind: 'committed'; commitTs: bigint }
  | { kind: 'pessimisticRollBack' }
  | { kind: 'lockNotExistDoNothing' };

/** What to do when the lock being checked is missing (TiKV `MissingLockAction`). */
export type MissingLockAction = 'rollback' | 'protectedRollback' | 'returnError';
