// Proves remote input never crashes Storage: random, often nonsensical requests (any op number,
// zero/huge timestamps, duplicate and empty keys, odd flags) only ever produce responses, and
// leave no latch or memory lock behind. (Raw writes into the lock/write CFs are left out: raw
// bytes there are not MVCC records, and API v1 forbids mixing raw and txn data in one cluster.)
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CTX, newStorage } from './testing/harness.ts';
import type { Storage } from './storage.ts';

const key = fc.oneof(fc.uint8Array({ maxLength: 3 }), fc.constant(new Uint8Array(9000)));
const ts = fc.oneof(fc.constantFrom(0n, 1n, 5n, 10n, 20n, (1n << 64n) - 1n), fc.bigInt({ min: 0n, max: 100n }));
const mutation = fc.record({ op: fc.integer({ min: -1, max: 9 }), key, value: fc.uint8Array({ maxLength: 300 }), assertion: fc.integer({ min: 0, max: 3 }) });

type Call = (st: Storage) => Promise<unknown>;
const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ m: fc.array(mutation, { maxLength: 4 }), p: key, s: ts, f: ts, a: fc.boolean(), o: fc.boolean(), mx: ts, act: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }) }).map(
    (r): Call => (st) => st.prewrite(CTX, { mutations: r.m, primaryLock: r.p, startVersion: r.s, forUpdateTs: r.f, useAsyncCommit: r.a, tryOnePc: r.o, maxCommitTs: r.mx, secondaries: [r.p], pessimisticActions: r.act, assertionLevel: 2 }),
  ),
  fc.record({ k: fc.array(key, { maxLength: 3 }), s: ts, c: ts }).map((r): Call => (st) => st.commit(CTX, { keys: r.k, startVersion: r.s, commitVersion: r.c })),
  fc.record({ k: fc.array(key, { maxLength: 3 }), s: ts }).map((r): Call => (st) => st.batchRollback(CTX, { keys: r.k, startVersion: r.s })),
  fc.record({ k: key, l: ts, c: ts, cur: ts, r: fc.boolean(), f: fc.boolean(), p: fc.boolean() }).map(
    (r): Call => (st) => st.checkTxnStatus(CTX, { primaryKey: r.k, lockTs: r.l, callerStartTs: r.c, currentTs: r.cur, rollbackIfNotExist: r.r, forceSyncCommit: r.f, resolvingPessimisticLock: r.p }),
  ),
  fc.record({ k: fc.array(key, { maxLength: 3 }), s: ts }).map((r): Call => (st) => st.checkSecondaryLocks(CTX, { keys: r.k, startVersion: r.s })),
  fc.record({ k: fc.array(key, { maxLength: 2 }), s: ts, c: ts }).map((r): Call => (st) => st.resolveLock(CTX, { keys: r.k, startVersion: r.s, commitVersion: r.c })),
  fc.record({ k: fc.array(key, { maxLength: 3 }), s: ts, f: ts, rv: fc.boolean(), ce: fc.boolean(), lo: fc.boolean(), op: fc.integer({ min: 0, max: 6 }) }).map(
    (r): Call => (st) => st.pessimisticLock(CTX, { mutations: r.k.map((k) => ({ op: r.op, key: k })), primaryLock: r.k[0] ?? new Uint8Array(), startVersion: r.s, forUpdateTs: r.f, returnValues: r.rv, checkExistence: r.ce, lockOnlyIfExists: r.lo, waitTimeout: -1n }),
  ),
  fc.record({ k: fc.array(key, { maxLength: 3 }), s: ts, f: ts }).map((r): Call => (st) => st.pessimisticRollback(CTX, { keys: r.k, startVersion: r.s, forUpdateTs: r.f })),
  fc.record({ k: key, s: ts, t: ts }).map((r): Call => (st) => st.txnHeartBeat(CTX, { primaryLock: r.k, startVersion: r.s, adviseLockTtl: r.t })),
  fc.record({ k: key, v: ts }).map((r): Call => (st) => st.kvGet(CTX, { key: r.k, version: r.v })),
  fc.record({ a: key, b: key, v: ts, l: fc.integer({ min: 0, max: 20000 }), r: fc.boolean() }).map((r): Call => (st) => st.kvScan(CTX, { startKey: r.a, endKey: r.b, version: r.v, limit: r.l, reverse: r.r })),
  fc.record({ m: ts, l: fc.nat(5) }).map((r): Call => (st) => st.scanLock(CTX, { maxVersion: r.m, limit: r.l })),
  fc.record({ sp: ts }).map((r): Call => (st) => st.gc(CTX, { safePoint: r.sp })),
  fc.record({ k: key, v: fc.uint8Array({ maxLength: 4 }), cf: fc.constantFrom('', 'default', 'raft', 'x'), ttl: fc.constantFrom(0n, 1n) }).map(
    (r): Call => (st) => st.rawPut(CTX, { key: r.k, value: r.v, cf: r.cf, ttl: r.ttl }),
  ),
  fc.record({ a: key, b: key, l: fc.integer({ min: 0, max: 20000 }), r: fc.boolean() }).map((r): Call => (st) => st.rawScan(CTX, { startKey: r.a, endKey: r.b, limit: r.l, reverse: r.r })),
  fc.record({ k: key, v: fc.uint8Array({ maxLength: 4 }), n: fc.boolean() }).map((r): Call => (st) => st.rawCompareAndSwap(CTX, { key: r.k, value: r.v, previousNotExist: r.n })),
);

describe('request fuzz', () => {
  it('never throws and leaves no latches or memory locks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 25 }), async (calls) => {
        const { storage } = newStorage();
        for (const c of calls) await c(storage);
        // Also concurrently.
        await Promise.all(calls.map((c) => c(storage)));
        expect(storage.latches.heldSlotCount).toBe(0);
        expect(storage.concurrencyManager.memoryLockCount).toBe(0);
      }),
      { numRuns: Number(process.env['FUZZ_RUNS'] ?? 150), seed: Number(process.env['FUZZ_SEED'] ?? 1123) },
    );
  });
});
