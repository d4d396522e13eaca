export type { CfName, KvEntry, IterOptions, KvIterator, KvSnapshot, WriteBatch, WriteOptions, KvEngine } from './kv_engine.ts';
export { CF_NAMES } from './kv_engine.ts';
