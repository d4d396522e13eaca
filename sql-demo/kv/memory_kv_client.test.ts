// Proves MemoryKvClient passes the shared KvClient conformance suite (SI, first committer wins, scans, model check).
import { kvClientConformance } from './conformance.ts';
import { MemoryKvClient } from './memory_kv_client.ts';

kvClientConformance('MemoryKvClient', async () => new MemoryKvClient());

let run = 0;
kvClientConformance('MemoryKvClient (shared, prefixed keys)', (() => {
  const shared = new MemoryKvClient();
  return async () => ({ ...bindAll(shared), close: async () => undefined });
})(), { keyPrefix: () => `p${++run}/`, modelRuns: 20 });

function bindAll(c: MemoryKvClient) {
  return {
    begin: c.begin.bind(c),
    snapshot: c.snapshot.bind(c),
    getTs: c.getTs.bind(c),
    splitRegions: c.splitRegions.bind(c),
    regions: c.regions.bind(c),
    coprocessor: c.coprocessor.bind(c),
  };
}
