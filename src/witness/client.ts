/**
 * The log's side of C2SP tlog-witness: build an add-checkpoint request, read the
 * witness's answer (200 cosignature lines, 409 `text/x.tlog.size`, anything else a
 * refusal), resynchronise once on a 409, and merge verified cosignatures into the
 * checkpoint note. Pure: `fetch`, the consistency-proof source and Ed25519 are injected.
 */
import { formatAddCheckpointRequest } from './request.ts';
import { checkCosignature, type CosignerKey, type Ed25519Verify } from './cosignature.ts';
import { WitnessError } from './errors.ts';
import { SIGNATURE_PREFIX, parseSignatureLine, splitNote } from './note-lines.ts';

export { formatAddCheckpointRequest };

/** Largest witness answer read, in bytes. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
const SIZE_BODY = /^(0|[1-9][0-9]*)\n$/;

/** A witness's answer, read. */
export type WitnessResponse =
  /** 200: the signature lines (without newlines), not yet verified. */
  | { kind: 'cosigned'; lines: string[] }
  /** 409: the size of the witness's latest cosigned checkpoint. */
  | { kind: 'conflict'; size: number }
  /** Any other status (400, 403, 404, 422, 5xx …). */
  | { kind: 'refused'; status: number };

/**
 * Reads a witness's answer to add-checkpoint (C2SP tlog-witness §add-checkpoint): a 200
 * body must be one or more lines starting with `— ` and ending with a newline; a 409
 * must have `Content-Type: text/x.tlog.size` and a body of a decimal size and a newline.
 * @throws WitnessError `malformed_response`.
 */
export function parseWitnessResponse(status: number, contentType: string | null | undefined, body: string): WitnessResponse {
  if (status === 200) {
    if (body.length === 0 || !body.endsWith('\n')) throw new WitnessError('malformed_response', '200 without signature lines');
    const lines = body.slice(0, -1).split('\n');
    for (const line of lines) {
      if (!line.startsWith(SIGNATURE_PREFIX) || parseSignatureLine(line) === undefined) {
        throw new WitnessError('malformed_response', '200 body is not note signature lines');
      }
    }
    return { kind: 'cosigned', lines };
  }
  if (status === 409) {
    const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'text/x.tlog.size') throw new WitnessError('malformed_response', '409 without text/x.tlog.size');
    if (!SIZE_BODY.test(body)) throw new WitnessError('malformed_response', '409 body is not a tree size');
    const size = Number(body.slice(0, -1));
    if (!Number.isSafeInteger(size)) throw new WitnessError('malformed_response', '409 size too large');
    return { kind: 'conflict', size };
  }
  return { kind: 'refused', status };
}

/** The outcome of {@link mergeCosignatures}. */
export interface MergedNote {
  /** The note with the valid cosignatures added (replacing older lines of the same keys). */
  note: string;
  /** Key names of the cosignatures added, with their timestamps. */
  added: { name: string; timestamp: number }[];
}

/**
 * Adds cosignature lines to a signed checkpoint note (C2SP tlog-witness: "the client
 * MUST ignore any cosignatures from unknown keys"): each line must match one of
 * `cosigners` by name and key ID and verify as a C2SP tlog-cosignature over the note's
 * text; others are dropped. A valid new line replaces any line of the same key already
 * in the note; the note's other lines keep their order.
 * @throws WitnessError `malformed_response` when the note has no signature block.
 */
export async function mergeCosignatures(
  note: string,
  lines: readonly string[],
  cosigners: readonly CosignerKey[],
  verify: Ed25519Verify,
): Promise<MergedNote> {
  const parts = splitNote(note);
  if (parts === undefined) throw new WitnessError('malformed_response', 'not a signed note');
  const kept = parts.signatures.map((s) => s.line);
  const added: MergedNote['added'] = [];
  for (const key of cosigners) {
    for (const line of lines) {
      const sig = parseSignatureLine(line);
      if (sig === undefined || sig.name !== key.name || sig.keyId !== key.keyId) continue;
      const check = await checkCosignature({ text: parts.text, signatures: [sig] }, key, verify);
      if (check.status !== 'valid') continue;
      for (let i = kept.length - 1; i >= 0; i--) {
        const old = parseSignatureLine(kept[i]!);
        if (old !== undefined && old.name === key.name && old.keyId === key.keyId) kept.splice(i, 1);
      }
      kept.push(line);
      added.push({ name: key.name, timestamp: check.timestamp });
      break;
    }
  }
  return { note: `${parts.text}\n${kept.map((l) => `${l}\n`).join('')}`, added };
}

/** What {@link requestCosignature} needs. */
export interface CosignatureRequest {
  /** The witness's submission prefix, e.g. `https://witness.example/` (no trailing path). */
  url: string;
  /** The log-signed checkpoint note to have cosigned. */
  checkpoint: string;
  /** Its tree size. */
  size: number;
  /** The size the log believes the witness last cosigned (0 when unknown). */
  oldSize: number;
  /** An RFC 6962 consistency proof between two sizes of the log (empty when from is 0 or from = to). */
  consistencyProof: (from: number, to: number) => Uint8Array[] | Promise<Uint8Array[]>;
  /** The witness's cosigner key(s). */
  cosigners: readonly CosignerKey[];
  verify: Ed25519Verify;
  fetch: (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<Response>;
  signal?: AbortSignal;
}

/** A cosigned checkpoint from one witness. */
export interface CosignatureResult {
  /** The checkpoint note with the witness's verified cosignature(s) added. */
  note: string;
  added: MergedNote['added'];
  /** The witness's size now (the checkpoint's size). */
  witnessSize: number;
  /** Whether a 409 made the request go again from the witness's size. */
  resynchronised: boolean;
}

function joinUrl(prefix: string, path: string): string {
  return `${prefix.replace(/\/+$/, '')}/${path}`;
}

/**
 * Asks one witness to cosign a checkpoint (C2SP tlog-witness §add-checkpoint). On a
 * 409 the request is made once more from the size the witness reported, with a fresh
 * consistency proof (a witness ahead of the checkpoint cannot cosign it). A 200 must
 * carry a valid cosignature by one of `cosigners`.
 * @throws WitnessError `witness_refused` (any other status; the message has the
 *   status), `witness_conflict` (a second 409, or a witness ahead of the checkpoint),
 *   `malformed_response`, or `no_valid_cosignature`.
 */
export async function requestCosignature(req: CosignatureRequest): Promise<CosignatureResult> {
  let oldSize = req.oldSize;
  let resynchronised = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    const proof = oldSize === 0 || oldSize === req.size ? [] : await req.consistencyProof(oldSize, req.size);
    const body = formatAddCheckpointRequest({ oldSize, proof, checkpoint: req.checkpoint });
    const res = await req.fetch(joinUrl(req.url, 'add-checkpoint'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    const text = await readBounded(res);
    const answer = parseWitnessResponse(res.status, res.headers.get('content-type'), text);
    if (answer.kind === 'refused') throw new WitnessError('witness_refused', `witness answered ${answer.status}`);
    if (answer.kind === 'conflict') {
      if (attempt === 1 || answer.size > req.size) throw new WitnessError('witness_conflict', `witness is at size ${answer.size}`);
      oldSize = answer.size;
      resynchronised = true;
      continue;
    }
    const merged = await mergeCosignatures(req.checkpoint, answer.lines, req.cosigners, req.verify);
    if (merged.added.length === 0) throw new WitnessError('no_valid_cosignature', 'no valid cosignature by the witness key');
    return { note: merged.note, added: merged.added, witnessSize: req.size, resynchronised };
  }
  /* c8 ignore next */
  throw new WitnessError('witness_conflict', 'witness did not resynchronise');
}

/**
 * Reads at most {@link MAX_RESPONSE_BYTES} of an answer: a declared larger length is
 * refused before reading, and a body that streams past the bound is cancelled there (a
 * witness cannot make the log buffer an endless answer; the request's deadline bounds
 * the time).
 */
async function readBounded(res: Response): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    await res.body?.cancel().catch(() => {});
    throw new WitnessError('malformed_response', 'response too large');
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_RESPONSE_BYTES) {
        await reader.cancel().catch(() => {});
        throw new WitnessError('malformed_response', 'response too large');
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new WitnessError('malformed_response', 'response is not UTF-8');
  }
}
