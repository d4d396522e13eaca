/**
 * In-memory `RaftLogStorage` with the write side an application needs: append, set hard
 * state, apply a snapshot, create a snapshot, compact. Used by tests and the simulator as the
 * "durable" log of a node (the simulator copies it to model a crash).
 */
import { assert } from '../util/mod.ts';
import {
  emptySnapshot,
  entrySizeBytes,
  newEntry,
  snapshotMetadata,
  type ConfState,
  type Entry,
  type HardState,
  type Snapshot,
} from './eraftpb.ts';
import type { RaftInitialState, RaftLogStorage, StorageError } from './raft_log_storage.ts';

/** Index and term of the bootstrap snapshot of a new group. */
export const BOOTSTRAP_INDEX = 1n;
export const BOOTSTRAP_TERM = 1n;

/** A `RaftLogStorage` that keeps everything in arrays. */
export class MemoryStorage implements RaftLogStorage {
  hardState: HardState = { term: 0n, vote: 0n, commit: 0n };
  private snap: Snapshot = emptySnapshot();
  /** ents[0] is a dummy standing for the snapshot (its index and term). */
  private ents: Entry[] = [newEntry({})];

  /**
   * When set, `snapshot()` first refreshes the stored snapshot to the application's current
   * applied state (TiKV generates snapshots on demand, so a new member finds itself in it).
   */
  snapshotSource: (() => { index: bigint; confState: ConfState; data: Uint8Array }) | null = null;

  /**
   * A storage for a member of a freshly bootstrapped group: a snapshot at index 1, term 1
   * holding the initial configuration (so nodes added later catch up by snapshot, as in TiKV).
   */
  static bootstrap(cs: ConfState): MemoryStorage {
    const s = new MemoryStorage();
    s.snap = { data: new Uint8Array(0), metadata: { index: BOOTSTRAP_INDEX, term: BOOTSTRAP_TERM, confState: cs } };
    s.ents = [newEntry({ index: BOOTSTRAP_INDEX, term: BOOTSTRAP_TERM })];
    s.hardState = { term: BOOTSTRAP_TERM, vote: 0n, commit: BOOTSTRAP_INDEX };
    return s;
  }

  initialState(): RaftInitialState {
    return { hardState: { ...this.hardState }, confState: snapshotMetadata(this.snap).confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = { ...hs };
  }

  /** The conf state stored with the last snapshot (updated by `setConfState`). */
  setConfState(cs: ConfState): void {
    const m = snapshotMetadata(this.snap);
    this.snap = { data: this.snap.data, metadata: { index: m.index, term: m.term, confState: cs } };
  }

  entries(lo: bigint, hi: bigint, maxSizeBytes: number): Entry[] | StorageError {
    const offset = this.ents[0]!.index;
    if (lo <= offset) return 'compacted';
    if (hi > this.lastIndex() + 1n) return 'unavailable';
    const out: Entry[] = [];
    let size = 0;
    for (let i = Number(lo - offset); i < Number(hi - offset); i++) {
      const e = this.ents[i]!;
      size += entrySizeBytes(e);
      if (out.length > 0 && size > maxSizeBytes) break;
      out.push(e);
    }
    return out;
  }

  term(index: bigint): bigint | StorageError {
    const offset = this.ents[0]!.index;
    if (index < offset) return 'compacted';
    const i = Number(index - offset);
    if (i >= this.ents.length) return 'unavailable';
    return this.ents[i]!.term;
  }

  firstIndex(): bigint {
    return this.ents[0]!.index + 1n;
  }

  lastIndex(): bigint {
    return this.ents[0]!.index + BigInt(this.ents.length - 1);
  }

  snapshot(_requestIndex: bigint): Snapshot | StorageError {
    if (this.snapshotSource) {
      const src = this.snapshotSource();
      if (src.index > snapshotMetadata(this.snap).index && src.index <= this.lastIndex()) {
        this.createSnapshot(src.index, src.confState, src.data);
      }
    }
    return this.snap;
  }

  /** The stored snapshot as is (no refresh from `snapshotSource`). */
  currentSnapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the whole state with `snap` (a follower installing a leader's snapshot). */
  applySnapshot(snap: Snapshot): 'snapshot-out-of-date' | null {
    const m = snapshotMetadata(snap);
    if (snapshotMetadata(this.snap).index >= m.index) return 'snapshot-out-of-date';
    this.snap = snap;
    this.ents = [newEntry({ term: m.term, index: m.index })];
    return null;
  }

  /** Records a snapshot of the applied state at `index` (which must be in the log). */
  createSnapshot(index: bigint, cs: ConfState, data: Uint8Array): Snapshot | 'snapshot-out-of-date' {
    if (index <= snapshotMetadata(this.snap).index) return 'snapshot-out-of-date';
    assert(index <= this.lastIndex(), `snapshot ${index} is beyond last index ${this.lastIndex()}`);
    const term = this.term(index);
    assert(typeof term === 'bigint', 'snapshot index must be in the log');
    this.snap = { data, metadata: { index, term, confState: cs } };
    return this.snap;
  }

  /** Drops entries up to and including `compactIndex` (which must be at most the applied index). */
  compact(compactIndex: bigint): 'compacted' | null {
    const offset = this.ents[0]!.index;
    if (compactIndex <= offset) return 'compacted';
    assert(compactIndex <= this.lastIndex(), `compact ${compactIndex} is beyond last index ${this.lastIndex()}`);
    const i = Number(compactIndex - offset);
    const head = newEntry({ index: this.ents[i]!.index, term: this.ents[i]!.term });
    this.ents = [head, ...this.ents.slice(i + 1)];
    return null;
  }

  /** Appends (and overwrites any conflicting suffix with) `entries`, which must be contiguous. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + BigInt(entries.length - 1);
    if (last < first) return;
    let es = entries;
    if (first > entries[0]!.index) es = entries.slice(Number(first - entries[0]!.index));
    const offset = es[0]!.index - this.ents[0]!.index;
    assert(offset <= BigInt(this.ents.length), `missing log entry before ${es[0]!.index}`);
    // Truncate any conflicting suffix in place, then push: appends at the tail stay O(batch).
    this.ents.length = Number(offset);
    for (const e of es) this.ents.push(e);
  }
}
