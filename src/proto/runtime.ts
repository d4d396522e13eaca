import { readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { invalidArgument } from '../util/errors.ts';

/**
 * The protobuf runtime: loads our `.proto` files with protobufjs reflection and makes every
 * 64-bit integer a `bigint` on both decode and encode (TSO timestamps exceed 2^53, and a
 * lossy `number` would silently corrupt them). protobufjs has no bigint mode, so we give it
 * a `Long` stand-in before any file is parsed: field defaults become `0n`, the reader turns
 * 64-bit wire values into bigints, and the writer accepts bigints.
 */

type LongBitsLike = { lo: number; hi: number };
type LongBitsCtor = {
  new (lo: number, hi: number): LongBitsLike;
  from(value: unknown): LongBitsLike;
  zero: LongBitsLike;
  prototype: { toLong(this: LongBitsLike, unsigned: boolean): bigint };
};

const U32 = 0xffff_ffffn;

function bitsToBigInt(lo: number, hi: number, unsigned: boolean): bigint {
  if (hi === 0) return BigInt(lo >>> 0);
  const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return unsigned ? v : BigInt.asIntN(64, v);
}

let patched = false;

/** Installs the bigint mode into protobufjs. Idempotent; runs before any `.proto` is parsed. */
export function installBigIntLongs(): void {
  if (patched) return;
  patched = true;
  const util = protobuf.util as unknown as { Long: unknown; LongBits: LongBitsCtor };
  const LongBits = util.LongBits;
  const originalFrom = LongBits.from.bind(LongBits);
  LongBits.from = (value: unknown): LongBitsLike => {
    if (typeof value === 'bigint') {
      const u = BigInt.asUintN(64, value);
      if (u === 0n) return LongBits.zero;
      return new LongBits(Number(u & U32), Number((u >> 32n) & U32));
    }
    return originalFrom(value);
  };
  LongBits.prototype.toLong = function toLong(this: LongBitsLike, unsigned: boolean): bigint {
    return bitsToBigInt(this.lo, this.hi, unsigned);
  };
  // A callable stand-in for long.js: only the static helpers protobufjs uses are needed.
  const BigIntLong = function BigIntLong(): never {
    throw new Error('protobuf runtime: Long constructor is not used in bigint mode');
  } as unknown as Record<string, unknown>;
  BigIntLong['fromNumber'] = (n: number, unsigned: boolean): bigint =>
    unsigned ? BigInt.asUintN(64, BigInt(Math.trunc(n))) : BigInt(Math.trunc(n));
  BigIntLong['fromBits'] = (lo: number, hi: number, unsigned: boolean): bigint => bitsToBigInt(lo, hi, unsigned);
  BigIntLong['fromString'] = (s: string): bigint => BigInt(s);
  BigIntLong['fromValue'] = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as string | number));
  BigIntLong['isLong'] = (v: unknown): boolean => typeof v === 'bigint';
  util.Long = BigIntLong;
  protobuf.configure();
  // fromObject/toObject are generated with long.js-specific code; we never use them (decoded
  // messages already are plain objects in bigint form), so generate inert versions instead.
  const converter = (protobuf as unknown as { converter: Record<string, unknown> }).converter;
  // Shape: generator(type) -> factory(scope) -> the per-type function.
  const inert = () => () => (): never => {
    throw new Error('protobuf runtime: fromObject/toObject are not available in bigint mode');
  };
  converter['fromObject'] = inert;
  converter['toObject'] = inert;
}

installBigIntLongs();

/** The repository's `proto/` folder. */
export const PROTO_ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../proto');

function listProtoFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listProtoFiles(full));
    else if (name.endsWith('.proto')) out.push(full);
  }
  return out;
}

/**
 * Loads every `.proto` file under `dir` into one resolved root. Imports are looked up next
 * to the importing file first, then relative to `dir`.
 */
export function loadProtoRoot(dir: string = PROTO_ROOT_DIR): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (origin: string, target: string): string => {
    const besideOrigin = origin ? join(dirname(origin), target) : target;
    if (existsSync(besideOrigin)) return besideOrigin;
    return join(dir, target);
  };
  root.loadSync(listProtoFiles(dir), { keepCase: false });
  root.resolveAll();
  useEmptyBufferForAbsentBytes(root);
  return root;
}

/** Shared, immutable-by-convention empty bytes value for absent `bytes` fields. */
const EMPTY_BYTES: Uint8Array = Buffer.alloc(0);

/**
 * protobufjs reads an absent `bytes` field as a plain empty array, which is not a
 * Uint8Array (`.subarray`, `Buffer.from(x.buffer)` fail on it). Make the default an empty
 * Buffer on every message prototype so decoded messages always carry real byte arrays.
 */
function useEmptyBufferForAbsentBytes(ns: protobuf.NamespaceBase): void {
  for (const child of ns.nestedArray) {
    if (child instanceof protobuf.Type) {
      for (const f of child.fieldsArray) {
        if (f.type === 'bytes' && !f.repeated && !f.map && !f.partOf) {
          f.typeDefault = EMPTY_BYTES;
          (child.ctor.prototype as Record<string, unknown>)[f.name] = EMPTY_BYTES;
        }
      }
    }
    if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) useEmptyBufferForAbsentBytes(child);
  }
}

let defaultRoot: protobuf.Root | undefined;

/** The root of all of the project's proto files, loaded once. */
export function protoRoot(): protobuf.Root {
  defaultRoot ??= loadProtoRoot();
  return defaultRoot;
}

const typeCache = new Map<string, protobuf.Type>();

/** The reflected message type `fullName` (e.g. `kvrpcpb.RawGetRequest`). */
export function messageType(fullName: string): protobuf.Type {
  let t = typeCache.get(fullName);
  if (!t) {
    t = protoRoot().lookupType(fullName);
    typeCache.set(fullName, t);
  }
  return t;
}

/** Encodes a (possibly partial) plain object as message `fullName`. */
export function encodeMessage(fullName: string, value: object): Uint8Array {
  return messageType(fullName).encode(value as protobuf.Message).finish();
}

/**
 * Decodes bytes received from a peer. Malformed input becomes an `InvalidArgument`
 * DomainError naming the message, never an uncaught exception.
 */
export function decodeMessage<T>(fullName: string, bytes: Uint8Array): T {
  try {
    return messageType(fullName).decode(bytes) as unknown as T;
  } catch (e) {
    throw invalidArgument(`malformed ${fullName}: ${(e as Error).message}`);
  }
}
