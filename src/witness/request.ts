/**
 * The body of a C2SP tlog-witness `add-checkpoint` request (§add-checkpoint):
 *
 *     old <size>\n
 *     <base64 hash>\n        (0 to 63 consistency proof lines)
 *     \n
 *     <signed checkpoint note>
 */
import { fromBase64, toBase64, utf8 } from '../ledger/index.ts';
import { WitnessError } from './errors.ts';

/** At most this many consistency proof lines (C2SP tlog-witness §add-checkpoint). */
export const MAX_PROOF_LINES = 63;
/**
 * Largest request body accepted, in bytes: an old size line, 63 proof lines and a
 * checkpoint with a few dozen signatures fit many times over.
 */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Bytes of one proof hash (SHA-256, RFC 6962). */
const HASH_BYTES = 32;
const SIZE = /^(0|[1-9][0-9]*)$/;

/** A parsed add-checkpoint request. */
export interface AddCheckpointRequest {
  /** The tree size of the client's previous checkpoint (the witness's latest, it believes). */
  oldSize: number;
  /** An RFC 6962 consistency proof from `oldSize` to the checkpoint's size. */
  proof: Uint8Array[];
  /** The signed checkpoint note (C2SP tlog-checkpoint, signed-note), unverified. */
  checkpoint: string;
}

function fail(message: string): never {
  throw new WitnessError('malformed_request', message);
}

/**
 * Parses an add-checkpoint body strictly (C2SP tlog-witness §add-checkpoint): at most
 * {@link MAX_REQUEST_BYTES} bytes; `old N` with a decimal N without leading zeros that
 * is a safe integer; at most 63 proof lines, each canonical base64 of a 32-byte hash;
 * an empty line; then a non-empty checkpoint note ending in a newline. The note's
 * content and signatures are not checked here.
 * @throws WitnessError `malformed_request`.
 */
export function parseAddCheckpointRequest(body: string): AddCheckpointRequest {
  if (typeof body !== 'string') fail('body must be text');
  // A UTF-16 code unit is at least one UTF-8 byte: a cheap bound first.
  if (body.length > MAX_REQUEST_BYTES || utf8(body).length > MAX_REQUEST_BYTES) fail('request too large');
  const firstEnd = body.indexOf('\n');
  if (firstEnd < 0) fail('missing old size line');
  const first = body.slice(0, firstEnd);
  if (!first.startsWith('old ')) fail('first line must be "old <size>"');
  const sizeText = first.slice(4);
  if (!SIZE.test(sizeText)) fail('invalid old size');
  const oldSize = Number(sizeText);
  if (!Number.isSafeInteger(oldSize)) fail('old size too large');
  const proof: Uint8Array[] = [];
  let pos = firstEnd + 1;
  for (;;) {
    const end = body.indexOf('\n', pos);
    if (end < 0) fail('missing blank line before the checkpoint');
    const line = body.slice(pos, end);
    pos = end + 1;
    if (line.length === 0) break;
    if (proof.length === MAX_PROOF_LINES) fail('too many consistency proof lines');
    let hash: Uint8Array;
    try {
      hash = fromBase64(line);
    } catch {
      fail('proof line is not base64');
    }
    if (hash.length !== HASH_BYTES) fail('proof line is not a 32-byte hash');
    proof.push(hash);
  }
  const checkpoint = body.slice(pos);
  if (checkpoint.length === 0 || !checkpoint.endsWith('\n')) fail('missing checkpoint');
  return { oldSize, proof, checkpoint };
}

/**
 * Formats an add-checkpoint body (C2SP tlog-witness §add-checkpoint).
 * @param request - `oldSize` a safe non-negative integer, at most 63 proof hashes of
 *   32 bytes, and a signed checkpoint note ending in a newline.
 * @throws WitnessError `malformed_request` when the result would not parse back.
 */
export function formatAddCheckpointRequest(request: AddCheckpointRequest): string {
  const { oldSize, proof, checkpoint } = request;
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) fail('invalid old size');
  if (proof.length > MAX_PROOF_LINES) fail('too many consistency proof lines');
  for (const h of proof) if (!(h instanceof Uint8Array) || h.length !== HASH_BYTES) fail('proof hash is not 32 bytes');
  if (typeof checkpoint !== 'string' || checkpoint.length === 0 || !checkpoint.endsWith('\n')) fail('missing checkpoint');
  const body = `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join('')}\n${checkpoint}`;
  if (utf8(body).length > MAX_REQUEST_BYTES) fail('request too large');
  return body;
}
