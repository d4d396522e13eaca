// Proves the Percolator commands through the Storage facade: prewrite/commit/rollback, reads
// blocked by locks, conflicts, idempotency, check_txn_status branches, resolve_lock and heartbeat.
import { describe, expect, it } from 'vitest';
import { Op, Action, WriteConflictReason } from './kvrpc_types.ts';
import { CTX, b, newStorage, ok, s } from './testing/harness.ts';
import { composeTs } from './timestamp.ts';
import type { Storage } from './storage.ts';

async function put(st: Storage, key: string, value: string, startTs: bigint, commitTs: bigint): Promise<void> {
  const p = ok(
    await st.prewrite(CTX, {
      mutations: [{ op: Op.Put, key: b(key), value: b(value) }],
      primaryLock: b(key),
      startVersion: startTs,
      lockTtl: 3000n,
    }),
  );
  expect(p.errors).toEqual([]);
  const c = ok(await st.commit(CTX, { startVersion: startTs, keys: [b(key)], commitVersion: commitTs }));
  expect(c.error).toBeUndefined();
}

async function get(st: Storage, key: string, ts: bigint): Promise<string | undefined> {
  const r = ok(await st.kvGet(CTX, { key: b(key), version: ts }));
  expect(r.error).toBeUndefined();
  return r.notFound ? undefined : s(r.value);
}

describe('prewrite / commit / get', () => {
  it('commits and reads at versions', async () => {
    const { storage } = newStorage();
    await put(storage, 'a', 'v1', 10n, 11n);
    await put(storage, 'a', 'v2', 20n, 21n);
    expect(await get(storage, 'a', 5n)).toBeUndefined();
    expect(await get(storage, 'a', 11n)).toBe('v1');
    expect(await get(storage, 'a', 20n)).toBe('v1');
    expect(await get(storage, 'a', 21n)).toBe('v2');
  });

  it('stores long values in the default CF', async () => {
    const { storage } = newStorage();
    const long = 'x'.repeat(1000);
    await put(storage, 'k', long, 10n, 11n);
    expect(await get(storage, 'k', 12n)).toBe(long);
  });

  it('a lock blocks readers at ts >= start_ts but not earlier readers', async () => {
    const { storage } = newStorage();
    await put(storage, 'a', 'v1', 10n, 11n);
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('a'), value: b('v2') }], primaryLock: b('a'), startVersion: 20n, lockTtl: 3000n }));
    expect(await get(storage, 'a', 15n)).toBe('v1');
    const r = ok(await storage.kvGet(CTX, { key: b('a'), version: 25n }));
    expect(r.error?.locked?.lockVersion).toBe(20n);
    expect(r.error?.locked?.primaryLock).toEqual(b('a'));
    // resolved_locks lets the reader pass
    expect(s(ok(await storage.kvGet(CTX, { key: b('a'), version: 25n, context: { resolvedLocks: [20n] } })).value)).toBe('v1');
    // RC isolation ignores locks
    expect(s(ok(await storage.kvGet(CTX, { key: b('a'), version: 25n, context: { isolationLevel: 1 } })).value)).toBe('v1');
    // committed_locks reads the locked value
    expect(s(ok(await storage.kvGet(CTX, { key: b('a'), version: 25n, context: { committedLocks: [20n] } })).value)).toBe('v2');
  });

  it('write conflict and self-rolled-back', async () => {
    const { storage } = newStorage();
    await put(storage, 'a', 'v1', 10n, 30n);
    const p = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('a'), value: b('x') }], primaryLock: b('a'), startVersion: 20n }));
    expect(p.errors[0]?.conflict?.conflictCommitTs).toBe(30n);
    expect(p.errors[0]?.conflict?.reason).toBe(WriteConflictReason.Optimistic);
    ok(await storage.batchRollback(CTX, { startVersion: 40n, keys: [b('a')] }));
    const p2 = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('a'), value: b('x') }], primaryLock: b('a'), startVersion: 40n }));
    expect(p2.errors[0]?.conflict?.reason).toBe(WriteConflictReason.SelfRolledBack);
  });

  it('insert on an existing key is AlreadyExist; after delete it succeeds', async () => {
    const { storage } = newStorage();
    await put(storage, 'a', 'v1', 10n, 11n);
    const p = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Insert, key: b('a'), value: b('x') }], primaryLock: b('a'), startVersion: 20n }));
    expect(p.errors[0]?.alreadyExist?.key).toEqual(b('a'));
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Del, key: b('a') }], primaryLock: b('a'), startVersion: 30n }));
    ok(await storage.commit(CTX, { startVersion: 30n, keys: [b('a')], commitVersion: 31n }));
    const p2 = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Insert, key: b('a'), value: b('x') }], primaryLock: b('a'), startVersion: 40n }));
    expect(p2.errors).toEqual([]);
  });

  it('prewrite is idempotent, also after commit', async () => {
    const { storage } = newStorage();
    const req = { mutations: [{ op: Op.Put, key: b('a'), value: b('v') }], primaryLock: b('a'), startVersion: 10n };
    expect(ok(await storage.prewrite(CTX, req)).errors).toEqual([]);
    expect(ok(await storage.prewrite(CTX, req)).errors).toEqual([]);
    ok(await storage.commit(CTX, { startVersion: 10n, keys: [b('a')], commitVersion: 11n }));
    await put(storage, 'a', 'w', 12n, 13n);
    expect(ok(await storage.prewrite(CTX, req)).errors).toEqual([]);
    expect(await get(storage, 'a', 20n)).toBe('w');
  });

  it('commit is idempotent; commit after rollback is retryable TxnLockNotFound', async () => {
    const { storage } = newStorage();
    await put(storage, 'a', 'v', 10n, 11n);
    expect(ok(await storage.commit(CTX, { startVersion: 10n, keys: [b('a')], commitVersion: 11n })).error).toBeUndefined();
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('b'), value: b('v') }], primaryLock: b('b'), startVersion: 20n }));
    ok(await storage.batchRollback(CTX, { startVersion: 20n, keys: [b('b')] }));
    const c = ok(await storage.commit(CTX, { startVersion: 20n, keys: [b('b')], commitVersion: 21n }));
    expect(c.error?.retryable).toMatch(/TxnLockNotFound/);
    expect(await get(storage, 'b', 30n)).toBeUndefined();
  });

  it('rejects keys over the size limit with a typed error', async () => {
    const { storage } = newStorage();
    const big = new Uint8Array(8 * 1024 + 1);
    const r = ok(await storage.kvGet(CTX, { key: big, version: 1n }));
    expect(r.error?.abort).toMatch(/KeyTooLarge/);
    const p = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: big, value: b('v') }], primaryLock: big, startVersion: 5n }));
    expect(p.errors[0]?.abort).toMatch(/KeyTooLarge/);
  });
});

describe('scan', () => {
  it('forward and reverse with versions, deletes and locks', async () => {
    const { storage } = newStorage();
    for (const [k, v] of [['a', '1'], ['b', '2'], ['c', '3'], ['d', '4']] as const) await put(storage, k, v, 10n, 11n);
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Del, key: b('b') }], primaryLock: b('b'), startVersion: 12n }));
    ok(await storage.commit(CTX, { startVersion: 12n, keys: [b('b')], commitVersion: 13n }));
    await put(storage, 'c', '33', 14n, 15n);
    const fwd = ok(await storage.kvScan(CTX, { startKey: b('a'), endKey: b('z'), limit: 10, version: 20n }));
    expect(fwd.pairs.map((p) => `${s(p.key)}=${s(p.value)}`)).toEqual(['a=1', 'c=33', 'd=4']);
    const old = ok(await storage.kvScan(CTX, { startKey: b(''), limit: 10, version: 14n }));
    expect(old.pairs.map((p) => `${s(p.key)}=${s(p.value)}`)).toEqual(['a=1', 'c=3', 'd=4']);
    const rev = ok(await storage.kvScan(CTX, { startKey: b('d'), endKey: b('a'), limit: 10, version: 20n, reverse: true }));
    expect(rev.pairs.map((p) => `${s(p.key)}=${s(p.value)}`)).toEqual(['c=33', 'a=1']);
    const lim = ok(await storage.kvScan(CTX, { startKey: b('a'), limit: 2, version: 20n, keyOnly: true }));
    expect(lim.pairs.map((p) => `${s(p.key)}=${s(p.value)}`)).toEqual(['a=', 'c=']);
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('c'), value: b('x') }], primaryLock: b('c'), startVersion: 30n }));
    const locked = ok(await storage.kvScan(CTX, { startKey: b('a'), limit: 10, version: 40n }));
    expect(locked.pairs.map((p) => (p.error ? `${s(p.key)}!` : s(p.key)))).toEqual(['a', 'c!', 'd']);
  });
});

describe('scan over many versions', () => {
  it('reads the right version when keys have more versions than SEEK_BOUND', async () => {
    const { storage } = newStorage();
    for (let v = 0; v < 20; v++) {
      for (const k of ['a', 'b', 'c']) await put(storage, k, `${k}${v}`, BigInt(100 + v * 10), BigInt(100 + v * 10 + 1));
    }
    for (const at of [99n, 101n, 150n, 151n, 255n, 1000n]) {
      const want = ['a', 'b', 'c'].flatMap((k) => {
        const v = at < 101n ? -1 : Number((at - 101n) / 10n);
        return v < 0 ? [] : [`${k}=${k}${Math.min(v, 19)}`];
      });
      const fwd = ok(await storage.kvScan(CTX, { limit: 10, version: at }));
      expect(fwd.pairs.map((p) => `${s(p.key)}=${s(p.value)}`)).toEqual(want);
      const rev = ok(await storage.kvScan(CTX, { limit: 10, version: at, reverse: true }));
      expect(rev.pairs.map((p) => `${s(p.key)}=${s(p.value)}`)).toEqual(want.slice().reverse());
    }
  });
});

describe('check_txn_status', () => {
  const ms = (n: number): bigint => composeTs(BigInt(n));

  it('expired lock is rolled back; live lock gets min_commit_ts pushed; missing lock branches', async () => {
    const { storage } = newStorage();
    const start = ms(1000);
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('p'), value: b('v') }], primaryLock: b('p'), startVersion: start, lockTtl: 100n, minCommitTs: start + 1n }));
    // Not expired: push min_commit_ts past caller_start_ts.
    const live = ok(await storage.checkTxnStatus(CTX, { primaryKey: b('p'), lockTs: start, callerStartTs: ms(1050), currentTs: ms(1050) }));
    expect(live.action).toBe(Action.MinCommitTSPushed);
    expect(live.lockTtl).toBe(100n);
    expect(live.lockInfo?.minCommitTs).toBe(ms(1050) + 1n);
    // Committing below the pushed min_commit_ts fails.
    const c = ok(await storage.commit(CTX, { startVersion: start, keys: [b('p')], commitVersion: ms(1040) }));
    expect(c.error?.commitTsExpired?.minCommitTs).toBe(ms(1050) + 1n);
    // Expired.
    const dead = ok(await storage.checkTxnStatus(CTX, { primaryKey: b('p'), lockTs: start, callerStartTs: ms(1200), currentTs: ms(1200) }));
    expect(dead.action).toBe(Action.TTLExpireRollback);
    expect(dead.lockTtl).toBe(0n);
    // Rolled back: NoAction, all zero.
    const again = ok(await storage.checkTxnStatus(CTX, { primaryKey: b('p'), lockTs: start, callerStartTs: ms(1200), currentTs: ms(1200) }));
    expect(again).toMatchObject({ action: Action.NoAction, lockTtl: 0n, commitVersion: 0n });
    // Never existed: TxnNotFound, or a protected rollback with rollback_if_not_exist.
    const nf = ok(await storage.checkTxnStatus(CTX, { primaryKey: b('q'), lockTs: ms(900), currentTs: ms(1200) }));
    expect(nf.error?.txnNotFound?.startTs).toBe(ms(900));
    const rb = ok(await storage.checkTxnStatus(CTX, { primaryKey: b('q'), lockTs: ms(900), currentTs: ms(1200), rollbackIfNotExist: true }));
    expect(rb.action).toBe(Action.LockNotExistRollback);
    const late = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('q'), value: b('v') }], primaryLock: b('q'), startVersion: ms(900) }));
    expect(late.errors[0]?.conflict?.reason).toBe(WriteConflictReason.SelfRolledBack);
  });

  it('committed transaction reports commit_version; caller_start_ts MAX counts as pushed', async () => {
    const { storage } = newStorage();
    await put(storage, 'p', 'v', ms(10), ms(11));
    const r = ok(await storage.checkTxnStatus(CTX, { primaryKey: b('p'), lockTs: ms(10), currentTs: ms(20) }));
    expect(r.commitVersion).toBe(ms(11));
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('x'), value: b('v') }], primaryLock: b('x'), startVersion: ms(30), lockTtl: 1000n }));
    const m = ok(await storage.checkTxnStatus(CTX, { primaryKey: b('x'), lockTs: ms(30), callerStartTs: (1n << 64n) - 1n, currentTs: ms(31) }));
    expect(m.action).toBe(Action.MinCommitTSPushed);
    expect(m.lockTtl).toBe(1000n);
  });

  it('resolving_pessimistic_lock removes an expired pessimistic primary without a rollback record', async () => {
    const { storage } = newStorage();
    const start = ms(1000);
    const l = ok(await storage.pessimisticLock(CTX, { mutations: [{ op: Op.PessimisticLock, key: b('p') }], primaryLock: b('p'), startVersion: start, forUpdateTs: start, lockTtl: 10n }));
    expect(l.errors).toEqual([]);
    const r = ok(await storage.checkTxnStatus(CTX, { primaryKey: b('p'), lockTs: start, currentTs: ms(2000), resolvingPessimisticLock: true }));
    expect(r.action).toBe(Action.TTLExpirePessimisticRollback);
    const r2 = ok(await storage.checkTxnStatus(CTX, { primaryKey: b('p'), lockTs: start, currentTs: ms(2000), resolvingPessimisticLock: true, rollbackIfNotExist: true }));
    expect(r2.action).toBe(Action.LockNotExistDoNothing);
  });
});

describe('resolve_lock, heartbeat, scan_lock, cleanup', () => {
  it('resolves a whole region for one txn, and txn_infos batches', async () => {
    const { storage } = newStorage();
    const keys = ['a', 'b', 'c', 'd'];
    ok(await storage.prewrite(CTX, { mutations: keys.map((k) => ({ op: Op.Put, key: b(k), value: b(k) })), primaryLock: b('a'), startVersion: 10n }));
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('e'), value: b('e') }], primaryLock: b('e'), startVersion: 12n }));
    const sl = ok(await storage.scanLock(CTX, { maxVersion: 11n, limit: 10 }));
    expect(sl.locks.map((l) => s(l.key))).toEqual(keys);
    ok(await storage.resolveLock(CTX, { startVersion: 10n, commitVersion: 15n }));
    for (const k of keys) expect(await get(storage, k, 20n)).toBe(k);
    ok(await storage.resolveLock(CTX, { txnInfos: [{ txn: 12n, status: 0n }] }));
    expect(await get(storage, 'e', 20n)).toBeUndefined();
    expect(ok(await storage.scanLock(CTX, { maxVersion: 100n })).locks).toEqual([]);
  });

  it('heartbeat raises ttl; missing lock is TxnNotFound', async () => {
    const { storage } = newStorage();
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('p'), value: b('v') }], primaryLock: b('p'), startVersion: 10n, lockTtl: 100n }));
    expect(ok(await storage.txnHeartBeat(CTX, { primaryLock: b('p'), startVersion: 10n, adviseLockTtl: 500n })).lockTtl).toBe(500n);
    expect(ok(await storage.txnHeartBeat(CTX, { primaryLock: b('p'), startVersion: 10n, adviseLockTtl: 200n })).lockTtl).toBe(500n);
    expect(ok(await storage.txnHeartBeat(CTX, { primaryLock: b('z'), startVersion: 10n })).error?.txnNotFound).toBeDefined();
  });

  it('cleanup keeps a live lock, reports a committed txn', async () => {
    const { storage } = newStorage();
    const t = composeTs(1000n);
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('p'), value: b('v') }], primaryLock: b('p'), startVersion: t, lockTtl: 100n }));
    expect(ok(await storage.cleanup(CTX, { key: b('p'), startVersion: t, currentTs: composeTs(1050n) })).error?.locked).toBeDefined();
    ok(await storage.commit(CTX, { startVersion: t, keys: [b('p')], commitVersion: t + 5n }));
    expect(ok(await storage.cleanup(CTX, { key: b('p'), startVersion: t, currentTs: composeTs(5000n) })).commitVersion).toBe(t + 5n);
  });
});

describe('remote input never crashes', () => {
  it('zero timestamps, duplicate prewrite keys and unknown ops are typed errors', async () => {
    const { storage } = newStorage();
    expect(ok(await storage.batchRollback(CTX, { startVersion: 0n, keys: [b('a')] })).error?.abort).toMatch(/start_version/);
    expect(ok(await storage.commit(CTX, { startVersion: 0n, keys: [b('a')], commitVersion: 5n })).error?.abort).toMatch(/start_version/);
    expect(ok(await storage.checkTxnStatus(CTX, { primaryKey: b('a'), lockTs: 0n })).error?.abort).toMatch(/lock_ts/);
    const dup = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('a'), value: b('1') }, { op: Op.Put, key: b('a'), value: b('2') }], primaryLock: b('a'), startVersion: 10n, useAsyncCommit: true, maxCommitTs: 100n }));
    expect(dup.errors[0]?.abort).toMatch(/duplicate/);
    const bad = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Rollback, key: b('a') }], primaryLock: b('a'), startVersion: 10n }));
    expect(bad.errors[0]?.abort).toMatch(/cannot be prewritten/);
    expect(storage.concurrencyManager.memoryLockCount).toBe(0);
    expect(storage.latches.heldSlotCount).toBe(0);
  });

  it('rolling back a stale lock of a committed transaction only removes the lock', async () => {
    const { storage } = newStorage();
    await put(storage, 'a', 'v', 10n, 11n);
    // A late pessimistic prewrite of a non-locked key (no constraint check) leaves a stale lock.
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('a'), value: b('v') }], pessimisticActions: [0], primaryLock: b('a'), startVersion: 10n, forUpdateTs: 10n }));
    expect(ok(await storage.scanLock(CTX, { maxVersion: 100n })).locks.length).toBe(1);
    expect(ok(await storage.batchRollback(CTX, { startVersion: 10n, keys: [b('a')] })).error).toBeUndefined();
    expect(ok(await storage.scanLock(CTX, { maxVersion: 100n })).locks.length).toBe(0);
    expect(await get(storage, 'a', 20n)).toBe('v');
  });
});
