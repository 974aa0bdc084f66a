/**
 * Structured logging with go-ethereum's verbosity levels (0 silent … 5 trace).
 * Lines go to stderr as `LEVEL [time] message key=value …` (or one JSON
 * object a line, `--log.format json`), or are appended to `--log.file`;
 * callers pass context as fields, never secrets (keys and passwords are never logged).
 */
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';

export const LEVELS = { crit: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 } as const;
export type Level = keyof typeof LEVELS;

let verbosity = 3;
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

export function setVerbosity(v: number): void {
  verbosity = v;
}

export function setLogSink(fn: (line: string) => void): void {
  sink = fn;
}

export type LogFormat = 'terminal' | 'json';
let format: LogFormat = 'terminal';

export function setLogFormat(f: LogFormat): void {
  format = f;
}

export class LogFileError extends Error {
  override name = 'LogFileError';
}

let logFd: number | undefined;

/**
 * Appends every line to `path` (created 0600: logs name peers and accounts)
 * instead of stderr, as geth's --log.file. Written synchronously so the lines
 * before a crash are on disk and lines of concurrent tasks never interleave.
 */
export function setLogFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
    fchmodSync(fd, 0o600);
  } catch (e) {
    throw new LogFileError(`cannot open log file ${path}: ${(e as Error).message}`);
  }
  if (logFd !== undefined) closeSync(logFd);
  logFd = fd;
  sink = (line) => {
    try {
      writeSync(fd, line + '\n');
    } catch {
      // A full disk must not take the node down through its logger.
    }
  };
}

function jsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v).toString('hex');
  if (v instanceof Error) return v.message;
  return v;
}

function fmt(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v).toString('hex');
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  return String(v);
}

export class Logger {
  constructor(private readonly module: string) {}

  private log(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] > verbosity) return;
    if (format === 'json') {
      // geth's JSON handler keys: t, lvl, msg, then the context.
      const o: Record<string, unknown> = { t: new Date().toISOString(), lvl: level, msg, module: this.module };
      if (fields) for (const [k, v] of Object.entries(fields)) o[k] = jsonValue(v);
      let text: string;
      try {
        text = JSON.stringify(o);
      } catch {
        text = JSON.stringify({ t: o.t, lvl: level, msg, module: this.module });
      }
      sink(text);
      return;
    }
    const ts = new Date().toISOString().replace('T', '|').slice(0, 23);
    let line = `${level.toUpperCase().padEnd(5)} [${ts}] ${msg.padEnd(36)} module=${this.module}`;
    if (fields) for (const [k, v] of Object.entries(fields)) line += ` ${k}=${fmt(v)}`;
    sink(line);
  }

  error(msg: string, f?: Record<string, unknown>) { this.log('error', msg, f); }
  warn(msg: string, f?: Record<string, unknown>) { this.log('warn', msg, f); }
  info(msg: string, f?: Record<string, unknown>) { this.log('info', msg, f); }
  debug(msg: string, f?: Record<string, unknown>) { this.log('debug', msg, f); }
  trace(msg: string, f?: Record<string, unknown>) { this.log('trace', msg, f); }
}

export function logger(module: string): Logger {
  return new Logger(module);
}
