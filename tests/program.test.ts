/**
 * The shipped program: `scripts/build.ts` (what `npm ci` runs through `prepare`) builds
 * `dist/`, and `bin/datadeed.mjs` runs it with plain `node` — no tsx, no esbuild. Built
 * here into a private folder (beside a copy of the bin script, so its `../dist/` holds),
 * then run as a user would: `help` without the server's modules, `fingerprint` with a
 * hashing thread against the independent known answer, and `serve` with its migrations,
 * pages and prebuilt browser scripts. Every module the child resolves is recorded by a
 * resolve hook. Also: the build refuses a located file that does not exist and a use
 * of `import.meta.url` it cannot carry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildProgram } from '../scripts/build.ts';
import { createPostgresDatabase, usingPostgres } from './helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The TypeScript sources: the compiled program must not load any of them. */
const SOURCES = `${pathToFileURL(path.join(ROOT, 'src')).href}/`;
let work: string;
let bin: string;
let hook: string;
/** A CommonJS preload recording every module `require` loads (the resolve hook sees ES imports only). */
let requireHook: string;

/** Modules the server brings in; `help` and `fingerprint` must not load them. */
const SERVER_PACKAGES = ['/node_modules/hono/', '/node_modules/drizzle-orm/', '/node_modules/@electric-sql/pglite/', '/node_modules/pdf-lib/', '/node_modules/postgres/'];
/** Development tools that the compiled program must never load. */
const DEV_TOOLS = ['/node_modules/tsx/', '/node_modules/esbuild/', '/node_modules/get-tsconfig/'];

beforeAll(async () => {
  // Inside the repository, so that the program's package imports resolve from node_modules.
  mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  work = mkdtempSync(path.join(ROOT, '.tmp', 'program-'));
  await buildProgram({ outdir: path.join(work, 'dist') });
  mkdirSync(path.join(work, 'bin'));
  bin = path.join(work, 'bin', 'datadeed.mjs');
  copyFileSync(path.join(ROOT, 'bin', 'datadeed.mjs'), bin);
  hook = path.join(work, 'trace.mjs');
  writeFileSync(
    hook,
    `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.TRACE_FILE) appendFileSync(process.env.TRACE_FILE, r.url + '\\\\n');
  return r;
}\`));
`,
  );
  requireHook = path.join(work, 'trace-require.cjs');
  writeFileSync(
    requireHook,
    `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const loaded = load.apply(this, arguments);
  if (process.env.TRACE_FILE) {
    let file = request;
    try { file = Module._resolveFilename(request, parent, isMain); } catch {}
    appendFileSync(process.env.TRACE_FILE, (file.startsWith('/') ? pathToFileURL(file).href : file) + '\\n');
  }
  return loaded;
};
`,
  );
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Plain node, no loader of ours: only the resolve hook that records modules. */
function childEnv(trace: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TRACE_FILE: trace, LOG_LEVEL: 'silent', ...extra };
  delete env.NODE_OPTIONS; // vitest's or a developer's: the child starts as a user's would
  if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  return env;
}

function traced(trace: string): string[] {
  return existsSync(trace) ? readFileSync(trace, 'utf8').trim().split('\n') : [];
}

function loadedAny(urls: string[], needles: string[]): string[] {
  return urls.filter((u) => needles.some((n) => u.includes(n)));
}

describe('the compiled program', () => {
  it('bin/datadeed.mjs help runs dist/ with plain node and loads no server module', () => {
    const trace = path.join(work, 'help.trace');
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, bin, 'help'], { cwd: work, env: childEnv(trace), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: datadeed <command>/);
    const urls = traced(trace);
    expect(urls).toContain(pathToFileURL(path.join(work, 'dist', 'datadeed.js')).href);
    expect(urls.filter((u) => u.startsWith(SOURCES))).toEqual([]);
    expect(loadedAny(urls, [...SERVER_PACKAGES, ...DEV_TOOLS])).toEqual([]);

    const bad = spawnSync(process.execPath, [bin, 'frobnicate'], { cwd: work, env: childEnv(trace), encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/datadeed: \[unknown_command\]/);
  });

  it('fingerprints the fixture tree with a hashing thread from dist/assets, matching the independent known answer', () => {
    const trace = path.join(work, 'fingerprint.trace');
    const out = path.join(work, 'manifest.json');
    const tree = path.join(ROOT, 'tests', 'fixtures', 'fingerprint', 'tree');
    const expected = JSON.parse(readFileSync(path.join(ROOT, 'tests', 'fixtures', 'fingerprint', 'expected.json'), 'utf8')) as { root: string; files: number };
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, '--require', requireHook, bin, 'fingerprint', tree, '--out', out, '--threads', '2', '--quiet'], {
      cwd: work,
      env: childEnv(trace),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`root ${expected.root}\n`);
    expect(r.stdout).toContain(`files ${expected.files}\n`);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { root: string }).root).toBe(expected.root);
    const urls = traced(trace);
    // the file commands' own build: one CommonJS file, none of the program's chunks
    expect(urls).toContain(pathToFileURL(path.join(work, 'dist', 'file-commands.cjs')).href);
    expect(urls).not.toContain(pathToFileURL(path.join(work, 'dist', 'datadeed.js')).href);
    expect(urls.filter((u) => u.startsWith(SOURCES))).toEqual([]);
    expect(loadedAny(urls, [...SERVER_PACKAGES, ...DEV_TOOLS])).toEqual([]);
    // and it requires nothing but Node's built-ins
    const required = [...readFileSync(path.join(work, 'dist', 'file-commands.cjs'), 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(required.filter((r) => !r.startsWith('node:'))).toEqual([]);

    // usage errors and --help as through the full command line
    const bad = spawnSync(process.execPath, [bin, 'fingerprint'], { cwd: work, env: childEnv(trace), encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^datadeed: \[bad_arguments\]/m);
    const help = spawnSync(process.execPath, [bin, 'fingerprint', '--help'], { cwd: work, env: childEnv(trace), encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: datadeed\n {2}fingerprint <file\|dir>/);
  });

  // A new embedded database takes seconds to create (longer on a busy machine): a longer timeout, no timing assertion.
  it('serves: migrates, answers the checkpoint and pages, and serves the prebuilt browser scripts', async () => {
    const trace = path.join(work, 'serve.trace');
    const dataDir = mkdtempSync(path.join(tmpdir(), 'datadeed-program-'));
    const pg = usingPostgres ? await createPostgresDatabase() : undefined;
    const origin = 'program.datadeed.localhost/log';
    const env = childEnv(trace, {
      PORT: '0',
      HOST: '127.0.0.1',
      DATADEED_DATA_DIR: dataDir,
      DATADEED_ORIGIN: origin,
      LOG_LEVEL: 'silent',
      ...(pg ? { DATABASE_URL: pg.url } : {}),
    });
    const child = spawn(process.execPath, ['--import', pathToFileURL(hook).href, bin, 'serve'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /serving on (http:\/\/[^\s]+)/.exec(stdout);
          if (m) {
            clearInterval(timer);
            resolve(m[1]!);
          }
        }, 50);
        void exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`serve exited ${code}: ${stderr}`));
        });
      });
      const checkpoint = await fetch(`${base}/checkpoint`);
      expect(checkpoint.status).toBe(200);
      expect((await checkpoint.text()).split('\n')[0]).toBe(origin);

      const home = await fetch(`${base}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toMatch(/^<!DOCTYPE html>/i);

      const prebuilt = path.join(work, 'dist', 'assets');
      for (const [route, file] of [
        ['/assets/verify.js', 'verify-page.js'],
        ['/assets/fingerprint.js', 'fingerprint-page.js'],
        ['/assets/fingerprint-worker.js', 'worker.js'],
      ] as const) {
        const res = await fetch(`${base}${route}`);
        expect(res.status, route).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
        const body = await res.text();
        expect(body, route).toBe(readFileSync(path.join(prebuilt, file), 'utf8'));
        expect(body, route).not.toMatch(/^\s*(import|export)\s/m);
      }
      const urls = traced(trace);
      expect(urls.filter((u) => u.startsWith(SOURCES))).toEqual([]);
      expect(loadedAny(urls, DEV_TOOLS)).toEqual([]);
      expect(loadedAny(urls, ['/node_modules/hono/']).length).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('refuses to build a program whose located file is missing, or that uses import.meta.url otherwise', async () => {
    const src = mkdtempSync(path.join(work, 'src-'));
    writeFileSync(path.join(src, 'missing.ts'), `export const u = new URL('./not-there.ts', import.meta.url);\n`);
    await expect(buildProgram({ outdir: path.join(src, 'out'), entry: path.join(src, 'missing.ts') })).rejects.toThrow(/not-there\.ts does not exist/);
    writeFileSync(path.join(src, 'stray.ts'), `import { fileURLToPath } from 'node:url';\nexport const here = fileURLToPath(import.meta.url);\n`);
    await expect(buildProgram({ outdir: path.join(src, 'out'), entry: path.join(src, 'stray.ts') })).rejects.toThrow(/import\.meta\.url used other than/);
    // A located script in a browser/ folder is bundled into assets/ and the URL rewritten.
    mkdirSync(path.join(src, 'browser'));
    writeFileSync(path.join(src, 'browser', 'page.ts'), `import { two } from './two.ts';\ndocument.title = String(two());\n`);
    writeFileSync(path.join(src, 'browser', 'two.ts'), `export const two = (): number => 2;\n`);
    writeFileSync(path.join(src, 'ok.ts'), `// new URL('./commented-out.ts', import.meta.url) is not code\nexport const page = new URL('./browser/page.ts', import.meta.url);\n`);
    const r = await buildProgram({ outdir: path.join(src, 'out'), entry: path.join(src, 'ok.ts') });
    expect(Object.keys(r.files)).toContain('assets/page.js');
    expect(readFileSync(path.join(src, 'out', 'datadeed.js'), 'utf8')).toContain(`new URL("./assets/page.js", import.meta.url)`);
    const page = readFileSync(path.join(src, 'out', 'assets', 'page.js'), 'utf8');
    expect(page).not.toMatch(/\bimport\b/);
    expect(page).toContain('document.title');
  });
});
