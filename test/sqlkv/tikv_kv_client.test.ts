// Proves TikvKvClient against a real in-process cluster: multi-region scans/batch gets/commits, stale region caches, conflicts (exactly one winner), lock resolution of abandoned 2PC and async-commit transactions, heartbeats, 1PC / async commit / 2PC paths, Insert, and coprocessor errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesCompare } from '../../src/util/mod.ts';
import { CoprocessorError, KeyAlreadyExistsError, TxnAbandonedError, WriteConflictError, type TikvKvClient } from '../../sql-demo/kv/mod.ts';
import { dec, enc, startFixture, type ClusterFixture } from './cluster_fixture.ts';

let fx: ClusterFixture;
let client: TikvKvClient;

beforeAll(async () => {
  fx = await startFixture();
  client = await fx.connect();
});
afterAll(async () => {
  await fx?.stop();
});

const key = (p: string, i: number): string => `${p}${String(i).padStart(4, '0')}`;

async function collect(it: AsyncIterable<{ key: Uint8Array; value: Uint8Array }>): Promise<string[]> {
  const out: string[] = [];
  for await (const kv of it) out.push(`${dec(kv.key)}=${dec(kv.value)}`);
  return out;
}

describe('multi-region', () => {
  it('splits regions, lists them decoded, and commits/scans/batch-gets across them in both directions', async () => {
    const splits = [10, 50, 51, 120, 200, 290].map((i) => enc(key('mr/', i)));
    await client.splitRegions(splits);
    await client.splitRegions([enc(key('mr/', 50))]); // already a boundary: no-op
    const regions = await client.regions(enc('mr/'), enc('mr0'));
    const starts = regions.map((r) => dec(r.startKey));
    for (const s of splits) expect(starts).toContain(dec(s));
    for (let i = 1; i < regions.length; i++) expect(bytesCompare(regions[i - 1]!.endKey, regions[i]!.startKey)).toBe(0);
    expect(regions.every((r) => r.leaderStoreId > 0n)).toBe(true);

    const t = await client.begin();
    const model: string[] = [];
    for (let i = 0; i < 300; i++) {
      t.set(enc(key('mr/', i)), enc(`v${i}`));
      model.push(`${key('mr/', i)}=v${i}`);
    }
    await t.commit(); // 300 keys > async-commit limit, 7 regions: plain 2PC
    expect(client.commitCounts.twoPc).toBeGreaterThan(0);

    const s = await client.snapshot();
    expect(await collect(s.scan(enc('mr/'), enc('mr0')))).toEqual(model);
    expect(await collect(s.scan(enc('mr/'), enc('mr0'), { reverse: true }))).toEqual([...model].reverse());
    expect(await collect(s.scan(enc(key('mr/', 45)), enc(key('mr/', 125)), { limit: 30 }))).toEqual(model.slice(45, 75));
    expect(await collect(s.scan(enc(key('mr/', 45)), enc(key('mr/', 125)), { reverse: true, limit: 80 }))).toEqual(model.slice(45, 125).reverse());
    expect(await collect(s.scan(enc(key('mr/', 50)), enc(key('mr/', 51))))).toEqual([model[50]]);
    expect(await collect(s.scan(enc(key('mr/', 290)), new Uint8Array(0), { reverse: true, limit: 3 }))).toEqual([...model].reverse().slice(0, 3).filter((x) => x >= key('mr/', 290)));
    const got = await s.batchGet([0, 9, 10, 50, 199, 299, 400].map((i) => enc(key('mr/', i))));
    expect(got.size).toBe(6);
  });

  it('a client with a stale region cache follows EpochNotMatch after another client splits', async () => {
    const other = await fx.connect();
    const t = await client.begin();
    for (let i = 0; i < 40; i++) t.set(enc(key('st/', i)), enc('a'));
    await t.commit();
    expect((await collect((await client.snapshot()).scan(enc('st/'), enc('st0')))).length).toBe(40);
    await other.splitRegions([5, 15, 25, 35].map((i) => enc(key('st/', i))));
    // `client` still caches the pre-split region.
    const s = await client.snapshot();
    expect((await collect(s.scan(enc('st/'), enc('st0')))).length).toBe(40);
    expect(dec(await s.get(enc(key('st/', 30))))).toBe('a');
    const t2 = await client.begin();
    for (let i = 0; i < 40; i += 3) t2.set(enc(key('st/', i)), enc('b'));
    await t2.commit();
    const s2 = await other.snapshot();
    expect(dec(await s2.get(enc(key('st/', 30))))).toBe('b');
    expect(dec(await s2.get(enc(key('st/', 31))))).toBe('a');
  });
});

describe('transactions', () => {
  it('concurrent conflicting transactions: exactly one of each round wins, the rest get WriteConflictError', async () => {
    const counter = enc('cf/counter');
    const init = await client.begin();
    init.set(counter, enc('0'));
    init.set(enc('cf/other'), enc('x'));
    await init.commit();
    for (let round = 0; round < 3; round++) {
      const txns = await Promise.all([0, 1, 2, 3, 4].map(() => client.begin()));
      for (const t of txns) {
        const v = Number(dec(await t.get(counter)));
        t.set(counter, enc(String(v + 1)));
        t.set(enc(`cf/other${txns.indexOf(t)}`), enc('y')); // two keys: not a single-key fast path
      }
      const results = await Promise.allSettled(txns.map((t) => t.commit()));
      const wins = results.filter((r) => r.status === 'fulfilled').length;
      expect(wins).toBe(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WriteConflictError);
    }
    expect(dec(await (await client.snapshot()).get(counter))).toBe('3');
  });

  it('uses 1PC for a single-region txn, async commit for a small multi-region one, 2PC when both are off', async () => {
    await client.splitRegions([enc('pa/m')]);
    const before = { ...client.commitCounts };
    const t1 = await client.begin();
    t1.set(enc('pa/a'), enc('1'));
    t1.set(enc('pa/b'), enc('1'));
    const c1 = await t1.commit();
    expect(client.commitCounts.onePc).toBe(before.onePc + 1);
    const t2 = await client.begin();
    t2.set(enc('pa/a'), enc('2'));
    t2.set(enc('pa/z'), enc('2'));
    const c2 = await t2.commit();
    expect(client.commitCounts.asyncCommit).toBe(before.asyncCommit + 1);
    expect(c2 > c1).toBe(true);
    const plain = await fx.connect({ asyncCommit: false, onePc: false });
    const t3 = await plain.begin();
    t3.set(enc('pa/a'), enc('3'));
    await t3.commit();
    expect(plain.commitCounts).toEqual({ onePc: 0, asyncCommit: 0, twoPc: 1 });
    // A reader right after an async commit sees it (it may meet the locks before cleanup and resolve them).
    const s = await client.snapshot();
    expect(dec(await s.get(enc('pa/a')))).toBe('3');
    expect(dec(await s.get(enc('pa/z')))).toBe('2');
  });

  it('Insert of an existing key fails with KeyAlreadyExistsError; of a new key succeeds', async () => {
    const t = await client.begin();
    t.set(enc('ins/a'), enc('1'));
    await t.commit();
    const t2 = await client.begin();
    t2.insert(enc('ins/a'), enc('2'));
    await expect(t2.commit()).rejects.toBeInstanceOf(KeyAlreadyExistsError);
    const t3 = await client.begin();
    t3.insert(enc('ins/b'), enc('2'));
    await t3.commit();
    expect(dec(await (await client.snapshot()).get(enc('ins/b')))).toBe('2');
    expect(dec(await (await client.snapshot()).get(enc('ins/a')))).toBe('1');
  });

  it('locks of a client that died after prewrite are resolved by later readers (2PC: rolled back; async commit: committed), and heartbeats keep a slow committer alive', async () => {
    await client.splitRegions([enc('dead/m'), enc('acd/m'), enc('hb/m')]);
    const seed = await client.begin();
    for (const k of ['dead/a', 'dead/z', 'acd/a', 'acd/z', 'hb/a', 'hb/z']) seed.set(enc(k), enc('old'));
    await seed.commit();
    await client.flushBackground();

    const dying2pc = await fx.connect({ asyncCommit: false, onePc: false, beforeCommitPrimary: async () => 'abandon' });
    const dyingAsync = await fx.connect({ onePc: false, beforeCommitPrimary: async () => 'abandon' });
    const slow = await fx.connect({ asyncCommit: false, onePc: false, beforeCommitPrimary: async () => { await new Promise((r) => setTimeout(r, 4500)); } });

    const a = await dying2pc.begin();
    a.set(enc('dead/a'), enc('new'));
    a.set(enc('dead/z'), enc('new'));
    await expect(a.commit()).rejects.toBeInstanceOf(TxnAbandonedError);
    const b = await dyingAsync.begin();
    b.set(enc('acd/a'), enc('new'));
    b.set(enc('acd/z'), enc('new'));
    await expect(b.commit()).rejects.toBeInstanceOf(TxnAbandonedError);
    const c = await slow.begin();
    c.set(enc('hb/a'), enc('new'));
    c.set(enc('hb/z'), enc('new'));
    const slowCommit = c.commit();

    const readerStart = Date.now();
    const [deadA, deadZ, acdZ, acdA] = await Promise.all([
      (await client.snapshot()).get(enc('dead/z')),
      (await client.snapshot()).get(enc('dead/a')),
      (await client.snapshot()).get(enc('acd/z')),
      (await client.snapshot()).get(enc('acd/a')),
    ]);
    expect([dec(deadA), dec(deadZ)]).toEqual(['old', 'old']); // primary expired -> rolled back
    expect([dec(acdZ), dec(acdA)]).toEqual(['new', 'new']); // every async lock present -> committed
    expect(Date.now() - readerStart).toBeGreaterThanOrEqual(2000); // waited for the 3 s TTL, minus time already spent
    // The slow committer is still alive past its TTL thanks to TxnHeartBeat; a reader at a later ts waits for it.
    const hbReader = await client.snapshot();
    const hbValue = hbReader.get(enc('hb/z'));
    const commitTs = await slowCommit;
    expect(commitTs > 0n).toBe(true);
    const v = dec(await hbValue);
    expect(v === 'new' || v === 'old').toBe(true);
    expect(dec(await (await client.snapshot()).get(enc('hb/z')))).toBe('new');
    expect(dec(await (await client.snapshot()).get(enc('dead/a')))).toBe('old');
  });
});

describe('coprocessor', () => {
  it('surfaces the store\'s other_error (here: a DAG without executors) as CoprocessorError of the first region', async () => {
    await client.splitRegions([enc('cop/m')]);
    const startTs = await client.getTs();
    const run = async (): Promise<unknown[]> => {
      const out: unknown[] = [];
      for await (const r of client.coprocessor({ tp: 103, data: new Uint8Array(0), ranges: [{ start: enc('cop/a'), end: enc('cop/z') }], startTs })) out.push(r);
      return out;
    };
    let err: unknown;
    try {
      await run();
    } catch (e) {
      err = e;
    }
    expect(err).toBeDefined();
    {
      expect(err).toBeInstanceOf(CoprocessorError);
      // Tasks run in key order: the first failing task is the region holding the range start.
      const first = (await client.regions(enc('cop/a'), enc('cop/b')))[0]!;
      expect((err as CoprocessorError).regionId).toBe(first.id);
      expect(String((err as Error).message)).toMatch(/coprocessor error in region \d+: .+/);
    }
  });
});
