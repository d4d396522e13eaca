/**
 * Expected failures are `DomainError`s with a stable `code`; each protocol maps them to its
 * own error shape in exactly one file (gRPC status / errorpb / KeyError / MySQL ERR).
 */
export type ErrorCode =
  | 'InvalidArgument'
  | 'KeyTooLarge'
  | 'NotImplemented'
  | 'Corruption'
  | 'Closed'
  | 'Timeout'
  | 'ResourceExhausted'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Unavailable'
  | 'Internal';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Persisted bytes that cannot be decoded: the process must stop rather than serve them. */
export class CorruptionError extends DomainError {
  override name = 'CorruptionError';
  constructor(message: string) {
    super('Corruption', message);
  }
}

export function invalidArgument(message: string): DomainError {
  return new DomainError('InvalidArgument', message);
}

export function notImplemented(message: string): DomainError {
  return new DomainError('NotImplemented', message);
}
