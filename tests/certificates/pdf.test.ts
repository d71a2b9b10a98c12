/**
 * Certificate PDFs: rendering (A4, bilingual, embedded subset font, QR code, attached
 * bundle, deterministic, signed), reading the bundle back from untrusted PDFs with
 * bounds, and tampering with the attachment (the PAdES signature itself: pades.test.ts). Poppler and zbar checks skip loudly when the tools
 * are missing (Debian packages poppler-utils and zbar-tools).
 */
import { spawnSync } from 'node:child_process';
import { deflateSync, inflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFRef, PDFString, StandardFonts } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../src/ledger/index.ts';
import { serializeBundle } from '../../src/certificates/index.ts';
import { nodeCrypto } from '../../src/certificates/node/index.ts';
import { extractBundleFromPdf, MAX_PDF_BYTES } from '../../src/certificates/pdf/extract.ts';
import { renderCertificatePdf, renderDocumentPdf, verificationUrl } from '../../src/certificates/pdf/render.ts';
import { verifyPdf } from '../../src/certificates/pdf/index.ts';
import { pdfSignatures, signedBytes } from '../../src/certificates/pdf/signature.ts';
import { CertificateError } from '../../src/certificates/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { bundleFor, loggedDocumentSigner, standardLog, testDocumentKey, trust } from './fixtures.ts';

const { expectCodeAsync } = assertCodes(CertificateError);

const tool = (name: string, args: string[] = ['-v']) => spawnSync(name, args).error === undefined;
const HAS_POPPLER = tool('pdftotext') && tool('pdftoppm') && tool('pdffonts');
const HAS_ZBAR = tool('zbarimg', ['--version']);
if (!HAS_POPPLER) console.warn('\n*** SKIPPED: PDF text/font/render checks — poppler is not installed (Debian package: poppler-utils) ***\n');
if (!HAS_ZBAR) console.warn('\n*** SKIPPED: QR code decoding — zbarimg is not installed (Debian package: zbar-tools) ***\n');
// CI installs the tools and sets DATADEED_REQUIRE_TOOLS=1: there a missing tool is a failure, never a skip
if (process.env.DATADEED_REQUIRE_TOOLS === '1' && !(HAS_POPPLER && HAS_ZBAR))
  describe('required tools', () => {
    it('poppler-utils and zbar-tools are installed', () => {
      expect({ poppler: HAS_POPPLER, zbar: HAS_ZBAR }).toEqual({ poppler: true, zbar: true });
    });
  });

const NOW = new Date('2025-07-01T08:00:05Z');
const PUBLIC_URL = 'https://registry.example.com/';
const { log, oldCert, newCert } = await standardLog();
const bundle = await bundleFor(log, newCert);
const otherBundle = await bundleFor(log, oldCert);
const signer = loggedDocumentSigner(log, await testDocumentKey());
const pdf = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: PUBLIC_URL, now: NOW, signer });
const unsigned = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: PUBLIC_URL, now: NOW, signer: null });

/** What a PDF's signature covers: every byte but the signature value. */
async function covered(bytes: Uint8Array): Promise<Uint8Array> {
  const signatures = pdfSignatures((await PDFDocument.load(bytes, { updateMetadata: false })).context);
  expect(signatures).toHaveLength(1);
  return signedBytes(bytes, signatures[0]!);
}

const dir = mkdtempSync(path.join(tmpdir(), 'dd-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'DIP-2025-000123.pdf');
writeFileSync(file, pdf);
// An empty fontconfig: poppler must draw with the embedded font, never a system one.
const fontsConf = path.join(dir, 'fonts.conf');
writeFileSync(fontsConf, '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n');
const popplerEnv = { ...process.env, FONTCONFIG_FILE: fontsConf };

/** The embedded bundle stream of a DataDeed PDF, and its file specification. */
async function attachment(bytes: Uint8Array) {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const names = doc.catalog.lookup(PDFName.of('Names'), PDFDict).lookup(PDFName.of('EmbeddedFiles'), PDFDict).lookup(PDFName.of('Names'), PDFArray);
  const spec = names.lookup(1, PDFDict);
  const ref = spec.lookup(PDFName.of('EF'), PDFDict).get(PDFName.of('F')) as PDFRef;
  return { doc, names, spec, ref, stream: doc.context.lookup(ref) as PDFRawStream };
}

/** A copy of the PDF whose attached bundle is replaced (optionally under another name). */
async function withAttachment(bytes: Uint8Array, content: Uint8Array, name?: string): Promise<Uint8Array> {
  const { doc, names, spec, ref } = await attachment(bytes);
  doc.context.assign(ref, doc.context.flateStream(content, { Type: 'EmbeddedFile', Subtype: 'application/json' }));
  if (name) {
    names.set(0, PDFHexString.fromText(name));
    spec.set(PDFName.of('F'), PDFString.of(name));
    spec.set(PDFName.of('UF'), PDFHexString.fromText(name));
  }
  return doc.save({ useObjectStreams: true });
}

describe('certificate PDF rendering', () => {
  it('is small, A4, deterministic for a fixed clock, and carries the bundle', async () => {
    console.log(`certificate PDF: ${pdf.length} bytes (unsigned ${unsigned.length})`);
    expect(pdf.length).toBeLessThan(80 * 1024);
    const again = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: PUBLIC_URL, now: NOW, signer: null });
    expect(Buffer.from(again).equals(Buffer.from(unsigned))).toBe(true);
    const later = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: PUBLIC_URL, now: new Date('2026-01-01T00:00:00Z'), signer: null });
    expect(Buffer.from(later).equals(Buffer.from(unsigned))).toBe(false);
    // Signed: every byte the signature covers is the same again; only the (randomised ECDSA) signature value may differ.
    const signedAgain = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: PUBLIC_URL, now: NOW, signer });
    expect(signedAgain.length).toBe(pdf.length);
    expect(Buffer.from(await covered(signedAgain)).equals(Buffer.from(await covered(pdf)))).toBe(true);

    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
    expect(doc.getTitle()).toBe('数据知识产权登记证书 DIP-2025-000123 / Data Intellectual Property Registration Certificate');
    expect(doc.getSubject()).toContain('DIP-2025-000123');
    expect(doc.getKeywords()).toContain('datadeed-id:DIP-2025-000123');
    expect(doc.getCreationDate()?.toISOString()).toBe('2025-07-01T08:00:05.000Z');
    expect(doc.getModificationDate()?.toISOString()).toBe('2025-07-01T08:00:05.000Z');
    expect(doc.getCreator()).toBe('DataDeed');

    const extracted = await extractBundleFromPdf(pdf);
    expect(extracted).toMatchObject({ name: 'DIP-2025-000123.datadeed.json', declaredId: 'DIP-2025-000123' });
    expect(fromUtf8(extracted.bytes)).toBe(serializeBundle(bundle));
    expect(verificationUrl(PUBLIC_URL, 'DIP-2025-000123')).toBe('https://registry.example.com/verify/DIP-2025-000123');
  });

  it.skipIf(!HAS_POPPLER)('pdftotext shows the Chinese and English fields', () => {
    const out = spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { env: popplerEnv, encoding: 'utf8' });
    expect(out.status).toBe(0);
    const text = out.stdout;
    for (const s of [
      '数据知识产权登记证书',
      'Data Intellectual Property Registration Certificate',
      '登记编号',
      'Registration No.',
      'DIP-2025-000123',
      '数据持有人',
      'Holder',
      '福建数据科技有限公司',
      '统一社会信用代码',
      'Unified Social Credit Code',
      '91350100M000100Y43',
      '数据名称',
      '城市交通出行数据集 2025 Q2',
      '文件数量',
      '1,284',
      '73,014,444,032 B',
      '有效期',
      '2025-07-01 至 to 2028-07-01', // in the registry's zone: 2028-06-30T23:59:59Z is 1 July, 07:59 in Asia/Shanghai
      '发证日期',
      'Date of issue',
      '数据指纹',
      'Fingerprint',
      '5f9c4ab0 8cac7457 e9111a30 e4664920',
      '607ea2c1 15a1433d 7be98e97 e64244ca',
      newCert.payload.keyId,
      'https://registry.example.com/verify/DIP-2025-000123',
      '扫码在线验证',
      'Scan to verify',
    ]) {
      expect(text, s).toContain(s);
    }
  });

  it.skipIf(!HAS_POPPLER)('embeds every font (pdffonts) and renders with an empty fontconfig', () => {
    const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' }).stdout.split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const row of fonts) expect(row, row).toMatch(/CID TrueType\s+Identity-H\s+yes\s+no\s+yes/);
    const render = spawnSync('pdftoppm', ['-png', '-r', '40', '-singlefile', file, path.join(dir, 'thumb')], { env: popplerEnv, encoding: 'utf8' });
    expect(render.status).toBe(0);
    expect(render.stderr).not.toMatch(/font/i);
  });

  it.skipIf(!HAS_POPPLER)('pdfdetach lists the attached bundle', () => {
    expect(spawnSync('pdfdetach', ['-list', file], { encoding: 'utf8' }).stdout).toContain('DIP-2025-000123.datadeed.json');
  });

  it.skipIf(!HAS_POPPLER || !HAS_ZBAR)('the QR code decodes (zbarimg, 150 dpi) to the verification URL', () => {
    const png = path.join(dir, 'page150');
    expect(spawnSync('pdftoppm', ['-png', '-r', '150', '-singlefile', file, png], { env: popplerEnv }).status).toBe(0);
    const out = spawnSync('zbarimg', ['-q', '--raw', `${png}.png`], { encoding: 'utf8' });
    expect(out.stdout.trim()).toBe('https://registry.example.com/verify/DIP-2025-000123');
  });

  it.skipIf(!HAS_POPPLER)('names the configured authority and seal, dates in the configured zone, and the independent witnesses, time-stamp and notaries, on one page', async () => {
    const pdf = await renderCertificatePdf({
      payload: newCert.payload,
      bundle,
      publicUrl: PUBLIC_URL,
      now: NOW,
      signer: null,
      issuer: { zh: '天津市知识产权局', en: 'Tianjin Intellectual Property Office' },
      seal: '天津市知识产权局登记专用章',
      timeZone: 'America/Los_Angeles',
      attestedBy: { witnesses: 'notary.tianjin.example/witness 2025-07-01 01:00 (UTC-07:00)', timestamp: '2025-07-01 01:00 (UTC-07:00) · CN=Test TSA', notaries: '天津市公证处 · 公证书 (2025)津证字第1号 · 2025-06-30 18:00 (UTC-07:00)' },
    });
    expect((await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount()).toBe(1);
    const f = path.join(path.dirname(file), 'configured.pdf');
    writeFileSync(f, pdf);
    const out = spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', f, '-'], { env: popplerEnv, encoding: 'utf8' });
    const text = out.stdout.replace(/\s+/g, ' ');
    // issuedAt 2025-07-01T08:00:00Z is 01:00 on 1 July in Los Angeles; validFrom 00:00Z is still 30 June there
    for (const s of ['天津市知识产权局', 'Tianjin Intellectual Property Office', '2025-06-30 至 to 2028-06-30', '见证联署', 'notary.tianjin.example/witness', '可信时间戳', 'CN=Test TSA', '公证', '(2025)津证字第1号'])
      expect(text, s).toContain(s);
    expect(text).not.toContain('DataDeed 数据知识产权登记平台');
  });

  it('refuses a bundle that is not the payload’s, and unusable documents', async () => {
    await expectCodeAsync(() => renderCertificatePdf({ payload: newCert.payload, bundle: otherBundle, publicUrl: PUBLIC_URL, now: NOW, signer }), 'invalid_document');
    const base = {
      issuer: { zh: '登记平台', en: 'Registry' },
      title: { zh: '存证证书', en: 'Evidence Certificate' },
      id: { label: { zh: '存证编号', en: 'Deposit No.' }, value: 'dep_01' },
      fields: [{ zh: '摘要', en: 'Digest', value: 'x' }],
      fingerprint: { label: { zh: '摘要', en: 'Digest' }, hex: 'ab'.repeat(32) },
      qr: { url: 'https://registry.example.com/verify/dep_01', caption: { zh: '扫码验证', en: 'Scan' } },
      seal: { ring: '数据存证平台', center: '存证专用章', date: '2025年08月01日' },
      notes: [],
      attachment: { name: 'dep_01.datadeed.json', bytes: utf8('{}'), mimeType: 'application/json', description: '' },
      metadata: { title: 't', subject: 's' },
      now: NOW,
    };
    expect((await renderDocumentPdf(base)).length).toBeGreaterThan(1000); // the generic renderer works for receipts
    for (const bad of [
      { ...base, title: { zh: '', en: 'x' } },
      { ...base, qr: { ...base.qr, url: 'javascript:alert(1)' } },
      { ...base, fingerprint: { ...base.fingerprint, hex: 'XYZ' } },
      { ...base, attachment: { ...base.attachment, name: '../evil.json' } },
      { ...base, fields: Array(13).fill(base.fields[0]) },
      { ...base, now: new Date(Number.NaN) },
    ]) {
      await expectCodeAsync(() => renderDocumentPdf(bad), 'invalid_document');
    }
  });
});

describe('verifying a certificate PDF', () => {
  it('verifies offline from the attachment, with pdf_binding', async () => {
    const r = await verifyPdf(pdf, trust(), nodeCrypto);
    expect(r.ok, JSON.stringify(r.checks)).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual([
      'format',
      'checkpoint_signature',
      'inclusion_proof',
      'entry_matches_payload',
      'certificate_signature',
      'key_validity',
      'pdf_binding',
      'pdf_signature',
    ]);
    expect(r.attachment).toBe('DIP-2025-000123.datadeed.json');
  });

  it('one character of the attached bundle changed inside the PDF → the check it breaks fails (and the signature)', async () => {
    const { stream } = await attachment(pdf);
    const text = fromUtf8(inflateSync(stream.contents));
    const tampered = text.replace('福建数据科技', '福建数据料技');
    expect(tampered).not.toBe(text);
    const r = await verifyPdf(await withAttachment(pdf, utf8(tampered)), trust(), nodeCrypto);
    expect(r.ok).toBe(false);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['entry_matches_payload', 'certificate_signature', 'pdf_signature']);
    const badSig = text.replace(/"sig": "(.)/, (_m, c: string) => `"sig": "${c === 'A' ? 'B' : 'A'}`);
    const r2 = await verifyPdf(await withAttachment(pdf, utf8(badSig)), trust(), nodeCrypto);
    expect(r2.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['certificate_signature', 'pdf_signature']);
    expect(r2.checks.find((c) => c.name === 'certificate_signature')!.code).toBe('bad_signature');
    // The same tampering in an unsigned PDF: the bundle's checks alone catch it.
    const r3 = await verifyPdf(await withAttachment(unsigned, utf8(badSig)), trust(), nodeCrypto);
    expect(r3.checks.filter((c) => !c.ok).map((c) => [c.name, c.code])).toEqual([
      ['certificate_signature', 'bad_signature'],
      ['pdf_signature', 'pdf_unsigned'],
    ]);
  });

  it('the attachment swapped for another certificate’s genuine bundle → pdf_binding', async () => {
    const swapped = await withAttachment(pdf, utf8(serializeBundle(otherBundle)));
    const r = await verifyPdf(swapped, trust(), nodeCrypto);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['pdf_binding', 'pdf_signature']);
    expect(r.checks.find((c) => c.name === 'pdf_binding')!.code).toBe('pdf_mismatch');
    // …also when the attachment is renamed to match the other certificate.
    const renamed = await withAttachment(pdf, utf8(serializeBundle(otherBundle)), 'DIP-2025-000045.datadeed.json');
    const r2 = await verifyPdf(renamed, trust(), nodeCrypto);
    expect(r2.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['pdf_binding', 'pdf_signature']);
    expect(r2.checks.find((c) => c.name === 'pdf_binding')!.code).toBe('pdf_mismatch');
  });

  it('a PDF that is not ours → pdf_no_bundle', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    page.drawText('An ordinary PDF', { font: await doc.embedFont(StandardFonts.Helvetica) });
    await doc.attach(utf8('hello'), 'notes.txt', { mimeType: 'text/plain' });
    const saved = await doc.save();
    await expectCodeAsync(() => extractBundleFromPdf(saved), 'pdf_no_bundle');
    await expectCodeAsync(async () => verifyPdf(await doc.save({ useObjectStreams: false }), trust(), nodeCrypto), 'pdf_no_bundle');
  });

  it('two bundles in one PDF → pdf_unreadable', async () => {
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    await doc.attach(utf8(serializeBundle(otherBundle)), 'DIP-2025-000045.datadeed.json', { mimeType: 'application/json' });
    await expectCodeAsync(async () => extractBundleFromPdf(await doc.save()), 'pdf_unreadable');
  });

  it('truncated PDFs → pdf_unreadable (never a crash)', async () => {
    for (const n of [0, 10, 500, Math.floor(pdf.length / 2), pdf.length - 200]) {
      let code: string | undefined;
      try {
        await extractBundleFromPdf(pdf.subarray(0, n));
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(['pdf_unreadable', 'pdf_no_bundle'], `truncated to ${n}`).toContain(code);
    }
  });

  it('50 MB of garbage → pdf_too_large before parsing; smaller garbage → pdf_unreadable, fast', async () => {
    const big = new Uint8Array(randomBytes(50 * 1024 * 1024));
    big.set(utf8('%PDF-1.7\n'));
    let t = performance.now();
    await expectCodeAsync(() => extractBundleFromPdf(big), 'pdf_too_large');
    expect(performance.now() - t).toBeLessThan(1000);
    const small = new Uint8Array(randomBytes(MAX_PDF_BYTES - 1024));
    small.set(utf8('%PDF-1.7\n'));
    t = performance.now();
    let code: string | undefined;
    try {
      await extractBundleFromPdf(small);
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(['pdf_unreadable', 'pdf_too_large']).toContain(code);
    expect(performance.now() - t).toBeLessThan(10_000);
    await expectCodeAsync(() => extractBundleFromPdf(new Uint8Array(randomBytes(4096))), 'pdf_unreadable');
    await expectCodeAsync(() => extractBundleFromPdf(utf8('%PDF-1.7\n' + '0 '.repeat(1_100_000))), 'pdf_too_large');
  });

  it('a compression bomb in an object stream is refused without expanding it', async () => {
    const zeros = deflateSync(Buffer.alloc(64 * 1024 * 1024));
    const head = utf8(`%PDF-1.7\n1 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${zeros.length} >>\nstream\n`);
    const tail = utf8('\nendstream\nendobj\n%%EOF\n');
    const bomb = new Uint8Array(head.length + zeros.length + tail.length);
    bomb.set(head);
    bomb.set(zeros, head.length);
    bomb.set(tail, head.length + zeros.length);
    const before = process.memoryUsage().rss;
    await expectCodeAsync(() => extractBundleFromPdf(bomb), 'pdf_too_large');
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('a bundle attachment that is itself a bomb → pdf_too_large', async () => {
    const huge = await withAttachment(pdf, new Uint8Array(8 * 1024 * 1024).fill(0x20));
    await expectCodeAsync(() => extractBundleFromPdf(huge), 'pdf_too_large');
  });
});
