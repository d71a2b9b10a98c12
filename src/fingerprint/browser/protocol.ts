/** Messages between the fingerprint page script and its Web Worker. */
import type { Manifest } from '../manifest.ts';

/** A file picked in the page, with its dataset-relative path (not yet normalised). */
export interface PickedFile {
  path: string;
  file: File;
}

/** Page → worker: fingerprint these files. */
export interface FingerprintRequest {
  type: 'fingerprint';
  files: PickedFile[];
  /** Hash files up to this size in one WebCrypto call when available (0: always @noble/hashes). */
  webCryptoMaxBytes: number;
}

/** Worker → page. */
export type FingerprintReply =
  | { type: 'progress'; files: number; bytes: number; totalFiles: number; totalBytes: number }
  | { type: 'done'; manifest: Manifest; millis: number }
  | { type: 'error'; code: string; message: string };
