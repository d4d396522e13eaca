import { MemoryKvClient, type KvClient } from '../../sql-demo/kv/mod.ts';
import { SqlEngine, valueToString, type Session, type ExecResult } from '../../sql-demo/engine/mod.ts';

/**
 * Scenario files (`test/sql/*.test.sql`): blocks of
 *   [@conn] SQL ending with ';'
 *   ----
 *   expected output (until a blank line)
 * `@name` picks a session (default c1); the statement `@restart;` starts a new SQL engine
 * over the same cluster (catalog and data must survive). REWRITE=1 regenerates outputs.
 */
export interface Block {
  readonly conn: string;
  readonly sql: string;
  readonly expected: string;
  readonly leading: string[];
}

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
    const m = /^@([A-Za-z0-9_]+)\s+([\s\S]*)$/.exec(sql);
    if (m !== null && m[1] !== 'restart') {
      conn = m[1]!;
      sql = m[2]!;
    }
    const exp: string[] = [];
    if (lines[i] === '----') {
      i++;
      while (i < lines.length && lines[i]!.trim() !== '') exp.push(lines[i++]!);
    }
    blocks.push({ conn, sql: sql.trim(), expected: exp.join('\n'), leading });
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

/** Runs a scenario; returns actual outputs per block. */
export async function runScenario(blocks: readonly Block[], makeKv: () => KvClient = () => new MemoryKvClient()): Promise<string[]> {
  const kv = makeKv();
  let engine = new SqlEngine(kv, { nowMs: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
  await engine.bootstrap();
  let sessions = new Map<string, Session>();
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
      sessions.set(b.conn, s);
    }
    try {
      outputs.push(renderResult(await s.execute(b.sql)));
    } catch (e) {
      const err = e as { code?: number; message: string };
      if (typeof err.code !== 'number') throw e;
      outputs.push(`error ${err.code}: ${err.message}`);
    }
  }
  for (const s of sessions.values()) await s.close();
  return outputs;
}

export function renderScenario(blocks: readonly Block[], outputs: readonly string[], trailer: readonly string[]): string {
  const parts: string[] = [];
  blocks.forEach((b, i) => {
    parts.push(...b.leading);
    parts.push((b.conn !== 'c1' ? `@${b.conn} ` : '') + b.sql);
    parts.push('----');
    parts.push(outputs[i]!);
    parts.push('');
  });
  let text = parts.join('\n');
  const t = trailer.join('\n').trim();
  if (t !== '') text += '\n' + t + '\n';
  return text.replace(/\n\n+$/, '\n');
}
