/**
 * The process logger: pino JSON lines. Secrets and image data never reach a log line (DESIGN §6, §9):
 * values under secret-looking keys are replaced, and long base64 strings or data URIs are replaced by
 * their length, wherever they appear in the logged object.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config.js';

export type { Logger } from 'pino';

const secretKey = /^(authorization|api[-_]?key|apikey|key|token|secret|password|cookie|set-cookie|x-api-key)$/i;
const base64Like = /^[A-Za-z0-9+/=_-]+$/;
/** Strings at least this long that look like base64 are image data (or keys), never log material. */
const MAX_PLAIN_BASE64 = 128;

/** Replaces secrets and image data in a value about to be logged. Returns the same object when clean. */
export function scrubForLog(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    if (value.startsWith('data:') && value.includes(';base64,')) return `[data URI, ${value.length} chars]`;
    if (value.length >= MAX_PLAIN_BASE64 && base64Like.test(value)) return `[base64, ${value.length} chars]`;
    return value;
  }
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((item) => scrubForLog(item, depth + 1));
  if (value instanceof Error) return value;
  // Copied only when something must change: a call's log line is clean, and is logged as it is.
  let out: Record<string, unknown> | undefined;
  // `for…in` over own keys: neither entries (a pair per member) nor Object.keys (an array per line);
  // a call's line has ~10 members and is scrubbed on every call.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const child = (value as Record<string, unknown>)[key];
    const clean = isSecretKey(key) ? '[redacted]' : scrubForLog(child, depth + 1);
    if (clean === child) continue;
    out ??= { ...value };
    out[key] = clean;
  }
  return out ?? value;
}

/** Key names seen, and whether they are secret-looking (log lines reuse a few dozen names). */
const secretKeys = new Map<string, boolean>();

function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = secretKey.test(key);
    if (secretKeys.size < 1000) secretKeys.set(key, secret);
  }
  return secret;
}

/** Lines are written in batches of about this many bytes (a dozen call lines), not one write per line:
 *  a write to stdout cost ~30 µs of gateway CPU per call under load (issue 15 profile). */
const LOG_BUFFER_BYTES = 4096;
/** …and at least this often, so a quiet gateway's lines appear within a fraction of a second. pino
 *  writes what is left synchronously when the process exits (also after an uncaught error). */
const LOG_FLUSH_MS = 200;

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  readonly destination?: DestinationStream;
  /** Extra fields on every line (trace correlation is added here by the telemetry setup). */
  readonly mixin?: () => Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'seedream-gateway' },
      formatters: { log: (object) => scrubForLog(object) as Record<string, unknown> },
      ...(options.mixin && { mixin: options.mixin }),
    },
    // stdout written asynchronously: pino's default is one blocking write per line, which costs more
    // CPU than the rest of a URL-mode call (DESIGN §8). Call `flushLogger` before exiting.
    options.destination ?? pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS }),
  );
}

/** Resolves once buffered log lines are written (before process.exit). */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
