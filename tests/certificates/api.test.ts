/**
 * Certificates through the running API: the bundle and the PDF of an issued
 * certificate verify with the keys published at /v1/keys; key rotation keeps old
 * certificates valid and signs new ones with the new key; `datadeed verify --online`
 * against a live server passes, and fails on live status after revocation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/api/app.tsx';
import { verifyBundle } from '../../src/certificates/verify.ts';
import { verifyPdf } from '../../src/certificates/verify-pdf.ts';
import { nodeEd25519 } from '../../src/certificates/crypto-node.ts';
import { rotateCertificateKey } from '../../src/registry/keys.ts';
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
  const keys = (await (await call('GET', '/v1/keys')).json()) as { keys: { vkey: string; purpose: string; validFrom: string; validUntil: string | null }[] };
  return {
    logKeys: keys.keys.filter((k) => k.purpose === 'log').map((k) => k.vkey),
    certificateKeys: keys.keys.filter((k) => k.purpose === 'certificate').map((k) => ({ vkey: k.vkey, validFrom: k.validFrom, validUntil: k.validUntil })),
  };
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx);
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
    const b1 = await (await call('GET', `/v1/certificates/${n1}/bundle`)).json();
    const r1 = await verifyBundle(b1, await trust(), nodeEd25519);
    expect(r1.ok, JSON.stringify(r1.checks)).toBe(true);
    expect(r1.payload?.number).toBe(n1);
    const pdfRes = await call('GET', `/v1/certificates/${n1}/pdf`);
    expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
    const pdf = new Uint8Array(await pdfRes.arrayBuffer());
    expect(pdf.length).toBeLessThan(200_000);
    const rp = await verifyPdf(pdf, await trust(), nodeEd25519);
    expect(rp.ok, JSON.stringify(rp.checks)).toBe(true);
    // deterministic for a fixed clock
    expect(Buffer.from(new Uint8Array(await (await call('GET', `/v1/certificates/${n1}/pdf`)).arrayBuffer())).equals(Buffer.from(pdf))).toBe(true);

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
    // a certificate claiming a date outside its key's window does not verify: trust the old key only from after n1 was issued
    const shifted = { ...t, certificateKeys: t.certificateKeys.map((k) => (k === old ? { ...k, validFrom: new Date(Date.parse(old.validUntil!) - 1).toISOString() } : k)) };
    const r3 = await verifyBundle(b1, shifted, nodeEd25519);
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
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'verify', file, '--online', base], { cwd: ROOT });
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
