import { bytesCompare, bytesToHex } from '../../src/util/mod.ts';
import { bufferedScan, type BufferedWrite } from './buffered_scan.ts';
import { TxnClosedError, type KvTxn } from './kv_client.ts';
import { OP_DEL, OP_INSERT, OP_PUT, TikvCommitter, type CommitOptions, type CommitterContext, type TikvMutation } from './tikv_committer.ts';
import { SCAN_ROWS_MAX } from './tikv_limits.ts';
import { TikvSnapshot } from './tikv_snapshot.ts';

const EMPTY = new Uint8Array(0);

/**
 * An optimistic Percolator transaction over gRPC: a membuffer of writes (reads see them
 * first; scans merge buffer and snapshot), committed by `TikvCommitter` at commit().
 */
export class TikvTxn extends TikvSnapshot implements KvTxn {
  private readonly buffer = new Map<string, TikvMutation>();
  private finished = false;
  private readonly startedMs: number;

  constructor(
    private readonly cctx: CommitterContext,
    readonly startTs: bigint,
    private readonly commitOptions: CommitOptions,
  ) {
    super(cctx, startTs);
    this.startedMs = cctx.clock.nowMs();
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.checkActive();
    this.buffer.set(bytesToHex(key), { key: key.slice(), op: OP_PUT, value: value.slice() });
  }

  delete(key: Uint8Array): void {
    this.checkActive();
    this.buffer.set(bytesToHex(key), { key: key.slice(), op: OP_DEL, value: EMPTY });
  }

  /** Put that must not overwrite: commit fails with `KeyAlreadyExistsError` if the key exists (kvrpcpb Op Insert). */
  insert(key: Uint8Array, value: Uint8Array): void {
    this.checkActive();
    this.buffer.set(bytesToHex(key), { key: key.slice(), op: OP_INSERT, value: value.slice() });
  }

  override async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.checkActive();
    const m = this.buffer.get(bytesToHex(key));
    if (m) return m.op === OP_DEL ? undefined : m.value;
    return super.get(key);
  }

  override async batchGet(keys: Uint8Array[]): Promise<Map<string, Uint8Array>> {
    this.checkActive();
    const out = new Map<string, Uint8Array>();
    const rest: Uint8Array[] = [];
    for (const k of keys) {
      const hex = bytesToHex(k);
      const m = this.buffer.get(hex);
      if (!m) rest.push(k);
      else if (m.op !== OP_DEL) out.set(hex, m.value);
    }
    for (const [hex, v] of await super.batchGet(rest)) out.set(hex, v);
    return out;
  }

  override async *scan(start: Uint8Array, end: Uint8Array, opts?: { limit?: number; reverse?: boolean }): AsyncIterable<{ key: Uint8Array; value: Uint8Array }> {
    this.checkActive();
    const reverse = opts?.reverse === true;
    const limit = opts?.limit ?? SCAN_ROWS_MAX;
    const buffered: BufferedWrite[] = [];
    for (const m of this.buffer.values()) {
      if (bytesCompare(m.key, start) >= 0 && (end.length === 0 || bytesCompare(m.key, end) < 0)) {
        buffered.push({ key: m.key, value: m.op === OP_DEL ? undefined : m.value });
      }
    }
    buffered.sort((a, b) => (reverse ? -bytesCompare(a.key, b.key) : bytesCompare(a.key, b.key)));
    const base = super.scan(start, end, { reverse, limit: Math.min(SCAN_ROWS_MAX, limit + buffered.length) });
    yield* bufferedScan(base, buffered, reverse, limit);
  }

  /** Two-phase commit (or 1PC / async commit); resolves with the commit_ts (start_ts when nothing was written). */
  async commit(): Promise<bigint> {
    this.checkActive();
    this.finished = true;
    if (this.buffer.size === 0) return this.startTs;
    const mutations = [...this.buffer.values()].sort((a, b) => bytesCompare(a.key, b.key));
    return new TikvCommitter(this.cctx, this.startTs, mutations, this.commitOptions, this.startedMs).execute();
  }

  /** Nothing was written before commit, so rollback only drops the buffer. */
  async rollback(): Promise<void> {
    this.finished = true;
    this.buffer.clear();
  }

  private checkActive(): void {
    if (this.finished) throw new TxnClosedError(this.startTs);
  }
}
