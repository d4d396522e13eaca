import { bytesCompare, bytesToHex, hexToBytes } from '../../src/util/mod.ts';
import { bufferedScan, type BufferedWrite, type KvSnapshotReader, type KvTxn } from '../kv/mod.ts';
import { isRecordKey } from '../tidb_codec.ts';

/** Mutations one statement may buffer (TiDB `txn-total-size-limit` analogue, in keys). */
export const STMT_MUTATIONS_MAX = 1_000_000;

/**
 * One statement's writes staged over the session transaction: reads see them, and they
 * reach the transaction only when the statement succeeds (`flush`), so a failing
 * statement leaves nothing half-written (TiDB's statement staging buffer).
 */
export class StagedTxn implements KvSnapshotReader {
  private readonly writes = new Map<string, Uint8Array | undefined>();
  /** What `prefetch` read from `reader` (hex key -> value, undefined when absent). */
  private readonly prefetched = new Map<string, Uint8Array | undefined>();
  /** Record keys this statement read (hex), when it locks what it reads (SELECT … FOR UPDATE). */
  private readonly readRecordKeys: Map<string, Uint8Array> | undefined;

  /**
   * `reader` is what the statement reads under its own writes: the transaction itself (its
   * start_ts snapshot), or a pessimistic statement's current read at its for_update_ts.
   * `recordReads` remembers every record key read, for `keysToLock`.
   */
  constructor(
    readonly txn: KvTxn,
    private readonly reader: KvSnapshotReader = txn,
    recordReads = false,
  ) {
    this.readRecordKeys = recordReads ? new Map() : undefined;
  }

  get ts(): bigint {
    return this.txn.startTs;
  }

  /** What a pessimistic statement locks: every key it wrote, and the record keys it read when recording. */
  keysToLock(): Uint8Array[] {
    const out = [...this.writes.keys()].map(hexToBytes);
    for (const [hex, k] of this.readRecordKeys ?? []) if (!this.writes.has(hex)) out.push(k);
    return out;
  }

  private noteRead(key: Uint8Array): void {
    if (this.readRecordKeys !== undefined && isRecordKey(key)) this.readRecordKeys.set(bytesToHex(key), key.slice());
  }

  get mutationCount(): number {
    return this.writes.size;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const hex = bytesToHex(key);
    // A point read locks its key even when the row is absent (TiDB's point-get FOR UPDATE).
    this.noteRead(key);
    if (this.writes.has(hex)) return this.writes.get(hex);
    if (this.prefetched.has(hex)) return this.prefetched.get(hex);
    return this.reader.get(key);
  }

  /**
   * Reads `keys` from the statement's reader in one batch, so that later `get`s of them (a
   * bulk INSERT's duplicate-key checks, TiDB's batch check) cost no round trip each. Keys
   * this statement already wrote are not read.
   */
  async prefetch(keys: readonly Uint8Array[]): Promise<void> {
    const missing: Uint8Array[] = [];
    const seen = new Set<string>();
    for (const k of keys) {
      const hex = bytesToHex(k);
      if (this.writes.has(hex) || this.prefetched.has(hex) || seen.has(hex)) continue;
      seen.add(hex);
      missing.push(k);
    }
    if (missing.length === 0) return;
    const got = await this.reader.batchGet(missing);
    for (const hex of seen) this.prefetched.set(hex, got.get(hex));
  }

  async batchGet(keys: Uint8Array[]): Promise<Map<string, Uint8Array>> {
    await this.prefetch(keys);
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
    const base = this.reader.scan(start, end, { reverse, ...(opts?.limit !== undefined ? { limit: limit + buffered.length } : {}) });
    for await (const kv of bufferedScan(base, buffered, reverse, limit)) {
      this.noteRead(kv.key);
      yield kv;
    }
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
