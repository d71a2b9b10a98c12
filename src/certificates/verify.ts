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
 * | `entry_matches_payload` | ✓ |   | the entry is exactly `certificateIssuedEvent(payload, links)` with the entry's own well-formed links to earlier entries (docs/log-format.md §7.2); the payload's `log` names this entry's index and leaf hash; same origin as the checkpoint |
 * | `certificate_signature` | ✓ |   | a certificate key (`<origin>/certificate`, the payload's key ID) signed "datadeed certificate v1\n" ‖ payload: a key of the caller's trust set, or the key the bundle's `certificateKey` proves was logged |
 * | `key_validity`          | ✓ |   | the payload's `issuedAt` lies in that key's validity window [validFrom, validUntil) |
 * | `timestamp`             | ✓ | ✓ | with TSA roots only: the bundle's RFC 3161 token is over its checkpoint's body, signed by a time-stamping certificate with a path to a trusted root |
 * | `cosignatures`          | ✓ | ✓ | with a trust policy (C2SP tlog-policy) only: the checkpoint's witness cosignatures (C2SP tlog-cosignature) meet the policy's quorum, and no cosignature line of a policy witness is bad |
 * | `notary_attestations`   | ✓ | evidence | when the bundle carries attestations: each is a `notary.attested` entry included in the checkpoint's tree, of the bundle's digest (the deposit's, or the certificate's manifest root), signed by the notary key it names over the statement (src/witness/attestation.ts); a notary key that is a witness of the caller's policy is named by its policy name |
 *
 * One trust anchor: a certificate key is trusted either because the caller lists it, or
 * because the bundle carries its `key.added` entry (purpose `certificate`) with an
 * inclusion proof in the checkpoint's tree, at a log index before the certificate's
 * entry; the checkpoint itself must be signed by a trusted log key (`checkpoint_signature`).
 * A logged key's window starts at its entry's time and is open (its retirement, if any, is
 * a later entry the online status reports).
 *
 * A receipt proves one entry: an evidence receipt an `evidence.deposited` (a deposit of a
 * digest), a pledge receipt a `pledge.recorded` or — the release receipt — a
 * `pledge.released`; the result's `subject` names which deposit, pledge (recorded or
 * released) or certificate.
 *
 * Everything is parsed and compared field by field before any public key is touched;
 * a check that cannot run because `format` failed is reported as `not_checked`.
 * Details are fixed strings that never echo bundle content.
 */
import { bytesEqual, fromBase64, fromHex, toHex, utf8, withNodeMemo } from '../ledger/index.ts';
import { parseCheckpoint, type Checkpoint } from '../ledger/index.ts';
import { decodeEntry, decodeEntryWithText, encodeEntryText, type LogEvent } from '../ledger/index.ts';
import { LedgerError } from '../ledger/index.ts';
import { rfc6962 } from '../ledger/index.ts';
import { openNote, parseSignedNote, parseVerifierKey, type NoteVerifier } from '../ledger/index.ts';
import type { Hasher } from '../ledger/index.ts';
import { verifyInclusion } from '../ledger/index.ts';
import { checkpointTimestampMessage, verifyTimestampToken, type SignatureVerify } from '../ledger/index.ts';
import { attestationOfEntry, evaluatePolicy, hexKeyId, parsePolicy, verifyAttestation, type Policy } from '../witness/index.ts';
import { parseBundleWithBytes, type Bundle, type BundleBytes, type BundleType } from './bundle.ts';
import { CertificateError } from './errors.ts';
import { certificatePayloadDigestOfText, issuanceLinksOf, issuedEventOfChecked, parseCertificatePayloadText, parseIssuanceLinks, type CertificatePayload, type IssuanceLinks } from './payload.ts';
import { certificateKeyName, certificateSigningMessage, formatKeyId } from './signature.ts';

/** The names of the checks, in report order (`pdf_binding` only when a PDF was verified, see pdf-extract.ts). */
export type VerifyCheckName =
  | 'format'
  | 'checkpoint_signature'
  | 'inclusion_proof'
  | 'entry_matches_payload'
  | 'certificate_signature'
  | 'key_validity'
  | 'cosignatures'
  | 'timestamp'
  | 'notary_attestations'
  | 'pdf_binding'
  | 'pdf_signature';

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
 * - `cosignature_missing` — the witnesses that cosigned do not meet the policy's quorum; `witnesses.missing` names those without a cosignature.
 * - `timestamp_missing` — TSA roots were given but the bundle carries no time-stamp token.
 * - `timestamp_mismatch` — the token's message imprint is not the hash of the bundle's checkpoint (a token over another checkpoint).
 * - `untrusted_tsa` — the token's certificate has no path to a trusted TSA root, is not valid at the time stamped, or is not a time-stamping certificate.
 * - `attestation_invalid` — a notarial attestation the bundle carries is not a `notary.attested` entry of this digest in the checkpoint's tree, or its notary signature does not verify.
 * - `cosignature_invalid` — a policy witness's cosignature line is there but does not verify (tampered, malformed, repeated or from the future); `witnesses.invalid` names it.
 * - `pdf_unsigned`, `pdf_byte_range_invalid`, `pdf_signature_invalid`, `pdf_digest_mismatch`,
 *   `pdf_signer_untrusted` — the PDF's own signature (check `pdf_signature`; the
 *   CertificateError codes of the same names, see errors.ts).
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
  | 'pdf_mismatch'
  | 'cosignature_missing'
  | 'cosignature_invalid'
  | 'timestamp_missing'
  | 'timestamp_mismatch'
  | 'untrusted_tsa'
  | 'attestation_invalid'

  | 'pdf_unsigned'
  | 'pdf_byte_range_invalid'
  | 'pdf_signature_invalid'
  | 'pdf_digest_mismatch'
  | 'pdf_signer_untrusted';

/** One check's outcome. `detail` is a fixed explanation, never bundle content (witness names come from the caller's policy). */
export interface VerifyCheck {
  name: VerifyCheckName;
  ok: boolean;
  code: VerifyCode;
  detail?: string;
  /** `cosignatures`: the policy's witnesses (by their policy names) that cosigned, are missing, or whose line is bad. */
  witnesses?: { signed: { name: string; timestamp: number }[]; missing: string[]; invalid: { name: string; reason: string }[] };
}

/** Optional inputs of {@link verifyBundle}. */
export interface VerifyOptions {
  /**
   * A trust policy (C2SP tlog-policy text, or parsed): its `log` keys are trusted like
   * `trust.logKeys`, and the checkpoint must carry witness cosignatures meeting its
   * quorum (the `cosignatures` check).
   */
  policy?: string | Policy;
  /** The verifier's clock, POSIX seconds: cosignatures dated more than 5 minutes later are bad. */
  now?: number;
  /** Trusted time-stamp authorities: root certificates (DER) and the public-key verification to use; with them the `timestamp` check runs. */
  tsa?: { roots: Uint8Array[]; crypto: SignatureVerify };
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
  /** What the bundle proves (a certificate, a deposit, a pledge recorded or released), named from its entry. */
  subject?: ReceiptSubject;
  checkpoint?: { origin: string; size: number; rootHash: string };
  /** The independent time of the checkpoint, when the `timestamp` check passed. */
  timestamp?: { genTime: string; tsa: string };
  /** The notarial attestations the bundle carries that verified (check `notary_attestations`). */
  attestations?: VerifiedAttestation[];
}

/** A notarial attestation that verified: who attested what, when, under which key. */
export interface VerifiedAttestation {
  index: number;
  /** When the registry logged it. */
  time: string;
  office: string;
  notarialNumber: string;
  attestedAt: string;
  digest: string;
  /** The notary key's name and key ID (8 hex). */
  keyName: string;
  keyId: string;
  /** The caller's policy name of the witness whose key this is, if any. */
  witness?: string;
}

/** A certificate key the verifier trusts, with the window in which it may sign (RFC 3339 times; `null` = still active). */
export interface TrustedCertificateKey {
  vkey: string;
  validFrom: string;
  validUntil: string | null;
}

/** A document-signing certificate the verifier trusts, with the CA certificate that issued it (base64 DER each, as `/v1/keys` serves them). */
export interface TrustedDocumentKey {
  certificate: string;
  caCertificate: string;
}

/**
 * The keys the verifier trusts: log keys (vkeys named by the log origin), certificate
 * keys with windows, and document-signing certificates (PDF signatures; a PDF also
 * carries the proof that the log holds its signer's, which the log keys verify).
 */
export interface TrustedKeys {
  logKeys: string[];
  certificateKeys: TrustedCertificateKey[];
  documentKeys?: TrustedDocumentKey[];
}

/**
 * The injected Ed25519 verification (RFC 8032 §5.1.7): `publicKey` 32 bytes,
 * `signature` 64 bytes (the verifier checks sizes first). May be synchronous or not.
 * Adapters: `nobleEd25519` (crypto-noble.ts), `webCryptoEd25519` (crypto-web.ts),
 * `nodeEd25519` (crypto-node.ts, Node only).
 */
export interface Ed25519Verify {
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
  /**
   * The RFC 6962 hasher of the proofs (default: `rfc6962`, pure JavaScript; the
   * node:crypto adapter brings OpenSSL's). Any hasher gives the same hashes.
   */
  hasher?: Hasher;
  /**
   * SHA-256 (FIPS 180-4) of the certificate's payload digest (default: the ledger's
   * `sha256`, pure JavaScript; the node:crypto adapter brings OpenSSL's). Any
   * implementation gives the same digest.
   */
  sha256?(data: Uint8Array): Uint8Array;
}

const CHECKS: Record<BundleType, VerifyCheckName[]> = {
  certificate: ['format', 'checkpoint_signature', 'inclusion_proof', 'entry_matches_payload', 'certificate_signature', 'key_validity'],
  evidence: ['format', 'checkpoint_signature', 'inclusion_proof'],
  pledge: ['format', 'checkpoint_signature', 'inclusion_proof'],
};

/** Entry kinds each receipt type may prove: a deposit; a pledge recorded, or released. */
const RECEIPT_KINDS: Record<Exclude<BundleType, 'certificate'>, readonly string[]> = {
  evidence: ['evidence.deposited'],
  pledge: ['pledge.recorded', 'pledge.released'],
};

/**
 * What a bundle proves, named from its entry (trust it only when the result is `ok`):
 * a certificate; a deposit (存证) of a digest; a pledge (质押) recorded against a
 * certificate, or its release — so a pledge's old receipt is never mistaken for the
 * current state of the pledge.
 */
export type ReceiptSubject =
  | { kind: 'certificate'; number: string; version: number }
  | { kind: 'deposit'; depositId: string; digest: string; depositor?: string; time: string }
  | { kind: 'pledge'; event: 'recorded' | 'released'; pledgeNumber: string; certificate: string; pledgee: string; time: string };

function subjectOf(type: BundleType, entry: LogEvent, payload?: CertificatePayload): ReceiptSubject | undefined {
  const e = entry as Record<string, unknown>;
  const text = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : undefined);
  if (type === 'certificate') return payload ? { kind: 'certificate', number: payload.number, version: payload.version } : undefined;
  if (type === 'evidence') {
    const depositId = text('depositId');
    const digest = text('digest');
    if (depositId === undefined || digest === undefined) return undefined;
    const depositor = text('depositor');
    return { kind: 'deposit', depositId, digest, ...(depositor !== undefined ? { depositor } : {}), time: entry.time };
  }
  const pledgeNumber = text('pledgeNumber');
  const certificate = text('number');
  const pledgee = text('pledgee');
  if (pledgeNumber === undefined || certificate === undefined || pledgee === undefined) return undefined;
  return { kind: 'pledge', event: entry.kind === 'pledge.released' ? 'released' : 'recorded', pledgeNumber, certificate, pledgee, time: entry.time };
}

async function safeVerify(crypto: Ed25519Verify, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    // A copy of the key: the trusted keys parsed once (`parsedKeys`) stay as parsed whatever an adapter does with its argument.
    return (await crypto.verifyEd25519(publicKey.slice(), message, signature)) === true;
  } catch {
    return false;
  }
}

interface ParsedTrust {
  /** Trusted log keys, each with its vkey text (which determines name, key ID and key). */
  log: { name: string; keyId: number; publicKey: Uint8Array; vkey: string }[];
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
  const log = trust.logKeys.map((vkey) => ({ ...trustedVerifierKey(vkey), vkey }));
  const certificate = trust.certificateKeys.map((k) => {
    const { name, keyId, publicKey } = trustedVerifierKey(k.vkey);
    const from = parseTime(k.validFrom);
    const until = k.validUntil === null ? null : parseTime(k.validUntil);
    return { name, keyId: formatKeyId(keyId), publicKey, from, until };
  });
  return { log, certificate };
}

/** A caller's trusted vkey, parsed (C2SP signed-note verifier key). @throws CertificateError `invalid_trusted_key`. */
function trustedVerifierKey(vkey: string): ParsedVerifierKey {
  const known = typeof vkey === 'string' ? parsedKeys.get(vkey) : undefined;
  // Shared, never written: safeVerify hands an adapter a copy of the key bytes.
  if (known !== undefined) return known;
  let parsed: ParsedVerifierKey;
  try {
    parsed = parseVerifierKey(vkey);
  } catch {
    throw new CertificateError('invalid_trusted_key', 'a trusted key is not a valid vkey');
  }
  if (parsedKeys.size >= MAX_PARSED_KEYS) parsedKeys.delete(parsedKeys.keys().next().value!);
  parsedKeys.set(vkey, parsed);
  return parsed;
}

type ParsedVerifierKey = { readonly name: string; readonly keyId: number; readonly publicKey: Uint8Array };

/**
 * Trusted vkeys already parsed, by their text: a verifier checks bundle after bundle
 * against the same trust set (its keys, `/v1/keys`), and re-parsing every vkey (base64,
 * key ID hash) on every call showed in profiles. Keyed by content, so a trust object
 * changed between calls is read afresh (tests/certificates/caches.test.ts).
 */
const parsedKeys = new Map<string, ParsedVerifierKey>();
const MAX_PARSED_KEYS = 256;

/**
 * Checkpoint notes already opened, by their exact text: the checkpoint body parsed from
 * it (the form checks passed), and per verification adapter the trusted key sets under
 * which every signature by a trusted key verified. A verifier checking many bundles
 * meets the same checkpoint note again and again (the certificates of one issuance
 * batch, every bundle served against the same published checkpoint); parsing the note,
 * the body, and the Ed25519 verification of the same keys over the same text and
 * signatures give the same answer every time, so they are done once.
 *
 * Only successes are kept, never a failure or an exception. The key is the note text
 * itself (never a digest), so nothing but the identical note matches; the key set is
 * the vkeys of the verifiers (name = origin) in order, so a trust set that adds a key
 * (whose signature on the note might be bad) or drops one is verified afresh; and per
 * adapter, so a test adapter that says yes to everything answers for itself only. A
 * note with other cosignature lines is another text and is verified afresh. The
 * certificate's own signature is per certificate and is always verified
 * ({@link signatureCheck}). Bodies are shared: the verifier only reads them, and
 * {@link openCheckpoint} hands out copies.
 */
interface OpenedNoteMemo {
  body: Checkpoint;
  verified: WeakMap<Ed25519Verify, Set<string>>;
}
const openedNotes = new Map<string, OpenedNoteMemo>();
const MAX_OPENED_NOTES = 1024;

/** Remembers that `crypto` verified `note` with the verifiers `keySet` (see {@link openedNotes}). */
function rememberOpenedNote(note: string, body: Checkpoint, crypto: Ed25519Verify, keySet: string): void {
  let memo = openedNotes.get(note);
  if (memo === undefined) {
    if (openedNotes.size >= MAX_OPENED_NOTES) openedNotes.delete(openedNotes.keys().next().value!);
    memo = { body, verified: new WeakMap() };
    openedNotes.set(note, memo);
  }
  let sets = memo.verified.get(crypto);
  if (sets === undefined) {
    sets = new Set();
    memo.verified.set(crypto, sets);
  }
  sets.add(keySet);
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
  const opened = await openCheckpointWith(note, trusted, crypto);
  if (!opened.ok) return opened;
  // A copy: the remembered body stays as parsed whatever the caller does with it.
  const { origin, size, rootHash, extensions } = opened.checkpoint;
  return { ok: true, checkpoint: { origin, size, rootHash: rootHash.slice(), extensions: [...extensions] } };
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

/**
 * `parsed`: the note's body, when the caller already parsed the note and its body
 * (`checkFormat` did, strictly, as below): the form checks are not repeated. A note
 * this adapter already opened with the same verifiers is not opened again
 * ({@link openedNotes}).
 */
async function openCheckpointWith(note: string, trusted: ParsedTrust['log'], crypto: Ed25519Verify, parsed?: Checkpoint): Promise<OpenedCheckpoint> {
  let body = parsed ?? openedNotes.get(note)?.body;
  if (body === undefined) {
    // Form first, without keys (nothing verified, no exception for a well-formed note).
    try {
      parseSignedNote(note);
    } catch {
      return { ok: false, code: 'bad_format', detail: 'checkpoint is not a signed note' };
    }
    body = checkpointBody(note);
    if (body === undefined) return { ok: false, code: 'bad_format', detail: 'checkpoint body does not parse' };
  }
  const origin = body.origin;

  // Only keys named by the origin may sign a checkpoint (DESIGN §3: key name = origin).
  const keys: ParsedTrust['log'] = [];
  const seen = new Set<string>();
  let keySet = '';
  for (const k of trusted) {
    const id = `${k.keyId}:${k.name}`;
    if (k.name !== origin || seen.has(id)) continue;
    seen.add(id);
    keys.push(k);
    keySet += `${k.vkey}\n`;
  }
  if (keys.length > 0 && openedNotes.get(note)?.verified.get(crypto)?.has(keySet)) return { ok: true, checkpoint: body };

  let called = false;
  const verifiers: NoteVerifier[] = keys.map((k) => ({
    name: k.name,
    keyId: k.keyId,
    verify: (message, signature) => {
      called = true;
      return safeVerify(crypto, k.publicKey, message, signature);
    },
  }));
  try {
    const opened = await openNote(note, verifiers);
    if (opened.verified.length === 0) return { ok: false, code: 'unknown_key', detail: 'no trusted log key signed the checkpoint' };
    rememberOpenedNote(note, body, crypto, keySet);
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
  /** The entry's text (strict UTF-8 decoding of `entryBytes`). */
  entryText: string;
  entry: LogEvent;
  checkpoint: Checkpoint;
  proof: Uint8Array[];
  sig?: Uint8Array;
  /** The `key.added` entry the bundle carries for its certificate key. */
  keyEntry?: { index: number; bytes: Uint8Array; event: LogEvent; proof: Uint8Array[] };
  /** The hasher of the proofs (the crypto adapter's, else `rfc6962`), and the entry's leaf hash by it. */
  hasher?: Hasher;
  leafHash?: Uint8Array;
  /** The SHA-256 of the payload digest (the crypto adapter's, else the ledger's). */
  sha256?: (data: Uint8Array) => Uint8Array;
  /** The `notary.attested` entries the bundle carries (bytes; decoded by the check). */
  attestations?: { index: number; bytes: Uint8Array; proof: Uint8Array[] }[];
}

/** The entry's RFC 6962 leaf hash, computed once per bundle. */
function entryLeafHash(p: Parsed): Uint8Array {
  p.leafHash ??= (p.hasher ?? rfc6962).hashLeaf(p.entryBytes);
  return p.leafHash;
}

type FormatOutcome = { ok: true; parsed: Parsed } | { ok: false; type: BundleType | 'unknown'; detail: string; partial: Partial<Parsed> };

function formatFailure(bundle: Bundle, detail: string, partial: Partial<Parsed>): FormatOutcome {
  return { ok: false, type: bundle.type, detail, partial };
}

function checkFormat(input: unknown): FormatOutcome {
  let bundle: Bundle;
  let decoded: BundleBytes | undefined;
  try {
    ({ bundle, bytes: decoded } = parseBundleWithBytes(input));
  } catch {
    const t = (input as { type?: unknown } | null)?.type;
    const type = typeof input === 'object' && (t === 'certificate' || t === 'evidence' || t === 'pledge') ? t : 'unknown';
    return { ok: false, type, detail: 'bundle does not match the datadeed-bundle/1 format', partial: {} };
  }
  const partial: Partial<Parsed> = { bundle };

  if (bundle.payload !== undefined) {
    partial.payloadBytes = utf8(bundle.payload);
    try {
      partial.payload = parseCertificatePayloadText(bundle.payload, partial.payloadBytes);
    } catch (e) {
      return formatFailure(
        bundle,
        e instanceof CertificateError && e.code === 'non_canonical_payload' ? 'payload is not in RFC 8785 canonical form' : 'payload does not match the certificate schema',
        partial,
      );
    }
  }
  partial.entryBytes = decoded?.entry ?? fromBase64(bundle.entry.data);
  try {
    const entry = decodeEntryWithText(partial.entryBytes);
    partial.entry = entry.event;
    partial.entryText = entry.text;
  } catch {
    return formatFailure(bundle, 'log entry is not a canonical event', partial);
  }
  if (bundle.type !== 'certificate' && !RECEIPT_KINDS[bundle.type].includes(partial.entry.kind)) {
    return formatFailure(bundle, 'log entry kind does not fit the bundle type', partial);
  }
  if (bundle.type !== 'certificate' && subjectOf(bundle.type, partial.entry) === undefined) {
    return formatFailure(bundle, 'log entry does not name what the receipt proves', partial);
  }
  // A note opened before passed these form checks (see openedNotes).
  let body = openedNotes.get(bundle.checkpoint)?.body;
  if (body === undefined) {
    body = checkpointBody(bundle.checkpoint);
    try {
      parseSignedNote(bundle.checkpoint);
    } catch {
      return formatFailure(bundle, 'checkpoint is not a signed checkpoint note', partial);
    }
    if (body === undefined) return formatFailure(bundle, 'checkpoint is not a signed checkpoint note', partial);
  }
  partial.checkpoint = body;
  partial.proof = decoded?.proof ?? bundle.inclusion.proof.map((h) => fromHex(h));
  if (bundle.signature !== undefined) partial.sig = decoded?.sig ?? fromBase64(bundle.signature.sig);
  if (bundle.certificateKey !== undefined) {
    const bytes = decoded?.keyEntry ?? fromBase64(bundle.certificateKey.entry.data);
    let event: LogEvent;
    try {
      event = decodeEntry(bytes);
    } catch {
      return formatFailure(bundle, 'certificate key entry is not a canonical event', partial);
    }
    if (event.kind !== 'key.added' || event.purpose !== 'certificate') return formatFailure(bundle, 'certificate key entry is not a key.added entry of a certificate key', partial);
    partial.keyEntry = { index: bundle.certificateKey.entry.index, bytes, event, proof: decoded?.keyProof ?? bundle.certificateKey.proof.map((h) => fromHex(h)) };
  }
  if (bundle.attestations !== undefined)
    partial.attestations = bundle.attestations.map((a) => ({ index: a.entry.index, bytes: fromBase64(a.entry.data), proof: a.proof.map((h) => fromHex(h)) }));
  return { ok: true, parsed: partial as Parsed };
}

function inclusionCheck(p: Parsed): VerifyCheck {
  const name = 'inclusion_proof';
  if (p.bundle.inclusion.treeSize !== p.checkpoint.size) {
    return { name, ok: false, code: 'inclusion_mismatch', detail: 'the proof is for a tree size other than the checkpoint’s' };
  }
  try {
    verifyInclusion(p.hasher ?? rfc6962, p.bundle.entry.index, p.checkpoint.size, entryLeafHash(p), p.proof, p.checkpoint.rootHash);
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
  if (payload.log.leafHash !== toHex(entryLeafHash(p))) {
    return { name, ok: false, code: 'entry_mismatch', detail: 'the payload names another leaf hash' };
  }
  // The entry's links to the rest of the log (application, approval, deposits, the
  // previous event) are not in the payload: they must be well-formed and point back.
  let links: IssuanceLinks;
  try {
    links = parseIssuanceLinks(issuanceLinksOf(p.entry as Record<string, unknown>));
  } catch {
    return { name, ok: false, code: 'entry_mismatch', detail: 'the entry’s links to the log are malformed' };
  }
  const at = p.bundle.entry.index;
  if ([links.approval, links.prev, ...(links.deposits ?? [])].some((i) => i !== undefined && i >= at))
    return { name, ok: false, code: 'entry_mismatch', detail: 'the entry links to an entry that is not before it' };
  // The payload passed its schema (format) and so did the links: no second check.
  const expected = issuedEventOfChecked(payload, links, p.sha256, certificatePayloadDigestOfText(p.bundle.payload!, payload, p.sha256));
  // The same text is the same bytes (the entry's text is its strict UTF-8 decoding).
  if (encodeEntryText(expected) === p.entryText) return { name, ok: true, code: 'ok' };
  const actual = p.entry as Record<string, unknown>;
  const differing = ENTRY_FIELDS.find((f) => JSON.stringify(actual[f]) !== JSON.stringify((expected as Record<string, unknown>)[f]));
  return {
    name,
    ok: false,
    code: 'entry_mismatch',
    detail: differing ? `entry field ${differing} differs from the payload` : 'the entry has fields a certificate.issued entry does not have',
  };
}

/**
 * The certificate key the bundle proves was logged: its `key.added` entry is included
 * in the checkpoint's tree before the certificate's entry, names this origin's
 * certificate key with the payload's key ID, and its vkey and public key agree.
 * Undefined when the bundle carries none or it does not hold (hash checks only; the
 * checkpoint signature is checked on its own).
 */
function loggedCertificateKey(p: Parsed): ParsedTrust['certificate'][number] | undefined {
  const k = p.keyEntry;
  if (!k || !p.payload) return undefined;
  if (k.index >= p.bundle.entry.index) return undefined;
  try {
    verifyInclusion(p.hasher ?? rfc6962, k.index, p.checkpoint.size, (p.hasher ?? rfc6962).hashLeaf(k.bytes), k.proof, p.checkpoint.rootHash);
  } catch {
    return undefined;
  }
  const e = k.event as Record<string, unknown>;
  if (typeof e.vkey !== 'string' || typeof e.publicKey !== 'string' || typeof e.keyId !== 'string') return undefined;
  let parsed: { name: string; keyId: number; publicKey: Uint8Array };
  try {
    parsed = parseVerifierKey(e.vkey);
  } catch {
    return undefined;
  }
  const keyId = formatKeyId(parsed.keyId);
  if (keyId !== e.keyId || toHex(parsed.publicKey) !== e.publicKey) return undefined;
  if (parsed.name !== certificateKeyName(p.payload.origin) || keyId !== p.payload.keyId) return undefined;
  const from = Date.parse(k.event.time);
  if (!Number.isFinite(from)) return undefined;
  return { name: parsed.name, keyId, publicKey: parsed.publicKey, from, until: null };
}

function matchingCertificateKeys(p: Parsed, trust: ParsedTrust): ParsedTrust['certificate'] {
  const payload = p.payload!;
  const keyName = certificateKeyName(payload.origin);
  const trusted = trust.certificate.filter((k) => k.keyId === payload.keyId && k.name === keyName);
  const logged = loggedCertificateKey(p);
  return logged ? [...trusted, logged] : trusted;
}

async function signatureCheck(p: Parsed, trust: ParsedTrust, crypto: Ed25519Verify): Promise<VerifyCheck> {
  const name = 'certificate_signature';
  if (p.bundle.signature!.keyId !== p.payload!.keyId) {
    return { name, ok: false, code: 'unknown_key', detail: 'the signature names another key than the payload' };
  }
  const keys = matchingCertificateKeys(p, trust);
  if (keys.length === 0) return { name, ok: false, code: 'unknown_key', detail: 'no trusted or logged certificate key has this key ID' };
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
  if (keys.length === 0) return { name, ok: false, code: 'unknown_key', detail: 'no trusted or logged certificate key has this key ID' };
  const issued = Date.parse(p.payload!.issuedAt);
  const inWindow = keys.some((k) => k.from <= issued && (k.until === null || issued < k.until));
  return inWindow
    ? { name, ok: true, code: 'ok' }
    : { name, ok: false, code: 'key_not_valid_at_issue_date', detail: 'the certificate is dated outside its key’s validity window' };
}

/** The `cosignatures` check: the policy's quorum of witness cosignatures on the checkpoint note. */
async function cosignatureCheck(note: string, policy: Policy, crypto: Ed25519Verify, now: number | undefined): Promise<VerifyCheck> {
  const name = 'cosignatures';
  const e = await evaluatePolicy(note, policy, (publicKey, message, signature) => safeVerify(crypto, publicKey, message, signature), now === undefined ? {} : { now });
  const witnesses = {
    signed: e.signed.map((s) => ({ name: s.witness, timestamp: s.timestamp })),
    missing: e.missing.filter((m) => !e.invalid.some((i) => i.witness === m)),
    invalid: e.invalid.map((i) => ({ name: i.witness, reason: i.reason })),
  };
  if (e.failure === 'malformed_note') return { name, ok: false, code: 'bad_format', detail: 'checkpoint is not a signed note', witnesses };
  if (e.failure === 'log_signature_missing') return { name, ok: false, code: 'unknown_key', detail: 'no log key of the policy signed the checkpoint', witnesses };
  if (e.failure === 'log_signature_invalid') return { name, ok: false, code: 'bad_signature', detail: 'the checkpoint signature does not verify', witnesses };
  if (witnesses.invalid.length > 0)
    return { name, ok: false, code: 'cosignature_invalid', detail: `bad cosignature: ${witnesses.invalid.map((i) => `${i.name} (${i.reason})`).join(', ')}`, witnesses };
  if (!e.ok) return { name, ok: false, code: 'cosignature_missing', detail: `quorum not met; missing cosignature: ${witnesses.missing.join(', ')}`, witnesses };
  return { name, ok: true, code: 'ok', detail: witnesses.signed.length ? `cosigned by ${witnesses.signed.map((s) => s.name).join(', ')}` : 'the policy requires no cosignature', witnesses };
}

/** The `notary_attestations` check: every attestation the bundle carries holds (see the module comment). */
async function attestationCheck(p: Parsed, crypto: Ed25519Verify, policy: Policy | undefined): Promise<{ check: VerifyCheck; verified: VerifiedAttestation[] }> {
  const name: VerifyCheckName = 'notary_attestations';
  const digest = p.payload ? p.payload.dataset.manifestRoot : typeof p.entry.digest === 'string' ? p.entry.digest : undefined;
  const verified: VerifiedAttestation[] = [];
  const fail = (i: number, detail: string): { check: VerifyCheck; verified: VerifiedAttestation[] } => ({ check: { name, ok: false, code: 'attestation_invalid', detail: `attestation ${i + 1}: ${detail}` }, verified });
  for (const [i, a] of (p.attestations ?? []).entries()) {
    let event: LogEvent;
    try {
      event = decodeEntry(a.bytes);
    } catch {
      return fail(i, 'not a canonical log entry');
    }
    if (event.kind !== 'notary.attested') return fail(i, 'not a notary.attested entry');
    const att = attestationOfEntry(event as Record<string, unknown>, p.checkpoint.origin);
    if (!att) return fail(i, 'the entry lacks a member of the statement');
    if (digest === undefined || att.statement.digest !== digest) return fail(i, 'it attests another digest');
    try {
      verifyInclusion(rfc6962, a.index, p.checkpoint.size, rfc6962.hashLeaf(a.bytes), a.proof, p.checkpoint.rootHash);
    } catch {
      return fail(i, 'its inclusion proof does not lead to the checkpoint’s root hash');
    }
    const sig = await verifyAttestation(att.statement, att.signed, (k, m, s) => safeVerify(crypto, k, m, s));
    if (!sig.ok) return fail(i, sig.reason === 'malformed' ? 'the notary key or signature is malformed' : 'the notary signature does not verify');
    const witness = policy?.witnesses.find((w) => w.type === 'ed25519' && bytesEqual(w.publicKey, sig.key.publicKey))?.name;
    verified.push({
      index: a.index,
      time: event.time,
      office: att.statement.office,
      notarialNumber: att.statement.notarialNumber,
      attestedAt: att.statement.attestedAt,
      digest: att.statement.digest,
      keyName: sig.key.name,
      keyId: hexKeyId(sig.key.keyId),
      ...(witness !== undefined ? { witness } : {}),
    });
  }
  return { check: { name, ok: true, code: 'ok', detail: `attested by ${verified.map((v) => v.office).join(', ')}` }, verified };
}

/** The `timestamp` check: the bundle's RFC 3161 token over its checkpoint, from a trusted TSA. */
async function timestampCheck(p: Parsed, tsa: NonNullable<VerifyOptions['tsa']>): Promise<{ check: VerifyCheck; time?: { genTime: string; tsa: string } }> {
  const name = 'timestamp';
  if (p.bundle.timestamp === undefined) return { check: { name, ok: false, code: 'timestamp_missing', detail: 'the bundle carries no time-stamp token' } };
  const r = await verifyTimestampToken(fromBase64(p.bundle.timestamp), checkpointTimestampMessage(p.bundle.checkpoint), tsa.roots, tsa.crypto);
  if (!r.ok) return { check: { name, ok: false, code: r.failure, detail: r.detail } };
  return { check: { name, ok: true, code: 'ok', detail: `time-stamped ${r.genTime.toISOString()} by ${r.tsa}` }, time: { genTime: r.genTime.toISOString(), tsa: r.tsa } };
}

/** The checks reported for a bundle of type `t`, in report order. */
function checksFor(t: BundleType, policy: boolean, attested: boolean, tsa: boolean): VerifyCheckName[] {
  if (!policy && !attested && !tsa) return CHECKS[t];
  return [
    ...(policy ? [...CHECKS[t].slice(0, 2), 'cosignatures' as const, ...CHECKS[t].slice(2)] : CHECKS[t]),
    ...(attested ? ['notary_attestations' as const] : []),
    ...(tsa ? ['timestamp' as const] : []),
  ];
}

/**
 * Verifies a bundle (DESIGN §5) offline: see the module comment for the checks.
 *
 * @param input - the bundle: JSON text, its bytes, or a parsed value (untrusted).
 * @param trust - trusted log vkeys (named by the log origin) and certificate vkeys
 *   (named `<origin>/certificate`) with their validity windows, e.g. from `/v1/keys`.
 * @param crypto - the Ed25519 verification to use.
 * @returns every applicable check; `ok` only if all passed. Never throws for a bad bundle.
 * @param opts - a trust policy for witness cosignatures (see {@link VerifyOptions}).
 * @throws CertificateError `invalid_trusted_key` when `trust` itself is malformed,
 *   WitnessError `malformed_policy` when the policy text does not parse.
 */
export async function verifyBundle(input: unknown, trust: TrustedKeys, crypto: Ed25519Verify, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const policy = typeof opts.policy === 'string' ? parsePolicy(opts.policy) : opts.policy;
  const parsedTrust = parseTrust(policy ? { ...trust, logKeys: [...trust.logKeys, ...policy.logs.map((l) => l.vkey)] } : trust);
  const format = checkFormat(input);
  if (!format.ok) {
    const names = format.type === 'unknown' ? (['format'] as VerifyCheckName[]) : checksFor(format.type, !!policy, false, !!opts.tsa);
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
  // the proofs' interior nodes remembered across bundles: those under one checkpoint share the nodes near its root
  p.hasher = withNodeMemo(crypto.hasher ?? rfc6962);
  if (crypto.sha256) p.sha256 = crypto.sha256;
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
  const cp = await openCheckpointWith(p.bundle.checkpoint, parsedTrust.log, crypto, p.checkpoint);
  byName.set('checkpoint_signature', cp.ok ? { name: 'checkpoint_signature', ok: true, code: 'ok' } : { name: 'checkpoint_signature', ok: false, code: cp.code, detail: cp.detail });
  if (type === 'certificate') byName.set('certificate_signature', await signatureCheck(p, parsedTrust, crypto));
  if (policy) byName.set('cosignatures', await cosignatureCheck(p.bundle.checkpoint, policy, crypto, opts.now));
  let attested: VerifiedAttestation[] | undefined;
  if (p.attestations?.length) {
    const a = await attestationCheck(p, crypto, policy);
    byName.set('notary_attestations', a.check);
    if (a.check.ok) attested = a.verified;
  }
  let time: VerifyResult['timestamp'];
  if (opts.tsa) {
    const t = await timestampCheck(p, opts.tsa);
    byName.set('timestamp', t.check);
    time = t.time;
  }

  const checks = checksFor(type, !!policy, !!p.attestations?.length, !!opts.tsa).map((n) => byName.get(n)!);
  const result: VerifyResult = {
    ok: checks.every((c) => c.ok),
    type,
    checks,
    entry: p.entry,
    checkpoint: { origin: p.checkpoint.origin, size: p.checkpoint.size, rootHash: toHex(p.checkpoint.rootHash) },
  };
  if (p.payload) result.payload = p.payload;
  if (time) result.timestamp = time;
  if (attested) result.attestations = attested;
  const subject = subjectOf(type, p.entry, p.payload);
  if (subject) result.subject = subject;
  return result;
}
