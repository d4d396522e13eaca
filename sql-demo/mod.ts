/**
 * The SQL layer's public surface: engine/session creation, the MySQL protocol server,
 * the shell, and the KvClient seam (the gRPC `TikvKvClient` plugs in here).
 */
export { SqlEngine, Session, type ExecResult, type RowsResult, type OkResult, type Value } from './engine/mod.ts';
export { startMysqlServer, type MysqlServer, type MysqlServerOptions } from './server/mod.ts';
export { runShell, type ShellOptions } from './shell/mod.ts';
export { MemoryKvClient, TikvKvClient, WriteConflictError, type KvClient, type KvTxn, type KvSnapshotReader, type RegionInfo, type CopRequest, type CopResult } from './kv/mod.ts';
export { SqlError } from './errors.ts';

import { SqlEngine } from './engine/mod.ts';
import type { KvClient } from './kv/mod.ts';

/** Creates an engine over `kv` (bootstrapped: the `test` database exists) and one session. */
export async function createSession(kv: KvClient): Promise<{ engine: SqlEngine; session: import('./engine/mod.ts').Session }> {
  const engine = new SqlEngine(kv);
  await engine.bootstrap();
  return { engine, session: engine.newSession() };
}
