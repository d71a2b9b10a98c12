/**
 * Verifies a state proof (`datadeed-state-proof/1`, docs/log-format.md §8.1): that a
 * certificate's status record — or a digest's earliest deposit, or its absence — is what
 * the registry committed to in a `state.committed` entry of its log, signed into a
 * checkpoint by the log key. Pure; runs in Node and browsers. Steps, each failing with
 * its code: the form (`bad_format`); the checkpoint signature by a trusted log key
 * (`bad_checkpoint`); the entry's inclusion in that checkpoint (`bad_inclusion`); the
 * entry is a canonical `state.committed` of its own index (`bad_entry`); the record is of
 * the key asked about (`wrong_key`); the map proof of the record's hash — or of absence —
 * to the entry's root (`bad_map_proof`, docs/state-map.md §6).
 */
import {
  bytesEqual,
  canonicalJson,
  encodeEntry,
  fromBase64,
  fromHex,
  rfc6962,
  sha256,
  utf8,
  verifyInclusion,
  type Checkpoint,
  type LogEvent,
} from '../ledger/index.ts';
import { certificateMapKey, depositMapKey, mapProofFromBase64, verifyMapProof } from '../state/map/index.ts';
import { openCheckpoint, type Ed25519Verify } from './verify.ts';

export const STATE_PROOF_FORMAT = 'datadeed-state-proof/1';

/** The status record of a certificate (docs/log-format.md §6.9). */
export interface ProvenStatusRecord {
  number: string;
  status: string;
  version: number;
  holderUscc: string;
  validUntil: string;
  supersededBy: string | null;
  pledges: { pledgeNumber: string; pledgee: string; termStart: string; termEnd: string }[];
  licences: number;
  policies: number;
  lastEvent: number;
}

/** The earliest-deposit record of a digest (docs/log-format.md §6.9). */
export interface ProvenDepositRecord {
  digest: string;
  depositId: string;
  depositor: string;
  index: number;
  time: string;
}

export type StateProofCode = 'bad_format' | 'bad_checkpoint' | 'bad_inclusion' | 'bad_entry' | 'wrong_key' | 'bad_map_proof';

export type StateProofResult =
  | {
      ok: true;
      /** The record proven (null: the key is proven absent — never issued, never deposited). */
      record: ProvenStatusRecord | ProvenDepositRecord | null;
      /** The `state.committed` entry: its index (the state of the entries before it) and time. */
      committed: { index: number; time: string; root: string };
      checkpoint: Checkpoint;
    }
  | { ok: false; code: StateProofCode; detail: string };

/** What the proof must be about: a certificate number or a digest (64 hex). */
export type StateProofSubject = { certificate: string } | { digest: string };

const HEX64 = /^[0-9a-f]{64}$/;
const fail = (code: StateProofCode, detail: string): StateProofResult => ({ ok: false, code, detail });

/**
 * Verifies `input` (the parsed JSON of a state proof) about `subject` with the trusted log
 * verifier keys (`logKeys`, C2SP vkeys). Never throws for a bad proof: it says why.
 */
export async function verifyStateProof(input: unknown, subject: StateProofSubject, logKeys: string[], crypto: Ed25519Verify): Promise<StateProofResult> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('bad_format', 'a state proof is a JSON object');
  const p = input as Record<string, unknown>;
  if (p.format !== STATE_PROOF_FORMAT) return fail('bad_format', `format is not ${STATE_PROOF_FORMAT}`);
  const entry = p.entry as { index?: unknown; data?: unknown } | undefined;
  const inclusion = p.inclusion as { treeSize?: unknown; proof?: unknown } | undefined;
  if (!entry || typeof entry.index !== 'number' || !Number.isSafeInteger(entry.index) || entry.index < 0 || typeof entry.data !== 'string')
    return fail('bad_format', 'entry is not {index, data}');
  if (!inclusion || typeof inclusion.treeSize !== 'number' || !Array.isArray(inclusion.proof) || inclusion.proof.length > 64 || inclusion.proof.some((h) => typeof h !== 'string' || !HEX64.test(h)))
    return fail('bad_format', 'inclusion is not {treeSize, proof}');
  if (typeof p.checkpoint !== 'string' || typeof p.proof !== 'string') return fail('bad_format', 'checkpoint and proof are strings');
  let entryBytes: Uint8Array;
  try {
    entryBytes = fromBase64(entry.data);
  } catch {
    return fail('bad_format', 'entry data is not base64');
  }

  // the checkpoint, signed by the log
  const opened = await openCheckpoint(p.checkpoint, logKeys, crypto);
  if (!opened.ok) return fail('bad_checkpoint', opened.detail);
  const cp = opened.checkpoint;
  if (cp.size !== inclusion.treeSize) return fail('bad_inclusion', 'the inclusion proof is for another tree size than the checkpoint');

  // the entry, in it
  try {
    verifyInclusion(rfc6962, entry.index, cp.size, rfc6962.hashLeaf(entryBytes), (inclusion.proof as string[]).map(fromHex), cp.rootHash);
  } catch {
    return fail('bad_inclusion', 'the state.committed entry is not in the checkpoint');
  }

  // a state.committed of the state just before it
  let ev: LogEvent & { size?: unknown; root?: unknown };
  try {
    ev = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entryBytes)) as LogEvent & { size?: unknown; root?: unknown };
    if (!bytesEqual(encodeEntry(ev), entryBytes)) return fail('bad_entry', 'the entry is not canonical');
  } catch {
    return fail('bad_entry', 'the entry is not a log entry');
  }
  if (ev.kind !== 'state.committed' || ev.size !== entry.index || typeof ev.root !== 'string' || !HEX64.test(ev.root))
    return fail('bad_entry', 'the entry is not a state.committed of the state before it');

  // the record, of the key asked about
  const record = p.record;
  let key: Uint8Array;
  try {
    if ('certificate' in subject) {
      key = certificateMapKey(subject.certificate);
      if (record !== null && (typeof record !== 'object' || (record as { number?: unknown }).number !== subject.certificate)) return fail('wrong_key', 'the record is of another certificate');
    } else {
      if (!HEX64.test(subject.digest)) return fail('wrong_key', 'a digest is 64 lowercase hex digits');
      key = depositMapKey(fromHex(subject.digest));
      if (record !== null && (typeof record !== 'object' || (record as { digest?: unknown }).digest !== subject.digest)) return fail('wrong_key', 'the record is of another digest');
    }
  } catch {
    return fail('wrong_key', 'the subject is not a map key');
  }
  let value: Uint8Array | null = null;
  if (record !== null) {
    try {
      value = sha256(utf8(canonicalJson(record)));
    } catch {
      return fail('bad_format', 'the record is not plain JSON');
    }
  }
  let ok = false;
  try {
    ok = verifyMapProof(fromHex(ev.root), key, value, mapProofFromBase64(p.proof), sha256);
  } catch {
    ok = false;
  }
  if (!ok) return fail('bad_map_proof', record === null ? 'the map proof does not prove the key absent' : 'the map proof does not prove the record');
  return { ok: true, record: record as ProvenStatusRecord | ProvenDepositRecord | null, committed: { index: entry.index, time: ev.time, root: ev.root }, checkpoint: cp };
}
