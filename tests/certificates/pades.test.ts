/**
 * The PAdES signature of DataDeed PDFs (issue 20, "A signed PDF"), checked by tools that
 * share no code with ours: poppler's pdfsig (NSS) reports a certificate PDF and an
 * evidence-receipt PDF "Signature is Valid" and "Total document signed" — "Certificate
 * is Trusted" too when the registry's CA is put into an NSS database with certutil —
 * OpenSSL verifies the CMS over the bytes of the /ByteRange and the certificate chain,
 * and one changed byte of the page (or of the metadata) gives pdfsig's "Digest Mismatch"
 * and `datadeed verify`'s exit 1 with `pdf_signature` failing `pdf_digest_mismatch`.
 * An incremental update that draws a forged holder over the signed page keeps pdfsig's
 * signature valid (it signs an earlier revision) but not "Total document signed", and
 * `datadeed verify` refuses it: `pdf_byte_range_invalid`.
 *
 * Tools: pdfsig, pdftotext (poppler-utils), qpdf, openssl; certutil (libnss3-tools) is
 * optional. With DATADEED_REQUIRE_TOOLS=1 a missing required tool fails.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFArray, PDFDocument, PDFName, PDFRef, StandardFonts, rgb } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBundle, certificatePem, CertificateError, documentKeyAddedEvent, verifyDocumentSignature } from '../../src/certificates/index.ts';
import { nodeCrypto } from '../../src/certificates/node/index.ts';
import { extractBundleFromPdf } from '../../src/certificates/pdf/extract.ts';
import { renderCertificatePdf } from '../../src/certificates/pdf/index.ts';
import { pdfSignatureCheck, verifyPdf } from '../../src/certificates/pdf/verify.ts';
import { pdfSignatures, signedBytes } from '../../src/certificates/pdf/signature.ts';
import { renderReceiptPdf } from '../../src/evidence/pdf/index.ts';
import { documentSigner } from '../../src/keys/node/index.ts';
import { concatBytes, encodeEntry, toBase64, utf8 } from '../../src/ledger/index.ts';
import { runVerify, type VerifyIo } from '../../src/cli/verify.ts';
import { LOG_KEY, TestLog, bundleFor, loggedDocumentSigner, standardLog, testDocumentKey, testKey, trust } from './fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tool = (name: string, args: string[] = ['-v']) => spawnSync(name, args).error === undefined;
const HAS_PDFSIG = tool('pdfsig') && tool('pdftotext');
const HAS_QPDF = tool('qpdf', ['--version']);
const HAS_OPENSSL = tool('openssl', ['version']);
const HAS_CERTUTIL = tool('certutil', ['-H']);
if (!HAS_PDFSIG) console.warn('\n*** SKIPPED: pdfsig checks — poppler is not installed (Debian package: poppler-utils) ***\n');
if (!HAS_QPDF) console.warn('\n*** SKIPPED: qpdf checks — qpdf is not installed ***\n');
if (!HAS_OPENSSL) console.warn('\n*** SKIPPED: OpenSSL checks — openssl is not installed ***\n');
if (!HAS_CERTUTIL) console.warn('\n*** pdfsig runs without a trusted CA (certutil is not installed: Debian package libnss3-tools); "issuer isn\'t Trusted" is accepted ***\n');
if (process.env.DATADEED_REQUIRE_TOOLS === '1' && !(HAS_PDFSIG && HAS_QPDF && HAS_OPENSSL))
  describe('required tools', () => {
    it('poppler-utils, qpdf and openssl are installed', () => {
      expect({ pdfsig: HAS_PDFSIG, qpdf: HAS_QPDF, openssl: HAS_OPENSSL }).toEqual({ pdfsig: true, qpdf: true, openssl: true });
    });
  });

const NOW = new Date('2025-07-01T08:00:05Z');
const { log, newCert } = await standardLog();
const bundle = await bundleFor(log, newCert);
const documentKey = await testDocumentKey();
const signer = loggedDocumentSigner(log, documentKey);

// An evidence deposit in the same log, and its receipt.
const depositId = 'EV-2025-00000042';
const depositEntry = encodeEntry({
  kind: 'evidence.deposited',
  time: '2025-07-01T08:00:00Z',
  depositId,
  depositor: 'org_test',
  digest: 'e'.repeat(64),
  evidenceKind: 'document',
});
const depositIndex = log.append(depositEntry);
const receiptBundle = buildBundle({
  type: 'evidence',
  entry: { index: depositIndex, data: depositEntry },
  inclusion: { treeSize: log.size, proof: log.inclusionProof(depositIndex) },
  checkpoint: await log.checkpoint(),
});

const certificatePdf = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: 'https://registry.example.com', now: NOW, signer });
const receiptPdf = await renderReceiptPdf({
  deposit: { id: depositId, digest: 'e'.repeat(64), kind: 'document', depositedAt: '2025-07-01T08:00:00.000Z', logIndex: depositIndex, files: null, bytes: null },
  depositor: { name: '福建数据科技有限公司', uscc: '91350100M000100Y43' },
  checkpoint: { origin: log.origin, size: log.size, time: NOW.toISOString() },
  bundle: receiptBundle,
  publicUrl: 'https://registry.example.com',
  now: NOW,
  signer,
});

const dir = mkdtempSync(path.join(tmpdir(), 'dd-pades-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, bytes: Uint8Array) => {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
};
const certificateFile = write('certificate.pdf', certificatePdf);
const receiptFile = write('receipt.pdf', receiptPdf);
const caFile = path.join(dir, 'ca.pem');
writeFileSync(caFile, certificatePem(documentKey.caCertificate));

// An NSS database that trusts the registry's CA, when certutil is here.
const nssDir = path.join(dir, 'nss');
if (HAS_CERTUTIL) {
  mkdirSync(nssDir);
  expect(spawnSync('certutil', ['-N', '-d', `sql:${nssDir}`, '--empty-password']).status).toBe(0);
  expect(spawnSync('certutil', ['-A', '-d', `sql:${nssDir}`, '-n', 'DataDeed Registry CA', '-t', 'C,C,C', '-i', caFile]).status).toBe(0);
}

function pdfsig(file: string): string {
  const r = spawnSync('pdfsig', [...(HAS_CERTUTIL ? ['-nssdir', `sql:${nssDir}`] : []), file], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

/** What pdfsig must say of a genuine DataDeed PDF. */
function expectGenuine(out: string): void {
  expect(out).toContain('Signer Certificate Common Name: DataDeed Document Signing');
  expect(out).toContain('Signature Type: ETSI.CAdES.detached');
  expect(out).toContain('Signing Hash Algorithm: SHA-256');
  expect(out).toContain('Total document signed');
  expect(out).toContain('Signature Validation: Signature is Valid.');
  if (HAS_CERTUTIL) expect(out).toContain('Certificate Validation: Certificate is Trusted.');
  else expect(out).toMatch(/Certificate Validation: Certificate (is Trusted|issuer isn't Trusted)\./);
}

/** `datadeed verify` in-process (the same function bin/datadeed runs), trusting the log key only. */
async function verifyCli(file: string): Promise<{ code: number; out: string }> {
  let out = '';
  const io: VerifyIo = { out: (t) => void (out += t), err: () => {}, fetch: () => Promise.reject(new Error('offline')) };
  return { code: await runVerify([file, '--key', LOG_KEY.vkey, '--keys', write('keys.json', utf8(JSON.stringify(keysDocument()))), '--json'], io), out };
}

function keysDocument() {
  const t = trust();
  return { keys: t.certificateKeys.map((k) => ({ purpose: 'certificate', ...k })) };
}

const checkOf = (out: string, name: string) => (JSON.parse(out) as { checks: { name: string; ok: boolean; code: string }[] }).checks.find((c) => c.name === name);

/** The byte offsets of an indirect object's stream data in a classic (xref-table) PDF. */
function streamData(pdf: Uint8Array, ref: PDFRef): { start: number; end: number } {
  const text = Buffer.from(pdf).toString('latin1');
  const header = new RegExp(`(^|[\\r\\n])${ref.objectNumber} ${ref.generationNumber} obj\\b`).exec(text);
  expect(header, `object ${ref.objectNumber}`).not.toBeNull();
  const start = text.indexOf('stream', header!.index) + 'stream'.length;
  const dataStart = text[start] === '\r' ? start + 2 : start + 1;
  return { start: dataStart, end: text.indexOf('endstream', dataStart) };
}

/**
 * Appends an incremental update (ISO 32000-1 §7.5.6) that paints over the holder's name
 * and writes a forged one: new objects for the font and the content stream, and the
 * page object again with both — the signed revision stays byte for byte as it was.
 */
async function forgeByIncrementalUpdate(pdf: Uint8Array, forged: string): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const before = doc.context.largestObjectNumber;
  const page = doc.getPage(0);
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  page.drawRectangle({ x: 216, y: 560, width: 300, height: 30, color: rgb(1, 1, 1) });
  page.drawText(forged, { x: 218, y: 570, size: 11, font });
  await doc.flush();
  const changed: [PDFRef, Uint8Array][] = [];
  const serialize = (ref: PDFRef) => {
    const obj = doc.context.lookup(ref)!;
    const body = new Uint8Array(obj.sizeInBytes());
    obj.copyBytesInto(body, 0);
    return concatBytes(utf8(`${ref.objectNumber} ${ref.generationNumber} obj\n`), body, utf8('\nendobj\n'));
  };
  for (const [ref] of doc.context.enumerateIndirectObjects()) if (ref.objectNumber > before || ref === page.ref) changed.push([ref, serialize(ref)]);
  const resources = page.node.get(PDFName.of('Resources'));
  if (resources instanceof PDFRef) changed.push([resources, serialize(resources)]);
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(Buffer.from(pdf).toString('latin1'))![1]);
  const parts: Uint8Array[] = [pdf, utf8('\n')];
  let offset = pdf.length + 1;
  let xref = 'xref\n0 1\n0000000000 65535 f \n';
  for (const [ref, bytes] of changed) {
    xref += `${ref.objectNumber} 1\n${String(offset).padStart(10, '0')} 00000 n \n`;
    parts.push(bytes);
    offset += bytes.length;
  }
  const root = doc.context.trailerInfo.Root as PDFRef;
  const info = doc.context.trailerInfo.Info as PDFRef;
  parts.push(utf8(`${xref}trailer\n<< /Size ${doc.context.largestObjectNumber + 1} /Root ${root.objectNumber} 0 R /Info ${info.objectNumber} 0 R /Prev ${prev} >>\nstartxref\n${offset}\n%%EOF\n`));
  return concatBytes(...parts);
}

describe('the PAdES signature of a certificate PDF and a receipt PDF', () => {
  it('verifies in datadeed verify with the log key alone (the PDF proves the log holds its signer)', async () => {
    for (const [file, type] of [
      [certificateFile, 'certificate'],
      [receiptFile, 'evidence'],
    ] as const) {
      const r = await verifyCli(file);
      expect(r.code, r.out).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ ok: true, type });
      expect(checkOf(r.out, 'pdf_signature')).toMatchObject({ ok: true, code: 'ok', detail: `the whole file is signed by document key ${documentKey.keyId}` });
    }
  });

  it.skipIf(!HAS_PDFSIG)('pdfsig: Signature is Valid, Total document signed (certificate and receipt)', () => {
    expectGenuine(pdfsig(certificateFile));
    expectGenuine(pdfsig(receiptFile));
  });

  it.skipIf(!HAS_QPDF)('qpdf finds the files well-formed, with the signature field and both attachments', () => {
    for (const file of [certificateFile, receiptFile]) {
      const check = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toContain('No syntax or stream encoding errors found');
      const json = JSON.parse(spawnSync('qpdf', ['--json', '--json-key=acroform', '--json-key=attachments', file], { encoding: 'utf8' }).stdout) as {
        acroform: { fields: { fieldtype: string }[] };
        attachments: Record<string, unknown>;
      };
      expect(json.acroform.fields.map((f) => f.fieldtype)).toEqual(['/Sig']);
      expect(Object.keys(json.attachments).sort()).toEqual(
        [file === certificateFile ? 'DIP-2025-000123.datadeed.json' : `${depositId}.datadeed.json`, `${documentKey.keyId}.datadeed-key.json`].sort(),
      );
    }
  });

  it.skipIf(!HAS_OPENSSL)('OpenSSL verifies the CMS over the /ByteRange bytes and the chain to the registry CA; signing-certificate-v2 names the signer', async () => {
    const text = Buffer.from(certificatePdf).toString('latin1');
    const m = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\s*\]/.exec(text)!;
    const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
    expect(a).toBe(0);
    expect(c + d).toBe(certificatePdf.length); // every byte but the hole
    const hole = text.slice(b + 1, c - 1);
    expect(text[b]).toBe('<');
    expect(text[c - 1]).toBe('>');
    const cms = Buffer.from(hole, 'hex');
    const der = cms.subarray(0, 4 + cms.readUInt16BE(2)); // 30 82 LL LL
    const sigFile = write('sig.der', der);
    const contentFile = write('signed.bin', Buffer.concat([certificatePdf.subarray(0, b), certificatePdf.subarray(c, c + d)]));
    const verify = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigFile, '-content', contentFile, '-CAfile', caFile, '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr).toContain('Verification successful');
    // the certificate chain on its own
    const certFile = write('doc.pem', utf8(certificatePem(documentKey.certificate)));
    expect(spawnSync('openssl', ['verify', '-CAfile', caFile, certFile], { encoding: 'utf8' }).stdout).toContain(': OK');
    // ESS signing-certificate-v2 carries the SHA-256 of the signer's certificate (computed here by OpenSSL)
    const certDer = spawnSync('openssl', ['x509', '-in', certFile, '-outform', 'DER']).stdout as Buffer;
    const certHash = spawnSync('openssl', ['dgst', '-sha256', '-hex'], { input: certDer, encoding: 'utf8' }).stdout.trim().split(' ').pop()!;
    const printed = spawnSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', sigFile], { encoding: 'utf8' }).stdout;
    expect(printed).toContain('id-smime-aa-signingCertificateV2');
    expect(printed.replace(/\s/g, '')).toContain(`[HEXDUMP]:${certHash.toUpperCase()}`);
    expect(printed).toContain('ecdsa-with-SHA256');
  });

  it('one changed byte in the page content stream: pdfsig reports a digest mismatch; datadeed verify exits 1 with pdf_signature', async () => {
    const doc = await PDFDocument.load(certificatePdf, { updateMetadata: false });
    const contents = doc.getPage(0).node.get(PDFName.of('Contents'));
    const ref = (contents instanceof PDFRef ? contents : doc.context.lookupMaybe(contents, PDFArray)!.get(0)) as PDFRef;
    const { start, end } = streamData(certificatePdf, ref);
    const tampered = certificatePdf.slice();
    const at = Math.floor((start + end) / 2);
    tampered[at] = tampered[at]! ^ 0x01;
    const file = write('one-byte.pdf', tampered);
    if (HAS_PDFSIG) {
      const out = pdfsig(file);
      expect(out).toContain('Signature Validation: Digest Mismatch.');
      expect(out).not.toContain('Signature is Valid');
    }
    const r = await verifyCli(file);
    expect(r.code).toBe(1);
    expect(checkOf(r.out, 'pdf_signature')).toMatchObject({ ok: false, code: 'pdf_digest_mismatch' });
    // …the same through the real command line (bin/datadeed.mjs, the compiled program)
    const cli = spawnSync(process.execPath, ['bin/datadeed.mjs', 'verify', file, '--key', LOG_KEY.vkey], { cwd: ROOT, encoding: 'utf8' });
    expect(cli.status, cli.stdout + cli.stderr).toBe(1);
    expect(cli.stdout).toMatch(/pdf_signature\s+FAIL\s+pdf_digest_mismatch/);
  });

  it('one changed character of the metadata (the title): digest mismatch too', async () => {
    const text = Buffer.from(receiptPdf).toString('latin1');
    const m = /\/Title <FEFF([0-9A-F]+)>/.exec(text);
    expect(m).not.toBeNull();
    const at = m!.index + '/Title <FEFF'.length + 3; // a hex digit of the first character
    const tampered = receiptPdf.slice();
    tampered[at] = tampered[at] === 0x30 ? 0x31 : 0x30;
    const file = write('title.pdf', tampered);
    if (HAS_PDFSIG) expect(pdfsig(file)).toContain('Signature Validation: Digest Mismatch.');
    const r = await verifyPdf(tampered, trust(), nodeCrypto);
    expect(r.checks.find((c) => c.name === 'pdf_signature')).toMatchObject({ ok: false, code: 'pdf_digest_mismatch' });
  });

  it('an incremental update drawing a forged holder after signing: pdfsig no longer says Total document signed; datadeed verify refuses it (pdf_byte_range_invalid)', async () => {
    const forged = await forgeByIncrementalUpdate(certificatePdf, 'FORGED HOLDER LTD');
    expect(Buffer.from(forged.subarray(0, certificatePdf.length)).equals(Buffer.from(certificatePdf))).toBe(true); // the signed revision is untouched
    const file = write('updated.pdf', forged);
    if (HAS_PDFSIG) {
      const shown = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout;
      expect(shown).toContain('FORGED HOLDER LTD'); // the update takes effect in a reader
      const out = pdfsig(file);
      expect(out).toContain('Signature Validation: Signature is Valid.'); // of the earlier revision …
      expect(out).not.toContain('Total document signed'); // … which is no longer the whole document
    }
    if (HAS_QPDF) expect(spawnSync('qpdf', ['--check', file], { encoding: 'utf8' }).status).toBe(0);
    const r = await verifyCli(file);
    expect(r.code).toBe(1);
    expect(checkOf(r.out, 'pdf_signature')).toMatchObject({ ok: false, code: 'pdf_byte_range_invalid' });
    // the bundle inside is still the genuine one: only the signature check sees the forgery
    expect(checkOf(r.out, 'certificate_signature')).toMatchObject({ ok: true });
  });

  it('a signature by a document key the log does not hold (another CA): pdf_signer_untrusted; trusting it via /v1/keys passes', async () => {
    const stranger = await testDocumentKey();
    const pdf = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: 'https://registry.example.com', now: NOW, signer: documentSigner(stranger, async () => []) });
    if (HAS_PDFSIG) expect(pdfsig(write('stranger.pdf', pdf))).toContain('Signature Validation: Signature is Valid.'); // valid, but not ours
    const r = await verifyPdf(pdf, trust(), nodeCrypto);
    expect(r.checks.find((c) => c.name === 'pdf_signature')).toMatchObject({ ok: false, code: 'pdf_signer_untrusted' });
    const trusted = await verifyPdf(pdf, { ...trust(), documentKeys: [{ certificate: toBase64(stranger.certificate), caCertificate: toBase64(stranger.caCertificate) }] }, nodeCrypto);
    expect(trusted.ok, JSON.stringify(trusted.checks)).toBe(true);
    // a proof of our key beside a signature by the stranger's does not help
    const mixed = documentSigner(stranger, () => signer.attachments());
    const r2 = await verifyPdf(await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: 'https://registry.example.com', now: NOW, signer: mixed }), trust(), nodeCrypto);
    expect(r2.checks.find((c) => c.name === 'pdf_signature')).toMatchObject({ ok: false, code: 'pdf_signer_untrusted' });
    // the genuine certificate with a CA that did not issue it is refused as well
    await expect(
      verifyDocumentSignature(
        { signedBytes: await covered(certificatePdf), cms: (await signatureOf(certificatePdf)).contents, subFilter: 'ETSI.CAdES.detached' },
        [{ certificate: documentKey.certificate, caCertificate: stranger.caCertificate }],
        nodeCrypto,
      ),
    ).rejects.toMatchObject({ code: 'pdf_signer_untrusted' });
  });

  it('a proof for another log (or not signed by a trusted log key) does not make the signer trusted', async () => {
    const otherLog = new TestLog('other.datadeed.localhost/log', testKey('other.datadeed.localhost/log', 'other log').signer);
    otherLog.fill(2);
    const foreign = loggedDocumentSigner(otherLog, documentKey);
    const pdf = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: 'https://registry.example.com', now: NOW, signer: foreign });
    const r = await verifyPdf(pdf, trust(), nodeCrypto);
    expect(r.checks.find((c) => c.name === 'pdf_signature')).toMatchObject({ ok: false, code: 'pdf_signer_untrusted' });
    // the genuine proof, but the log key not trusted → the bundle fails, and so does the signer
    const r2 = await verifyPdf(certificatePdf, { ...trust(), logKeys: [] }, nodeCrypto);
    expect(r2.checks.find((c) => c.name === 'pdf_signature')).toMatchObject({ ok: false, code: 'pdf_signer_untrusted' });
  });

  it('a /ByteRange that leaves more than /Contents unsigned, or two signatures: refused', async () => {
    const sig = await signatureOf(certificatePdf);
    const [, a, b, c] = sig.byteRange as [number, number, number, number];
    expect(() => signedBytes(certificatePdf, { ...sig, byteRange: [0, a - 10, b, c] })).toThrow(CertificateError);
    expect(() => signedBytes(certificatePdf, { ...sig, byteRange: [0, a, b, c - 1] })).toThrow(/end of the file/);
    expect(() => signedBytes(certificatePdf, { ...sig, byteRange: [10, a, b, c] })).toThrow(CertificateError);
    expect(() => signedBytes(certificatePdf, { ...sig, contents: sig.contents.slice(1) })).toThrow(CertificateError);
    // a second signature field (e.g. added by an incremental update) is not ours to judge: refused
    const extracted = await extractBundleFromPdf(certificatePdf);
    const two = await pdfSignatureCheck(certificatePdf, { ...extracted, signatures: [sig, sig] }, trust(), log.origin, nodeCrypto);
    expect(two).toMatchObject({ ok: false, code: 'pdf_signature_invalid' });
  });

  it('the key entry names the certificates as OpenSSL and python3 compute them (SHA-256, base64 DER, key ID)', () => {
    const event = documentKeyAddedEvent(documentKey.certificate, documentKey.caCertificate, new Date('2025-01-01T00:00:00Z'));
    const pemFile = write('cert-again.pem', utf8(certificatePem(documentKey.certificate)));
    const der = spawnSync('openssl', ['x509', '-in', pemFile, '-outform', 'DER']).stdout as Buffer;
    expect(Buffer.from(documentKey.certificate).equals(der)).toBe(true);
    const py = spawnSync('python3', ['-c', 'import sys,hashlib,base64;d=sys.stdin.buffer.read();print(hashlib.sha256(d).hexdigest(), base64.b64encode(d).decode())'], { input: der, encoding: 'utf8' });
    const [hash, b64] = py.stdout.trim().split(' ');
    expect(event).toMatchObject({ kind: 'key.added', purpose: 'document', certificateSha256: hash, certificate: b64, keyId: hash!.slice(0, 16) });
    expect(event.caCertificateSha256).toBe(createHash('sha256').update(documentKey.caCertificate).digest('hex'));
    expect(readFileSync(caFile, 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
  });
});

/** The signature of a signed PDF. */
async function signatureOf(pdf: Uint8Array) {
  const [sig] = pdfSignatures((await PDFDocument.load(pdf, { updateMetadata: false })).context);
  return sig!;
}

/** What a signed PDF's signature covers. */
async function covered(pdf: Uint8Array): Promise<Uint8Array> {
  return signedBytes(pdf, await signatureOf(pdf));
}
