// Proves latches serialize commands on the same keys (FIFO, no lost wake-ups, sorted acquisition
// without deadlock) and that two concurrent prewrites of one key through Storage: exactly one wins.
import { describe, expect, it } from 'vitest';
import { Latches } from './latches.ts';
import { Op } from './kvrpc_types.ts';
import { CTX, b, newStorage, ok } from './testing/harness.ts';

describe('Latches', () => {
  it('serializes overlapping key sets and frees every slot', async () => {
    const latches = new Latches(8);
    const log: string[] = [];
    const run = async (name: string, keys: string[]): Promise<void> => {
      const g = await latches.acquire(keys.map(b));
      log.push(`+${name}`);
      await new Promise((r) => setTimeout(r, 1));
      log.push(`-${name}`);
      g.release();
    };
    await Promise.all([run('a', ['x', 'y']), run('b', ['y', 'z', 'x']), run('c', ['z', 'x']), run('d', ['x'])]);
    // No two holders interleave: every + is immediately followed by its -.
    for (let i = 0; i < log.length; i += 2) expect(log[i]!.slice(1)).toBe(log[i + 1]!.slice(1));
    expect(latches.heldSlotCount).toBe(0);
  });

  it('two concurrent prewrites of one key: exactly one wins, the other sees the lock', async () => {
    for (let round = 0; round < 20; round++) {
      const { storage } = newStorage();
      const start = BigInt(10 + round);
      const [r1, r2] = await Promise.all([
        storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('k'), value: b('1') }], primaryLock: b('k'), startVersion: start }),
        storage.prewrite(CTX, { mutations: [{ op: Op.Put, key: b('k'), value: b('2') }], primaryLock: b('k'), startVersion: start + 100n }),
      ]);
      const errs = [ok(r1).errors, ok(r2).errors];
      expect(errs.filter((e) => e.length === 0).length).toBe(1);
      expect(errs.filter((e) => e.length === 1 && e[0]!.locked !== undefined).length).toBe(1);
      expect(storage.latches.heldSlotCount).toBe(0);
    }
  });
});
