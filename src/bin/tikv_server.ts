/**
 * `tikv-server`: one store. Flags follow TiKV's (`--pd`, `--addr`, `--status-addr`,
 * `--data-dir`, `--config`); flags override the TOML file, whose keys are TiKV's.
 */
import { Command } from 'commander';
import { startStore } from '../server/mod.ts';
import { createLogger } from '../util/logger.ts';
import { loadTomlConfig, TIKV_CONFIG_SCHEMA } from './config.ts';
import { runUntilSignal } from './signals.ts';
import type { RaftstoreConfig } from '../raftstore/mod.ts';

const program = new Command('tikv-server')
  .description('A TiKV-compatible store: regions, MVCC + Percolator transactions, RawKV')
  .option('--pd <endpoints>', 'PD endpoints, comma separated')
  .option('--addr <host:port>', 'gRPC listen address')
  .option('--status-addr <host:port>', 'status HTTP address (/metrics, /status)')
  .option('--data-dir <dir>', 'where the store keeps its data')
  .option('--config <file>', 'TOML config file (TiKV key names)')
  .option('--log-level <level>', 'trace|debug|info|warn|error')
  .parse();

const flags = program.opts<{ pd?: string; addr?: string; statusAddr?: string; dataDir?: string; config?: string; logLevel?: string }>();

try {
  const file = flags.config ? loadTomlConfig(flags.config, TIKV_CONFIG_SCHEMA) : {};
  const section = (name: string): Record<string, unknown> => file[name] ?? {};
  const log = createLogger('tikv', flags.logLevel ?? (section('log')['level'] as string | undefined));
  const copr = section('coprocessor');
  const raftstoreSection = section('raftstore');
  const raftstore: Partial<RaftstoreConfig> = {};
  if (copr['region-split-keys'] !== undefined) raftstore.regionSplitKeys = copr['region-split-keys'] as number;
  if (copr['region-max-keys'] !== undefined) raftstore.regionMaxKeys = copr['region-max-keys'] as number;
  if (copr['region-split-size'] !== undefined) raftstore.regionSplitSizeBytes = copr['region-split-size'] as number;
  if (copr['region-max-size'] !== undefined) raftstore.regionMaxSizeBytes = copr['region-max-size'] as number;
  if (raftstoreSection['split-region-check-tick-interval'] !== undefined) {
    raftstore.splitCheckTickMs = raftstoreSection['split-region-check-tick-interval'] as number;
  }
  if (raftstoreSection['raft-entry-max-size'] !== undefined) raftstore.raftEntryMaxBytes = raftstoreSection['raft-entry-max-size'] as number;
  if (section('storage')['sync-log'] === false) raftstore.syncWrites = false;
  const pdEndpoints = flags.pd ? flags.pd.split(',') : ((section('pd')['endpoints'] as string[] | undefined) ?? ['127.0.0.1:2379']);
  const store = await startStore({
    pdEndpoints,
    addr: flags.addr ?? (section('server')['addr'] as string | undefined) ?? '127.0.0.1:20160',
    statusAddr: flags.statusAddr ?? (section('server')['status-addr'] as string | undefined) ?? '127.0.0.1:20180',
    dataDir: flags.dataDir ?? (section('storage')['data-dir'] as string | undefined) ?? 'default.tikv',
    grpcMessageBytesMax: section('server')['grpc-max-message-size'] as number | undefined,
    gcIntervalMs: section('gc')['run-interval'] as number | undefined,
    raftstore,
    logger: log,
    onFatal: (err) => {
      log.fatal({ err }, 'fatal error: stopping the store');
      process.exit(70);
    },
  });
  const { tikv } = store;
  process.stdout.write(`tikv-server ready addr=${tikv.addr} status=${tikv.statusAddr} store-id=${tikv.store.storeId}\n`);
  await runUntilSignal(() => store.stop());
} catch (e) {
  process.stderr.write(`tikv-server: ${(e as Error).message}\n`);
  process.exit(1);
}
