/**
 * Raft's safety properties (paper Figure 3), checked by the simulator as the cluster runs:
 * - Election Safety: at most one leader per term;
 * - Leader Append-Only: a leader never overwrites entries it holds in its term;
 * - Log Matching: entries with the same index and term carry the same payload and follow the
 *   same previous term (so, inductively, identical prefixes);
 * - Leader Completeness: a new leader holds every entry committed so far;
 * - State Machine Safety / committed entries never change: every node commits and applies the
 *   same entry at each index; commit and applied indexes never go backwards.
 * Violations are collected as strings (the first one stops the run with its seed printed).
 */
import { EntryType, type Entry } from '../eraftpb.ts';
import type { Raft } from '../raft.ts';
import { isStorageError } from '../raft_log_storage.ts';

const dec = new TextDecoder();

function digest(e: Entry): string {
  return `${e.entryType}:${e.entryType === EntryType.EntryNormal ? dec.decode(e.data) : Array.from(e.data).join('.')}`;
}

/** Tracks global facts about the run and reports any contradiction. */
export class SafetyChecker {
  readonly violations: string[] = [];
  private leaders = new Map<bigint, bigint>();
  /** "index/term" -> payload digest and previous term, from every persisted entry. */
  private entries = new Map<string, { digest: string; prevTerm: bigint }>();
  /** index -> committed entry (term + digest), the first time any node committed it. */
  private committed = new Map<bigint, { term: bigint; digest: string }>();
  private maxCommitted = 0n;
  /** Durable commit index per node: never goes backwards, even across restarts. */
  private durableCommit = new Map<bigint, bigint>();
  /** (node, term) -> last index while leader, for the append-only check. */
  private leaderLast = new Map<string, bigint>();
  checks = 0;

  private fail(msg: string): void {
    if (this.violations.length < 20) this.violations.push(msg);
  }

  /** After every step: one leader per term, and applied <= committed. */
  observe(r: Raft): void {
    this.checks++;
    if (r.state === 2) {
      const prev = this.leaders.get(r.term);
      if (prev === undefined) {
        this.leaders.set(r.term, r.id);
        this.checkLeaderCompleteness(r);
      } else if (prev !== r.id) {
        this.fail(`election safety: term ${r.term} has leaders ${prev} and ${r.id}`);
      }
    }
    if (r.raftLog.applied > r.raftLog.committed) this.fail(`node ${r.id}: applied ${r.raftLog.applied} > committed ${r.raftLog.committed}`);
    // Committed entries never change: the entry at this node's commit index is the global one.
    const c = this.committed.get(r.raftLog.committed);
    if (c) {
      const t = r.raftLog.term(r.raftLog.committed);
      if (!isStorageError(t) && t !== c.term) this.fail(`committed entry changed: node ${r.id} has term ${t} at committed index ${r.raftLog.committed}, globally ${c.term}`);
    }
  }

  private checkLeaderCompleteness(r: Raft): void {
    if (r.raftLog.lastIndex() < this.maxCommitted) {
      this.fail(`leader completeness: leader ${r.id} term ${r.term} last index ${r.raftLog.lastIndex()} < committed ${this.maxCommitted}`);
      return;
    }
    const first = r.raftLog.firstIndex();
    for (const [index, c] of this.committed) {
      if (index < first) continue; // inside its snapshot, which only holds committed state
      const t = r.raftLog.term(index);
      if (isStorageError(t) || t !== c.term) {
        this.fail(`leader completeness: leader ${r.id} term ${r.term} has term ${String(t)} at committed index ${index} (term ${c.term})`);
        return;
      }
    }
  }

  /** A node is about to persist `entries` (its unstable log already holds them). */
  onPersist(r: Raft, entries: readonly Entry[], durableCommit: bigint | null): void {
    for (const e of entries) {
      const prevT = r.raftLog.term(e.index - 1n);
      const prevTerm = isStorageError(prevT) ? -1n : prevT;
      const k = `${e.index}/${e.term}`;
      const d = digest(e);
      const seen = this.entries.get(k);
      if (!seen) this.entries.set(k, { digest: d, prevTerm });
      else if (seen.digest !== d) this.fail(`log matching: entry ${k} differs between nodes (node ${r.id})`);
      else if (seen.prevTerm !== -1n && prevTerm !== -1n && seen.prevTerm !== prevTerm) {
        this.fail(`log matching: entry ${k} follows term ${prevTerm} on node ${r.id} but ${seen.prevTerm} elsewhere`);
      }
    }
    if (r.state === 2 && entries.length > 0) {
      const key = `${r.id}/${r.term}`;
      const last = this.leaderLast.get(key);
      if (last !== undefined && entries[0]!.index <= last) {
        this.fail(`leader append-only: leader ${r.id} term ${r.term} rewrote index ${entries[0]!.index} (had ${last})`);
      }
      this.leaderLast.set(key, entries[entries.length - 1]!.index);
    }
    if (durableCommit !== null) {
      const prev = this.durableCommit.get(r.id) ?? 0n;
      if (durableCommit < prev) this.fail(`node ${r.id}: durable commit went back from ${prev} to ${durableCommit}`);
      this.durableCommit.set(r.id, durableCommit);
    }
  }

  /** A node hands `e` to its state machine: it must be the one entry ever committed there. */
  onApply(nodeId: bigint, e: Entry): void {
    const d = digest(e);
    const c = this.committed.get(e.index);
    if (!c) {
      this.committed.set(e.index, { term: e.term, digest: d });
      if (e.index > this.maxCommitted) this.maxCommitted = e.index;
    } else if (c.term !== e.term || c.digest !== d) {
      this.fail(`state machine safety: node ${nodeId} applies ${e.term}/${e.index} but ${c.term}/${e.index} was committed`);
    }
  }

  /** Highest index known committed anywhere. */
  highestCommitted(): bigint {
    return this.maxCommitted;
  }
}
