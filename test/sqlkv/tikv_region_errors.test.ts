// Proves the client's reactions to region errors over real gRPC against a scripted store: NotLeader -> switch peer, EpochNotMatch -> cache current_regions (decoded), ServerIsBusy/StaleCommand -> back off and resend, RegionNotFound -> reload from PD, and a clear BackoffExhaustedError when the budget is spent.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBytes } from '../../src/codec/mod.ts';
import type { PdClient, RegionWithLeader } from '../../src/pd_client/mod.ts';
import { addService, type DeepPartial, type errorpb, type kvrpcpb, type metapb } from '../../src/proto/mod.ts';
import { SeededRandom, type Clock } from '../../src/util/mod.ts';
import { BackoffExhaustedError, DEFAULT_BUDGETS, TikvLockResolver, TikvRegionCache, TikvRpc, TikvSnapshot } from '../../sql-demo/kv/mod.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A clock whose sleeps return at once but are recorded (the backoff schedule is observable). */
function instantClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    nowMs: () => 1_700_000_000_000,
    monotonicMs: () => 0,
    setTimeout: () => () => undefined,
    setInterval: () => () => undefined,
    sleep: async (ms) => {
      slept.push(ms);
    },
  };
}

let server: grpc.Server;
let addr = '';
/** Scripted answers to KvGet, consumed in order; the last one repeats. */
let script: Array<DeepPartial<kvrpcpb.GetResponse>> = [];
const seen: kvrpcpb.GetRequest[] = [];

beforeAll(async () => {
  server = new grpc.Server();
  addService(server, 'tikvpb.Tikv', {
    KvGet: (call, cb) => {
      seen.push(call.request);
      cb(null, script.length > 1 ? script.shift()! : script[0]!);
    },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  addr = `127.0.0.1:${port}`;
});
afterAll(() => server.forceShutdown());

const peer = (id: bigint, storeId: bigint): metapb.Peer => ({ id, storeId, role: 0, isWitness: false });
const region = (id: bigint, start: string, end: string, version: bigint): metapb.Region => ({
  id,
  startKey: start ? encodeBytes(enc(start)) : new Uint8Array(0),
  endKey: end ? encodeBytes(enc(end)) : new Uint8Array(0),
  regionEpoch: { confVer: 1n, version },
  peers: [peer(11n, 1n), peer(12n, 2n)],
  isInFlashback: false,
  flashbackStartTs: 0n,
});

/** PD stand-in: one region [,) at version 1 (then whatever `current` says); both stores at the scripted server. */
function fakePd(): { pd: PdClient; current: { r: metapb.Region }; lookups: number[] } {
  const current = { r: region(2n, '', '', 1n) };
  const lookups: number[] = [];
  const pd = {
    async getRegion(): Promise<RegionWithLeader> {
      lookups.push(1);
      return { region: current.r, leader: current.r.peers[0]! };
    },
    async getStore(storeId: bigint) {
      return { id: storeId, address: addr };
    },
  };
  return { pd: pd as unknown as PdClient, current, lookups };
}

function snapshotOver(pd: PdClient, clock: Clock, readMs = DEFAULT_BUDGETS.readMs): TikvSnapshot {
  const rpc = new TikvRpc(new TikvRegionCache(pd));
  const getTs = async (): Promise<bigint> => 100n << 18n;
  return new TikvSnapshot({ rpc, resolver: new TikvLockResolver(rpc, getTs), clock, random: new SeededRandom(7), getTs, budgets: { ...DEFAULT_BUDGETS, readMs } }, 5n);
}

describe('region errors', () => {
  it('follows NotLeader, EpochNotMatch, ServerIsBusy, StaleCommand and RegionNotFound to a successful read', async () => {
    const { pd, lookups } = fakePd();
    const clock = instantClock();
    const split: errorpb.Error = { message: 'epoch', epochNotMatch: { currentRegions: [region(2n, 'm', '', 2n), region(3n, '', 'm', 2n)] } } as errorpb.Error;
    script = [
      { regionError: { message: 'not leader', notLeader: { regionId: 2n, leader: peer(12n, 2n) } } },
      { regionError: split },
      { regionError: { message: 'busy', serverIsBusy: { reason: 'x', backoffMs: 5n } } },
      { regionError: { message: 'stale', staleCommand: {} } },
      { regionError: { message: 'gone', regionNotFound: { regionId: 3n } } },
      { value: enc('v') },
    ];
    seen.length = 0;
    const s = snapshotOver(pd, clock);
    const v = await s.get(enc('c'));
    expect(new TextDecoder().decode(v)).toBe('v');
    const ctxs = seen.map((r) => ({ region: r.context!.regionId, version: r.context!.regionEpoch!.version, store: r.context!.peer!.storeId }));
    expect(ctxs[0]).toEqual({ region: 2n, version: 1n, store: 1n });
    expect(ctxs[1]).toEqual({ region: 2n, version: 1n, store: 2n }); // NotLeader: same region, new peer
    expect(ctxs[2]).toEqual({ region: 3n, version: 2n, store: 2n }); // EpochNotMatch: region 3 ['' , 'm') decoded, leader on the answering store
    expect(ctxs[3]).toEqual(ctxs[2]); // busy: resent as is
    expect(ctxs[4]).toEqual(ctxs[2]); // stale command: resent as is
    expect(ctxs[5]!.region).toBe(2n); // RegionNotFound: invalidated, reloaded from PD
    expect(lookups.length).toBe(2);
    expect(clock.slept.length).toBeGreaterThanOrEqual(3);
    expect(clock.slept.some((ms) => ms >= 5)).toBe(true);
  });

  it('fails with BackoffExhaustedError naming the operation and the last error when the budget is spent', async () => {
    const { pd } = fakePd();
    script = [{ regionError: { message: 'still busy', serverIsBusy: { reason: 'x', backoffMs: 0n } } }];
    const s = snapshotOver(pd, instantClock(), 10_000);
    const err = await s.get(enc('c')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackoffExhaustedError);
    expect(String((err as Error).message)).toMatch(/get: backoff budget of 10000 ms exhausted; last error: region error serverIsBusy: still busy/);
  });
});
