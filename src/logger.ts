/**
 * The broker's logger (pino, JSON lines on stdout). The level comes from `log.level` in the broker
 * config, else BROOK_LOG_LEVEL / LOG_LEVEL; under vitest it defaults to silent so tests stay quiet.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function defaultLogLevel(env: Record<string, string | undefined> = process.env): string {
  return env.BROOK_LOG_LEVEL ?? env.LOG_LEVEL ?? (env.VITEST ? 'silent' : 'info');
}

export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const options = { name: opts.name ?? 'brook', level: opts.level ?? defaultLogLevel() };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything (tests, embedded users who pass nothing). */
export const silentLogger: Logger = pino({ level: 'silent' });
