/** The local KV engine: the seam, its two implementations, and the shared conformance suite. */
export type { CfName, KvEntry, KvEntryBatch, IterOptions, KvIterator, KvSnapshot, WriteBatch, WriteOptions, KvEngine } from './kv_engine.ts';
export { CF_NAMES } from './kv_engine.ts';
export { ClassicEngine, CLASSIC_ENGINE_DEFAULTS, CF_PREFIX, type ClassicEngineOptions } from './classic_engine.ts';
export { MemoryEngine, type MemoryEngineOptions } from './memory_engine.ts';
export { RecordingWriteBatch, type BatchOp } from './write_batch.ts';
