/**
 * Named limits applied at the gRPC edge (TiKV's defaults where TiKV has one).
 */

/** Longest key accepted in any request (TiKV `storage.max-key-size`, 8 KiB). */
export const KEY_BYTES_MAX = 8 * 1024;
/** Default gRPC send/receive message limit (TiKV `server.max-grpc-send-msg-len` is 10 MiB). */
export const GRPC_MESSAGE_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;
/** Inner requests of one BatchCommands stream being served at once; beyond it: ServerIsBusy. */
export const BATCH_COMMANDS_INFLIGHT_MAX = 4096;
/** Responses packed into one BatchCommandsResponse message. */
export const BATCH_COMMANDS_RESPONSES_PER_MESSAGE_MAX = 512;
/** Concurrent HTTP/2 streams per connection (TiKV `server.grpc-concurrent-stream`). */
export const GRPC_CONCURRENT_STREAMS_MAX = 1024;
