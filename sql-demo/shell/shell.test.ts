// Proves the shell runs multi-line statements, prints aligned tables/row counts, shows MySQL errors and sources files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemoryKvClient } from '../kv/mod.ts';
import { runShell } from './shell.ts';

async function run(script: string): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (d) => (text += d.toString()));
  const done = runShell({ kv: new MemoryKvClient(), input, output, historyFile: '', nowMs: () => 0 });
  input.end(script);
  await done;
  return text;
}

describe('runShell', () => {
  it('buffers multi-line statements, prints tables, counts and errors', async () => {
    const out = await run('CREATE TABLE t (id INT PRIMARY KEY,\n name VARCHAR(10));\nINSERT INTO t VALUES (1, \'a\'), (22, NULL);\nSELECT * FROM t\n ORDER BY id;\nSELECT * FROM nope;\nSELECT 1 FROM t WHERE id = 5;\n');
    expect(out).toContain('Query OK, 2 rows affected (0.00 sec)');
    expect(out).toContain(['+----+------+', '| id | name |', '+----+------+', '|  1 | a    |', '| 22 | NULL |', '+----+------+', '2 rows in set (0.00 sec)'].join('\n'));
    expect(out).toContain("ERROR 1146 (42S02): Table 'test.nope' doesn't exist");
    expect(out).toContain('Empty set (0.00 sec)');
    expect(out.trimEnd().endsWith('Bye')).toBe(true);
  });

  it('runs `source file.sql` and stops at quit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shell-'));
    const f = join(dir, 'init.sql');
    writeFileSync(f, "CREATE TABLE s (a INT); -- comment\nINSERT INTO s VALUES (1),(2);\n");
    const out = await run(`source ${f}\nSELECT COUNT(*) AS n FROM s;\nquit\nSELECT 'not reached';\n`);
    expect(out).toContain('| n |');
    expect(out).toContain('| 2 |');
    expect(out).not.toContain('not reached');
  });
});
