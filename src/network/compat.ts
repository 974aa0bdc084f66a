/**
 * Node 20 compatibility for the libp2p stack: some of its transitive packages
 * (it-queue) call Promise.withResolvers, which Node only has from 22. This is
 * the standard polyfill; import it before anything from libp2p.
 */
const P = Promise as unknown as { withResolvers?: () => unknown };
if (!P.withResolvers) {
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((a, b) => {
      resolve = a;
      reject = b;
    });
    return { promise, resolve, reject };
  };
}
export {};
