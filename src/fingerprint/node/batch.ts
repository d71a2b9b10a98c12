/**
 * Hashing one batch of files — the loop shared by the pool's worker threads and its
 * main-thread lane. Files up to one chunk are read synchronously into a reused buffer
 * (open, one read, close: the fewest steps per small file); larger files are streamed
 * with overlapped double-buffered reads.
 */
import { toHex } from '../../ledger/bytes.ts';
import { nodeRfc6962 } from '../../ledger/node-hasher.ts';
import { digestChunks, type StreamDigest } from '../digest.ts';
import { leafHash } from '../leaf.ts';
import { hashFileSync, nodeSha256, readChunks, type ReadBuffers } from './digest.ts';
import { open } from 'node:fs/promises';
import type { HashBatch, HashOutcome } from './protocol.ts';

/** What a lane needs to hash files: its buffers, and a byte counter for progress. */
export interface BatchContext {
  buffers: ReadBuffers;
  count: (bytes: number) => void;
  /** Checked between files; true stops the batch early (the rest is not hashed). */
  stopped?: () => boolean;
  /** Stops a large file between chunks. */
  signal?: AbortSignal;
  /** Called between files; a lane on the main thread yields to the event loop here. */
  between?: () => Promise<void> | void;
}

/**
 * Hashes one file of a batch, and its manifest leaf (so that the main thread only
 * folds the tree); failures become outcomes, not exceptions.
 */
export async function hashOne(file: HashBatch['files'][number], ctx: BatchContext): Promise<HashOutcome> {
  try {
    let d: StreamDigest;
    if (file.size <= ctx.buffers.a.length) {
      d = hashFileSync(file.absPath, ctx.buffers.a, file.size);
      ctx.count(d.size);
    } else {
      const handle = await open(file.absPath, 'r');
      try {
        d = await digestChunks(readChunks(handle, ctx.buffers), nodeSha256, ctx.count, ctx.signal);
      } finally {
        await handle.close();
      }
    }
    const leaf = toHex(leafHash(nodeRfc6962, { path: file.path, size: d.size, sha256: d.sha256 }));
    return { ok: true, sha256: d.sha256, size: d.size, leaf };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ok: false, error: typeof code === 'string' ? code : err instanceof Error ? err.message : String(err) };
  }
}

/** Hashes the files of a batch in order. */
export async function hashBatch(batch: HashBatch, ctx: BatchContext): Promise<HashOutcome[]> {
  const outcomes: HashOutcome[] = [];
  for (const f of batch.files) {
    if (ctx.stopped?.()) break;
    outcomes.push(await hashOne(f, ctx));
    await ctx.between?.();
  }
  return outcomes;
}
