import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/**
 * `grpc.health.v1.Health` (Check + Watch). client-go probes it on the KV port after send
 * failures; anything but SERVING marks the store unreachable. The two tiny messages are
 * declared here (grpc's health.proto, field numbers as upstream) instead of in proto/ because
 * nothing else needs them.
 */

/** `HealthCheckResponse.ServingStatus`. */
export const HealthStatus = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;
export type HealthStatusValue = (typeof HealthStatus)[keyof typeof HealthStatus];

const root = protobuf.Root.fromJSON({
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: { fields: { status: { type: 'int32', id: 1 } } },
              },
            },
          },
        },
      },
    },
  },
});
const RequestType = root.lookupType('grpc.health.v1.HealthCheckRequest');
const ResponseType = root.lookupType('grpc.health.v1.HealthCheckResponse');

interface HealthCheckRequest {
  service: string;
}
interface HealthCheckResponse {
  status: number;
}

function method<Stream extends boolean>(
  name: string,
  responseStream: Stream,
): grpc.MethodDefinition<HealthCheckRequest, HealthCheckResponse> {
  return {
    path: `/grpc.health.v1.Health/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: (v) => Buffer.from(RequestType.encode(v).finish()),
    requestDeserialize: (b) => RequestType.decode(b) as unknown as HealthCheckRequest,
    responseSerialize: (v) => Buffer.from(ResponseType.encode(v).finish()),
    responseDeserialize: (b) => ResponseType.decode(b) as unknown as HealthCheckResponse,
    originalName: name,
  };
}

/** The grpc-js definition of `grpc.health.v1.Health`. */
export const HEALTH_SERVICE_DEFINITION: grpc.ServiceDefinition = {
  Check: method('Check', false),
  Watch: method('Watch', true),
};

/**
 * Registers the health service; `status()` is asked on every call (service name ignored: the
 * whole server is one service).
 */
export function addHealthService(server: grpc.Server, status: () => HealthStatusValue): void {
  const impl: grpc.UntypedServiceImplementation = {
    Check: ((_call, callback) => callback(null, { status: status() })) as grpc.handleUnaryCall<
      HealthCheckRequest,
      HealthCheckResponse
    >,
    Watch: ((call) => {
      // Sends the current status once and keeps the stream open until the client leaves.
      call.write({ status: status() });
      call.on('cancelled', () => call.end());
    }) as grpc.handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse>,
  };
  server.addService(HEALTH_SERVICE_DEFINITION, impl);
}
