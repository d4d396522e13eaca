/**
 * `npm start`: PD and one store on loopback with a default data directory, like
 * `tiup playground`. Prints one `playground ready ...` line when everything serves, then
 * (unless --no-shell) opens the SQL shell; Ctrl-C shuts down cleanly and a restart on the
 * same directory resumes with the same data.
 */
import { Command } from 'commander';
import { startCluster } from '../server/mod.ts';
import { SqlEngine, TikvKvClient, runShell, startMysqlServer } from '../../sql-demo/mod.ts';
import { createLogger } from '../util/logger.ts';
import { runUntilSignal } from './signals.ts';

const program = new Command('playground')
  .description('PD + a TiKV-compatible store on loopback')
  .option('--data-dir <dir>', 'data directory', 'data/playground')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--pd-port <port>', 'PD port (0 = any free port)', '2379')
  .option('--tikv-port <port>', 'store gRPC port (0 = any free port)', '20160')
  .option('--status-port <port>', 'store status HTTP port (0 = any free port)', '20180')
  .option('--sql-port <port>', 'MySQL protocol port of the SQL layer (0 = any free port)', '4000')
  .option('--region-split-keys <n>', 'split regions holding more than ~1.5x this many keys')
  .option('--region-split-size <bytes>', 'split regions larger than ~1.5x this many bytes')
  .option('--gc-interval-ms <ms>', 'how often the store polls PD for the GC safe point', '10000')
  .option('--no-shell', 'run headless (for scripts and tests)')
  .option('--no-sql', 'do not start the SQL layer (a RawKV-only cluster: in API v1 the SQL layer\'s transactional meta keys must not share regions with raw data)')
  .option('--log-level <level>', 'trace|debug|info|warn|error', 'warn')
  .parse();

const o = program.opts<{
  dataDir: string;
  host: string;
  pdPort: string;
  tikvPort: string;
  statusPort: string;
  sqlPort: string;
  regionSplitKeys?: string;
  regionSplitSize?: string;
  gcIntervalMs: string;
  shell: boolean;
  sql: boolean;
  logLevel: string;
}>();

function port(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`playground: --${name} must be a port number, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}

function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`playground: --${name} must be a positive integer, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}

try {
  const cluster = await startCluster({
    dataDir: o.dataDir,
    host: o.host,
    pdPort: port(o.pdPort, 'pd-port'),
    tikvPort: port(o.tikvPort, 'tikv-port'),
    statusPort: port(o.statusPort, 'status-port'),
    regionSplitKeys: count(o.regionSplitKeys, 'region-split-keys'),
    regionSplitSizeBytes: count(o.regionSplitSize, 'region-split-size'),
    gcIntervalMs: count(o.gcIntervalMs, 'gc-interval-ms'),
    logger: createLogger('playground', o.logLevel),
  });
  if (!o.sql) {
    process.stdout.write(`playground ready pd=${cluster.pdAddr} tikv=${cluster.tikvAddr} status=${cluster.statusAddr}\n`);
    await runUntilSignal(() => cluster.stop());
  }
  // The SQL layer is a client of the cluster over gRPC only, as TiDB is.
  const kv = await TikvKvClient.connect({ pdEndpoints: [cluster.pdAddr] });
  const engine = new SqlEngine(kv);
  await engine.bootstrap();
  const sql = await startMysqlServer({ engine, host: o.host, port: port(o.sqlPort, 'sql-port') });
  const sqlAddr = `${sql.host}:${sql.port}`;
  const shutdown = async (): Promise<void> => {
    await sql.stop();
    await kv.close();
    await cluster.stop();
  };
  process.stdout.write(`playground ready pd=${cluster.pdAddr} tikv=${cluster.tikvAddr} status=${cluster.statusAddr} sql=${sqlAddr}\n`);
  if (o.shell) {
    process.stdout.write(
      [
        `data directory: ${o.dataDir}`,
        `MySQL clients: mysql -h ${sql.host} -P ${sql.port} -u root`,
        `client-go: rawkv.NewClientWithOpts(ctx, []string{"${cluster.pdAddr}"})  /  txnkv.NewClient([]string{"${cluster.pdAddr}"})`,
        `metrics: http://${cluster.statusAddr}/metrics`,
        '',
      ].join('\n'),
    );
    let stopping = false;
    const stopOnce = async (): Promise<void> => {
      if (stopping) return;
      stopping = true;
      await shutdown();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stopOnce());
    await runShell({ kv, engine });
    await stopOnce();
  } else {
    await runUntilSignal(shutdown);
  }
} catch (e) {
  process.stderr.write(`playground: ${(e as Error).message}\n`);
  process.exit(1);
}
