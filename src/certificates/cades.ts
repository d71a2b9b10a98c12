/**
 * The document signature of DataDeed PDFs (PAdES baseline B, ETSI EN 319 142-1): a CMS
 * SignedData (RFC 5652), detached, signed by the registry's document-signing key, with
 * the signed attributes CAdES requires — content-type, message-digest and the ESS
 * signing-certificate-v2 (RFC 5035) — and the signer's and the CA's certificates.
 * Built and read with @peculiar/asn1-cms; pure: signing and verification are injected.
 *
 * {@link verifyDocumentSignature} checks one signature over the bytes its ByteRange
 * covers against the document certificates the caller trusts, and answers with a
 * stable code (`pdf_signature_invalid`, `pdf_digest_mismatch`, `pdf_signer_untrusted`).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  MessageDigest,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  id_contentType,
  id_data,
  id_messageDigest,
  id_signedData,
} from '@peculiar/asn1-cms';
import { Certificate, Name } from '@peculiar/asn1-x509';
import { OctetString } from '@peculiar/asn1-schema';
import { bytesEqual, concatBytes, sha256, toHex, utf8 } from '../ledger/index.ts';
import { CertificateError } from './errors.ts';
import { OID, encodeOid, issuedBy, parseCertificate, type EcdsaSign, type ParsedCertificate, type SignatureVerify } from './x509.ts';

/** The PDF signature SubFilter of a CAdES signature (ISO 32000-2 §12.8.3.4). */
export const SUBFILTER_CADES = 'ETSI.CAdES.detached';
/** The older PKCS#7 SubFilter, read for completeness. */
export const SUBFILTER_PKCS7 = 'adbe.pkcs7.detached';

/** id-aa-signingCertificateV2 (RFC 5035 §3). */
const ID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';

/**
 * The value of signing-certificate-v2 naming one certificate by its SHA-256 (the
 * default hash, so `hashAlgorithm` is absent) and nothing else:
 * `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }`,
 * `ESSCertIDv2 ::= SEQUENCE { certHash OCTET STRING }` — DER, fixed lengths.
 */
const SIGNING_CERTIFICATE_V2_PREFIX = new Uint8Array([0x30, 0x26, 0x30, 0x24, 0x30, 0x22, 0x04, 0x20]);

/** The registry's document-signing key as the renderer sees it. */
export interface DocumentSigner {
  /** The signer's certificate first, then the CA's (DER). */
  certificates: readonly Uint8Array[];
  /** ECDSA P-256 over SHA-256 of `data`, DER. */
  sign: EcdsaSign;
  /** The name shown in the signature dictionary (/Name). */
  name: string;
  /** Files to embed in the document before it is signed (the proof that the log holds this key). */
  attachments(): Promise<{ name: string; bytes: Uint8Array; mimeType: string; description: string }[]>;
}

const ab = (b: Uint8Array): ArrayBuffer => b.slice().buffer;
const u8 = (b: ArrayBuffer | ArrayBufferView): Uint8Array =>
  b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();

/**
 * The CAdES detached signature (CMS ContentInfo, DER) of content whose SHA-256 is `digest`.
 * @throws CertificateError `invalid_document` when the signer's certificate is unreadable.
 */
export async function cadesDetachedSignature(digest: Uint8Array, signer: Pick<DocumentSigner, 'certificates' | 'sign'>): Promise<Uint8Array> {
  if (digest.length !== 32) return encodeCades(digest, signer);
  const key = certificatesKey(signer.certificates);
  let byLength = templates.get(key);
  if (!byLength) {
    byLength = new Map();
    if (templates.size >= MAX_SIGNERS) templates.delete(templates.keys().next().value!);
    templates.set(key, byLength);
  }
  const any = byLength.values().next().value ?? (await cadesTemplate(signer.certificates, 72));
  byLength.set(any.signatureLength, any);
  const embedded = any.signedAttributes.slice();
  embedded.set(digest, any.attributesDigestAt);
  const signature = await signer.sign(embedded);
  let t = byLength.get(signature.length);
  if (!t) {
    t = await cadesTemplate(signer.certificates, signature.length);
    byLength.set(signature.length, t);
  }
  const cms = t.cms.slice();
  cms.set(digest, t.digestAt);
  cms.set(signature, t.signatureAt);
  const signed = signedAttributesOf(cms);
  if (!signed || !bytesEqual(signed, embedded)) throw new CertificateError('invalid_document', 'the signed attributes were not embedded as signed');
  return cms;
}

/**
 * The CMS of one signer and one signature length, encoded once with placeholder digest
 * and signature bytes, and where they sit. Everything else — the certificates, the
 * issuer and serial, the algorithms, every DER length — depends only on the signer's
 * certificates and the signature's length (an ECDSA DER signature is 70–72 bytes), so
 * putting the real digest and signature in place gives the bytes {@link encodeCades}
 * (@peculiar/asn1-schema) writes, byte for byte (tests/certificates/pades.test.ts
 * compares them), at a fraction of the cost: re-encoding the two certificates through
 * the ASN.1 schema was ~8 ms of every signed PDF.
 */
interface CadesTemplate {
  signatureLength: number;
  cms: Uint8Array;
  digestAt: number;
  signatureAt: number;
  /** The signed attributes (SET OF, DER) with the placeholder digest, and its offset there. */
  signedAttributes: Uint8Array;
  attributesDigestAt: number;
}

const templates = new Map<string, Map<number, CadesTemplate>>();
const MAX_SIGNERS = 8;

function certificatesKey(certificates: readonly Uint8Array[]): string {
  return certificates.map((c) => toHex(sha256(c))).join(':');
}

/** Placeholder bytes that occur nowhere else in a CMS (checked where they are looked for). */
function placeholder(label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 32) out.set(sha256(utf8(`datadeed cades placeholder ${label} ${i}`)).subarray(0, Math.min(32, length - i)), i);
  return out;
}

/** The single offset of `needle` in `haystack`, or -1 when it is absent or occurs twice. */
function onlyOffset(haystack: Uint8Array, needle: Uint8Array): number {
  const found: number[] = [];
  outer: for (let i = 0; i + needle.length <= haystack.length && found.length < 2; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    found.push(i);
  }
  return found.length === 1 ? found[0]! : -1;
}

async function cadesTemplate(certificates: readonly Uint8Array[], signatureLength: number): Promise<CadesTemplate> {
  const digest = placeholder('digest', 32);
  const signature = placeholder('signature', signatureLength);
  const cms = await encodeCades(digest, { certificates, sign: async () => signature });
  const signedAttributes = signedAttributesOf(cms);
  const digestAt = onlyOffset(cms, digest);
  const signatureAt = onlyOffset(cms, signature);
  const attributesDigestAt = signedAttributes ? onlyOffset(signedAttributes, digest) : -1;
  if (!signedAttributes || digestAt < 0 || signatureAt < 0 || attributesDigestAt < 0) {
    throw new CertificateError('invalid_document', 'cannot lay out the signature of this document signer');
  }
  return { signatureLength, cms, digestAt, signatureAt, signedAttributes, attributesDigestAt };
}

/**
 * The CAdES detached signature encoded field by field with @peculiar/asn1-schema (the
 * reference of {@link cadesDetachedSignature}'s templates; digests of another length).
 */
export async function encodeCades(digest: Uint8Array, signer: Pick<DocumentSigner, 'certificates' | 'sign'>): Promise<Uint8Array> {
  const [signerDer] = signer.certificates;
  const signerCert = signerDer ? parseCertificate(signerDer) : null;
  if (!signerDer || !signerCert) throw new CertificateError('invalid_document', 'the document signer has no readable certificate');
  const certs = signer.certificates.map((der) => AsnConvert.parse(der, Certificate));
  const signedAttrs = [
    new Attribute({ attrType: id_contentType, attrValues: [ab(encodeOid(id_data))] }),
    new Attribute({ attrType: id_messageDigest, attrValues: [AsnConvert.serialize(new MessageDigest(digest))] }),
    new Attribute({ attrType: ID_SIGNING_CERTIFICATE_V2, attrValues: [ab(concatBytes(SIGNING_CERTIFICATE_V2_PREFIX, sha256(signerDer)))] }),
  ];
  const info = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({ issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: AsnConvert.parse(signerCert.issuer, Name), serialNumber: ab(signerCert.serial) }) }),
    digestAlgorithm: new DigestAlgorithmIdentifier({ algorithm: OID.sha256 }),
    signedAttrs,
    signatureAlgorithm: new SignatureAlgorithmIdentifier({ algorithm: OID.ecdsaWithSha256 }),
    signature: new OctetString(new Uint8Array(0)),
  });
  // The signature covers the DER of the signed attributes as a SET OF (RFC 5652 §5.4);
  // SignerInfo embeds the same bytes under [0] IMPLICIT (checked below).
  const embedded = derSet(signedAttrs.map((a) => u8(AsnConvert.serialize(a))));
  info.signature = new OctetString(await signer.sign(embedded));
  const signedData = new SignedData({
    version: CMSVersion.v1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([new DigestAlgorithmIdentifier({ algorithm: OID.sha256 })]),
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
    certificates: new CertificateSet(certs.map((certificate) => new CertificateChoices({ certificate }))),
    signerInfos: new SignerInfos([info]),
  });
  const cms = u8(AsnConvert.serialize(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) })));
  const signed = signedAttributesOf(cms);
  if (!signed || !bytesEqual(signed, embedded)) throw new CertificateError('invalid_document', 'the signed attributes were not embedded as signed');
  return cms;
}

/** A DER SET OF the given (already DER, already ordered) elements. */
function derSet(elements: Uint8Array[]): Uint8Array {
  const content = concatBytes(...elements);
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concatBytes(new Uint8Array([0x31, ...length]), content);
}

/** One DER element: its tag, where its content starts and where it ends. */
interface DerElement {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** The element at `offset` of `b` (one-byte tags, definite lengths), or null. */
function derElementAt(b: Uint8Array, offset: number, limit = b.length): DerElement | null {
  if (offset + 2 > limit) return null;
  const tag = b[offset]!;
  const first = b[offset + 1]!;
  if ((tag & 0x1f) === 0x1f) return null;
  let length = first;
  let contentStart = offset + 2;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || offset + 2 + n > limit) return null;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + b[offset + 2 + i]!;
    contentStart += n;
  }
  const end = contentStart + length;
  return end <= limit ? { tag, start: offset, contentStart, end } : null;
}

/** The children of a constructed element. */
function derChildren(b: Uint8Array, parent: DerElement): DerElement[] | null {
  const out: DerElement[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const e = derElementAt(b, at, parent.end);
    if (!e) return null;
    out.push(e);
    at = e.end;
  }
  return out;
}

/**
 * The signed attributes of the first SignerInfo of a CMS SignedData, exactly as
 * embedded, with the SET OF tag in place of [0] IMPLICIT — the bytes its signature covers.
 */
function signedAttributesOf(cms: Uint8Array): Uint8Array | null {
  const contentInfo = derElementAt(cms, 0);
  const ci = contentInfo && derChildren(cms, contentInfo);
  const explicit = ci?.[1];
  if (!explicit || explicit.tag !== 0xa0) return null;
  const [signedData] = derChildren(cms, explicit) ?? [];
  const sd = signedData && derChildren(cms, signedData);
  const signerInfos = sd?.[sd.length - 1];
  if (!signerInfos || signerInfos.tag !== 0x31) return null;
  const [first] = derChildren(cms, signerInfos) ?? [];
  const attrs = first && derChildren(cms, first)?.find((e) => e.tag === 0xa0);
  if (!attrs) return null;
  const raw = cms.slice(attrs.start, attrs.end);
  raw[0] = 0x31;
  return raw;
}

/** A CMS signature as read from a PDF: what the checks need, nothing verified yet. */
export interface ParsedCades {
  /** The signed attributes, DER as a SET OF (the bytes the signature covers). */
  signedAttributes: Uint8Array;
  digestAlgorithm: string;
  signatureAlgorithm: string;
  signature: Uint8Array;
  /** The message-digest attribute (exactly one value), or null. */
  messageDigest: Uint8Array | null;
  /** Whether the content-type attribute is present, single and id-data. */
  contentTypeData: boolean;
  /** The SHA-256 the signing-certificate-v2 attribute names, or null when absent or of another form. */
  signingCertificateHash: Uint8Array | null;
  /** The signer's certificate (found by issuer and serial number among the certificates), or null. */
  signer: ParsedCertificate | null;
  /** Every certificate the signature carries. */
  certificates: ParsedCertificate[];
}

const invalid = (detail: string) => new CertificateError('pdf_signature_invalid', detail);

/**
 * Reads a detached CMS SignedData with one signer. Trailing zero bytes (the padding of
 * a PDF's /Contents) are allowed; anything else after the DER is not.
 * @throws CertificateError `pdf_signature_invalid`.
 */
export function parseCades(cms: Uint8Array): ParsedCades {
  const outer = derElementAt(cms, 0);
  if (!outer || outer.tag !== 0x30 || cms.subarray(outer.end).some((b) => b !== 0)) throw invalid('the signature is not one DER CMS structure');
  const der = cms.subarray(0, outer.end);
  let signedData: SignedData;
  try {
    const info = AsnConvert.parse(der, ContentInfo);
    if (info.contentType !== id_signedData) throw invalid('the signature is not CMS SignedData');
    signedData = AsnConvert.parse(info.content, SignedData);
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    throw invalid('the signature is not CMS SignedData');
  }
  if (signedData.encapContentInfo.eContent !== undefined || signedData.encapContentInfo.eContentType !== id_data) throw invalid('the signature is not detached over data');
  if (signedData.signerInfos.length !== 1) throw invalid('the signature has not exactly one signer');
  const si = signedData.signerInfos[0]!;
  const signedAttributes = signedAttributesOf(der);
  if (!si.signedAttrs || !signedAttributes) throw invalid('the signature has no signed attributes');
  const certificates: ParsedCertificate[] = [];
  for (const choice of signedData.certificates ?? []) {
    if (!choice.certificate) continue;
    const parsed = parseCertificate(u8(AsnConvert.serialize(choice.certificate)));
    if (!parsed) throw invalid('the signature carries an unreadable certificate');
    certificates.push(parsed);
  }
  const sid = si.sid.issuerAndSerialNumber;
  let signer: ParsedCertificate | null = null;
  if (sid) {
    const issuer = u8(AsnConvert.serialize(sid.issuer));
    const serial = u8(sid.serialNumber);
    signer = certificates.find((c) => bytesEqual(c.issuer, issuer) && bytesEqual(c.serial, serial)) ?? null;
  }
  const single = (type: string): Uint8Array | null => {
    const found = si.signedAttrs!.filter((a) => a.attrType === type);
    return found.length === 1 && found[0]!.attrValues.length === 1 ? u8(found[0]!.attrValues[0]!) : null;
  };
  const digest = single(id_messageDigest);
  let messageDigest: Uint8Array | null = null;
  if (digest) {
    try {
      messageDigest = u8(AsnConvert.parse(digest, OctetString));
    } catch {
      messageDigest = null;
    }
  }
  const contentType = single(id_contentType);
  const essCert = single(ID_SIGNING_CERTIFICATE_V2);
  return {
    signedAttributes,
    digestAlgorithm: si.digestAlgorithm.algorithm,
    signatureAlgorithm: si.signatureAlgorithm.algorithm,
    signature: u8(si.signature),
    messageDigest,
    contentTypeData: contentType !== null && bytesEqual(contentType, encodeOid(id_data)),
    signingCertificateHash:
      essCert && essCert.length === SIGNING_CERTIFICATE_V2_PREFIX.length + 32 && bytesEqual(essCert.subarray(0, SIGNING_CERTIFICATE_V2_PREFIX.length), SIGNING_CERTIFICATE_V2_PREFIX)
        ? essCert.subarray(SIGNING_CERTIFICATE_V2_PREFIX.length)
        : null,
    signer,
    certificates,
  };
}

/** A document certificate the verifier trusts: the certificate and the CA that issued it (DER). */
export interface TrustedDocumentCertificate {
  certificate: Uint8Array;
  caCertificate: Uint8Array;
}

/**
 * Verifies a PDF's signature over the bytes its ByteRange covers:
 * 1. the CMS is a detached SignedData with one signer, SHA-256, whose signed
 *    attributes say content-type data and, for CAdES, name the signer's certificate
 *    (signing-certificate-v2) — else `pdf_signature_invalid`;
 * 2. the message-digest attribute is the SHA-256 of `signedBytes` — else `pdf_digest_mismatch`;
 * 3. the signer's key verifies the signature over the signed attributes — else `pdf_signature_invalid`;
 * 4. the signer's certificate is one of `trusted` (byte for byte) and was issued by
 *    that entry's CA, a self-signed CA certificate — else `pdf_signer_untrusted`.
 * @returns the signer's certificate.
 * @throws CertificateError with one of those codes.
 */
export async function verifyDocumentSignature(
  input: { signedBytes: Uint8Array; cms: Uint8Array; subFilter: string },
  trusted: readonly TrustedDocumentCertificate[],
  crypto: SignatureVerify,
): Promise<ParsedCertificate> {
  if (input.subFilter !== SUBFILTER_CADES && input.subFilter !== SUBFILTER_PKCS7) throw invalid('the signature’s SubFilter is neither ETSI.CAdES.detached nor adbe.pkcs7.detached');
  const p = parseCades(input.cms);
  if (p.digestAlgorithm !== OID.sha256) throw invalid('the signature’s digest algorithm is not SHA-256');
  if (!p.contentTypeData) throw invalid('the signature’s content-type attribute is not data');
  if (!p.signer) throw invalid('the signature does not carry its signer’s certificate');
  if (input.subFilter === SUBFILTER_CADES && (!p.signingCertificateHash || !bytesEqual(p.signingCertificateHash, sha256(p.signer.der)))) {
    throw invalid('the signing-certificate-v2 attribute does not name the signer’s certificate');
  }
  if (!p.messageDigest || !bytesEqual(p.messageDigest, sha256(input.signedBytes))) {
    throw new CertificateError('pdf_digest_mismatch', 'the document’s bytes are not the bytes that were signed');
  }
  let ok = false;
  try {
    ok = (await crypto.verifySignature(p.signatureAlgorithm, p.signer.publicKey, p.signedAttributes, p.signature)) === true;
  } catch {
    ok = false;
  }
  if (!ok) throw invalid('the signature does not verify with the signer’s certificate');
  for (const t of trusted) {
    if (!bytesEqual(t.certificate, p.signer.der)) continue;
    const ca = parseCertificate(t.caCertificate);
    if (ca && (await issuedBy(ca, ca, crypto)) && (await issuedBy(p.signer, ca, crypto))) return p.signer;
  }
  throw new CertificateError('pdf_signer_untrusted', 'the signer’s certificate is not a document certificate of the registry’s CA that the log holds');
}
