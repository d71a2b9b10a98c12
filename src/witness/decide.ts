/**
 * The witness's decision on one add-checkpoint request (C2SP tlog-witness
 * §add-checkpoint), as a pure function of its state, the request and its trusted logs.
 * The caller serialises decisions per origin and persists `newState` (and `evidence`)
 * before it answers — see `witness.ts`.
 */
import {
  LedgerError,
  bytesEqual,
  fromUtf8,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  rfc6962,
  verifyConsistency,
  type Checkpoint,
  type NoteVerifier,
} from '../ledger/index.ts';
import { cosignCheckpoint, type Cosigner, type Ed25519Verify } from './cosignature.ts';
import { WitnessError } from './errors.ts';
import { splitNote } from './note-lines.ts';
import { parseAddCheckpointRequest, type AddCheckpointRequest } from './request.ts';

/** The latest checkpoint a witness cosigned for one log (its whole memory of that log). */
export interface CosignedCheckpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  /**
   * The checkpoint as served by the monitoring endpoint: the body, a blank line, the
   * log signature lines the witness verified, and the witness's cosignature line(s).
   */
  note: string;
  /** The POSIX timestamp of the witness's cosignature. */
  timestamp: number;
}

/** The latest cosigned checkpoint per origin. */
export type WitnessState = ReadonlyMap<string, CosignedCheckpoint>;

/** The logs a witness trusts: origin → the log's verifier keys (Ed25519 note keys, type 0x01). */
export type TrustedLogs = ReadonlyMap<string, readonly string[]>;

/** What kind of misbehaviour a refused, validly signed checkpoint shows. */
export type EvidenceKind =
  /** Same size as the cosigned checkpoint, another root: a fork, proven by the two signed checkpoints. */
  | 'fork'
  /** Larger than the cosigned checkpoint, but the consistency proof does not verify (or is not empty at old size 0). */
  | 'inconsistent'
  /** Size 0 with a root other than SHA-256(""). */
  | 'bad_empty_root';

/** A refused request from a trusted log, kept for an investigator. */
export interface Evidence {
  origin: string;
  kind: EvidenceKind;
  /** The whole request body: old size, proof and the log-signed checkpoint. */
  submitted: string;
  /** The witness's latest cosigned checkpoint at the time (log signatures and cosignature), if any. */
  cosigned?: string;
}

/** Stable codes of decisions (the HTTP layer puts them into problems). */
export type DecisionCode =
  | 'cosigned'
  | 'malformed_request'
  | 'unknown_origin'
  | 'unverified_checkpoint'
  | 'old_size_too_large'
  | 'old_size_mismatch'
  | EvidenceKind
  | 'clock_behind';

/** The answer to one request. */
export interface Decision {
  /** HTTP status per C2SP tlog-witness: 200, 400, 403, 404, 409, 422 (503 when the clock went back). */
  status: 200 | 400 | 403 | 404 | 409 | 422 | 503;
  code: DecisionCode;
  /** 200: the cosignature line(s), `text/plain; charset=utf-8`; 409: `<size>\n`, `text/x.tlog.size`. */
  body?: string;
  contentType?: string;
  /** 200 only: the origin's new state, to persist before answering. */
  newState?: CosignedCheckpoint;
  /** 422 only: the misbehaviour to keep. */
  evidence?: Evidence;
}

/** Injected capabilities of {@link decide}. */
export interface DecideDeps {
  /** The witness's cosigning key(s); at least one. */
  cosigners: readonly Cosigner[];
  /** The current time, POSIX seconds (> 0). */
  now: number;
  /** Ed25519 verification (for the log's signatures). */
  verify: Ed25519Verify;
}

const refuse = (status: Decision['status'], code: DecisionCode, evidence?: Evidence): Decision =>
  evidence === undefined ? { status, code } : { status, code, evidence };

/** A note verifier for a trusted log key, with injected Ed25519. */
function logVerifier(vkey: string, verify: Ed25519Verify): NoteVerifier {
  const { name, keyId, publicKey } = parseVerifierKey(vkey);
  return { name, keyId, verify: (message, signature) => signature.length === 64 && verify(publicKey, message, signature) };
}

/**
 * The origin of an add-checkpoint body, if it parses that far (used to serialise
 * requests per log before reading state).
 */
export function requestOrigin(body: string): string | undefined {
  try {
    const req = parseAddCheckpointRequest(body);
    const parts = splitNote(req.checkpoint);
    return parts === undefined ? undefined : parseCheckpoint(parts.text).origin;
  } catch {
    return undefined;
  }
}

/**
 * Decides an add-checkpoint request, in the order of C2SP tlog-witness §add-checkpoint:
 *
 * 1. 400 `malformed_request` — the body, the note or the checkpoint body does not parse
 *    (including invalid UTF-8 and a note that is malformed per C2SP signed-note);
 * 2. 404 `unknown_origin` — no trusted log has the checkpoint's origin;
 * 3. 403 `unverified_checkpoint` — no valid signature by a trusted key of that origin,
 *    or a line matching a trusted key whose signature fails (unknown keys are ignored);
 * 4. 400 `old_size_too_large` — old size > checkpoint size;
 * 5. 409 `old_size_mismatch` — old size ≠ the latest cosigned size (0 if none); the
 *    body is that size and a newline, `text/x.tlog.size`;
 * 6. 422 `bad_empty_root` — size 0 with a root other than SHA-256("");
 * 7. 422 `fork` — same size as the latest cosigned checkpoint with another root;
 *    422 `inconsistent` — a non-empty proof where none is due, or an RFC 6962
 *    consistency proof (RFC 9162 §2.1.4.2) that does not verify;
 * 8. 503 `clock_behind` — the clock is before the latest cosignature of this log;
 * 9. 200 `cosigned` — one timestamped cosignature line per cosigner (C2SP
 *    tlog-cosignature), and the new state.
 *
 * Every 422 carries `evidence`: the request (with its log-signed checkpoint) and the
 * witness's cosigned checkpoint, so both signed checkpoints can be kept.
 * @throws WitnessError `malformed_cosigner_key` when a cosigner is invalid, and
 *   LedgerError `malformed_verifier_key` when a trusted log key is — configuration
 *   errors, never a consequence of the request.
 */
export async function decide(
  state: WitnessState,
  request: string | Uint8Array,
  trustedLogs: TrustedLogs,
  deps: DecideDeps,
): Promise<Decision> {
  if (deps.cosigners.length === 0) throw new WitnessError('malformed_cosigner_key', 'a witness needs a cosigning key');
  let body: string;
  if (typeof request === 'string') body = request;
  else {
    try {
      body = fromUtf8(request);
    } catch {
      return refuse(400, 'malformed_request');
    }
  }

  // 1. Syntax.
  let req: AddCheckpointRequest;
  let checkpoint: Checkpoint;
  try {
    req = parseAddCheckpointRequest(body);
    const parts = splitNote(req.checkpoint);
    if (parts === undefined) return refuse(400, 'malformed_request');
    checkpoint = parseCheckpoint(parts.text);
  } catch (err) {
    if (err instanceof WitnessError || err instanceof LedgerError) return refuse(400, 'malformed_request');
    throw err;
  }

  // 2. Origin.
  const vkeys = trustedLogs.get(checkpoint.origin);
  if (vkeys === undefined || vkeys.length === 0) return refuse(404, 'unknown_origin');

  // 3. The log's signature (unknown keys, including other witnesses', are ignored).
  const verifiers = vkeys.map((k) => logVerifier(k, deps.verify));
  let verified: { name: string; keyId: number }[];
  try {
    verified = (await openNote(req.checkpoint, verifiers)).verified;
  } catch (err) {
    if (err instanceof LedgerError && err.code === 'note_unverified') return refuse(403, 'unverified_checkpoint');
    if (err instanceof LedgerError && err.code === 'malformed_note') return refuse(400, 'malformed_request');
    throw err;
  }

  // 4. Old size.
  if (req.oldSize > checkpoint.size) return refuse(400, 'old_size_too_large');

  // 5. The witness's latest size.
  const latest = state.get(checkpoint.origin);
  const latestSize = latest?.size ?? 0;
  if (req.oldSize !== latestSize) {
    return { status: 409, code: 'old_size_mismatch', contentType: 'text/x.tlog.size', body: `${latestSize}\n` };
  }

  // 6–7. Consistency with what was cosigned before.
  const evidence = (kind: EvidenceKind): Evidence =>
    latest === undefined ? { origin: checkpoint.origin, kind, submitted: body } : { origin: checkpoint.origin, kind, submitted: body, cosigned: latest.note };
  const empty = rfc6962.emptyRoot();
  if (checkpoint.size === 0 && !bytesEqual(checkpoint.rootHash, empty)) return refuse(422, 'bad_empty_root', evidence('bad_empty_root'));
  const oldRoot = latest?.rootHash ?? empty;
  if (req.oldSize === checkpoint.size && !bytesEqual(oldRoot, checkpoint.rootHash)) return refuse(422, 'fork', evidence('fork'));
  try {
    verifyConsistency(rfc6962, req.oldSize, checkpoint.size, req.proof, oldRoot, checkpoint.rootHash);
  } catch (err) {
    if (err instanceof LedgerError) return refuse(422, 'inconsistent', evidence('inconsistent'));
    throw err;
  }

  // 8. Time never goes back for one log.
  if (!Number.isSafeInteger(deps.now) || deps.now <= 0 || (latest !== undefined && deps.now < latest.timestamp)) {
    return refuse(503, 'clock_behind');
  }

  // 9. Cosign.
  const parts = splitNote(req.checkpoint)!;
  let lines = '';
  for (const cosigner of deps.cosigners) lines += await cosignCheckpoint(cosigner, parts.text, deps.now);
  const logLines: string[] = [];
  for (const sig of parts.signatures) {
    if (verified.some((v) => v.name === sig.name && v.keyId === sig.keyId) && !logLines.includes(sig.line)) logLines.push(sig.line);
  }
  const note = `${parts.text}\n${logLines.map((l) => `${l}\n`).join('')}${lines}`;
  return {
    status: 200,
    code: 'cosigned',
    contentType: 'text/plain; charset=utf-8',
    body: lines,
    newState: { origin: checkpoint.origin, size: checkpoint.size, rootHash: checkpoint.rootHash, note, timestamp: deps.now },
  };
}
