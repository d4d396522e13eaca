// Proves MemoryKvClient passes the shared KvClient conformance suite (SI, first committer wins, scans, model check).
import { kvClientConformance } from './conformance.ts';
import { MemoryKvClient } from './memory_kv_client.ts';

kvClientConformance('MemoryKvClient', async () => new MemoryKvClient());
