/**
 * The fingerprint Web Worker (DESIGN §4, in the browser): hashes the picked File
 * objects where they are — streamed through @noble/hashes incremental SHA-256, or, for
 * files up to a bound, one WebCrypto digest of the file's bytes — and builds the
 * manifest with the same core as the CLI. Nothing is sent anywhere: the only output is
 * messages to the page. Progress is posted at most every 100 ms.
 */
import { digestChunks, nobleSha256, type StreamDigest } from '../digest.ts';
import { FingerprintError } from '../errors.ts';
import { buildManifest } from '../manifest.ts';
import { normalizePath } from '../path.ts';
import { toHex } from '../../ledger/bytes.ts';
import type { FingerprintReply, FingerprintRequest } from './protocol.ts';

const scope = self as unknown as {
  postMessage(message: FingerprintReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<FingerprintRequest>) => void): void;
  crypto?: Crypto;
};

/** Files read and hashed at once (see `fingerprint`). */
const LANES = 8;
/** Bytes of files in flight at once (a larger file still goes alone). */
const MAX_IN_FLIGHT_BYTES = 64 << 20;

async function* fileChunks(file: Blob): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function hashBlob(file: Blob, webCryptoMaxBytes: number, onBytes: (n: number) => void): Promise<StreamDigest> {
  const subtle = scope.crypto?.subtle;
  if (subtle !== undefined && file.size <= webCryptoMaxBytes) {
    const data = await file.arrayBuffer();
    const digest = new Uint8Array(await subtle.digest('SHA-256', data));
    onBytes(data.byteLength);
    return { sha256: toHex(digest), size: data.byteLength };
  }
  return digestChunks(fileChunks(file), nobleSha256, onBytes);
}

async function fingerprint(request: FingerprintRequest): Promise<FingerprintReply> {
  const started = performance.now();
  const files = request.files.map((f) => ({ path: normalizePath(f.path), file: f.file }));
  const totalFiles = files.length;
  let totalBytes = 0;
  for (const f of files) totalBytes += f.file.size;
  let doneFiles = 0;
  let doneBytes = 0;
  let lastPost = 0;
  const progress = (force: boolean): void => {
    const now = performance.now();
    if (!force && now - lastPost < 100) return;
    lastPost = now;
    scope.postMessage({ type: 'progress', files: doneFiles, bytes: doneBytes, totalFiles, totalBytes });
  };
  progress(true);
  // Several files in flight: WebCrypto digests and Blob reads are asynchronous round
  // trips, so small files are latency-bound one at a time. Bounded by count and bytes.
  const entries: { path: string; size: number; sha256: string }[] = new Array(files.length);
  let next = 0;
  let inFlightBytes = 0;
  let failure: FingerprintReply | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < files.length) {
      const f = files[next]!;
      if (inFlightBytes > 0 && inFlightBytes + f.file.size > MAX_IN_FLIGHT_BYTES) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      const index = next++;
      inFlightBytes += f.file.size;
      let d: StreamDigest;
      try {
        d = await hashBlob(f.file, request.webCryptoMaxBytes, (n) => {
          doneBytes += n;
          progress(false);
        });
      } catch (err) {
        failure = { type: 'error', code: 'read_failed', message: `cannot read ${JSON.stringify(f.path)}: ${err instanceof Error ? err.message : String(err)}` };
        return;
      } finally {
        inFlightBytes -= f.file.size;
      }
      if (d.size !== f.file.size) {
        failure = { type: 'error', code: 'file_changed', message: `${JSON.stringify(f.path)} changed while being fingerprinted` };
        return;
      }
      entries[index] = { path: f.path, size: d.size, sha256: d.sha256 };
      doneFiles++;
      progress(false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LANES, files.length) }, lane));
  if (failure !== undefined) return failure;
  progress(true);
  const manifest = buildManifest(entries);
  return { type: 'done', manifest, millis: performance.now() - started };
}

scope.addEventListener('message', (event) => {
  if (event.data?.type !== 'fingerprint') return;
  fingerprint(event.data).then(
    (reply) => scope.postMessage(reply),
    (err: unknown) => {
      if (err instanceof FingerprintError) scope.postMessage({ type: 'error', code: err.code, message: err.message });
      else scope.postMessage({ type: 'error', code: 'internal_error', message: err instanceof Error ? err.message : String(err) });
    },
  );
});
