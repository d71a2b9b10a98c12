/**
 * Notarial attestation of a deposit (公证, issue 17): a notary office that witnessed the
 * extraction of a dataset (保全证据) states, under its own Ed25519 key, that a digest is
 * the one of the data it witnessed, with its notarial certificate's number (公证书编号),
 * its name and the time of the act. The registry logs the statement as a
 * `notary.attested` entry (docs/log-format.md §6.2); anyone holding the entry checks the
 * signature without trusting the registry.
 *
 * The notary's key is its witness key (C2SP tlog-cosignature, type 0x04): the entry
 * carries it as a cosigner verifier key `<name>+<key ID>+<base64(0x04 ‖ public key)>`,
 * so a verifier whose trust policy (C2SP tlog-policy) lists that notary as a witness
 * recognises the attestation as that notary's. The signed message is domain-separated
 * from cosignatures (which start `cosignature/v1\n`):
 *
 *     "datadeed notary attestation v1\n" ‖ JCS({attestedAt, digest, notarialNumber, office, origin})
 *
 * Pure: Ed25519 is injected.
 */
import { canonicalJson, fromBase64, isUtcTimestamp, toBase64, utf8 } from '../ledger/index.ts';
import { parseCosignerKey, type CosignerKey, type Ed25519Sign, type Ed25519Verify } from './cosignature.ts';
import { WitnessError } from './errors.ts';

/** The first line of every signed attestation message. */
export const ATTESTATION_CONTEXT = 'datadeed notary attestation v1\n';
/** Longest notarial certificate number and office name, in characters. */
export const MAX_NOTARIAL_NUMBER = 100;
export const MAX_OFFICE_NAME = 200;

/** What a notary signs. */
export interface AttestationStatement {
  /** The log's origin (the registry the attestation is for). */
  origin: string;
  /** The SHA-256 digest or manifest root attested (64 lowercase hex digits). */
  digest: string;
  /** The notarial certificate's number, e.g. (2026)京长安内经证字第01234号. */
  notarialNumber: string;
  /** The notary office's name. */
  office: string;
  /** When the notarial act took place: RFC 3339 UTC with `Z`. */
  attestedAt: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
// one line of well-formed text: no controls, no lone surrogates, trimmed
const LINE = /^[^\p{Cc}\p{Cs}\u2028\u2029]+$/u;

function line(text: unknown, max: number): text is string {
  return typeof text === 'string' && text.length > 0 && [...text].length <= max && LINE.test(text) && text.trim() === text && text.normalize('NFC') === text;
}

/**
 * Checks a statement's members (form only).
 * @throws WitnessError `malformed_attestation` naming the member.
 */
export function checkStatement(s: AttestationStatement): AttestationStatement {
  const bad = (m: string) => new WitnessError('malformed_attestation', `attestation ${m} is malformed`);
  if (!line(s.origin, 500)) throw bad('origin');
  if (typeof s.digest !== 'string' || !HEX64.test(s.digest)) throw bad('digest');
  if (!line(s.notarialNumber, MAX_NOTARIAL_NUMBER)) throw bad('notarialNumber');
  if (!line(s.office, MAX_OFFICE_NAME)) throw bad('office');
  if (typeof s.attestedAt !== 'string' || !isUtcTimestamp(s.attestedAt)) throw bad('attestedAt');
  return { origin: s.origin, digest: s.digest, notarialNumber: s.notarialNumber, office: s.office, attestedAt: s.attestedAt };
}

/** The bytes a notary signs for `s` (see the module comment). */
export function attestationMessage(s: AttestationStatement): Uint8Array {
  const c = checkStatement(s);
  return utf8(ATTESTATION_CONTEXT + canonicalJson({ attestedAt: c.attestedAt, digest: c.digest, notarialNumber: c.notarialNumber, office: c.office, origin: c.origin }));
}

/** A signed attestation: the notary's cosigner verifier key and the base64 of its 64-byte Ed25519 signature. */
export interface SignedAttestation {
  notaryKey: string;
  signature: string;
}

/** Signs a statement with a notary's key (its witness key; `sign` holds the seed). */
export async function signAttestation(s: AttestationStatement, notaryKey: string, sign: Ed25519Sign): Promise<SignedAttestation> {
  parseCosignerKey(notaryKey);
  const sig = await sign(attestationMessage(s));
  return { notaryKey, signature: toBase64(sig) };
}

/** The outcome of {@link verifyAttestation}. */
export type AttestationCheck =
  | { ok: true; key: CosignerKey }
  | { ok: false; reason: 'malformed' | 'bad_signature'; key?: CosignerKey };

/**
 * Checks a notary's signature over a statement: the key must be an Ed25519 cosigner
 * verifier key (key ID matching name and key), the signature canonical base64 of 64
 * bytes that verifies over {@link attestationMessage}. Never throws.
 */
export async function verifyAttestation(s: AttestationStatement, signed: SignedAttestation, verify: Ed25519Verify): Promise<AttestationCheck> {
  let key: CosignerKey;
  let message: Uint8Array;
  let sig: Uint8Array;
  try {
    key = parseCosignerKey(signed.notaryKey);
    message = attestationMessage(s);
    sig = fromBase64(signed.signature);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (sig.length !== 64) return { ok: false, reason: 'malformed', key };
  let good = false;
  try {
    good = (await verify(key.publicKey, message, sig)) === true;
  } catch {
    good = false;
  }
  return good ? { ok: true, key } : { ok: false, reason: 'bad_signature', key };
}

/** The statement and signature a `notary.attested` entry carries (undefined when a member is missing or not a string). */
export function attestationOfEntry(entry: Record<string, unknown>, origin: string): { statement: AttestationStatement; signed: SignedAttestation } | undefined {
  const s = (k: string) => (typeof entry[k] === 'string' ? (entry[k] as string) : undefined);
  const digest = s('digest');
  const notarialNumber = s('notarialNumber');
  const office = s('office');
  const attestedAt = s('attestedAt');
  const notaryKey = s('notaryKey');
  const signature = s('signature');
  if (!digest || !notarialNumber || !office || !attestedAt || !notaryKey || !signature) return undefined;
  return { statement: { origin, digest, notarialNumber, office, attestedAt }, signed: { notaryKey, signature } };
}
