/**
 * The 数据资产入表 disclosure pack and the pledge documents (issue 19) on both databases:
 * the pack verifies offline — its signature with the document key the log holds, each
 * fact's inclusion proof to the signed checkpoint and its binding to the entry — with the
 * log's verifier key alone; a changed fact fails; the PDFs pass poppler's checks
 * (pdftotext with an empty fontconfig, pdffonts, pdfdetach) and the pledge documents
 * verify as DataDeed PDFs (`verifyPdf`, the PAdES signature over the whole file).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { verifySignedJson } from '../../src/certificates/index.ts';
import { nodeCrypto } from '../../src/certificates/node/index.ts';
import { verifyPdf } from '../../src/certificates/pdf/index.ts';
import { verifyDisclosurePack, type DisclosurePack } from '../../src/registry/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

const DAY = 86_400_000;
const tool = (name: string) => spawnSync(name, ['-v']).error === undefined;
const HAS_POPPLER = tool('pdftotext') && tool('pdffonts') && tool('pdfdetach');

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
let bank: Actor;
let stranger: Actor;
let number: string;
let pledgeId: string;
const dir = mkdtempSync(path.join(tmpdir(), 'dd-disc-'));
const fontsConf = path.join(dir, 'fonts.conf');
writeFileSync(fontsConf, '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n');

async function call(method: string, p: string, who?: Actor | null, body?: unknown) {
  const res = await app.request(p, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, res, body: res.headers.get('content-type')?.includes('json') ? ((await res.json()) as Record<string, any>) : null };
}

function pdftext(file: string): string {
  return spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { env: { ...process.env, FONTCONFIG_FILE: fontsConf }, encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
}

async function savePdf(res: Response, name: string): Promise<{ file: string; bytes: Uint8Array }> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  const bytes = new Uint8Array(await res.arrayBuffer());
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return { file, bytes };
}

async function trust() {
  const keys = (await (await app.request('/v1/keys')).json()) as { keys: { vkey: string; purpose: string; validFrom: string; validUntil: string | null; certificate?: string; caCertificate?: string }[] };
  return {
    logKeys: keys.keys.filter((k) => k.purpose === 'log').map((k) => k.vkey),
    certificateKeys: keys.keys.filter((k) => k.purpose === 'certificate').map((k) => ({ vkey: k.vkey, validFrom: k.validFrom, validUntil: k.validUntil })),
  };
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  bank = await makeActor(ctx, 'bank', 'bank');
  stranger = await makeActor(ctx, 'applicant', 'enterprise');
  const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!, { dataSourceType: 'own', industry: 'B07' }))).body!.id;
  await call('POST', `/v1/applications/${id}/submit`, applicant);
  await call('POST', `/v1/applications/${id}/claim`, reviewer);
  await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
  ctx.clock.advance(10 * DAY);
  number = (await call('POST', `/v1/applications/${id}/approve`, reviewer)).body!.certificate.number;
  const term = { start: '2026-03-01', end: '2027-02-28' };
  expect((await call('POST', `/v1/certificates/${number}/licences`, applicant, { licensee: 'Acme Analytics', scope: 'Model training, China only', term, exclusive: false })).status).toBe(201);
  const pl = await call('POST', `/v1/certificates/${number}/pledges`, bank, {
    loanReference: 'L-9',
    amount: { value: '8000000.00', currency: 'CNY' },
    term,
    valuationReportHash: 'c'.repeat(64),
    zhongdengNumber: '06123456000123456789',
  });
  pledgeId = pl.body!.id;
  expect((await call('POST', `/v1/pledges/${pledgeId}/consent`, applicant)).status).toBe(200);
});
afterAll(async () => {
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('disclosure pack', () => {
  it('is for the holder and registry staff only', async () => {
    expect((await call('GET', `/v1/certificates/${number}/disclosure`, stranger)).status).toBe(404);
    expect((await call('GET', `/v1/certificates/${number}/disclosure`, bank)).status).toBe(403);
    expect((await call('GET', `/v1/certificates/${number}/disclosure`, null)).status).toBe(401);
  });

  it('verifies offline: signature, each fact’s inclusion proof and its binding; a changed fact fails', async () => {
    const r = await call('GET', `/v1/certificates/${number}/disclosure`, applicant);
    expect(r.status).toBe(200);
    const { logKeys } = await trust();
    const pack = (await verifySignedJson(r.body, logKeys, ctx.config.origin, nodeCrypto)) as DisclosurePack;
    expect(pack.number).toBe(number);
    expect(pack.registrationNumber).toMatch(/^\d{15}[0-9A-Z]$/);
    const keys = pack.facts.map((f) => f.key);
    for (const k of ['dataType', 'scale', 'source', 'ownership', 'processing', 'scenarios', 'validity', 'licence', 'pledge']) expect(keys, k).toContain(k);
    const v = await verifyDisclosurePack(pack, logKeys, ctx.config.origin, nodeCrypto);
    expect(v.checkpoint).toBe(true);
    expect(v.facts.filter((f) => !f.ok)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(pack.facts.find((f) => f.key === 'pledge')!.value).toMatchObject({ valuationReportHash: 'c'.repeat(64), zhongdengNumber: '06123456000123456789' });
    expect(pack.facts.find((f) => f.key === 'scale')!.value).toMatchObject({ scale: { records: 220000, bytes: 1048576, files: 3 } });

    // a changed fact fails at its own check
    const changed = (mutate: (p: DisclosurePack) => void) => {
      const copy = JSON.parse(JSON.stringify(pack)) as DisclosurePack;
      mutate(copy);
      return verifyDisclosurePack(copy, logKeys, ctx.config.origin, nodeCrypto);
    };
    const scale = await changed((p) => ((p.facts.find((f) => f.key === 'scale')!.value.scale as { records: number }).records = 999));
    expect(scale.facts.find((f) => f.key === 'scale')).toMatchObject({ ok: false, reason: 'value_mismatch' });
    const form = await changed((p) => (p.form.dataSource = 'Bought from a broker'));
    expect(form.facts.filter((f) => !f.ok).map((f) => f.reason)).toContain('form_digest');
    const scope = await changed((p) => (p.facts.find((f) => f.key === 'licence')!.value.scope = 'Anything, worldwide'));
    expect(scope.facts.find((f) => f.key === 'licence')).toMatchObject({ ok: false, reason: 'scope_hash' });
    const validity = await changed((p) => (p.facts.find((f) => f.key === 'validity')!.value.validUntil = '2099-01-01T00:00:00.000Z'));
    expect(validity.facts.find((f) => f.key === 'validity')).toMatchObject({ ok: false });
    const proof = await changed((p) => (p.facts[0]!.proof.index += 1));
    expect(proof.facts[0]).toMatchObject({ ok: false, reason: 'inclusion' });
    // and a changed document fails the signature
    await expect(verifySignedJson({ ...r.body, document: r.body!.document.replace('Model training', 'Model trainin') }, logKeys, ctx.config.origin, nodeCrypto)).rejects.toMatchObject({
      code: 'pdf_digest_mismatch',
    });
  });

  it.skipIf(!HAS_POPPLER)('the bilingual PDF passes poppler’s checks and carries the signed pack', async () => {
    const { file } = await savePdf((await call('GET', `/v1/certificates/${number}/disclosure.pdf`, applicant)).res, 'disclosure.pdf');
    const text = pdftext(file);
    for (const s of ['数据资产入表披露包', 'Data Asset Disclosure Pack', '数据规模', '220000 records', 'Acme Analytics', '应用场景', 'Reservoir modelling', '有效期与限制']) expect(text, s).toContain(s);
    const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' }).stdout.split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f, f).toMatch(/CID TrueType\s+Identity-H\s+yes\s+no\s+yes/);
    expect(spawnSync('pdfdetach', ['-list', file], { encoding: 'utf8' }).stdout).toContain('disclosure.json');
  });
});

describe('pledge documents', () => {
  it.skipIf(!HAS_POPPLER)('质押登记证明: the term, valuation report hash and 中登网 number; verifies as a DataDeed PDF', async () => {
    expect((await call('GET', `/v1/pledges/${pledgeId}/release-notice.pdf`, bank)).status).toBe(409);
    const { file, bytes } = await savePdf((await call('GET', `/v1/pledges/${pledgeId}/certificate.pdf`, bank)).res, 'pledge.pdf');
    const text = pdftext(file);
    for (const s of ['数据知识产权质押登记证明', 'Pledge Registration Certificate', '2026-03-01 — 2027-02-28', '06123456000123456789', 'c'.repeat(16)]) expect(text, s).toContain(s);
    const r = await verifyPdf(bytes, await trust(), nodeCrypto);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it.skipIf(!HAS_POPPLER)('the release notice once released', async () => {
    expect((await call('POST', `/v1/pledges/${pledgeId}/release`, bank)).status).toBe(200);
    const { file, bytes } = await savePdf((await call('GET', `/v1/pledges/${pledgeId}/release-notice.pdf`, applicant)).res, 'release.pdf');
    const text = pdftext(file);
    for (const s of ['数据知识产权质押解除通知', 'Pledge Release Notice', '解除时间']) expect(text, s).toContain(s);
    expect((await verifyPdf(bytes, await trust(), nodeCrypto)).ok).toBe(true);
    // the pack now shows the release, still verifying
    const { logKeys } = await trust();
    const pack = (await verifySignedJson((await call('GET', `/v1/certificates/${number}/disclosure`, reviewer)).body, logKeys, ctx.config.origin, nodeCrypto)) as DisclosurePack;
    expect(pack.facts.map((f) => f.key)).toContain('pledgeRelease');
    expect((await verifyDisclosurePack(pack, logKeys, ctx.config.origin, nodeCrypto)).ok).toBe(true);
  });
});
