/**
 * Certificate PDFs: rendering (A4, bilingual, embedded subset font, QR code, attached
 * bundle, deterministic), reading the bundle back from untrusted PDFs with bounds, and
 * tampering with the attachment. Poppler and zbar checks skip loudly when the tools
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
import { fromUtf8, utf8 } from '../../src/ledger/bytes.ts';
import { serializeBundle } from '../../src/certificates/bundle.ts';
import { nodeEd25519 } from '../../src/certificates/crypto-node.ts';
import { extractBundleFromPdf, MAX_PDF_BYTES } from '../../src/certificates/pdf-extract.ts';
import { renderCertificatePdf, renderDocumentPdf, verificationUrl } from '../../src/certificates/pdf.ts';
import { verifyPdf } from '../../src/certificates/verify-pdf.ts';
import { expectCertificateErrorAsync } from './assert-code.ts';
import { bundleFor, standardLog, trust } from './fixtures.ts';

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
const pdf = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: PUBLIC_URL, now: NOW });

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
    console.log(`certificate PDF: ${pdf.length} bytes`);
    expect(pdf.length).toBeLessThan(80 * 1024);
    const again = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: PUBLIC_URL, now: NOW });
    expect(Buffer.from(again).equals(Buffer.from(pdf))).toBe(true);
    const later = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: PUBLIC_URL, now: new Date('2026-01-01T00:00:00Z') });
    expect(Buffer.from(later).equals(Buffer.from(pdf))).toBe(false);

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
      '2025-07-01 至 to 2028-06-30',
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

  it('refuses a bundle that is not the payload’s, and unusable documents', async () => {
    await expectCertificateErrorAsync(() => renderCertificatePdf({ payload: newCert.payload, bundle: otherBundle, publicUrl: PUBLIC_URL, now: NOW }), 'invalid_document');
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
      await expectCertificateErrorAsync(() => renderDocumentPdf(bad), 'invalid_document');
    }
  });
});

describe('verifying a certificate PDF', () => {
  it('verifies offline from the attachment, with pdf_binding', async () => {
    const r = await verifyPdf(pdf, trust(), nodeEd25519);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual([
      'format',
      'checkpoint_signature',
      'inclusion_proof',
      'entry_matches_payload',
      'certificate_signature',
      'key_validity',
      'pdf_binding',
    ]);
    expect(r.attachment).toBe('DIP-2025-000123.datadeed.json');
  });

  it('one character of the attached bundle changed inside the PDF → the check it breaks fails', async () => {
    const { stream } = await attachment(pdf);
    const text = fromUtf8(inflateSync(stream.contents));
    const tampered = text.replace('福建数据科技', '福建数据料技');
    expect(tampered).not.toBe(text);
    const r = await verifyPdf(await withAttachment(pdf, utf8(tampered)), trust(), nodeEd25519);
    expect(r.ok).toBe(false);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['entry_matches_payload', 'certificate_signature']);
    const badSig = text.replace(/"sig": "(.)/, (_m, c: string) => `"sig": "${c === 'A' ? 'B' : 'A'}`);
    const r2 = await verifyPdf(await withAttachment(pdf, utf8(badSig)), trust(), nodeEd25519);
    expect(r2.checks.filter((c) => !c.ok).map((c) => [c.name, c.code])).toEqual([['certificate_signature', 'bad_signature']]);
  });

  it('the attachment swapped for another certificate’s genuine bundle → pdf_binding', async () => {
    const swapped = await withAttachment(pdf, utf8(serializeBundle(otherBundle)));
    const r = await verifyPdf(swapped, trust(), nodeEd25519);
    expect(r.checks.filter((c) => !c.ok).map((c) => [c.name, c.code])).toEqual([['pdf_binding', 'pdf_mismatch']]);
    // …also when the attachment is renamed to match the other certificate.
    const renamed = await withAttachment(pdf, utf8(serializeBundle(otherBundle)), 'DIP-2025-000045.datadeed.json');
    const r2 = await verifyPdf(renamed, trust(), nodeEd25519);
    expect(r2.checks.filter((c) => !c.ok).map((c) => [c.name, c.code])).toEqual([['pdf_binding', 'pdf_mismatch']]);
  });

  it('a PDF that is not ours → pdf_no_bundle', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    page.drawText('An ordinary PDF', { font: await doc.embedFont(StandardFonts.Helvetica) });
    await doc.attach(utf8('hello'), 'notes.txt', { mimeType: 'text/plain' });
    const saved = await doc.save();
    await expectCertificateErrorAsync(() => extractBundleFromPdf(saved), 'pdf_no_bundle');
    await expectCertificateErrorAsync(async () => verifyPdf(await doc.save({ useObjectStreams: false }), trust(), nodeEd25519), 'pdf_no_bundle');
  });

  it('two bundles in one PDF → pdf_unreadable', async () => {
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    await doc.attach(utf8(serializeBundle(otherBundle)), 'DIP-2025-000045.datadeed.json', { mimeType: 'application/json' });
    await expectCertificateErrorAsync(async () => extractBundleFromPdf(await doc.save()), 'pdf_unreadable');
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
    await expectCertificateErrorAsync(() => extractBundleFromPdf(big), 'pdf_too_large');
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
    await expectCertificateErrorAsync(() => extractBundleFromPdf(new Uint8Array(randomBytes(4096))), 'pdf_unreadable');
    await expectCertificateErrorAsync(() => extractBundleFromPdf(utf8('%PDF-1.7\n' + '0 '.repeat(1_100_000))), 'pdf_too_large');
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
    await expectCertificateErrorAsync(() => extractBundleFromPdf(bomb), 'pdf_too_large');
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('a bundle attachment that is itself a bomb → pdf_too_large', async () => {
    const huge = await withAttachment(pdf, new Uint8Array(8 * 1024 * 1024).fill(0x20));
    await expectCertificateErrorAsync(() => extractBundleFromPdf(huge), 'pdf_too_large');
  });
});
