/**
 * Release receipts for pledges, and the verifier names what a receipt proves (issue 16),
 * on both databases: the pledge receipt proves "pledge PLG-… recorded against DIP-…", the
 * release receipt (GET /v1/pledges/{id}/release-receipt, only once released) proves its
 * release; an evidence receipt names the deposit and digest, a certificate bundle the
 * certificate; an entry that records neither (a pledge request) is no pledge receipt.
 * `datadeed verify --online` says the old pledge receipt is no longer current once the
 * pledge is released, and the release receipt is.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { logBundle } from '../../src/api/bundles.ts';
import { verifyBundle, type TrustedKeys } from '../../src/certificates/index.ts';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, TEST_ROOT, type Actor } from '../helpers/registry.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DAY = 86_400_000;
const term = { start: '2026-02-01', end: '2027-02-01' };
let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
let bank: Actor;
let server: ServerType;
let base = '';
let dir: string;

async function call(method: string, p: string, who: Actor | null, body?: unknown) {
  const res = await app.request(p, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

async function trust(): Promise<TrustedKeys> {
  const keys = (await call('GET', '/v1/keys', null)).body as { keys: { vkey: string; purpose: string; validFrom: string; validUntil: string | null }[] };
  return {
    logKeys: keys.keys.filter((k) => k.purpose === 'log').map((k) => k.vkey),
    certificateKeys: keys.keys.filter((k) => k.purpose === 'certificate').map((k) => ({ vkey: k.vkey, validFrom: k.validFrom, validUntil: k.validUntil })),
  };
}

/** `datadeed verify <file> --online <server>` (async: the server runs in this process). */
function verifyOnline(file: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/datadeed.mjs', 'verify', file, '--online', base], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  bank = await makeActor(ctx, 'bank', 'bank');
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'dd-receipts-'));
});
afterAll(async () => {
  server?.close();
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('receipts say what they prove', () => {
  it('pledge receipt, release receipt, evidence receipt and certificate bundle', async () => {
    const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).body.id;
    for (const [step, who] of [['submit', applicant], ['claim', reviewer], ['open-notice', reviewer]] as const) await call('POST', `/v1/applications/${id}/${step}`, who);
    ctx.clock.advance(10 * DAY);
    const number = (await call('POST', `/v1/applications/${id}/approve`, reviewer)).body.certificate.number as string;
    const req = await call('POST', `/v1/certificates/${number}/pledges`, bank, { loanReference: 'L-7', amount: { value: '700.00', currency: 'CNY' }, term });
    const recorded = await call('POST', `/v1/pledges/${req.body.id}/consent`, applicant);
    const pledgeNumber = recorded.body.pledgeNumber as string;
    const keys = await trust();

    // before the release there is no release receipt
    const early = await call('GET', `/v1/pledges/${req.body.id}/release-receipt`, bank);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('illegal_transition');

    const receipt = await call('GET', `/v1/pledges/${req.body.id}/receipt`, bank);
    const r1 = await verifyBundle(receipt.body, keys, nodeEd25519);
    expect(r1.ok).toBe(true);
    expect(r1.subject).toEqual({ kind: 'pledge', event: 'recorded', pledgeNumber, certificate: number, pledgee: bank.orgId, time: recorded.body.recordedAt });
    const recordedFile = path.join(dir, `${pledgeNumber}.datadeed.json`);
    writeFileSync(recordedFile, receipt.text);
    const current = await verifyOnline(recordedFile);
    expect(current.status, current.stdout + current.stderr).toBe(0);
    expect(current.stdout).toContain(`VERIFIED: pledge ${pledgeNumber} recorded against certificate ${number}`);
    expect(current.stdout).toMatch(/pledge_status\s+PASS/);

    ctx.clock.advance(DAY);
    const released = await call('POST', `/v1/pledges/${req.body.id}/release`, bank);
    expect(released.status).toBe(200);
    const rel = await call('GET', `/v1/pledges/${req.body.id}/release-receipt`, applicant); // the holder gets it too
    expect(rel.status).toBe(200);
    const r2 = await verifyBundle(rel.body, keys, nodeEd25519);
    expect(r2.ok).toBe(true);
    expect(r2.entry?.kind).toBe('pledge.released');
    expect(r2.subject).toEqual({ kind: 'pledge', event: 'released', pledgeNumber, certificate: number, pledgee: bank.orgId, time: released.body.releasedAt });
    const releasedFile = path.join(dir, `${pledgeNumber}-released.datadeed.json`);
    writeFileSync(releasedFile, rel.text);

    // the old receipt still proves the pledge was recorded, but is no longer current
    const stale = await verifyOnline(recordedFile);
    expect(stale.status).toBe(1);
    expect(stale.stdout).toMatch(/pledge_status\s+FAIL\s+released/);
    const release = await verifyOnline(releasedFile);
    expect(release.status, release.stdout + release.stderr).toBe(0);
    expect(release.stdout).toContain(`VERIFIED: release of pledge ${pledgeNumber} (certificate ${number})`);

    // an evidence receipt names the deposit and its digest; a certificate bundle the certificate
    const lookup = await call('GET', `/v1/evidence?digest=${TEST_ROOT}`, null);
    const r3 = await verifyBundle(lookup.body.receipt, keys, nodeEd25519);
    expect(r3.ok).toBe(true);
    expect(r3.subject).toMatchObject({ kind: 'deposit', depositId: lookup.body.earliest.id, digest: TEST_ROOT, depositor: applicant.orgId });
    const cert = await verifyBundle((await call('GET', `/v1/certificates/${number}/bundle`, null)).body, keys, nodeEd25519);
    expect(cert.subject).toEqual({ kind: 'certificate', number, version: 1 });

    // a pledge request is logged, but a receipt of it proves no pledge
    const size = (await ctx.store.treeState()).size;
    const requestIndex = (await ctx.store.entries(0, size)).findIndex((e) => JSON.parse(new TextDecoder().decode(e)).kind === 'pledge.requested');
    const asReceipt = await verifyBundle(await logBundle(ctx.services.log, 'pledge', requestIndex), keys, nodeEd25519);
    expect(asReceipt.ok).toBe(false);
    expect(asReceipt.checks[0]).toMatchObject({ name: 'format', code: 'bad_format', detail: 'log entry kind does not fit the bundle type' });
  });
});
