/**
 * The newest checkpoint the log's signer signed, in a file beside the log key
 * (the rollback guard's record, outside the database; `publisher.ts`).
 *
 * A write is atomic and durable: the note goes to a temporary file in the same
 * directory, which is fsync'd, renamed over the old file, and the directory is
 * fsync'd — after a crash the file holds the old note or the new one, whole.
 * The file holds one signed note (C2SP signed-note), the same text that
 * `GET /checkpoint` serves: `datadeed audit --trusted-checkpoint` accepts it.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export class CheckpointFile {
  constructor(readonly file: string) {}

  /** The saved note, or undefined when the file does not exist (nothing signed here yet). */
  async read(): Promise<string | undefined> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Replace the saved note atomically; returns once it is on disk. */
  async write(note: string): Promise<void> {
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(note, 'utf8');
      await fh.sync();
    } catch (err) {
      await fh.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    await rename(tmp, this.file);
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}
