/**
 * Lists the files of a dataset on a file system: a regular file, or a directory walked
 * depth-first with each directory's entries sorted (a directory's key being its name
 * and `/`), so that files come out in manifest order — ascending UTF-8 bytes of their
 * paths — and the caller can fold the Merkle tree as digests arrive, with no sort at
 * the end. Symbolic links and special files (FIFOs, sockets, devices) are reported
 * and not followed by default; with `followSymlinks`, a link to a directory that is its
 * own ancestor (a loop) is reported and skipped. Names become canonical dataset paths
 * (NFC, POSIX, relative); a name that is not valid UTF-8 is an error.
 */
import { lstatSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve, sep } from 'node:path';
import { FingerprintError } from '../errors.ts';
import type { ExcludeMatcher } from '../glob.ts';
import { comparePaths, joinPath, normalizeName } from '../path.ts';
import { DatasetIoError } from './errors.ts';
import { UNKNOWN_SIZE } from './protocol.ts';
import { objectArray } from '../../ledger/index.ts';

export { UNKNOWN_SIZE };

/**
 * A file to hash: canonical dataset path, path on disk, size when listed — or
 * {@link UNKNOWN_SIZE} when the listing did not stat it (`statFiles: false`).
 */
export interface ListedFile {
  path: string;
  absPath: string;
  size: number;
}


/** Why a directory entry is not in the manifest. */
export type SkipReason = 'symlink' | 'broken_symlink' | 'symlink_loop' | 'fifo' | 'socket' | 'block_device' | 'char_device' | 'other';

/** A directory entry that was reported and left out. */
export interface SkippedEntry {
  path: string;
  reason: SkipReason;
}

export interface WalkOptions {
  exclude?: ExcludeMatcher;
  /** Follow symbolic links (loops are detected and skipped). Default false. */
  followSymlinks?: boolean;
  /**
   * Take each regular file's size while listing (default true): a stat per file, which
   * the progress display needs for its byte totals. Without it a regular file (known
   * from its directory entry) is listed with {@link UNKNOWN_SIZE}, and the hashing
   * thread that opens it learns its size by reading it — one path lookup per file
   * instead of two, and none on the listing thread. Symbolic links (when followed) and
   * a file root are stat-ed either way.
   */
  statFiles?: boolean;
  /** Absolute paths never to list (the manifest being written, if inside the dataset). */
  ignoreAbsolute?: ReadonlySet<string>;
  onSkip?: (entry: SkippedEntry) => void;
  /** Called now and then while listing (files and bytes found so far). */
  onListed?: (files: number, bytes: number) => void;
  /**
   * Called with the files found so far, before each directory is listed and at the end
   * (in listing order; the concatenation is the result's `files`), so that hashing can
   * start before the listing ends. A file root is one call with its one file.
   */
  onFiles?: (files: ListedFile[]) => void;
  signal?: AbortSignal;
}

export interface WalkResult {
  kind: 'file' | 'directory';
  files: ListedFile[];
  /** Number of files and directories left out by `exclude`. */
  excluded: number;
  skipped: SkippedEntry[];
  /**
   * True when `files` is in manifest order: strictly ascending by the UTF-8 bytes of
   * the paths (no two equal). False only when a directory holds two names that are
   * equal after NFC; the caller must then sort (and find duplicates) itself.
   */
  ordered: boolean;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function ioError(err: unknown, path: string): DatasetIoError {
  const code = (err as { code?: unknown }).code;
  const why = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  return new DatasetIoError('read_failed', `cannot read ${JSON.stringify(path)}: ${why}`, path);
}

function specialReason(s: Stats | Dirent): SkipReason {
  if (s.isFIFO()) return 'fifo';
  if (s.isSocket()) return 'socket';
  if (s.isBlockDevice()) return 'block_device';
  if (s.isCharacterDevice()) return 'char_device';
  return 'other';
}

function decodeName(raw: Buffer, parent: string): string {
  let name: string;
  try {
    name = utf8Strict.decode(raw);
  } catch {
    const shown = joinPath(parent, raw.toString('utf8'));
    throw new FingerprintError('path_unrepresentable', `name is not valid UTF-8: ${JSON.stringify(shown)}`);
  }
  return name;
}

interface DirTask {
  abs: string;
  rel: string;
  /** Its own name (NFC), '' for the root. */
  name: string;
  /** dev:ino of this directory and its ancestors (only tracked when following links). */
  ancestors: readonly string[];
}

/** An entry of a listed directory: a file, or a subdirectory still to be listed. */
interface FrameItem {
  /** The name, with `/` appended for a directory: sibling keys sort like the paths below them. */
  key: string;
  file?: ListedFile;
  dir?: DirTask;
}

/** A listed directory of the walk's stack, its entries sorted, `next` the one to visit. */
interface Frame {
  items: FrameItem[];
  next: number;
}

/**
 * Lists the dataset at `root`. A root that is a symbolic link is followed (the user
 * named it). A file root yields one entry named by its base name.
 * @throws DatasetIoError `dataset_not_found`, `not_file_or_directory`, `read_failed`;
 *   FingerprintError `path_*` for a name that cannot be a dataset path.
 */
export async function walkDataset(root: string, opts: WalkOptions = {}): Promise<WalkResult> {
  const rootAbs = resolve(root);
  let rootStat: Stats;
  try {
    rootStat = await stat(rootAbs);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') throw new DatasetIoError('dataset_not_found', `no such file or directory: ${root}`, root);
    throw ioError(err, root);
  }
  const skipped: SkippedEntry[] = [];
  const skip = (entry: SkippedEntry): void => {
    skipped.push(entry);
    opts.onSkip?.(entry);
  };
  if (rootStat.isFile()) {
    const name = normalizeName(basename(rootAbs));
    const files = [{ path: name, absPath: rootAbs, size: rootStat.size }];
    opts.onFiles?.(files.slice());
    return { kind: 'file', files, excluded: 0, skipped, ordered: true };
  }
  if (!rootStat.isDirectory()) throw new DatasetIoError('not_file_or_directory', `not a regular file or directory: ${root}`, root);

  const walk = new DirectoryWalk(opts, skip);
  await walk.run({ abs: rootAbs, rel: '', name: '', ancestors: walk.follow ? [`${rootStat.dev}:${rootStat.ino}`] : [] });
  return { kind: 'directory', files: walk.files, excluded: walk.excluded, skipped, ordered: walk.ordered };
}

/**
 * The listing of a directory tree. A class rather than closures made per walk: its
 * methods are optimised once per process, where closures made anew by every walk were
 * compiled again (a closure's optimised code is specialised to the context it was made
 * in) — the largest of them took 40 ms of a compiler thread in a later fingerprint of
 * the same process.
 */
class DirectoryWalk {
  readonly files: ListedFile[] = objectArray();
  bytes = 0;
  excluded = 0;
  ordered = true;
  readonly follow: boolean;
  readonly statFiles: boolean;
  lastReport = 0;
  /** The first yield comes after the first directory. */
  sinceYield = 15;
  /** Files listed since the last handed to `onFiles`. */
  found: ListedFile[] = objectArray();

  constructor(
    readonly opts: WalkOptions,
    readonly skip: (entry: SkippedEntry) => void,
  ) {
    this.follow = opts.followSymlinks === true;
    this.statFiles = opts.statFiles !== false;
  }

  /**
   * Adds a listed file. Progress is reported by {@link report} between directories, not
   * from here: this runs for every file, and a call of the caller's listener from it
   * (another function in every run) threw its optimised code away in the next run.
   */
  addFile(file: ListedFile): void {
    this.files.push(file);
    if (this.opts.onFiles) this.found.push(file);
    if (file.size > 0) this.bytes += file.size;
  }

  /** Reports progress once at least 1,000 more files have been listed since the last report. */
  report(): void {
    if (this.files.length - this.lastReport < 1000) return;
    this.lastReport = this.files.length;
    this.opts.onListed?.(this.files.length, this.bytes);
  }

  /**
   * Lists one directory: its files (stat-ed) and subdirectories, in the order of their
   * sort keys (the name, plus `/` for a directory), which makes a depth-first walk emit
   * files in manifest order. Two entries with one key (names equal after NFC) clear
   * `ordered`.
   */
  listDirectory(dir: DirTask): Frame {
    const { opts, follow, statFiles, skip } = this;
    let dirents: Dirent[];
    try {
      dirents = readdirSync(dir.abs, { withFileTypes: true });
      // Names come decoded as UTF-8 with U+FFFD for invalid bytes. Only when a U+FFFD
      // shows up are the raw bytes read again, to tell a real U+FFFD from a name that
      // is not UTF-8 (cheaper than a Buffer per name for every directory).
      if (dirents.some((d) => d.name.includes('\uFFFD'))) {
        for (const d of readdirSync(dir.abs, { withFileTypes: true, encoding: 'buffer' }) as Dirent<Buffer>[]) decodeName(d.name, dir.rel);
      }
    } catch (err) {
      if (err instanceof FingerprintError) throw err;
      throw ioError(err, dir.rel === '' ? '.' : dir.rel);
    }
    const items: FrameItem[] = [];
    const subdirs: DirTask[] = [];
    for (const d of dirents) {
      const rawName = d.name;
      let name: string;
      try {
        name = normalizeName(rawName);
      } catch (err) {
        if (err instanceof FingerprintError) {
          throw new FingerprintError(err.code, `${err.message}: ${JSON.stringify(joinPath(dir.rel, rawName))}`);
        }
        throw err;
      }
      const rel = joinPath(dir.rel, name);
      const abs = dir.abs.endsWith(sep) ? dir.abs + rawName : dir.abs + sep + rawName;
      if (opts.ignoreAbsolute?.has(abs)) continue;
      if (opts.exclude?.excludes(rel)) {
        this.excluded++;
        continue;
      }
      if (d.isDirectory()) {
        subdirs.push({ abs, rel, name, ancestors: dir.ancestors });
        continue;
      }
      if (d.isSymbolicLink() && !follow) {
        skip({ path: rel, reason: 'symlink' });
        continue;
      }
      if (!d.isFile() && !d.isSymbolicLink()) {
        skip({ path: rel, reason: specialReason(d) });
        continue;
      }
      if (!statFiles && d.isFile()) {
        items.push({ key: name, file: { path: rel, absPath: abs, size: UNKNOWN_SIZE } });
        continue;
      }
      // Synchronous stat: a few microseconds each, far cheaper than a promise per file.
      let s: Stats | undefined;
      try {
        s = d.isSymbolicLink() ? statSync(abs, { throwIfNoEntry: false }) : lstatSync(abs);
      } catch (err) {
        if (d.isSymbolicLink() && (err as { code?: unknown }).code === 'ELOOP') {
          skip({ path: rel, reason: 'symlink_loop' });
          continue;
        }
        throw ioError(err, rel);
      }
      if (s === undefined) skip({ path: rel, reason: 'broken_symlink' });
      else if (s.isFile()) items.push({ key: name, file: { path: rel, absPath: abs, size: s.size } });
      else if (s.isDirectory()) subdirs.push({ abs, rel, name, ancestors: dir.ancestors });
      else skip({ path: rel, reason: specialReason(s) });
    }
    for (const sub of subdirs) {
      if (follow) {
        // Every directory's identity joins its own ancestor chain (needed to spot links back up).
        let s: Stats;
        try {
          s = statSync(sub.abs);
        } catch (err) {
          throw ioError(err, sub.rel);
        }
        const id = `${s.dev}:${s.ino}`;
        if (sub.ancestors.includes(id)) {
          skip({ path: sub.rel, reason: 'symlink_loop' });
          continue;
        }
        sub.ancestors = [...sub.ancestors, id];
      }
      items.push({ key: `${sub.name}/`, dir: sub });
    }
    items.sort((a, b) => comparePaths(a.key, b.key));
    for (let i = 1; i < items.length; i++) if (items[i - 1]!.key === items[i]!.key) this.ordered = false;
    return { items, next: 0 };
  }

  /** Adds the frame's files up to its next subdirectory, which it returns (undefined at the frame's end). */
  filesUntilDirectory(frame: Frame): DirTask | undefined {
    for (;;) {
      const item = frame.items[frame.next++];
      if (item === undefined) return undefined;
      if (item.file === undefined) return item.dir;
      this.addFile(item.file);
    }
  }

  /** Walks the tree under `root` depth first. */
  async run(root: DirTask): Promise<void> {
    const { opts } = this;
    const stack: Frame[] = [this.listDirectory(root)];
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      const dir = this.filesUntilDirectory(top);
      this.report();
      if (dir === undefined) {
        stack.pop();
        continue;
      }
      // A subdirectory: the files found so far go to the hashing threads first.
      if (this.found.length > 0) {
        const batch = this.found;
        this.found = objectArray();
        opts.onFiles!(batch);
      }
      // Let signals (Ctrl-C), progress output and the hashing threads' results through
      // between directories (right after the first one: the threads are starting).
      if (++this.sinceYield >= 16) {
        this.sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
      }
      opts.signal?.throwIfAborted();
      stack.push(this.listDirectory(dir));
    }
    if (this.found.length > 0) opts.onFiles!(this.found);
    opts.onListed?.(this.files.length, this.bytes);
  }
}
