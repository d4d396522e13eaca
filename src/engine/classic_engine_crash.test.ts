// Proves every batch ClassicEngine acknowledged with sync: true survives kill -9 of the
// writing process, and that each batch is recovered whole or not at all.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { ClassicEngine } from './classic_engine.ts';
import { CF_NAMES } from './kv_engine.ts';
import { crashBatchKeys } from './testdata/crash_writer.ts';

const WRITER = fileURLToPath(new URL('./testdata/crash_writer.ts', import.meta.url));
/** Kill the writer after this many acknowledgements... */
const ACKS_BEFORE_KILL = 400;
/** ...or after this long, whichever comes first. */
const WRITE_WINDOW_MS = 2_500;

const root = mkdtempSync(join(tmpdir(), 'classic-engine-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the writer until killed; returns the ids it acknowledged. */
async function writeUntilKilled(dir: string): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: number[] = [];
  let stderr = '';
  let buffered = '';
  let timer: NodeJS.Timeout | undefined;
  const kill = (): void => {
    clearTimeout(timer);
    child.kill('SIGKILL');
  };
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') timer = setTimeout(kill, WRITE_WINDOW_MS);
      else if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
    }
    if (acked.length >= ACKS_BEFORE_KILL) kill();
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (c, s) => resolve([c, s])),
  );
  expect({ code, signal, stderr }).toMatchObject({ signal: 'SIGKILL' });
  return acked;
}

it('keeps every acknowledged synced batch across kill -9, atomically', async () => {
  const dir = join(root, 'db');
  const acked = await writeUntilKilled(dir);
  expect(acked.length).toBeGreaterThan(10);
  const engine = await ClassicEngine.open(dir);
  try {
    for (const id of acked) {
      const keys = crashBatchKeys(id);
      CF_NAMES.forEach((cf, i) => {
        const value = engine.getSync(cf, keys[i]!);
        expect(value && new TextDecoder().decode(value), `batch ${id} cf ${cf}`).toBe(`value-${id}`);
      });
    }
    // Batches in flight at the kill are all there or all absent.
    const maxAcked = Math.max(...acked);
    for (let id = 0; id <= maxAcked + 16; id++) {
      const keys = crashBatchKeys(id);
      const present = CF_NAMES.map((cf, i) => engine.getSync(cf, keys[i]!) !== undefined);
      expect(new Set(present).size, `batch ${id} partially present: ${present.join(',')}`).toBe(1);
    }
  } finally {
    await engine.close();
  }
});
