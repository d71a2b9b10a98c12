/**
 * One trust anchor, end to end (issue 15, finding 8: the README said `datadeed verify <pdf>
 * --key <log vkey>` verifies a certificate; it failed with `unknown_key`). The bundles the
 * API serves — and the bundle inside the certificate PDF — carry the certificate key's
 * `key.added` entry with its inclusion proof, so the real CLI verifies a PDF downloaded
 * from a running server with the log's verifier key alone, before and after a key rotation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/api/app.tsx';
import { decodeEntry, fromBase64 } from '../../src/ledger/index.ts';
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
let dir: string;
let logVkey: string;

async function call(method: string, p: string, who?: Actor | null, body?: unknown) {
  return app.request(p, { method, headers: { ...(who ? who.auth : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
}

async function issue(): Promise<string> {
  const id = ((await (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).json()) as { id: string }).id;
  await call('POST', `/v1/applications/${id}/submit`, applicant);
  await call('POST', `/v1/applications/${id}/claim`, reviewer);
  await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
  ctx.clock.advance(10 * 86_400_000);
  return ((await (await call('POST', `/v1/applications/${id}/approve`, reviewer)).json()) as { certificate: { number: string } }).certificate.number;
}

/** Download over HTTP from the running server, as a bank would, into a file. */
async function download(urlPath: string, name: string): Promise<string> {
  const res = await fetch(`${base}${urlPath}`);
  expect(res.status).toBe(200);
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

/** `datadeed verify <file> --key <vkey>`, the real CLI in a child process (async: the server runs in this process). */
function verify(file: string, vkey: string) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['bin/datadeed.mjs', 'verify', file, '--key', vkey], { cwd: ROOT });
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
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'dd-anchor-'));
  const keys = (await (await fetch(`${base}/v1/keys`)).json()) as { keys: { vkey: string; purpose: string }[] };
  const logKeys = keys.keys.filter((k) => k.purpose === 'log');
  expect(logKeys).toHaveLength(1);
  logVkey = logKeys[0]!.vkey;
  expect(logVkey).toBe(ctx.logKey.vkey);
});
afterAll(async () => {
  server?.close();
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('datadeed verify <certificate.pdf> --key <log vkey>', () => {
  it('verifies a PDF and a bundle downloaded from the server with the log key alone', async () => {
    const n = await issue();
    const bundle = (await (await fetch(`${base}/v1/certificates/${n}/bundle`)).json()) as { signature: { keyId: string }; certificateKey?: { entry: { index: number; data: string } } };
    // the key entry is the key.added entry of the key that signed this certificate
    expect(bundle.certificateKey).toBeDefined();
    const keyEvent = decodeEntry(fromBase64(bundle.certificateKey!.entry.data)) as Record<string, unknown>;
    expect([keyEvent.kind, keyEvent.purpose, keyEvent.keyId]).toEqual(['key.added', 'certificate', bundle.signature.keyId]);

    const pdf = await download(`/v1/certificates/${n}/pdf`, `${n}.pdf`);
    const r = await verify(pdf, logVkey);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^VERIFIED: .*${n}`, 'm'));
    expect(r.stdout).not.toContain('NOT VERIFIED');

    const json = await download(`/v1/certificates/${n}/bundle`, `${n}.datadeed.json`);
    const rb = await verify(json, logVkey);
    expect(rb.status, rb.stdout + rb.stderr).toBe(0);
    expect(rb.stdout).toMatch(/^VERIFIED: /m);
  }, 120_000);

  it('after a certificate key rotation, old and new certificates verify with the same log key', async () => {
    const before = await issue();
    ctx.clock.advance(1000);
    await rotateCertificateKey({ db: ctx.database.db, appendManyWith: (e) => ctx.sequencer.appendManyWith(e), now: () => ctx.clock.now() }, ctx.config.dataDir, ctx.config.origin);
    const after = await issue();
    for (const n of [before, after]) {
      const r = await verify(await download(`/v1/certificates/${n}/pdf`, `${n}.pdf`), logVkey);
      expect(r.status, `${n}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^VERIFIED: /m);
    }
  }, 120_000);

  it('without the key entry, the log key alone does not verify it (unknown_key, exit 1)', async () => {
    const n = await issue();
    const bundle = (await (await fetch(`${base}/v1/certificates/${n}/bundle`)).json()) as Record<string, unknown>;
    delete bundle.certificateKey;
    const file = path.join(dir, `${n}.stripped.datadeed.json`);
    writeFileSync(file, JSON.stringify(bundle, null, 2) + '\n');
    const r = await verify(file, logVkey);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('unknown_key');
  }, 120_000);
});
