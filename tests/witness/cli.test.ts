/**
 * `datadeed witness` as a user runs it: init (key file 0600, verifier key printed),
 * add-log, and serve as a child process spoken to over HTTP; stopped with SIGTERM and
 * started again with its state intact. The commands run as `node bin/datadeed.mjs
 * witness …` — the compiled program, without an npx wrapper process, so SIGTERM reaches
 * the witness itself and its exit code is seen.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { originHash, parseCosignerKey, verifyAttestation, verifyCosignature } from '../../src/witness/index.ts';
import { LOG, TestLog, requestBody, verify } from './fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = path.join(mkdtempSync(path.join(tmpdir(), 'datadeed-witness-cli-')), 'notary');
const children: ChildProcess[] = [];

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/datadeed.mjs', 'witness', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `witness serve` on a free port; resolves with its URL once it prints it. */
function serve(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/datadeed.mjs', 'witness', 'serve', '--data-dir', dir, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`witness serve exited ${code}: ${err}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

// PGlite start-up in a child process is slow on a loaded 2-core machine: generous bounds.
describe('datadeed witness (child processes)', { timeout: 300_000 }, () => {
  let vkey = '';

  it('init creates the key (0600) and prints the verifier key; a second init is refused', () => {
    const r = cli('init', '--data-dir', dir, '--name', 'notary.fuzhou.example/witness');
    expect(r.status, r.stderr).toBe(0);
    vkey = r.stdout.trim().split('\n').at(-1)!;
    expect(parseCosignerKey(vkey).name).toBe('notary.fuzhou.example/witness');
    expect(statSync(path.join(dir, 'witness.key')).mode & 0o777).toBe(0o600);
    const again = cli('init', '--data-dir', dir, '--name', 'other');
    expect([again.status, again.stderr]).toEqual([2, expect.stringContaining('[key_exists]')]);
  });

  it('add-log trusts a log key, and refuses what is not one', () => {
    const r = cli('add-log', '--data-dir', dir, '--vkey', LOG.vkey);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`/${originHash(LOG.signer.name)}/checkpoint`);
    const bad = cli('add-log', '--data-dir', dir, '--vkey', vkey); // a cosigner key is not a log key
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining('[malformed_log_key]')]);
    const usage = cli('add-log', '--data-dir', dir, '--vkey', LOG.vkey, '--name', 'x');
    expect([usage.status, usage.stderr]).toEqual([2, expect.stringContaining('[bad_option]')]);
  });

  it('attest signs a notarial attestation with the witness key: the signature verifies over the documented message', async () => {
    const digest = 'ab'.repeat(32);
    const r = cli('attest', '--data-dir', dir, '--origin', 'registry.example/log', '--office', '福州市公证处', '--digest', digest, '--number', '(2026)闽榕证字第7号', '--time', '2026-11-30T10:00:00+08:00');
    expect(r.status, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { digest: string; notarialNumber: string; attestedAt: string; notaryKey: string; signature: string };
    expect(body).toMatchObject({ digest, notarialNumber: '(2026)闽榕证字第7号', attestedAt: '2026-11-30T02:00:00.000Z', notaryKey: vkey });
    const statement = { origin: 'registry.example/log', office: '福州市公证处', digest, notarialNumber: body.notarialNumber, attestedAt: body.attestedAt };
    expect(await verifyAttestation(statement, body, verify)).toMatchObject({ ok: true });
    expect((await verifyAttestation({ ...statement, office: '别的公证处' }, body, verify)).ok).toBe(false);
    const bad = cli('attest', '--data-dir', dir, '--origin', 'o', '--office', 'x', '--digest', digest, '--number', '1', '--time', 'yesterday');
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining('[bad_option]')]);
  });

  it('serve answers C2SP tlog-witness over HTTP, refuses a second instance, and keeps its state across a restart', async () => {
    const log = new TestLog().append(20);
    const key = parseCosignerKey(vkey);
    let { child, url } = await serve();
    const cp = await log.checkpoint();
    const res = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: requestBody(0, [], cp) });
    expect(res.status).toBe(200);
    expect(await verifyCosignature(cp + (await res.text()), key, verify)).toMatchObject({ status: 'valid' });
    const conflict = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: requestBody(7, log.consistencyProof(7), cp) });
    expect([conflict.status, conflict.headers.get('content-type'), await conflict.text()]).toEqual([409, 'text/x.tlog.size', '20\n']);

    const second = cli('serve', '--data-dir', dir, '--port', '0');
    expect([second.status, second.stderr]).toEqual([2, expect.stringContaining('[busy]')]);

    expect(await stop(child)).toBe(0);
    ({ child, url } = await serve());
    const mon = await fetch(`${url}/${originHash(LOG.signer.name)}/checkpoint`);
    expect(mon.status).toBe(200);
    expect((await mon.text()).startsWith(log.body())).toBe(true);
    log.append(5);
    const next = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: requestBody(20, log.consistencyProof(20), await log.checkpoint()) });
    expect(next.status).toBe(200);
    expect(await stop(child)).toBe(0);
  });
});
