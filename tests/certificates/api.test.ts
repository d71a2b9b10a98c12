/**
 * Certificates through the running API: the bundle and the PDF of an issued
 * certificate verify with the keys published at /v1/keys; key rotation keeps old
 * certificates valid and signs new ones with the new key; `datadeed verify --online`
 * against a live server passes, and fails on live status after revocation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/api/app.tsx';
import { verifyBundle } from '../../src/certificates/index.ts';
import { verifyPdf } from '../../src/certificates/pdf/index.ts';
import { nodeCrypto, nodeEd25519 } from '../../src/certificates/node/index.ts';
import { pdfSignatures, signedBytes } from '../../src/certificates/pdf/signature.ts';
import { PDFDocument } from 'pdf-lib';
import { rotateCertificateKey } from '../../src/keys/pg/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
let server: ServerType;
let base = '';

async function call(method: string, p: string, who?: Actor | null, body?: unknown) {
  const res = await app.request(p, { method, headers: { ...(who ? who.auth : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return res;
}

async function issue(): Promise<string> {
  const id = ((await (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).json()) as { id: string }).id;
  await call('POST', `/v1/applications/${id}/submit`, applicant);
  await call('POST', `/v1/applications/${id}/claim`, reviewer);
  await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
  ctx.clock.advance(10 * 86_400_000);
  return ((await (await call('POST', `/v1/applications/${id}/approve`, reviewer)).json()) as { certificate: { number: string } }).certificate.number;
}

async function trust() {
  const keys = (await (await call('GET', '/v1/keys')).json()) as {
    keys: { vkey: string; purpose: string; validFrom: string; validUntil: string | null; certificate?: string; caCertificate?: string }[];
  };
  return {
    logKeys: keys.keys.filter((k) => k.purpose === 'log').map((k) => k.vkey),
    certificateKeys: keys.keys.filter((k) => k.purpose === 'certificate').map((k) => ({ vkey: k.vkey, validFrom: k.validFrom, validUntil: k.validUntil })),
    documentKeys: keys.keys.filter((k) => k.purpose === 'document').map((k) => ({ certificate: k.certificate!, caCertificate: k.caCertificate! })),
  };
}

/** What a PDF's signature covers: every byte but the signature value. */
async function covered(bytes: Uint8Array): Promise<Buffer> {
  const [sig] = pdfSignatures((await PDFDocument.load(bytes, { updateMetadata: false })).context);
  return Buffer.from(signedBytes(bytes, sig!));
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  server?.close();
  await ctx?.close();
});

describe('certificates via the API', () => {
  it('serves a bundle and a PDF that verify with the published keys; rotation keeps old certificates valid', async () => {
    const n1 = await issue();
    // the state commitment of the issuance lands first (at the next publication, ≤ 1 s later),
    // so that both fetches below see the same newest checkpoint
    await ctx.committer.commit(false);
    const b1 = await (await call('GET', `/v1/certificates/${n1}/bundle`)).json();
    const r1 = await verifyBundle(b1, await trust(), nodeEd25519);
    expect(r1.ok, JSON.stringify(r1.checks)).toBe(true);
    expect(r1.payload?.number).toBe(n1);
    const pdfRes = await call('GET', `/v1/certificates/${n1}/pdf`);
    expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
    const pdf = new Uint8Array(await pdfRes.arrayBuffer());
    expect(pdf.length).toBeLessThan(200_000);
    const rp = await verifyPdf(pdf, await trust(), nodeCrypto);
    expect(rp.ok, JSON.stringify(rp.checks)).toBe(true);
    // /v1/keys publishes the document key: no vkey, its certificate and the CA's; its ID is its certificate's SHA-256 prefix
    const published = ((await (await call('GET', '/v1/keys')).json()) as { keys: Record<string, unknown>[] }).keys.filter((k) => k.purpose === 'document');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ vkey: null, validUntil: null, name: `${ctx.config.origin}/document` });
    const der = Buffer.from(published[0]!.certificate as string, 'base64');
    expect(createHash('sha256').update(der).digest('hex').slice(0, 16)).toBe(published[0]!.keyId);
    expect(rp.checks.find((c) => c.name === 'pdf_signature')?.detail).toContain(published[0]!.keyId as string);
    // …and with the log key alone: the PDF proves that the log holds its signer's certificate
    const logOnly = await verifyPdf(pdf, { ...(await trust()), certificateKeys: [], documentKeys: [] }, nodeCrypto);
    expect(logOnly.checks.find((c) => c.name === 'pdf_signature')).toMatchObject({ ok: true, code: 'ok' });
    // deterministic for a fixed clock: every byte the signature covers (all but the ECDSA signature value)
    const again = new Uint8Array(await (await call('GET', `/v1/certificates/${n1}/pdf`)).arrayBuffer());
    expect(again.length).toBe(pdf.length);
    expect((await covered(again)).equals(await covered(pdf))).toBe(true);
    // poppler's pdfsig (NSS) agrees: the registry's document key signed the whole file
    if (spawnSync('pdfsig', ['-v']).error === undefined) {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'dd-api-pdf-')), `${n1}.pdf`);
      writeFileSync(file, pdf);
      const out = spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout;
      expect(out).toContain('Total document signed');
      expect(out).toContain('Signature Validation: Signature is Valid.');
    }

    const oldKey = r1.payload!.keyId;
    ctx.clock.advance(1000);
    const rot = await rotateCertificateKey({ db: ctx.database.db, appendManyWith: (e) => ctx.sequencer.appendManyWith(e), now: () => ctx.clock.now() }, ctx.config.dataDir, ctx.config.origin);
    expect(rot.retired).toBe(oldKey);
    const n2 = await issue();
    const b2 = await (await call('GET', `/v1/certificates/${n2}/bundle`)).json();
    const t = await trust();
    const r2 = await verifyBundle(b2, t, nodeEd25519);
    expect(r2.ok).toBe(true);
    expect(r2.payload!.keyId).toBe(rot.active);
    // the retired key still verifies what it signed
    expect((await verifyBundle(await (await call('GET', `/v1/certificates/${n1}/bundle`)).json(), t, nodeEd25519)).ok).toBe(true);
    // /v1/keys shows the window
    const old = t.certificateKeys.find((k) => k.vkey.includes(`+${oldKey}+`))!;
    expect(old.validUntil).not.toBeNull();
    // a certificate claiming a date outside its (caller-trusted) key's window does not verify: trust the old key only
    // from after n1 was issued. The served bundle also carries the key's logged key.added entry, which the log key
    // alone vouches for (one trust anchor, tests/certificates/one-anchor.test.ts): without it, only the windows given count.
    const shifted = { ...t, certificateKeys: t.certificateKeys.map((k) => (k === old ? { ...k, validFrom: new Date(Date.parse(old.validUntil!) - 1).toISOString() } : k)) };
    const { certificateKey, ...b1WithoutLoggedKey } = b1 as Record<string, unknown>;
    expect(certificateKey).toBeDefined();
    const r3 = await verifyBundle(b1WithoutLoggedKey, shifted, nodeEd25519);
    expect(r3.ok).toBe(false);
    expect(r3.checks.find((c) => !c.ok)?.name).toBe('key_validity');
  });

  it('`datadeed verify --online` passes against the live server, and fails live status after revocation', async () => {
    const n = await issue();
    const dir = mkdtempSync(path.join(tmpdir(), 'dd-verify-'));
    const file = path.join(dir, `${n}.pdf`);
    writeFileSync(file, Buffer.from(await (await call('GET', `/v1/certificates/${n}/pdf`)).arrayBuffer()));
    // async: the server runs in this process, so the event loop must stay free
    const run = () =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/datadeed.mjs', 'verify', file, '--online', base], { cwd: ROOT });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    // a licence, so the online check has an encumbrance to show
    await call('POST', `/v1/certificates/${n}/licences`, applicant, { licensee: 'Acme Analytics', scope: 'training', term: { start: '2026-01-01', end: '2030-01-01' }, exclusive: false });
    const ok = await run();
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/encumbrances reported by the registry:\n  licence to Acme Analytics/);
    await call('POST', `/v1/certificates/${n}/revoke`, reviewer, { reason: 'test' });
    const bad = await run();
    expect(bad.status, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toMatch(/live_status/);
  });
});
