import type { kvrpcpb } from '../../src/proto/mod.ts';
import { DomainError } from '../../src/util/mod.ts';
import { BACKOFF, type TikvBackoffer } from './tikv_backoffer.ts';
import { RESOLVED_TXN_CACHE_MAX, RESOLVE_LOCK_LITE_THRESHOLD } from './tikv_limits.ts';
import type { TikvRpc } from './tikv_rpc.ts';

/** The status of the transaction owning a lock, as CheckTxnStatus / CheckSecondaryLocks tell it. */
export type TxnStatus =
  | { readonly kind: 'committed'; readonly commitTs: bigint }
  | { readonly kind: 'rolledBack' }
  | { readonly kind: 'alive'; readonly ttlMs: bigint; readonly action: kvrpcpb.Action; readonly primaryLock: kvrpcpb.LockInfo | undefined };

/** What a resolve round achieved: wait `msBeforeExpired` for live locks; read through `pushed` txns. */
export interface ResolveResult {
  /** 0 = every lock was resolved; else the shortest remaining TTL of a live lock. */
  readonly msBeforeExpired: number;
  /** Live transactions whose min_commit_ts is now above the caller's start_ts (Context.resolved_locks). */
  readonly pushed: readonly bigint[];
}

const OP_PESSIMISTIC_LOCK = 5;
const ACTION_MIN_COMMIT_TS_PUSHED = 3;

/** Physical milliseconds of a TSO timestamp. */
export function tsPhysicalMs(ts: bigint): number {
  return Number(ts >> 18n);
}

/**
 * Resolves other transactions' locks met by reads and prewrites (client-go `LockResolver`):
 * CheckTxnStatus on the primary (with caller_start_ts and a fresh current_ts, which also
 * pushes a live lock's min_commit_ts past the reader), then ResolveLock for committed or
 * rolled-back transactions (one key when the txn is small, the whole region otherwise),
 * CheckSecondaryLocks for expired async-commit locks, PessimisticRollback for pessimistic
 * locks; live locks are reported back so the caller waits and retries.
 */
export class TikvLockResolver {
  /** Final statuses (committed / rolled back) by start_ts: they never change. */
  private readonly resolved = new Map<bigint, TxnStatus>();
  /** Regions already resolved wholesale per txn start_ts. */
  private readonly cleanedRegions = new Map<bigint, Set<bigint>>();

  constructor(
    private readonly rpc: TikvRpc,
    private readonly getTs: () => Promise<bigint>,
  ) {}

  /**
   * Resolves `locks` for a caller at `callerStartTs` (0 for writers: never push, only wait).
   */
  async resolveLocks(bo: TikvBackoffer, callerStartTs: bigint, locks: readonly kvrpcpb.LockInfo[]): Promise<ResolveResult> {
    if (locks.length === 0) return { msBeforeExpired: 0, pushed: [] };
    let msBeforeExpired = 0;
    const pushed: bigint[] = [];
    const currentTs = await this.getTs();
    for (const lock of locks) {
      let status = this.resolved.get(lock.lockVersion);
      if (!status) {
        status = await this.txnStatusFromLock(bo, lock, callerStartTs, currentTs);
        if (status.kind === 'alive' && status.primaryLock?.useAsyncCommit && untilExpiredMs(lock.lockVersion, status.ttlMs, currentTs) <= 0) {
          status = await this.resolveAsyncCommitLock(bo, lock, status.primaryLock);
          continue;
        }
      }
      if (status.kind === 'alive') {
        const lockMinCommitTs = status.primaryLock?.minCommitTs ?? 0n;
        if (callerStartTs > 0n && (status.action === ACTION_MIN_COMMIT_TS_PUSHED || lockMinCommitTs > callerStartTs) && !status.primaryLock?.useAsyncCommit) {
          pushed.push(lock.lockVersion);
          continue;
        }
        const left = Math.max(1, untilExpiredMs(lock.lockVersion, status.ttlMs, currentTs));
        msBeforeExpired = msBeforeExpired === 0 ? left : Math.min(msBeforeExpired, left);
        continue;
      }
      this.remember(lock.lockVersion, status);
      await this.resolveOne(bo, lock, status.kind === 'committed' ? status.commitTs : 0n);
    }
    return { msBeforeExpired, pushed };
  }

  /** CheckTxnStatus on the lock's primary, retrying TxnNotFound until the lock's own TTL runs out. */
  private async txnStatusFromLock(bo: TikvBackoffer, lock: kvrpcpb.LockInfo, callerStartTs: bigint, currentTs: bigint, forceSyncCommit = false): Promise<TxnStatus> {
    let rollbackIfNotExist = false;
    for (;;) {
      const st = await this.checkTxnStatus(bo, lock, callerStartTs, currentTs, rollbackIfNotExist, forceSyncCommit);
      if (st !== 'notFound') return st;
      if (untilExpiredMs(lock.lockVersion, lock.lockTtl, await this.getTs()) <= 0) {
        rollbackIfNotExist = true;
        continue;
      }
      await bo.backoff(BACKOFF.txnNotFound, `primary lock of txn ${lock.lockVersion} not found yet`);
    }
  }

  /** One CheckTxnStatus against the primary's region (follows region errors). */
  async checkTxnStatus(
    bo: TikvBackoffer,
    lock: kvrpcpb.LockInfo,
    callerStartTs: bigint,
    currentTs: bigint,
    rollbackIfNotExist: boolean,
    forceSyncCommit = false,
  ): Promise<TxnStatus | 'notFound'> {
    for (;;) {
      const region = await this.rpc.cache.locateKey(bo, lock.primaryLock);
      const r = await this.rpc.sendToRegion(bo, region, 'KvCheckTxnStatus', {
        primaryKey: lock.primaryLock,
        lockTs: lock.lockVersion,
        callerStartTs,
        currentTs,
        rollbackIfNotExist,
        forceSyncCommit,
        resolvingPessimisticLock: lock.lockType === OP_PESSIMISTIC_LOCK,
      });
      if (r.kind === 'relocate') continue;
      const resp = r.resp;
      if (resp.error) {
        if (resp.error.txnNotFound) return 'notFound';
        throw new DomainError('Internal', `CheckTxnStatus of txn ${lock.lockVersion}: ${JSON.stringify(resp.error, bigintJson)}`);
      }
      if (resp.lockTtl > 0n) return { kind: 'alive', ttlMs: resp.lockTtl, action: resp.action, primaryLock: resp.lockInfo ?? undefined };
      const status: TxnStatus = resp.commitVersion > 0n ? { kind: 'committed', commitTs: resp.commitVersion } : { kind: 'rolledBack' };
      this.remember(lock.lockVersion, status);
      return status;
    }
  }

  /**
   * An expired async-commit transaction: CheckSecondaryLocks on every key (primary included)
   * decides it — committed if any key is committed, rolled back if any lock is missing,
   * otherwise committed at the max min_commit_ts — then every key is resolved.
   */
  private async resolveAsyncCommitLock(bo: TikvBackoffer, lock: kvrpcpb.LockInfo, primary: kvrpcpb.LockInfo): Promise<TxnStatus> {
    const keys = [primary.key.length > 0 ? primary.key : lock.primaryLock, ...primary.secondaries];
    let commitTs = 0n;
    let missing = false;
    let notAsync = false;
    let maxMinCommitTs = 0n;
    const groups = await this.rpc.cache.groupKeysByRegion(bo, keys.map((key) => ({ key })));
    const pending = [...groups];
    while (pending.length > 0) {
      const g = pending.shift()!;
      const r = await this.rpc.sendToRegion(bo, g.region, 'KvCheckSecondaryLocks', { keys: g.items.map((i) => i.key), startVersion: lock.lockVersion });
      if (r.kind === 'relocate') {
        pending.push(...(await this.rpc.cache.groupKeysByRegion(bo, g.items)));
        continue;
      }
      if (r.resp.error) throw new DomainError('Internal', `CheckSecondaryLocks of txn ${lock.lockVersion}: ${JSON.stringify(r.resp.error, bigintJson)}`);
      if (r.resp.commitTs > 0n) commitTs = r.resp.commitTs;
      if (r.resp.locks.length < g.items.length) missing = true;
      for (const l of r.resp.locks) {
        if (!l.useAsyncCommit) notAsync = true;
        if (l.minCommitTs > maxMinCommitTs) maxMinCommitTs = l.minCommitTs;
      }
    }
    let status: TxnStatus;
    if (commitTs > 0n) status = { kind: 'committed', commitTs };
    else if (missing) status = { kind: 'rolledBack' };
    else if (notAsync) {
      // A lock fell back to 2PC: the primary decides, like any normal transaction.
      status = await this.txnStatusFromLock(bo, lock, 0n, await this.getTs(), true);
      if (status.kind === 'alive') return status;
    } else status = { kind: 'committed', commitTs: maxMinCommitTs };
    this.remember(lock.lockVersion, status);
    const finalTs = status.kind === 'committed' ? status.commitTs : 0n;
    const todo = await this.rpc.cache.groupKeysByRegion(bo, keys.map((key) => ({ key })));
    while (todo.length > 0) {
      const g = todo.shift()!;
      const r = await this.rpc.sendToRegion(bo, g.region, 'KvResolveLock', { startVersion: lock.lockVersion, commitVersion: finalTs, keys: g.items.map((i) => i.key) });
      if (r.kind === 'relocate') {
        todo.push(...(await this.rpc.cache.groupKeysByRegion(bo, g.items)));
        continue;
      }
      if (r.resp.error) throw new DomainError('Internal', `ResolveLock of txn ${lock.lockVersion}: ${JSON.stringify(r.resp.error, bigintJson)}`);
    }
    return status;
  }

  /** Commits (commitTs > 0) or rolls back the lock: its key only when the txn is small, else its whole region. */
  private async resolveOne(bo: TikvBackoffer, lock: kvrpcpb.LockInfo, commitTs: bigint): Promise<void> {
    for (;;) {
      const region = await this.rpc.cache.locateKey(bo, lock.key);
      if (lock.lockType === OP_PESSIMISTIC_LOCK) {
        const r = await this.rpc.sendToRegion(bo, region, 'KVPessimisticRollback', { startVersion: lock.lockVersion, forUpdateTs: lock.lockForUpdateTs, keys: [lock.key] });
        if (r.kind === 'relocate') continue;
        if (r.resp.errors.length > 0) throw new DomainError('Internal', `PessimisticRollback of txn ${lock.lockVersion}: ${JSON.stringify(r.resp.errors[0], bigintJson)}`);
        return;
      }
      const lite = lock.txnSize < BigInt(RESOLVE_LOCK_LITE_THRESHOLD);
      let cleaned = this.cleanedRegions.get(lock.lockVersion);
      if (!lite && cleaned?.has(region.id)) return;
      const r = await this.rpc.sendToRegion(bo, region, 'KvResolveLock', { startVersion: lock.lockVersion, commitVersion: commitTs, keys: lite ? [lock.key] : [] });
      if (r.kind === 'relocate') continue;
      if (r.resp.error) throw new DomainError('Internal', `ResolveLock of txn ${lock.lockVersion}: ${JSON.stringify(r.resp.error, bigintJson)}`);
      if (!lite) {
        if (!cleaned) {
          if (this.cleanedRegions.size >= RESOLVED_TXN_CACHE_MAX) this.cleanedRegions.clear();
          this.cleanedRegions.set(lock.lockVersion, (cleaned = new Set()));
        }
        cleaned.add(region.id);
      }
      return;
    }
  }

  private remember(startTs: bigint, status: TxnStatus): void {
    if (status.kind === 'alive') return;
    if (this.resolved.size >= RESOLVED_TXN_CACHE_MAX) this.resolved.clear();
    this.resolved.set(startTs, status);
  }
}

/** Milliseconds until a lock of `lockTs` with `ttlMs` expires, judged against TSO `currentTs`. */
export function untilExpiredMs(lockTs: bigint, ttlMs: bigint, currentTs: bigint): number {
  return tsPhysicalMs(lockTs) + Number(ttlMs) - tsPhysicalMs(currentTs);
}

/** JSON.stringify replacer for protobuf objects with bigint / bytes. */
export function bigintJson(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return v;
}
