// Proves the transactional and RawKV RPCs end to end over gRPC with the real Storage and raftstore (unary and BatchCommands), including region errors after a txn split.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeKey } from '../codec/mod.ts';
import { MemoryEngine } from '../engine/mod.ts';
import { createClient, type DeepPartial, type kvrpcpb, type ServiceClient, type tikvpb } from '../proto/mod.ts';
import { PdStubForTests } from '../raftstore/mod.ts';
import { contextOf } from './test_context.ts';
import { TikvServer } from './tikv_server.ts';

const te = new TextEncoder();
const k = (s: string): Uint8Array => te.encode(s);
const str = (b: Uint8Array | undefined | null): string => Buffer.from(b ?? []).toString();
const hex = (b: Uint8Array | undefined | null): string => Buffer.from(b ?? []).toString('hex');
const OP_PUT = 0;
const OP_PESSIMISTIC_LOCK = 5;

let server: TikvServer;
let client: ServiceClient<'tikvpb.Tikv'>;

const ctx = (): DeepPartial<kvrpcpb.Context> => contextOf(server.store.regions()[0]!);

beforeAll(async () => {
  server = await TikvServer.start(
    { addr: '127.0.0.1:0', statusAddr: '127.0.0.1:0', dataDir: '/nonexistent-memory-engine' },
    { pd: new PdStubForTests(), engine: new MemoryEngine() },
  );
  client = createClient('tikvpb.Tikv', server.addr);
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

describe('TikvServer transactional RPCs', () => {
  it('runs 2PC: prewrite, commit, get, batch get, scan', async () => {
    const pw = await client.KvPrewrite({
      context: ctx(),
      mutations: [
        { op: OP_PUT, key: k('a'), value: k('1') },
        { op: OP_PUT, key: k('b'), value: k('2') },
      ],
      primaryLock: k('a'),
      startVersion: 10n,
      lockTtl: 3000n,
    });
    expect(pw.regionError).toBeFalsy();
    expect(pw.errors).toEqual([]);
    // Before commit a reader after start_ts meets the lock.
    const locked = await client.KvGet({ context: ctx(), key: k('a'), version: 15n });
    expect(str(locked.error?.locked?.primaryLock)).toBe('a');

    const cm = await client.KvCommit({ context: ctx(), keys: [k('a'), k('b')], startVersion: 10n, commitVersion: 20n });
    expect(cm.error).toBeFalsy();
    const got = await client.KvGet({ context: ctx(), key: k('a'), version: 30n });
    expect(str(got.value)).toBe('1');
    const old = await client.KvGet({ context: ctx(), key: k('a'), version: 19n });
    expect(old.notFound).toBe(true);
    const bg = await client.KvBatchGet({ context: ctx(), keys: [k('a'), k('b'), k('c')], version: 30n });
    expect(bg.pairs.map((p) => `${str(p.key)}=${str(p.value)}`)).toEqual(['a=1', 'b=2']);
    const scan = await client.KvScan({ context: ctx(), startKey: k(''), limit: 10, version: 30n });
    expect(scan.pairs.map((p) => str(p.key))).toEqual(['a', 'b']);
  });

  it('resolves an abandoned lock: scan lock, check txn status, resolve lock, rollback', async () => {
    await client.KvPrewrite({
      context: ctx(),
      mutations: [{ op: OP_PUT, key: k('c'), value: k('3') }],
      primaryLock: k('c'),
      startVersion: 40n,
      lockTtl: 1n,
    });
    const locks = await client.KvScanLock({ context: ctx(), maxVersion: 100n, startKey: k(''), limit: 10 });
    expect(locks.locks.map((l) => str(l.key))).toEqual(['c']);
    const hb = await client.KvTxnHeartBeat({ context: ctx(), primaryLock: k('c'), startVersion: 40n, adviseLockTtl: 5n });
    expect(hb.error).toBeFalsy();
    expect(hb.lockTtl).toBe(5n);
    const status = await client.KvCheckTxnStatus({
      context: ctx(),
      primaryKey: k('c'),
      lockTs: 40n,
      callerStartTs: 50n,
      currentTs: (1n << 62n),
      rollbackIfNotExist: true,
    });
    expect(status.error).toBeFalsy();
    expect(status.commitVersion).toBe(0n);
    const resolved = await client.KvResolveLock({ context: ctx(), startVersion: 40n, commitVersion: 0n });
    expect(resolved.error).toBeFalsy();
    expect((await client.KvScanLock({ context: ctx(), maxVersion: 100n, limit: 10 })).locks).toEqual([]);
    const rb = await client.KvBatchRollback({ context: ctx(), startVersion: 60n, keys: [k('d')] });
    expect(rb.error).toBeFalsy();
    const cleanup = await client.KvCleanup({ context: ctx(), key: k('e'), startVersion: 61n });
    expect(cleanup.error).toBeFalsy();
    const secondaries = await client.KvCheckSecondaryLocks({ context: ctx(), keys: [k('f')], startVersion: 62n });
    expect(secondaries.error).toBeFalsy();
  });

  it('takes and rolls back pessimistic locks', async () => {
    const pl = await client.KvPessimisticLock({
      context: ctx(),
      mutations: [{ op: OP_PESSIMISTIC_LOCK, key: k('p') }],
      primaryLock: k('p'),
      startVersion: 70n,
      forUpdateTs: 70n,
      lockTtl: 3000n,
    });
    expect(pl.errors).toEqual([]);
    expect((await client.KvScanLock({ context: ctx(), maxVersion: 100n, limit: 10 })).locks.map((l) => str(l.key))).toEqual(['p']);
    const pr = await client.KVPessimisticRollback({ context: ctx(), keys: [k('p')], startVersion: 70n, forUpdateTs: 70n });
    expect(pr.errors).toEqual([]);
    expect((await client.KvScanLock({ context: ctx(), maxVersion: 100n, limit: 10 })).locks).toEqual([]);
  });

  it('runs prewrite + commit + get inside BatchCommands', async () => {
    const stream = client.BatchCommands();
    const send = (id: bigint, req: DeepPartial<tikvpb.BatchCommandsRequest.Request>): Promise<tikvpb.BatchCommandsResponse.Response> =>
      new Promise((resolve) => {
        const onData = (res: tikvpb.BatchCommandsResponse): void => {
          const i = res.requestIds.indexOf(id);
          if (i >= 0) {
            stream.off('data', onData);
            resolve(res.responses[i]!);
          }
        };
        stream.on('data', onData);
        stream.write({ requests: [req], requestIds: [id] });
      });
    const pw = await send(1n, {
      Prewrite: { context: ctx(), mutations: [{ op: OP_PUT, key: k('x'), value: k('9') }], primaryLock: k('x'), startVersion: 80n, lockTtl: 3000n },
    });
    expect(pw.Prewrite?.errors).toEqual([]);
    const cm = await send(2n, { Commit: { context: ctx(), keys: [k('x')], startVersion: 80n, commitVersion: 81n } });
    expect(cm.Commit?.error).toBeFalsy();
    const got = await send(3n, { Get: { context: ctx(), key: k('x'), version: 90n } });
    expect(str(got.Get?.value)).toBe('9');
    stream.end();
  });

  it('runs KvGC up to a safe point', async () => {
    const gc = await client.KvGC({ context: ctx(), safePoint: 25n });
    expect(gc.regionError).toBeFalsy();
    expect(gc.error).toBeFalsy();
    expect(str((await client.KvGet({ context: ctx(), key: k('a'), version: 30n })).value)).toBe('1');
  });

  it('deletes a range of transactional keys', async () => {
    const dr = await client.KvDeleteRange({ context: ctx(), startKey: k('x'), endKey: k('y') });
    expect(dr.error).toBe('');
    const got = await client.KvGet({ context: ctx(), key: k('x'), version: 1000n });
    expect(got.notFound).toBe(true);
  });

  it('after a txn split answers stale epochs with encoded boundaries and serves both regions', async () => {
    const before = server.store.regions()[0]!;
    const split = await client.SplitRegion({ context: contextOf(before), splitKeys: [k('b')] });
    expect(split.regions.length).toBe(2);
    const [left, right] = split.regions;
    expect(hex(left!.endKey)).toBe(hex(encodeKey(k('b'))));
    const stale = await client.KvGet({ context: contextOf(before), key: k('a'), version: 30n });
    const current = stale.regionError?.epochNotMatch?.currentRegions ?? [];
    expect(current.map((r) => Buffer.from(r.startKey).toString('hex')).sort()).toEqual(['', Buffer.from(encodeKey(k('b'))).toString('hex')]);
    expect(str((await client.KvGet({ context: contextOf(left!), key: k('a'), version: 30n })).value)).toBe('1');
    expect(str((await client.KvGet({ context: contextOf(right!), key: k('b'), version: 30n })).value)).toBe('2');
    const misplaced = await client.KvGet({ context: contextOf(left!), key: k('b'), version: 30n });
    expect(hex(misplaced.regionError?.keyNotInRegion?.endKey)).toBe(hex(encodeKey(k('b'))));
    // A scan in the left region stops at its end.
    const scan = await client.KvScan({ context: contextOf(left!), startKey: k(''), limit: 10, version: 30n });
    expect(scan.pairs.map((p) => str(p.key))).toEqual(['a']);
  });
});

describe('TikvServer UnsafeDestroyRange', () => {
  it('destroys a transactional range across regions and rejects an open end', async () => {
    const regions = server.store.regions();
    expect(regions.length).toBeGreaterThan(1);
    const res = await client.UnsafeDestroyRange({ context: {}, startKey: k('a'), endKey: k('c') });
    expect(res.error).toBe('');
    for (const key of ['a', 'b']) {
      const region = server.store.getRegionByKey(encodeKey(k(key)))!;
      expect((await client.KvGet({ context: contextOf(region), key: k(key), version: 1000n })).notFound).toBe(true);
    }
    const open = await client.UnsafeDestroyRange({ startKey: k('a') });
    expect(open.error).toMatch(/end_key must be set/);
  });
});

describe('TikvServer RawKV RPCs over the real Storage', () => {
  it('batch put/get/scan/delete, delete range and compare-and-swap', async () => {
    const fresh = await TikvServer.start(
      { addr: '127.0.0.1:0', statusAddr: '127.0.0.1:0', dataDir: '/nonexistent-memory-engine' },
      { pd: new PdStubForTests(), engine: new MemoryEngine() },
    );
    const c = createClient('tikvpb.Tikv', fresh.addr);
    try {
      const rctx = contextOf(fresh.store.regions()[0]!);
      const pairs = ['r1', 'r2', 'r3', 'r4'].map((s) => ({ key: k(s), value: k(`v-${s}`) }));
      expect((await c.RawBatchPut({ context: rctx, pairs })).error).toBe('');
      const bg = await c.RawBatchGet({ context: rctx, keys: [k('r1'), k('r4'), k('zz')] });
      expect(bg.pairs.filter((p) => p.value.length > 0).map((p) => str(p.value))).toEqual(['v-r1', 'v-r4']);
      const scan = await c.RawScan({ context: rctx, startKey: k('r2'), limit: 2 });
      expect(scan.kvs.map((p) => str(p.key))).toEqual(['r2', 'r3']);
      expect((await c.RawDelete({ context: rctx, key: k('r1') })).error).toBe('');
      expect((await c.RawBatchDelete({ context: rctx, keys: [k('r2')] })).error).toBe('');
      expect((await c.RawDeleteRange({ context: rctx, startKey: k('r3'), endKey: k('r4') })).error).toBe('');
      const left = await c.RawScan({ context: rctx, startKey: k(''), limit: 10 });
      expect(left.kvs.map((p) => str(p.key))).toEqual(['r4']);
      const cas = await c.RawCompareAndSwap({ context: rctx, key: k('r4'), previousValue: k('v-r4'), value: k('new') });
      expect(cas.succeed).toBe(true);
      const casFail = await c.RawCompareAndSwap({ context: rctx, key: k('r4'), previousValue: k('v-r4'), value: k('newer') });
      expect(casFail.succeed).toBe(false);
      expect(str((await c.RawGet({ context: rctx, key: k('r4') })).value)).toBe('new');
    } finally {
      c.close();
      await fresh.stop();
    }
  });
});
