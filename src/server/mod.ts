export { TikvServer, TIKV_VERSION, type TikvServerConfig, type TikvServerDeps } from './tikv_server.ts';
export { KvService, UNARY_METHOD_NAMES, type KvServiceDeps, type StoreAdmin } from './kv_service.ts';
export { BatchCommandsHandler, type BatchCommandsLimits } from './batch_commands.ts';
export { KV_COMMANDS, type KvCommand, type EdgeErrorSlot } from './kv_commands.ts';
export { type CoprocessorHandler, NotImplementedCoprocessor } from './coprocessor_handler.ts';
export { StorageCoprocessor } from './storage_coprocessor.ts';
export { toErrorpb, messageOnlyRegionError } from './region_error.ts';
export { ServerMetrics } from './server_metrics.ts';
export { StatusServer, splitHostPort, type StatusSources } from './status_server.ts';
export type { StorageApi, StorageCommandName, StorageCommandTypes, StorageResult } from './storage_api.ts';
export {
  KEY_BYTES_MAX,
  GRPC_MESSAGE_BYTES_MAX_DEFAULT,
  BATCH_COMMANDS_INFLIGHT_MAX,
  BATCH_COMMANDS_RESPONSES_PER_MESSAGE_MAX,
  GRPC_CONCURRENT_STREAMS_MAX,
} from './server_limits.ts';
export { startCluster, startStore, type Cluster, type ClusterOptions } from './cluster.ts';
