/**
 * Fingerprints a dataset on a file system (DESIGN §4): list it, check every path, hash
 * every file on the thread pool, build the manifest. The listing feeds the hashing
 * threads directory by directory, in manifest order (see `walk.ts`), and the tree is
 * folded as the digests come in, so the manifest is ready when the last file is hashed.
 * A listing with names equal after NFC is sorted and checked for duplicates when it
 * ends (a bad dataset fails before hours of hashing, not after). Memory is flat in the
 * dataset's bytes (two read buffers per thread) and linear in its number of files (the
 * manifest).
 */
import { treeHasher } from './tree-hasher.ts';
import { FingerprintError } from '../errors.ts';
import { compileExcludes } from '../glob.ts';
import { ManifestBuilder, type Manifest } from '../manifest.ts';
import { comparePaths } from '../path.ts';
import { DatasetIoError } from './errors.ts';
import { HashPool, type HashSink } from './pool.ts';
import { stat } from 'node:fs/promises';
import { walkDataset, type ListedFile, type SkippedEntry, type WalkResult } from './walk.ts';
import { objectArray } from '../../ledger/index.ts';

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
    // The threads' teardown (~15 ms of CPU each: their V8 heaps) is not waited for: the
    // manifest is ready, and the process stays alive until the threads have exited.
    void pool.close();
  }
}

/**
 * What a run has gathered: the files as listed, their digests, sizes and leaf hashes as
 * they come in, and the manifest folded so far. A class rather than closures made per
 * run: `fold` and `onResult` run for every file, and closures made anew by every run
 * were compiled again in later runs of the same process.
 */
class Gathered implements HashSink {
  readonly files: ListedFile[] = objectArray();
  readonly sha256: string[] = objectArray();
  readonly sizes: number[] = [];
  /** A file's leaf hash: 32 bytes of a batch's buffer, at an offset. */
  readonly leafBuffers: Uint8Array[] = objectArray();
  readonly leafOffsets: number[] = [];
  /** Stand-in leaf buffer of a file not hashed yet. */
  static readonly #noLeaves = new Uint8Array(0);
  listed = false;
  totalBytes = 0;
  doneFiles = 0;
  doneBytes = 0;
  /**
   * The walk lists files in manifest order (unless two names are equal after NFC), so
   * the tree is folded while the threads hash: each digest that extends the run of
   * hashed files from the start goes into the builder at once, and the manifest is
   * ready when the last file is hashed. Should the listing turn out unordered, the
   * entries are sorted at the end instead (`builder` is then abandoned).
   */
  builder: ManifestBuilder | undefined = new ManifestBuilder(treeHasher);
  folded = 0;

  constructor(readonly onProgress: FingerprintPathOptions['onProgress']) {}

  report(): void {
    if (this.listed) this.onProgress?.({ phase: 'hashing', files: this.doneFiles, bytes: this.doneBytes, totalFiles: this.files.length, totalBytes: this.totalBytes });
  }

  fold(): void {
    const builder = this.builder;
    if (builder === undefined) return;
    const { files, sha256, sizes, leafBuffers, leafOffsets } = this;
    let folded = this.folded;
    try {
      while (folded < files.length && sha256[folded] !== '') {
        builder.addHashed(files[folded]!.path, sizes[folded]!, sha256[folded]!, leafBuffers[folded]!, leafOffsets[folded]!);
        folded++;
      }
    } catch {
      this.builder = undefined; // not in order after all: sorted at the end
    }
    this.folded = folded;
  }

  onResult(index: number, digest: string, size: number, leaves: Uint8Array, offset: number): void {
    this.sha256[index] = digest;
    this.sizes[index] = size;
    this.leafBuffers[index] = leaves;
    this.leafOffsets[index] = offset;
  }

  onBytes(n: number): void {
    this.doneBytes += n;
    this.report();
  }

  onFiles(n: number): void {
    this.doneFiles += n;
    this.fold();
    this.report();
  }

  /**
   * Files listed: each gets a place in every array at once (an empty digest until it is
   * hashed), so results, which arrive out of order, are written within the arrays and
   * never leave holes in them.
   */
  onListed(found: readonly ListedFile[]): void {
    for (const f of found) {
      this.files.push(f);
      this.sha256.push('');
      this.sizes.push(-1);
      this.leafBuffers.push(Gathered.#noLeaves);
      this.leafOffsets.push(0);
      if (f.size > 0) this.totalBytes += f.size;
    }
  }
}

async function fingerprintWith(pool: HashPool, root: string, opts: FingerprintPathOptions): Promise<FingerprintResult> {
  const g = new Gathered(opts.onProgress);
  const files = g.files;
  // The walk stops when hashing fails (and hashing when the walk fails).
  const stopWalk = new AbortController();
  const walkSignal = opts.signal ? AbortSignal.any([opts.signal, stopWalk.signal]) : stopWalk.signal;
  const run = pool.run({ signal: opts.signal, sink: g });
  let hashFailure: { err: unknown } | undefined;
  run.done.catch((err: unknown) => {
    hashFailure = { err };
    stopWalk.abort(err);
  });
  if (opts.threads === undefined || opts.threads > 1) {
    // A directory: start the threads while the listing begins (a file needs none).
    const s = await stat(root).catch(() => undefined);
    if (s?.isDirectory()) pool.warm();
  }
  let listing: WalkResult;
  try {
    listing = await walkDataset(root, {
      exclude: compileExcludes(opts.exclude ?? []),
      followSymlinks: opts.followSymlinks ?? false,
      // Sizes at listing time serve only the progress display's byte totals; without
      // it the hashing threads take each size from the file they read.
      statFiles: opts.onProgress !== undefined,
      ignoreAbsolute: opts.ignoreAbsolute,
      onSkip: opts.onSkip,
      onListed: (n, bytes) => opts.onProgress?.({ phase: 'listing', files: n, bytes }),
      onFiles: (found) => {
        g.onListed(found);
        run.push(found);
      },
      signal: walkSignal,
    });
  } catch (err) {
    run.fail(err);
    await run.done.catch(() => undefined);
    throw hashFailure && hashFailure.err !== err && walkSignal.aborted && !opts.signal?.aborted ? hashFailure.err : err;
  }
  run.end();
  g.listed = true;
  let order: number[] | undefined;
  if (!listing.ordered) {
    // Manifest order, and duplicates (names equal only after NFC), while the threads hash.
    g.builder = undefined;
    order = Array.from({ length: files.length }, (_, i) => i).sort((a, b) => comparePaths(files[a]!.path, files[b]!.path));
    for (let k = 1; k < order.length; k++) {
      const f = files[order[k]!]!;
      if (files[order[k - 1]!]!.path === f.path) {
        const err = new FingerprintError('duplicate_path', `two files have the path ${JSON.stringify(f.path)} after NFC normalisation`);
        run.fail(err);
        await run.done.catch(() => undefined);
        throw err;
      }
    }
  }
  g.report();
  await run.done;
  if (g.builder !== undefined) g.fold();
  let builder = g.builder;
  if (builder === undefined || g.folded !== files.length) {
    // Unordered listing (or a fold that failed, which an ordered listing never causes).
    order ??= Array.from({ length: files.length }, (_, i) => i).sort((a, b) => comparePaths(files[a]!.path, files[b]!.path));
    builder = new ManifestBuilder(treeHasher);
    for (const i of order) {
      const digest = g.sha256[i];
      if (!digest) throw new DatasetIoError('worker_failed', 'hashing ended with files missing');
      builder.addHashed(files[i]!.path, g.sizes[i]!, digest, g.leafBuffers[i]!, g.leafOffsets[i]!);
    }
  }
  return { manifest: builder.finish(), kind: listing.kind, skipped: listing.skipped, excluded: listing.excluded };
}
