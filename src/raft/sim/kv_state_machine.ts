/**
 * The replicated key-value state machine the simulator runs on top of Raft: put, get and
 * compare-and-set over string keys. Commands travel as JSON in entry data; each carries the
 * request id so the node that proposed it can answer its client when it is applied.
 * Snapshots serialize the whole map.
 */

/** A command in a log entry. */
export type KvCommand =
  | { id: number; op: 'put'; key: string; value: string }
  | { id: number; op: 'cas'; key: string; expected: string | null; value: string };

/** What applying a command returned. */
export interface KvApplyResult {
  id: number;
  ok: boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Encodes a command as entry data. */
export function encodeKvCommand(c: KvCommand): Uint8Array {
  return enc.encode(JSON.stringify(c));
}

/**
 * An in-memory map with deterministic snapshot encoding. Commands are applied at most once per
 * request id: the network may duplicate a forwarded MsgPropose, so the same command can be
 * committed twice (Raft thesis §6.3); the id set travels in snapshots so every replica
 * filters the same duplicates.
 */
export class KvStateMachine {
  private data = new Map<string, string>();
  private appliedIds = new Map<number, boolean>();

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** Applies one entry's data; empty data (leader no-ops, refused conf changes) does nothing. */
  apply(data: Uint8Array): KvApplyResult | null {
    if (data.length === 0) return null;
    const c = JSON.parse(dec.decode(data)) as KvCommand;
    const dup = this.appliedIds.get(c.id);
    if (dup !== undefined) return null; // a duplicate: the first application already answered
    const result = this.applyOnce(c);
    this.appliedIds.set(c.id, result.ok);
    return result;
  }

  private applyOnce(c: KvCommand): KvApplyResult {
    if (c.op === 'put') {
      this.data.set(c.key, c.value);
      return { id: c.id, ok: true };
    }
    const cur = this.data.get(c.key) ?? null;
    if (cur === c.expected) {
      this.data.set(c.key, c.value);
      return { id: c.id, ok: true };
    }
    return { id: c.id, ok: false };
  }

  snapshot(): Uint8Array {
    const entries = [...this.data.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const ids = [...this.appliedIds.entries()].sort((a, b) => a[0] - b[0]);
    return enc.encode(JSON.stringify({ entries, ids }));
  }

  restore(data: Uint8Array): void {
    if (data.length === 0) {
      this.data = new Map();
      this.appliedIds = new Map();
      return;
    }
    const s = JSON.parse(dec.decode(data)) as { entries: [string, string][]; ids: [number, boolean][] };
    this.data = new Map(s.entries);
    this.appliedIds = new Map(s.ids);
  }

  /** A canonical string of the user-visible state, for cross-node comparison. */
  digest(): string {
    const entries = [...this.data.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return JSON.stringify(entries);
  }
}
