// Proves pessimistic transactions: lock acquisition, for_update_ts conflicts, return_values /
// check_existence / lock_only_if_exists, waiting for a lock (woken on release, timing out),
// local deadlock detection, pessimistic prewrite checks, and pessimistic rollback.
import { describe, expect, it } from 'vitest';
import { Op, PessimisticAction, WriteConflictReason } from './kvrpc_types.ts';
import { CTX, b, newStorage, ok, s } from './testing/harness.ts';
import type { Storage } from './storage.ts';

async function put(st: Storage, key: string, value: string, startTs: bigint, commitTs: bigint): Promise<void> {
  ok(await st.prewrite(CTX, { mutations: [{ op: Op.Put, key: b(key), value: b(value) }], primaryLock: b(key), startVersion: startTs }));
  ok(await st.commit(CTX, { startVersion: startTs, keys: [b(key)], commitVersion: commitTs }));
}

function lockReq(keys: string[], startTs: bigint, forUpdateTs: bigint, extra: Record<string, unknown> = {}) {
  return {
    mutations: keys.map((k) => ({ op: Op.PessimisticLock, key: b(k) })),
    primaryLock: b(keys[0]!),
    startVersion: startTs,
    forUpdateTs,
    lockTtl: 3000n,
    waitTimeout: -1n,
    ...extra,
  };
}

describe('pessimistic lock', () => {
  it('full flow: lock, values, prewrite with DO_PESSIMISTIC_CHECK, commit', async () => {
    const { storage } = newStorage();
    await put(storage, 'a', 'old', 5n, 6n);
    const l = ok(await storage.pessimisticLock(CTX, lockReq(['a', 'b'], 10n, 10n, { returnValues: true })));
    expect(l.errors).toEqual([]);
    expect(l.values.map(s)).toEqual(['old', '']);
    expect(l.notFounds).toEqual([false, true]);
    // Idempotent.
    expect(ok(await storage.pessimisticLock(CTX, lockReq(['a', 'b'], 10n, 10n))).errors).toEqual([]);
    // Pessimistic locks do not block readers.
    expect(s(ok(await storage.kvGet(CTX, { key: b('a'), version: 20n })).value)).toBe('old');
    // Another transaction's lock attempt fails with locked (no wait).
    const other = ok(await storage.pessimisticLock(CTX, lockReq(['a'], 11n, 11n)));
    expect(other.errors[0]?.locked?.lockVersion).toBe(10n);
    const pw = ok(
      await storage.prewrite(CTX, {
        mutations: [
          { op: Op.Put, key: b('a'), value: b('new') },
          { op: Op.Put, key: b('b'), value: b('b') },
          { op: Op.Put, key: b('c'), value: b('c') },
        ],
        pessimisticActions: [PessimisticAction.DoPessimisticCheck, PessimisticAction.DoPessimisticCheck, PessimisticAction.SkipPessimisticCheck],
        primaryLock: b('a'),
        startVersion: 10n,
        forUpdateTs: 10n,
        lockTtl: 3000n,
      }),
    );
    expect(pw.errors).toEqual([]);
    ok(await storage.commit(CTX, { startVersion: 10n, keys: [b('a'), b('b'), b('c')], commitVersion: 15n }));
    expect(s(ok(await storage.kvGet(CTX, { key: b('a'), version: 16n })).value)).toBe('new');
  });

  it('newer commit than for_update_ts is a PessimisticRetry write conflict', async () => {
    const { storage } = newStorage();
    await put(storage, 'a', 'v', 20n, 25n);
    const l = ok(await storage.pessimisticLock(CTX, lockReq(['a'], 10n, 22n)));
    expect(l.errors[0]?.conflict?.reason).toBe(WriteConflictReason.PessimisticRetry);
    expect(l.errors[0]?.conflict?.conflictCommitTs).toBe(25n);
    expect(ok(await storage.pessimisticLock(CTX, lockReq(['a'], 10n, 30n))).errors).toEqual([]);
  });

  it('check_existence and lock_only_if_exists', async () => {
    const { storage } = newStorage();
    await put(storage, 'a', 'v', 5n, 6n);
    const r = ok(await storage.pessimisticLock(CTX, lockReq(['a', 'b'], 10n, 10n, { checkExistence: true })));
    expect(r.notFounds).toEqual([false, true]);
    expect(r.values).toEqual([]);
    await put(storage, 'e', 'v', 7n, 8n);
    const r2 = ok(await storage.pessimisticLock(CTX, lockReq(['c', 'e'], 20n, 20n, { lockOnlyIfExists: true, returnValues: true })));
    expect(r2.errors).toEqual([]);
    expect(r2.notFounds).toEqual([true, false]);
    const locks = ok(await storage.scanLock(CTX, { maxVersion: 100n })).locks.filter((l) => l.lockVersion === 20n);
    expect(locks.map((l) => s(l.key))).toEqual(['e']);
    const bad = ok(await storage.pessimisticLock(CTX, lockReq(['f'], 30n, 30n, { lockOnlyIfExists: true })));
    expect(bad.errors[0]?.abort).toMatch(/lock_only_if_exists/);
  });

  it('prewrite without the expected pessimistic lock fails; other txn lock ttl reported as 0', async () => {
    const { storage } = newStorage();
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('x'), value: b('1') }], primaryLock: b('x'), startVersion: 5n, lockTtl: 3000n }));
    const r = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('x'), value: b('2') }], pessimisticActions: [PessimisticAction.SkipPessimisticCheck], primaryLock: b('x'), startVersion: 10n, forUpdateTs: 10n }));
    expect(r.errors[0]?.locked?.lockTtl).toBe(0n);
    const r2 = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('x'), value: b('2') }], pessimisticActions: [PessimisticAction.DoPessimisticCheck], primaryLock: b('x'), startVersion: 10n, forUpdateTs: 10n }));
    expect(r2.errors[0]?.retryable).toMatch(/PessimisticLockNotFound/);
  });

  it('waits for a lock and acquires it once the holder rolls back', async () => {
    const { storage, clock } = newStorage();
    ok(await storage.pessimisticLock(CTX, lockReq(['a'], 10n, 10n)));
    const waiting = storage.pessimisticLock(CTX, lockReq(['a'], 20n, 20n, { waitTimeout: 1000n }));
    await new Promise((r) => setTimeout(r, 5));
    ok(await storage.pessimisticRollback(CTX, { startVersion: 10n, forUpdateTs: 10n, keys: [b('a')] }));
    const r = ok(await waiting);
    expect(r.errors).toEqual([]);
    void clock;
  });

  it('a wait that times out returns the lock; commit of the holder yields a write conflict', async () => {
    const { storage, clock } = newStorage();
    ok(await storage.pessimisticLock(CTX, lockReq(['a'], 10n, 10n)));
    const waiting = storage.pessimisticLock(CTX, lockReq(['a'], 20n, 20n, { waitTimeout: 500n }));
    await new Promise((r) => setTimeout(r, 5));
    clock.advance(600);
    expect(ok(await waiting).errors[0]?.locked?.lockVersion).toBe(10n);
    const waiting2 = storage.pessimisticLock(CTX, lockReq(['a'], 20n, 20n, { waitTimeout: 500n }));
    await new Promise((r) => setTimeout(r, 5));
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('a'), value: b('v') }], pessimisticActions: [1], primaryLock: b('a'), startVersion: 10n, forUpdateTs: 10n }));
    ok(await storage.commit(CTX, { startVersion: 10n, keys: [b('a')], commitVersion: 30n }));
    expect(ok(await waiting2).errors[0]?.conflict?.reason).toBe(WriteConflictReason.PessimisticRetry);
  });

  it('detects a local deadlock', async () => {
    const { storage, clock } = newStorage();
    ok(await storage.pessimisticLock(CTX, lockReq(['a'], 10n, 10n)));
    ok(await storage.pessimisticLock(CTX, lockReq(['b'], 20n, 20n)));
    const w1 = storage.pessimisticLock(CTX, lockReq(['b'], 10n, 10n, { waitTimeout: 1000n }));
    await new Promise((r) => setTimeout(r, 5));
    const w2 = ok(await storage.pessimisticLock(CTX, lockReq(['a'], 20n, 20n, { waitTimeout: 1000n })));
    expect(w2.errors[0]?.deadlock?.lockTs).toBe(10n);
    clock.advance(2000);
    expect(ok(await w1).errors[0]?.locked).toBeDefined();
  });

  it('pessimistic rollback with empty keys removes all the txn locks in the region', async () => {
    const { storage } = newStorage();
    ok(await storage.pessimisticLock(CTX, lockReq(['a', 'b', 'c'], 10n, 10n)));
    ok(await storage.pessimisticLock(CTX, lockReq(['d'], 11n, 11n)));
    ok(await storage.pessimisticRollback(CTX, { startVersion: 10n, forUpdateTs: (1n << 64n) - 1n, keys: [] }));
    expect(ok(await storage.scanLock(CTX, { maxVersion: 100n })).locks.map((l) => s(l.key))).toEqual(['d']);
  });
});
