export { assert, assertNever, AssertionError } from './assert.ts';
export { DomainError, CorruptionError, invalidArgument, notImplemented, type ErrorCode } from './errors.ts';
export { realClock, type Clock } from './clock.ts';
export { SeededRandom, freshSeed, type Random } from './random.ts';
export { createLogger, type Logger } from './logger.ts';
export { bytesCompare, bytesEqual, bytesToHex, hexToBytes, concatBytes } from './bytes.ts';
export { Crc64, crc64 } from './crc64.ts';
