/**
 * `npx tsx sql-demo/main.ts --memory [--host 127.0.0.1] [--port 4000] [--no-shell]`:
 * a SQL server (MySQL protocol) plus the shell over an in-memory cluster. The cluster-backed
 * mode needs the gRPC KvClient (`sql-demo/kv/tikv_*`), which the playground wires.
 */
import { Command } from 'commander';
import { MemoryKvClient } from './kv/mod.ts';
import { SqlEngine } from './engine/mod.ts';
import { startMysqlServer } from './server/mod.ts';
import { runShell } from './shell/mod.ts';

const program = new Command()
  .option('--memory', 'use the in-memory MVCC store (no cluster)', false)
  .option('--host <host>', 'MySQL protocol listen host', '127.0.0.1')
  .option('--port <port>', 'MySQL protocol port (0 = any free port)', '4000')
  .option('--no-shell', 'do not open the interactive shell');
program.parse();
const o = program.opts<{ memory: boolean; host: string; port: string; shell: boolean }>();
if (!o.memory) {
  process.stderr.write('only --memory is available here; the cluster-backed SQL server is started by the playground\n');
  process.exit(2);
}
const engine = new SqlEngine(new MemoryKvClient());
const server = await startMysqlServer({ engine, host: o.host, port: Number(o.port) });
process.stdout.write(`sql ready mysql=${server.host}:${server.port} (mysql -h ${server.host} -P ${server.port} -u root)\n`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (o.shell) {
  await runShell({ kv: engine.kv, engine });
  await stop();
}
