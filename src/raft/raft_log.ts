/**
 * The log as the core sees it: durable storage plus the unstable tail, with the commit and
 * applied indexes. Invariants: applied <= committed <= lastIndex; committed never decreases;
 * an entry at or below `committed` is never overwritten (asserted).
 */
import { assert } from '../util/mod.ts';
import { entrySizeBytes, snapshotMetadata, type Entry, type Snapshot } from './eraftpb.ts';
import { isStorageError, type RaftLogStorage, type StorageError } from './raft_log_storage.ts';
import { Unstable } from './unstable.ts';

/** Storage + unstable tail + commit/applied indexes. */
export class RaftLog {
  readonly unstable: Unstable;
  committed: bigint;
  applied: bigint;

  constructor(
    readonly storage: RaftLogStorage,
    /** Upper bound of committed-entry bytes handed out per Ready. */
    readonly maxNextEntriesSizeBytes: number,
  ) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1n);
    this.committed = first - 1n;
    this.applied = first - 1n;
  }

  firstIndex(): bigint {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): bigint {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): bigint {
    const t = this.term(this.lastIndex());
    assert(!isStorageError(t), `last term unavailable: ${String(t)}`);
    return t;
  }

  /** Term of `index`; 0 for indexes just below the first (dummy) or out of range handled as errors. */
  term(index: bigint): bigint | StorageError {
    const dummy = this.firstIndex() - 1n;
    if (index < dummy) return 'compacted';
    if (index > this.lastIndex()) return 'unavailable';
    const t = this.unstable.maybeTerm(index);
    if (t !== null) return t;
    return this.storage.term(index);
  }

  /** Term of `index`, with "compacted"/"unavailable" read as 0 (no match possible). */
  zeroTermOnError(index: bigint): bigint {
    const t = this.term(index);
    return isStorageError(t) ? 0n : t;
  }

  matchTerm(index: bigint, term: bigint): boolean {
    const t = this.term(index);
    return !isStorageError(t) && t === term;
  }

  /**
   * Follower append: if our entry at `index` has `logTerm`, append `ents` (dropping a
   * conflicting suffix) and advance commit to min(committed, last new index).
   * Returns the last new index, or null when the log does not match at `index`.
   */
  maybeAppend(index: bigint, logTerm: bigint, committed: bigint, ents: readonly Entry[]): bigint | null {
    if (!this.matchTerm(index, logTerm)) return null;
    const lastNew = index + BigInt(ents.length);
    const conflict = this.findConflict(ents);
    if (conflict !== 0n) {
      assert(conflict > this.committed, `entry ${conflict} conflicts with committed entry (committed ${this.committed})`);
      this.append(ents.slice(Number(conflict - (index + 1n))));
    }
    this.commitTo(committed < lastNew ? committed : lastNew);
    return lastNew;
  }

  /** Appends entries after the current tail (truncating a conflicting uncommitted suffix). */
  append(ents: readonly Entry[]): bigint {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1n;
    assert(after >= this.committed, `append after ${after} is below committed ${this.committed}`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** The index of the first entry in `ents` whose term differs from ours, or the first new one, or 0. */
  findConflict(ents: readonly Entry[]): bigint {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0n;
  }

  /**
   * Fast backtracking: the largest index <= `index` whose term is <= `term`, with that term.
   * A leader uses it on a rejection hint to skip whole terms the follower cannot match.
   */
  findConflictByTerm(index: bigint, term: bigint): [bigint, bigint] {
    let i = index;
    for (;;) {
      const t = this.term(i);
      if (isStorageError(t)) return [i, 0n];
      if (t <= term) return [i, t];
      i -= 1n;
    }
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries;
  }

  /** Committed entries not yet applied, bounded by `maxNextEntriesSizeBytes`. */
  nextEntries(): Entry[] {
    const off = this.applied + 1n > this.firstIndex() ? this.applied + 1n : this.firstIndex();
    if (this.committed + 1n > off) {
      const es = this.slice(off, this.committed + 1n, this.maxNextEntriesSizeBytes);
      assert(!isStorageError(es), `committed entries unavailable: ${String(es)}`);
      return es;
    }
    return [];
  }

  hasNextEntries(): boolean {
    const off = this.applied + 1n > this.firstIndex() ? this.applied + 1n : this.firstIndex();
    return this.committed + 1n > off;
  }

  /** The snapshot to send a follower: the pending incoming one, else storage's. */
  snapshot(requestIndex: bigint): Snapshot | StorageError {
    if (this.unstable.snapshot) return this.unstable.snapshot;
    return this.storage.snapshot(requestIndex);
  }

  commitTo(index: bigint): void {
    if (this.committed < index) {
      assert(index <= this.lastIndex(), `commit ${index} is beyond last index ${this.lastIndex()}`);
      this.committed = index;
    }
  }

  appliedTo(index: bigint): void {
    if (index === 0n) return;
    assert(index <= this.committed && index >= this.applied, `applied ${index} outside [${this.applied}, ${this.committed}]`);
    this.applied = index;
  }

  stableTo(index: bigint, term: bigint): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: bigint): void {
    this.unstable.stableSnapTo(index);
  }

  /** Raft's "at least as up to date" comparison for votes (§5.4.1). */
  isUpToDate(lastIndex: bigint, term: bigint): boolean {
    const ourTerm = this.lastTerm();
    return term > ourTerm || (term === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Commits `maxIndex` only if it is from `term` (a leader commits only its own term, §5.4.2). */
  maybeCommit(maxIndex: bigint, term: bigint): boolean {
    if (maxIndex > this.committed && this.zeroTermOnError(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  /** Replaces the log with an incoming snapshot. */
  restore(s: Snapshot): void {
    const m = snapshotMetadata(s);
    this.committed = m.index;
    this.unstable.restore(s);
  }

  /** Entries from `index` to the end, bounded by `maxSizeBytes` (at least one). */
  entries(index: bigint, maxSizeBytes: number): Entry[] | StorageError {
    if (index > this.lastIndex()) return [];
    return this.slice(index, this.lastIndex() + 1n, maxSizeBytes);
  }

  /** Entries in [lo, hi) across storage and the unstable tail, at least one if any. */
  slice(lo: bigint, hi: bigint, maxSizeBytes: number): Entry[] | StorageError {
    if (lo === hi) return [];
    const first = this.firstIndex();
    if (lo < first) return 'compacted';
    assert(hi <= this.lastIndex() + 1n && lo <= hi, `slice [${lo},${hi}) out of bounds`);
    let out: Entry[] = [];
    const uOff = this.unstable.offset;
    if (lo < uOff) {
      const stored = this.storage.entries(lo, hi < uOff ? hi : uOff, maxSizeBytes);
      if (isStorageError(stored)) return stored;
      out = stored;
      const wanted = (hi < uOff ? hi : uOff) - lo;
      if (BigInt(stored.length) < wanted) return out; // size limit hit inside storage
    }
    if (hi > uOff) {
      const tail = this.unstable.slice(lo > uOff ? lo : uOff, hi);
      out = out.length > 0 ? out.concat(tail) : tail;
    }
    return limitSize(out, maxSizeBytes);
  }
}

/** The longest prefix of `ents` within `maxSizeBytes`, but at least one entry. */
export function limitSize(ents: Entry[], maxSizeBytes: number): Entry[] {
  if (ents.length === 0) return ents;
  let size = entrySizeBytes(ents[0]!);
  let n = 1;
  for (; n < ents.length; n++) {
    size += entrySizeBytes(ents[n]!);
    if (size > maxSizeBytes) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}
