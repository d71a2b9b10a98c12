/**
 * The commands as users run them (child processes): argument errors exit 2 with a code,
 * failures exit 1 with a code, Ctrl-C leaves no partial manifest, and a file proven
 * from a manifest verifies offline and against a certificate served online.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_DIR, FIXTURE_TREE, errorCodeOf, rootOf, runCli, startCli } from './cli.ts';

const expected = JSON.parse(readFileSync(join(FIXTURE_DIR, 'expected.json'), 'utf8')) as { root: string; files: number };
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dd-fp-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('datadeed fingerprint', () => {
  it('bad arguments exit 2 with a stable code', async () => {
    const runs = await Promise.all([
      runCli(['fingerprint']),
      runCli(['fingerprint', 'a', 'b']),
      runCli(['fingerprint', FIXTURE_TREE, '--threads', '0']),
      runCli(['fingerprint', FIXTURE_TREE, '--bogus']),
      runCli(['prove-file', 'only-one']),
      runCli(['verify-file', 'p.json', 'f', '--root', 'xyz']),
      runCli(['verify-file', 'p.json', 'f', '--online', 'http://127.0.0.1:1']),
      runCli(['verify-file', 'p.json', 'f', '--online', 'ftp://x', '--certificate', 'DIP-2025-000001']),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2);
      expect(errorCodeOf(r)).toBe('bad_arguments');
    }
  });

  it('a missing dataset and an unrepresentable name exit 3 (input) with their codes', async () => {
    const d = join(tmp, 'latin1');
    mkdirSync(d);
    execFileSync('sh', ['-c', `printf x > "$1/$(printf 'caf\\351.txt')"`, 'sh', d]);
    const [missing, latin1] = await Promise.all([
      runCli(['fingerprint', join(tmp, 'nope'), '--out', join(tmp, 'x.json')]),
      runCli(['fingerprint', d, '--out', join(tmp, 'y.json')]),
    ]);
    expect([missing.code, errorCodeOf(missing)]).toEqual([3, 'dataset_not_found']);
    expect([latin1.code, errorCodeOf(latin1)]).toEqual([3, 'path_unrepresentable']);
    expect(existsSync(join(tmp, 'x.json')) || existsSync(join(tmp, 'y.json'))).toBe(false);
  });

  it('reports symlinks as skipped and prints JSON on request', async () => {
    const d = join(tmp, 'withlink');
    mkdirSync(d);
    writeFileSync(join(d, 'a.txt'), 'a');
    execFileSync('ln', ['-s', 'a.txt', join(d, 'b.txt')]);
    const r = await runCli(['fingerprint', d, '--out', join(tmp, 'withlink.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('skipped symlink: "b.txt"');
    const out = JSON.parse(r.stdout) as { files: number; skipped: { path: string; reason: string }[] };
    expect(out.files).toBe(1);
    expect(out.skipped).toEqual([{ path: 'b.txt', reason: 'symlink' }]);
  });

  it('Ctrl-C (SIGINT) while hashing exits 130 and leaves the old manifest untouched and no temporary file', async () => {
    const d = join(tmp, 'big');
    const outDir = join(tmp, 'out');
    mkdirSync(d);
    mkdirSync(outDir);
    // A sparse 32 GiB file: many seconds of hashing, no disk space used.
    execFileSync('truncate', ['-s', '32G', join(d, 'sparse.bin')]);
    const out = join(outDir, 'manifest.json');
    writeFileSync(out, 'previous manifest');
    const { child, done } = startCli(['fingerprint', d, '--out', out]);
    // Wait for the first plain progress line: hashing is under way.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no progress line')), 45_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('fingerprint:')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(130);
    expect(errorCodeOf(r)).toBe('interrupted');
    expect(readFileSync(out, 'utf8')).toBe('previous manifest');
    expect(readdirSync(outDir)).toEqual(['manifest.json']);
  });
});

describe('datadeed <command> --help', () => {
  it('prints the usage of fingerprint, prove-file and verify-file and exits 0', async () => {
    for (const command of ['fingerprint', 'prove-file', 'verify-file']) {
      const r = await runCli([command, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`  ${command} <`);
    }
  });
});

describe('datadeed prove-file / verify-file', () => {
  let manifest: string;
  let proof: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    manifest = join(tmp, 'fixture-manifest.json');
    proof = join(tmp, 'proof.json');
    const r = await runCli(['fingerprint', FIXTURE_TREE, '--out', manifest, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    server = createServer((req, res) => {
      const json = (status: number, body: unknown, type = 'application/json') => {
        res.writeHead(status, { 'content-type': type });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/v1/certificates/DIP-2025-000001') json(200, { number: 'DIP-2025-000001', status: 'active', dataset: { manifestRoot: expected.root, files: expected.files } });
      else if (req.url === '/v1/certificates/DIP-2025-000002') json(200, { number: 'DIP-2025-000002', status: 'active', dataset: { manifestRoot: 'ab'.repeat(32), files: 11 } });
      else if (req.url === '/v1/certificates/DIP-2025-000003') json(200, { payload: { dataset: { manifestRoot: expected.root } }, status: 'revoked' });
      else if (req.url?.startsWith('/v1/certificates/')) json(404, { code: 'certificate_not_found' }, 'application/problem+json');
      else json(404, { code: 'route_not_found' }, 'application/problem+json');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('proves a file (typed in NFD) and verifies the real file offline against --root', async () => {
    const p = await runCli(['prove-file', manifest, '数据/样本.csv'.normalize('NFD'), '--out', proof]);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(readFileSync(proof, 'utf8'))).toEqual(JSON.parse(readFileSync(join(FIXTURE_DIR, 'proof-sample-csv.json'), 'utf8')));
    // the message names the same (0-based) leaf index as the proof's JSON
    const proofJson = JSON.parse(readFileSync(proof, 'utf8')) as { index: number; treeSize: number };
    expect(p.stderr).toContain(`leaf index ${proofJson.index} of ${proofJson.treeSize} files`);
    const stdout = await runCli(['prove-file', manifest, 'README.txt']);
    expect(JSON.parse(stdout.stdout).leaf.path).toBe('README.txt');
    const v = await runCli(['verify-file', proof, join(FIXTURE_TREE, '数据', '样本.csv'), '--root', expected.root.toUpperCase()]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('ok: the root is that of --root');
    // without a trusted root the proof shows nothing about a registered dataset: not verified
    const bare = await runCli(['verify-file', proof, join(FIXTURE_TREE, '数据', '样本.csv')]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('[root_not_trusted]');
  });

  it('fails with codes: another file, a tampered copy, another root, a missing path, a bad manifest', async () => {
    const tampered = join(tmp, 'tampered.csv');
    copyFileSync(join(FIXTURE_TREE, '数据', '样本.csv'), tampered);
    writeFileSync(tampered, readFileSync(tampered, 'utf8').replace('1520.5', '1520.6'));
    const badManifest = join(tmp, 'bad-manifest.json');
    writeFileSync(badManifest, readFileSync(manifest, 'utf8').replace(expected.root, 'ab'.repeat(32)));
    const runs = await Promise.all([
      runCli(['verify-file', proof, join(FIXTURE_TREE, 'README.txt'), '--root', expected.root]),
      runCli(['verify-file', proof, tampered, '--root', expected.root]),
      runCli(['verify-file', proof, join(FIXTURE_TREE, '数据', '样本.csv'), '--root', 'ab'.repeat(32)]),
      runCli(['prove-file', manifest, 'no/such.csv']),
      runCli(['prove-file', badManifest, 'README.txt']),
      runCli(['verify-file', join(FIXTURE_DIR, 'bad-proofs', 'proof-hash-flipped.json'), join(FIXTURE_TREE, '数据', '样本.csv')]),
    ]);
    expect(runs.map((r) => [r.code, errorCodeOf(r)])).toEqual([
      [1, 'file_mismatch'],
      [1, 'file_mismatch'],
      [1, 'root_mismatch'],
      [1, 'path_not_in_manifest'],
      [1, 'manifest_root_mismatch'],
      [1, 'malformed_proof'],
    ]);
  });

  it('--online: the certificate root must match; unknown certificates and servers without the route are named', async () => {
    const file = join(FIXTURE_TREE, '数据', '样本.csv');
    const runs = await Promise.all([
      runCli(['verify-file', proof, file, '--online', base, '--certificate', 'DIP-2025-000001']),
      runCli(['verify-file', proof, file, '--online', base, '--certificate', 'DIP-2025-000002']),
      runCli(['verify-file', proof, file, '--online', base, '--certificate', 'DIP-2025-000003']),
      runCli(['verify-file', proof, file, '--online', base, '--certificate', 'DIP-2025-999999']),
      runCli(['verify-file', proof, file, '--online', `${base}/elsewhere`, '--certificate', 'DIP-2025-000001']),
      runCli(['verify-file', proof, file, '--online', 'http://127.0.0.1:9', '--certificate', 'DIP-2025-000001']),
    ]);
    expect(runs.map((r) => [r.code, errorCodeOf(r) ?? null])).toEqual([
      [0, null],
      [1, 'root_mismatch'],
      [0, null],
      [3, 'certificate_not_found'],
      [4, 'online_unavailable'],
      [4, 'online_unavailable'],
    ]);
    expect(runs[0]!.stdout).toContain('ok: the root is that of certificate DIP-2025-000001');
    expect(runs[2]!.stdout).toContain('certificate status: revoked');
  });
});

describe('the fixture tree through the CLI', () => {
  it('gives the known-answer root with one hashing thread', async () => {
    const r = await runCli(['fingerprint', FIXTURE_TREE, '--out', join(tmp, 'one-thread.json'), '--threads', '1', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(rootOf(r)).toBe(expected.root);
  });
});
