/**
 * C2SP tlog-checkpoint note bodies (https://c2sp.org/tlog-checkpoint, §Note text):
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n[<extension line>\n…]
 *
 * Signing and opening the note around the body is `note.ts`.
 */
import { fromBase64, toBase64 } from './bytes.ts';
import { LedgerError } from './errors.ts';

/** A parsed checkpoint body (C2SP tlog-checkpoint §Note text). */
export interface Checkpoint {
  /** Line 1: the log's origin; non-empty, no newline. */
  origin: string;
  /** Line 2: the tree size. */
  size: number;
  /** Line 3: the RFC 6962 root hash (32 bytes for SHA-256). */
  rootHash: Uint8Array;
  /** Any further lines: opaque, non-empty extension lines (NOT RECOMMENDED by the spec). */
  extensions: string[];
}

const ROOT_HASH_BYTES = 32;
const SIZE_PATTERN = /^(0|[1-9][0-9]*)$/;
// Control characters are forbidden in signed notes (C2SP signed-note §Format); the
// line structure is ours, so a newline inside a field is rejected too.
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /\p{Cs}/u;

function badLine(line: string): boolean {
  return line.length === 0 || CONTROL.test(line) || LONE_SURROGATE.test(line);
}

function fail(message: string): never {
  throw new LedgerError('malformed_checkpoint', message);
}

/**
 * Formats a checkpoint body (C2SP tlog-checkpoint §Note text): origin, decimal size
 * without leading zeros, standard base64 of the root hash, then extension lines, each
 * line ending in a newline.
 * @throws LedgerError `malformed_checkpoint` when a field would not parse back.
 */
export function formatCheckpoint(cp: Checkpoint): string {
  if (typeof cp.origin !== 'string' || badLine(cp.origin)) fail('invalid origin');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) fail('invalid tree size');
  if (!(cp.rootHash instanceof Uint8Array) || cp.rootHash.length !== ROOT_HASH_BYTES) fail('invalid root hash');
  for (const ext of cp.extensions) {
    if (typeof ext !== 'string' || badLine(ext)) fail('invalid extension line');
  }
  return [cp.origin, String(cp.size), toBase64(cp.rootHash), ...cp.extensions].map((l) => `${l}\n`).join('');
}

/**
 * Parses a checkpoint body strictly (C2SP tlog-checkpoint §Note text): at least three
 * lines, each terminated by a newline; a non-empty origin; a decimal size with no
 * leading zeros (except "0") that is a safe integer; a canonical base64 root of 32
 * bytes; non-empty extension lines; no control characters.
 * @throws LedgerError `malformed_checkpoint`.
 */
export function parseCheckpoint(body: string): Checkpoint {
  if (typeof body !== 'string' || !body.endsWith('\n')) fail('checkpoint must end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) fail('checkpoint needs origin, size and root hash');
  for (const line of lines) if (badLine(line)) fail('empty line or control character in checkpoint');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!SIZE_PATTERN.test(sizeText)) fail('invalid tree size');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) fail('tree size too large');
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(rootText);
  } catch {
    fail('root hash is not base64');
  }
  if (rootHash.length !== ROOT_HASH_BYTES) fail('root hash has the wrong size');
  return { origin, size, rootHash, extensions };
}
