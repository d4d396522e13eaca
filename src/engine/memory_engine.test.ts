// Proves MemoryEngine passes the shared KvEngine conformance suite (snapshot isolation included).
import { describeKvEngineConformance } from './conformance.ts';
import { MemoryEngine } from './memory_engine.ts';

describeKvEngineConformance({
  name: 'MemoryEngine',
  create: async () => new MemoryEngine(),
});
