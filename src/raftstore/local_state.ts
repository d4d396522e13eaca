import { encodeU64, decodeU64 } from '../codec/mod.ts';
import { CorruptionError, bytesToHex, hexToBytes } from '../util/mod.ts';
import type { Region } from './region.ts';

/**
 * The layout of store-local state in the `raft` column family (separate from user data, so a
 * data scan never meets it):
 *
 *   0x01 0x01                          store ident    {clusterId, storeId}
 *   0x01 0x02                          prepare-bootstrap marker (value: first region id)
 *   0x01 0x03 <regionId u64> 0x01      region state   {region, state}
 *   0x01 0x03 <regionId u64> 0x02      apply state    {appliedIndex}
 *
 * Values are JSON (bytes as hex, 64-bit numbers as decimal strings): tiny, written rarely
 * compared to data, and readable in a hexdump when debugging. Anything that does not decode
 * is local corruption: `CorruptionError`, the store refuses to start.
 */
const LOCAL_PREFIX = 0x01;
const STORE_IDENT_SUFFIX = 0x01;
const PREPARE_BOOTSTRAP_SUFFIX = 0x02;
const REGION_META_PREFIX = 0x03;
const REGION_STATE_SUFFIX = 0x01;
const APPLY_STATE_SUFFIX = 0x02;

export const STORE_IDENT_KEY = new Uint8Array([LOCAL_PREFIX, STORE_IDENT_SUFFIX]);
export const PREPARE_BOOTSTRAP_KEY = new Uint8Array([LOCAL_PREFIX, PREPARE_BOOTSTRAP_SUFFIX]);
/** Bounds of every region-state / apply-state key, for the startup scan. */
export const REGION_META_MIN_KEY = new Uint8Array([LOCAL_PREFIX, REGION_META_PREFIX]);
export const REGION_META_MAX_KEY = new Uint8Array([LOCAL_PREFIX, REGION_META_PREFIX + 1]);

function regionMetaKey(regionId: bigint, suffix: number): Uint8Array {
  const out = new Uint8Array(11);
  out[0] = LOCAL_PREFIX;
  out[1] = REGION_META_PREFIX;
  out.set(encodeU64(regionId), 2);
  out[10] = suffix;
  return out;
}

export function regionStateKey(regionId: bigint): Uint8Array {
  return regionMetaKey(regionId, REGION_STATE_SUFFIX);
}

export function applyStateKey(regionId: bigint): Uint8Array {
  return regionMetaKey(regionId, APPLY_STATE_SUFFIX);
}

/** Which record a key in [REGION_META_MIN_KEY, REGION_META_MAX_KEY) is. */
export function parseRegionMetaKey(key: Uint8Array): { regionId: bigint; kind: 'region' | 'apply' } {
  if (key.length !== 11) throw new CorruptionError(`raft cf: bad region meta key ${bytesToHex(key)}`);
  const regionId = decodeU64(key, 2);
  if (key[10] === REGION_STATE_SUFFIX) return { regionId, kind: 'region' };
  if (key[10] === APPLY_STATE_SUFFIX) return { regionId, kind: 'apply' };
  throw new CorruptionError(`raft cf: bad region meta key suffix ${bytesToHex(key)}`);
}

/** `raft_serverpb.PeerState` subset: a region split away or removed would be Tombstone. */
export type PeerState = 'Normal' | 'Tombstone';

export interface RegionLocalState {
  region: Region;
  state: PeerState;
}

export interface StoreIdent {
  clusterId: bigint;
  storeId: bigint;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function parseJson(value: Uint8Array, what: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(decoder.decode(value));
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (e) {
    throw new CorruptionError(`raft cf: undecodable ${what}: ${(e as Error).message}`);
  }
}

function toBigint(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new CorruptionError(`raft cf: bad ${what}`);
  return BigInt(v);
}

function toBytes(v: unknown, what: string): Uint8Array {
  if (typeof v !== 'string' || !/^([0-9a-f]{2})*$/.test(v)) throw new CorruptionError(`raft cf: bad ${what}`);
  return hexToBytes(v);
}

export function encodeStoreIdent(ident: StoreIdent): Uint8Array {
  return encoder.encode(JSON.stringify({ clusterId: ident.clusterId.toString(), storeId: ident.storeId.toString() }));
}

export function decodeStoreIdent(value: Uint8Array): StoreIdent {
  const o = parseJson(value, 'store ident');
  return { clusterId: toBigint(o['clusterId'], 'clusterId'), storeId: toBigint(o['storeId'], 'storeId') };
}

export function encodeRegionLocalState(s: RegionLocalState): Uint8Array {
  const r = s.region;
  return encoder.encode(
    JSON.stringify({
      state: s.state,
      id: r.id.toString(),
      startKey: bytesToHex(r.startKey),
      endKey: bytesToHex(r.endKey),
      confVer: r.regionEpoch.confVer.toString(),
      version: r.regionEpoch.version.toString(),
      peers: r.peers.map((p) => ({ id: p.id.toString(), storeId: p.storeId.toString(), role: p.role })),
    }),
  );
}

export function decodeRegionLocalState(value: Uint8Array): RegionLocalState {
  const o = parseJson(value, 'region state');
  const state = o['state'];
  if (state !== 'Normal' && state !== 'Tombstone') throw new CorruptionError('raft cf: bad peer state');
  const peersRaw = o['peers'];
  if (!Array.isArray(peersRaw)) throw new CorruptionError('raft cf: bad peers');
  return {
    state,
    region: {
      id: toBigint(o['id'], 'region id'),
      startKey: toBytes(o['startKey'], 'start key'),
      endKey: toBytes(o['endKey'], 'end key'),
      regionEpoch: { confVer: toBigint(o['confVer'], 'conf_ver'), version: toBigint(o['version'], 'version') },
      peers: peersRaw.map((p: Record<string, unknown>) => {
        const role = p['role'];
        if (typeof role !== 'number') throw new CorruptionError('raft cf: bad peer role');
        return { id: toBigint(p['id'], 'peer id'), storeId: toBigint(p['storeId'], 'peer store id'), role };
      }),
    },
  };
}

export function encodeApplyState(appliedIndex: bigint): Uint8Array {
  return encodeU64(appliedIndex);
}

export function decodeApplyState(value: Uint8Array): bigint {
  if (value.length !== 8) throw new CorruptionError('raft cf: bad apply state');
  return decodeU64(value, 0);
}
