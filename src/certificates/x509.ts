/**
 * X.509 certificates of the registry's document-signing keys (RFC 5280): the registry's
 * own CA and the document-signing certificates it issues, built and read with
 * @peculiar/asn1-x509. Pure: signing and signature verification are injected (the
 * node:crypto adapter is in `node/`), so this runs in browsers too.
 *
 * What is built is deliberately narrow: ECDSA P-256 keys, ecdsa-with-SHA256 signatures,
 * a subject of CN, O and OU (the log origin), and the extensions a PDF reader needs —
 * basicConstraints and keyUsage (critical), subject and authority key identifiers.
 * What is read is any certificate; checks are made by the callers.
 */
import { AsnConvert, AsnObjectIdentifierConverter } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { bytesEqual, sha256, toBase64 } from '../ledger/index.ts';

/** Object identifiers used by the document signature. */
export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsaEncryption: '1.2.840.113549.1.1.11',
  sha256: '2.16.840.1.101.3.4.2.1',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
} as const;

/**
 * The injected signature verification (node:crypto or WebCrypto): does `signature`
 * verify over `data` with the key `publicKey` (DER SubjectPublicKeyInfo) under the
 * signature algorithm `algorithm` (an OID: ecdsa-with-SHA256, sha256WithRSAEncryption)?
 * An unknown algorithm or any failure is `false`.
 */
export interface SignatureVerify {
  verifySignature(algorithm: string, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/** Signs `data` with ECDSA P-256 over SHA-256; returns the DER `ECDSA-Sig-Value`. */
export type EcdsaSign = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** A subject or issuer name: CN, O and (optionally) OU, as UTF8Strings. */
export interface DistinguishedName {
  commonName: string;
  organization: string;
  organizationalUnit?: string;
}

/** What {@link issueCertificate} puts in a certificate. */
export interface CertificateTemplate {
  /** The serial number: 1–20 bytes, its first byte below 0x80 (a positive INTEGER). */
  serial: Uint8Array;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  /** The subject's public key, DER SubjectPublicKeyInfo (EC P-256). */
  publicKey: Uint8Array;
  /** A CA certificate (basicConstraints cA, keyUsage keyCertSign and cRLSign) or a document-signing one (digitalSignature, nonRepudiation). */
  ca: boolean;
  /** The issuing CA's certificate (DER); absent for a self-signed CA. */
  issuer?: Uint8Array;
}

const buf = (b: Uint8Array): ArrayBuffer => b.slice().buffer;
const bytes = (b: ArrayBuffer | ArrayBufferView): Uint8Array =>
  b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();

function name(dn: DistinguishedName): Name {
  const rdn = (type: string, value: string) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]);
  return new Name([
    rdn(OID.organization, dn.organization),
    ...(dn.organizationalUnit ? [rdn(OID.organizationalUnit, dn.organizationalUnit)] : []),
    rdn(OID.commonName, dn.commonName),
  ]);
}

/** The key identifier of a public key: the leftmost 160 bits of the SHA-256 of its BIT STRING (RFC 7093 §2, method 1). */
export function keyIdentifier(publicKey: Uint8Array): Uint8Array {
  const spki = AsnConvert.parse(publicKey, SubjectPublicKeyInfo);
  return sha256(new Uint8Array(spki.subjectPublicKey)).subarray(0, 20);
}

const extension = (extnID: string, critical: boolean, value: unknown) => new Extension({ extnID, critical, extnValue: new KeyIdentifier(AsnConvert.serialize(value)) });

/**
 * Builds and signs a certificate (X.509 v3, ecdsa-with-SHA256).
 * @param sign - the issuer's signing function (the subject's own for a self-signed CA).
 * @returns the certificate, DER.
 */
export async function issueCertificate(t: CertificateTemplate, sign: EcdsaSign): Promise<Uint8Array> {
  if (t.serial.length < 1 || t.serial.length > 20 || t.serial[0]! >= 0x80) throw new RangeError('a serial number is 1–20 bytes and positive');
  const algorithm = new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSha256 });
  const issuerCert = t.issuer ? AsnConvert.parse(t.issuer, Certificate) : undefined;
  const issuerKey = issuerCert ? bytes(AsnConvert.serialize(issuerCert.tbsCertificate.subjectPublicKeyInfo)) : t.publicKey;
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: buf(t.serial),
    signature: algorithm,
    issuer: issuerCert ? issuerCert.tbsCertificate.subject : name(t.subject),
    validity: new Validity({ notBefore: t.notBefore, notAfter: t.notAfter }),
    subject: name(t.subject),
    subjectPublicKeyInfo: AsnConvert.parse(t.publicKey, SubjectPublicKeyInfo),
    extensions: new Extensions([
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: t.ca })),
      extension(id_ce_keyUsage, true, new KeyUsage(t.ca ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign : KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation)),
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(t.publicKey))),
      extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyIdentifier(issuerKey)) })),
    ]),
  });
  const tbsDer = bytes(AsnConvert.serialize(tbs));
  const signature = await sign(tbsDer);
  return bytes(AsnConvert.serialize(new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: buf(signature) })));
}

/** A certificate as read by {@link parseCertificate}: the parts the checks need. */
export interface ParsedCertificate {
  /** The certificate, DER, exactly as given. */
  der: Uint8Array;
  /** The signed part (TBSCertificate), DER as found. */
  tbs: Uint8Array;
  /** The issuer's signature algorithm (OID) and signature. */
  signatureAlgorithm: string;
  signature: Uint8Array;
  /** Issuer and subject Name, DER. */
  issuer: Uint8Array;
  subject: Uint8Array;
  /** The subject's attributes by OID (first value of each), e.g. `OID.commonName`. */
  subjectAttributes: Map<string, string>;
  serial: Uint8Array;
  /** The subject public key, DER SubjectPublicKeyInfo. */
  publicKey: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** basicConstraints cA (false when absent). */
  ca: boolean;
  /** keyUsage bits (KeyUsageFlags), or null when absent. */
  keyUsage: number | null;
}

/** Reads a DER certificate; null when it is not one (or has bytes after it). */
export function parseCertificate(der: Uint8Array): ParsedCertificate | null {
  try {
    const cert = AsnConvert.parse(der, Certificate);
    const reencoded = bytes(AsnConvert.serialize(cert));
    if (!bytesEqual(reencoded, der)) return null; // not DER, or trailing bytes
    const t = cert.tbsCertificate;
    const ext = (id: string) => t.extensions?.find((e) => e.extnID === id);
    const bc = ext(id_ce_basicConstraints);
    const ku = ext(id_ce_keyUsage);
    const subjectAttributes = new Map<string, string>();
    for (const rdn of t.subject) for (const atv of rdn) if (!subjectAttributes.has(atv.type)) subjectAttributes.set(atv.type, atv.value.toString());
    return {
      der: der.slice(),
      tbs: cert.tbsCertificateRaw ? bytes(cert.tbsCertificateRaw) : bytes(AsnConvert.serialize(t)),
      signatureAlgorithm: cert.signatureAlgorithm.algorithm,
      signature: bytes(cert.signatureValue),
      issuer: bytes(AsnConvert.serialize(t.issuer)),
      subject: bytes(AsnConvert.serialize(t.subject)),
      subjectAttributes,
      serial: bytes(t.serialNumber),
      publicKey: bytes(AsnConvert.serialize(t.subjectPublicKeyInfo)),
      notBefore: t.validity.notBefore.getTime(),
      notAfter: t.validity.notAfter.getTime(),
      ca: bc ? AsnConvert.parse(bc.extnValue, BasicConstraints).cA : false,
      keyUsage: ku ? AsnConvert.parse(ku.extnValue, KeyUsage).toNumber() : null,
    };
  } catch {
    return null;
  }
}

/**
 * Whether `child` was issued by the CA certificate `issuer`: the names chain, the
 * issuer is a CA allowed to sign certificates, and its key verifies the child's
 * signature. (Validity periods are the caller's to judge.)
 */
export async function issuedBy(child: ParsedCertificate, issuer: ParsedCertificate, crypto: SignatureVerify): Promise<boolean> {
  if (!bytesEqual(child.issuer, issuer.subject) || !issuer.ca) return false;
  if (issuer.keyUsage !== null && (issuer.keyUsage & KeyUsageFlags.keyCertSign) === 0) return false;
  try {
    return (await crypto.verifySignature(child.signatureAlgorithm, issuer.publicKey, child.tbs, child.signature)) === true;
  } catch {
    return false;
  }
}

/** The DER encoding of an OBJECT IDENTIFIER (for attribute values). */
export function encodeOid(oid: string): Uint8Array {
  return new Uint8Array(AsnObjectIdentifierConverter.toASN(oid).toBER(false));
}

/** A certificate in PEM armour (RFC 7468: base64 DER in 64-character lines). */
export function certificatePem(der: Uint8Array): string {
  return `-----BEGIN CERTIFICATE-----\n${toBase64(der).replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}
