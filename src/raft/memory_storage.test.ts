// Proves MemoryStorage passes the RaftLogStorage conformance suite.
import { MemoryStorage } from './memory_storage.ts';
import { describeRaftLogStorage } from './raft_log_storage_suite.ts';

describeRaftLogStorage('MemoryStorage', () => new MemoryStorage());
