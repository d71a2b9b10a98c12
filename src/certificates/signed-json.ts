/**
 * Signed JSON documents of the registry (statistics statements, 入表 disclosure packs):
 * the document's canonical JSON (RFC 8785) text, a CAdES detached signature (CMS, DER,
 * base64) over its UTF-8 bytes by the registry's document key — the key that signs its
 * PDFs — and the proof that the log holds that key (its `key.added` entry with an
 * inclusion proof to a signed checkpoint). Verifiable offline with the log's verifier key
 * alone. Pure.
 *
 *     { "format": "datadeed-signed-json/1", "document": "<canonical JSON>",
 *       "signature": "<base64 CMS>", "keyProof": { …datadeed-key-proof/1… } }
 */
import { canonicalJson, fromBase64, toBase64, utf8 } from '../ledger/index.ts';
import { sha256 } from '../ledger/index.ts';
import { cadesDetachedSignature, SUBFILTER_CADES, verifyDocumentSignature, type DocumentSigner } from './cades.ts';
import { openDocumentKeyProof } from './document-key.ts';
import { CertificateError } from './errors.ts';
import type { Ed25519Verify } from './verify.ts';
import type { SignatureVerify } from './x509.ts';

export const SIGNED_JSON_FORMAT = 'datadeed-signed-json/1';

export interface SignedJson {
  format: typeof SIGNED_JSON_FORMAT;
  /** The signed document: canonical JSON text. */
  document: string;
  /** CAdES detached signature over UTF-8(document), base64 DER. */
  signature: string;
  /** The document key's log proof (datadeed-key-proof/1), when the signer has one. */
  keyProof: unknown;
}

/** Signs `document` (any JSON value of plain data) with the registry's document key. */
export async function signJson(document: unknown, signer: DocumentSigner): Promise<SignedJson> {
  const text = canonicalJson(document);
  const cms = await cadesDetachedSignature(sha256(utf8(text)), signer);
  const proof = (await signer.attachments()).find((a) => a.mimeType === 'application/json');
  return {
    format: SIGNED_JSON_FORMAT,
    document: text,
    signature: toBase64(cms),
    keyProof: proof ? JSON.parse(new TextDecoder().decode(proof.bytes)) : null,
  };
}

/**
 * Verifies a signed JSON document offline: the key proof shows that the log of `origin`
 * (checkpoint signed by one of `logKeys`) holds the document key, and the CAdES signature
 * over the document verifies with that key's certificate, issued by the registry's CA.
 * @returns the parsed document.
 * @throws CertificateError (`invalid_document`, `pdf_signature_invalid`, `pdf_digest_mismatch`, `pdf_signer_untrusted`).
 */
export async function verifySignedJson(signed: unknown, logKeys: string[], origin: string, crypto: Ed25519Verify & SignatureVerify): Promise<unknown> {
  const s = signed as Partial<SignedJson>;
  if (!s || s.format !== SIGNED_JSON_FORMAT || typeof s.document !== 'string' || typeof s.signature !== 'string')
    throw new CertificateError('invalid_document', 'not a datadeed-signed-json/1 document');
  const logged = s.keyProof ? await openDocumentKeyProof(utf8(JSON.stringify(s.keyProof)), logKeys, origin, crypto) : null;
  if (!logged) throw new CertificateError('pdf_signer_untrusted', 'the document key is not proven to be in the log');
  let cms: Uint8Array;
  try {
    cms = fromBase64(s.signature);
  } catch {
    throw new CertificateError('invalid_document', 'the signature is not base64');
  }
  await verifyDocumentSignature({ signedBytes: utf8(s.document), cms, subFilter: SUBFILTER_CADES }, [logged], crypto);
  return JSON.parse(s.document);
}
