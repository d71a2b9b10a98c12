/**
 * Writes a manifest atomically: into a temporary file beside the target (same file
 * system), flushed to disk, then renamed over the target. A reader sees the old file or
 * the complete new one, never a partial manifest; an interrupted run removes its
 * temporary file.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { manifestChunks, type Manifest } from '../manifest.ts';
import { DatasetIoError } from './errors.ts';

/** Temporary files being written; removed synchronously by {@link removePendingTempFiles}. */
const pending = new Set<string>();

/** Removes every temporary file still being written (for a hard exit on a second Ctrl-C). */
export function removePendingTempFiles(): void {
  for (const p of pending) {
    try {
      unlinkSync(p);
    } catch {
      // already gone
    }
  }
  pending.clear();
}

/**
 * Writes `text` chunks to `target` atomically (temp file + fsync + rename).
 * @throws DatasetIoError `write_failed`, or the signal's reason (the temp file removed).
 */
export async function writeFileAtomic(target: string, chunks: Iterable<string>, signal?: AbortSignal): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  pending.add(temp);
  let done = false;
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      for (const chunk of chunks) {
        signal?.throwIfAborted();
        await handle.write(chunk);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    signal?.throwIfAborted();
    await rename(temp, target);
    done = true;
  } catch (err) {
    if (signal?.aborted && err === signal.reason) throw err;
    const code = (err as { code?: unknown }).code;
    throw new DatasetIoError('write_failed', `cannot write ${target}: ${typeof code === 'string' ? code : String(err)}`, target);
  } finally {
    if (!done) await unlink(temp).catch(() => undefined);
    pending.delete(temp);
  }
}

/** Writes a manifest file atomically ({@link writeFileAtomic}) in the shared format of `manifestChunks`. */
export async function writeManifest(target: string, manifest: Manifest, signal?: AbortSignal): Promise<void> {
  await writeFileAtomic(target, manifestChunks(manifest), signal);
}
