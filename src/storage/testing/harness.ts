import { MemoryEngine } from '../../engine/mod.ts';
import type { Clock } from '../../util/mod.ts';
import type { RegionContext, RegionRange } from '../region_kv.ts';
import { SingleRegionKv } from '../single_region_kv.ts';
import { Storage } from '../storage.ts';
import type { StorageLimits } from '../storage_limits.ts';
import { isRegionError, type Answer } from '../storage.ts';

/** A clock tests move by hand; timers fire when `advance` passes them. */
export class ManualClock implements Clock {
  private now = 1_700_000_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;

  nowMs(): number {
    return this.now;
  }
  monotonicMs(): number {
    return this.now;
  }
  setTimeout(fn: () => void, delayMs: number): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.now + delayMs, fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }
  setInterval(fn: () => void, periodMs: number): () => void {
    let cancel = (): void => {};
    const arm = (): void => {
      cancel = this.setTimeout(() => {
        fn();
        arm();
      }, periodMs);
    };
    arm();
    return () => cancel();
  }
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delayMs));
  }
  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((t) => t.at <= this.now);
    this.timers = this.timers.filter((t) => t.at > this.now);
    for (const t of due) t.fn();
  }
}

export const CTX: RegionContext = { regionId: 1n, confVer: 1n, version: 1n, peerId: 1n, storeId: 1n };

export function b(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function s(u: Uint8Array): string {
  return new TextDecoder().decode(u);
}

/** A storage over a fresh memory engine with one region. */
export function newStorage(opts: { range?: RegionRange; limits?: Partial<StorageLimits>; clock?: ManualClock } = {}) {
  const engine = new MemoryEngine();
  const regionKv = new SingleRegionKv(engine, opts.range);
  const clock = opts.clock ?? new ManualClock();
  const storage = new Storage(regionKv, clock, opts.limits);
  return { engine, regionKv, clock, storage };
}

/** Unwraps an answer that must not be a region error. */
export function ok<T extends object>(a: Answer<T>): T {
  if (isRegionError(a)) throw new Error(`unexpected region error: ${a.regionError.message}`);
  return a;
}
