/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof, `c2sp.org/tlog-proof@v1`): an
 * offline-verifiable proof that an entry is in the log, as text —
 *
 *     c2sp.org/tlog-proof@v1
 *     extra <base64 opaque data>            (optional)
 *     index <decimal, no leading zeros>
 *     <base64 hash>                          (0 or more: the RFC 6962 §2.1.1 inclusion proof, leaf's sibling first)
 *                                            (an empty line)
 *     <the checkpoint, a C2SP signed note, verbatim — with any cosignatures>
 *
 * DataDeed puts the entry's bytes in `extra` (standard base64), so the leaf hash can be
 * recomputed from the file alone; the spec says the extra data is not authenticated —
 * it is, here, by the inclusion proof of its hash.
 */
import { fromBase64, toBase64 } from './bytes.ts';
import { LedgerError } from './errors.ts';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

/** The parts of a tlog-proof. */
export interface TlogProof {
  extra?: Uint8Array;
  index: number;
  /** The inclusion proof, leaf's sibling first (32-byte hashes). */
  proof: Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

/** Formats a tlog-proof. */
export function formatTlogProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) throw new LedgerError('index_out_of_range', 'the index must be a non-negative integer');
  if (p.proof.some((h) => h.length !== 32)) throw new LedgerError('proof_wrong_length', 'proof hashes are 32 bytes');
  if (!p.checkpoint.endsWith('\n')) throw new LedgerError('malformed_note', 'a signed note ends with a newline');
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== undefined) lines.push(`extra ${toBase64(p.extra)}`);
  lines.push(`index ${p.index}`, ...p.proof.map(toBase64), '');
  return `${lines.join('\n')}\n${p.checkpoint}`;
}

/**
 * Parses a tlog-proof strictly (the checkpoint itself is returned as text, to be
 * verified by the caller).
 * @throws LedgerError `malformed_proof`.
 */
export function parseTlogProof(text: string): TlogProof {
  const bad = (why: string) => new LedgerError('malformed_proof', `not a c2sp.org/tlog-proof@v1: ${why}`);
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw bad('no empty line before the checkpoint');
  const lines = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  if (lines.shift() !== TLOG_PROOF_HEADER) throw bad('first line');
  let extra: Uint8Array | undefined;
  if (lines[0]?.startsWith('extra ')) {
    try {
      extra = fromBase64(lines.shift()!.slice(6));
    } catch {
      throw bad('extra is not base64');
    }
  }
  const m = /^index (0|[1-9][0-9]*)$/.exec(lines.shift() ?? '');
  if (!m || !Number.isSafeInteger(Number(m[1]))) throw bad('index line');
  const proof = lines.map((l) => {
    let h: Uint8Array;
    try {
      h = fromBase64(l);
    } catch {
      throw bad('a proof line is not base64');
    }
    if (h.length !== 32) throw bad('a proof line is not a 32-byte hash');
    return h;
  });
  return { ...(extra !== undefined ? { extra } : {}), index: Number(m[1]), proof, checkpoint };
}
