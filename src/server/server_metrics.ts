import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of one TikvServer, in its own registry (several servers may share a
 * process in tests). Names follow TiKV's where one exists.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly grpcRequests = new Counter({
    name: 'tikv_grpc_msg_total',
    help: 'gRPC commands served, by command type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly grpcDuration = new Histogram({
    name: 'tikv_grpc_msg_duration_seconds',
    help: 'Time to serve one gRPC command',
    labelNames: ['type'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  readonly batchProposals = new Histogram({
    name: 'tikv_raftstore_batch_proposals',
    help: 'Proposals committed by one synced engine write (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  readonly batchBytes = new Histogram({
    name: 'tikv_raftstore_batch_bytes',
    help: 'Payload bytes of one engine write batch',
    buckets: [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216],
    registers: [this.registry],
  });
  readonly batchDuration = new Histogram({
    name: 'tikv_raftstore_batch_duration_seconds',
    help: 'Time to build, write and sync one engine write batch',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [this.registry],
  });
  readonly regionCount = new Gauge({
    name: 'tikv_raftstore_region_count',
    help: 'Regions on this store',
    registers: [this.registry],
  });
  readonly splits = new Counter({
    name: 'tikv_raftstore_region_splits_total',
    help: 'Region splits applied on this store',
    registers: [this.registry],
  });
}
