/**
 * The streaming SHA-256 abstraction that lets one hashing loop run on node:crypto
 * (Node: OpenSSL, SHA extensions) and on @noble/hashes (browsers, where WebCrypto has
 * no incremental digest). FIPS 180-4 SHA-256 either way.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../ledger/index.ts';

/** An incremental SHA-256 computation. `update` must not keep a reference to `chunk`. */
export interface Sha256Stream {
  update(chunk: Uint8Array): void;
  /** The 32-byte digest; the stream is finished afterwards. */
  digest(): Uint8Array;
}

/** Creates a fresh {@link Sha256Stream}. */
export type Sha256Factory = () => Sha256Stream;

/** @noble/hashes incremental SHA-256: pure JavaScript, runs everywhere (~0.25 GB/s). */
export const nobleSha256: Sha256Factory = () => {
  const h = sha256.create();
  return {
    update(chunk: Uint8Array): void {
      h.update(chunk);
    },
    digest(): Uint8Array {
      return h.digest();
    },
  };
};

/** SHA-256 and length of a byte stream. */
export interface StreamDigest {
  sha256: string;
  size: number;
}

/**
 * Hashes a stream of chunks. Each chunk is hashed before the next is requested, so a
 * producer may reuse a chunk's buffer once asked for the next one (Node's double
 * buffered reader relies on this).
 * @param onBytes - called after each chunk with its length (progress).
 * @param signal - stops between chunks with the signal's reason.
 */
export async function digestChunks(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  create: Sha256Factory,
  onBytes?: (n: number) => void,
  signal?: AbortSignal,
): Promise<StreamDigest> {
  const h = create();
  let size = 0;
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    h.update(chunk);
    size += chunk.length;
    onBytes?.(chunk.length);
  }
  return { sha256: toHex(h.digest()), size };
}
