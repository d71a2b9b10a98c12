/**
 * The registry's document-signing key as the log holds it, and the proof a signed PDF
 * carries of it (DESIGN §5b).
 *
 * A document key is announced like every signing key, by a `key.added` entry — of
 * purpose `document`, carrying its X.509 certificate and the certificate of the CA that
 * issued it, each as base64 DER with its SHA-256:
 *
 *     {"caCertificate":"<base64 DER>","caCertificateSha256":"<64 hex>",
 *      "certificate":"<base64 DER>","certificateSha256":"<64 hex>",
 *      "keyId":"<first 16 hex of certificateSha256>","kind":"key.added",
 *      "purpose":"document","time":"…","v":1}
 *
 * A signed PDF embeds, beside its verification bundle and before it is signed, the
 * proof `<keyId>.datadeed-key.json` that the log holds its signer's certificate:
 *
 *     { "format": "datadeed-key-proof/1",
 *       "entry": { "index": n, "data": "<base64 key.added entry>" },
 *       "inclusion": { "treeSize": m, "proof": ["<64 hex>", …] },
 *       "checkpoint": "<signed checkpoint note of size m>" }
 *
 * so that the log's verifier key alone verifies the document signature, as it does the
 * certificate signature (one trust anchor). Pure; runs in browsers.
 */
import * as z from 'zod/mini';
import { bytesEqual, fromBase64, fromHex, fromUtf8, sha256, toBase64, toHex, utf8 } from '../ledger/index.ts';
import { decodeEntry, MAX_ENTRY_BYTES, type LogEvent } from '../ledger/index.ts';
import { rfc6962, verifyInclusion } from '../ledger/index.ts';
import type { TrustedDocumentCertificate } from './cades.ts';
import { MAX_CHECKPOINT_BYTES, MAX_PROOF_HASHES } from './bundle.ts';
import { openCheckpoint, type Ed25519Verify } from './verify.ts';

/** The value of the proof's `format` member. */
export const DOCUMENT_KEY_PROOF_FORMAT = 'datadeed-key-proof/1';
/** The file name suffix of the proof embedded in a signed PDF. */
export const DOCUMENT_KEY_PROOF_SUFFIX = '.datadeed-key.json';
/** Largest accepted proof, in bytes. */
export const MAX_DOCUMENT_KEY_PROOF_BYTES = 256 * 1024;

/** A document key's ID: the first 16 hex digits of its certificate's SHA-256. */
export function documentKeyId(certificate: Uint8Array): string {
  return toHex(sha256(certificate)).slice(0, 16);
}

/** The name of the proof file of a document key: `<keyId>.datadeed-key.json`. */
export function documentKeyProofFileName(keyId: string): string {
  return `${keyId}${DOCUMENT_KEY_PROOF_SUFFIX}`;
}

/** The `key.added` event of a document key (see the module comment), without `v`. */
export function documentKeyAddedEvent(certificate: Uint8Array, caCertificate: Uint8Array, at: Date): LogEvent {
  return {
    kind: 'key.added',
    time: at.toISOString(),
    purpose: 'document',
    keyId: documentKeyId(certificate),
    certificate: toBase64(certificate),
    certificateSha256: toHex(sha256(certificate)),
    caCertificate: toBase64(caCertificate),
    caCertificateSha256: toHex(sha256(caCertificate)),
  };
}

/** A document key as a `key.added` entry names it. */
export interface LoggedDocumentKey extends TrustedDocumentCertificate {
  keyId: string;
  /** The entry's time: when the key became valid. */
  validFrom: string;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Reads a `key.added` event of purpose `document`: both certificates decode, their
 * SHA-256 are the ones named, and the key ID is the certificate's. Null otherwise.
 */
export function documentKeyFromEvent(event: LogEvent): LoggedDocumentKey | null {
  const e = event as Record<string, unknown>;
  if (e.kind !== 'key.added' || e.purpose !== 'document') return null;
  const { certificate, certificateSha256, caCertificate, caCertificateSha256, keyId } = e;
  if (typeof certificate !== 'string' || typeof caCertificate !== 'string' || !B64.test(certificate) || !B64.test(caCertificate)) return null;
  if (typeof certificateSha256 !== 'string' || typeof caCertificateSha256 !== 'string' || !HEX64.test(certificateSha256) || !HEX64.test(caCertificateSha256)) return null;
  let cert: Uint8Array;
  let ca: Uint8Array;
  try {
    cert = fromBase64(certificate);
    ca = fromBase64(caCertificate);
  } catch {
    return null;
  }
  if (toHex(sha256(cert)) !== certificateSha256 || toHex(sha256(ca)) !== caCertificateSha256 || keyId !== documentKeyId(cert)) return null;
  return { keyId, certificate: cert, caCertificate: ca, validFrom: event.time };
}

const hex64 = z.string().check(z.regex(HEX64));
const proofSchema = z.strictObject({
  format: z.literal(DOCUMENT_KEY_PROOF_FORMAT),
  entry: z.strictObject({ index: z.int().check(z.minimum(0)), data: z.string().check(z.maxLength(Math.ceil(MAX_ENTRY_BYTES / 3) * 4), z.regex(B64)) }),
  inclusion: z.strictObject({ treeSize: z.int().check(z.minimum(1)), proof: z.array(hex64).check(z.maxLength(MAX_PROOF_HASHES)) }),
  checkpoint: z.string().check(z.minLength(1), z.maxLength(MAX_CHECKPOINT_BYTES)),
});

/** The proof file of a document key's entry: JSON, members in the documented order, ending in a newline. */
export function serializeDocumentKeyProof(parts: { entry: { index: number; data: Uint8Array }; inclusion: { treeSize: number; proof: Uint8Array[] }; checkpoint: string }): string {
  const proof = {
    format: DOCUMENT_KEY_PROOF_FORMAT,
    entry: { index: parts.entry.index, data: toBase64(parts.entry.data) },
    inclusion: { treeSize: parts.inclusion.treeSize, proof: parts.inclusion.proof.map(toHex) },
    checkpoint: parts.checkpoint,
  };
  return `${JSON.stringify(proofSchema.parse(proof), null, 2)}\n`;
}

/**
 * Opens an (untrusted) document key proof: its checkpoint is signed by one of
 * `logKeys` and names `origin`, the entry is included in that checkpoint's tree, and the
 * entry is a document key's `key.added`. Null when any of that fails.
 */
export async function openDocumentKeyProof(bytes: Uint8Array, logKeys: string[], origin: string, crypto: Ed25519Verify): Promise<LoggedDocumentKey | null> {
  if (bytes.length > MAX_DOCUMENT_KEY_PROOF_BYTES || logKeys.length === 0) return null;
  let proof: z.infer<typeof proofSchema>;
  try {
    proof = proofSchema.parse(JSON.parse(fromUtf8(bytes)));
  } catch {
    return null;
  }
  const opened = await openCheckpoint(proof.checkpoint, logKeys, crypto).catch(() => null);
  if (!opened?.ok || opened.checkpoint.origin !== origin || opened.checkpoint.size !== proof.inclusion.treeSize) return null;
  let entry: Uint8Array;
  let event: LogEvent;
  try {
    entry = fromBase64(proof.entry.data);
    if (!bytesEqual(utf8(toBase64(entry)), utf8(proof.entry.data))) return null;
    verifyInclusion(rfc6962, proof.entry.index, proof.inclusion.treeSize, rfc6962.hashLeaf(entry), proof.inclusion.proof.map(fromHex), opened.checkpoint.rootHash);
    event = decodeEntry(entry);
  } catch {
    return null;
  }
  return documentKeyFromEvent(event);
}
