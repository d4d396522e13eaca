import type { ServiceHandlers } from './grpc.ts';
import { grpc as healthPb } from './types.ts';

/**
 * `grpc.health.v1.Health`: answers SERVING for the server as a whole and for any service
 * name in `services` (empty list: every name). client-go probes store liveness with Check.
 */
export function createHealthService(isServing: () => boolean = () => true): Partial<ServiceHandlers<'grpc.health.v1.Health'>> {
  const Status = healthPb.health.v1.HealthCheckResponse.ServingStatus;
  return {
    Check: (_call, callback) => {
      callback(null, { status: isServing() ? Status.SERVING : Status.NOT_SERVING });
    },
    Watch: (call) => {
      call.write({ status: isServing() ? Status.SERVING : Status.NOT_SERVING });
      // The status of this process does not change while it runs; keep the stream open.
      call.on('cancelled', () => call.end());
    },
  };
}
