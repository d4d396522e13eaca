import { MemoryKvClient, type KvClient } from '../../sql-demo/kv/mod.ts';
import { SqlEngine, valueToString, type Session, type ExecResult } from '../../sql-demo/engine/mod.ts';

/**
 * Scenario files (`test/sql/*.test.sql`): blocks of
 *   [# comment lines]
 *   [@conn] SQL ending with ';'
 *   ----
 *   expected output (until a blank line)
 * `@name` picks a session (default c1); the statement `@restart;` starts a new SQL engine
 * over the same cluster (catalog and data must survive). REWRITE=1 regenerates outputs
 * (from the memory run).
 *
 * Concurrency (lock waits): `@name& SQL;` starts the statement on session `name` in the
 * background; its output is `blocked` if it has not finished BACKGROUND_SETTLE_MS later,
 * else `not blocked`. `@name @wait;` waits for it and outputs its result. A session with
 * a background statement runs nothing else until `@wait`.
 *
 * Every file runs on three targets with the SAME expected outputs: `memory`
 * (MemoryKvClient), `root` (a real multi-region cluster, `tidb_enable_pushdown = 0`) and
 * `pushed` (the same cluster, `tidb_enable_pushdown = 1`); see cluster_scenarios.test.ts.
 * A block whose output is legitimately deployment-specific (EXPLAIN task columns, region
 * listings and counts) carries a comment line `# @compare: <targets> (why)` naming the
 * targets whose output is compared (e.g. `# @compare: memory root (EXPLAIN tasks)`); it
 * still runs everywhere.
 * A comment line `# @file-compare: <targets>` before the first block does the same for
 * every block of the file. Error texts have their timestamps and table ids masked
 * (`txnStartTS=<ts>`, `tableID=<id>`): those differ between any two deployments.
 */
export interface Block {
  readonly conn: string;
  /** `@c2& SQL;` starts the statement without waiting for it (see the header). */
  readonly background: boolean;
  readonly sql: string;
  readonly expected: string;
  readonly leading: string[];
}

/** Where a scenario runs: the in-memory store, or a cluster with pushdown off / on. */
export type ScenarioTarget = 'memory' | 'root' | 'pushed';

const COMPARE_RE = /^#\s*@compare:\s*(.*)$/;
const FILE_COMPARE_RE = /^#\s*@file-compare:\s*(.*)$/;

/** `memory root (why)` -> ['memory', 'root']: the reason in parentheses is free text. */
function targetList(spec: string): string[] {
  return spec.replace(/\(.*$/, '').split(/[\s,]+/).filter((t) => t !== '');
}

/** Whether block `b`'s output is compared on `target` (see `# @compare:` above). */
export function comparedOn(b: Block, target: ScenarioTarget, fileTargets?: readonly string[]): boolean {
  for (const l of b.leading) {
    const m = COMPARE_RE.exec(l);
    if (m !== null) return targetList(m[1]!).includes(target);
  }
  return fileTargets === undefined || fileTargets.includes(target);
}

/** The targets of a file-level `# @file-compare:` line (undefined = all). */
export function fileTargets(blocks: readonly Block[]): string[] | undefined {
  for (const l of blocks[0]?.leading ?? []) {
    const m = FILE_COMPARE_RE.exec(l);
    if (m !== null) return targetList(m[1]!);
  }
  return undefined;
}

/**
 * How `runScenario` drives a deployment: the KvClient (shared across files on a cluster),
 * a hook before the first block (e.g. reset databases), session setup statements, and a
 * hook after every successful DDL (e.g. split new tables into several regions).
 */
export interface ScenarioEnv {
  readonly kv: KvClient;
  prepare?(engine: SqlEngine): Promise<void>;
  readonly sessionInit?: readonly string[];
  afterDdl?(engine: SqlEngine): Promise<void>;
}

/** Masks the parts of an error text that no two deployments share (TSO timestamps, table ids). */
export function maskVolatile(message: string): string {
  return message.replace(/\b(txnStartTS|conflictStartTS|conflictCommitTS|forUpdateTS)=\d+/g, '$1=<ts>').replace(/\btableID=\d+/g, 'tableID=<id>');
}

const DDL_RE = /^\s*(create|alter|truncate|rename|drop)\b/i;

export function parseScenario(text: string): { blocks: Block[]; trailer: string[] } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let leading: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.trim() === '' || l.startsWith('#')) {
      if (l.startsWith('#')) leading.push(l);
      i++;
      continue;
    }
    const sqlLines: string[] = [];
    while (i < lines.length) {
      sqlLines.push(lines[i]!);
      if (lines[i]!.trimEnd().endsWith(';')) {
        i++;
        break;
      }
      i++;
    }
    let sql = sqlLines.join('\n');
    let conn = 'c1';
    let background = false;
    const m = /^@([A-Za-z0-9_]+)(&?)\s+([\s\S]*)$/.exec(sql);
    if (m !== null && m[1] !== 'restart') {
      conn = m[1]!;
      background = m[2] === '&';
      sql = m[3]!;
    }
    const exp: string[] = [];
    if (lines[i] === '----') {
      i++;
      while (i < lines.length && lines[i]!.trim() !== '') exp.push(lines[i++]!);
    }
    blocks.push({ conn, background, sql: sql.trim(), expected: exp.join('\n'), leading });
    leading = [];
  }
  return { blocks, trailer: leading };
}

export function renderResult(r: ExecResult): string {
  if (r.kind === 'ok') return `ok ${r.affectedRows}${r.warnings > 0 ? ` (${r.warnings} warnings)` : ''}`;
  const cell = (v: unknown) => (v === null ? 'NULL' : v instanceof Uint8Array ? '0x' + Buffer.from(v).toString('hex') : valueToString(v as never).replace(/\n/g, '\\n'));
  const out = [r.columns.map((c) => c.name).join(' | ')];
  for (const row of r.rows) out.push(row.map(cell).join(' | '));
  return out.join('\n');
}

/** How long a background statement gets before the runner reports it `blocked`. */
export const BACKGROUND_SETTLE_MS = 250;

/** One statement's rendered output (errors as `error CODE: text`). */
async function runBlock(s: Session, sql: string): Promise<string> {
  try {
    return renderResult(await s.execute(sql));
  } catch (e) {
    const err = e as { code?: number; message: string };
    if (typeof err.code !== 'number') throw e;
    return `error ${err.code}: ${maskVolatile(err.message)}`;
  }
}

/** Runs a scenario; returns actual outputs per block. */
export async function runScenario(blocks: readonly Block[], env: ScenarioEnv = { kv: new MemoryKvClient() }): Promise<string[]> {
  const kv = env.kv;
  let engine = new SqlEngine(kv, { nowMs: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
  await engine.bootstrap();
  await env.prepare?.(engine);
  let sessions = new Map<string, Session>();
  const background = new Map<string, Promise<string>>();
  const outputs: string[] = [];
  for (const b of blocks) {
    if (b.sql === '@restart;') {
      for (const s of sessions.values()) await s.close();
      engine = new SqlEngine(kv, { nowMs: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
      sessions = new Map();
      outputs.push('ok');
      continue;
    }
    let s = sessions.get(b.conn);
    if (s === undefined) {
      s = engine.newSession();
      await s.execute('USE test');
      for (const q of env.sessionInit ?? []) await s.execute(q);
      sessions.set(b.conn, s);
    }
    const pending = background.get(b.conn);
    if (b.sql === '@wait;') {
      if (pending === undefined) throw new Error(`@${b.conn} @wait: no background statement`);
      background.delete(b.conn);
      outputs.push(await pending);
      continue;
    }
    if (pending !== undefined) throw new Error(`@${b.conn} still runs a background statement: @wait for it first`);
    if (b.background) {
      let done = false;
      const p = runBlock(s, b.sql).finally(() => (done = true));
      background.set(b.conn, p);
      await Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, BACKGROUND_SETTLE_MS))]);
      outputs.push(done ? 'not blocked' : 'blocked');
      continue;
    }
    outputs.push(await runBlock(s, b.sql));
    if (env.afterDdl !== undefined && DDL_RE.test(b.sql) && !outputs[outputs.length - 1]!.startsWith('error')) await env.afterDdl(engine);
  }
  for (const [conn, p] of background) {
    await p;
    throw new Error(`@${conn} ran a background statement nobody waited for`);
  }
  for (const s of sessions.values()) await s.close();
  return outputs;
}

export function renderScenario(blocks: readonly Block[], outputs: readonly string[], trailer: readonly string[]): string {
  const parts: string[] = [];
  blocks.forEach((b, i) => {
    parts.push(...b.leading);
    parts.push((b.conn !== 'c1' || b.background ? `@${b.conn}${b.background ? '&' : ''} ` : '') + b.sql);
    parts.push('----');
    parts.push(outputs[i]!);
    parts.push('');
  });
  let text = parts.join('\n');
  const t = trailer.join('\n').trim();
  if (t !== '') text += '\n' + t + '\n';
  return text.replace(/\n\n+$/, '\n');
}
