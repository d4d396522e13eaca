import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Process-wide structured logger (pino, JSON lines on stderr). `LOG_LEVEL` overrides the
 * level; tests default to `warn` so output stays readable.
 */
export function createLogger(name: string, level?: string): Logger {
  const fallback = process.env['VITEST'] ? 'warn' : 'info';
  return pino({ name, level: level ?? process.env['LOG_LEVEL'] ?? fallback }, pino.destination(2));
}
