// Proves bad input never crashes the SQL server or half-writes: garbage packets, bad handshakes, failing multi-row statements.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import fc from 'fast-check';
import { MemoryKvClient } from '../../sql-demo/kv/mod.ts';
import { SqlEngine } from '../../sql-demo/engine/mod.ts';
import { startMysqlServer, type MysqlServer } from '../../sql-demo/server/mod.ts';

let server: MysqlServer;
beforeAll(async () => {
  server = await startMysqlServer({ engine: new SqlEngine(new MemoryKvClient()), port: 0 });
});
afterAll(async () => {
  await server.stop();
});

const connect = () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'test' });

function rawExchange(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const s = net.connect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (d) => {
      chunks.push(d);
      if (chunks.length === 1) s.write(bytes);
    });
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('error', () => resolve(Buffer.concat(chunks)));
    setTimeout(() => s.destroy(), 300);
  });
}

describe('robustness', () => {
  it('survives random bytes instead of a handshake response (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 64 }), async (junk) => {
        const header = Buffer.from([junk.length & 0xff, 0, 0, 1]);
        await rawExchange(Buffer.concat([header, Buffer.from(junk)]));
      }),
      { numRuns: 15, seed: 7 },
    );
    const c = await connect();
    const [rows] = await c.query('SELECT 1 AS ok');
    expect(rows).toEqual([{ ok: 1 }]);
    await c.end();
  });

  it('a failing multi-row INSERT or UPDATE writes nothing, inside and outside transactions', async () => {
    const c = await connect();
    await c.query('CREATE TABLE atom (id INT PRIMARY KEY, s VARCHAR(3))');
    await c.query("INSERT INTO atom VALUES (1, 'a')");
    await expect(c.query("INSERT INTO atom VALUES (2, 'b'), (3, 'toolong')")).rejects.toMatchObject({ errno: 1406 });
    await expect(c.query("INSERT INTO atom VALUES (4, 'd'), (1, 'dup')")).rejects.toMatchObject({ errno: 1062 });
    await c.query('BEGIN');
    await c.query("INSERT INTO atom VALUES (5, 'e')");
    await expect(c.query("UPDATE atom SET s = CONCAT(s, 'xyz')")).rejects.toMatchObject({ errno: 1406 });
    await c.query('COMMIT');
    const [rows] = await c.query('SELECT id, s FROM atom ORDER BY id');
    expect(rows).toEqual([{ id: 1, s: 'a' }, { id: 5, s: 'e' }]);
    await c.end();
  });

  it('rejects an oversize value and keeps serving', async () => {
    const c = await connect();
    await c.query('CREATE TABLE big (id INT PRIMARY KEY, t TEXT)');
    await expect(c.query('INSERT INTO big VALUES (1, ?)', ['x'.repeat(70_000)])).rejects.toMatchObject({ errno: 1406 });
    await c.query('INSERT INTO big VALUES (2, ?)', ['y'.repeat(60_000)]);
    const [rows] = await c.query('SELECT id, LENGTH(t) AS n FROM big');
    expect(rows).toEqual([{ id: 2, n: 60000 }]);
    await c.end();
  });

  it('serves many concurrent connections', async () => {
    const conns = await Promise.all(Array.from({ length: 20 }, () => connect()));
    await conns[0]!.query('CREATE TABLE conc (id INT PRIMARY KEY AUTO_INCREMENT, who INT)');
    await Promise.all(conns.map((c, i) => c.query('INSERT INTO conc (who) VALUES (?)', [i])));
    const [rows] = await conns[0]!.query('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM conc');
    expect(rows).toEqual([{ n: 20, d: 20 }]);
    await Promise.all(conns.map((c) => c.end()));
  });
});
