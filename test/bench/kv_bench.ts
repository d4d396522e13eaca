/**
 * KV throughput and latency through the whole stack: the official Go client (client-go
 * v2.0.7, BatchCommands on) in a separate process drives a playground (PD + one store, a
 * separate node process) with many concurrent clients. Printed beside the same operations
 * done directly on classic-level in this process (the physical limit for the same work):
 * group-committed synced puts and concurrent random gets.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchRow } from './lib/mod.ts';
import {
  directPutSink,
  directReadSource,
  measureGroupCommit,
  measureRandomGets,
  openDirect,
  preload,
  READ_KEYS,
} from './engine_direct.ts';

export const title = 'KV through the stack (client-go -> PD + store) vs classic-level direct';

const ROOT = resolve(import.meta.dirname, '../..');
/** Closed-loop client workers (client-go multiplexes them over BatchCommands streams). */
const CONCURRENCY = Number(process.env['BENCH_KV_CONCURRENCY'] ?? 64);
const DURATION_S = Number(process.env['BENCH_KV_SECONDS'] ?? 6);
/** Key space of the read cases (preloaded by kvbench). */
const KEYS = 10_000;
const BATCH_GET_KEYS = 16;
const READY_TIMEOUT_MS = 90_000;

interface KvbenchResult {
  op: string;
  ops_per_sec: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  conflicts?: number;
}

function buildKvbench(dir: string): string {
  const bin = join(dir, 'kvbench');
  execFileSync('go', ['build', '-o', bin, './cmd/kvbench'], {
    cwd: join(ROOT, 'test/compat'),
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PATH: `${process.env['PATH']}:/usr/local/go/bin` },
  });
  return bin;
}

async function startPlayground(dataDir: string): Promise<{ child: ChildProcess; pd: string }> {
  const child = spawn(
    'node',
    ['--import', 'tsx', 'src/bin/playground.ts', '--no-shell', '--no-sql', '--data-dir', dataDir, '--pd-port', '0', '--tikv-port', '0', '--status-port', '0', '--log-level', 'error'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const pd = await new Promise<string>((resolvePd, reject) => {
    const timer = setTimeout(() => reject(new Error('playground did not become ready')), READY_TIMEOUT_MS);
    lines.on('line', (line) => {
      const m = /^playground ready pd=(\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolvePd(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`playground exited with ${code}`)));
  });
  return { child, pd };
}

function runKvbench(bin: string, pd: string, op: string, extra: string[] = []): KvbenchResult {
  const out = execFileSync(
    bin,
    ['--pd', pd, '--op', op, '--concurrency', String(CONCURRENCY), '--duration', `${DURATION_S}s`, '--keys', String(KEYS), '--prefix', `bench-${op}/`, ...extra],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 },
  );
  const line = out.trim().split('\n').pop()!;
  return JSON.parse(line) as KvbenchResult;
}

function kvRow(name: string, r: KvbenchResult, baseline: string, unit = 'ops', note = ''): BenchRow {
  const errors = r.errors > 0 ? `, ${r.errors} errors` : '';
  const conflicts = r.conflicts ? `, ${r.conflicts} conflicts` : '';
  return {
    name,
    opsPerSec: r.ops_per_sec,
    p50Us: r.p50_ms * 1000,
    p99Us: r.p99_ms * 1000,
    baseline,
    unit,
    note: `${CONCURRENCY} clients${note}${errors}${conflicts}`,
  };
}

export async function run(): Promise<BenchRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'bench-kv-'));
  const rows: BenchRow[] = [];
  let playground: ChildProcess | undefined;
  try {
    // The physical limit first, on an idle machine.
    const db = await openDirect(join(work, 'direct'));
    const durationMs = DURATION_S * 1000;
    const putLimit = await measureGroupCommit(directPutSink(db, 'chained'), CONCURRENCY, durationMs);
    await preload(directPutSink(db, 'chained'), READ_KEYS);
    const getLimit = await measureRandomGets(directReadSource(db), CONCURRENCY, READ_KEYS, durationMs);
    await db.close();
    const putLimitName = `classic-level direct: group-commit synced put, ${CONCURRENCY} writers`;
    const getLimitName = `classic-level direct: random get, ${CONCURRENCY} concurrent`;
    rows.push({ name: putLimitName, opsPerSec: putLimit.opsPerSec, p50Us: putLimit.p50Us, p99Us: putLimit.p99Us, note: `${(putLimit.ops / putLimit.flushes).toFixed(1)} puts/fsync` });
    rows.push({ name: getLimitName, opsPerSec: getLimit.opsPerSec, p50Us: getLimit.p50Us, p99Us: getLimit.p99Us, note: `${READ_KEYS} keys` });

    const bin = buildKvbench(work);
    const started = await startPlayground(join(work, 'playground'));
    playground = started.child;
    const pd = started.pd;
    rows.push(kvRow('ours: raw put (synced, group commit)', runKvbench(bin, pd, 'rawput'), putLimitName));
    rows.push(kvRow('ours: raw get', runKvbench(bin, pd, 'rawget'), getLimitName));
    const batch = runKvbench(bin, pd, 'rawbatchget', ['--batch', String(BATCH_GET_KEYS)]);
    rows.push(
      kvRow(
        `ours: raw batch get (${BATCH_GET_KEYS} keys), keys/s`,
        { ...batch, ops_per_sec: batch.ops_per_sec * BATCH_GET_KEYS },
        getLimitName,
        'keys',
      ),
    );
    rows.push(kvRow('ours: txn (get 2, put 2, 2PC)', runKvbench(bin, pd, 'txn'), putLimitName, 'txns'));
    rows.push(kvRow('ours: txn with 1PC', runKvbench(bin, pd, 'txn', ['--1pc']), putLimitName, 'txns'));
    return rows;
  } finally {
    if (playground && playground.exitCode === null) {
      playground.kill('SIGTERM');
      await new Promise((r) => playground!.once('exit', r));
    }
    rmSync(work, { recursive: true, force: true });
  }
}
