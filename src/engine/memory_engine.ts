import { assert, assertNever, bytesCompare, DomainError } from '../util/mod.ts';
import type {
  CfName,
  IterOptions,
  KvEngine,
  KvEntry,
  KvEntryBatch,
  KvIterator,
  KvSnapshot,
  WriteBatch,
  WriteOptions,
} from './kv_engine.ts';
import { CF_NAMES } from './kv_engine.ts';
import { type BatchOp, inDeleteRange, RecordingWriteBatch } from './write_batch.ts';

/** One value of a key as of write sequence `seq`; `value` undefined is a deletion. */
interface Version {
  seq: number;
  value: Uint8Array | undefined;
}

/** A key with its versions in ascending `seq` order (never empty). */
interface Entry {
  key: Uint8Array;
  versions: Version[];
}

/** Sweep all tables once versions outnumber keys by this factor (and no snapshot is live). */
const SWEEP_VERSIONS_PER_KEY_MAX = 2;
/** ... and there are at least this many versions beyond one per key. */
const SWEEP_EXTRA_VERSIONS_MIN = 1024;
/** Reading everything when no snapshot pins an older sequence. */
const LATEST = Number.MAX_SAFE_INTEGER;

/** Index of the first entry with key >= `key`. */
function lowerBound(entries: Entry[], key: Uint8Array): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bytesCompare(entries[mid]!.key, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first entry with key > `key`. */
function upperBound(entries: Entry[], key: Uint8Array): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bytesCompare(entries[mid]!.key, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The value visible at `seq`, undefined when absent or deleted. */
function visible(entry: Entry, seq: number): Uint8Array | undefined {
  const versions = entry.versions;
  for (let i = versions.length - 1; i >= 0; i--) {
    if (versions[i]!.seq <= seq) return versions[i]!.value;
  }
  return undefined;
}

/** Options of a MemoryEngine. */
export interface MemoryEngineOptions {
  /**
   * Keep a second copy of the state as of the last synced write, so that tests can ask
   * what a power loss would leave (`afterPowerLoss`). Doubles the cost of every write.
   */
  trackDurability?: boolean;
}

/** A private copy of a recorded op (callers may reuse their arrays once write resolves). */
function copyOp(op: BatchOp): BatchOp {
  switch (op.type) {
    case 'put':
      return { type: 'put', cf: op.cf, key: op.key.slice(), value: op.value.slice() };
    case 'delete':
      return { type: 'delete', cf: op.cf, key: op.key.slice() };
    case 'deleteRange':
      return { type: 'deleteRange', cf: op.cf, start: op.start.slice(), end: op.end.slice() };
    default:
      return assertNever(op);
  }
}

/**
 * The in-memory KvEngine, for tests and simulation. Each column family is a sorted array of
 * keys, each with a short list of versions stamped with the sequence number of the batch
 * that wrote them; a snapshot is a sequence number. Versions no live snapshot can see are
 * pruned on the next write of the key (and by a sweep once the last snapshot is released),
 * so the structure stays near one version per key. Point reads are O(log n); inserting a
 * new key is O(n) (an array splice), fine for the sizes tests and simulations use.
 * With `trackDurability` it can also say what a power loss would leave (`afterPowerLoss`),
 * which is what a simulated disk needs to find durability bugs that kill -9 cannot.
 */
export class MemoryEngine implements KvEngine {
  readonly #tables = new Map<CfName, Entry[]>(CF_NAMES.map((cf) => [cf, []]));
  /** Sequence number of the last applied batch. */
  #seq = 0;
  /** Live snapshot sequence numbers -> how many snapshots (or iterators) pin each. */
  readonly #pins = new Map<number, number>();
  #versionCount = 0;
  #closed = false;
  /** With `trackDurability`: the state as of the last synced write... */
  readonly #durable: MemoryEngine | undefined;
  /** ...and the batches written after it without sync, in order. */
  #unsynced: BatchOp[][] = [];

  constructor(options: MemoryEngineOptions = {}) {
    this.#durable = options.trackDurability === true ? new MemoryEngine() : undefined;
  }

  async get(cf: CfName, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getSync(cf, key);
  }

  getSync(cf: CfName, key: Uint8Array): Uint8Array | undefined {
    return this.readAt(cf, key, LATEST);
  }

  /** An iterator over a private snapshot taken now. */
  iterator(cf: CfName, options: IterOptions = {}): KvIterator {
    this.#assertOpen();
    const seq = this.#pin();
    return new MemoryIterator(this, cf, seq, options, () => this.#unpin(seq));
  }

  snapshot(): KvSnapshot {
    this.#assertOpen();
    const seq = this.#pin();
    return new MemorySnapshot(this, seq, () => this.#unpin(seq));
  }

  newWriteBatch(): WriteBatch {
    return new RecordingWriteBatch(this);
  }

  /**
   * Applies the batch at once (atomic by construction). With `trackDurability`, also
   * records what a power loss would keep: a synced write makes itself and every earlier
   * write durable (as LevelDB's fsync of its log does); unsynced ones stay at risk.
   */
  async write(batch: WriteBatch, options: WriteOptions): Promise<void> {
    assert(batch instanceof RecordingWriteBatch && batch.owner === this, 'write: batch from another engine');
    this.#assertOpen();
    if (batch.count === 0) return;
    this.#apply(batch.ops);
    if (this.#durable === undefined) return;
    if (options.sync) {
      for (const ops of this.#unsynced) this.#durable.#apply(ops);
      this.#durable.#apply(batch.ops);
      this.#unsynced = [];
    } else {
      this.#unsynced.push(batch.ops.map(copyOp));
    }
  }

  /** Batches written without `sync` since the last synced one (needs `trackDurability`). */
  get unsyncedBatchCount(): number {
    assert(this.#durable !== undefined, 'unsyncedBatchCount needs trackDurability');
    return this.#unsynced.length;
  }

  /**
   * A new engine holding what a machine crash right now could leave on disk: every batch
   * up to the last synced one, plus the first `keepUnsynced` later batches (a log keeps a
   * prefix of what it was given). Needs `trackDurability`; the result tracks it too.
   */
  afterPowerLoss(keepUnsynced = 0): MemoryEngine {
    assert(this.#durable !== undefined, 'afterPowerLoss needs trackDurability');
    assert(keepUnsynced >= 0 && keepUnsynced <= this.#unsynced.length, 'afterPowerLoss: keepUnsynced out of range');
    const survivor = new MemoryEngine({ trackDurability: true });
    for (const [cf, table] of this.#durable.#tables) {
      const ops: BatchOp[] = [];
      for (const entry of table) {
        const value = visible(entry, LATEST);
        if (value !== undefined) ops.push({ type: 'put', cf, key: entry.key, value });
      }
      survivor.#apply(ops);
      survivor.#durable!.#apply(ops);
    }
    for (const ops of this.#unsynced.slice(0, keepUnsynced)) {
      survivor.#apply(ops);
      survivor.#unsynced.push(ops);
    }
    return survivor;
  }

  #apply(ops: readonly BatchOp[]): void {
    const seq = ++this.#seq;
    const floor = this.#oldestPin() ?? seq;
    for (const op of ops) {
      const table = this.#tables.get(op.cf)!;
      switch (op.type) {
        case 'put':
          this.#setVersion(table, op.key.slice(), op.value.slice(), seq, floor);
          break;
        case 'delete':
          this.#setVersion(table, op.key, undefined, seq, floor);
          break;
        case 'deleteRange': {
          const from = lowerBound(table, op.start);
          const to = op.end.length === 0 ? table.length : lowerBound(table, op.end);
          const doomed: Uint8Array[] = [];
          for (let i = from; i < to; i++) {
            if (visible(table[i]!, seq) !== undefined) doomed.push(table[i]!.key);
          }
          for (const key of doomed) this.#setVersion(table, key, undefined, seq, floor);
          break;
        }
        default:
          assertNever(op);
      }
    }
  }

  /** Sum of key and value bytes visible now in [start, end) (empty `end` = unbounded). */
  async approximateSize(cf: CfName, start: Uint8Array, end: Uint8Array): Promise<number> {
    this.#assertOpen();
    const table = this.#tables.get(cf)!;
    let bytes = 0;
    for (let i = lowerBound(table, start); i < table.length; i++) {
      const entry = table[i]!;
      if (!inDeleteRange(entry.key, start, end)) break;
      const value = visible(entry, LATEST);
      if (value !== undefined) bytes += entry.key.length + value.length;
    }
    return bytes;
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /** Point read at sequence `seq` (used by snapshots). */
  readAt(cf: CfName, key: Uint8Array, seq: number): Uint8Array | undefined {
    this.#assertOpen();
    const table = this.#tables.get(cf)!;
    const i = lowerBound(table, key);
    if (i === table.length || bytesCompare(table[i]!.key, key) !== 0) return undefined;
    return visible(table[i]!, seq);
  }

  /**
   * The first entry visible at `seq` strictly after (or, with `inclusive`, at or after)
   * `from` going forward, or before it going backward, within [lower, upper).
   */
  step(
    cf: CfName,
    seq: number,
    from: Uint8Array | undefined,
    inclusive: boolean,
    reverse: boolean,
    lower: Uint8Array | undefined,
    upper: Uint8Array | undefined,
    out: KvEntry[],
    limit: number,
  ): void {
    this.#assertOpen();
    const table = this.#tables.get(cf)!;
    if (!reverse) {
      let i = from === undefined ? 0 : inclusive ? lowerBound(table, from) : upperBound(table, from);
      if (lower !== undefined) i = Math.max(i, lowerBound(table, lower));
      for (; i < table.length && out.length < limit; i++) {
        const entry = table[i]!;
        if (upper !== undefined && bytesCompare(entry.key, upper) >= 0) return;
        const value = visible(entry, seq);
        if (value !== undefined) out.push({ key: entry.key, value });
      }
      return;
    }
    let i = from === undefined ? table.length - 1 : (inclusive ? upperBound(table, from) : lowerBound(table, from)) - 1;
    if (upper !== undefined) i = Math.min(i, lowerBound(table, upper) - 1);
    for (; i >= 0 && out.length < limit; i--) {
      const entry = table[i]!;
      if (lower !== undefined && bytesCompare(entry.key, lower) < 0) return;
      const value = visible(entry, seq);
      if (value !== undefined) out.push({ key: entry.key, value });
    }
  }

  #setVersion(table: Entry[], key: Uint8Array, value: Uint8Array | undefined, seq: number, floor: number): void {
    const i = lowerBound(table, key);
    let entry = table[i];
    if (entry === undefined || bytesCompare(entry.key, key) !== 0) {
      if (value === undefined) return; // deleting an absent key changes nothing
      entry = { key, versions: [] };
      table.splice(i, 0, entry);
    }
    const versions = entry.versions;
    const before = versions.length;
    const last = versions[versions.length - 1];
    if (last !== undefined && last.seq === seq) last.value = value;
    else versions.push({ seq, value });
    // Keep every version newer than the oldest pinned sequence, plus the newest one at or
    // below it (what that snapshot reads); older ones are invisible to everyone.
    let keepFrom = versions.length - 1;
    while (keepFrom > 0 && versions[keepFrom]!.seq > floor) keepFrom--;
    if (keepFrom > 0) versions.splice(0, keepFrom);
    if (versions.length === 1 && versions[0]!.value === undefined && versions[0]!.seq <= floor) {
      table.splice(i, 1);
      this.#versionCount -= before;
      return;
    }
    this.#versionCount += versions.length - before;
  }

  #pin(): number {
    const seq = this.#seq;
    this.#pins.set(seq, (this.#pins.get(seq) ?? 0) + 1);
    return seq;
  }

  #unpin(seq: number): void {
    const n = this.#pins.get(seq);
    assert(n !== undefined, 'unpin of an unknown snapshot');
    if (n > 1) this.#pins.set(seq, n - 1);
    else this.#pins.delete(seq);
    if (this.#pins.size === 0) this.#maybeSweep();
  }

  #oldestPin(): number | undefined {
    let oldest: number | undefined;
    for (const seq of this.#pins.keys()) if (oldest === undefined || seq < oldest) oldest = seq;
    return oldest;
  }

  /** With no snapshot live, only the newest version of each key matters. */
  #maybeSweep(): void {
    let keys = 0;
    for (const table of this.#tables.values()) keys += table.length;
    const extra = this.#versionCount - keys;
    if (extra < SWEEP_EXTRA_VERSIONS_MIN || this.#versionCount < keys * SWEEP_VERSIONS_PER_KEY_MAX) return;
    let versionCount = 0;
    for (const [cf, table] of this.#tables) {
      const kept: Entry[] = [];
      for (const entry of table) {
        const newest = entry.versions[entry.versions.length - 1]!;
        if (newest.value === undefined) continue;
        entry.versions = [newest];
        kept.push(entry);
      }
      this.#tables.set(cf, kept);
      versionCount += kept.length;
    }
    this.#versionCount = versionCount;
  }

  #assertOpen(): void {
    if (this.#closed) throw new DomainError('Closed', 'engine is closed');
  }
}

class MemorySnapshot implements KvSnapshot {
  #released = false;
  #openIterators = 0;

  constructor(
    private readonly engine: MemoryEngine,
    private readonly seq: number,
    private readonly unpin: () => void,
  ) {}

  get(cf: CfName, key: Uint8Array): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.getSync(cf, key));
  }

  getSync(cf: CfName, key: Uint8Array): Uint8Array | undefined {
    assert(!this.#released, 'snapshot used after release');
    return this.engine.readAt(cf, key, this.seq);
  }

  iterator(cf: CfName, options: IterOptions = {}): KvIterator {
    assert(!this.#released, 'snapshot used after release');
    this.#openIterators++;
    return new MemoryIterator(this.engine, cf, this.seq, options, () => {
      if (--this.#openIterators === 0 && this.#released) this.unpin();
    });
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#openIterators === 0) this.unpin();
  }
}

/**
 * Remembers the last key it returned and finds its place again by binary search on every
 * call, so keys inserted or pruned meanwhile never shift it.
 */
class MemoryIterator implements KvIterator {
  #from: Uint8Array | undefined;
  #inclusive = false;
  #closed = false;
  readonly #lower: Uint8Array | undefined;
  readonly #upper: Uint8Array | undefined;
  readonly #reverse: boolean;

  constructor(
    private readonly engine: MemoryEngine,
    private readonly cf: CfName,
    private readonly seq: number,
    options: IterOptions,
    private readonly onClose: () => void,
  ) {
    this.#lower = options.lowerBound;
    this.#upper = options.upperBound;
    this.#reverse = options.reverse === true;
  }

  seek(target: Uint8Array): void {
    assert(!this.#closed, 'iterator used after close');
    this.#from = target.slice();
    this.#inclusive = true;
  }

  next(): Promise<KvEntry | undefined> {
    return this.nextBatch(1).then((entries) => entries[0]);
  }

  nextBatch(limit: number): Promise<KvEntry[]> {
    assert(!this.#closed, 'iterator used after close');
    assert(Number.isInteger(limit) && limit >= 0, 'nextBatch: limit must be a non-negative integer');
    const out: KvEntry[] = [];
    if (limit === 0) return Promise.resolve(out);
    this.engine.step(this.cf, this.seq, this.#from, this.#inclusive, this.#reverse, this.#lower, this.#upper, out, limit);
    // An exhausted iterator stays exhausted: its snapshot's view cannot grow.
    if (out.length > 0) {
      this.#from = out[out.length - 1]!.key;
      this.#inclusive = false;
    }
    return Promise.resolve(out);
  }

  async nextEntries(limit: number): Promise<KvEntryBatch> {
    assert(Number.isInteger(limit) && limit >= 1, 'nextEntries: limit must be a positive integer');
    const batch = await this.nextBatch(limit);
    return { entries: batch.map((e): [Uint8Array, Uint8Array] => [e.key, e.value]), keyOffset: 0 };
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.onClose();
    }
    return Promise.resolve();
  }
}
