import { bytesToHex, concatBytes, hexToBytes } from '../../src/util/mod.ts';
import type { CopRequest, CopResult, KvClient, KvSnapshotReader, KvTxn, RegionInfo, RegionsOptions } from '../../sql-demo/kv/mod.ts';

/**
 * Test helper: a view of a shared KvClient under a key prefix, so each conformance case sees
 * an empty key space on one long-lived cluster. close() leaves the shared client open.
 */
export class PrefixedClient implements KvClient {
  constructor(
    private readonly inner: KvClient,
    private readonly prefix: Uint8Array,
  ) {}

  private p(k: Uint8Array): Uint8Array {
    return concatBytes(this.prefix, k);
  }

  private bound(end: Uint8Array): Uint8Array {
    if (end.length > 0) return this.p(end);
    const out = this.prefix.slice();
    out[out.length - 1]! += 1; // prefixes end below 0xff
    return out;
  }

  wrapReader<T extends KvSnapshotReader>(r: T): KvSnapshotReader {
    const self = this;
    const strip = (k: Uint8Array): Uint8Array => k.subarray(self.prefix.length);
    return {
      ts: r.ts,
      get: (k) => r.get(self.p(k)),
      batchGet: async (keys) => {
        const m = await r.batchGet(keys.map((k) => self.p(k)));
        return new Map([...m].map(([hex, v]) => [bytesToHex(strip(hexToBytes(hex))), v]));
      },
      scan: async function* (start, end, opts) {
        for await (const kv of r.scan(self.p(start), self.bound(end), opts)) yield { key: strip(kv.key), value: kv.value };
      },
    };
  }

  async begin(opts?: { pessimistic?: boolean }): Promise<KvTxn> {
    const t = await this.inner.begin(opts);
    const reader = this.wrapReader(t);
    const lockKeys = t.lockKeys?.bind(t);
    const currentRead = t.currentRead?.bind(t);
    const lockAtCommit = t.lockAtCommit?.bind(t);
    return {
      ...reader,
      startTs: t.startTs,
      ...(t.pessimistic !== undefined ? { pessimistic: t.pessimistic } : {}),
      set: (k, v) => t.set(this.p(k), v),
      delete: (k) => t.delete(this.p(k)),
      commit: () => t.commit(),
      rollback: () => t.rollback(),
      ...(lockKeys !== undefined ? { lockKeys: (keys, o) => lockKeys(keys.map((k) => this.p(k)), o) } : {}),
      ...(lockAtCommit !== undefined ? { lockAtCommit: (keys: readonly Uint8Array[]) => lockAtCommit(keys.map((k) => this.p(k))) } : {}),
      ...(currentRead !== undefined ? { currentRead: (ts: bigint) => this.wrapReader(currentRead(ts)) } : {}),
    };
  }

  async snapshot(ts?: bigint): Promise<KvSnapshotReader> {
    return this.wrapReader(await this.inner.snapshot(ts));
  }

  getTs(): Promise<bigint> {
    return this.inner.getTs();
  }

  splitRegions(keys: Uint8Array[]): Promise<void> {
    return this.inner.splitRegions(keys.map((k) => this.p(k)));
  }

  regions(start: Uint8Array, end: Uint8Array, options?: RegionsOptions): Promise<RegionInfo[]> {
    return this.inner.regions(this.p(start), this.bound(end), options);
  }

  coprocessor(req: CopRequest): AsyncIterable<CopResult> {
    return this.inner.coprocessor(req);
  }

  async close(): Promise<void> {}
}
