/**
 * Hashing one batch of files — the loop shared by the pool's worker threads and its
 * main-thread lane. Files up to one chunk are read synchronously into a reused buffer
 * (open, one read, close: the fewest steps per small file); larger files are streamed
 * with overlapped double-buffered reads.
 */
import { digestChunks } from '../digest.ts';
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

/** Hashes one file of a batch; failures become outcomes, not exceptions. */
export async function hashOne(absPath: string, listedSize: number, ctx: BatchContext): Promise<HashOutcome> {
  try {
    if (listedSize <= ctx.buffers.a.length) {
      const d = hashFileSync(absPath, ctx.buffers.a, listedSize);
      ctx.count(d.size);
      return { ok: true, ...d };
    }
    const handle = await open(absPath, 'r');
    try {
      const d = await digestChunks(readChunks(handle, ctx.buffers), nodeSha256, ctx.count, ctx.signal);
      return { ok: true, ...d };
    } finally {
      await handle.close();
    }
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
    outcomes.push(await hashOne(f.absPath, f.size, ctx));
    await ctx.between?.();
  }
  return outcomes;
}
