// Proves the MySQL protocol server works with the real mysql2 driver (text + prepared, errors, txns, disconnect rollback).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { MemoryKvClient } from '../../sql-demo/kv/mod.ts';
import { SqlEngine } from '../../sql-demo/engine/mod.ts';
import { startMysqlServer, type MysqlServer } from '../../sql-demo/server/mod.ts';

let server: MysqlServer;
let engine: SqlEngine;

const connect = (extra: Record<string, unknown> = {}) =>
  mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', password: '', database: 'test', supportBigNumbers: true, ...extra });

beforeAll(async () => {
  engine = new SqlEngine(new MemoryKvClient());
  server = await startMysqlServer({ engine, port: 0 });
});

afterAll(async () => {
  await server.stop();
});

describe('mysql2 against the protocol server', () => {
  it('connects, reads connect-time variables and runs text queries with typed columns', async () => {
    const c = await connect();
    const [vars] = await c.query('SELECT @@version_comment, @@max_allowed_packet, @@sql_mode, @@autocommit, @@transaction_isolation, @@session.auto_increment_increment');
    expect((vars as any[])[0]['@@max_allowed_packet']).toBe(67108864);
    await c.query('CREATE TABLE items (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(32) NOT NULL, price DECIMAL(10,2), qty BIGINT UNSIGNED, ts DATETIME, f DOUBLE)');
    const [ins] = await c.query("INSERT INTO items (name, price, qty, ts, f) VALUES ('a', 1.25, 10, '2024-01-02 03:04:05', 0.5), ('b', NULL, 18446744073709551615, NULL, NULL)");
    expect((ins as any).affectedRows).toBe(2);
    expect((ins as any).insertId).toBe(1);
    const [rows, fields] = await c.query('SELECT id, name, price, qty, ts, f FROM items ORDER BY id');
    expect(rows).toEqual([
      { id: 1, name: 'a', price: '1.25', qty: 10, ts: new Date('2024-01-02T03:04:05'), f: 0.5 },
      { id: 2, name: 'b', price: null, qty: '18446744073709551615', ts: null, f: null },
    ]);
    expect((fields as any[]).map((f) => f.columnType)).toEqual([3, 253, 246, 8, 12, 5]);
    await c.end();
  });

  it('runs prepared statements with binary results and parameters of several types', async () => {
    const c = await connect();
    await c.query('CREATE TABLE ps (id INT PRIMARY KEY, s VARCHAR(10), d DECIMAL(6,2), t DATETIME, b BIGINT)');
    await c.execute('INSERT INTO ps VALUES (?, ?, ?, ?, ?)', [1, 'x', '3.50', '2020-05-06 07:08:09', -5]);
    await c.execute('INSERT INTO ps VALUES (?, ?, ?, ?, ?)', [2, null, null, null, null]);
    const [rows] = await c.execute('SELECT id, s, d, t, b FROM ps WHERE id >= ? ORDER BY id', [1]);
    expect(rows).toEqual([
      { id: 1, s: 'x', d: '3.50', t: new Date('2020-05-06T07:08:09'), b: -5 },
      { id: 2, s: null, d: null, t: null, b: null },
    ]);
    const [agg] = await c.execute('SELECT COUNT(*) AS n, SUM(d) AS s FROM ps WHERE s = ?', ['x']);
    expect(agg).toEqual([{ n: 1, s: '3.50' }]);
    await c.end();
  });

  it('reports MySQL errors with codes and SQLSTATE and keeps serving', async () => {
    const c = await connect();
    await expect(c.query('SELEC 1')).rejects.toMatchObject({ errno: 1064, sqlState: '42000' });
    await expect(c.query('SELECT * FROM nope')).rejects.toMatchObject({ errno: 1146, sqlState: '42S02' });
    await expect(c.query('SELECT nope FROM items')).rejects.toMatchObject({ errno: 1054 });
    await expect(c.query("INSERT INTO items (id, name) VALUES (1, 'dup')")).rejects.toMatchObject({ errno: 1062, sqlState: '23000' });
    await expect(c.query("INSERT INTO items (name) VALUES ('" + 'x'.repeat(40) + "')")).rejects.toMatchObject({ errno: 1406 });
    await expect(c.execute('SELECT * FROM nope WHERE a = ?', [1])).rejects.toMatchObject({ errno: 1146 });
    const [rows] = await c.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
    await c.end();
  });

  it('serves concurrent connections; a write conflict is error 9007 and says to retry', async () => {
    const a = await connect();
    const b = await connect();
    await a.query('CREATE TABLE acct (id INT PRIMARY KEY, bal INT)');
    await a.query('INSERT INTO acct VALUES (1, 100)');
    await a.query('BEGIN');
    await b.query('BEGIN');
    await a.query('UPDATE acct SET bal = bal - 10 WHERE id = 1');
    await b.query('UPDATE acct SET bal = bal - 20 WHERE id = 1');
    await a.query('COMMIT');
    const err = await b.query('COMMIT').catch((e) => e);
    expect(err).toMatchObject({ errno: 9007 });
    expect(String(err.message)).toMatch(/try again/);
    const [rows] = await b.query('SELECT bal FROM acct');
    expect(rows).toEqual([{ bal: 90 }]);
    await a.end();
    await b.end();
  });

  it('rolls back the open transaction when a client disconnects mid-transaction', async () => {
    const a = await connect();
    await a.query('CREATE TABLE dis (id INT PRIMARY KEY)');
    await a.query('BEGIN');
    await a.query('INSERT INTO dis VALUES (1)');
    a.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const b = await connect();
    const [rows] = await b.query('SELECT COUNT(*) AS n FROM dis');
    expect(rows).toEqual([{ n: 0 }]);
    await b.end();
  });

  it('runs multi-statement COM_QUERY with several result sets', async () => {
    const c = await connect({ multipleStatements: true });
    const [results] = await c.query("SELECT 1 AS a; INSERT INTO items (name) VALUES ('m'); SELECT 2 AS b, 3 AS c");
    expect((results as any[])[0]).toEqual([{ a: 1 }]);
    expect((results as any[])[1]).toMatchObject({ affectedRows: 1 });
    expect((results as any[])[2]).toEqual([{ b: 2, c: 3 }]);
    await expect(c.query('SELECT 1; SELEC 2')).rejects.toMatchObject({ errno: 1064 });
    const [after] = await c.query('SELECT 4 AS d');
    expect(after).toEqual([{ d: 4 }]);
    await c.end();
  });

  it('returns JSON columns as MySQL type 245, which mysql2 parses, in text and binary protocols', async () => {
    const c = await connect();
    await c.query('CREATE TABLE jd (id INT PRIMARY KEY, doc JSON)');
    await c.execute('INSERT INTO jd VALUES (?, ?)', [1, JSON.stringify({ a: [1, 2], b: 'x' })]);
    const [text, fields] = await c.query('SELECT doc, doc->>"$.b" AS b FROM jd');
    expect((fields as any[])[0].columnType).toBe(245);
    expect(text).toEqual([{ doc: { a: [1, 2], b: 'x' }, b: 'x' }]);
    const [bin] = await c.execute('SELECT doc FROM jd WHERE id = ?', [1]);
    expect(bin).toEqual([{ doc: { a: [1, 2], b: 'x' } }]);
    await c.end();
  });

  it('rejects a wrong password with 1045', async () => {
    await expect(connect({ password: 'secret' })).rejects.toMatchObject({ errno: 1045 });
  });

  it('logs in accounts made with CREATE USER, follows ALTER USER / SET PASSWORD / DROP USER, on every SQL server of the cluster', async () => {
    const root = await connect();
    await root.query("CREATE USER 'app'@'%' IDENTIFIED BY 's3cret', 'ro'@'localhost'");
    const app = await connect({ user: 'app', password: 's3cret' });
    const [who] = await app.query('SELECT USER() AS u, CURRENT_USER() AS c');
    expect(who).toEqual([{ u: 'app@127.0.0.1', c: 'app@%' }]);
    const [grants] = await app.query('SHOW GRANTS');
    expect(Object.values((grants as any[])[0])).toEqual(["GRANT ALL PRIVILEGES ON *.* TO 'app'@'%' WITH GRANT OPTION"]);
    await expect(connect({ user: 'app', password: 'wrong' })).rejects.toMatchObject({ errno: 1045 });
    await expect(connect({ user: 'app', password: '' })).rejects.toMatchObject({ errno: 1045 });
    await expect(connect({ user: 'nobody' })).rejects.toMatchObject({ errno: 1045 });
    // 'ro'@'localhost' has no password and matches a loopback client.
    const ro = await connect({ user: 'ro' });
    expect((await ro.query('SELECT CURRENT_USER() AS c'))[0]).toEqual([{ c: 'ro@localhost' }]);
    await ro.end();

    // A second SQL server on the same cluster (same KV) sees the account and its changes.
    const engine2 = new SqlEngine(engine.kv);
    const server2 = await startMysqlServer({ engine: engine2, port: 0 });
    try {
      await app.query("SET PASSWORD = 'n3w'");
      await expect(mysql.createConnection({ host: '127.0.0.1', port: server2.port, user: 'app', password: 's3cret' })).rejects.toMatchObject({ errno: 1045 });
      const viaOther = await mysql.createConnection({ host: '127.0.0.1', port: server2.port, user: 'app', password: 'n3w' });
      await viaOther.end();
      await root.query("ALTER USER app IDENTIFIED BY 'third'");
      const again = await connect({ user: 'app', password: 'third' });
      await again.end();
      await root.query("DROP USER app, 'ro'@'localhost'");
      await expect(connect({ user: 'app', password: 'third' })).rejects.toMatchObject({ errno: 1045 });
    } finally {
      await server2.stop();
    }
    await app.end();
    await root.end();
  });
});
