/**
 * RFC 3161 trusted time over a checkpoint (可信时间戳): the time-stamp request the
 * registry sends to a time-stamp authority (TSA), the response it reads back, and the
 * verification of a time-stamp token — message imprint, the CMS signature (RFC 5652
 * §5.4, §5.6) with its signed attributes, the ESS signing-certificate binding (RFC 2634,
 * RFC 5035) and the TSA certificate's path to a trusted root (RFC 5280: signatures,
 * validity at the time stamped, CA basic constraints, and — RFC 3161 §2.3 — the TSA
 * certificate's critical extended key usage of only id-kp-timeStamping).
 *
 * The message time-stamped is the checkpoint body (C2SP tlog-checkpoint: origin, size,
 * root hash, extensions — the note text before its signatures), hashed with SHA-256.
 *
 * ASN.1 is read and written with the @peculiar/asn1-* schemas (X.509, CMS, TSP) and
 * asn1js; hashes with @noble/hashes; public-key signatures are injected
 * (`SignatureVerify`: node:crypto in `./node`, WebCrypto in a browser). Pure.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { ContentInfo, SignedData, id_signedData } from '@peculiar/asn1-cms';
import { AlgorithmIdentifier, BasicConstraints, Certificate, ExtendedKeyUsage, Name, id_ce_basicConstraints, id_ce_extKeyUsage, id_kp_timeStamping } from '@peculiar/asn1-x509';
import { MessageImprint, PKIStatus, TSTInfo, TimeStampReq, TimeStampResp, id_ct_tstInfo } from '@peculiar/asn1-tsp';
import * as asn1js from 'asn1js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 as nobleSha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes, utf8 } from './bytes.ts';
import { LedgerError } from './errors.ts';

const OID_SHA1 = '1.3.14.3.2.26';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const OID_SHA384 = '2.16.840.1.101.3.4.2.2';
const OID_SHA512 = '2.16.840.1.101.3.4.2.3';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';

/** Hash functions a token may use (SHA-1 only inside the legacy ESS SigningCertificate). */
export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
const HASHES: Record<string, { name: HashName; fn: (d: Uint8Array) => Uint8Array }> = {
  [OID_SHA1]: { name: 'SHA-1', fn: sha1 },
  [OID_SHA256]: { name: 'SHA-256', fn: nobleSha256 },
  [OID_SHA384]: { name: 'SHA-384', fn: sha384 },
  [OID_SHA512]: { name: 'SHA-512', fn: sha512 },
};

/** Public-key signature schemes understood, by signature algorithm OID: [scheme, hash or undefined = the signer's digest]. */
const SIGNATURE_ALGORITHMS: Record<string, [SignatureScheme, HashName | undefined]> = {
  '1.2.840.113549.1.1.1': ['rsa-pkcs1', undefined], // rsaEncryption in a SignerInfo: hash = digestAlgorithm
  '1.2.840.113549.1.1.11': ['rsa-pkcs1', 'SHA-256'],
  '1.2.840.113549.1.1.12': ['rsa-pkcs1', 'SHA-384'],
  '1.2.840.113549.1.1.13': ['rsa-pkcs1', 'SHA-512'],
  '1.2.840.10045.4.3.2': ['ecdsa', 'SHA-256'],
  '1.2.840.10045.4.3.3': ['ecdsa', 'SHA-384'],
  '1.2.840.10045.4.3.4': ['ecdsa', 'SHA-512'],
  '1.3.101.112': ['ed25519', undefined],
};

/** A public-key signature scheme (ECDSA signatures are DER `Ecdsa-Sig-Value`, as in X.509 and CMS). */
export type SignatureScheme = 'rsa-pkcs1' | 'ecdsa' | 'ed25519';

/** Injected public-key verification; must return false (not throw) for a bad signature or key. */
export interface SignatureVerify {
  verifySignature(spki: Uint8Array, scheme: SignatureScheme, hash: HashName | undefined, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/** The message a checkpoint's time-stamp covers: its body (the note text before the signature lines). */
export function checkpointTimestampMessage(note: string): Uint8Array {
  const end = note.indexOf('\n\n');
  if (end < 0) throw new LedgerError('malformed_note', 'not a signed note');
  return utf8(note.slice(0, end + 1));
}

const der = (v: unknown) => new Uint8Array(AsnConvert.serialize(v));
const buf = (b: Uint8Array) => b.slice().buffer as ArrayBuffer;

/**
 * An RFC 3161 TimeStampReq (DER) for SHA-256(`message`), asking for the TSA's
 * certificate in the token (certReq) and carrying `nonce`.
 */
export function timestampRequest(message: Uint8Array, nonce: Uint8Array): Uint8Array {
  const req = new TimeStampReq({
    messageImprint: new MessageImprint({ hashAlgorithm: new AlgorithmIdentifier({ algorithm: OID_SHA256 }), hashedMessage: new OctetString(buf(nobleSha256(message))) }),
    nonce: buf(positiveInteger(nonce)),
    certReq: true,
  });
  return der(req);
}

/** A non-negative DER INTEGER's content for `bytes` (a leading zero when the top bit is set). */
function positiveInteger(bytes: Uint8Array): Uint8Array {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1);
  return b[0]! >= 0x80 ? concatBytes(Uint8Array.of(0), b) : b;
}

/**
 * Reads a TimeStampResp (DER): the token (a CMS ContentInfo, DER) when the status is
 * granted (or granted with modifications), after checking that it is over SHA-256 of
 * `message` and carries `nonce`.
 * @throws LedgerError `malformed_timestamp` (does not parse, not granted, or not for this request).
 */
export function readTimestampResponse(response: Uint8Array, message: Uint8Array, nonce: Uint8Array): { token: Uint8Array; genTime: Date } {
  let resp: TimeStampResp;
  try {
    resp = AsnConvert.parse(buf(response), TimeStampResp);
  } catch {
    throw new LedgerError('malformed_timestamp', 'the time-stamp response does not parse');
  }
  if (resp.status.status !== PKIStatus.granted && resp.status.status !== PKIStatus.grantedWithMods)
    throw new LedgerError('malformed_timestamp', `the time-stamp authority refused (status ${resp.status.status}${resp.status.statusString ? `: ${[...resp.status.statusString].join(' ')}` : ''})`);
  if (!resp.timeStampToken) throw new LedgerError('malformed_timestamp', 'the time-stamp response has no token');
  const token = der(resp.timeStampToken);
  const info = parseToken(token);
  if (!info) throw new LedgerError('malformed_timestamp', 'the time-stamp token does not parse');
  if (!imprintMatches(info.tst, message)) throw new LedgerError('malformed_timestamp', 'the time-stamp token is over another message');
  if (!info.tst.nonce || !bytesEqual(positiveInteger(new Uint8Array(info.tst.nonce)), positiveInteger(nonce)))
    throw new LedgerError('malformed_timestamp', 'the time-stamp token does not carry the request nonce');
  return { token, genTime: info.tst.genTime };
}

interface ParsedToken {
  signed: SignedData;
  tst: TSTInfo;
  eContent: Uint8Array;
}

function parseToken(token: Uint8Array): ParsedToken | undefined {
  try {
    const ci = AsnConvert.parse(buf(token), ContentInfo);
    if (ci.contentType !== id_signedData) return undefined;
    const signed = AsnConvert.parse(ci.content, SignedData);
    if (signed.encapContentInfo.eContentType !== id_ct_tstInfo) return undefined;
    const content = signed.encapContentInfo.eContent;
    const eContent = content?.single ? new Uint8Array(content.single.buffer) : content?.any ? new Uint8Array(content.any) : undefined;
    if (!eContent) return undefined;
    return { signed, tst: AsnConvert.parse(buf(eContent), TSTInfo), eContent };
  } catch {
    return undefined;
  }
}

function imprintMatches(tst: TSTInfo, message: Uint8Array): boolean {
  const h = HASHES[tst.messageImprint.hashAlgorithm.algorithm];
  return h !== undefined && h.name !== 'SHA-1' && bytesEqual(new Uint8Array(tst.messageImprint.hashedMessage.buffer), h.fn(message));
}

/** Why a time-stamp token does not verify. */
export type TimestampFailure =
  /** The token is not a CMS SignedData over a TSTInfo, or a part of it does not parse. */
  | 'bad_format'
  /** Its message imprint is not the hash of the message (a token over another checkpoint). */
  | 'timestamp_mismatch'
  /** The signature, the signed attributes or the ESS signing-certificate binding do not verify. */
  | 'bad_signature'
  /** The TSA certificate has no valid path to a trusted root, is not valid at the time stamped, or is not a time-stamping certificate. */
  | 'untrusted_tsa';

/** The outcome of {@link verifyTimestampToken}. */
export type TimestampVerification =
  | { ok: true; genTime: Date; tsa: string; serialNumber: string; policy: string }
  | { ok: false; failure: TimestampFailure; detail: string; genTime?: Date };

/** A readable form of an X.509 name: `CN=…, O=…` (common attributes only). */
export function formatName(name: Name): string {
  const labels: Record<string, string> = { '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST' };
  const parts: string[] = [];
  for (const rdn of name) for (const atv of rdn) if (labels[atv.type]) parts.push(`${labels[atv.type]}=${atv.value.toString()}`);
  return parts.join(', ');
}

/** Parses PEM text (one or more `CERTIFICATE` blocks) into DER certificates. */
export function pemCertificates(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    const b64 = m[1]!.replace(/\s+/g, '');
    const bin = atob(b64);
    out.push(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  }
  return out;
}

function extension<T>(cert: Certificate, oid: string, type: new () => T): { critical: boolean; value: T } | undefined {
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === oid);
  return ext ? { critical: ext.critical, value: AsnConvert.parse(ext.extnValue.buffer, type) } : undefined;
}

async function certificateSignedBy(cert: Certificate, issuer: Certificate, crypto: SignatureVerify): Promise<boolean> {
  const alg = SIGNATURE_ALGORITHMS[cert.signatureAlgorithm.algorithm];
  if (!alg || !cert.tbsCertificateRaw) return false;
  try {
    return (
      (await crypto.verifySignature(der(issuer.tbsCertificate.subjectPublicKeyInfo), alg[0], alg[1], new Uint8Array(cert.tbsCertificateRaw), new Uint8Array(cert.signatureValue))) === true
    );
  } catch {
    return false;
  }
}

const validAt = (cert: Certificate, t: Date) => cert.tbsCertificate.validity.notBefore.getTime() <= t && t <= cert.tbsCertificate.validity.notAfter.getTime();
const sameName = (a: Name, b: Name) => bytesEqual(der(a), der(b));

/** The ESS signing-certificate attribute (v2: RFC 5035; v1: RFC 2634) names `cert` first. */
function essBindsCertificate(attrs: { attrType: string; attrValues: ArrayBuffer[] }[], certDer: Uint8Array): boolean {
  for (const attr of attrs) {
    if (attr.attrType !== OID_SIGNING_CERTIFICATE && attr.attrType !== OID_SIGNING_CERTIFICATE_V2) continue;
    const parsed = asn1js.fromBER(attr.attrValues[0]!);
    if (parsed.offset === -1) return false;
    // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), … }
    const certs = (parsed.result as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence | undefined;
    const first = certs?.valueBlock.value[0] as asn1js.Sequence | undefined;
    if (!first) return false;
    const fields = first.valueBlock.value;
    let hash = HASHES[OID_SHA1]!;
    let certHash: asn1js.BaseBlock | undefined = fields[0];
    if (attr.attrType === OID_SIGNING_CERTIFICATE_V2) {
      hash = HASHES[OID_SHA256]!; // the DEFAULT of ESSCertIDv2.hashAlgorithm
      if (fields[0] instanceof asn1js.Sequence) {
        const oid = (fields[0].valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
        const h = HASHES[oid];
        if (!h) return false;
        hash = h;
        certHash = fields[1];
      }
    }
    if (!(certHash instanceof asn1js.OctetString)) return false;
    return bytesEqual(new Uint8Array(certHash.valueBlock.valueHexView), hash.fn(certDer));
  }
  return false;
}

/**
 * Verifies an RFC 3161 time-stamp token over `message` against trusted root
 * certificates (DER). Never throws for a bad token.
 *
 * In order: the token is a CMS SignedData whose content is a TSTInfo; its message
 * imprint is the SHA-256/384/512 of `message`; there is one SignerInfo, whose signer
 * certificate is in the token (or `extraCertificates`) and named by the ESS
 * signing-certificate attribute; the signed attributes hold the TSTInfo content type
 * and its digest, and their signature verifies with the certificate's key; the
 * certificate's extended key usage is critical and only id-kp-timeStamping; and a path
 * of certificates, each valid at the time stamped and signed by the next — CAs with
 * basic constraints cA — ends at one of `roots`.
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  message: Uint8Array,
  roots: readonly Uint8Array[],
  crypto: SignatureVerify,
  extraCertificates: readonly Uint8Array[] = [],
): Promise<TimestampVerification> {
  const parsed = parseToken(token);
  if (!parsed) return { ok: false, failure: 'bad_format', detail: 'the time-stamp token is not a CMS SignedData over a TSTInfo' };
  const { signed, tst, eContent } = parsed;
  const genTime = tst.genTime;
  if (!imprintMatches(tst, message)) return { ok: false, failure: 'timestamp_mismatch', detail: 'the time-stamp token is over another checkpoint', genTime };
  if (signed.signerInfos.length !== 1) return { ok: false, failure: 'bad_format', detail: 'the time-stamp token must have exactly one signer', genTime };
  const si = signed.signerInfos[0]!;

  // the signer's certificate
  let certs: { cert: Certificate; der: Uint8Array }[];
  let trusted: Certificate[];
  try {
    certs = [
      ...(signed.certificates ?? []).filter((c) => c.certificate).map((c) => ({ cert: c.certificate!, der: der(c.certificate) })),
      ...extraCertificates.map((d) => ({ cert: AsnConvert.parse(buf(d), Certificate), der: d })),
    ];
    trusted = roots.map((d) => AsnConvert.parse(buf(d), Certificate));
  } catch {
    return { ok: false, failure: 'bad_format', detail: 'a certificate does not parse', genTime };
  }
  const signer = certs.find(({ cert }) => {
    const id = si.sid;
    if (id.issuerAndSerialNumber)
      return sameName(cert.tbsCertificate.issuer, id.issuerAndSerialNumber.issuer) && bytesEqual(new Uint8Array(cert.tbsCertificate.serialNumber), new Uint8Array(id.issuerAndSerialNumber.serialNumber));
    if (id.subjectKeyIdentifier) {
      const ski = cert.tbsCertificate.extensions?.find((e) => e.extnID === '2.5.29.14');
      return ski !== undefined && bytesEqual(new Uint8Array(ski.extnValue.buffer).slice(2), new Uint8Array(id.subjectKeyIdentifier.buffer));
    }
    return false;
  });
  if (!signer) return { ok: false, failure: 'untrusted_tsa', detail: 'the token does not carry the TSA certificate', genTime };

  // signed attributes: content type, message digest, ESS binding; then the signature over them
  const digest = HASHES[si.digestAlgorithm.algorithm];
  const attrs = si.signedAttrs;
  const rawAttrs = signedAttributesDer(token);
  if (!digest || !attrs || !rawAttrs) return { ok: false, failure: 'bad_signature', detail: 'the token has no signed attributes or an unknown digest', genTime };
  const attr = (oid: string) => attrs.find((a) => a.attrType === oid)?.attrValues[0];
  const contentType = attr(OID_CONTENT_TYPE);
  const messageDigest = attr(OID_MESSAGE_DIGEST);
  try {
    const ct = contentType ? asn1js.fromBER(contentType) : undefined;
    if (!ct || ct.offset === -1 || !(ct.result instanceof asn1js.ObjectIdentifier) || ct.result.valueBlock.toString() !== id_ct_tstInfo)
      return { ok: false, failure: 'bad_signature', detail: 'the signed content type is not a TSTInfo', genTime };
    if (!messageDigest || !bytesEqual(new Uint8Array(AsnConvert.parse(messageDigest, OctetString).buffer), digest.fn(eContent)))
      return { ok: false, failure: 'bad_signature', detail: 'the signed message digest is not the TSTInfo’s', genTime };
  } catch {
    return { ok: false, failure: 'bad_format', detail: 'a signed attribute does not parse', genTime };
  }
  if (!essBindsCertificate(attrs, signer.der)) return { ok: false, failure: 'bad_signature', detail: 'the ESS signing-certificate attribute does not name the TSA certificate', genTime };
  const signedAttrs = rawAttrs;
  signedAttrs[0] = 0x31; // DER of the SET OF attributes, not its [0] IMPLICIT tag (RFC 5652 §5.4)
  const alg = SIGNATURE_ALGORITHMS[si.signatureAlgorithm.algorithm];
  let sigOk = false;
  if (alg) {
    try {
      sigOk =
        (await crypto.verifySignature(der(signer.cert.tbsCertificate.subjectPublicKeyInfo), alg[0], alg[1] ?? digest.name, signedAttrs, new Uint8Array(si.signature.buffer))) === true;
    } catch {
      sigOk = false;
    }
  }
  if (!sigOk) return { ok: false, failure: 'bad_signature', detail: 'the time-stamp signature does not verify', genTime };

  // the TSA certificate: time stamping only (RFC 3161 §2.3), and a path to a trusted root
  let eku;
  try {
    eku = extension(signer.cert, id_ce_extKeyUsage, ExtendedKeyUsage);
  } catch {
    return { ok: false, failure: 'bad_format', detail: 'the TSA certificate’s extended key usage does not parse', genTime };
  }
  if (!eku || !eku.critical || eku.value.length !== 1 || eku.value[0] !== id_kp_timeStamping)
    return { ok: false, failure: 'untrusted_tsa', detail: 'the TSA certificate is not a time-stamping certificate (critical extended key usage id-kp-timeStamping)', genTime };
  let cert = signer.cert;
  for (let depth = 0; depth < 8; depth++) {
    if (!validAt(cert, genTime)) return { ok: false, failure: 'untrusted_tsa', detail: 'a certificate of the TSA’s path is not valid at the time stamped', genTime };
    const root = trusted.find((r) => sameName(r.tbsCertificate.subject, cert.tbsCertificate.issuer));
    if (root && (await certificateSignedBy(cert, root, crypto))) {
      if (!validAt(root, genTime)) return { ok: false, failure: 'untrusted_tsa', detail: 'the trusted root is not valid at the time stamped', genTime };
      return { ok: true, genTime, tsa: formatName(signer.cert.tbsCertificate.subject), serialNumber: hex(new Uint8Array(tst.serialNumber)), policy: tst.policy };
    }
    const issuer = certs.find(({ cert: c }) => c !== cert && sameName(c.tbsCertificate.subject, cert.tbsCertificate.issuer));
    if (!issuer || !isCa(issuer.cert) || !(await certificateSignedBy(cert, issuer.cert, crypto))) break;
    cert = issuer.cert;
  }
  return { ok: false, failure: 'untrusted_tsa', detail: 'the TSA certificate has no path to a trusted root', genTime };
}

function isCa(cert: Certificate): boolean {
  try {
    return extension(cert, id_ce_basicConstraints, BasicConstraints)?.value.cA === true;
  } catch {
    return false;
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');


/**
 * The signed attributes of the token's (single) SignerInfo exactly as encoded — the
 * `[0] IMPLICIT SET OF Attribute` element, tag included — read with asn1js (the schema
 * parser does not keep them).
 */
function signedAttributesDer(token: Uint8Array): Uint8Array | undefined {
  try {
    const ci = asn1js.fromBER(buf(token));
    if (ci.offset === -1) return undefined;
    const content = (ci.result as asn1js.Sequence).valueBlock.value[1] as asn1js.Constructed;
    const signedData = content.valueBlock.value[0] as asn1js.Sequence;
    const signerInfos = signedData.valueBlock.value.at(-1) as asn1js.Set;
    const signerInfo = signerInfos.valueBlock.value[0] as asn1js.Sequence;
    const attrs = signerInfo.valueBlock.value.find((b) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 0);
    return attrs ? new Uint8Array(attrs.valueBeforeDecodeView).slice() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a time-stamp token claims, read without verifying it: the time stamped and the
 * subject of its first certificate (the TSA's, as `certReq` asks), and whether its
 * message imprint is the hash of `message`. For display beside a verification with
 * trusted roots (`verifyTimestampToken`); trust nothing of it on its own.
 */
export function timestampTokenClaims(token: Uint8Array, message: Uint8Array): { genTime: Date; tsa: string | undefined; imprintMatches: boolean } | undefined {
  const parsed = parseToken(token);
  if (!parsed) return undefined;
  let tsa: string | undefined;
  try {
    const first = parsed.signed.certificates?.find((c) => c.certificate)?.certificate;
    tsa = first ? formatName(first.tbsCertificate.subject) : undefined;
  } catch {
    tsa = undefined;
  }
  return { genTime: parsed.tst.genTime, tsa, imprintMatches: imprintMatches(parsed.tst, message) };
}
