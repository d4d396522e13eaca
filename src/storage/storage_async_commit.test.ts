// Proves async commit and 1PC: min_commit_ts from max_ts, secondaries in the primary lock,
// CheckSecondaryLocks outcomes, max_commit_ts fallback, 1PC commit records, and that a read
// racing an in-flight async prewrite either sees its memory lock or is below its min_commit_ts.
import { describe, expect, it } from 'vitest';
import { Op } from './kvrpc_types.ts';
import { CTX, b, newStorage, ok, s } from './testing/harness.ts';

describe('async commit', () => {
  it('computes min_commit_ts from max_ts and the request, stores secondaries on the primary', async () => {
    const { storage } = newStorage();
    // A reader at 100 raises max_ts.
    ok(await storage.kvGet(CTX, { key: b('zz'), version: 100n }));
    const r = ok(
      await storage.prewrite(CTX, {
        mutations: [
          { op: Op.Put, key: b('p'), value: b('1') },
          { op: Op.Put, key: b('s'), value: b('2') },
        ],
        primaryLock: b('p'),
        startVersion: 50n,
        lockTtl: 3000n,
        useAsyncCommit: true,
        secondaries: [b('s')],
        minCommitTs: 51n,
        maxCommitTs: 1000n,
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.minCommitTs).toBe(101n);
    expect(r.onePcCommitTs).toBe(0n);
    expect(storage.concurrencyManager.memoryLockCount).toBe(0);
    const locks = ok(await storage.scanLock(CTX, { maxVersion: 60n })).locks;
    const primary = locks.find((l) => s(l.key) === 'p')!;
    expect(primary.useAsyncCommit).toBe(true);
    expect(primary.secondaries.map(s)).toEqual(['s']);
    expect(primary.minCommitTs).toBe(101n);
    // A read at 100 is not blocked (min_commit_ts 101 > 100); a read at 200 is.
    expect(ok(await storage.kvGet(CTX, { key: b('s'), version: 100n })).notFound).toBe(true);
    expect(ok(await storage.kvGet(CTX, { key: b('s'), version: 200n })).error?.locked?.useAsyncCommit).toBe(true);
    // check_txn_status never rolls back an async-commit lock.
    const st = ok(await storage.checkTxnStatus(CTX, { primaryKey: b('p'), lockTs: 50n, currentTs: 1n << 60n, callerStartTs: 200n }));
    expect(st.lockTtl).toBe(3000n);
    expect(st.lockInfo?.useAsyncCommit).toBe(true);
    // CheckSecondaryLocks: both locked.
    const cs = ok(await storage.checkSecondaryLocks(CTX, { keys: [b('p'), b('s')], startVersion: 50n }));
    expect(cs.locks.length).toBe(2);
    // Commit below min_commit_ts is rejected; at it succeeds.
    expect(ok(await storage.commit(CTX, { startVersion: 50n, keys: [b('p')], commitVersion: 100n })).error?.commitTsExpired).toBeDefined();
    ok(await storage.commit(CTX, { startVersion: 50n, keys: [b('p')], commitVersion: 101n }));
    const cs2 = ok(await storage.checkSecondaryLocks(CTX, { keys: [b('p'), b('s')], startVersion: 50n }));
    expect(cs2.commitTs).toBe(101n);
  });

  it('CheckSecondaryLocks on a missing lock writes a protected rollback; later prewrite fails', async () => {
    const { storage } = newStorage();
    ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('p'), value: b('1') }], primaryLock: b('p'), startVersion: 10n, useAsyncCommit: true, secondaries: [b('s')], maxCommitTs: 100n }));
    const cs = ok(await storage.checkSecondaryLocks(CTX, { keys: [b('p'), b('s')], startVersion: 10n }));
    expect(cs).toMatchObject({ locks: [], commitTs: 0n });
    const late = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('s'), value: b('2') }], primaryLock: b('p'), startVersion: 10n, useAsyncCommit: true, maxCommitTs: 100n }));
    expect(late.errors[0]?.conflict).toBeDefined();
    // Resolving the async transaction as rolled back removes the primary lock.
    ok(await storage.resolveLock(CTX, { startVersion: 10n, commitVersion: 0n }));
    expect(ok(await storage.scanLock(CTX, { maxVersion: 100n })).locks).toEqual([]);
  });

  it('falls back to 2PC when min_commit_ts exceeds max_commit_ts', async () => {
    const { storage } = newStorage();
    ok(await storage.kvGet(CTX, { key: b('x'), version: 500n }));
    const r = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('p'), value: b('1') }], primaryLock: b('p'), startVersion: 10n, useAsyncCommit: true, secondaries: [], maxCommitTs: 100n }));
    expect(r).toMatchObject({ errors: [], minCommitTs: 0n, onePcCommitTs: 0n });
    const lock = ok(await storage.scanLock(CTX, { maxVersion: 100n })).locks[0]!;
    expect(lock.useAsyncCommit).toBe(false);
    ok(await storage.commit(CTX, { startVersion: 10n, keys: [b('p')], commitVersion: 20n }));
    expect(s(ok(await storage.kvGet(CTX, { key: b('p'), version: 30n })).value)).toBe('1');
  });

  it('a read that interleaves with an in-flight async prewrite sees its memory lock', async () => {
    const { storage, regionKv } = newStorage();
    // Hold the prewrite's engine write until the read has run.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const write = regionKv.write.bind(regionKv);
    regionKv.write = async (ctx, m) => {
      await gate;
      return write(ctx, m);
    };
    const pw = storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('k'), value: b('v') }], primaryLock: b('k'), startVersion: 10n, useAsyncCommit: true, secondaries: [], maxCommitTs: 1000n });
    await new Promise((r) => setTimeout(r, 5));
    expect(storage.concurrencyManager.memoryLockCount).toBe(1);
    const read = ok(await storage.kvGet(CTX, { key: b('k'), version: 50n }));
    expect(read.error?.locked?.lockVersion).toBe(10n);
    const scan = ok(await storage.kvScan(CTX, { startKey: b('a'), limit: 10, version: 50n }));
    expect(scan.error?.locked?.lockVersion).toBe(10n);
    release();
    const r = ok(await pw);
    expect(r.minCommitTs).toBe(11n);
    expect(storage.concurrencyManager.memoryLockCount).toBe(0);
  });
});

describe('1PC', () => {
  it('writes commit records directly and returns one_pc_commit_ts', async () => {
    const { storage } = newStorage();
    ok(await storage.kvGet(CTX, { key: b('x'), version: 40n }));
    const r = ok(
      await storage.prewrite(CTX, {
        mutations: [
          { op: Op.Put, key: b('a'), value: b('1') },
          { op: Op.Del, key: b('b') },
          { op: Op.Put, key: b('c'), value: b('x'.repeat(300)) },
        ],
        primaryLock: b('a'),
        startVersion: 20n,
        tryOnePc: true,
        maxCommitTs: 100n,
      }),
    );
    expect(r).toMatchObject({ errors: [], minCommitTs: 0n, onePcCommitTs: 41n });
    expect(ok(await storage.scanLock(CTX, { maxVersion: 100n })).locks).toEqual([]);
    expect(s(ok(await storage.kvGet(CTX, { key: b('a'), version: 41n })).value)).toBe('1');
    expect(ok(await storage.kvGet(CTX, { key: b('a'), version: 40n })).notFound).toBe(true);
    expect(ok(await storage.kvGet(CTX, { key: b('c'), version: 41n })).value.length).toBe(300);
  });

  it('falls back to 2PC with both timestamps 0 when max_commit_ts is too small', async () => {
    const { storage } = newStorage();
    ok(await storage.kvGet(CTX, { key: b('x'), version: 400n }));
    const r = ok(await storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('a'), value: b('1') }], primaryLock: b('a'), startVersion: 20n, tryOnePc: true, maxCommitTs: 100n }));
    expect(r).toMatchObject({ errors: [], minCommitTs: 0n, onePcCommitTs: 0n });
    expect(ok(await storage.scanLock(CTX, { maxVersion: 100n })).locks.length).toBe(1);
  });
});
