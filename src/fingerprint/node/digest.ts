/**
 * Node's side of the streaming SHA-256 abstraction: node:crypto (OpenSSL, with SHA
 * extensions ~2 GB/s) and file reading with large, reused, double buffers, so that
 * reading chunk k+1 (libuv thread pool) overlaps hashing chunk k (this thread).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { digestChunks, type Sha256Factory, type StreamDigest } from '../digest.ts';

/** Default read size: 4 MiB (node:crypto reaches its full speed from 1–4 MiB chunks). */
export const DEFAULT_CHUNK_SIZE = 4 << 20;

/** node:crypto SHA-256 as a {@link Sha256Factory}. */
export const nodeSha256: Sha256Factory = () => {
  const h = createHash('sha256');
  return {
    update(chunk: Uint8Array): void {
      h.update(chunk);
    },
    digest(): Uint8Array {
      return new Uint8Array(h.digest());
    },
  };
};

/** Two reusable read buffers of one size. */
export interface ReadBuffers {
  a: Buffer;
  b: Buffer;
}

/** Allocates the double buffer of {@link readChunks}. */
export function allocReadBuffers(chunkSize: number = DEFAULT_CHUNK_SIZE): ReadBuffers {
  return { a: Buffer.allocUnsafe(chunkSize), b: Buffer.allocUnsafe(chunkSize) };
}

/**
 * Reads a file from its start to EOF in chunks, always one read ahead: while the
 * consumer works on the chunk just yielded, the next read into the other buffer is in
 * flight. A yielded chunk is valid until the consumer asks for the next one
 * ({@link digestChunks} hashes before asking).
 */
export async function* readChunks(handle: FileHandle, buffers: ReadBuffers): AsyncGenerator<Uint8Array> {
  let current = buffers.a;
  let spare = buffers.b;
  let pending = handle.read(current, 0, current.length, null);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      const chunk = current;
      pending = handle.read(spare, 0, spare.length, null);
      current = spare;
      spare = chunk;
      yield chunk.subarray(0, bytesRead);
    }
  } finally {
    // A consumer that stops early (abort, error) leaves one read in flight: let it land
    // before the caller closes the handle or reuses the buffers.
    await pending.catch(() => undefined);
  }
}

/**
 * SHA-256 and size of a file, streamed with overlapped reads into `buffers`
 * (allocated per call when omitted). Memory: two chunks.
 */
export async function hashFile(
  path: string,
  opts: { buffers?: ReadBuffers; onBytes?: (n: number) => void; signal?: AbortSignal } = {},
): Promise<StreamDigest> {
  const handle = await open(path, 'r');
  try {
    return await digestChunks(readChunks(handle, opts.buffers ?? allocReadBuffers()), nodeSha256, opts.onBytes, opts.signal);
  } finally {
    await handle.close();
  }
}

/**
 * SHA-256 and size of a (small) file with synchronous reads into `buffer`: the cheapest
 * path per file — open, read until EOF, close — for a hashing thread with many small files.
 * With `expectedSize` (the size when listed), a short read that reaches it ends the loop
 * without a final zero-length read.
 */
export function hashFileSync(path: string, buffer: Buffer, expectedSize?: number): StreamDigest {
  const fd = openSync(path, 'r');
  try {
    const h = createHash('sha256');
    let size = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      h.update(buffer.subarray(0, n));
      size += n;
      // A short read that reaches the listed size is the end of a regular file: a file
      // smaller than the buffer costs one read, not two. (A file that grew is still
      // read past the listed size, and its size then differs from the listing.)
      if (n < buffer.length && expectedSize !== undefined && size >= expectedSize) break;
    }
    return { sha256: h.digest('hex'), size };
  } finally {
    closeSync(fd);
  }
}
