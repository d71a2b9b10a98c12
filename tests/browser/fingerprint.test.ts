/**
 * In-browser fingerprinting in real Chromium: the folder picked in the application
 * form's file input yields the same manifest root as the CLI and as the independent
 * known answer, without sending any data to the server — whatever the hashing path
 * (WebAssembly streaming, WebCrypto one-shot, small files read in groups), the number
 * of workers, or a Content-Security-Policy that refuses WebAssembly.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const MiB = 1 << 20;
/**
 * Settings of the page API that force each hashing path: every non-empty file handed to
 * a worker and streamed through WebAssembly in 64 KiB or 1 MiB chunks, read through a
 * BYOB reader (the default) or in slices (`byob: false`); every non-empty
 * file read whole by a worker (in 64 KiB slices, 3 at once) for one WebCrypto digest;
 * small files read by the page one at a time or 7 at once under a 64 KiB bound on the
 * bytes held, hashed by WebAssembly or WebCrypto; files up to 4 MiB read by the page
 * (several stream pieces each); 1 or 3 workers.
 */
const VARIANTS: Record<string, number | string | boolean>[] = [
  {},
  { smallFileBytes: 0, oneShotMaxBytes: 0, chunkBytes: 64 * 1024 },
  { oneShotMaxBytes: 0, chunkBytes: MiB, readAhead: 0 },
  { smallFileBytes: 0, byob: false, chunkBytes: 64 * 1024 },
  { smallFileBytes: 0, oneShotMaxBytes: 1024 * MiB, oneShotChunkBytes: 64 * 1024, parallelReads: 3 },
  { smallHash: 'wasm', readsInFlight: 1 },
  { smallHash: 'webcrypto', readsInFlight: 7, maxBufferedBytes: 64 * 1024 },
  { smallFileBytes: 4 * MiB },
  { smallFileBytes: 4 * MiB, smallHash: 'webcrypto' },
  { workers: 1 },
  { workers: 3 },
];

/** Files {@link writeManyFiles} writes besides the `count` numbered ones. */
const EXTRA_FILES = 7;

/**
 * Writes a folder of `count` + {@link EXTRA_FILES} files: random sizes up to 40 KiB in nested folders, empty
 * files, names in Chinese and in decomposed Unicode (the CLI and the page both store
 * NFC), and files at and around the 1 MiB small-file bound and across 1 MiB chunks.
 */
function writeManyFiles(root: string, count: number): void {
  const pool = randomBytes(4 * MiB);
  const write = (rel: string, size: number, at: number): void => {
    const path = join(root, ...rel.split('/'));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, pool.subarray(at % MiB, (at % MiB) + size));
  };
  for (let i = 0; i < count; i++) write(`d${i % 23}/sub${i % 5}/f${i}.csv`, (i * 7919) % (40 * 1024), i * 131);
  write('empty-1', 0, 0);
  write('d0/empty-2', 0, 0);
  write('数据/样本 一.csv', 5000, 17);
  write('Cafe\u0301/Re\u0301sume\u0301.txt', 300, 99);
  write('bounds/exactly-1MiB.bin', MiB, 5);
  write('bounds/1MiB-plus-1.bin', MiB + 1, 6);
  write('bounds/3MiB-plus-17.bin', 3 * MiB + 17, 7);
}

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

  it('every hashing path and pool size gives the known-answer root (page API)', async () => {
    const p = await freshPage();
    await p.setInputFiles('#folder', FIXTURE_TREE);
    expect((await finished(p)).state).toBe('done');
    const results = await p.evaluate(async (variants) => {
      const api = globalThis.DataDeedFingerprint!;
      const files = api.filesFromInputs([document.getElementById('folder') as HTMLInputElement]);
      const out: { root: string; engine: string; workers: number }[] = [];
      for (const v of variants) {
        const r = await api.fingerprintFiles(files, { workerUrl: '/assets/fingerprint-worker.js', ...v });
        out.push({ root: r.manifest.root, engine: r.engine, workers: r.workers });
      }
      return out;
    }, VARIANTS);
    expect(results.map((r) => r.root)).toEqual(VARIANTS.map(() => expected.root));
    expect(new Set(results.map((r) => r.engine))).toEqual(new Set(['wasm']));
    expect(results[VARIANTS.findIndex((v) => v.workers === 3)]!.workers).toBe(3);
    await p.close();
  });

  // eleven whole passes over 1,207 files (about 33 s alone, twice that beside the other browser files in CI)
  it('a many-file folder: the page root equals the CLI root on every hashing path', { timeout: 240_000 }, async () => {
    const dir = join(tmp, 'many');
    writeManyFiles(dir, 1200);
    const cli = await runCli(['fingerprint', dir, '--out', join(tmp, 'many.json'), '--quiet']);
    expect(cli.code, cli.stderr).toBe(0);
    const cliRootMany = rootOf(cli);
    const p = await freshPage();
    await p.setInputFiles('#folder', dir);
    const r = await finished(p);
    expect(r.state, r.status).toBe('done');
    expect(r.root).toBe(cliRootMany);
    expect(Number(r.files)).toBe(1200 + EXTRA_FILES);
    expect(r.manifest).toBe(readFileSync(join(tmp, 'many.json'), 'utf8'));
    const roots = await p.evaluate(async (variants) => {
      const api = globalThis.DataDeedFingerprint!;
      const files = api.filesFromInputs([document.getElementById('folder') as HTMLInputElement]);
      const out: string[] = [];
      for (const v of variants) out.push((await api.fingerprintFiles(files, { workerUrl: '/assets/fingerprint-worker.js', ...v })).manifest.root);
      return out;
    }, VARIANTS);
    expect(roots).toEqual(VARIANTS.map(() => cliRootMany));
    await p.close();
  });

  it('many small files, one large file and an empty file: small ones read by the page in batches, the large one by a worker, root = CLI root', async () => {
    const dir = join(tmp, 'mixed');
    const pool = randomBytes(64 * 1024);
    for (let i = 0; i < 2000; i++) {
      mkdirSync(join(dir, `d${i % 40}`), { recursive: true });
      writeFileSync(join(dir, `d${i % 40}`, `f${i}.csv`), pool.subarray(i % 997, (i % 997) + ((i * 7919) % (32 * 1024))));
    }
    writeFileSync(join(dir, 'large.bin'), randomBytes(24 * MiB + 5));
    writeFileSync(join(dir, 'd7', 'empty'), '');
    const cli = await runCli(['fingerprint', dir, '--out', join(tmp, 'mixed.json'), '--quiet']);
    expect(cli.code, cli.stderr).toBe(0);
    const cliRootMixed = rootOf(cli);
    const p = await freshPage();
    await p.setInputFiles('#folder', dir);
    const r = await finished(p);
    expect(r.state, r.status).toBe('done');
    expect(r.root).toBe(cliRootMixed);
    expect(Number(r.files)).toBe(2002);
    expect(r.manifest).toBe(readFileSync(join(tmp, 'mixed.json'), 'utf8'));
    // The large file streamed or read whole; the page's reads held to 256 KiB, or one read at a time.
    const roots = await p.evaluate(async (variants) => {
      const api = globalThis.DataDeedFingerprint!;
      const files = api.filesFromInputs([document.getElementById('folder') as HTMLInputElement]);
      const out: string[] = [];
      for (const v of variants) out.push((await api.fingerprintFiles(files, { workerUrl: '/assets/fingerprint-worker.js', ...v })).manifest.root);
      return out;
    }, [{ oneShotMaxBytes: 0 }, { oneShotMaxBytes: 1024 * MiB }, { maxBufferedBytes: 256 * 1024 }, { readsInFlight: 1, workers: 1 }]);
    expect(roots).toEqual([cliRootMixed, cliRootMixed, cliRootMixed, cliRootMixed]);
    await p.close();
  });

  it('reports progress: bytes only grow, files and bytes end at the totals, the page shows them', async () => {
    const dir = join(tmp, 'progress');
    writeManyFiles(dir, 400);
    const p = await freshPage();
    // The page reports at most every 100 ms; on a quiet machine 403 small files can be done in
    // less, so no count between 0 and the total is ever shown. The CPU is slowed (Chromium's
    // DevTools throttling, as for a slow laptop) so the run spans several report intervals.
    const cdp = await chromium.context.newCDPSession(p);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 8 });
    // Every text the status element shows during the run.
    await p.evaluate(() => {
      const status = document.querySelector('[data-fingerprint-status]')!;
      const seen: string[] = [];
      (globalThis as unknown as { seen: string[] }).seen = seen;
      new MutationObserver((records) => {
        for (const r of records) for (const n of Array.from(r.addedNodes)) seen.push(n.textContent ?? '');
      }).observe(status, { childList: true, characterData: true, subtree: true });
    });
    await p.setInputFiles('#folder', dir);
    const r = await finished(p);
    expect(r.state, r.status).toBe('done');
    const total = 400 + EXTRA_FILES;
    expect(Number(r.files)).toBe(total);
    expect(await p.locator('progress').evaluate((e) => (e as HTMLProgressElement).value)).toBe(1);
    const seen = await p.evaluate(() => (globalThis as unknown as { seen: string[] }).seen);
    const counts = seen.map((t) => /^(\d+) \/ (\d+) files/.exec(t)).filter((m) => m !== null);
    expect(counts.length).toBeGreaterThan(2);
    expect(counts.every((m) => Number(m[2]) === total)).toBe(true);
    expect(counts.some((m) => Number(m[1]) > 0 && Number(m[1]) < total)).toBe(true);
    expect(seen[seen.length - 1]).toContain(`${total} files`);

    const events = await p.evaluate(async () => {
      const api = globalThis.DataDeedFingerprint!;
      const files = api.filesFromInputs([document.getElementById('folder') as HTMLInputElement]);
      const list: { files: number; bytes: number; totalFiles: number; totalBytes: number; sizing: boolean }[] = [];
      const run = await api.fingerprintFiles(files, { workerUrl: '/assets/fingerprint-worker.js', onProgress: (e) => list.push({ ...e }), readsInFlight: 8, chunkBytes: 64 * 1024 });
      return { list, files: run.manifest.files, bytes: run.manifest.bytes };
    });
    const { list } = events;
    expect(list.length).toBeGreaterThan(2);
    expect(list[0]).toMatchObject({ files: 0, bytes: 0 });
    for (let i = 1; i < list.length; i++) {
      expect(list[i]!.bytes).toBeGreaterThanOrEqual(list[i - 1]!.bytes);
      expect(list[i]!.files).toBeGreaterThanOrEqual(list[i - 1]!.files);
    }
    // The byte total grows while sizes are being learnt (as files are read), then stays at the sum of the sizes.
    for (let i = 1; i < list.length; i++) expect(list[i]!.totalBytes).toBeGreaterThanOrEqual(list[i - 1]!.totalBytes);
    expect(list.every((e) => e.totalFiles === events.files && e.bytes <= e.totalBytes)).toBe(true);
    expect(list.filter((e) => !e.sizing).every((e) => e.totalBytes === events.bytes)).toBe(true);
    expect(list[list.length - 1]).toMatchObject({ files: events.files, bytes: events.bytes, totalBytes: events.bytes, sizing: false });
    await p.close();
  });

  it('under a strict Content-Security-Policy: WebAssembly with wasm-unsafe-eval, @noble/hashes without, same root', async () => {
    const policies = {
      wasm: "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; base-uri 'none'; form-action 'self'",
      noble: "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; base-uri 'none'; form-action 'self'",
    };
    for (const [engine, csp] of Object.entries(policies)) {
      const strict = await startAssetServer(undefined, { 'content-security-policy': csp });
      try {
        const p = await chromium.context.newPage();
        const violations: string[] = [];
        p.on('console', (m) => {
          if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
        });
        await p.goto(strict.url + '/');
        await p.waitForFunction(() => (document.getElementById('fp') as HTMLElement | null)?.dataset.fingerprintAttached === '1');
        await p.setInputFiles('#folder', FIXTURE_TREE);
        const r = await finished(p);
        expect(r.state, r.status).toBe('done');
        expect(r.root).toBe(expected.root);
        expect(await p.locator('#fp').getAttribute('data-engine')).toBe(engine);
        if (engine === 'wasm') expect(violations).toEqual([]);
        await p.close();
      } finally {
        await strict.close();
      }
    }
  });

  it('a file changed after it was picked fails the run with read_failed, naming the file', async () => {
    const dir = join(tmp, 'changing');
    for (let i = 0; i < 10; i++) {
      mkdirSync(join(dir, 'set'), { recursive: true });
      writeFileSync(join(dir, 'set', `f${i}.csv`), randomBytes(1000 + i));
    }
    writeFileSync(join(dir, 'large.bin'), randomBytes(2 * MiB));
    const p = await freshPage();
    await p.setInputFiles('#folder', dir);
    expect((await finished(p)).state).toBe('done');
    writeFileSync(join(dir, 'set', 'f5.csv'), randomBytes(3000));
    const small = await p.evaluate(async () => {
      const api = globalThis.DataDeedFingerprint!;
      const files = api.filesFromInputs([document.getElementById('folder') as HTMLInputElement]);
      try {
        await api.fingerprintFiles(files, { workerUrl: '/assets/fingerprint-worker.js' });
        return { code: 'none', message: '' };
      } catch (e) {
        return { code: (e as { code: string }).code, message: (e as Error).message };
      }
    });
    expect(small.code).toBe('read_failed');
    expect(small.message).toContain('set/f5.csv');
    writeFileSync(join(dir, 'set', 'f5.csv'), randomBytes(1005));
    writeFileSync(join(dir, 'large.bin'), randomBytes(2 * MiB));
    const codes = await p.evaluate(async (variants) => {
      const api = globalThis.DataDeedFingerprint!;
      const files = api.filesFromInputs([document.getElementById('folder') as HTMLInputElement]).filter((f) => f.path === 'large.bin');
      const out: string[] = [];
      for (const v of variants) {
        try {
          await api.fingerprintFiles(files, { workerUrl: '/assets/fingerprint-worker.js', ...v });
          out.push('none');
        } catch (e) {
          out.push((e as { code: string }).code);
        }
      }
      return out;
    }, [{ oneShotMaxBytes: 0 }, { oneShotMaxBytes: 1024 * MiB }]);
    expect(codes).toEqual(['read_failed', 'read_failed']);
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
