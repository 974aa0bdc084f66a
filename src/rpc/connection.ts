/**
 * What every connection that carries notifications (WebSocket, IPC) does
 * alike: serialise a notification, run its close hooks exactly once however
 * it ended, count the calls in flight. A transport supplies only `send`.
 */
import { logger } from '../util/log.js';
import type { RpcConnection } from './registry.js';

const log = logger('rpc');

export abstract class StreamConnection implements RpcConnection {
  private done = false;
  private readonly closers = new Set<() => void>();
  inFlight = 0;

  /** For log lines: 'WebSocket', 'IPC'. */
  protected abstract readonly kind: string;

  /** Writes one serialised message; a no-op once closed. */
  abstract send(text: string): void;

  get closed(): boolean {
    return this.done;
  }

  notify(method: string, params: unknown): void {
    if (this.done) return;
    let text: string;
    try {
      text = JSON.stringify({ jsonrpc: '2.0', method, params });
    } catch (e) {
      log.error('RPC notification not serialisable', { method, err: e as Error });
      return;
    }
    this.send(text);
  }

  onClose(fn: () => void): () => void {
    if (this.done) {
      fn();
      return () => {};
    }
    const own = () => fn();
    this.closers.add(own);
    return () => void this.closers.delete(own);
  }

  /** Runs the close hooks once, whichever way the connection ended. */
  shutdown(): void {
    if (this.done) return;
    this.done = true;
    const fns = [...this.closers];
    this.closers.clear();
    for (const fn of fns) {
      try {
        fn();
      } catch (e) {
        log.error(`${this.kind} close hook failed`, { err: e as Error });
      }
    }
  }
}
