/**
 * TSO timestamp helpers: a timestamp is `physical_ms << 18 | logical`, a `bigint` in
 * [0, 2^64). `TS_MAX` is what an autocommit point get reads at.
 */
export const TS_MAX = (1n << 64n) - 1n;
const PHYSICAL_SHIFT = 18n;

/** Milliseconds part of a TSO timestamp. */
export function physicalMs(ts: bigint): bigint {
  return ts >> PHYSICAL_SHIFT;
}

/** A timestamp made of a physical ms and a logical counter. */
export function composeTs(physical: bigint, logical = 0n): bigint {
  return (physical << PHYSICAL_SHIFT) | logical;
}

/** The largest of the timestamps (0 for none). */
export function maxTs(...ts: bigint[]): bigint {
  let m = 0n;
  for (const t of ts) if (t > m) m = t;
  return m;
}
