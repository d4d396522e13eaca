import { bytesCompare, bytesEqual, bytesToHex } from '../../src/util/mod.ts';
import { bufferedScan, type BufferedWrite } from './buffered_scan.ts';
import { DomainError } from '../../src/util/mod.ts';
import { TxnClosedError, type KvSnapshotReader, type KvTxn, type LockKeysOptions } from './kv_client.ts';
import { OP_DEL, OP_INSERT, OP_LOCK, OP_PUT, TikvCommitter, type CommitOptions, type CommitterContext, type TikvMutation } from './tikv_committer.ts';
import { SCAN_ROWS_MAX } from './tikv_limits.ts';
import { TikvPessimisticLocker } from './tikv_pessimistic_locker.ts';
import { TikvSnapshot } from './tikv_snapshot.ts';

const EMPTY = new Uint8Array(0);

/**
 * A Percolator transaction over gRPC: a membuffer of writes (reads see them first; scans
 * merge buffer and snapshot), committed by `TikvCommitter` at commit(). Pessimistic
 * (`pessimistic = true`): `lockKeys` takes PessimisticLocks as statements run
 * (TikvPessimisticLocker), the commit prewrites locked keys with DO_PESSIMISTIC_CHECK and
 * the newest for_update_ts (locked-but-unwritten keys as Op Lock, primary = the first
 * locked key; no async commit / 1PC), rollback releases the locks (PessimisticRollback).
 */
export class TikvTxn extends TikvSnapshot implements KvTxn {
  private readonly buffer = new Map<string, TikvMutation>();
  private finished = false;
  private readonly startedMs: number;
  private readonly locker: TikvPessimisticLocker | undefined;
  /** `lockAtCommit` keys (hex -> key): prewritten as Op Lock unless written meanwhile. */
  private readonly lockOnly = new Map<string, Uint8Array>();

  constructor(
    private readonly cctx: CommitterContext,
    readonly startTs: bigint,
    private readonly commitOptions: CommitOptions,
    readonly pessimistic = false,
  ) {
    super(cctx, startTs);
    this.startedMs = cctx.clock.nowMs();
    this.locker = pessimistic ? new TikvPessimisticLocker(cctx, startTs) : undefined;
  }

  /** See `KvTxn.lockKeys`. */
  async lockKeys(keys: readonly Uint8Array[], opts: LockKeysOptions): Promise<void> {
    this.checkActive();
    if (this.locker === undefined) throw new DomainError('InvalidArgument', 'lockKeys needs a pessimistic transaction');
    await this.locker.lockKeys(keys, opts);
  }

  /** See `KvTxn.lockAtCommit`. */
  lockAtCommit(keys: readonly Uint8Array[]): void {
    this.checkActive();
    for (const k of keys) this.lockOnly.set(bytesToHex(k), k.slice());
  }

  /** See `KvTxn.currentRead`: the buffer over a snapshot at `forUpdateTs`. */
  currentRead(forUpdateTs: bigint): KvSnapshotReader {
    const txn = this;
    const snap = new TikvSnapshot(this.cctx, forUpdateTs);
    return {
      ts: forUpdateTs,
      get: (key) => txn.bufferedGet(key, (k) => snap.get(k)),
      batchGet: (keys) => txn.bufferedBatchGet(keys, (ks) => snap.batchGet(ks)),
      scan: (start, end, opts) => txn.mergedScan(snap, start, end, opts),
    };
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

  override get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.bufferedGet(key, (k) => super.get(k));
  }

  override batchGet(keys: Uint8Array[]): Promise<Map<string, Uint8Array>> {
    return this.bufferedBatchGet(keys, (ks) => super.batchGet(ks));
  }

  /** The buffer first, then `read` (a snapshot at start_ts or at a for_update_ts). */
  private async bufferedGet(key: Uint8Array, read: (k: Uint8Array) => Promise<Uint8Array | undefined>): Promise<Uint8Array | undefined> {
    this.checkActive();
    const m = this.buffer.get(bytesToHex(key));
    if (m) return m.op === OP_DEL ? undefined : m.value;
    return read(key);
  }

  private async bufferedBatchGet(keys: Uint8Array[], read: (ks: Uint8Array[]) => Promise<Map<string, Uint8Array>>): Promise<Map<string, Uint8Array>> {
    this.checkActive();
    const out = new Map<string, Uint8Array>();
    const rest: Uint8Array[] = [];
    for (const k of keys) {
      const hex = bytesToHex(k);
      const m = this.buffer.get(hex);
      if (!m) rest.push(k);
      else if (m.op !== OP_DEL) out.set(hex, m.value);
    }
    for (const [hex, v] of await read(rest)) out.set(hex, v);
    return out;
  }

  override scan(start: Uint8Array, end: Uint8Array, opts?: { limit?: number; reverse?: boolean }): AsyncIterable<{ key: Uint8Array; value: Uint8Array }> {
    return this.mergedScan(undefined, start, end, opts);
  }

  /** The buffer merged over `snap`'s scan (this txn's own snapshot when undefined). */
  private async *mergedScan(snap: TikvSnapshot | undefined, start: Uint8Array, end: Uint8Array, opts?: { limit?: number; reverse?: boolean }): AsyncIterable<{ key: Uint8Array; value: Uint8Array }> {
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
    const baseOpts = { reverse, limit: Math.min(SCAN_ROWS_MAX, limit + buffered.length) };
    const base = snap !== undefined ? snap.scan(start, end, baseOpts) : super.scan(start, end, baseOpts);
    yield* bufferedScan(base, buffered, reverse, limit);
  }

  /** Two-phase commit (or 1PC / async commit); resolves with the commit_ts (start_ts when nothing was written). */
  async commit(): Promise<bigint> {
    this.checkActive();
    this.finished = true;
    const locker = this.locker;
    if (locker === undefined || locker.locked.size === 0) {
      const mutations = [...this.buffer.values()];
      for (const [hex, key] of this.lockOnly) if (!this.buffer.has(hex)) mutations.push({ key, op: OP_LOCK, value: EMPTY });
      if (mutations.length === 0) return this.startTs;
      mutations.sort((a, b) => bytesCompare(a.key, b.key));
      return new TikvCommitter(this.cctx, this.startTs, mutations, this.commitOptions, this.startedMs).execute();
    }
    // Pessimistic: every locked key is prewritten (Op Lock when unwritten), primary first.
    const mutations: TikvMutation[] = [];
    for (const m of this.buffer.values()) mutations.push(locker.locked.has(bytesToHex(m.key)) ? { ...m, pessimisticLock: true } : m);
    for (const [hex, key] of locker.locked) if (!this.buffer.has(hex)) mutations.push({ key, op: OP_LOCK, value: EMPTY, pessimisticLock: true });
    const primary = locker.primary!;
    mutations.sort((a, b) => (bytesEqual(a.key, primary) ? -1 : bytesEqual(b.key, primary) ? 1 : bytesCompare(a.key, b.key)));
    locker.stopHeartbeatLoop();
    const opts: CommitOptions = { ...this.commitOptions, asyncCommit: false, onePc: false, forUpdateTs: locker.maxForUpdateTs };
    try {
      return await new TikvCommitter(this.cctx, this.startTs, mutations, opts, this.startedMs).execute();
    } catch (e) {
      // Keys whose prewrite never went out still hold pessimistic locks.
      await locker.rollback();
      throw e;
    }
  }

  /** Drops the buffer; a pessimistic txn also releases its locks (nothing was prewritten yet). */
  async rollback(): Promise<void> {
    this.finished = true;
    this.buffer.clear();
    await this.locker?.rollback();
  }

  private checkActive(): void {
    if (this.finished) throw new TxnClosedError(this.startTs);
  }
}
