/**
 * In-browser fingerprinting in real Chromium: the folder picked in the application
 * form's file input yields the same manifest root as the CLI and as the independent
 * known answer, without sending any data to the server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserRequired, chromiumAvailable, launchChromium, missingChromiumWarning, type Chromium } from './chromium.ts';
import { startAssetServer, type AssetServer } from './server.ts';
import { FIXTURE_DIR, FIXTURE_TREE, rootOf, runCli } from '../fingerprint/cli.ts';

interface Expected {
  root: string;
  files: number;
  bytes: number;
  entries: { path: string; size: number; sha256: string }[];
}
const expected = JSON.parse(readFileSync(join(FIXTURE_DIR, 'expected.json'), 'utf8')) as Expected;

const available = chromiumAvailable();
if (!available) {
  console.warn(missingChromiumWarning());
  if (browserRequired()) {
    describe('browser fingerprinting', () => {
      it('needs Chromium (DATADEED_REQUIRE_BROWSER=1)', () => {
        throw new Error(missingChromiumWarning());
      });
    });
  }
}

describe.runIf(available)('browser fingerprinting (Chromium)', () => {
  let chromium: Chromium;
  let server: AssetServer;
  let cliRoot: string;
  let page: Page;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'dd-browser-'));
    const [c, s, cli] = await Promise.all([
      launchChromium(),
      startAssetServer(),
      runCli(['fingerprint', FIXTURE_TREE, '--out', join(tmp, 'manifest.json'), '--quiet']),
    ]);
    chromium = c;
    server = s;
    expect(cli.code, cli.stderr).toBe(0);
    cliRoot = rootOf(cli);
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function freshPage(): Promise<Page> {
    page = await chromium.context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(server.url + '/');
    await page.waitForFunction(() => (document.getElementById('fp') as HTMLElement | null)?.dataset.fingerprintAttached === '1');
    return page;
  }

  async function finished(p: Page): Promise<{ state: string; root: string; files: string; bytes: string; manifest: string; status: string }> {
    await p.waitForFunction(() => ['done', 'error'].includes((document.getElementById('fp') as HTMLElement).dataset.state ?? ''), undefined, {
      timeout: 30_000,
    });
    return p.evaluate(() => {
      const fp = document.getElementById('fp') as HTMLElement;
      const field = (n: string) => (fp.querySelector(`[name="${n}"]:not([type="file"])`) as HTMLInputElement).value;
      return {
        state: fp.dataset.state ?? '',
        root: field('manifestRoot'),
        files: field('files'),
        bytes: field('bytes'),
        manifest: field('manifest'),
        status: fp.querySelector('[data-fingerprint-status]')!.textContent ?? '',
        code: fp.dataset.errorCode ?? '',
      };
    });
  }

  it('a folder pick (webkitdirectory) reproduces the known-answer root and the CLI root', async () => {
    const p = await freshPage();
    await p.setInputFiles('#folder', FIXTURE_TREE);
    const r = await finished(p);
    expect(r.state, r.status).toBe('done');
    expect(r.root).toBe(expected.root);
    expect(r.root).toBe(cliRoot);
    expect(Number(r.files)).toBe(expected.files);
    expect(Number(r.bytes)).toBe(expected.bytes);
    // The manifest text is byte-identical to the CLI's manifest file.
    expect(r.manifest).toBe(readFileSync(join(tmp, 'manifest.json'), 'utf8'));
    expect(await p.locator('progress').evaluate((e) => (e as HTMLProgressElement).value)).toBe(1);
    await p.close();
  });

  it('never uploads: file inputs lose their name, and the page fetched only its own assets', async () => {
    const p = await freshPage();
    await p.setInputFiles('#folder', FIXTURE_TREE);
    expect((await finished(p)).state).toBe('done');
    const names = await p.$$eval('input[type=file]', (els) => els.map((e) => e.getAttribute('name')));
    expect(names).toEqual([null, null]);
    const allowed = new Set(['GET /', 'GET /assets/fingerprint.js', 'GET /assets/fingerprint-worker.js', 'GET /favicon.ico']);
    expect(server.requests.filter((r) => !allowed.has(r))).toEqual([]);
    await p.close();
  });

  it('a single-file pick gives the same root as `datadeed fingerprint <file>`', async () => {
    const file = join(FIXTURE_TREE, '数据', '样本.csv');
    const cli = await runCli(['fingerprint', file, '--out', join(tmp, 'one.json'), '--quiet']);
    expect(cli.code, cli.stderr).toBe(0);
    const p = await freshPage();
    await p.setInputFiles('#files', file);
    const r = await finished(p);
    expect(r.state, r.status).toBe('done');
    expect(r.root).toBe(rootOf(cli));
    expect(r.files).toBe('1');
    await p.close();
  });

  it('@noble/hashes streaming and WebCrypto one-shot digests agree (manifest from the page API)', async () => {
    const p = await freshPage();
    await p.setInputFiles('#folder', FIXTURE_TREE);
    expect((await finished(p)).state).toBe('done');
    const roots = await p.evaluate(async () => {
      const api = globalThis.DataDeedFingerprint!;
      const files = api.filesFromInputs([document.getElementById('folder') as HTMLInputElement]);
      const workerUrl = '/assets/fingerprint-worker.js';
      const noble = await api.fingerprintFiles(files, { workerUrl, webCryptoMaxBytes: -1 });
      const webcrypto = await api.fingerprintFiles(files, { workerUrl, webCryptoMaxBytes: 1 << 30 });
      return [noble.manifest.root, webcrypto.manifest.root];
    });
    expect(roots).toEqual([expected.root, expected.root]);
    await p.close();
  });

  it('the same file picked twice is a duplicate_path error, shown in the page', async () => {
    const p = await freshPage();
    await p.setInputFiles('#files', [join(FIXTURE_TREE, 'README.txt')]);
    expect((await finished(p)).state).toBe('done');
    await p.setInputFiles('#folder', join(FIXTURE_TREE, 'set'));
    await p.setInputFiles('#files', [join(FIXTURE_TREE, 'set', 'part1.csv')]);
    await p.waitForFunction(() => (document.getElementById('fp') as HTMLElement).dataset.errorCode === 'duplicate_path', undefined, { timeout: 30_000 });
    const r = await finished(p);
    expect(r.state).toBe('error');
    expect(r.root).toBe('');
    expect(r.status).toContain('[duplicate_path]');
    await p.close();
  });
});
