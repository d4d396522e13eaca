import { bytesCompare, bytesToHex, hexToBytes } from '../util/bytes.ts';
import { CorruptionError } from '../util/errors.ts';
import { etcdserverpb, type DeepPartial, type ServiceHandlers, type mvccpb } from '../proto/mod.ts';
import type { MetaStore } from './meta_store.ts';

/**
 * The etcd v3 subset that the official clients call on PD's client URLs: client-go's txnkv
 * polls `/tidb/store/gcworker/saved_safe_point` with KV.Range, clientv3 syncs endpoints with
 * Cluster.MemberList. A small persisted keyspace with etcd's revision bookkeeping backs it
 * (no watches or leases).
 */
interface Entry {
  value: Uint8Array;
  createRevision: bigint;
  modRevision: bigint;
  version: bigint;
}

const PREFIX_ENTRY = 'etcd/kv/';
const KEY_REVISION = 'etcd/revision';
/** Largest etcd value PD accepts (etcd's default request limit is 1.5 MiB). */
export const ETCD_VALUE_BYTES_MAX = 1536 * 1024;

export class EtcdKv {
  private readonly entries = new Map<string, Entry>();
  private revision = 1n;

  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<EtcdKv> {
    const kv = new EtcdKv(meta);
    kv.revision = (await meta.getBigInt(KEY_REVISION)) ?? 1n;
    for (const [k, v] of await meta.scanPrefix(PREFIX_ENTRY)) {
      try {
        const o = JSON.parse(Buffer.from(v).toString('utf8')) as Record<string, string>;
        kv.entries.set(k.slice(PREFIX_ENTRY.length), {
          value: hexToBytes(o['value']!),
          createRevision: BigInt(o['createRevision']!),
          modRevision: BigInt(o['modRevision']!),
          version: BigInt(o['version']!),
        });
      } catch (e) {
        throw new CorruptionError(`etcd entry ${k} is unreadable: ${(e as Error).message}`);
      }
    }
    return kv;
  }

  currentRevision(): bigint {
    return this.revision;
  }

  /** Keys selected by etcd's (key, range_end) convention, in key order. */
  select(key: Uint8Array, rangeEnd: Uint8Array): Array<[Uint8Array, Entry]> {
    const out: Array<[Uint8Array, Entry]> = [];
    if (rangeEnd.length === 0) {
      const e = this.entries.get(bytesToHex(key));
      if (e) out.push([key, e]);
      return out;
    }
    const toEnd = rangeEnd.length === 1 && rangeEnd[0] === 0;
    for (const [hex, e] of this.entries) {
      const k = hexToBytes(hex);
      if (bytesCompare(k, key) < 0) continue;
      if (!toEnd && bytesCompare(k, rangeEnd) >= 0) continue;
      out.push([k, e]);
    }
    return out.sort((a, b) => bytesCompare(a[0], b[0]));
  }

  private async persist(hex: string, e: Entry | undefined): Promise<void> {
    if (e) {
      const body = { value: bytesToHex(e.value), createRevision: `${e.createRevision}`, modRevision: `${e.modRevision}`, version: `${e.version}` };
      await this.meta.put(PREFIX_ENTRY + hex, Buffer.from(JSON.stringify(body), 'utf8'));
    } else {
      await this.meta.delete(PREFIX_ENTRY + hex);
    }
    await this.meta.putBigInt(KEY_REVISION, this.revision);
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<Entry | undefined> {
    const hex = bytesToHex(key);
    const prev = this.entries.get(hex);
    this.revision += 1n;
    const next: Entry = {
      value: new Uint8Array(value),
      createRevision: prev?.createRevision ?? this.revision,
      modRevision: this.revision,
      version: (prev?.version ?? 0n) + 1n,
    };
    this.entries.set(hex, next);
    await this.persist(hex, next);
    return prev;
  }

  async deleteRange(key: Uint8Array, rangeEnd: Uint8Array): Promise<Array<[Uint8Array, Entry]>> {
    const victims = this.select(key, rangeEnd);
    if (victims.length === 0) return victims;
    this.revision += 1n;
    for (const [k] of victims) {
      const hex = bytesToHex(k);
      this.entries.delete(hex);
      await this.persist(hex, undefined);
    }
    return victims;
  }
}

function keyValue(key: Uint8Array, e: Entry, keysOnly: boolean): DeepPartial<mvccpb.KeyValue> {
  return {
    key,
    value: keysOnly ? new Uint8Array() : e.value,
    createRevision: e.createRevision,
    modRevision: e.modRevision,
    version: e.version,
  };
}

export interface EtcdServiceDeps {
  kv: EtcdKv;
  clusterId: bigint;
  member: { name: string; memberId: bigint; clientUrls: string[]; peerUrls: string[] };
}

export function createEtcdServices(deps: EtcdServiceDeps): {
  kv: Partial<ServiceHandlers<'etcdserverpb.KV'>>;
  cluster: Partial<ServiceHandlers<'etcdserverpb.Cluster'>>;
} {
  const { kv, clusterId, member } = deps;
  const header = (): DeepPartial<etcdserverpb.ResponseHeader> => ({
    clusterId,
    memberId: member.memberId,
    revision: kv.currentRevision(),
    raftTerm: 1n,
  });

  const range = (req: etcdserverpb.RangeRequest): DeepPartial<etcdserverpb.RangeResponse> => {
    let all = kv.select(req.key, req.rangeEnd);
    if (req.sortOrder === etcdserverpb.RangeRequest.SortOrder.DESCEND) all = all.reverse();
    const count = BigInt(all.length);
    const limited = req.limit > 0n ? all.slice(0, Number(req.limit)) : all;
    return {
      header: header(),
      kvs: req.countOnly ? [] : limited.map(([k, e]) => keyValue(k, e, req.keysOnly)),
      more: limited.length < all.length,
      count,
    };
  };

  const compareHolds = (c: etcdserverpb.Compare): boolean => {
    const [hit] = kv.select(c.key, new Uint8Array());
    const e = hit?.[1];
    const T = etcdserverpb.Compare.CompareTarget;
    let cmp: number;
    switch (c.target) {
      case T.VALUE:
        cmp = bytesCompare(e?.value ?? new Uint8Array(), c.value ?? new Uint8Array());
        break;
      case T.VERSION:
        cmp = Number((e?.version ?? 0n) - (c.version ?? 0n));
        break;
      case T.CREATE:
        cmp = Number((e?.createRevision ?? 0n) - (c.createRevision ?? 0n));
        break;
      case T.MOD:
        cmp = Number((e?.modRevision ?? 0n) - (c.modRevision ?? 0n));
        break;
      default:
        cmp = Number(0n - (c.lease ?? 0n)); // no leases here: every key has lease 0
    }
    const R = etcdserverpb.Compare.CompareResult;
    switch (c.result) {
      case R.EQUAL:
        return cmp === 0;
      case R.GREATER:
        return cmp > 0;
      case R.LESS:
        return cmp < 0;
      default:
        return cmp !== 0;
    }
  };

  const put = async (req: etcdserverpb.PutRequest): Promise<DeepPartial<etcdserverpb.PutResponse>> => {
    if (req.lease !== 0n) throw Object.assign(new Error('etcd: leases are not supported by this PD'), { code: 12 });
    if (req.value.length > ETCD_VALUE_BYTES_MAX) {
      throw Object.assign(new Error(`etcd: value of ${req.value.length} bytes exceeds ${ETCD_VALUE_BYTES_MAX}`), { code: 3 });
    }
    const prev = await kv.put(req.key, req.value);
    return { header: header(), prevKv: req.prevKv && prev ? keyValue(req.key, prev, false) : null };
  };

  const deleteRange = async (req: etcdserverpb.DeleteRangeRequest): Promise<DeepPartial<etcdserverpb.DeleteRangeResponse>> => {
    const gone = await kv.deleteRange(req.key, req.rangeEnd);
    return { header: header(), deleted: BigInt(gone.length), prevKvs: req.prevKv ? gone.map(([k, e]) => keyValue(k, e, false)) : [] };
  };

  const runOps = async (ops: etcdserverpb.RequestOp[]): Promise<Array<DeepPartial<etcdserverpb.ResponseOp>>> => {
    const out: Array<DeepPartial<etcdserverpb.ResponseOp>> = [];
    for (const op of ops) {
      if (op.requestRange) out.push({ responseRange: range(op.requestRange) });
      else if (op.requestPut) out.push({ responsePut: await put(op.requestPut) });
      else if (op.requestDeleteRange) out.push({ responseDeleteRange: await deleteRange(op.requestDeleteRange) });
      else if (op.requestTxn) out.push({ responseTxn: await txn(op.requestTxn) });
    }
    return out;
  };

  const txn = async (req: etcdserverpb.TxnRequest): Promise<DeepPartial<etcdserverpb.TxnResponse>> => {
    const succeeded = req.compare.every(compareHolds);
    const responses = await runOps(succeeded ? req.success : req.failure);
    return { header: header(), succeeded, responses };
  };

  const wrap =
    <Req, Res>(fn: (req: Req) => Res | Promise<Res>) =>
    (call: { request: Req }, callback: (err: Error | null, res?: Res) => void): void => {
      Promise.resolve()
        .then(() => fn(call.request))
        .then(
          (res) => callback(null, res),
          (e: Error) => callback(e),
        );
    };

  // Writes run one at a time so a Txn's compares and its ops are atomic with respect to
  // other writes (each awaits persistence in between).
  let writeChain: Promise<unknown> = Promise.resolve();
  const serial =
    <Req, Res>(fn: (req: Req) => Promise<Res>) =>
    (req: Req): Promise<Res> => {
      const run = writeChain.then(() => fn(req));
      writeChain = run.catch(() => undefined);
      return run;
    };

  return {
    kv: {
      Range: wrap(range),
      Put: wrap(serial(put)),
      DeleteRange: wrap(serial(deleteRange)),
      Txn: wrap(serial(txn)),
    },
    cluster: {
      MemberList: wrap(() => ({
        header: header(),
        members: [{ ID: member.memberId, name: member.name, peerURLs: member.peerUrls, clientURLs: member.clientUrls }],
      })),
    },
  };
}
