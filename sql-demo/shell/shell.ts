import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { appendFile } from 'node:fs/promises';
import { SqlEngine, valueToString, type ExecResult, type Value, type Session } from '../engine/mod.ts';
import type { KvClient } from '../kv/mod.ts';
import { splitStatements } from '../parser/mod.ts';
import { toSqlError } from '../errors.ts';

/** Lines of history kept in memory / offered by readline. */
export const HISTORY_LINES_MAX = 1000;
/** Rows printed per result before the rest is elided. */
export const SHELL_ROWS_MAX = 10_000;
/** Characters shown per cell. */
export const CELL_CHARS_MAX = 256;
/** Nesting depth of `source` files. */
const SOURCE_DEPTH_MAX = 16;

export interface ShellOptions {
  readonly kv: KvClient;
  /** Defaults to process.stdin. */
  readonly input?: Readable;
  /** Defaults to process.stdout. */
  readonly output?: Writable;
  /** History file (default ~/.tikv_ts_sql_history; empty string disables). */
  readonly historyFile?: string;
  /** Share an engine (e.g. with a running MySQL server) instead of creating one. */
  readonly engine?: SqlEngine;
  /** Injected clock for timings (ms). */
  readonly nowMs?: () => number;
}

function cellText(v: Value): string {
  if (v === null) return 'NULL';
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v).toString('hex');
  const s = valueToString(v);
  return s.length > CELL_CHARS_MAX ? s.slice(0, CELL_CHARS_MAX - 3) + '...' : s;
}

function width(s: string): number {
  return [...s].length;
}

/** Renders a result like the mysql client: boxed table, row count, timing. */
export function formatResult(r: ExecResult, elapsedMs: number): string {
  const secs = (elapsedMs / 1000).toFixed(2);
  if (r.kind === 'ok') {
    const w = r.warnings > 0 ? `, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}` : '';
    const info = r.info ? `\n${r.info}` : '';
    return `Query OK, ${r.affectedRows} row${r.affectedRows === 1 ? '' : 's'} affected${w} (${secs} sec)${info}\n`;
  }
  if (r.rows.length === 0) return `Empty set (${secs} sec)\n`;
  const shown = r.rows.slice(0, SHELL_ROWS_MAX);
  const header = r.columns.map((c) => c.name);
  const cells = shown.map((row) => row.map(cellText));
  const widths = header.map((h, i) => Math.max(width(h), ...cells.map((c) => width(c[i]!))));
  const numeric = r.columns.map((c) => [1, 2, 3, 4, 5, 8, 9, 13, 0xf6].includes(c.ft.tp));
  const sep = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (vals: string[], alignNum: boolean) => '| ' + vals.map((v, i) => (alignNum && numeric[i] ? v.padStart(widths[i]! + v.length - width(v)) : v.padEnd(widths[i]! + v.length - width(v)))).join(' | ') + ' |';
  const out = [sep, line(header, false), sep, ...cells.map((c) => line(c, true)), sep];
  const more = r.rows.length > shown.length ? ` (showing ${shown.length})` : '';
  out.push(`${r.rows.length} row${r.rows.length === 1 ? '' : 's'} in set${more} (${secs} sec)`);
  return out.join('\n') + '\n';
}

/**
 * Interactive SQL shell over a KvClient: statements end with `;` (multi-line input is
 * buffered), `source file.sql` runs a script, `quit`/`exit` leave. Errors print as
 * `ERROR code (state): message` and the shell keeps going. Resolves when input ends.
 */
export async function runShell(opts: ShellOptions): Promise<void> {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const nowMs = opts.nowMs ?? (() => performance.now());
  const engine = opts.engine ?? new SqlEngine(opts.kv);
  await engine.bootstrap();
  const session = engine.newSession();
  await session.execute('USE test').catch(() => undefined);
  const historyFile = opts.historyFile ?? join(homedir(), '.tikv_ts_sql_history');
  let history: string[] = [];
  if (historyFile !== '') {
    history = (await readFile(historyFile, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '').slice(-HISTORY_LINES_MAX).reverse();
  }
  const interactive = (input as { isTTY?: boolean }).isTTY === true;
  const rl = readline.createInterface({ input, output, terminal: interactive, historySize: HISTORY_LINES_MAX, history });
  const write = (s: string) => output.write(s);
  write(`Welcome to the TiKV-TS SQL shell. Statements end with ';'. Type 'help;' for help.\n`);
  let buffer = '';
  const prompt = () => {
    if (!interactive) return;
    rl.setPrompt(buffer === '' ? `sql [${session.db ?? '(none)'}]> ` : '    -> ');
    rl.prompt();
  };

  const runOne = async (sql: string, depth: number, baseDir: string): Promise<boolean> => {
    const trimmed = sql.trim();
    const cmd = trimmed.replace(/;$/, '').trim();
    if (/^(quit|exit|\\q)$/i.test(cmd)) return false;
    if (/^(help|\\h|\?)$/i.test(cmd)) {
      write('Statements end with ";". Commands: source <file.sql>, use <db>, quit. SQL: SELECT/INSERT/UPDATE/DELETE, CREATE/DROP/ALTER, SHOW, DESCRIBE, EXPLAIN, BEGIN/COMMIT/ROLLBACK.\n');
      return true;
    }
    const src = /^(?:source|\\\.)\s+(.+)$/i.exec(cmd);
    if (src !== null) {
      if (depth >= SOURCE_DEPTH_MAX) {
        write(`ERROR: source nesting deeper than ${SOURCE_DEPTH_MAX}\n`);
        return true;
      }
      const path = resolve(baseDir, src[1]!.trim().replace(/^['"]|['"]$/g, ''));
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        write(`ERROR: Failed to open file '${path}': ${(e as Error).message}\n`);
        return true;
      }
      for (const st of splitStatements(text)) if (!(await runOne(st, depth + 1, dirname(path)))) return false;
      return true;
    }
    const t0 = nowMs();
    try {
      const r = await session.execute(trimmed);
      write(formatResult(r, nowMs() - t0));
    } catch (e) {
      const err = toSqlError(e);
      write(`ERROR ${err.code} (${err.sqlState}): ${err.message}\n`);
    }
    return true;
  };

  // Ctrl-C clears a half-typed statement; on an empty prompt it leaves the shell (as mysql).
  rl.on('SIGINT', () => {
    if (buffer === '') {
      write('\n');
      rl.close();
    } else {
      buffer = '';
      write('^C\n');
      prompt();
    }
  });
  prompt();
  try {
    for await (const line of rl) {
      if (historyFile !== '' && line.trim() !== '') await appendFile(historyFile, line + '\n').catch(() => undefined);
      // Client commands work without a trailing ';' when typed alone.
      if (buffer === '' && /^\s*(quit|exit|\\q|source\s+\S.*|help)\s*;?\s*$/i.test(line)) {
        if (!(await runOne(line, 0, process.cwd()))) break;
        prompt();
        continue;
      }
      buffer += (buffer === '' ? '' : '\n') + line;
      const stmts = splitStatements(buffer);
      const complete = /;\s*$/.test(stripTrailingComment(buffer));
      if (!complete) {
        prompt();
        continue;
      }
      buffer = '';
      let go = true;
      for (const st of stmts) if (go) go = await runOne(st, 0, process.cwd());
      if (!go) break;
      prompt();
    }
  } finally {
    rl.close();
    await closeSession(session);
    if (opts.engine === undefined) await engine.kv.close().catch(() => undefined);
  }
  if (buffer.trim() !== '') write('ERROR: statement not terminated with ";"\n');
  write('Bye\n');
}

function stripTrailingComment(s: string): string {
  return s.replace(/--[^\n'"]*$/, '').trimEnd();
}

async function closeSession(s: Session): Promise<void> {
  await s.close();
}
