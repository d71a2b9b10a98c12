/**
 * Known answer: the fixed tree of tests/fixtures/fingerprint/tree has the manifest root
 * pinned in expected.json (computed once with Python's hashlib). Here it is recomputed
 * by an independent route — `sha256sum` for the file digests, a hand-written JCS leaf
 * and a recursive RFC 6962 MTH over node:crypto — and reproduced by the core and by the
 * real CLI (`node bin/datadeed.mjs fingerprint …`). The browser suite
 * reproduces it in Chromium.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildManifest, manifestRoot, verifyManifest } from '../../src/fingerprint/index.ts';
import { FIXTURE_DIR, FIXTURE_TREE, rootOf, runCli } from './cli.ts';

interface Expected {
  root: string;
  files: number;
  bytes: number;
  entries: { path: string; size: number; sha256: string }[];
}
const expected = JSON.parse(readFileSync(join(FIXTURE_DIR, 'expected.json'), 'utf8')) as Expected;
const hasSha256sum = spawnSync('sha256sum', ['--version']).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'dd-known-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** RFC 6962 §2.1 MTH, written out again here on node:crypto (independent of src/ledger). */
function mth(leaves: Buffer[]): Buffer {
  const sha = (...parts: Buffer[]) => {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return h.digest();
  };
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('known-answer manifest root of the fixture tree', () => {
  it('pins the tricky names: NFC CJK, an empty file, and UTF-16 order ≠ UTF-8 order', () => {
    const paths = expected.entries.map((e) => e.path);
    expect(paths).toContain('数据/样本.csv');
    expect(expected.entries.find((e) => e.path === 'empty.dat')?.size).toBe(0);
    // UTF-8 byte order puts U+FF61 before U+1F600, and "set-2/" before "set/"; JS sort would not.
    expect(paths.indexOf('\uFF61.txt')).toBeLessThan(paths.indexOf('\u{1F600}.txt'));
    expect(['\uFF61.txt', '\u{1F600}.txt'].sort()).toEqual(['\u{1F600}.txt', '\uFF61.txt']);
    expect(paths.indexOf('set-2/part1.csv')).toBeLessThan(paths.indexOf('set/part1.csv'));
    const sorted = [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(paths).toEqual(sorted);
  });

  it.skipIf(!hasSha256sum)('sha256sum + an independent MTH over hand-written JCS leaves give the pinned root', () => {
    const files = listFiles(FIXTURE_TREE);
    const entries = files.map((abs) => {
      const path = relative(FIXTURE_TREE, abs).split(sep).join('/').normalize('NFC');
      const sha256 = execFileSync('sha256sum', ['-b', '--', abs], { encoding: 'utf8' }).slice(0, 64);
      return { path, size: statSync(abs).size, sha256 };
    });
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')));
    // RFC 8785: keys sorted (path < sha256 < size), no whitespace, ECMAScript string/number forms.
    const leaves = entries.map((e) =>
      createHash('sha256')
        .update(Buffer.from([0]))
        .update(`{"path":${JSON.stringify(e.path)},"sha256":"${e.sha256}","size":${e.size}}`, 'utf8')
        .digest(),
    );
    expect(entries).toEqual(expected.entries);
    expect(mth(leaves).toString('hex')).toBe(expected.root);
  });

  it('the core (buildManifest / verifyManifest) reproduces it', () => {
    const m = buildManifest([...expected.entries].reverse());
    expect(m.root).toBe(expected.root);
    expect(m.files).toBe(expected.files);
    expect(m.bytes).toBe(expected.bytes);
    expect(manifestRoot(expected.entries)).toBe(expected.root);
    expect(verifyManifest({ v: 1, root: expected.root, files: expected.files, bytes: expected.bytes, entries: expected.entries }).root).toBe(expected.root);
  });

  it('the CLI reproduces it and writes a manifest that verifies', async () => {
    const out = join(tmp, 'manifest.json');
    const r = await runCli(['fingerprint', FIXTURE_TREE, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(rootOf(r)).toBe(expected.root);
    expect(r.stdout).toContain(`files ${expected.files}\nbytes ${expected.bytes}\n`);
    const written = JSON.parse(readFileSync(out, 'utf8')) as Expected;
    expect(written.entries).toEqual(expected.entries);
    expect(verifyManifest(written).root).toBe(expected.root);
  });
});
