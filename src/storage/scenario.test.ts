// Proves Percolator command behaviour against the scenario files in testdata/*.txt: each block
// is a command and its expected response; `REWRITE=1 npx vitest run src/storage/scenario`
// regenerates the expectations (read the diff before committing).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Op } from './kvrpc_types.ts';
import type { Storage } from './storage.ts';
import { CTX, b, newStorage } from './testing/harness.ts';

const DIR = join(import.meta.dirname, 'testdata');
const SEP = '----';

/** Renders a response compactly: empty/zero/false fields dropped, bytes as text, bigints bare. */
function fmt(v: unknown): string {
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('utf8'));
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(fmt).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || x === null || x === false || x === 0 || x === 0n || x === '') continue;
      if (x instanceof Uint8Array && x.length === 0) continue;
      if (Array.isArray(x) && x.length === 0) continue;
      if (k === 'retryable' || k === 'abort') {
        parts.push(`${k}: ${JSON.stringify(String(x).split(' ')[0])}`);
        continue;
      }
      parts.push(`${k}: ${fmt(x)}`);
    }
    return `{${parts.join(', ')}}`;
  }
  return String(v);
}

type Args = Map<string, string[]>;

function parse(line: string): { cmd: string; args: Args } {
  const [cmd, ...rest] = line.trim().split(/\s+/);
  const args: Args = new Map();
  for (const tok of rest) {
    const i = tok.indexOf('=');
    const k = i < 0 ? tok : tok.slice(0, i);
    const v = i < 0 ? '' : tok.slice(i + 1);
    args.set(k, [...(args.get(k) ?? []), v]);
  }
  return { cmd: cmd!, args };
}

const one = (a: Args, k: string, d = ''): string => a.get(k)?.[0] ?? d;
const ts = (a: Args, k: string, d = '0'): bigint => BigInt(one(a, k, d));
const keys = (a: Args, k = 'keys'): Uint8Array[] => (one(a, k) === '' ? [] : one(a, k).split(',').map(b));

const OPS: Record<string, number> = { put: Op.Put, del: Op.Del, lock: Op.Lock, insert: Op.Insert, check: Op.CheckNotExists };

function mutations(a: Args) {
  const out: { op: number; key: Uint8Array; value: Uint8Array }[] = [];
  for (const [name, op] of Object.entries(OPS)) {
    for (const v of a.get(name) ?? []) {
      const [k, val = ''] = v.split(':');
      out.push({ op, key: b(k!), value: b(val) });
    }
  }
  return out;
}

async function run(st: Storage, cmd: string, a: Args): Promise<unknown> {
  const context = { resolvedLocks: (a.get('resolved') ?? []).map(BigInt), committedLocks: (a.get('committed') ?? []).map(BigInt) };
  switch (cmd) {
    case 'prewrite':
      return st.prewrite(CTX, {
        mutations: mutations(a),
        primaryLock: b(one(a, 'primary')),
        startVersion: ts(a, 'start'),
        lockTtl: ts(a, 'ttl', '3000'),
        forUpdateTs: ts(a, 'for_update'),
        pessimisticActions: one(a, 'pess') === '' ? [] : one(a, 'pess').split(',').map(Number),
        minCommitTs: ts(a, 'min_commit'),
        useAsyncCommit: a.has('async'),
        secondaries: keys(a, 'secondaries'),
        tryOnePc: a.has('1pc'),
        maxCommitTs: ts(a, 'max_commit'),
      });
    case 'commit':
      return st.commit(CTX, { startVersion: ts(a, 'start'), keys: keys(a), commitVersion: ts(a, 'commit') });
    case 'rollback':
      return st.batchRollback(CTX, { startVersion: ts(a, 'start'), keys: keys(a) });
    case 'cleanup':
      return st.cleanup(CTX, { key: b(one(a, 'key')), startVersion: ts(a, 'start'), currentTs: ts(a, 'current') });
    case 'get':
      return st.kvGet(CTX, { key: b(one(a, 'key')), version: ts(a, 'ts'), context });
    case 'scan':
      return st.kvScan(CTX, { startKey: b(one(a, 'start')), endKey: b(one(a, 'end')), limit: Number(one(a, 'limit', '100')), version: ts(a, 'ts'), reverse: a.has('reverse'), context });
    case 'check_txn_status':
      return st.checkTxnStatus(CTX, {
        primaryKey: b(one(a, 'primary')),
        lockTs: ts(a, 'lock'),
        callerStartTs: one(a, 'caller') === 'max' ? (1n << 64n) - 1n : ts(a, 'caller'),
        currentTs: ts(a, 'current'),
        rollbackIfNotExist: a.has('rollback_if_not_exist'),
        forceSyncCommit: a.has('force_sync'),
        resolvingPessimisticLock: a.has('resolving_pessimistic'),
      });
    case 'check_secondary_locks':
      return st.checkSecondaryLocks(CTX, { keys: keys(a), startVersion: ts(a, 'start') });
    case 'resolve_lock':
      return st.resolveLock(CTX, { startVersion: ts(a, 'start'), commitVersion: ts(a, 'commit'), keys: keys(a) });
    case 'scan_lock':
      return st.scanLock(CTX, { maxVersion: ts(a, 'max'), limit: Number(one(a, 'limit', '0')) });
    case 'heartbeat':
      return st.txnHeartBeat(CTX, { primaryLock: b(one(a, 'primary')), startVersion: ts(a, 'start'), adviseLockTtl: ts(a, 'ttl') });
    case 'pessimistic_lock':
      return st.pessimisticLock(CTX, {
        mutations: keys(a).map((key) => ({ op: Op.PessimisticLock, key })),
        primaryLock: b(one(a, 'primary')),
        startVersion: ts(a, 'start'),
        forUpdateTs: ts(a, 'for_update'),
        lockTtl: ts(a, 'ttl', '3000'),
        waitTimeout: -1n,
        returnValues: a.has('return_values'),
        checkExistence: a.has('check_existence'),
      });
    case 'pessimistic_rollback':
      return st.pessimisticRollback(CTX, { startVersion: ts(a, 'start'), forUpdateTs: ts(a, 'for_update'), keys: keys(a) });
    case 'gc':
      return st.gc(CTX, { safePoint: ts(a, 'safe_point') });
    default:
      throw new Error(`unknown scenario command ${cmd}`);
  }
}

for (const file of readdirSync(DIR).filter((f) => f.endsWith('.txt'))) {
  describe(`scenario ${file}`, () => {
    it('matches', async () => {
      const path = join(DIR, file);
      const blocks = readFileSync(path, 'utf8').split(/\n\n+/).filter((x) => x.trim() !== '');
      const { storage } = newStorage();
      const out: string[] = [];
      for (const block of blocks) {
        const lines = block.replace(/\s+$/, '').split('\n');
        const comments = lines.filter((l) => l.startsWith('#'));
        const body = lines.filter((l) => !l.startsWith('#'));
        const sep = body.indexOf(SEP);
        const command = (sep < 0 ? body : body.slice(0, sep)).join(' ').trim();
        if (command === '') {
          out.push(comments.join('\n'));
          continue;
        }
        const want = sep < 0 ? '' : body.slice(sep + 1).join('\n');
        const { cmd, args } = parse(command);
        const got = fmt(await run(storage, cmd, args));
        if (process.env['REWRITE'] !== '1') expect(`${command}\n${got}`).toBe(`${command}\n${want}`);
        out.push([...comments, command, SEP, got].join('\n'));
      }
      if (process.env['REWRITE'] === '1') writeFileSync(path, out.join('\n\n') + '\n');
    });
  });
}
