/**
 * Builds known-bad histories from good ones by mutations that are non-linearizable by
 * construction (values are unique per write, so each mutation forces a contradiction with
 * real-time order):
 * - stale-read: a read returns w1's value although w2 overwrote it and finished first;
 * - phantom-read: a read returns a value nobody wrote;
 * - lost-write: a read after a finished write returns "absent";
 * - future-read: a read returns the value of a write that started after the read ended;
 * - cas-flip: a successful compare-and-set is reported failed although a read saw its value.
 * Each bad history is trimmed to the one key and a window around the contradiction.
 * The corpus also keeps real failures (kind 'real-bug'), e.g. seed 6718's double-applied
 * duplicated proposal, so checkers are tested on an anomaly the system actually produced.
 */
import type { KvOperation } from './history.ts';
import { partitionByKey } from './linearizability.ts';

/** One known-bad history with how it was made. */
export interface BadHistory {
  name: string;
  /** 'real-bug': a history the simulator produced before a bug was fixed (kept verbatim). */
  mutation: 'stale-read' | 'phantom-read' | 'lost-write' | 'future-read' | 'cas-flip' | 'real-bug';
  operations: KvOperation[];
}

function clone(ops: readonly KvOperation[]): KvOperation[] {
  return ops.map((o) => ({ ...o, input: { ...o.input }, output: { ...o.output } }));
}

function isWrite(o: KvOperation): boolean {
  return o.return !== null && (o.input.op === 'put' || (o.input.op === 'cas' && o.output.ok === true));
}

function isRead(o: KvOperation): boolean {
  return o.input.op === 'get' && o.return !== null;
}

function window(ops: KvOperation[], from: number, to: number, keep: readonly KvOperation[]): KvOperation[] {
  return ops.filter((o) => keep.includes(o) || (o.call >= from && o.call <= to));
}

/** Up to `perKind` mutants of each kind from one good history (deterministic). */
export function mutateHistory(tag: string, ops: readonly KvOperation[], perKind: number): BadHistory[] {
  const out: BadHistory[] = [];
  for (const part of partitionByKey(ops)) {
    const key = part[0]!.input.key;
    const writes = part.filter(isWrite).sort((a, b) => a.call - b.call);
    const reads = part.filter(isRead).sort((a, b) => a.call - b.call);
    const counts = { 'stale-read': 0, 'phantom-read': 0, 'lost-write': 0, 'future-read': 0, 'cas-flip': 0, 'real-bug': 0 };
    const add = (mutation: BadHistory['mutation'], build: (copy: KvOperation[]) => KvOperation[] | null): void => {
      if (counts[mutation] >= perKind) return;
      const copy = clone(part);
      const result = build(copy);
      if (!result) return;
      counts[mutation]++;
      out.push({ name: `${tag}-${key}-${mutation}-${counts[mutation]}`, mutation, operations: result });
    };
    for (const r of reads) {
      const i = part.indexOf(r);
      // stale-read: w1 -> w2 -> r in real time, r returns w1's value.
      for (let a = 0; a < writes.length; a++) {
        const w1 = writes[a]!;
        const w2 = writes.find((w) => w.call > w1.return! && w.return! < r.call);
        if (!w2 || w1.return! >= r.call) continue;
        add('stale-read', (copy) => {
          copy[i]!.output = { value: w1.input.value ?? null };
          if (w1.input.value === r.output.value) return null;
          return window(copy, w1.call - 20, copy[i]!.return! + 20, [copy[part.indexOf(w1)]!, copy[part.indexOf(w2)]!, copy[i]!]);
        });
        break;
      }
      add('phantom-read', (copy) => {
        copy[i]!.output = { value: `never-written-${i}` };
        return window(copy, r.call - 30, r.return! + 30, [copy[i]!]);
      });
      const before = writes.find((w) => w.return! < r.call);
      if (before) {
        add('lost-write', (copy) => {
          copy[i]!.output = { value: null };
          return window(copy, before.call - 20, r.return! + 20, [copy[part.indexOf(before)]!, copy[i]!]);
        });
      }
      const after = writes.find((w) => w.call > r.return!);
      if (after) {
        add('future-read', (copy) => {
          copy[i]!.output = { value: after.input.value ?? null };
          return window(copy, r.call - 20, after.return! + 20, [copy[part.indexOf(after)]!, copy[i]!]);
        });
      }
    }
    for (const w of writes) {
      if (w.input.op !== 'cas') continue;
      const seen = reads.find((r) => r.output.value === w.input.value);
      if (!seen) continue;
      add('cas-flip', (copy) => {
        copy[part.indexOf(w)]!.output = { ok: false };
        return window(copy, w.call - 20, seen.return! + 20, [copy[part.indexOf(w)]!, copy[part.indexOf(seen)]!]);
      });
    }
    void key;
  }
  return out;
}
