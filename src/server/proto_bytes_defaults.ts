import type protobuf from 'protobufjs';
import { protoRoot } from '../proto/mod.ts';

/**
 * protobufjs reads an absent `bytes` field from the message prototype, whose default is a
 * plain empty Array, not a Uint8Array (`[].subarray` is undefined). Proto3 never sends empty
 * bytes, so every empty key from a real client (RawScan from "", ScanLock start, a Del
 * mutation's value...) would arrive as `[]`. This installs an empty Buffer as the prototype
 * default of every singular bytes field, once, process-wide.
 *
 * Belongs in `src/proto/runtime.ts` (lead); kept here until it moves, and harmless after.
 */
let installed = false;

export function installEmptyBytesDefaults(): void {
  if (installed) return;
  installed = true;
  const empty = Buffer.alloc(0);
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      const maybeType = nested as protobuf.Type;
      if (maybeType.fieldsArray !== undefined && typeof maybeType.ctor === 'function') {
        for (const field of maybeType.fieldsArray) {
          if (field.type === 'bytes' && !field.repeated && !field.map) {
            (maybeType.ctor.prototype as Record<string, unknown>)[field.name] = empty;
          }
        }
      }
      if ((nested as protobuf.NamespaceBase).nestedArray !== undefined) visit(nested as protobuf.NamespaceBase);
    }
  };
  visit(protoRoot());
}
