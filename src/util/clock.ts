/**
 * The only file that reads the wall clock or arms timers. Everything else receives a
 * `Clock`, so a whole cluster can run under a simulated clock from one seed.
 */
export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch. */
  nowMs(): number;
  /** Monotonic milliseconds, for durations. */
  monotonicMs(): number;
  /** Calls `fn` after `delayMs`; returns a cancel function. */
  setTimeout(fn: () => void, delayMs: number): () => void;
  /** Calls `fn` every `periodMs`; returns a cancel function. */
  setInterval(fn: () => void, periodMs: number): () => void;
  /** Resolves after `delayMs`. */
  sleep(delayMs: number): Promise<void>;
}

export const realClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
  setTimeout(fn, delayMs) {
    const handle = setTimeout(fn, delayMs);
    handle.unref?.();
    return () => clearTimeout(handle);
  },
  setInterval(fn, periodMs) {
    const handle = setInterval(fn, periodMs);
    handle.unref?.();
    return () => clearInterval(handle);
  },
  sleep: (delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs)),
};
