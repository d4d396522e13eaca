/**
 * Conformance suite for `RaftLogStorage` implementations (STYLE rule 3): the in-memory one
 * runs it in memory_storage.test.ts; the raftstore's engine-backed log must pass it too.
 * Call `describeRaftLogStorage(name, factory)` from a vitest file.
 */
import { describe, expect, it } from 'vitest';
import { newConfState, newEntry, type ConfState, type Entry, type HardState, type Snapshot } from './eraftpb.ts';
import type { RaftLogStorage } from './raft_log_storage.ts';

/** The write side the suite drives (what a host does with a Ready). */
export interface RaftLogStorageUnderTest extends RaftLogStorage {
  append(entries: readonly Entry[]): void;
  setHardState(hs: HardState): void;
  applySnapshot(snap: Snapshot): 'snapshot-out-of-date' | null;
  createSnapshot(index: bigint, cs: ConfState, data: Uint8Array): Snapshot | 'snapshot-out-of-date';
  compact(compactIndex: bigint): 'compacted' | null;
}

function ents(from: number, to: number, term: number, bytes = 10): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(newEntry({ index: BigInt(i), term: BigInt(term), data: new Uint8Array(bytes).fill(i & 0xff) }));
  return out;
}

/** Registers the conformance tests for one implementation. */
export function describeRaftLogStorage(name: string, factory: () => RaftLogStorageUnderTest): void {
  describe(`RaftLogStorage conformance: ${name}`, () => {
    it('starts empty', () => {
      const s = factory();
      expect(s.firstIndex()).toBe(1n);
      expect(s.lastIndex()).toBe(0n);
      expect(s.term(0n)).toBe(0n);
      expect(s.term(1n)).toBe('unavailable');
      expect(s.entries(1n, 1n, 1 << 20)).toEqual([]);
    });

    it('reads back appended entries and terms', () => {
      const s = factory();
      s.append(ents(1, 5, 1));
      expect(s.lastIndex()).toBe(5n);
      expect(s.term(3n)).toBe(1n);
      const got = s.entries(2n, 5n, 1 << 20);
      expect(Array.isArray(got) && got.map((e) => e.index)).toEqual([2n, 3n, 4n]);
      expect(s.entries(2n, 7n, 1 << 20)).toBe('unavailable');
    });

    it('bounds entries by size but returns at least one', () => {
      const s = factory();
      s.append(ents(1, 5, 1, 100));
      const one = s.entries(1n, 6n, 1);
      expect(Array.isArray(one) && one.length).toBe(1);
      const some = s.entries(1n, 6n, 300);
      expect(Array.isArray(some) && some.length).toBeGreaterThanOrEqual(2);
      expect(Array.isArray(some) && some.length).toBeLessThan(5);
    });

    it('truncates a conflicting suffix on append', () => {
      const s = factory();
      s.append(ents(1, 5, 1));
      s.append(ents(3, 4, 2));
      expect(s.lastIndex()).toBe(4n);
      expect(s.term(2n)).toBe(1n);
      expect(s.term(3n)).toBe(2n);
      expect(s.term(5n)).toBe('unavailable');
    });

    it('compacts: earlier entries become compacted, the compact index keeps its term', () => {
      const s = factory();
      s.append(ents(1, 10, 3));
      expect(s.createSnapshot(6n, newConfState({ voters: [1n] }), new Uint8Array([1]))).not.toBe('snapshot-out-of-date');
      expect(s.compact(6n)).toBeNull();
      expect(s.firstIndex()).toBe(7n);
      expect(s.term(6n)).toBe(3n);
      expect(s.term(5n)).toBe('compacted');
      expect(s.entries(5n, 8n, 1 << 20)).toBe('compacted');
      expect(s.compact(4n)).toBe('compacted');
      const snap = s.snapshot(0n);
      expect(typeof snap !== 'string' && snap.metadata?.index).toBe(6n);
    });

    it('installs a newer snapshot, refuses an older one', () => {
      const s = factory();
      s.append(ents(1, 3, 1));
      const snap: Snapshot = { data: new Uint8Array([9]), metadata: { index: 20n, term: 4n, confState: newConfState({ voters: [1n, 2n] }) } };
      expect(s.applySnapshot(snap)).toBeNull();
      expect(s.firstIndex()).toBe(21n);
      expect(s.lastIndex()).toBe(20n);
      expect(s.term(20n)).toBe(4n);
      expect(s.initialState().confState.voters).toEqual([1n, 2n]);
      expect(s.applySnapshot({ ...snap, metadata: { index: 10n, term: 4n, confState: newConfState() } })).toBe('snapshot-out-of-date');
      s.append(ents(21, 22, 4));
      expect(s.lastIndex()).toBe(22n);
    });

    it('keeps the hard state', () => {
      const s = factory();
      s.append(ents(1, 2, 5));
      s.setHardState({ term: 5n, vote: 2n, commit: 2n });
      expect(s.initialState().hardState).toEqual({ term: 5n, vote: 2n, commit: 2n });
    });
  });
}
