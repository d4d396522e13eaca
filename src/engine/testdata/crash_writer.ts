/**
 * Child process of the crash-durability test: writes synced batches to a ClassicEngine
 * forever, from `WRITERS` concurrent loops, and prints `ack <id>` after each write
 * resolves. The parent kill -9s it and checks that every acknowledged batch survived.
 * Usage: node --import tsx crash_writer.ts <dir>
 */
import { CF_NAMES } from '../kv_engine.ts';
import { ClassicEngine } from '../classic_engine.ts';

/** Concurrent writer loops, so LevelDB groups synced writes as it would under load. */
const WRITERS = 4;

/** The keys batch `id` writes: one per column family, all with the same value. */
export function crashBatchKeys(id: number): Uint8Array[] {
  return CF_NAMES.map((cf) => new TextEncoder().encode(`${cf}/batch/${String(id).padStart(8, '0')}`));
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: crash_writer.ts <dir>');
  const engine = await ClassicEngine.open(dir);
  process.stdout.write('ready\n');
  let nextId = 0;
  const loop = async (): Promise<never> => {
    for (;;) {
      const id = nextId++;
      const batch = engine.newWriteBatch();
      const value = new TextEncoder().encode(`value-${id}`);
      const keys = crashBatchKeys(id);
      CF_NAMES.forEach((cf, i) => batch.put(cf, keys[i]!, value));
      await engine.write(batch, { sync: true });
      process.stdout.write(`ack ${id}\n`);
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, loop));
}

if (process.argv[1]?.endsWith('crash_writer.ts')) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
