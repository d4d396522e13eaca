/**
 * The tail of the log not yet persisted: an optional incoming snapshot and the entries after
 * it. `offset` is the index of `entries[0]`. Entries leave here once the application reports
 * them persisted (`stableTo`), but only if they were not overwritten meanwhile.
 */
import { assert } from '../util/mod.ts';
import { snapshotMetadata, type Entry, type Snapshot } from './eraftpb.ts';

/** Unpersisted log tail. */
export class Unstable {
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];
  constructor(public offset: bigint) {}

  /** First index if a snapshot is pending (its index + 1). */
  maybeFirstIndex(): bigint | null {
    return this.snapshot ? snapshotMetadata(this.snapshot).index + 1n : null;
  }

  /** Last index held here, if any. */
  maybeLastIndex(): bigint | null {
    if (this.entries.length > 0) return this.offset + BigInt(this.entries.length - 1);
    return this.snapshot ? snapshotMetadata(this.snapshot).index : null;
  }

  /** Term of `index` if this tail knows it. */
  maybeTerm(index: bigint): bigint | null {
    if (index < this.offset) {
      if (!this.snapshot) return null;
      const m = snapshotMetadata(this.snapshot);
      return m.index === index ? m.term : null;
    }
    const last = this.maybeLastIndex();
    if (last === null || index > last) return null;
    return this.entries[Number(index - this.offset)]!.term;
  }

  /** Entries up to `index` (with term `term`) are durable; drop them unless overwritten since. */
  stableTo(index: bigint, term: bigint): void {
    const t = this.maybeTerm(index);
    if (t === null || t !== term || index < this.offset) return;
    this.entries = this.entries.slice(Number(index + 1n - this.offset));
    this.offset = index + 1n;
  }

  /** The pending snapshot at `index` is durable. */
  stableSnapTo(index: bigint): void {
    if (this.snapshot && snapshotMetadata(this.snapshot).index === index) this.snapshot = null;
  }

  /** Replaces everything with an incoming snapshot. */
  restore(s: Snapshot): void {
    this.offset = snapshotMetadata(s).index + 1n;
    this.entries = [];
    this.snapshot = s;
  }

  /** Appends `ents`, truncating any conflicting suffix first. */
  truncateAndAppend(ents: readonly Entry[]): void {
    const after = ents[0]!.index;
    if (after === this.offset + BigInt(this.entries.length)) {
      this.entries = this.entries.concat(ents);
    } else if (after <= this.offset) {
      this.offset = after;
      this.entries = ents.slice();
    } else {
      this.entries = this.slice(this.offset, after).concat(ents);
    }
  }

  /** Entries in [lo, hi). */
  slice(lo: bigint, hi: bigint): Entry[] {
    assert(lo <= hi && lo >= this.offset && hi <= this.offset + BigInt(this.entries.length), `unstable slice [${lo},${hi}) out of bounds`);
    return this.entries.slice(Number(lo - this.offset), Number(hi - this.offset));
  }
}
