/**
 * V8 flags every `gtos` process runs with. A 64 MB semi-space lets the
 * short-lived objects of block processing (decoded txs, trie paths,
 * encodings) die young instead of being promoted and collected by the
 * major GC: measured +11 % import throughput over 120 blocks of 1k
 * transfers, where the state keeps growing (3,488–3,586 vs 3,122–3,242
 * tx/s, 2 cores); no change on 3 blocks of 10k (4,657–4,714 vs 4,630–4,713
 * tx/s serial). It must be given on the
 * command line: set at runtime (v8.setFlagsFromString) it had no effect.
 * The shebang of gtos.js and the npm scripts carry the same flag.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
