// Proves MemoryEngine passes the shared KvEngine conformance suite (with and without
// durability tracking) and that afterPowerLoss keeps exactly what a synced log would.
import { describe, expect, it } from 'vitest';
import { describeKvEngineConformance } from './conformance.ts';
import { MemoryEngine } from './memory_engine.ts';

describeKvEngineConformance({ name: 'MemoryEngine', create: async () => new MemoryEngine() });
describeKvEngineConformance({
  name: 'MemoryEngine (trackDurability)',
  create: async () => new MemoryEngine({ trackDurability: true }),
});

const s = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

async function put(engine: MemoryEngine, key: string, value: string, sync: boolean): Promise<void> {
  const batch = engine.newWriteBatch();
  batch.put('default', s(key), s(value));
  await engine.write(batch, { sync });
}

describe('MemoryEngine.afterPowerLoss', () => {
  it('keeps synced batches and a chosen prefix of the unsynced ones', async () => {
    const engine = new MemoryEngine({ trackDurability: true });
    await put(engine, 'a', '1', false);
    await put(engine, 'b', '1', true); // makes 'a' durable too
    await put(engine, 'c', '1', false);
    const range = engine.newWriteBatch();
    range.deleteRange('default', s('a'), s('b'));
    await engine.write(range, { sync: false });
    await put(engine, 'b', '2', false);
    expect(engine.unsyncedBatchCount).toBe(3);

    const lost = engine.afterPowerLoss(0);
    expect([text(lost.getSync('default', s('a'))), text(lost.getSync('default', s('b')))]).toEqual(['1', '1']);
    expect(lost.getSync('default', s('c'))).toBeUndefined();

    const two = engine.afterPowerLoss(2);
    expect(two.getSync('default', s('a'))).toBeUndefined();
    expect(text(two.getSync('default', s('b')))).toBe('1');
    expect(text(two.getSync('default', s('c')))).toBe('1');

    const all = engine.afterPowerLoss(3);
    expect(text(all.getSync('default', s('b')))).toBe('2');
    expect(all.unsyncedBatchCount).toBe(3);
    // The survivor keeps tracking: its own unsynced tail can be lost again.
    expect(all.afterPowerLoss(0).getSync('default', s('c'))).toBeUndefined();
    expect(() => engine.afterPowerLoss(4)).toThrow();
  });

  it('is unavailable without trackDurability', () => {
    expect(() => new MemoryEngine().afterPowerLoss()).toThrow();
  });

  it('does not let callers change recorded unsynced data by reusing their arrays', async () => {
    const engine = new MemoryEngine({ trackDurability: true });
    const key = s('k');
    const value = s('v');
    const batch = engine.newWriteBatch();
    batch.put('default', key, value);
    await engine.write(batch, { sync: false });
    value[0] = 0x7a;
    expect(text(engine.afterPowerLoss(1).getSync('default', s('k')))).toBe('v');
  });
});
