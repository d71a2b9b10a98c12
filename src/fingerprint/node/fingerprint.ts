/**
 * Fingerprints a dataset on a file system (DESIGN §4): list it, check every path, hash
 * every file on the thread pool, build the manifest. Memory is flat in the dataset's
 * bytes (two read buffers per thread) and linear in its number of files (the manifest).
 */
import { nodeRfc6962 } from '../../ledger/node-hasher.ts';
import { FingerprintError } from '../errors.ts';
import { compileExcludes } from '../glob.ts';
import { ManifestBuilder, type Manifest } from '../manifest.ts';
import { fromHex } from '../../ledger/bytes.ts';
import { comparePaths } from '../path.ts';
import { DatasetIoError } from './errors.ts';
import { HashPool, type HashedFile } from './pool.ts';
import { walkDataset, type SkippedEntry } from './walk.ts';

/** Progress of a run: listing, then hashing. */
export type FingerprintProgress =
  | { phase: 'listing'; files: number; bytes: number }
  | { phase: 'hashing'; files: number; bytes: number; totalFiles: number; totalBytes: number };

export interface FingerprintPathOptions {
  /** `--exclude` globs (see `glob.ts`). */
  exclude?: readonly string[];
  followSymlinks?: boolean;
  /** Absolute paths to leave out (the manifest file itself). */
  ignoreAbsolute?: ReadonlySet<string>;
  threads?: number;
  chunkSize?: number;
  signal?: AbortSignal;
  onSkip?: (entry: SkippedEntry) => void;
  onProgress?: (progress: FingerprintProgress) => void;
}

export interface FingerprintResult {
  manifest: Manifest;
  kind: 'file' | 'directory';
  skipped: SkippedEntry[];
  excluded: number;
}

/**
 * Fingerprints the file or directory at `root`.
 * @throws FingerprintError (`path_*`, `duplicate_path` — e.g. two names equal after NFC),
 *   DatasetIoError (`dataset_not_found`, `not_file_or_directory`, `read_failed`,
 *   `file_changed`, `worker_failed`), or the signal's reason.
 */
export async function fingerprintPath(root: string, opts: FingerprintPathOptions = {}): Promise<FingerprintResult> {
  const pool = new HashPool({ threads: opts.threads, chunkSize: opts.chunkSize });
  try {
    return await fingerprintWith(pool, root, opts);
  } finally {
    await pool.close();
  }
}

async function fingerprintWith(pool: HashPool, root: string, opts: FingerprintPathOptions): Promise<FingerprintResult> {
  const listing = await walkDataset(root, {
    exclude: compileExcludes(opts.exclude ?? []),
    followSymlinks: opts.followSymlinks ?? false,
    ignoreAbsolute: opts.ignoreAbsolute,
    onSkip: opts.onSkip,
    onListed: (files, bytes) => opts.onProgress?.({ phase: 'listing', files, bytes }),
    signal: opts.signal,
  });
  const files = listing.files.sort((a, b) => comparePaths(a.path, b.path));
  // Duplicates (names equal only after NFC) fail before hours of hashing, not after.
  let totalBytes = 0;
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && files[i - 1]!.path === files[i]!.path) {
      throw new FingerprintError('duplicate_path', `two files have the path ${JSON.stringify(files[i]!.path)} after NFC normalisation`);
    }
    totalBytes += files[i]!.size;
  }
  let doneFiles = 0;
  let doneBytes = 0;
  const report = (): void =>
    opts.onProgress?.({ phase: 'hashing', files: doneFiles, bytes: doneBytes, totalFiles: files.length, totalBytes });
  report();
  // The tree is folded while files are still being hashed: results arrive out of order
  // across lanes; each contiguous prefix goes into the builder at once.
  const builder = new ManifestBuilder(nodeRfc6962);
  const ready: (HashedFile | undefined)[] = new Array(files.length);
  let next = 0;
  await pool.hash(files, {
    signal: opts.signal,
    onBytes: (n) => {
      doneBytes += n;
      report();
    },
    onFiles: (n) => {
      doneFiles += n;
      report();
    },
    onResult: (index, result) => {
      ready[index] = result;
      while (next < files.length && ready[next] !== undefined) {
        const r = ready[next]!;
        ready[next] = undefined;
        builder.add({ path: files[next]!.path, size: r.size, sha256: r.sha256 }, fromHex(r.leaf));
        next++;
      }
    },
  });
  if (builder.files !== files.length) throw new DatasetIoError('worker_failed', 'hashing ended with files missing');
  return { manifest: builder.finish(), kind: listing.kind, skipped: listing.skipped, excluded: listing.excluded };
}
