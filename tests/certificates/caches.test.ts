/**
 * What the speed-ups of issuance and verification keep (issue 20): a cache never answers
 * for another input.
 *
 * - Trusted keys parsed once per vkey text: a changed trust set (even the same object,
 *   changed) is read afresh; a malformed key still throws; an adapter that scribbles
 *   on the key bytes it is given does not change later verifications.
 * - PDFs: the page content written as text draws what pdf-lib's own drawText draws
 *   (same operators); a document rendered before and after others (subsets, compressed
 *   streams and static shapes cached in between) has the same bytes; another
 *   document's text is its own, every character of it in the embedded subset
 *   (pdftotext, independent of our code, reads it back).
 * - Compressed streams reused by content: what zlib gives, a copy each time.
 * - Checkpoint notes remembered: only the exact note text, per verification adapter and
 *   per set of trusted log keys; the certificate's own signature is verified every time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { decodePDFRawStream, degrees, PDFArray, PDFDocument, PDFName, PDFRawStream, rgb, StandardFonts } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBundle, type Ed25519Verify } from '../../src/certificates/index.ts';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { CertificateError } from '../../src/certificates/index.ts';
import { PageContent } from '../../src/certificates/pdf/content.ts';
import { deflateMemo } from '../../src/certificates/pdf/deflate.ts';
import { subsetNotoSansSc } from '../../src/certificates/pdf/fonts.ts';
import { renderCertificatePdf } from '../../src/certificates/pdf/render.ts';
import { sha256, toBase64, utf8 } from '../../src/ledger/index.ts';
import { bundleFor, CERT_KEY_NEW, CERT_KEY_NEW_WINDOW, CERT_KEY_OLD, CERT_KEY_OLD_WINDOW, issue, LOG_KEY, ORIGIN, sampleFields, standardLog, testKey, trust } from './fixtures.ts';

const tool = (name: string, args: string[] = ['-v']) => spawnSync(name, args).error === undefined;
const HAS_POPPLER = tool('pdftotext');
if (!HAS_POPPLER) console.warn('\n*** SKIPPED: pdftotext checks — poppler is not installed (Debian package: poppler-utils) ***\n');

const { log, newCert } = await standardLog();
const bundle = await bundleFor(log, newCert);
const text = JSON.stringify(bundle);

describe('trusted keys parsed once', () => {
  it('a trust set changed between calls (same object) is read afresh', async () => {
    const t = trust();
    expect((await verifyBundle(text, t, nodeEd25519)).ok).toBe(true);
    t.certificateKeys = [{ vkey: CERT_KEY_OLD.vkey, ...CERT_KEY_OLD_WINDOW }];
    const r = await verifyBundle(text, t, nodeEd25519);
    expect(r.checks.find((c) => c.name === 'certificate_signature')?.code).toBe('unknown_key');
    t.certificateKeys = [{ vkey: CERT_KEY_NEW.vkey, ...CERT_KEY_NEW_WINDOW }];
    expect((await verifyBundle(text, t, nodeEd25519)).ok).toBe(true);
    t.logKeys = [CERT_KEY_NEW.vkey]; // a key of another name: no trusted log key signed
    expect((await verifyBundle(text, t, nodeEd25519)).checks.find((c) => c.name === 'checkpoint_signature')?.code).toBe('unknown_key');
  });

  it('a trust set changed in place (the same arrays, an entry edited or added) is read afresh', async () => {
    const t = trust();
    expect((await verifyBundle(text, t, nodeEd25519)).ok).toBe(true);
    const key = t.certificateKeys.find((k) => k.vkey === CERT_KEY_NEW.vkey)!;
    const until = key.validUntil;
    key.validUntil = '2000-01-02T00:00:00Z'; // the window closed before the certificate was issued
    const r = await verifyBundle(text, t, nodeEd25519);
    expect(r.checks.find((c) => c.name === 'key_validity')?.code).toBe('key_not_valid_at_issue_date');
    key.validUntil = until;
    expect((await verifyBundle(text, t, nodeEd25519)).ok).toBe(true);
    const logKeys = t.logKeys.splice(0); // emptied in place
    expect((await verifyBundle(text, t, nodeEd25519)).checks.find((c) => c.name === 'checkpoint_signature')?.code).toBe('unknown_key');
    t.logKeys.push(...logKeys);
    expect((await verifyBundle(text, t, nodeEd25519)).ok).toBe(true);
  });

  it('a malformed trusted key still throws invalid_trusted_key after good keys were parsed', async () => {
    expect((await verifyBundle(text, trust(), nodeEd25519)).ok).toBe(true);
    const bad = { ...trust(), logKeys: [LOG_KEY.vkey, `${LOG_KEY.vkey}x`] };
    await expect(verifyBundle(text, bad, nodeEd25519)).rejects.toThrowError(expect.objectContaining({ code: 'invalid_trusted_key' }));
    await expect(verifyBundle(text, bad, nodeEd25519)).rejects.toBeInstanceOf(CertificateError);
  });

  it('an adapter that overwrites the key bytes it is given does not change the next verification', async () => {
    const scribbler: Ed25519Verify = {
      verifyEd25519(publicKey, message, signature) {
        const ok = nodeEd25519.verifyEd25519(publicKey, message, signature);
        publicKey.fill(0);
        return ok;
      },
    };
    expect((await verifyBundle(text, trust(), scribbler)).ok).toBe(true);
    expect((await verifyBundle(text, trust(), scribbler)).ok).toBe(true);
    expect((await verifyBundle(text, trust(), nodeEd25519)).ok).toBe(true);
  });
});

describe('checkpoint notes remembered', () => {
  /** The bundle with one character of its checkpoint's signature changed (still base64 of 68 bytes). */
  const tampered = (() => {
    const note = bundle.checkpoint;
    const line = note.lastIndexOf('\n— ');
    const at = note.indexOf(' ', line + 3) + 10; // inside the signature, past the key ID
    const forged = `${note.slice(0, at)}${note[at] === 'A' ? 'B' : 'A'}${note.slice(at + 1)}`;
    return JSON.stringify({ ...bundle, checkpoint: forged });
  })();
  const checkpointCode = async (t: string, adapter: Ed25519Verify) => (await verifyBundle(t, trust(), adapter)).checks.find((c) => c.name === 'checkpoint_signature')?.code;

  it('a verified checkpoint does not vouch for another signature over the same note', async () => {
    expect(await checkpointCode(text, nodeEd25519)).toBe('ok');
    expect(await checkpointCode(text, nodeEd25519)).toBe('ok');
    expect(await checkpointCode(tampered, nodeEd25519)).toBe('bad_signature');
    expect(await checkpointCode(tampered, nodeEd25519)).toBe('bad_signature');
  });

  it('what one adapter accepted is not remembered for another', async () => {
    const yes: Ed25519Verify = { verifyEd25519: () => true };
    expect(await checkpointCode(tampered, yes)).toBe('ok');
    expect(await checkpointCode(tampered, nodeEd25519)).toBe('bad_signature');
  });

  it('a note opened under one set of trusted log keys is opened afresh under another', async () => {
    // A second key of the log's name whose line on the note is garbage: ignored while it
    // is not trusted, fatal once it is (every signature by a trusted key must verify).
    const second = testKey(ORIGIN, 'log, second key');
    const line = `\u2014 ${ORIGIN} ${toBase64(new Uint8Array([...Buffer.from(second.keyId, 'hex'), ...new Uint8Array(64).fill(7)]))}\n`;
    const twoLines = JSON.stringify({ ...bundle, checkpoint: bundle.checkpoint + line });
    const withSecond = () => ({ ...trust(), logKeys: [LOG_KEY.vkey, second.vkey] });
    const code = async (t: ReturnType<typeof trust>) => (await verifyBundle(twoLines, t, nodeEd25519)).checks.find((c) => c.name === 'checkpoint_signature')?.code;
    expect(await code(trust())).toBe('ok');
    expect(await code(trust())).toBe('ok');
    expect(await code(withSecond())).toBe('bad_signature');
    expect(await code(trust())).toBe('ok');
    expect(await code(withSecond())).toBe('bad_signature');
  });

  it('the node:crypto adapter’s SHA-256 (payload digests) is the ledger’s', () => {
    for (const n of [0, 1, 55, 56, 64, 450, 4096]) {
      const data = utf8('数据'.repeat(n)).subarray(0, n);
      expect(Buffer.from(nodeEd25519.sha256!(data)).equals(Buffer.from(sha256(data)))).toBe(true);
    }
  });

  it('the certificate signature is verified on every call, remembered checkpoint or not', async () => {
    let calls = 0;
    const counting: Ed25519Verify = {
      verifyEd25519(publicKey, message, signature) {
        calls++;
        return nodeEd25519.verifyEd25519(publicKey, message, signature);
      },
    };
    expect((await verifyBundle(text, trust(), counting)).ok).toBe(true);
    expect(calls).toBe(2);
    expect((await verifyBundle(text, trust(), counting)).ok).toBe(true);
    expect(calls).toBe(3);
  });
});

/** A page's content stream as text, font and graphics-state resource names made uniform. */
async function pageContent(doc: PDFDocument, index: number): Promise<string> {
  const saved = await PDFDocument.load(await doc.save({ useObjectStreams: false }));
  const page = saved.getPages()[index]!;
  const contents = page.node.get(PDFName.of('Contents'));
  const refs = contents instanceof PDFArray ? contents.asArray() : [contents];
  let out = '';
  for (const ref of refs) {
    const stream = saved.context.lookup(ref) as PDFRawStream;
    out += new TextDecoder().decode(decodePDFRawStream(stream).decode());
  }
  return out.replace(/\/([A-Za-z-]+)-\d+/g, '/$1-K');
}

describe('page content written as text', () => {
  it('is the operators pdf-lib’s drawText writes (plain, rotated, with opacity, CJK and Latin, several calls)', async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.registerFontkit(fontkit);
    const font = await doc.embedFont(await subsetNotoSansSc('regular', '数据知识产权 Data 0123 ·'), { subset: false, features: { liga: false, locl: false } });
    const helvetica = await doc.embedFont(StandardFonts.Helvetica);
    const draws: [string, { x: number; y: number; size: number; color: ReturnType<typeof rgb>; opacity?: number; rotate?: number; font: typeof font }][] = [
      ['数据知识产权 Data', { x: 72, y: 700, size: 10.5, color: rgb(0.1, 0.14, 0.27), font }],
      ['0123 · 数据', { x: 72.125, y: 650.3333333, size: 7.5, color: rgb(0.38, 0.41, 0.48), font, opacity: 0.88 }],
      ['权', { x: 300, y: 300, size: 8.5, color: rgb(0.74, 0.1, 0.1), font, opacity: 0.88, rotate: 37.5 }],
      ['Data', { x: 1e-7, y: 10, size: 12, color: rgb(0, 0, 0), font: helvetica, rotate: -90 }],
    ];
    const byPdfLib = doc.addPage();
    for (const [s, { rotate, opacity, ...o }] of draws) byPdfLib.drawText(s, { ...o, ...(opacity !== undefined ? { opacity } : {}), ...(rotate !== undefined ? { rotate: degrees(rotate) } : {}) });
    const page = new PageContent(doc.addPage());
    for (const [s, o] of draws) page.text(s, o);
    page.finish();
    const expected = await pageContent(doc, 0);
    expect(expected).toContain(' Tj');
    expect(await pageContent(doc, 1)).toBe(expected);
  });
});

const dir = mkdtempSync(path.join(tmpdir(), 'dd-caches-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pdftotext(pdf: Uint8Array, name: string): string {
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
}

describe('PDFs rendered with warm caches', () => {
  const NOW = new Date('2025-07-01T08:00:05Z');
  it('the same document has the same bytes before and after others; another document shows its own text', async () => {
    const first = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: 'https://registry.example.com', now: NOW, signer: null });
    const other = await issue(
      log,
      sampleFields({ number: 'DIP-2025-000777', holder: { name: '鳳凰騰飛數據股份有限公司 Ωmega', uscc: '91350100M000100Y43' }, dataset: { ...sampleFields().dataset, name: '鸚鵡螺號潛艇聲吶數據 Ünïcode', files: 7, bytes: 5 * 1024 ** 5 } }),
    );
    const otherBundle = await bundleFor(log, other);
    const second = await renderCertificatePdf({ payload: other.payload, bundle: otherBundle, publicUrl: 'https://registry.example.com', now: NOW, signer: null });
    const again = await renderCertificatePdf({ payload: newCert.payload, bundle, publicUrl: 'https://registry.example.com', now: NOW, signer: null });
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(false);
    if (!HAS_POPPLER) return;
    const a = pdftotext(first, 'first');
    const b = pdftotext(second, 'second');
    expect(a).toContain('福建数据科技有限公司');
    expect(a).toContain('DIP-2025-000123');
    expect(a).not.toContain('DIP-2025-000777');
    for (const s of ['鳳凰騰飛數據股份有限公司 Ωmega', '鸚鵡螺號潛艇聲吶數據 Ünïcode', 'DIP-2025-000777', '(5.0 PiB)']) expect(b).toContain(s);
    expect(b).not.toContain('福建数据科技有限公司');
  });
});

describe('compressed streams kept by content', () => {
  it('give what zlib gives, for each input, as a copy', () => {
    const a = new Uint8Array(8192).map((_, i) => (i * 7919) % 251);
    const b = a.slice();
    b[4000] = b[4000]! ^ 1;
    const da = deflateMemo(a);
    expect(Buffer.from(da).equals(deflateSync(a))).toBe(true);
    da.fill(0);
    const again = deflateMemo(a.slice());
    expect(Buffer.from(again).equals(deflateSync(a))).toBe(true);
    const db = deflateMemo(b);
    expect(Buffer.from(inflateSync(db)).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(db).equals(Buffer.from(again))).toBe(false);
    const small = new Uint8Array([1, 2, 3]);
    expect(Buffer.from(inflateSync(deflateMemo(small))).equals(Buffer.from(small))).toBe(true);
  });
});
