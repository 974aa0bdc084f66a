/** Messages between the main thread and the state-root worker. */

export type RootRequest =
  | { type: 'root'; id: number; parentRoot: Uint8Array; updates: Uint8Array }
  | { type: 'nodes'; id: number; encodings: Uint8Array };

export type RootResponse =
  | { type: 'ready' }
  | { type: 'need'; id: number; hashes: Uint8Array }
  | { type: 'done'; id: number; root: Uint8Array; nodes: Uint8Array }
  | { type: 'error'; id: number; message: string };

/** What the worker is started with. */
export interface RootThreadData {
  /** Bytes of node encodings the worker caches (the clean-trie share of `--cache`). */
  cachedNodeBytes: number;
}
