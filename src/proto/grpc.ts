import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { realClock } from '../util/clock.ts';
import { DomainError } from '../util/errors.ts';
import { messageType, protoRoot } from './runtime.ts';
import type { ServiceTypes } from './types.ts';

/**
 * gRPC glue over the protobuf runtime: typed server handler maps and typed promise clients
 * for every service declared in proto/, serialized with protobufjs reflection.
 */

/** A partial message as accepted by the encoder: every field optional, recursively. */
export type DeepPartial<T> = T extends Uint8Array | bigint | number | string | boolean
  ? T
  : T extends Array<infer U>
    ? Array<DeepPartial<U>>
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> | null }
      : T;

export type ServiceName = keyof ServiceTypes;
type Methods<S extends ServiceName> = ServiceTypes[S];
type Req<S extends ServiceName, M extends keyof Methods<S>> = Methods<S>[M] extends { request: infer R } ? R : never;
type Res<S extends ServiceName, M extends keyof Methods<S>> = Methods<S>[M] extends { response: infer R } ? R : never;

/** The handler shape grpc-js expects for each method kind, with our message types. */
export type ServiceHandlers<S extends ServiceName> = {
  [M in keyof Methods<S>]: Methods<S>[M] extends { requestStream: true; responseStream: true }
    ? grpc.handleBidiStreamingCall<Req<S, M>, DeepPartial<Res<S, M>>>
    : Methods<S>[M] extends { requestStream: false; responseStream: true }
      ? grpc.handleServerStreamingCall<Req<S, M>, DeepPartial<Res<S, M>>>
      : Methods<S>[M] extends { requestStream: true; responseStream: false }
        ? grpc.handleClientStreamingCall<Req<S, M>, DeepPartial<Res<S, M>>>
        : grpc.handleUnaryCall<Req<S, M>, DeepPartial<Res<S, M>>>;
};

function serializer(t: protobuf.Type): (value: object) => Buffer {
  return (value) => {
    const bytes = t.encode(value as protobuf.Message).finish();
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(t: protobuf.Type): (bytes: Buffer) => object {
  // A throw here makes grpc-js answer the call with an error status; the server keeps going.
  return (bytes) => t.decode(bytes) as object;
}

const definitionCache = new Map<string, grpc.ServiceDefinition>();

/** The grpc-js service definition of `name` (e.g. `tikvpb.Tikv`). */
export function serviceDefinition(name: ServiceName): grpc.ServiceDefinition {
  let def = definitionCache.get(name);
  if (def) return def;
  const service = protoRoot().lookupService(name);
  const methods: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const m of service.methodsArray) {
    m.resolve();
    const reqType = m.resolvedRequestType!;
    const resType = m.resolvedResponseType!;
    methods[m.name] = {
      path: `/${name}/${m.name}`,
      requestStream: Boolean(m.requestStream),
      responseStream: Boolean(m.responseStream),
      requestSerialize: serializer(reqType),
      requestDeserialize: deserializer(reqType),
      responseSerialize: serializer(resType),
      responseDeserialize: deserializer(resType),
      originalName: m.name,
    };
  }
  def = methods as grpc.ServiceDefinition;
  definitionCache.set(name, def);
  return def;
}

/** Registers `handlers` for service `name` on `server`. */
export function addService<S extends ServiceName>(server: grpc.Server, name: S, handlers: Partial<ServiceHandlers<S>>): void {
  server.addService(serviceDefinition(name), handlers as grpc.UntypedServiceImplementation);
}

/** Maps a DomainError (or anything thrown) to a gRPC status error for a unary callback. */
export function toServiceError(e: unknown): grpc.ServiceError {
  const message = e instanceof Error ? e.message : String(e);
  let code = grpc.status.INTERNAL;
  if (e instanceof DomainError) {
    switch (e.code) {
      case 'InvalidArgument':
      case 'KeyTooLarge':
        code = grpc.status.INVALID_ARGUMENT;
        break;
      case 'NotImplemented':
        code = grpc.status.UNIMPLEMENTED;
        break;
      case 'NotFound':
        code = grpc.status.NOT_FOUND;
        break;
      case 'AlreadyExists':
        code = grpc.status.ALREADY_EXISTS;
        break;
      case 'ResourceExhausted':
        code = grpc.status.RESOURCE_EXHAUSTED;
        break;
      case 'Timeout':
        code = grpc.status.DEADLINE_EXCEEDED;
        break;
      case 'Unavailable':
      case 'Closed':
        code = grpc.status.UNAVAILABLE;
        break;
      default:
        code = grpc.status.INTERNAL;
    }
  }
  return Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });
}

/** A typed client: unary methods return promises; streaming methods return grpc-js calls. */
export type ServiceClient<S extends ServiceName> = {
  [M in keyof Methods<S>]: Methods<S>[M] extends { requestStream: false; responseStream: false }
    ? (request: DeepPartial<Req<S, M>>, options?: { deadlineMs?: number; metadata?: grpc.Metadata }) => Promise<Res<S, M>>
    : Methods<S>[M] extends { requestStream: true; responseStream: true }
      ? (options?: grpc.CallOptions) => grpc.ClientDuplexStream<DeepPartial<Req<S, M>>, Res<S, M>>
      : Methods<S>[M] extends { requestStream: false; responseStream: true }
        ? (request: DeepPartial<Req<S, M>>, options?: grpc.CallOptions) => grpc.ClientReadableStream<Res<S, M>>
        : (options?: grpc.CallOptions) => grpc.ClientWritableStream<DeepPartial<Req<S, M>>>;
} & { close(): void; raw: grpc.Client };

/** Default per-call deadline for unary calls of typed clients. */
export const UNARY_DEADLINE_MS_DEFAULT = 10_000;

/** Connects a typed client for service `name` to `address` (`host:port`, no scheme). */
export function createClient<S extends ServiceName>(
  name: S,
  address: string,
  options: grpc.ClientOptions = {},
): ServiceClient<S> {
  const def = serviceDefinition(name);
  const Ctor = grpc.makeGenericClientConstructor(def, name);
  const raw = new Ctor(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    ...options,
  }) as unknown as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  const client: Record<string, unknown> = { raw, close: () => raw.close() };
  for (const [method, m] of Object.entries(def)) {
    const fn = raw[method]!.bind(raw);
    if (!m.requestStream && !m.responseStream) {
      client[method] = (request: unknown, opts?: { deadlineMs?: number; metadata?: grpc.Metadata }) =>
        new Promise((resolvePromise, reject) => {
          const deadline = new Date(realClock.nowMs() + (opts?.deadlineMs ?? UNARY_DEADLINE_MS_DEFAULT));
          fn(request, opts?.metadata ?? new grpc.Metadata(), { deadline }, (err: unknown, res: unknown) =>
            err ? reject(err) : resolvePromise(res),
          );
        });
    } else {
      client[method] = fn;
    }
  }
  return client as unknown as ServiceClient<S>;
}

export { messageType };
