/**
 * The read-only view of durable Raft state that the core needs. The application owns the
 * writes (it persists each `Ready`); the core only reads. Expected failures come back as
 * `StorageError` values, never thrown.
 */
import type { ConfState, Entry, HardState, Snapshot } from './eraftpb.ts';

/**
 * `compacted`: the requested index is below the first available index (use a snapshot).
 * `unavailable`: the requested index is above the last index.
 * `snapshot-temporarily-unavailable`: a snapshot is being built; ask again later.
 */
export type StorageError = 'compacted' | 'unavailable' | 'snapshot-temporarily-unavailable';

/** True when a storage call returned an error value rather than data. */
export function isStorageError(x: unknown): x is StorageError {
  return typeof x === 'string';
}

/** Durable state a node restarts from. */
export interface RaftInitialState {
  hardState: HardState;
  confState: ConfState;
}

/** Read-only durable Raft log as seen by the core. */
export interface RaftLogStorage {
  /** Hard state and conf state persisted so far. */
  initialState(): RaftInitialState;
  /** Entries in [lo, hi), at least one if any, stopping before `maxSizeBytes` is exceeded. */
  entries(lo: bigint, hi: bigint, maxSizeBytes: number): Entry[] | StorageError;
  /** Term of the entry at `index`; the snapshot's index is answerable too. */
  term(index: bigint): bigint | StorageError;
  /** Index of the first entry still available (snapshot index + 1). */
  firstIndex(): bigint;
  /** Index of the last entry (or the snapshot index when the log is empty). */
  lastIndex(): bigint;
  /** The most recent snapshot; `requestIndex` is a hint of what the follower needs. */
  snapshot(requestIndex: bigint): Snapshot | StorageError;
}
