/**
 * Public surface of the pure Raft core: `RawNode` over a read-only `RaftLogStorage`, the
 * eraftpb types, and `MemoryStorage` for tests and the simulator.
 */
export * from './eraftpb.ts';
export { RawNode, type Ready, type SoftState, type RaftStatus } from './raw_node.ts';
export { Raft, StateRole, NONE, CAMPAIGN_TRANSFER, type ReadState, type RaftError } from './raft.ts';
export { RAFT_CONFIG_DEFAULTS, validateRaftConfig, type RaftConfig, type ReadOnlyOption } from './raft_config.ts';
export { isStorageError, type RaftLogStorage, type RaftInitialState, type StorageError } from './raft_log_storage.ts';
export { MemoryStorage } from './memory_storage.ts';
export { ProgressState } from './progress.ts';
export { encodeConfChange, decodeConfChange, encodeConfChangeV2, decodeConfChangeV2, confChangeToV2 } from './conf_change_codec.ts';
