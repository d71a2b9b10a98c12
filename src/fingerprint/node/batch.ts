/**
 * Hashing one batch of files — the loop shared by the pool's worker threads and its
 * main-thread lane. Files up to one chunk are read synchronously into a reused buffer
 * and hashed in one call (open, read, close: the fewest steps per small file, and no
 * promise per file); larger files are streamed with overlapped double-buffered reads.
 * A file listed without its size is read like a small one; should it fill the buffer,
 * it is handed back (`deferred`) and comes again alone, to be streamed.
 * Each file's manifest leaf is hashed here too, so that the main thread only folds the
 * tree.
 *
 * Imports nothing but Node built-ins and `./digest.ts`: this module is most of the
 * hashing thread's script, and every kilobyte of it is parsed at each thread's start.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { readChunks, type ReadBuffers } from './digest.ts';
import { UNKNOWN_SIZE, type BatchResult, type HashBatch } from './protocol.ts';

const { O_RDONLY } = constants;

/** What a lane needs to hash files: its buffers, and a byte counter for progress. */
export interface BatchContext {
  buffers: ReadBuffers;
  count: (bytes: number) => void;
  /** Checked between files; true stops the batch early (the rest is not hashed). */
  stopped?: () => boolean;
  /** Stops a large file between chunks. */
  signal?: AbortSignal;
  /** Checked between files; true makes the lane yield to the event loop (main thread). */
  shouldYield?: () => boolean;
}

/**
 * One-shot SHA-256 (crypto.hash, Node ≥ 20.12: no Hash object per call) as hex of the
 * first `length` bytes of `buffer`, through a plain Uint8Array view: Buffer's
 * `subarray` goes through its species constructor (two more JavaScript functions per
 * file, which every new hashing thread compiles again).
 */
const sha256Hex: (buffer: Buffer, length: number) => string =
  typeof oneShotHash === 'function'
    ? (buffer, length) => oneShotHash('sha256', new Uint8Array(buffer.buffer, buffer.byteOffset, length), 'hex')
    : (buffer, length) => createHash('sha256').update(buffer.subarray(0, length)).digest('hex');
/**
 * One-shot SHA-256 written into `out` at `offset`. crypto.hash answers a latin1 ('binary') string
 * (one byte per character) several times faster than a Buffer, which it allocates
 * outside the V8 heap; its 32 characters are copied byte by byte (cheaper than
 * `Buffer.write` and its encoding dispatch for 32 bytes).
 */
const sha256Into: (data: string, out: Uint8Array, offset: number) => void =
  typeof oneShotHash === 'function'
    ? (data, out, offset) => {
        const digest = oneShotHash('sha256', data, 'binary');
        for (let k = 0; k < 32; k++) out[offset + k] = digest.charCodeAt(k);
      }
    : (data, out, offset) => out.set(createHash('sha256').update(data).digest(), offset);

/**
 * The text of a manifest leaf: RFC 8785 (JCS) `{"path":…,"sha256":…,"size":…}` — keys
 * in code-unit order, the string as ECMAScript `JSON.stringify` writes it (RFC 8785
 * §3.2.2.2), the size an integer (§3.2.2.3) — prefixed with the RFC 6962 leaf byte 0x00
 * (a NUL character is that one byte in UTF-8). The same bytes as `encodeLeaf` of
 * `../leaf.ts` (tests/fingerprint/node.test.ts compares them) for a canonical path,
 * a lowercase hex digest and a safe integer size, which is all a hashing lane sees.
 */
export function leafInput(path: string, sha256: string, size: number): string {
  return `\u0000{"path":${JSON.stringify(path)},"sha256":"${sha256}","size":${size}}`;
}

/** Writes the RFC 6962 leaf hash of a manifest entry (32 bytes) into `out` at `offset`. */
export function writeLeafHash(out: Uint8Array, offset: number, path: string, sha256: string, size: number): void {
  sha256Into(leafInput(path, sha256, size), out, offset);
}

/** The RFC 6962 leaf hash of a manifest entry (32 bytes). */
export function entryLeafHash(path: string, sha256: string, size: number): Buffer {
  const out = Buffer.allocUnsafe(32);
  writeLeafHash(out, 0, path, sha256, size);
  return out;
}

/** SHA-256 (hex) and size of a large file, streamed with overlapped reads. */
async function hashLarge(absPath: string, ctx: BatchContext): Promise<{ sha256: string; size: number }> {
  const handle = await open(absPath, 'r');
  try {
    const h = createHash('sha256');
    let size = 0;
    for await (const chunk of readChunks(handle, ctx.buffers)) {
      ctx.signal?.throwIfAborted();
      h.update(chunk);
      size += chunk.length;
      ctx.count(chunk.length);
    }
    return { sha256: h.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

function reason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

/** Records file `i` as failed: no digest, size -1, the reason in `errors` (whatever was appended for it before goes). */
function recordFailure(out: BatchResult, i: number, err: unknown): void {
  out.sha256.length = i;
  out.sizes.length = i;
  out.sha256.push('');
  out.sizes.push(-1);
  (out.errors ??= [])[i] = reason(err);
}

/** True when file `i` of the batch is streamed (listed larger than the read buffer, or handed back as large) rather than read at once. */
function streamed(batch: HashBatch, i: number, buffer: Buffer): boolean {
  return batch.stream === true || batch.sizes[i]! > buffer.length;
}

/**
 * Hashes the batch's files from `from` on while they are small — synchronously, one
 * tight loop with no promise — and stops at the end of the batch, at a file to be
 * streamed, or after a file when the lane must stop or yield. Returns the index of the
 * first file not done. Kept apart from the asynchronous {@link hashBatch}: this loop is
 * what every new hashing thread optimises, and a small synchronous function is
 * optimised sooner and at a fraction of the cost of an async function's state machine.
 * Each file is read and hashed in this one function (open, one read, a read of 0 bytes
 * at the end unless a short read reached the listed size, close): with the file's steps
 * in a function of their own, every new thread compiled both (~40 ms of a compiler
 * thread per run in `--trace-opt`, against ~20 ms now).
 *
 * A file listed without its size that fills the buffer is handed back (`deferred`) to be
 * streamed alone; one listed as small that has grown past the buffer is read on here
 * (its size then differs from the listing, which the pool reports).
 */
function hashSmallFiles(batch: HashBatch, from: number, ctx: BatchContext, out: BatchResult): number {
  const n = batch.absPaths.length;
  const buffer = ctx.buffers.a;
  const { sha256, sizes, leaves } = out;
  // the bytes of small files are counted once per call, not per file
  let bytes = 0;
  let i = from;
  for (; i < n; i++) {
    if (streamed(batch, i, buffer)) break;
    const expectedSize = batch.sizes[i]!;
    let fd = -1;
    try {
      fd = openSync(batch.absPaths[i]!, O_RDONLY);
      let size = readSync(fd, buffer, 0, buffer.length, null);
      // The end of the file: a short read that reaches the listed size, or else a read of 0 bytes.
      let end = size < buffer.length && expectedSize !== UNKNOWN_SIZE && size >= expectedSize;
      while (!end && size < buffer.length) {
        const more = readSync(fd, buffer, size, buffer.length - size, null);
        if (more === 0) end = true;
        else size += more;
      }
      let digest: string | undefined;
      if (end) {
        digest = sha256Hex(buffer, size);
      } else if (expectedSize !== UNKNOWN_SIZE) {
        // Listed as small but larger now: read on (its size then differs from the listing).
        const h = createHash('sha256');
        h.update(buffer.subarray(0, size));
        for (;;) {
          const more = readSync(fd, buffer, 0, buffer.length, null);
          if (more === 0) break;
          h.update(buffer.subarray(0, more));
          size += more;
        }
        digest = h.digest('hex');
      }
      if (digest !== undefined) {
        sha256.push(digest);
        sizes.push(size);
        bytes += size;
        writeLeafHash(leaves, i * 32, batch.paths[i]!, digest, size);
      } else {
        // No listed size and it fills the buffer: a large file, handed back to be streamed alone.
        sha256.push('');
        sizes.push(UNKNOWN_SIZE);
        (out.deferred ??= [])[i] = true;
      }
      const closing = fd;
      fd = -1;
      closeSync(closing);
    } catch (err) {
      if (fd >= 0) {
        try {
          closeSync(fd);
        } catch {
          // the read's error is the one reported
        }
      }
      recordFailure(out, i, err); // also drops a digest appended before a close that failed
    }
    if (ctx.stopped?.() === true || ctx.shouldYield?.() === true) {
      i++;
      break;
    }
  }
  if (bytes > 0) ctx.count(bytes);
  return i;
}

/**
 * Hashes the files of a batch in order: digests, sizes and leaf hashes; failures become
 * entries of `errors`, not exceptions. A promise per batch (and per large file or
 * yield), not per file.
 */
export async function hashBatch(batch: HashBatch, ctx: BatchContext): Promise<BatchResult> {
  const n = batch.absPaths.length;
  // The digests' array starts as an array of strings (an empty literal would start as
  // small integers and change kind at its first digest, which deoptimises the loop once
  // in every new hashing thread) — the ledger's objectArray(), written here because this
  // module, the hashing thread's script, imports nothing but Node built-ins.
  const sha256 = [''];
  sha256.length = 0;
  const out: BatchResult = { sha256, sizes: [], leaves: new Uint8Array(n * 32) };
  let i = 0;
  while (i < n && ctx.stopped?.() !== true) {
    const next = hashSmallFiles(batch, i, ctx, out);
    if (next > i) {
      i = next;
      // it stopped before a small file: the lane yields (or stops)
      if (i < n && !streamed(batch, i, ctx.buffers.a)) await new Promise<void>((r) => setImmediate(r));
      continue;
    }
    // a file to stream (large, or handed back as such)
    try {
      const d = await hashLarge(batch.absPaths[i]!, ctx);
      out.sha256.push(d.sha256);
      out.sizes.push(d.size);
      writeLeafHash(out.leaves, i * 32, batch.paths[i]!, d.sha256, d.size);
    } catch (err) {
      recordFailure(out, i, err);
    }
    i++;
    if (ctx.shouldYield?.() === true) await new Promise<void>((r) => setImmediate(r));
  }
  return out;
}
