/**
 * One module-wide 8-byte scratch buffer with its DataView. Creating a DataView per call
 * costs more than the decode itself, so 64-bit conversions copy through this buffer
 * instead. Single-threaded JS makes sharing safe as long as no caller awaits in between.
 */
export const SCRATCH = new Uint8Array(8);
export const SCRATCH_VIEW = new DataView(SCRATCH.buffer);

/** Copies 8 bytes of `buf` at `offset` into SCRATCH. */
export function loadScratch(buf: Uint8Array, offset: number): void {
  SCRATCH[0] = buf[offset]!;
  SCRATCH[1] = buf[offset + 1]!;
  SCRATCH[2] = buf[offset + 2]!;
  SCRATCH[3] = buf[offset + 3]!;
  SCRATCH[4] = buf[offset + 4]!;
  SCRATCH[5] = buf[offset + 5]!;
  SCRATCH[6] = buf[offset + 6]!;
  SCRATCH[7] = buf[offset + 7]!;
}

/** Unsigned 16-bit little-endian read. */
export function u16le(buf: Uint8Array, o: number): number {
  return buf[o]! | (buf[o + 1]! << 8);
}

/** Unsigned 32-bit little-endian read. */
export function u32le(buf: Uint8Array, o: number): number {
  return (buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16)) + buf[o + 3]! * 0x1000000;
}

/** Unsigned 32-bit big-endian read. */
export function u32be(buf: Uint8Array, o: number): number {
  return buf[o]! * 0x1000000 + ((buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!);
}
