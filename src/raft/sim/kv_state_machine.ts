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

/** An in-memory map with deterministic snapshot encoding. */
export class KvStateMachine {
  private data = new Map<string, string>();

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** Applies one entry's data; empty data (leader no-ops, refused conf changes) does nothing. */
  apply(data: Uint8Array): KvApplyResult | null {
    if (data.length === 0) return null;
    const c = JSON.parse(dec.decode(data)) as KvCommand;
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
    return enc.encode(JSON.stringify(entries));
  }

  restore(data: Uint8Array): void {
    this.data = new Map(data.length === 0 ? [] : (JSON.parse(dec.decode(data)) as [string, string][]));
  }

  /** A canonical string of the whole state, for cross-node comparison. */
  digest(): string {
    return dec.decode(this.snapshot());
  }
}
