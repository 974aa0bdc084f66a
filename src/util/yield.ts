/**
 * Lets the event loop run I/O callbacks (RPC requests, worker answers, peer
 * messages) between the long synchronous steps of block work. A resolved
 * promise is not enough: it yields to microtasks only, never to I/O.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise<void>((r) => setImmediate(r));
