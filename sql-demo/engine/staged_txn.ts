import { bytesCompare, bytesToHex, hexToBytes } from '../../src/util/mod.ts';
import { bufferedScan, type BufferedWrite, type KvSnapshotReader, type KvTxn } from '../kv/mod.ts';

/** Mutations one statement may buffer (TiDB `txn-total-size-limit` analogue, in keys). */
export const STMT_MUTATIONS_MAX = 1_000_000;

/**
 * One statement's writes staged over the session transaction: reads see them, and they
 * reach the transaction only when the statement succeeds (`flush`), so a failing
 * statement leaves nothing half-written (TiDB's statement staging buffer).
 */
export class StagedTxn implements KvSnapshotReader {
  private readonly writes = new Map<string, Uint8Array | undefined>();

  constructor(readonly txn: KvTxn) {}

  get ts(): bigint {
    return this.txn.startTs;
  }

  get mutationCount(): number {
    return this.writes.size;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const hex = bytesToHex(key);
    if (this.writes.has(hex)) return this.writes.get(hex);
    return this.txn.get(key);
  }

  async batchGet(keys: Uint8Array[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const k of keys) {
      const v = await this.get(k);
      if (v !== undefined) out.set(bytesToHex(k), v);
    }
    return out;
  }

  async *scan(start: Uint8Array, end: Uint8Array, opts?: { limit?: number; reverse?: boolean }): AsyncIterable<{ key: Uint8Array; value: Uint8Array }> {
    const reverse = opts?.reverse === true;
    const s = bytesToHex(start);
    const e = end.length === 0 ? undefined : bytesToHex(end);
    const buffered: BufferedWrite[] = [];
    for (const [hex, value] of this.writes) if (hex >= s && (e === undefined || hex < e)) buffered.push({ key: hexToBytes(hex), value });
    buffered.sort((a, b) => (reverse ? -bytesCompare(a.key, b.key) : bytesCompare(a.key, b.key)));
    const limit = opts?.limit ?? Number.MAX_SAFE_INTEGER;
    const base = this.txn.scan(start, end, { reverse, ...(opts?.limit !== undefined ? { limit: limit + buffered.length } : {}) });
    yield* bufferedScan(base, buffered, reverse, limit);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.writes.set(bytesToHex(key), value);
    if (this.writes.size > STMT_MUTATIONS_MAX) throw new Error(`statement exceeds ${STMT_MUTATIONS_MAX} mutations`);
  }

  delete(key: Uint8Array): void {
    this.writes.set(bytesToHex(key), undefined);
  }

  /** Moves the staged writes into the transaction. */
  flush(): void {
    for (const [hex, v] of this.writes) {
      if (v === undefined) this.txn.delete(hexToBytes(hex));
      else this.txn.set(hexToBytes(hex), v);
    }
    this.writes.clear();
  }

  discard(): void {
    this.writes.clear();
  }
}
