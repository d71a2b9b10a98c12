/**
 * `datadeed deposit` against a live server fingerprints locally, deposits and saves a
 * receipt that `datadeed verify` accepts offline; the receipt PDF passes the poppler
 * text check and its QR code decodes to the verification URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { makeActor, type Actor } from '../helpers/registry.ts';
import { authenticateToken } from '../../src/accounts/pg/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const has = (cmd: string, args: string[]) => spawnSync(cmd, args).error === undefined;
const TOOLS = has('pdftotext', ['-v']) && has('pdftoppm', ['-v']) && has('zbarimg', ['--version']);
if (!TOOLS) console.warn('\n*** SKIPPED: receipt PDF text/QR checks — install poppler-utils and zbar-tools ***\n');

let ctx: TestContext;
let server: ServerType;
let base = '';
let alice: Actor;
let dir: string;

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['bin/datadeed.mjs', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  ctx = await createTestContext({ DATADEED_PUBLIC_URL: 'https://registry.example.com' });
  alice = await makeActor(ctx, 'applicant', 'enterprise');
  server = serve({ fetch: createApp(ctx.services).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'dd-deposit-'));
  mkdirSync(path.join(dir, 'data', 'sub'), { recursive: true });
  writeFileSync(path.join(dir, 'data', 'a.csv'), 'x,y\n1,2\n');
  writeFileSync(path.join(dir, 'data', 'sub', 'b.txt'), 'hello\n');
});
afterAll(async () => {
  server?.close();
  await ctx?.close();
});

describe('deposit CLI and receipt', () => {
  it('deposits a directory, saves a receipt that verifies offline, and refuses bad arguments', async () => {
    const r = await cli(['deposit', path.join(dir, 'data'), '--title', 'Daily snapshot', '--server', base, '--out', dir], { DATADEED_TOKEN: alice.token });
    expect(r.status, r.stderr).toBe(0);
    const id = /deposited (EV-\d{4}-\d{8})/.exec(r.stdout)![1]!;
    const receiptFile = path.join(dir, `${id}.receipt.json`);
    const receipt = JSON.parse(readFileSync(receiptFile, 'utf8'));
    expect(receipt.type).toBe('evidence');
    const v = await cli(['verify', receiptFile, '--key', ctx.logKey.vkey]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    // the data never left: the deposit holds only the manifest root
    const look = await (await fetch(`${base}/v1/evidence/${id}`)).json();
    expect(look.kind).toBe('manifest');
    expect(look.digest).toMatch(/^[0-9a-f]{64}$/);

    // one file checked against the deposited manifest (verify-file --deposit)
    const manifest = path.join(dir, 'm.json');
    expect((await cli(['fingerprint', path.join(dir, 'data'), '--out', manifest, '--quiet'])).status).toBe(0);
    const proof = path.join(dir, 'p.json');
    expect((await cli(['prove-file', manifest, 'sub/b.txt', '--out', proof])).status).toBe(0);
    const vf = await cli(['verify-file', proof, path.join(dir, 'data', 'sub', 'b.txt'), '--online', base, '--deposit', id]);
    expect(vf.status, vf.stdout + vf.stderr).toBe(0);
    writeFileSync(path.join(dir, 'forged.txt'), 'hellO\n');
    expect((await cli(['verify-file', proof, path.join(dir, 'forged.txt'), '--online', base, '--deposit', id])).status).toBe(1);

    const again = await cli(['deposit', path.join(dir, 'data'), '--title', 'again', '--server', base, '--out', dir], { DATADEED_TOKEN: alice.token });
    expect(again.stdout).toMatch(new RegExp(`already deposited ${id}`));
    const [bad, wrongToken] = await Promise.all([
      cli(['deposit', path.join(dir, 'data'), '--server', base]),
      cli(['deposit', path.join(dir, 'data'), '--title', 't', '--server', base], { DATADEED_TOKEN: 'ddt_' + 'A'.repeat(43) }),
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/\[bad_option\]/);
    expect(wrongToken.status).toBe(3); // the registry refused the request (README, exit status)
    expect(wrongToken.stderr).toMatch(/\[unauthenticated\]/);
  });

  it('a registry that cannot be reached: exit 4 with online_unavailable', async () => {
    const unreachable = await cli(['deposit', path.join(dir, 'data'), '--title', 't', '--server', 'http://127.0.0.1:9'], { DATADEED_TOKEN: alice.token });
    expect(unreachable.status, unreachable.stderr).toBe(4);
    expect(unreachable.stderr).toMatch(/\[online_unavailable\]/);
  });

  it.runIf(TOOLS)('renders a receipt PDF whose text, QR code and signature check out', async () => {
    const principal = (await authenticateToken(ctx.database.db, alice.token, ctx.clock.now()))!;
    const dep = await ctx.registry.evidence.deposit(principal, [{ digest: 'e'.repeat(64), kind: 'document', title: 'contract' }]);
    const id = dep.items[0]!.deposit.id;
    const pdf = Buffer.from(await (await fetch(`${base}/v1/evidence/${id}/pdf`, { headers: alice.auth })).arrayBuffer());
    const file = path.join(dir, `${id}.pdf`);
    writeFileSync(file, pdf);
    const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', env: { ...process.env, FONTCONFIG_FILE: '/dev/null' } }).stdout;
    for (const s of ['数据存证证书', 'Data Evidence Deposit Certificate', id]) expect(text).toContain(s);
    expect((text.match(/\b[0-9a-f]{8}\b/g) ?? []).join('')).toContain('e'.repeat(64)); // the digest, in groups over two lines
    spawnSync('pdftoppm', ['-png', '-r', '150', '-f', '1', '-l', '1', file, path.join(dir, 'receipt')]);
    const qr = spawnSync('zbarimg', ['--quiet', '--raw', path.join(dir, 'receipt-1.png')], { encoding: 'utf8' }).stdout.trim();
    expect(qr).toBe(`https://registry.example.com/verify/evidence/${id}`);
    // signed by the registry's document key over the whole file (poppler's pdfsig, NSS)
    const sig = spawnSync('pdfsig', [file], { encoding: 'utf8' });
    expect(sig.stdout).toContain('Signer Certificate Common Name: DataDeed Document Signing');
    expect(sig.stdout).toContain('Signature Type: ETSI.CAdES.detached');
    expect(sig.stdout).toContain('Total document signed');
    expect(sig.stdout).toContain('Signature Validation: Signature is Valid.');
    const v = await cli(['verify', file, '--key', ctx.logKey.vkey]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/pdf_signature\s+PASS\s+ok/);
  });
});
