export { installBigIntLongs, loadProtoRoot, protoRoot, messageType, encodeMessage, decodeMessage, PROTO_ROOT_DIR } from './runtime.ts';
export {
  serviceDefinition,
  addService,
  createClient,
  toServiceError,
  UNARY_DEADLINE_MS_DEFAULT,
  type DeepPartial,
  type ServiceName,
  type ServiceHandlers,
  type ServiceClient,
} from './grpc.ts';
export * from './types.ts';
export { createHealthService } from './health.ts';
