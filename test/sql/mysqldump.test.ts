// Proves a backup round trip with Debian's mysqldump and mysql clients: a database on a real cluster (every column type, NULLs, quotes, newlines, emoji, a BLOB of all 256 byte values, indexes) dumps and restores into a fresh server with identical rows and schema.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryKvClient } from '../../sql-demo/kv/mod.ts';
import { SqlEngine, type Session } from '../../sql-demo/engine/mod.ts';
import { startMysqlServer, type MysqlServer } from '../../sql-demo/server/mod.ts';
import { startFixture, type ClusterFixture } from '../sqlkv/cluster_fixture.ts';
import { rows } from './cluster_session.ts';

const run = promisify(execFile);

async function find(names: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('sh', ['-c', names]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

const dumpBin = await find('command -v mysqldump || command -v mariadb-dump');
const mysqlBin = await find('command -v mysql || command -v mariadb');
const tools = dumpBin !== undefined && mysqlBin !== undefined;

describe.skipIf(!tools)(`mysqldump round trip${tools ? '' : ' (SKIPPED: no mysqldump/mysql; run scripts/install-mysql-client.sh)'}`, () => {
  let fx: ClusterFixture;
  let source: MysqlServer;
  let target: MysqlServer;
  let src: Session;
  let dst: Session;

  beforeAll(async () => {
    fx = await startFixture();
    const srcEngine = new SqlEngine(await fx.connect());
    source = await startMysqlServer({ engine: srcEngine, port: 0 });
    src = srcEngine.newSession();
    const dstEngine = new SqlEngine(new MemoryKvClient());
    target = await startMysqlServer({ engine: dstEngine, port: 0 });
    dst = dstEngine.newSession();
  }, 30_000);
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    await fx?.stop();
  });

  const exec = (bin: string, port: number, args: string[], input?: string) =>
    new Promise<{ stdout: Buffer; stderr: string; code: number }>((resolve) => {
      const child = execFile(bin, ['-h', '127.0.0.1', '-P', String(port), '-u', 'root', '--protocol=TCP', ...args], { timeout: 30_000, encoding: 'buffer', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        resolve({ stdout, stderr: stderr.toString(), code: err === null ? 0 : ((err as { code?: number }).code ?? 1) });
      });
      if (input !== undefined) child.stdin!.end(input);
    });

  it('dumps a database with mysqldump and restores it with mysql, byte for byte', async () => {
    await src.execute('CREATE DATABASE shop');
    await src.execute('USE shop');
    await src.execute(`CREATE TABLE items (
      id BIGINT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40) NOT NULL, price DECIMAL(12,3) DEFAULT '0.000', qty BIGINT UNSIGNED,
      f DOUBLE, d DATE, dt DATETIME(3), ts TIMESTAMP NULL, t TIME, y YEAR, note TEXT, b BLOB, flag BOOL,
      UNIQUE KEY un (name, d), KEY kp (price))`);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('hex');
    await src.execute(`INSERT INTO items (name, price, qty, f, d, dt, ts, t, y, note, b, flag) VALUES
      ('plain', 1.5, 18446744073709551615, 0.1, '2024-02-29', '2024-02-29 23:59:59.123', '2024-01-01 12:00:00', '-838:59:59', 2024, 'line\\nbreak\\ttab', x'${all}', TRUE),
      ('quote''s "and" back\\\\slash', -99999.999, 0, -1.5e300, '1000-01-01', '9999-12-31 23:59:59.999', NULL, '00:00:00', 1901, 'ünïcödé 🎉', x'', FALSE),
      ('nulls', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    await src.execute('CREATE TABLE empty_one (k INT PRIMARY KEY, v VARCHAR(5))');

    const dump = await exec(dumpBin!, source.port, ['--databases', 'shop']);
    expect(dump.stderr).toBe('');
    expect(dump.code).toBe(0);
    const text = dump.stdout.toString('latin1');
    expect(text).toContain('CREATE TABLE `items`');
    expect(text).toContain('INSERT INTO `items` VALUES');

    const restored = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = execFile(mysqlBin!, ['-h', '127.0.0.1', '-P', String(target.port), '-u', 'root', '--protocol=TCP'], { timeout: 30_000 }, (err, _out, stderr) =>
        resolve({ code: err === null ? 0 : 1, stderr: String(stderr) }),
      );
      child.stdin!.end(dump.stdout);
    });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);

    await dst.execute('USE shop');
    const q = 'SELECT id, name, price, qty, f, d, dt, ts, t, y, note, HEX(b), flag FROM items ORDER BY id';
    const before = rows(await src.execute(q));
    const after = rows(await dst.execute(q));
    expect(after).toEqual(before);
    expect(String(after[0]![11])).toBe(all.toUpperCase());
    for (const t of ['items', 'empty_one']) {
      expect(rows(await dst.execute(`SHOW CREATE TABLE ${t}`))).toEqual(rows(await src.execute(`SHOW CREATE TABLE ${t}`)));
    }
    expect(rows(await dst.execute('SELECT COUNT(*) FROM empty_one'))).toEqual([[0n]]);
    // Indexes were rebuilt by the restore: lookups through them work.
    expect(rows(await dst.execute("SELECT id FROM items WHERE name = 'nulls' AND d IS NULL"))).toEqual([[3n]]);
  }, 120_000);
});
