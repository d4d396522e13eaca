import type { kvrpcpb } from '../proto/mod.ts';
import type { RegionContext, RegionError } from '../storage/mod.ts';
import { DomainError } from '../util/mod.ts';
import type { KvCommand } from './kv_commands.ts';

/**
 * Validation at the gRPC edge, before any work: API version, key sizes, RawKV TTL. Failures
 * are `DomainError`s (never crashes); the service puts them in the response's error field.
 */

/** `kvrpcpb.APIVersion`: we speak V1 only (TiKV's default `storage.api-version = 1`). */
const API_VERSION_V1 = 0;
const API_VERSION_NAMES: Record<number, string> = { 0: 'V1', 1: 'V1TTL', 2: 'V2', 3: 'V3' };

/** Request fields that hold one key. */
const SINGLE_KEY_FIELDS = ['key', 'startKey', 'endKey', 'primaryLock', 'primaryKey', 'splitKey'] as const;
/** Request fields that hold a list of keys. */
const KEY_LIST_FIELDS = ['keys', 'splitKeys', 'secondaries'] as const;
/** Request fields that hold a list of messages with a `key`. */
const KEYED_MESSAGE_LIST_FIELDS = ['mutations', 'pairs'] as const;

function checkKey(key: unknown, keyBytesMax: number): void {
  if (key instanceof Uint8Array && key.length > keyBytesMax) {
    throw new DomainError('KeyTooLarge', `key is too large: ${key.length} bytes > ${keyBytesMax} (storage.max-key-size)`);
  }
}

/** Throws `KeyTooLarge` when any key in the request is longer than `keyBytesMax`. */
export function checkKeySizes(req: object, keyBytesMax: number): void {
  const r = req as Record<string, unknown>;
  for (const f of SINGLE_KEY_FIELDS) checkKey(r[f], keyBytesMax);
  for (const f of KEY_LIST_FIELDS) {
    const list = r[f];
    if (Array.isArray(list)) for (const k of list) checkKey(k, keyBytesMax);
  }
  for (const f of KEYED_MESSAGE_LIST_FIELDS) {
    const list = r[f];
    if (Array.isArray(list)) for (const m of list) checkKey((m as { key?: unknown } | null)?.key, keyBytesMax);
  }
}

/** Throws `NotImplemented` for RawKV TTLs: a V1 store has no TTL support (TiKV rejects them too). */
export function checkNoRawTtl(req: object): void {
  const r = req as { ttl?: bigint; ttls?: bigint[] };
  if ((r.ttl !== undefined && r.ttl !== 0n) || (r.ttls ?? []).some((t) => t !== 0n)) {
    throw new DomainError('NotImplemented', 'raw TTL is not enabled: this store runs API V1 without TTL (use ttl = 0)');
  }
}

/** Throws `NotImplemented` unless the request is API V1. */
export function checkApiVersion(ctx: kvrpcpb.Context | null | undefined): void {
  const v = ctx?.apiVersion ?? API_VERSION_V1;
  if (v !== API_VERSION_V1) {
    throw new DomainError(
      'NotImplemented',
      `api version ${API_VERSION_NAMES[v] ?? v} is not supported: this store speaks API V1 only (storage.api-version = 1)`,
    );
  }
}

/** Runs every edge check that applies to `cmd`. */
export function guardRequest(cmd: KvCommand, req: object, keyBytesMax: number): void {
  checkApiVersion((req as { context?: kvrpcpb.Context | null }).context);
  checkKeySizes(req, keyBytesMax);
  if (cmd.mode === 'raw') checkNoRawTtl(req);
}

/**
 * The raftstore's view of `kvrpcpb.Context`. A request without an epoch is answered with a
 * region error, as TiKV does ("missing epoch"); a missing peer leaves store id 0, which the
 * store answers with StoreNotMatch.
 */
export function regionContextOf(ctx: kvrpcpb.Context | null | undefined): RegionContext | RegionError {
  if (ctx === null || ctx === undefined || ctx.regionEpoch === null || ctx.regionEpoch === undefined) {
    return { message: 'missing epoch: the request context has no region_epoch' };
  }
  return {
    regionId: ctx.regionId,
    confVer: ctx.regionEpoch.confVer,
    version: ctx.regionEpoch.version,
    peerId: ctx.peer?.id ?? 0n,
    storeId: ctx.peer?.storeId ?? 0n,
  };
}

/** True when `v` is a region error produced by `regionContextOf` rather than a context. */
export function isRegionError(v: RegionContext | RegionError): v is RegionError {
  return 'message' in v;
}
