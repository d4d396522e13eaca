// Proves ClassicEngine passes the shared KvEngine conformance suite, persists across reopen,
// and refuses corrupt or foreign directories.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptionError } from '../util/mod.ts';
import { ClassicEngine } from './classic_engine.ts';
import { describeKvEngineConformance } from './conformance.ts';
import type { KvEngine } from './kv_engine.ts';

const root = mkdtempSync(join(tmpdir(), 'classic-engine-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `db${dirs++}`);
const DELETE_RANGE_KEYS_MAX = 50;
const paths = new WeakMap<KvEngine, string>();

describeKvEngineConformance({
  name: 'ClassicEngine',
  deleteRangeKeysMax: DELETE_RANGE_KEYS_MAX,
  create: async () => {
    const path = freshDir();
    const engine = await ClassicEngine.open(path, { deleteRangeKeysMax: DELETE_RANGE_KEYS_MAX });
    paths.set(engine, path);
    return engine;
  },
  reopen: async (engine) => {
    const path = paths.get(engine)!;
    await engine.close();
    const next = await ClassicEngine.open(path, { deleteRangeKeysMax: DELETE_RANGE_KEYS_MAX });
    paths.set(next, path);
    return next;
  },
});

describe('ClassicEngine open', () => {
  it('refuses a database whose manifest is garbage', async () => {
    const path = freshDir();
    const engine = await ClassicEngine.open(path);
    await engine.close();
    for (const name of readdirSync(path)) {
      if (name.startsWith('MANIFEST')) writeFileSync(join(path, name), Buffer.alloc(200, 0x5a));
    }
    await expect(ClassicEngine.open(path)).rejects.toBeInstanceOf(CorruptionError);
  });

  it('refuses a database whose CURRENT points nowhere', async () => {
    const path = freshDir();
    await (await ClassicEngine.open(path)).close();
    writeFileSync(join(path, 'CURRENT'), 'MANIFEST-999999\n');
    await expect(ClassicEngine.open(path)).rejects.toBeInstanceOf(CorruptionError);
  });

  it('refuses a directory with files but no CURRENT instead of creating over it', async () => {
    const path = freshDir();
    mkdirSync(path);
    writeFileSync(join(path, '000005.ldb'), 'leftover');
    await expect(ClassicEngine.open(path)).rejects.toBeInstanceOf(CorruptionError);
  });

  it('refuses a LevelDB database that is not ours (no format marker)', async () => {
    const path = freshDir();
    const foreign = new ClassicLevel(path);
    await foreign.put('hello', 'world');
    await foreign.close();
    await expect(ClassicEngine.open(path)).rejects.toBeInstanceOf(CorruptionError);
  });

  it('refuses a second open of the same directory while the first holds it', async () => {
    const path = freshDir();
    const engine = await ClassicEngine.open(path);
    await expect(ClassicEngine.open(path)).rejects.toMatchObject({ code: 'Unavailable' });
    await engine.close();
  });

  it('does not create a database when createIfMissing is false', async () => {
    await expect(ClassicEngine.open(freshDir(), { createIfMissing: false })).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('ClassicEngine levelStats', () => {
  it('reports table files per level and memory after a compaction', async () => {
    const engine = await ClassicEngine.open(freshDir());
    const batch = engine.newWriteBatch();
    for (let i = 0; i < 1000; i++) batch.put('write', new TextEncoder().encode(`k${i}`), new Uint8Array(100));
    await engine.write(batch, { sync: false });
    await engine.compactRange('write', new Uint8Array(0), new Uint8Array(0));
    const stats = engine.levelStats();
    expect(stats.tableFilesPerLevel).toHaveLength(7);
    expect(stats.tableFilesPerLevel.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(stats.approximateMemoryBytes).toBeGreaterThan(0);
    expect(stats.compactionText).toContain('Level');
    expect(await engine.approximateSize('write', new Uint8Array(0), new Uint8Array(0))).toBeGreaterThan(1000);
    await engine.close();
  });
});
