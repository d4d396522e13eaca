import type { ExecResult, Session } from '../../sql-demo/engine/mod.ts';
import { SqlEngine } from '../../sql-demo/engine/mod.ts';
import { startFixture, type ClusterFixture } from '../sqlkv/cluster_fixture.ts';

/** Test helper: an in-process cluster with one SQL session (TikvKvClient) in database `test`. */
export async function startSqlCluster(): Promise<{ fx: ClusterFixture; s: Session }> {
  const fx = await startFixture();
  const engine = new SqlEngine(await fx.connect());
  await engine.bootstrap();
  const s = engine.newSession();
  await s.execute('USE test');
  return { fx, s };
}

/** The rows of a result set (throws on OK packets). */
export function rows(r: ExecResult): unknown[][] {
  if (r.kind !== 'rows') throw new Error(`expected rows, got ${r.kind}`);
  return r.rows;
}
