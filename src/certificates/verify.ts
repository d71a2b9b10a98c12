/**
 * THE verifier of verification bundles (DESIGN §5): certificates, evidence receipts
 * and pledge receipts. Pure — it takes the bundle, the trusted keys and an Ed25519
 * verification function (node:crypto, WebCrypto or @noble/ed25519) and returns every
 * check with a stable reason code. It never throws for a bad bundle.
 *
 * Checks, reported in this order:
 *
 * | check                   | certificate | receipt | what |
 * | ----------------------- | ----------- | ------- | ---- |
 * | `format`                | ✓ | ✓ | bundle, payload (canonical JCS), entry (canonical JCS), checkpoint note and body parse strictly; the entry's kind fits the bundle type |
 * | `checkpoint_signature`  | ✓ | ✓ | a trusted log key whose name is the checkpoint's origin signed the checkpoint (C2SP signed-note) |
 * | `inclusion_proof`       | ✓ | ✓ | the entry is leaf `entry.index` of the checkpoint's tree (RFC 9162 §2.1.3.2) |
 * | `entry_matches_payload` | ✓ |   | the entry is exactly `certificateIssuedEvent(payload)`; the payload's `log` names this entry's index and leaf hash; same origin as the checkpoint |
 * | `certificate_signature` | ✓ |   | a trusted certificate key (`<origin>/certificate`, the payload's key ID) signed "datadeed certificate v1\n" ‖ payload |
 * | `key_validity`          | ✓ |   | the payload's `issuedAt` lies in that key's validity window [validFrom, validUntil) |
 *
 * Everything is parsed and compared field by field before any public key is touched;
 * a check that cannot run because `format` failed is reported as `not_checked`.
 * Details are fixed strings that never echo bundle content.
 */
import { bytesEqual, fromBase64, fromHex, toHex, utf8 } from '../ledger/bytes.ts';
import { parseCheckpoint, type Checkpoint } from '../ledger/checkpoint.ts';
import { decodeEntry, encodeEntry, type LogEvent } from '../ledger/entry.ts';
import { LedgerError } from '../ledger/errors.ts';
import { rfc6962 } from '../ledger/hasher.ts';
import { openNote, parseVerifierKey, type NoteVerifier } from '../ledger/note.ts';
import { verifyInclusion } from '../ledger/proof.ts';
import { parseBundle, type Bundle, type BundleType } from './bundle.ts';
import { CertificateError } from './errors.ts';
import { certificateIssuedEvent, parseCertificatePayload, type CertificatePayload } from './payload.ts';
import { certificateKeyName, certificateSigningMessage, formatKeyId } from './signature.ts';

/** The names of the checks, in report order (`pdf_binding` only when a PDF was verified, see pdf-extract.ts). */
export type VerifyCheckName =
  | 'format'
  | 'checkpoint_signature'
  | 'inclusion_proof'
  | 'entry_matches_payload'
  | 'certificate_signature'
  | 'key_validity'
  | 'pdf_binding';

/**
 * Reason codes of a check (API: never renamed).
 * - `ok` — the check passed.
 * - `not_checked` — not run: an earlier `format` failure left nothing to check.
 * - `bad_format` — the bundle or a part of it does not parse strictly.
 * - `unknown_key` — no trusted key of the right name and key ID signed.
 * - `bad_signature` — a trusted key's signature does not verify.
 * - `key_not_valid_at_issue_date` — the certificate's `issuedAt` is outside its key's validity window.
 * - `inclusion_mismatch` — the inclusion proof does not lead to the checkpoint's root.
 * - `entry_mismatch` — the log entry is not the one this payload must have been logged as.
 * - `origin_mismatch` — payload and checkpoint name different logs.
 * - `pdf_mismatch` — the PDF declares a different certificate than its attached bundle.
 */
export type VerifyCode =
  | 'ok'
  | 'not_checked'
  | 'bad_format'
  | 'unknown_key'
  | 'bad_signature'
  | 'key_not_valid_at_issue_date'
  | 'inclusion_mismatch'
  | 'entry_mismatch'
  | 'origin_mismatch'
  | 'pdf_mismatch';

/** One check's outcome. `detail` is a fixed explanation, never bundle content. */
export interface VerifyCheck {
  name: VerifyCheckName;
  ok: boolean;
  code: VerifyCode;
  detail?: string;
}

/**
 * The verifier's answer. `ok` is true only when every check applicable to the bundle
 * type passed. `payload`, `entry` and `checkpoint` are what the bundle claims, present
 * whenever they parsed — trust them only when `ok` is true.
 */
export interface VerifyResult {
  ok: boolean;
  type: BundleType | 'unknown';
  checks: VerifyCheck[];
  payload?: CertificatePayload;
  entry?: LogEvent;
  checkpoint?: { origin: string; size: number; rootHash: string };
}

/** A certificate key the verifier trusts, with the window in which it may sign (RFC 3339 times; `null` = still active). */
export interface TrustedCertificateKey {
  vkey: string;
  validFrom: string;
  validUntil: string | null;
}

/** The keys the verifier trusts: log keys (vkeys named by the log origin) and certificate keys with windows. */
export interface TrustedKeys {
  logKeys: string[];
  certificateKeys: TrustedCertificateKey[];
}

/**
 * The injected Ed25519 verification (RFC 8032 §5.1.7): `publicKey` 32 bytes,
 * `signature` 64 bytes (the verifier checks sizes first). May be synchronous or not.
 * Adapters: `nobleEd25519` (crypto-noble.ts), `webCryptoEd25519` (crypto-web.ts),
 * `nodeEd25519` (crypto-node.ts, Node only).
 */
export interface Ed25519Verify {
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

const CHECKS: Record<BundleType, VerifyCheckName[]> = {
  certificate: ['format', 'checkpoint_signature', 'inclusion_proof', 'entry_matches_payload', 'certificate_signature', 'key_validity'],
  evidence: ['format', 'checkpoint_signature', 'inclusion_proof'],
  pledge: ['format', 'checkpoint_signature', 'inclusion_proof'],
};

/** Entry kinds each receipt type may prove. */
const RECEIPT_KIND_PREFIX: Record<Exclude<BundleType, 'certificate'>, string> = {
  evidence: 'evidence.',
  pledge: 'pledge.',
};

async function safeVerify(crypto: Ed25519Verify, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return (await crypto.verifyEd25519(publicKey, message, signature)) === true;
  } catch {
    return false;
  }
}

interface ParsedTrust {
  log: { name: string; keyId: number; publicKey: Uint8Array }[];
  certificate: { name: string; keyId: string; publicKey: Uint8Array; from: number; until: number | null }[];
}

function parseTime(text: unknown): number {
  const t = typeof text === 'string' ? Date.parse(text) : NaN;
  if (!Number.isFinite(t)) throw new CertificateError('invalid_trusted_key', 'a trusted key has an invalid validity window');
  return t;
}

/** Parses the caller's trust set; a malformed trusted key is a caller error and throws. */
function parseTrust(trust: TrustedKeys): ParsedTrust {
  if (typeof trust !== 'object' || trust === null || !Array.isArray(trust.logKeys) || !Array.isArray(trust.certificateKeys)) {
    throw new CertificateError('invalid_trusted_key', 'trusted keys must list logKeys and certificateKeys');
  }
  const parse = (vkey: string) => {
    try {
      return parseVerifierKey(vkey);
    } catch {
      throw new CertificateError('invalid_trusted_key', 'a trusted key is not a valid vkey');
    }
  };
  const log = trust.logKeys.map(parse);
  const certificate = trust.certificateKeys.map((k) => {
    const { name, keyId, publicKey } = parse(k.vkey);
    const from = parseTime(k.validFrom);
    const until = k.validUntil === null ? null : parseTime(k.validUntil);
    return { name, keyId: formatKeyId(keyId), publicKey, from, until };
  });
  return { log, certificate };
}

/** The outcome of {@link openCheckpoint}. */
export type OpenedCheckpoint =
  | { ok: true; checkpoint: Checkpoint }
  | { ok: false; code: 'bad_format' | 'unknown_key' | 'bad_signature'; detail: string };

/**
 * Verifies a signed checkpoint note (C2SP signed-note + tlog-checkpoint) against trusted
 * log vkeys: the note and its body must parse strictly, and a trusted key whose name
 * equals the checkpoint's origin must have signed it, with every signature by a
 * trusted key valid. Used by the bundle verifier and by online consistency checks.
 * @throws CertificateError `invalid_trusted_key` for a malformed vkey.
 */
export async function openCheckpoint(note: string, logKeys: string[], crypto: Ed25519Verify): Promise<OpenedCheckpoint> {
  const trusted = parseTrust({ logKeys, certificateKeys: [] }).log;
  return openCheckpointWith(note, trusted, crypto);
}

function checkpointBody(note: string): Checkpoint | undefined {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return undefined;
  try {
    return parseCheckpoint(note.slice(0, split + 1));
  } catch {
    return undefined;
  }
}

async function openCheckpointWith(note: string, trusted: ParsedTrust['log'], crypto: Ed25519Verify): Promise<OpenedCheckpoint> {
  // Form first, without keys: openNote with no verifiers parses everything, then
  // reports note_unverified (nobody known signed) — or malformed_note.
  try {
    await openNote(note, []);
  } catch (e) {
    if (!(e instanceof LedgerError) || e.code !== 'note_unverified') return { ok: false, code: 'bad_format', detail: 'checkpoint is not a signed note' };
  }
  const body = checkpointBody(note);
  if (body === undefined) return { ok: false, code: 'bad_format', detail: 'checkpoint body does not parse' };

  // Only keys named by the origin may sign a checkpoint (DESIGN §3: key name = origin).
  let called = false;
  const verifiers: NoteVerifier[] = [];
  const seen = new Set<string>();
  for (const k of trusted) {
    const id = `${k.keyId}:${k.name}`;
    if (k.name !== body.origin || seen.has(id)) continue;
    seen.add(id);
    verifiers.push({
      name: k.name,
      keyId: k.keyId,
      verify: async (message, signature) => {
        called = true;
        return safeVerify(crypto, k.publicKey, message, signature);
      },
    });
  }
  try {
    const opened = await openNote(note, verifiers);
    if (opened.verified.length === 0) return { ok: false, code: 'unknown_key', detail: 'no trusted log key signed the checkpoint' };
    return { ok: true, checkpoint: body };
  } catch (e) {
    if (e instanceof LedgerError && e.code === 'note_unverified') {
      return called
        ? { ok: false, code: 'bad_signature', detail: 'the checkpoint signature does not verify' }
        : { ok: false, code: 'unknown_key', detail: 'no trusted log key signed the checkpoint' };
    }
    return { ok: false, code: 'bad_format', detail: 'checkpoint is not a signed note' };
  }
}

interface Parsed {
  bundle: Bundle;
  payloadBytes?: Uint8Array;
  payload?: CertificatePayload;
  entryBytes: Uint8Array;
  entry: LogEvent;
  checkpoint: Checkpoint;
  proof: Uint8Array[];
  sig?: Uint8Array;
}

type FormatOutcome = { ok: true; parsed: Parsed } | { ok: false; type: BundleType | 'unknown'; detail: string; partial: Partial<Parsed> };

async function checkFormat(input: unknown): Promise<FormatOutcome> {
  let bundle: Bundle;
  try {
    bundle = parseBundle(input);
  } catch {
    const t = (input as { type?: unknown } | null)?.type;
    const type = typeof input === 'object' && (t === 'certificate' || t === 'evidence' || t === 'pledge') ? t : 'unknown';
    return { ok: false, type, detail: 'bundle does not match the datadeed-bundle/1 format', partial: {} };
  }
  const partial: Partial<Parsed> = { bundle };
  const fail = (detail: string): FormatOutcome => ({ ok: false, type: bundle.type, detail, partial });

  if (bundle.payload !== undefined) {
    partial.payloadBytes = utf8(bundle.payload);
    try {
      partial.payload = parseCertificatePayload(partial.payloadBytes);
    } catch (e) {
      return fail(
        e instanceof CertificateError && e.code === 'non_canonical_payload' ? 'payload is not in RFC 8785 canonical form' : 'payload does not match the certificate schema',
      );
    }
  }
  partial.entryBytes = fromBase64(bundle.entry.data);
  try {
    partial.entry = decodeEntry(partial.entryBytes);
  } catch {
    return fail('log entry is not a canonical event');
  }
  if (bundle.type !== 'certificate' && !partial.entry.kind.startsWith(RECEIPT_KIND_PREFIX[bundle.type])) {
    return fail('log entry kind does not fit the bundle type');
  }
  const body = checkpointBody(bundle.checkpoint);
  try {
    await openNote(bundle.checkpoint, []);
  } catch (e) {
    if (!(e instanceof LedgerError) || e.code !== 'note_unverified' || body === undefined) return fail('checkpoint is not a signed checkpoint note');
  }
  if (body === undefined) return fail('checkpoint is not a signed checkpoint note');
  partial.checkpoint = body;
  partial.proof = bundle.inclusion.proof.map((h) => fromHex(h));
  if (bundle.signature !== undefined) partial.sig = fromBase64(bundle.signature.sig);
  return { ok: true, parsed: partial as Parsed };
}

function inclusionCheck(p: Parsed): VerifyCheck {
  const name = 'inclusion_proof';
  if (p.bundle.inclusion.treeSize !== p.checkpoint.size) {
    return { name, ok: false, code: 'inclusion_mismatch', detail: 'the proof is for a tree size other than the checkpoint’s' };
  }
  try {
    verifyInclusion(rfc6962, p.bundle.entry.index, p.checkpoint.size, rfc6962.hashLeaf(p.entryBytes), p.proof, p.checkpoint.rootHash);
    return { name, ok: true, code: 'ok' };
  } catch (e) {
    const code = e instanceof LedgerError ? e.code : 'inclusion_mismatch';
    const detail =
      code === 'index_out_of_range'
        ? 'the entry index is outside the checkpoint’s tree'
        : code === 'proof_wrong_length'
          ? 'the proof has the wrong number of hashes'
          : 'the proof does not lead to the checkpoint’s root hash';
    return { name, ok: false, code: 'inclusion_mismatch', detail };
  }
}

const ENTRY_FIELDS = [
  'kind',
  'time',
  'number',
  'version',
  'holderUscc',
  'manifestRoot',
  'files',
  'bytes',
  'validFrom',
  'validUntil',
  'keyId',
  'supersedes',
  'depositId',
  'payloadDigest',
] as const;

function entryCheck(p: Parsed): VerifyCheck {
  const name = 'entry_matches_payload';
  const payload = p.payload!;
  if (payload.origin !== p.checkpoint.origin) return { name, ok: false, code: 'origin_mismatch', detail: 'the payload names another log than the checkpoint' };
  if (payload.log.index !== p.bundle.entry.index) return { name, ok: false, code: 'entry_mismatch', detail: 'the payload names another log index' };
  if (payload.log.leafHash !== toHex(rfc6962.hashLeaf(p.entryBytes))) {
    return { name, ok: false, code: 'entry_mismatch', detail: 'the payload names another leaf hash' };
  }
  const expected = certificateIssuedEvent(payload);
  if (bytesEqual(encodeEntry(expected), p.entryBytes)) return { name, ok: true, code: 'ok' };
  const actual = p.entry as Record<string, unknown>;
  const differing = ENTRY_FIELDS.find((f) => JSON.stringify(actual[f]) !== JSON.stringify((expected as Record<string, unknown>)[f]));
  return {
    name,
    ok: false,
    code: 'entry_mismatch',
    detail: differing ? `entry field ${differing} differs from the payload` : 'the entry has fields a certificate.issued entry does not have',
  };
}

function matchingCertificateKeys(p: Parsed, trust: ParsedTrust): ParsedTrust['certificate'] {
  const payload = p.payload!;
  const keyName = certificateKeyName(payload.origin);
  return trust.certificate.filter((k) => k.keyId === payload.keyId && k.name === keyName);
}

async function signatureCheck(p: Parsed, trust: ParsedTrust, crypto: Ed25519Verify): Promise<VerifyCheck> {
  const name = 'certificate_signature';
  if (p.bundle.signature!.keyId !== p.payload!.keyId) {
    return { name, ok: false, code: 'unknown_key', detail: 'the signature names another key than the payload' };
  }
  const keys = matchingCertificateKeys(p, trust);
  if (keys.length === 0) return { name, ok: false, code: 'unknown_key', detail: 'no trusted certificate key has this key ID' };
  const message = certificateSigningMessage(p.payloadBytes!);
  // Distinct public keys only (one key may be listed with several windows).
  const distinct = new Map(keys.map((k) => [toHex(k.publicKey), k.publicKey]));
  for (const publicKey of distinct.values()) {
    if (await safeVerify(crypto, publicKey, message, p.sig!)) return { name, ok: true, code: 'ok' };
  }
  return { name, ok: false, code: 'bad_signature', detail: 'the certificate signature does not verify' };
}

function keyValidityCheck(p: Parsed, trust: ParsedTrust): VerifyCheck {
  const name = 'key_validity';
  const keys = matchingCertificateKeys(p, trust);
  if (keys.length === 0) return { name, ok: false, code: 'unknown_key', detail: 'no trusted certificate key has this key ID' };
  const issued = Date.parse(p.payload!.issuedAt);
  const inWindow = keys.some((k) => k.from <= issued && (k.until === null || issued < k.until));
  return inWindow
    ? { name, ok: true, code: 'ok' }
    : { name, ok: false, code: 'key_not_valid_at_issue_date', detail: 'the certificate is dated outside its key’s validity window' };
}

/**
 * Verifies a bundle (DESIGN §5) offline: see the module comment for the checks.
 *
 * @param input - the bundle: JSON text, its bytes, or a parsed value (untrusted).
 * @param trust - trusted log vkeys (named by the log origin) and certificate vkeys
 *   (named `<origin>/certificate`) with their validity windows, e.g. from `/v1/keys`.
 * @param crypto - the Ed25519 verification to use.
 * @returns every applicable check; `ok` only if all passed. Never throws for a bad bundle.
 * @throws CertificateError `invalid_trusted_key` when `trust` itself is malformed.
 */
export async function verifyBundle(input: unknown, trust: TrustedKeys, crypto: Ed25519Verify): Promise<VerifyResult> {
  const parsedTrust = parseTrust(trust);
  const format = await checkFormat(input);
  if (!format.ok) {
    const names = format.type === 'unknown' ? (['format'] as VerifyCheckName[]) : CHECKS[format.type];
    const checks: VerifyCheck[] = names.map((name) =>
      name === 'format'
        ? { name, ok: false, code: 'bad_format', detail: format.detail }
        : { name, ok: false, code: 'not_checked', detail: 'not checked: the bundle format is invalid' },
    );
    const result: VerifyResult = { ok: false, type: format.type, checks };
    if (format.partial.payload) result.payload = format.partial.payload;
    if (format.partial.entry) result.entry = format.partial.entry;
    return result;
  }
  const p = format.parsed;
  const type = p.bundle.type;

  // Field-by-field checks (hashing only) before any public key is used.
  const byName = new Map<VerifyCheckName, VerifyCheck>();
  byName.set('format', { name: 'format', ok: true, code: 'ok' });
  byName.set('inclusion_proof', inclusionCheck(p));
  if (type === 'certificate') {
    byName.set('entry_matches_payload', entryCheck(p));
    byName.set('key_validity', keyValidityCheck(p, parsedTrust));
  }
  // Signatures.
  const cp = await openCheckpointWith(p.bundle.checkpoint, parsedTrust.log, crypto);
  byName.set('checkpoint_signature', cp.ok ? { name: 'checkpoint_signature', ok: true, code: 'ok' } : { name: 'checkpoint_signature', ok: false, code: cp.code, detail: cp.detail });
  if (type === 'certificate') byName.set('certificate_signature', await signatureCheck(p, parsedTrust, crypto));

  const checks = CHECKS[type].map((n) => byName.get(n)!);
  const result: VerifyResult = {
    ok: checks.every((c) => c.ok),
    type,
    checks,
    entry: p.entry,
    checkpoint: { origin: p.checkpoint.origin, size: p.checkpoint.size, rootHash: toHex(p.checkpoint.rootHash) },
  };
  if (p.payload) result.payload = p.payload;
  return result;
}
