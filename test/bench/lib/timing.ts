import { SeededRandom } from '../../../src/util/mod.ts';

/**
 * Timing helpers for benchmarks: a monotonic microsecond clock, latency samples with
 * percentiles, and loops that run for a fixed duration. Benchmarks are not simulated code,
 * so they read the real monotonic clock here (and only here).
 */

/** Monotonic time in microseconds (sub-microsecond resolution). */
export function nowUs(): number {
  return performance.now() * 1000;
}

/** Most latency samples one recorder keeps; later samples overwrite a random older one. */
export const LATENCY_SAMPLES_MAX = 1_000_000;

/** Latency samples (microseconds) with exact percentiles over the sorted samples. */
export class LatencySamples {
  #samples = new Float64Array(1024);
  #count = 0;
  #seen = 0;
  #sorted = true;
  readonly #random = new SeededRandom(1);

  record(us: number): void {
    this.#seen++;
    this.#sorted = false;
    if (this.#count < LATENCY_SAMPLES_MAX) {
      if (this.#count === this.#samples.length) {
        const grown = new Float64Array(Math.min(this.#samples.length * 2, LATENCY_SAMPLES_MAX));
        grown.set(this.#samples);
        this.#samples = grown;
      }
      this.#samples[this.#count++] = us;
      return;
    }
    // Reservoir sampling keeps the kept samples uniform over everything seen.
    const slot = this.#random.int(this.#seen);
    if (slot < LATENCY_SAMPLES_MAX) this.#samples[slot] = us;
  }

  get count(): number {
    return this.#seen;
  }

  /** The `p`-th percentile (0..100) in microseconds; NaN without samples. */
  percentile(p: number): number {
    if (this.#count === 0) return Number.NaN;
    if (!this.#sorted) {
      this.#samples.subarray(0, this.#count).sort();
      this.#sorted = true;
    }
    const rank = Math.min(this.#count - 1, Math.max(0, Math.ceil((p / 100) * this.#count) - 1));
    return this.#samples[rank]!;
  }
}

/** Throughput and latency of one measured case. */
export interface Measurement {
  ops: number;
  elapsedMs: number;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
}

/** Builds a Measurement from an op count, an elapsed time and latency samples. */
export function summarize(ops: number, elapsedUs: number, latency: LatencySamples): Measurement {
  return {
    ops,
    elapsedMs: elapsedUs / 1000,
    opsPerSec: ops / (elapsedUs / 1e6),
    p50Us: latency.percentile(50),
    p99Us: latency.percentile(99),
  };
}

/**
 * Runs `op` back to back from `concurrency` async loops until `durationMs` has passed,
 * timing each call. `op(i)` gets a global call index; it returns how many logical ops it did
 * (default 1), e.g. keys in a batch.
 */
export async function runConcurrent(
  concurrency: number,
  durationMs: number,
  op: (i: number) => Promise<number | void> | number | void,
): Promise<Measurement> {
  const latency = new LatencySamples();
  const start = nowUs();
  const deadline = start + durationMs * 1000;
  let calls = 0;
  let ops = 0;
  const loop = async (): Promise<void> => {
    while (nowUs() < deadline) {
      const t0 = nowUs();
      const n = await op(calls++);
      latency.record(nowUs() - t0);
      ops += typeof n === 'number' ? n : 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return summarize(ops, nowUs() - start, latency);
}

/** Runs a synchronous `op` back to back until `durationMs` has passed, timing each call. */
export function runSyncFor(durationMs: number, op: (i: number) => void): Measurement {
  const latency = new LatencySamples();
  const start = nowUs();
  const deadline = start + durationMs * 1000;
  let i = 0;
  for (let t0 = start; t0 < deadline; ) {
    op(i++);
    const t1 = nowUs();
    latency.record(t1 - t0);
    t0 = t1;
  }
  return summarize(i, nowUs() - start, latency);
}

/**
 * Runs several cases in alternation, `rounds` times each, and returns one Measurement per
 * case with the median round's throughput and latencies. Alternating spreads slow periods
 * of a shared machine (other processes, fsync hiccups) over all cases instead of one.
 */
export async function interleave(
  rounds: number,
  cases: ReadonlyArray<() => Promise<Measurement> | Measurement>,
): Promise<Measurement[]> {
  const perCase: Measurement[][] = cases.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) perCase[i]!.push(await cases[i]!());
  }
  return perCase.map((ms) => {
    const median = (pick: (m: Measurement) => number): number => {
      const sorted = ms.map(pick).sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)]!;
    };
    let ops = 0;
    let elapsedMs = 0;
    for (const m of ms) {
      ops += m.ops;
      elapsedMs += m.elapsedMs;
    }
    return { ops, elapsedMs, opsPerSec: median((m) => m.opsPerSec), p50Us: median((m) => m.p50Us), p99Us: median((m) => m.p99Us) };
  });
}
