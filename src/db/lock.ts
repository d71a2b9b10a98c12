/**
 * One process per embedded data directory: `<dataDir>.lock` holds the owner's pid,
 * created exclusively; a lock left by a dead process (crash, SIGKILL) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface LockOptions {
  /** The error to throw when a live process holds the lock (`pid`), or when it cannot be taken (`undefined`). */
  busy(pid: number | undefined): Error;
  /** Whether a lock naming this very process is taken over (a re-open in the same process). */
  reclaimOwn?: boolean;
}

/** Takes the lock of `dataDir`; returns the function that releases it. */
export function lockDirectory(dataDir: string, opts: LockOptions): () => void {
  const file = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      let alive = false;
      if (Number.isInteger(pid) && pid > 0 && !(opts.reclaimOwn && pid === process.pid)) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch (e) {
          alive = (e as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      if (alive) throw opts.busy(pid);
      rmSync(file, { force: true });
    }
  }
  throw opts.busy(undefined);
}
