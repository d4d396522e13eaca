/**
 * The leader's view of one follower: how far its log matches (`match`), what to send next
 * (`next`), and the flow-control state. Probe: one append per heartbeat until we find where
 * the logs agree. Replicate: pipeline appends within the inflight window. Snapshot: stop
 * appending until the snapshot is reported applied or failed.
 */
import { Inflights } from './inflights.ts';

/** Flow-control state of a follower's progress. */
export enum ProgressState {
  Probe = 0,
  Replicate = 1,
  Snapshot = 2,
}

/** Per-follower replication progress. */
export class Progress {
  match = 0n;
  next: bigint;
  state = ProgressState.Probe;
  /** Index of the snapshot in flight while in the Snapshot state. */
  pendingSnapshot = 0n;
  /** Heard from this peer since the last check-quorum round. */
  recentActive = false;
  /** In Probe: an append was sent and we wait for its answer (or a heartbeat). */
  probeSent = false;
  /** Largest leader tick echoed in a heartbeat response: when this peer last renewed our lease. */
  leaseAckTick = 0n;
  readonly inflights: Inflights;

  constructor(
    next: bigint,
    public isLearner: boolean,
    inflightMsgsMax: number,
    inflightBytesMax: number,
  ) {
    this.next = next;
    this.inflights = new Inflights(inflightMsgsMax, inflightBytesMax);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0n;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === ProgressState.Snapshot) {
      // Resume right after the snapshot (or after what is known to match).
      const pending = this.pendingSnapshot;
      this.resetState(ProgressState.Probe);
      this.next = (this.match + 1n > pending + 1n ? this.match + 1n : pending + 1n);
    } else {
      this.resetState(ProgressState.Probe);
      this.next = this.match + 1n;
    }
  }

  becomeReplicate(): void {
    this.resetState(ProgressState.Replicate);
    this.next = this.match + 1n;
  }

  becomeSnapshot(snapshotIndex: bigint): void {
    this.resetState(ProgressState.Snapshot);
    this.pendingSnapshot = snapshotIndex;
  }

  /** An acknowledgement up to `n`; returns true when `match` advanced. */
  maybeUpdate(n: bigint): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    if (this.next < n + 1n) this.next = n + 1n;
    return updated;
  }

  /** Optimistically advance `next` after sending entries up to `n` (Replicate). */
  optimisticUpdate(n: bigint): void {
    this.next = n + 1n;
  }

  /**
   * A rejection of an append at `rejected`. `matchHint` is the leader's best guess of the
   * follower's matching index (from the fast-backtracking hint). Returns false for stale rejections.
   */
  maybeDecrTo(rejected: bigint, matchHint: bigint): boolean {
    if (this.state === ProgressState.Replicate) {
      if (rejected <= this.match) return false;
      this.next = this.match + 1n;
      return true;
    }
    if (this.next - 1n !== rejected) return false;
    let next = rejected < matchHint + 1n ? rejected : matchHint + 1n;
    if (next < this.match + 1n) next = this.match + 1n;
    this.next = next < 1n ? 1n : next;
    this.probeSent = false;
    return true;
  }

  /** True when nothing more may be sent to this peer now. */
  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflights.full();
      case ProgressState.Snapshot:
        return true;
    }
  }
}
