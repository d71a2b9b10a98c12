/**
 * A fingerprint hashing Web Worker (DESIGN §4, in the browser). One of a pool started
 * by `pool.ts`: it receives tasks — a batch of small files the page has read (their
 * bytes transferred with the message), or one large file, which it reads itself — and
 * answers with their SHA-256 digests; one worker also builds the manifest at the end,
 * with the same core as the CLI. Nothing is sent anywhere: the only output is messages
 * to the page.
 *
 * SHA-256 engines: hash-wasm's WebAssembly SHA-256 (inlined in this script, compiled
 * with `WebAssembly.compile`, so a Content-Security-Policy must allow
 * `'wasm-unsafe-eval'` for this script) streams large files; WebCrypto's native digest
 * hashes whole buffers. Where WebAssembly cannot be compiled (a policy without
 * `'wasm-unsafe-eval'`, or no WebAssembly) the worker streams with @noble/hashes
 * instead — slower, same digests — and says so in its replies (`engine`).
 *
 * Tasks are handled one after the other, in the order received (the pool keeps a
 * second task queued so the worker never waits for a round trip).
 */
import { createSHA256 } from 'hash-wasm';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { FingerprintError } from '../errors.ts';
import { encodeLeaf } from '../leaf.ts';
import { ManifestBuilder, type Manifest } from '../manifest.ts';
import { comparePaths } from '../path.ts';
import { toHex } from '../../ledger/index.ts';
import type { Hasher as TreeHasher } from '../../ledger/index.ts';
import type { FileDigest, HashSettings, LeafEntry, ReadFile, StreamEngine, TaskFile, WorkerReply, WorkerRequest } from './protocol.ts';

const scope = self as unknown as {
  postMessage(message: WorkerReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
  crypto?: Crypto;
};

/** An incremental SHA-256 that is reused: `init`, `update`…, then `digestHex` or `digest`. */
interface Hasher {
  engine: StreamEngine;
  init(): void;
  update(bytes: Uint8Array): void;
  digestHex(): string;
  /** A fresh 32-byte array. */
  digest(): Uint8Array;
}

async function wasmHasher(): Promise<Hasher> {
  const h = await createSHA256();
  return {
    engine: 'wasm',
    init: () => void h.init(),
    update: (bytes) => void h.update(bytes),
    digestHex: () => h.digest('hex'),
    digest: () => h.digest('binary'),
  };
}

function nobleHasher(): Hasher {
  let h = nobleSha256.create();
  return {
    engine: 'noble',
    init: () => void (h = nobleSha256.create()),
    update: (bytes) => void h.update(bytes),
    digestHex: () => toHex(h.digest()),
    digest: () => h.digest(),
  };
}

/** A streaming SHA-256: WebAssembly, or @noble/hashes where WebAssembly cannot be compiled. */
function newHasher(): Promise<Hasher> {
  return wasmHasher().catch(() => nobleHasher());
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = new Uint8Array(65);
NODE_PREFIX[0] = 0x01;

/**
 * The RFC 6962 hasher (RFC 9162 §2.1.1: leaf = SHA-256(0x00 ‖ d), node =
 * SHA-256(0x01 ‖ l ‖ r)) on a streaming SHA-256 of this worker; identical outputs to
 * the core's `rfc6962`, several times faster when the SHA-256 is WebAssembly.
 */
function rfc6962On(h: Hasher): TreeHasher {
  return {
    emptyRoot(): Uint8Array {
      h.init();
      return h.digest();
    },
    hashLeaf(entry: Uint8Array): Uint8Array {
      h.init();
      h.update(LEAF_PREFIX);
      h.update(entry);
      return h.digest();
    },
    hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
      NODE_PREFIX.set(left, 1);
      NODE_PREFIX.set(right, 33);
      h.init();
      h.update(NODE_PREFIX);
      return h.digest();
    },
  };
}

// Two hashers per worker: one for file contents, one for Merkle leaves and nodes. Tasks
// run one at a time, a large file is alone in its task and each small file of a batch is
// hashed synchronously, so no two computations on one hasher interleave.
let hashersPromise: Promise<{ file: Hasher; tree: TreeHasher }> | undefined;
function hashers(): Promise<{ file: Hasher; tree: TreeHasher }> {
  hashersPromise ??= Promise.all([newHasher(), newHasher()]).then(([file, tree]) => ({ file, tree: rfc6962On(tree) }));
  return hashersPromise;
}

/** A file that does not read back as many bytes as its size said. */
class FileChanged extends Error {}

// ------------------------------------------------------------------------ progress

let pendingBytes = 0;
let lastPost = 0;

function addProgress(n: number): void {
  pendingBytes += n;
  const now = performance.now();
  if (now - lastPost >= 50) flushProgress(now);
}

function flushProgress(now = performance.now()): void {
  lastPost = now;
  if (pendingBytes === 0) return;
  scope.postMessage({ type: 'progress', bytes: pendingBytes });
  pendingBytes = 0;
}

// ------------------------------------------------------------------------ hashing

async function nativeDigest(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await scope.crypto!.subtle.digest('SHA-256', bytes)));
}

/**
 * A reader that fills the caller's buffers (a BYOB reader of the File's byte stream), or
 * `undefined` where the browser's `Blob.stream()` is not a byte stream.
 *
 * Why: reading into a few buffers that are reused keeps the worker from allocating a
 * new ArrayBuffer per chunk. In Chromium 156 (2-core machine, 1 GiB file, 2026-12-02)
 * that allocation and its garbage were most of the cost of a read: `slice().arrayBuffer()`
 * and the default stream reader spent 5–8 CPU seconds per GiB in the renderer, a BYOB
 * reader into one reused 4 MiB buffer 0.85–1.9 s, and read at 380–480 MB/s against
 * 50–190 MB/s on the same loaded machine.
 */
function byobReader(blob: Blob): ReadableStreamBYOBReader | undefined {
  try {
    return blob.stream().getReader({ mode: 'byob' });
  } catch {
    return undefined; // TypeError: not a readable byte stream
  }
}

/**
 * How long a BYOB read may wait for bytes before the stream is given up for slice reads
 * from where it stopped. In Chromium 156 a BYOB read of a File's stream sometimes never
 * settles (2026-12-02: in a worker, 1,200 files of up to 40 KiB read one after the other
 * into reused 64 KiB or 1 MiB buffers, 0–2 reads per pass never settled, also when no
 * read asked past the end); a default reader and `slice().arrayBuffer()` never did.
 */
const BYOB_STALL_MILLIS = 3000;

const STALLED = Symbol('stalled');

/**
 * A large file streamed through the incremental hasher. Where the file is more than one
 * chunk, its stream a byte stream and `settings.byob` set, a BYOB reader fills two buffers of `chunkBytes` that take
 * turns (the read into one runs while the other is hashed), never asking past `file.size`;
 * if a read stalls (see `BYOB_STALL_MILLIS`) the rest is read in slices. Otherwise
 * `File.slice` chunks with `readAhead` further slices being read. Memory: 2 × chunkBytes,
 * or (readAhead + 1) × chunkBytes. A file that changed since it was picked fails the read
 * in Chromium (its snapshot's size and time are checked), or reads back another length.
 */
async function hashStream(file: File, h: Hasher, settings: HashSettings): Promise<string> {
  const size = file.size;
  h.init();
  // One chunk or less: one slice read allocates no more than the BYOB buffers would, and
  // the stalls above were all seen on such small files.
  const reader = settings.byob && size > settings.chunkBytes ? byobReader(file) : undefined;
  if (reader === undefined) return hashSlices(file, 0, size, h, settings);
  const readInto = (buffer: ArrayBuffer, at: number): Promise<ReadableStreamReadResult<Uint8Array<ArrayBuffer>>> =>
    reader.read(new Uint8Array(buffer, 0, Math.min(buffer.byteLength, size - at)));
  let spare = new ArrayBuffer(settings.chunkBytes);
  let pending = readInto(new ArrayBuffer(settings.chunkBytes), 0);
  let total = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    while (total < size) {
      const stalled = new Promise<typeof STALLED>((resolve) => (timer = setTimeout(() => resolve(STALLED), BYOB_STALL_MILLIS)));
      const result = await Promise.race([pending, stalled]);
      clearTimeout(timer);
      if (result === STALLED) break; // the rest in slices, from `total`
      const { done, value } = result;
      if (done || value === undefined) throw new FileChanged(); // ended before `size`
      total += value.byteLength;
      if (total < size) pending = readInto(spare, total); // the next read runs while this chunk is hashed
      h.update(value);
      addProgress(value.byteLength);
      spare = value.buffer; // the buffer came back with the bytes; it takes the read after
    }
  } finally {
    clearTimeout(timer);
    pending.catch(() => undefined); // a read still pending when one failed: not ours to report
    reader.cancel().catch(() => undefined);
  }
  if (total < size) return hashSlices(file, total, size, h, settings);
  return h.digestHex();
}

/** Bytes `from`…`size` of a file into the hasher (already fed the bytes before `from`) in `File.slice` chunks, `readAhead` of them in flight. */
async function hashSlices(file: File, from: number, size: number, h: Hasher, settings: HashSettings): Promise<string> {
  const reads: { expected: number; bytes: Promise<ArrayBuffer> }[] = [];
  let next = from;
  const issue = (): void => {
    while (reads.length <= settings.readAhead && next < size) {
      const end = Math.min(size, next + settings.chunkBytes);
      reads.push({ expected: end - next, bytes: file.slice(next, end).arrayBuffer() });
      next = end;
    }
  };
  issue();
  try {
    while (reads.length > 0) {
      const read = reads.shift()!;
      const bytes = new Uint8Array(await read.bytes);
      if (bytes.length !== read.expected) throw new FileChanged();
      issue(); // the next reads run while this chunk is hashed
      h.update(bytes);
      addProgress(bytes.length);
    }
  } finally {
    // Reads still running when one failed: their rejections are not ours to report.
    for (const r of reads) r.bytes.catch(() => undefined);
  }
  return h.digestHex();
}

/**
 * A large file read whole (`parallelReads` slices of `oneShotChunkBytes` at a time,
 * copied into one buffer) and hashed by one WebCrypto digest. Without WebCrypto it is
 * streamed.
 */
async function hashOneShot(file: File, h: Hasher, settings: HashSettings): Promise<string> {
  if (!scope.crypto?.subtle) return hashStream(file, h, settings);
  const size = file.size;
  const whole = new Uint8Array(size);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < size) {
      const start = next;
      const end = Math.min(size, start + settings.oneShotChunkBytes);
      next = end;
      const bytes = new Uint8Array(await file.slice(start, end).arrayBuffer());
      if (bytes.length !== end - start) throw new FileChanged();
      whole.set(bytes, start);
      addProgress(bytes.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, settings.parallelReads) }, lane));
  return nativeDigest(whole);
}

function fileError(task: number, index: number, err: unknown): WorkerReply {
  return err instanceof FileChanged
    ? { type: 'error', task, index, code: 'file_changed', message: 'the file changed while being fingerprinted' }
    : { type: 'error', task, index, code: 'read_failed', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}

/** The leaf of a hashed file, as the pool takes it. */
function digestOf(index: number, path: string, size: number, sha256: string, tree: TreeHasher): FileDigest {
  return { index, size, sha256, leaf: tree.hashLeaf(encodeLeaf({ path, size, sha256 })) };
}

/** One large file, streamed or read whole as the pool said. */
async function hashLarge(task: number, f: TaskFile, settings: HashSettings): Promise<WorkerReply> {
  const { file: h, tree } = await hashers();
  try {
    const sha256 = f.method === 'oneshot' ? await hashOneShot(f.file, h, settings) : await hashStream(f.file, h, settings);
    return { type: 'hashed', task, digests: [digestOf(f.index, f.path, f.file.size, sha256, tree)], engine: h.engine };
  } catch (err) {
    return fileError(task, f.index, err);
  } finally {
    flushProgress();
  }
}

/**
 * A batch of small files read by the page: each hashed from its pieces, one after the
 * other on the worker's reused WebAssembly hasher (synchronous, no promise per file), or
 * by WebCrypto when the settings ask for it. The size of each file is the bytes it read.
 */
async function digestRead(task: number, files: ReadFile[], settings: HashSettings): Promise<WorkerReply> {
  const { file: h, tree } = await hashers();
  const webcrypto = settings.smallHash === 'webcrypto' && scope.crypto?.subtle !== undefined;
  const digests: FileDigest[] = [];
  for (const f of files) {
    let size = 0;
    for (const c of f.chunks) size += c.byteLength;
    let sha256: string;
    if (webcrypto) {
      const whole = f.chunks.length === 1 ? new Uint8Array(f.chunks[0]!) : new Uint8Array(size);
      if (f.chunks.length !== 1) {
        let at = 0;
        for (const c of f.chunks) {
          whole.set(new Uint8Array(c), at);
          at += c.byteLength;
        }
      }
      sha256 = await nativeDigest(whole);
    } else {
      h.init();
      for (const c of f.chunks) h.update(new Uint8Array(c));
      sha256 = h.digestHex();
    }
    digests.push(digestOf(f.index, f.path, size, sha256, tree));
  }
  return { type: 'hashed', task, digests, engine: h.engine };
}

/** The manifest of hashed entries with their leaves: sorted by UTF-8 path bytes, then the core's builder. */
function buildManifest(entries: LeafEntry[], tree: TreeHasher): Manifest {
  const sorted = entries.slice().sort((a, b) => comparePaths(a.entry.path, b.entry.path));
  const builder = new ManifestBuilder(tree);
  for (const e of sorted) builder.add(e.entry, e.leaf);
  return builder.finish();
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  try {
    if (request.type === 'hash') return await hashLarge(request.task, request.file, request.settings);
    if (request.type === 'digest') return await digestRead(request.task, request.files, request.settings);
    return { type: 'manifest', task: request.task, manifest: buildManifest(request.entries, (await hashers()).tree) };
  } catch (err) {
    if (err instanceof FingerprintError) return { type: 'error', task: request.task, code: err.code, message: err.message };
    return { type: 'error', task: request.task, code: 'internal_error', message: err instanceof Error ? err.message : String(err) };
  }
}

let queue: Promise<void> = Promise.resolve();
scope.addEventListener('message', (event) => {
  const request = event.data;
  if (request?.type !== 'hash' && request?.type !== 'digest' && request?.type !== 'manifest') return;
  queue = queue.then(async () => scope.postMessage(await handle(request)));
});
