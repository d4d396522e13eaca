import { bytesCompare } from '../../src/util/mod.ts';

/** A buffered write: `undefined` value = delete. */
export interface BufferedWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | undefined;
}

/**
 * Merges a transaction's buffered writes (sorted in scan order, already restricted to the
 * range) over a snapshot scan, so reads see the txn's own writes first. Shared by every
 * KvTxn implementation that buffers writes client-side.
 */
export async function* bufferedScan(
  snapshotRows: AsyncIterable<{ key: Uint8Array; value: Uint8Array }>,
  buffered: readonly BufferedWrite[],
  reverse: boolean,
  limit: number,
): AsyncIterable<{ key: Uint8Array; value: Uint8Array }> {
  if (limit <= 0) return;
  let emitted = 0;
  let bi = 0;
  const order = (a: Uint8Array, b: Uint8Array): number => (reverse ? -bytesCompare(a, b) : bytesCompare(a, b));
  for await (const row of snapshotRows) {
    while (bi < buffered.length && order(buffered[bi]!.key, row.key) < 0) {
      const w = buffered[bi++]!;
      if (w.value !== undefined) {
        yield { key: w.key, value: w.value };
        if (++emitted >= limit) return;
      }
    }
    if (bi < buffered.length && order(buffered[bi]!.key, row.key) === 0) {
      const w = buffered[bi++]!;
      if (w.value === undefined) continue;
      yield { key: w.key, value: w.value };
    } else {
      yield row;
    }
    if (++emitted >= limit) return;
  }
  while (bi < buffered.length) {
    const w = buffered[bi++]!;
    if (w.value !== undefined) {
      yield { key: w.key, value: w.value };
      if (++emitted >= limit) return;
    }
  }
}
