/**
 * Simulated network between Raft nodes, driven by the simulator's seeded `Random` and clock:
 * per-message drop, delay (which also reorders), duplication, and partitions as a set of
 * blocked directed links (so symmetric, asymmetric and ring partitions are all just sets).
 * Nothing here uses timers: `due(now)` hands back what arrives by simulated time `now`.
 */
import type { Random } from '../../util/mod.ts';
import type { Message } from '../eraftpb.ts';

/** Knobs of the simulated network (changed by faults during a run). */
export interface NetworkFaults {
  dropProbability: number;
  duplicateProbability: number;
  delayMinMs: number;
  delayMaxMs: number;
}

/** The fault-free setting: small delays, nothing lost. */
export const CALM_NETWORK: NetworkFaults = { dropProbability: 0, duplicateProbability: 0, delayMinMs: 1, delayMaxMs: 3 };

/** Upper bound of messages in flight, so a pathological seed cannot exhaust memory. */
export const NETWORK_IN_FLIGHT_MAX = 200_000;

interface InFlight {
  at: number;
  seq: number;
  m: Message;
}

/** Messages in flight, ordered by delivery time. */
export class SimNetwork {
  faults: NetworkFaults = { ...CALM_NETWORK };
  private blocked = new Set<string>();
  private queue: InFlight[] = [];
  private seq = 0;
  dropped = 0;
  duplicated = 0;
  delivered = 0;

  constructor(private readonly random: Random) {}

  isBlocked(from: bigint, to: bigint): boolean {
    return this.blocked.size > 0 && this.blocked.has(`${from}>${to}`);
  }

  block(from: bigint, to: bigint): void {
    this.blocked.add(`${from}>${to}`);
  }

  heal(): void {
    this.blocked.clear();
  }

  /** Blocks every link between the two groups, both ways. */
  partition(a: readonly bigint[], b: readonly bigint[]): void {
    for (const x of a) {
      for (const y of b) {
        this.block(x, y);
        this.block(y, x);
      }
    }
  }

  send(m: Message, now: number): void {
    if (this.queue.length >= NETWORK_IN_FLIGHT_MAX || this.random.chance(this.faults.dropProbability)) {
      this.dropped++;
      return;
    }
    this.enqueue(m, now);
    if (this.random.chance(this.faults.duplicateProbability)) {
      this.duplicated++;
      this.enqueue(m, now);
    }
  }

  /** Holds `m` until `at` (its receiver is paused). */
  requeue(m: Message, at: number): void {
    this.insert(m, at);
  }

  private enqueue(m: Message, now: number): void {
    const span = this.faults.delayMaxMs - this.faults.delayMinMs;
    this.insert(m, now + this.faults.delayMinMs + this.random.int(span + 1));
  }

  private insert(m: Message, at: number): void {
    const item = { at, seq: this.seq++, m };
    // Binary search for the insertion point keeps the queue sorted by (at, seq).
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.queue[mid]!.at <= at) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, item);
  }

  /** Time of the next delivery, or Infinity. */
  nextAt(): number {
    return this.queue.length > 0 ? this.queue[0]!.at : Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the messages due by `now` whose link is open (blocked ones are lost). */
  due(now: number): Message[] {
    let n = 0;
    while (n < this.queue.length && this.queue[n]!.at <= now) n++;
    if (n === 0) return [];
    const items = this.queue.splice(0, n);
    const out: Message[] = [];
    for (const it of items) {
      if (this.isBlocked(it.m.from, it.m.to)) {
        this.dropped++;
        continue;
      }
      this.delivered++;
      // Each delivery gets its own object: the receiver may mutate it, and duplicates share one.
      out.push({ ...it.m });
    }
    return out;
  }

  inFlight(): number {
    return this.queue.length;
  }
}
