// Proves the Debian `mysql` client (mariadb-client) can connect, run a script and read results and errors.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryKvClient } from '../../sql-demo/kv/mod.ts';
import { SqlEngine } from '../../sql-demo/engine/mod.ts';
import { startMysqlServer, type MysqlServer } from '../../sql-demo/server/mod.ts';

const run = promisify(execFile);

async function findMysql(): Promise<string | undefined> {
  try {
    const { stdout } = await run('sh', ['-c', 'command -v mysql || command -v mariadb']);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

const bin = await findMysql();
let server: MysqlServer;

describe.skipIf(bin === undefined)(`mysql command-line client${bin === undefined ? ' (SKIPPED: no mysql binary; run scripts/install-mysql-client.sh)' : ''}`, () => {
  beforeAll(async () => {
    server = await startMysqlServer({ engine: new SqlEngine(new MemoryKvClient()), port: 0 });
  });
  afterAll(async () => {
    await server.stop();
  });

  const mysql = (args: string[], input?: string) =>
    new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      const child = execFile(bin!, ['-h', '127.0.0.1', '-P', String(server.port), '-u', 'root', '--protocol=TCP', ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
        resolve({ stdout, stderr, code: err === null ? 0 : ((err as { code?: number }).code ?? 1) });
      });
      if (input !== undefined) child.stdin!.end(input);
    });

  it('runs a batch script in the default database and prints tab-separated results', async () => {
    const r = await mysql(['test', '--batch'], 'CREATE TABLE cli (id INT PRIMARY KEY, name VARCHAR(10));\nINSERT INTO cli VALUES (1, "one"), (2, NULL);\nSELECT id, name FROM cli ORDER BY id;\nSELECT @@version_comment;\n');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('id\tname\n1\tone\n2\tNULL\n');
    expect(r.stdout).toContain('TiKV-TS');
  });

  it('shows server errors with code and SQLSTATE', async () => {
    const r = await mysql(['test', '-e', 'SELECT * FROM missing_table']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("ERROR 1146 (42S02)");
  });
});
