import type { KvEngine } from '../engine/mod.ts';
import { realClock } from '../util/mod.ts';
import type { RaftstoreConfig } from './config.ts';
import { PdStubForTests } from './pd_stub.ts';
import { Store } from './store.ts';

/** Store meta used by tests. */
export const TEST_STORE_META = {
  address: '127.0.0.1:20160',
  statusAddress: '127.0.0.1:20180',
  version: '7.1.0',
  gitHash: '',
  startTimestamp: 0n,
  deployPath: '',
  labels: [],
};

/** Opens a Store for tests (unsynced writes unless the config says otherwise). */
export async function openTestStore(
  engine: KvEngine,
  pd: PdStubForTests = new PdStubForTests(),
  config: Partial<RaftstoreConfig> = {},
): Promise<Store> {
  return Store.open({ engine, pd, clock: realClock, config: { syncWrites: false, ...config }, storeMeta: TEST_STORE_META });
}
