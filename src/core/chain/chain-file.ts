/**
 * Chain files (go-ethereum's export format: RLP blocks back to back), read
 * and written with bounded memory. Reading streams the file in chunks and
 * holds at most one block beyond a chunk, so a multi-GB file imports in the
 * memory of its largest block; writing goes to a temp file that is renamed
 * over the target only once every block is written and flushed, so a failed
 * export never leaves a partial file under the real name.
 */
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readBlockStream, BlockDecodeError, type Block } from '../../types/block.js';

/** Largest block a chain file may hold (the body limit of a 30M-gas block is far below). */
export const MAX_FILE_BLOCK = 64 * 1024 * 1024;

export class ChainFileError extends Error {
  override name = 'ChainFileError';
  constructor(message: string, readonly path: string, readonly offset?: number) {
    super(message);
  }
}

/** Names the file-system failure the way a user can act on it. */
export function describeFsError(e: unknown, path: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return `no such file: ${path}`;
    case 'EACCES': case 'EPERM': return `permission denied: ${path}`;
    case 'EROFS': return `read-only file system: ${path}`;
    case 'ENOSPC': return `no space left on device writing ${path}`;
    case 'EISDIR': return `is a directory: ${path}`;
    default: return `${path}: ${(e as Error).message}`;
  }
}

/** Fails early, before anything else is opened, if a file to import cannot be read. */
export async function assertReadable(path: string): Promise<void> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const fh = await open(path, 'r');
    await fh.close();
  } catch (e) {
    throw new ChainFileError(describeFsError(e, path), path);
  }
}

/** Total encoded length of the RLP item at the start of `b`, or undefined when its header is not all there yet. */
function itemLength(b: Uint8Array): number | undefined {
  if (b.length === 0) return undefined;
  const p = b[0]!;
  if (p < 0x80) return 1;
  if (p <= 0xb7) return 1 + (p - 0x80);
  if (p < 0xc0 || p > 0xf7) {
    const ll = p > 0xf7 ? p - 0xf7 : p - 0xb7;
    if (b.length < 1 + ll) return undefined;
    let n = 0;
    for (let i = 0; i < ll; i++) n = n * 256 + b[1 + i]!;
    return 1 + ll + n;
  }
  return 1 + (p - 0xc0);
}

/** Streams the blocks of a chain file in order, with their byte offsets. */
export async function* readChainFile(path: string, chunkSize = 1 << 20): AsyncGenerator<{ block: Block; offset: number }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new ChainFileError(describeFsError(e, path), path);
  }
  try {
    let buf: Uint8Array = new Uint8Array(0);
    let offset = 0; // file offset of buf[0]
    let eof = false;
    for (;;) {
      const len = itemLength(buf);
      if (len !== undefined && len > MAX_FILE_BLOCK) throw new ChainFileError(`block at byte offset ${offset} claims ${len} bytes (more than ${MAX_FILE_BLOCK})`, path, offset);
      if (len !== undefined && buf.length >= len) {
        const { value } = readBlockStream(buf.subarray(0, len)).next();
        if (value) yield { block: value.block, offset };
        buf = buf.subarray(len);
        offset += len;
        continue;
      }
      if (eof) {
        if (buf.length > 0) throw new ChainFileError(`truncated block at byte offset ${offset} (${buf.length} bytes left at the end of the file)`, path, offset);
        return;
      }
      const want = Math.max(chunkSize, (len ?? 0) - buf.length);
      const next = new Uint8Array(buf.length + want);
      next.set(buf, 0);
      const { bytesRead } = await fh.read(next, buf.length, want, null);
      if (bytesRead === 0) eof = true;
      buf = next.subarray(0, buf.length + bytesRead);
    }
  } catch (e) {
    if (e instanceof BlockDecodeError) {
      throw new ChainFileError(`malformed block at byte offset ${(e.offset ?? 0)}: ${(e.cause as Error | undefined)?.message ?? e.message}`, path, e.offset);
    }
    throw e;
  } finally {
    await fh.close();
  }
}

/**
 * Writes encoded blocks to `path` atomically. `encode(i)` returns block i's
 * bytes or throws (the error then names that block); the temp file is removed
 * on any failure.
 */
export async function writeChainFile(path: string, count: number, encode: (i: number) => Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'w', 0o644);
  } catch (e) {
    throw new ChainFileError(describeFsError(e, path), path);
  }
  try {
    const pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const out = fh;
    const flush = async () => {
      if (pendingBytes === 0) return;
      await out.write(Buffer.concat(pending));
      pending.length = 0;
      pendingBytes = 0;
    };
    for (let i = 0; i < count; i++) {
      const bytes = encode(i);
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= 1 << 20) await flush();
    }
    await flush();
    await out.sync();
    await out.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    if ((e as NodeJS.ErrnoException).code) throw new ChainFileError(describeFsError(e, path), path);
    throw e;
  }
}
