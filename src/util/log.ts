/**
 * Structured logging with go-ethereum's verbosity levels (0 silent … 5 trace).
 * Lines go to stderr as `LEVEL [time] message key=value …`; callers pass
 * context as fields, never secrets (keys and passwords are never logged).
 */

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
