/**
 * `npm run shell` = `node --import tsx sql-demo/main.ts [--pd 127.0.0.1:2379] [--port 4000] [--no-shell]`:
 * a SQL server (MySQL protocol) plus the shell over a running cluster (gRPC, like TiDB), or
 * with `--memory` over the in-memory MVCC store (no cluster).
 */
import { Command } from 'commander';
import { MemoryKvClient, TikvKvClient, type KvClient } from './kv/mod.ts';
import { SqlEngine } from './engine/mod.ts';
import { startMysqlServer } from './server/mod.ts';
import { runShell } from './shell/mod.ts';

const program = new Command()
  .option('--memory', 'use the in-memory MVCC store (no cluster)', false)
  .option('--pd <endpoints>', 'PD endpoints of the cluster, comma separated', '127.0.0.1:2379')
  .option('--host <host>', 'MySQL protocol listen host', '127.0.0.1')
  .option('--port <port>', 'MySQL protocol port (0 = any free port)', '4000')
  .option('--no-shell', 'do not open the interactive shell');
program.parse();
const o = program.opts<{ memory: boolean; pd: string; host: string; port: string; shell: boolean }>();
let kv: KvClient;
try {
  kv = o.memory ? new MemoryKvClient() : await TikvKvClient.connect({ pdEndpoints: o.pd.split(',') });
} catch (e) {
  process.stderr.write(`sql: cannot reach the cluster at ${o.pd}: ${(e as Error).message}\n`);
  process.exit(1);
}
const engine = new SqlEngine(kv);
const server = await startMysqlServer({ engine, host: o.host, port: Number(o.port) });
process.stdout.write(`sql ready mysql=${server.host}:${server.port} (mysql -h ${server.host} -P ${server.port} -u root)\n`);
const stop = async () => {
  await server.stop();
  await kv.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (o.shell) {
  await runShell({ kv: engine.kv, engine });
  await stop();
}
