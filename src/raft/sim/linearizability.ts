/**
 * Linearizability checker for the key-value history: the Wing–Gong algorithm with Lowe's
 * memoization (as in Porcupine), after partitioning the history per key (P-compositionality:
 * a history is linearizable iff each key's sub-history is). Checked against brute force on
 * small random histories in linearizability.test.ts.
 */
import type { KvInput, KvOperation, KvOutput } from './history.ts';

/** Verdict for a whole history. */
export type LinearizabilityResult = 'ok' | 'illegal' | 'unknown';

/** One key's register model: does `input`/`output` fit `state`, and what comes next. */
export function stepRegister(state: string | null, input: KvInput, output: KvOutput): [boolean, string | null] {
  switch (input.op) {
    case 'put':
      return [true, input.value ?? null];
    case 'get':
      if (output.unknown) return [true, state];
      return [(output.value ?? null) === state, state];
    case 'cas': {
      const expected = input.expected ?? null;
      if (output.unknown) return [true, state === expected ? (input.value ?? null) : state];
      if (output.ok) return [state === expected, input.value ?? null];
      return [state !== expected, state];
    }
  }
}

/** Splits a history by key. */
export function partitionByKey(ops: readonly KvOperation[]): KvOperation[][] {
  const byKey = new Map<string, KvOperation[]>();
  for (const op of ops) {
    let list = byKey.get(op.input.key);
    if (!list) byKey.set(op.input.key, (list = []));
    list.push(op);
  }
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

/** Checks a whole history; `stepBudget` bounds the search per key (exceeded -> 'unknown'). */
export function checkLinearizable(ops: readonly KvOperation[], stepBudget = 2_000_000): LinearizabilityResult {
  let result: LinearizabilityResult = 'ok';
  for (const part of partitionByKey(ops)) {
    const r = checkSingleKey(part, stepBudget);
    if (r === 'illegal') return 'illegal';
    if (r === 'unknown') result = 'unknown';
  }
  return result;
}

const INF = Number.POSITIVE_INFINITY;

/** Wing–Gong search with memoization over one key's operations. */
export function checkSingleKey(ops: readonly KvOperation[], stepBudget: number): LinearizabilityResult {
  const n = ops.length;
  if (n === 0) return 'ok';
  // Events: 2 per op. Node k: op = k >> 1, isCall = (k & 1) === 0.
  const events: number[] = [];
  for (let i = 0; i < n; i++) events.push(2 * i, 2 * i + 1);
  const time = (k: number): number => {
    const op = ops[k >> 1]!;
    return (k & 1) === 0 ? op.call : (op.return ?? INF);
  };
  events.sort((a, b) => {
    const ta = time(a);
    const tb = time(b);
    if (ta !== tb) return ta < tb ? -1 : 1;
    const ca = (a & 1) === 0 ? 0 : 1;
    const cb = (b & 1) === 0 ? 0 : 1;
    if (ca !== cb) return ca - cb; // calls before returns at equal times (as Porcupine)
    return a - b;
  });
  // Doubly linked list with a head sentinel (index 2n).
  const HEAD = 2 * n;
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  let last = HEAD;
  for (const k of events) {
    next[last] = k;
    prev[k] = last;
    last = k;
  }
  const lift = (call: number): void => {
    const ret = call + 1;
    next[prev[call]!] = next[call]!;
    if (next[call]! >= 0) prev[next[call]!] = prev[call]!;
    next[prev[ret]!] = next[ret]!;
    if (next[ret]! >= 0) prev[next[ret]!] = prev[ret]!;
  };
  const unlift = (call: number): void => {
    const ret = call + 1;
    next[prev[ret]!] = ret;
    if (next[ret]! >= 0) prev[next[ret]!] = ret;
    next[prev[call]!] = call;
    if (next[call]! >= 0) prev[next[call]!] = call;
  };
  const words = Math.ceil(n / 32);
  const linearized = new Uint32Array(words);
  const cache = new Set<string>();
  const key = (state: string | null): string => {
    let s = '';
    for (let w = 0; w < words; w++) s += linearized[w]!.toString(36) + ',';
    return s + '|' + (state === null ? '\u0000' : state);
  };
  const stack: { call: number; state: string | null }[] = [];
  let state: string | null = null;
  let entry = next[HEAD]!;
  let steps = 0;
  while (next[HEAD]! >= 0) {
    if (++steps > stepBudget) return 'unknown';
    if (entry < 0) return 'illegal'; // defensive: walked off the list
    if ((entry & 1) === 0) {
      const op = ops[entry >> 1]!;
      const [ok, newState] = stepRegister(state, op.input, op.output);
      if (ok) {
        const i = entry >> 1;
        linearized[i >>> 5]! |= 1 << (i & 31);
        const k = key(newState);
        if (!cache.has(k)) {
          cache.add(k);
          stack.push({ call: entry, state });
          state = newState;
          lift(entry);
          entry = next[HEAD]!;
          continue;
        }
        linearized[i >>> 5]! &= ~(1 << (i & 31));
      }
      entry = next[entry]!;
    } else {
      // A return whose call could not be linearized before it: backtrack.
      const top = stack.pop();
      if (!top) return 'illegal';
      state = top.state;
      const i = top.call >> 1;
      linearized[i >>> 5]! &= ~(1 << (i & 31));
      unlift(top.call);
      entry = next[top.call]!;
    }
  }
  return 'ok';
}
