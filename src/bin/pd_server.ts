/**
 * `pd-server`: the placement driver. Flags follow PD's (`--client-urls`, `--data-dir`,
 * `--config`); flags override the TOML file.
 */
import { Command } from 'commander';
import { PdServer } from '../pd/mod.ts';
import { createLogger } from '../util/logger.ts';
import { loadTomlConfig, PD_CONFIG_SCHEMA } from './config.ts';
import { runUntilSignal } from './signals.ts';

const program = new Command('pd-server')
  .description('Placement driver: cluster id, TSO, ids, store/region metadata, GC safe point')
  .option('--client-urls <url>', 'URL to serve clients on (gRPC: pdpb.PD, etcd KV subset, health)')
  .option('--data-dir <dir>', 'where PD keeps its metadata')
  .option('--name <name>', 'member name')
  .option('--config <file>', 'TOML config file (PD key names)')
  .option('--log-level <level>', 'trace|debug|info|warn|error')
  .parse();

const flags = program.opts<{ clientUrls?: string; dataDir?: string; name?: string; config?: string; logLevel?: string }>();

try {
  const file = flags.config ? loadTomlConfig(flags.config, PD_CONFIG_SCHEMA) : { '': {}, log: {} };
  const top = file[''] ?? {};
  const log = createLogger('pd', flags.logLevel ?? (file['log']?.['level'] as string | undefined));
  const pd = await PdServer.start({
    clientUrl: flags.clientUrls ?? (top['client-urls'] as string | undefined) ?? 'http://127.0.0.1:2379',
    dataDir: flags.dataDir ?? (top['data-dir'] as string | undefined) ?? 'default.pd',
    name: flags.name ?? (top['name'] as string | undefined),
    tsoSaveIntervalMs: top['tso-save-interval'] as number | undefined,
    logger: log,
  });
  process.stdout.write(`pd-server ready client-url=${pd.clientUrl} cluster-id=${pd.clusterId}\n`);
  await runUntilSignal(() => pd.stop());
} catch (e) {
  process.stderr.write(`pd-server: ${(e as Error).message}\n`);
  process.exit(1);
}
