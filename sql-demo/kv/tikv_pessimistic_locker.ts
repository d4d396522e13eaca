import type { kvrpcpb } from '../../src/proto/mod.ts';
import { bytesCompare, bytesToHex } from '../../src/util/mod.ts';
import { DeadlockError, LockWaitTimeoutError, TxnClosedError, WriteConflictError, type LockKeysOptions } from './kv_client.ts';
import { BACKOFF, TikvBackoffer } from './tikv_backoffer.ts';
import { TxnAbortedError } from './tikv_errors.ts';
import { LOCK_TTL_MS_MANAGED, PESSIMISTIC_LOCK_WAIT_STEP_MS, STORE_RPC_DEADLINE_MS, TXN_HEARTBEAT_TTL_DIVISOR, TXN_TTL_MS_MAX } from './tikv_limits.ts';
import { bigintJson, tsPhysicalMs } from './tikv_lock_resolver.ts';
import type { TikvClientContext } from './tikv_snapshot.ts';

const OP_PESSIMISTIC_LOCK = 5;

/**
 * The pessimistic half of a TikvTxn (client-go `LockKeys`): PessimisticLock per region with
 * the primary = the first key ever locked, lock waits in steps of at most
 * PESSIMISTIC_LOCK_WAIT_STEP_MS (the store caps each wait anyway) until the caller's timeout,
 * lock resolution between steps (dead holders are rolled back), Deadlock / WriteConflict
 * errors typed for the SQL layer, a TxnHeartBeat loop on the primary while locks are held,
 * and PessimisticRollback of every lock on rollback.
 */
export class TikvPessimisticLocker {
  private primaryKey: Uint8Array | undefined;
  /** Every key locked so far (hex -> key). */
  readonly locked = new Map<string, Uint8Array>();
  /** The largest for_update_ts any lock was taken at (prewrite and rollback use it). */
  maxForUpdateTs = 0n;
  private stopHeartbeat: (() => void) | undefined;
  private heartbeatInFlight = false;
  /** Set by rollback: a lock request still in flight must give back what it gets. */
  private closed = false;

  constructor(
    private readonly ctx: TikvClientContext,
    readonly startTs: bigint,
  ) {}

  get primary(): Uint8Array | undefined {
    return this.primaryKey;
  }

  /** See `KvTxn.lockKeys`. */
  async lockKeys(keys: readonly Uint8Array[], opts: LockKeysOptions): Promise<void> {
    const todo: Uint8Array[] = [];
    const seen = new Set<string>();
    for (const k of keys) {
      const hex = bytesToHex(k);
      if (this.locked.has(hex) || seen.has(hex)) continue;
      seen.add(hex);
      todo.push(k.slice());
    }
    if (todo.length === 0) return;
    todo.sort(bytesCompare);
    if (opts.forUpdateTs > this.maxForUpdateTs) this.maxForUpdateTs = opts.forUpdateTs;
    const deadlineMs = this.ctx.clock.monotonicMs() + opts.waitTimeoutMs;
    const bo = new TikvBackoffer(`pessimistic lock (txn ${this.startTs})`, this.ctx.budgets.prewriteMs + opts.waitTimeoutMs, this.ctx.clock, this.ctx.random);
    if (this.primaryKey === undefined) {
      // The primary is locked alone first: every other lock names it, so it must exist.
      this.primaryKey = todo[0]!;
      try {
        await this.lockGroup(bo, [todo.shift()!], opts.forUpdateTs, deadlineMs, opts.waitTimeoutMs, true);
      } catch (e) {
        this.primaryKey = undefined;
        throw e;
      }
      this.startHeartbeat();
    }
    if (todo.length > 0) await this.lockGroup(bo, todo, opts.forUpdateTs, deadlineMs, opts.waitTimeoutMs, false);
  }

  /** Locks keys (regrouping on region errors) until every one is ours or an error ends it. */
  private async lockGroup(bo: TikvBackoffer, keys: Uint8Array[], forUpdateTs: bigint, deadlineMs: number, waitTimeoutMs: number, isFirstLock: boolean): Promise<void> {
    let pending = await this.ctx.rpc.cache.groupKeysByRegion(bo, keys.map((key) => ({ key })));
    while (pending.length > 0) {
      const g = pending[0]!;
      if (this.closed) throw new TxnClosedError(this.startTs);
      const leftMs = deadlineMs - this.ctx.clock.monotonicMs();
      const stepMs = Math.max(1, Math.floor(Math.min(PESSIMISTIC_LOCK_WAIT_STEP_MS, leftMs)));
      const groupKeys = g.items.map((i) => i.key);
      const r = await this.ctx.rpc.sendToRegion(
        bo,
        g.region,
        'KvPessimisticLock',
        {
          mutations: groupKeys.map((key) => ({ op: OP_PESSIMISTIC_LOCK, key })),
          primaryLock: this.primaryKey!,
          startVersion: this.startTs,
          lockTtl: BigInt(this.lockTtlMs()),
          forUpdateTs,
          isFirstLock,
          waitTimeout: BigInt(stepMs),
          minCommitTs: forUpdateTs + 1n,
        },
        STORE_RPC_DEADLINE_MS + stepMs,
      );
      if (r.kind === 'relocate') {
        pending = [...(await this.ctx.rpc.cache.groupKeysByRegion(bo, g.items)), ...pending.slice(1)];
        continue;
      }
      const errors = r.resp.errors;
      if (errors.length === 0) {
        for (const k of groupKeys) this.locked.set(bytesToHex(k), k);
        pending.shift();
        if (this.closed) {
          // Rolled back while this request waited (the client went away): release at once.
          await this.rollback();
          throw new TxnClosedError(this.startTs);
        }
        continue;
      }
      const locks: kvrpcpb.LockInfo[] = [];
      for (const e of errors) {
        if (e.deadlock) throw new DeadlockError(this.startTs, e.deadlock.lockTs, e.deadlock.lockKey);
        if (e.conflict) throw new WriteConflictError(e.conflict.key, this.startTs, e.conflict.conflictCommitTs);
        if (e.locked) {
          locks.push(e.locked);
          continue;
        }
        throw new TxnAbortedError(this.startTs, `pessimistic lock: ${JSON.stringify(e, bigintJson)}`, e.retryable !== '');
      }
      // The store already waited up to stepMs: resolve dead holders, then wait again or give up.
      const res = await this.ctx.resolver.resolveLocks(bo, 0n, locks);
      if (this.ctx.clock.monotonicMs() >= deadlineMs) throw new LockWaitTimeoutError(this.startTs, locks[0]!.key, waitTimeoutMs);
      if (res.msBeforeExpired === 0) continue;
      // A live prewrite lock (its owner is committing) is not waited on by the store: back off briefly.
      if (locks.some((l) => l.lockType !== OP_PESSIMISTIC_LOCK)) await bo.backoff(BACKOFF.txnLockFast, `pessimistic lock blocked by txn ${locks[0]!.lockVersion}`, 0, Math.max(1, deadlineMs - this.ctx.clock.monotonicMs()));
    }
  }

  /** Lock TTL: the managed TTL plus the time this txn has lived (client-go ManagedLockTTL). */
  private lockTtlMs(): number {
    return LOCK_TTL_MS_MANAGED + Math.max(0, this.ctx.clock.nowMs() - tsPhysicalMs(this.startTs));
  }

  /** Keeps the primary lock alive while the txn holds pessimistic locks (client-go ttlManager). */
  private startHeartbeat(): void {
    const periodMs = Math.floor(LOCK_TTL_MS_MANAGED / TXN_HEARTBEAT_TTL_DIVISOR);
    this.stopHeartbeat = this.ctx.clock.setInterval(() => {
      if (this.heartbeatInFlight || this.primaryKey === undefined) return;
      const ttl = this.lockTtlMs();
      if (ttl > TXN_TTL_MS_MAX) {
        this.stopHeartbeatLoop();
        return;
      }
      this.heartbeatInFlight = true;
      void this.sendHeartbeat(this.primaryKey, BigInt(ttl)).finally(() => (this.heartbeatInFlight = false));
    }, periodMs);
  }

  private async sendHeartbeat(primary: Uint8Array, adviseLockTtl: bigint): Promise<void> {
    const bo = new TikvBackoffer(`heartbeat (txn ${this.startTs})`, this.ctx.budgets.commitMs, this.ctx.clock, this.ctx.random);
    try {
      for (;;) {
        const region = await this.ctx.rpc.cache.locateKey(bo, primary);
        const r = await this.ctx.rpc.sendToRegion(bo, region, 'KvTxnHeartBeat', { primaryLock: primary, startVersion: this.startTs, adviseLockTtl });
        if (r.kind === 'ok') return;
      }
    } catch {
      // A missed beat only shortens the locks' life; the commit reports real failures.
    }
  }

  /** Stops the heartbeat (commit takes over with its own, rollback ends the txn). */
  stopHeartbeatLoop(): void {
    this.stopHeartbeat?.();
    this.stopHeartbeat = undefined;
  }

  /** Best-effort PessimisticRollback of every lock held (leftovers expire and are resolved by others). */
  async rollback(): Promise<void> {
    this.closed = true;
    this.stopHeartbeatLoop();
    const keys = [...this.locked.values()].sort(bytesCompare);
    this.locked.clear();
    if (keys.length === 0) return;
    const bo = new TikvBackoffer(`pessimistic rollback (txn ${this.startTs})`, this.ctx.budgets.commitMs, this.ctx.clock, this.ctx.random);
    try {
      let pending = await this.ctx.rpc.cache.groupKeysByRegion(bo, keys.map((key) => ({ key })));
      while (pending.length > 0) {
        const g = pending.shift()!;
        const r = await this.ctx.rpc.sendToRegion(bo, g.region, 'KVPessimisticRollback', { startVersion: this.startTs, forUpdateTs: this.maxForUpdateTs, keys: g.items.map((i) => i.key) });
        if (r.kind === 'relocate') pending = [...(await this.ctx.rpc.cache.groupKeysByRegion(bo, g.items)), ...pending];
      }
    } catch {
      // Best effort, as above.
    }
  }
}
