/**
 * In-browser fingerprinting in Chromium (issue 18): the application page's script and
 * its worker pool, driven through real file inputs, against `openssl dgst -sha256`
 * over the same files in the same run.
 *
 * (a) One large file (1 GiB of random bytes, written under `.tmp/`) picked in the
 *     page's files input: MB/s from the change event to the manifest (the page's own
 *     `data-millis`), ratio to `openssl dgst -sha256 <file>`. Floor ≥ 0.3× openssl.
 *     Printed beside it: the same file forced through the WebAssembly streaming path
 *     (`oneShotMaxBytes: 0`), which is what files above the one-shot memory bound get.
 * (b) 10,000 small files (0–32 KiB) in 100 folders picked in the page's folder input:
 *     files/s, ratio to `find | xargs openssl dgst -sha256` over the same files. Floor
 *     ≥ 1,000 files/s.
 * Each page root is checked against `datadeed fingerprint` (the CLI, a child process)
 * on the same file or folder; a mismatch fails the benchmark. Rounds alternate openssl
 * and the page; each figure is the best of the rounds. The peak memory (sum of PSS) of
 * all Chromium processes during the large-file rounds is printed (polled from /proc).
 *
 * Method notes: all data is read once before timing, so every contender reads from the
 * page cache; the page's timer starts in the input's change handler, so Playwright's
 * own work of setting the files is not counted.
 *
 * Knobs: BENCH_QUICK=1 (128 MiB, 2,000 files, 2 rounds), BENCH_BFP_BIG_MIB,
 * BENCH_BFP_SMALL_FILES, BENCH_BFP_ROUNDS, BENCH_BFP_WORKERS (default: the page's
 * `navigator.hardwareConcurrency`), BENCH_BFP_CHUNK_MIB, BENCH_BFP_READ_AHEAD,
 * BENCH_BFP_ONESHOT_CHUNK_MIB, BENCH_BFP_PARALLEL_READS,
 * BENCH_BFP_ONESHOT_MIB, BENCH_BFP_BYOB (0: streamed files read in slices), BENCH_BFP_SMALL_HASH (wasm|webcrypto), BENCH_BFP_READS (small-file reads in
 * flight on the page), BENCH_BFP_BUFFERED_MIB, BENCH_BFP_SMALL_FILE_KIB.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { floor, int, isMain, knob, line, mb, note, ratio, runMain } from './lib.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const MiB = 1 << 20;

/** Runs a command, resolves with its wall seconds and stdout. */
function run(cmd: string, args: string[]): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-500)}`));
      resolve({ seconds: (performance.now() - t0) / 1000, stdout });
    });
  });
}

async function cliRoot(target: string, out: string): Promise<string> {
  const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'fingerprint', target, '--out', out, '--quiet']);
  const m = /^root ([0-9a-f]{64})$/m.exec(r.stdout);
  if (!m) throw new Error(`no root from the CLI: ${r.stdout}`);
  return m[1]!;
}

function writeRandomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const block = randomBytes(4 * MiB);
  try {
    for (let left = bytes; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  } finally {
    closeSync(fd);
  }
}

function writeSmallFiles(root: string, count: number): number {
  const pool = randomBytes(32 * 1024 + 4096);
  let bytes = 0;
  for (let d = 0; d < 100; d++) mkdirSync(join(root, `d${String(d).padStart(2, '0')}`), { recursive: true });
  for (let i = 0; i < count; i++) {
    const size = Math.floor(Math.random() * 32 * 1024);
    const fd = openSync(join(root, `d${String(i % 100).padStart(2, '0')}`, `f${i}.csv`), 'w');
    writeSync(fd, pool, i % 4096, size);
    closeSync(fd);
    bytes += size;
  }
  return bytes;
}

/** Proportional set size (shared pages divided among their users) of a process and all its descendants, bytes, from /proc. */
function treePss(rootPid: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${name}/smaps_rollup`, 'utf8'));
      rss.set(Number(name), m ? Number(m[1]) * 1024 : 0);
    } catch {
      // gone
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** CPU seconds (user + system, with waited-for children) of a process and all its descendants, from /proc. */
function treeCpu(rootPid: number): number {
  const children = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const list = children.get(Number(f[1])) ?? [];
      list.push(Number(name));
      children.set(Number(f[1]), list);
      cpu.set(Number(name), (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100);
    } catch {
      // gone
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += cpu.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs a shell command line; resolves with its wall seconds and the CPU seconds of all it ran (the shell's waited-for children). */
async function shellCpu(script: string, arg: string): Promise<{ seconds: number; cpu: number }> {
  const r = await run('sh', ['-c', `${script}; cat /proc/$$/stat`, 'sh', arg]);
  const stat = r.stdout.trim();
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { seconds: r.seconds, cpu: (Number(f[13]) + Number(f[14])) / 100 };
}

/** The pid of the Chromium browser process using `profile`. */
function browserPid(profile: string): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (cmd.includes(`--user-data-dir=${profile}`) && !cmd.some((a) => a.startsWith('--type='))) return Number(name);
    } catch {
      // gone
    }
  }
  return undefined;
}

interface PageRun {
  millis: number;
  readMillis?: number;
  hashMillis?: number;
  root: string;
  files: number;
  bytes: number;
  workers: number;
  engine: string;
}

/** Options passed to the page's `fingerprintFiles` (from the knobs). */
function tuning(): Record<string, number | string | boolean> {
  const t: Record<string, number | string | boolean> = {};
  const set = (key: string, env: string, scale = 1): void => {
    const raw = process.env[env];
    if (raw !== undefined && raw !== '') t[key] = Number(raw) * scale;
  };
  set('workers', 'BENCH_BFP_WORKERS');
  set('chunkBytes', 'BENCH_BFP_CHUNK_MIB', MiB);
  set('readAhead', 'BENCH_BFP_READ_AHEAD');
  set('oneShotChunkBytes', 'BENCH_BFP_ONESHOT_CHUNK_MIB', MiB);
  set('parallelReads', 'BENCH_BFP_PARALLEL_READS');
  set('oneShotMaxBytes', 'BENCH_BFP_ONESHOT_MIB', MiB);
  set('readsInFlight', 'BENCH_BFP_READS');
  set('maxBufferedBytes', 'BENCH_BFP_BUFFERED_MIB', MiB);
  set('smallFileBytes', 'BENCH_BFP_SMALL_FILE_KIB', 1024);
  if (process.env.BENCH_BFP_SMALL_HASH) t.smallHash = process.env.BENCH_BFP_SMALL_HASH;
  if (process.env.BENCH_BFP_BYOB) t.byob = /^(1|true|yes)$/i.test(process.env.BENCH_BFP_BYOB);
  return t;
}

/**
 * Picks `target` in the page's input `#id` and waits for the page's own run. Both inputs
 * are emptied first: Chromium fires no change event when the same files are set again,
 * and the page fingerprints what all its inputs hold.
 */
async function pick(page: Page, id: 'files' | 'folder', target: string): Promise<PageRun> {
  await page.evaluate(() => {
    for (const input of Array.from(document.querySelectorAll<HTMLInputElement>('#fp input[type="file"]'))) input.value = '';
    (document.getElementById('fp') as HTMLElement).dataset.state = 'picking';
  });
  await page.setInputFiles(`#${id}`, target);
  await page.waitForFunction(() => ['done', 'error'].includes((document.getElementById('fp') as HTMLElement).dataset.state ?? ''), undefined, { timeout: 600_000, polling: 50 });
  return page.evaluate(() => {
    const fp = document.getElementById('fp') as HTMLElement;
    if (fp.dataset.state !== 'done') throw new Error(fp.querySelector('[data-fingerprint-status]')?.textContent ?? 'failed');
    // (No named arrow functions in page code: tsx would wrap them in a helper the page lacks.)
    const files = Number((fp.querySelector('[name="files"]:not([type="file"])') as HTMLInputElement).value);
    const bytes = Number((fp.querySelector('[name="bytes"]') as HTMLInputElement).value);
    return { millis: Number(fp.dataset.millis), readMillis: Number(fp.dataset.readMillis), root: fp.dataset.root!, files, bytes, workers: Number(fp.dataset.workers), engine: fp.dataset.engine! };
  });
}

/** Runs the page API (same worker pool, other settings) on the files now in input `#id`. */
function again(page: Page, id: 'files' | 'folder', extra: Record<string, number | string | boolean>): Promise<PageRun> {
  return page.evaluate(
    async ({ id, extra }) => {
      const api = globalThis.DataDeedFingerprint!;
      const files = api.filesFromInputs([document.getElementById(id) as HTMLInputElement]);
      const r = await api.fingerprintFiles(files, { workerUrl: '/assets/fingerprint-worker.js', ...extra });
      return { millis: r.millis, readMillis: r.readMillis, hashMillis: r.hashMillis, root: r.manifest.root, files: r.manifest.files, bytes: r.manifest.bytes, workers: r.workers, engine: r.engine };
    },
    { id, extra },
  );
}

/** One timed page run: the page's own run on a new pick, or, with tuning knobs, the API with them on the same pick. */
async function timedRun(page: Page, id: 'files' | 'folder', target: string, tuned: Record<string, number | string | boolean> | undefined): Promise<PageRun> {
  const own = await pick(page, id, target);
  return tuned === undefined ? own : again(page, id, tuned);
}

function mbps(bytes: number, seconds: number): string {
  return `${int(bytes / seconds / 1e6)} MB/s`;
}

/** Runs the browser fingerprint benchmark; figures on stdout, progress on stderr. */
export async function benchBrowserFingerprint(): Promise<void> {
  const { chromiumAvailable, launchChromium, CHROMIUM_PATH } = await import('../tests/browser/chromium.ts');
  if (!chromiumAvailable()) {
    line(`browser fingerprint: SKIPPED (no Chromium at ${CHROMIUM_PATH}; apt-get install -y chromium)`);
    return;
  }
  const { startAssetServer } = await import('../tests/browser/server.ts');
  const rounds = knob('BENCH_BFP_ROUNDS', 3, 2);
  const bigBytes = knob('BENCH_BFP_BIG_MIB', 1024, 128) * MiB;
  const smallCount = knob('BENCH_BFP_SMALL_FILES', 10_000, 2_000);
  const opts = tuning();
  mkdirSync(join(REPO, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(REPO, '.tmp', 'bench-browser-fp-'));
  const server = await startAssetServer();
  const chromium = await launchChromium();
  try {
    const page = await chromium.context.newPage();
    page.on('pageerror', (e) => note(`page error: ${e.message}`));
    await page.goto(server.url + '/');
    await page.waitForFunction(() => (document.getElementById('fp') as HTMLElement | null)?.dataset.fingerprintAttached === '1');
    if (Object.keys(opts).length > 0) note(`tuning: ${JSON.stringify(opts)}`);
    const tuned = Object.keys(opts).length > 0 ? opts : undefined;

    // (a) one large file (BENCH_BFP_BIG_MIB=0 skips it)
    if (bigBytes > 0) await benchLargeFile(page, chromium.profile, dir, bigBytes, rounds, opts, tuned);
    // (b) many small files (BENCH_BFP_SMALL_FILES=0 skips them)
    if (smallCount > 0) await benchSmallFiles(page, chromium.profile, dir, smallCount, rounds, tuned);
  } finally {
    await chromium.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Tuning = Record<string, number | string | boolean>;

async function benchLargeFile(page: Page, profile: string, dir: string, bigBytes: number, rounds: number, opts: Tuning, tuned: Tuning | undefined): Promise<void> {
  const big = join(dir, 'large.bin');
  note(`writing a ${mb(bigBytes)} file under .tmp`);
  writeRandomFile(big, bigBytes);
  const bigCli = await cliRoot(big, join(dir, 'large.manifest.json'));
  note(`CLI root ${bigCli}; warming up`);
  await run('openssl', ['dgst', '-sha256', big]); // page cache warm
  await timedRun(page, 'files', big, tuned); // and Chromium's first run
  const pid = browserPid(profile);
  let peakRss = 0;
  const poll = setInterval(() => {
    if (pid !== undefined) peakRss = Math.max(peakRss, treePss(pid));
  }, 100);
  const openssl: number[] = [];
  const opensslCpu: number[] = [];
  const browser: PageRun[] = [];
  const browserCpu: number[] = [];
  const streamed: PageRun[] = [];
  const streamedCpu: number[] = [];
  const sliced: PageRun[] = [];
  const slicedCpu: number[] = [];
  const cpuOf = async (f: () => Promise<PageRun>, into: number[]): Promise<PageRun> => {
    const c0 = pid !== undefined ? treeCpu(pid) : 0;
    const r = await f();
    into.push(pid !== undefined ? treeCpu(pid) - c0 : NaN);
    return r;
  };
  for (let i = 0; i < rounds; i++) {
    const o = await shellCpu('openssl dgst -sha256 "$1" > /dev/null', big);
    openssl.push(o.seconds);
    opensslCpu.push(o.cpu);
    browser.push(await cpuOf(() => timedRun(page, 'files', big, tuned), browserCpu));
    streamed.push(await cpuOf(() => again(page, 'files', { ...opts, oneShotMaxBytes: 0 }), streamedCpu));
    sliced.push(await cpuOf(() => again(page, 'files', { ...opts, oneShotMaxBytes: 0, byob: false }), slicedCpu));
    note(`large file round ${i + 1}/${rounds}: openssl ${openssl[i]!.toFixed(3)} s, page ${(browser[i]!.millis / 1000).toFixed(3)} s, page streaming ${(streamed[i]!.millis / 1000).toFixed(3)} s, streaming read in slices ${(sliced[i]!.millis / 1000).toFixed(3)} s`);
  }
  clearInterval(poll);
  const o = Math.min(...openssl);
  const b = Math.min(...browser.map((r) => r.millis)) / 1000;
  const s = Math.min(...streamed.map((r) => r.millis)) / 1000;
  const sl = Math.min(...sliced.map((r) => r.millis)) / 1000;
  const label = `browser fingerprint ${bigBytes / MiB} MiB file (file input)`;
  const roots = new Set([...browser, ...streamed, ...sliced].map((r) => r.root));
  const same = roots.size === 1 && roots.has(bigCli);
  line(`${label}: page ${mbps(bigBytes, b)}, openssl dgst ${mbps(bigBytes, o)} → ${ratio(o, b)} openssl (best of ${rounds}, ${browser[0]!.workers} worker) ${floor('≥0.3× openssl', o / b >= 0.3)}`);
  line(`${label}: WebAssembly streaming (files above the one-shot bound) ${mbps(bigBytes, s)} → ${ratio(o, s)} openssl, engine ${streamed[0]!.engine}`);
  line(`${label}: the same, read in File.slice chunks instead of a BYOB reader (byob: false) ${mbps(bigBytes, sl)} → ${ratio(o, sl)} openssl, CPU ${Math.min(...slicedCpu).toFixed(2)} s`);
  const oc = Math.min(...opensslCpu);
  const bc = Math.min(...browserCpu);
  const sc = Math.min(...streamedCpu);
  line(`${label}: CPU seconds (all Chromium processes; best of ${rounds}) page ${bc.toFixed(2)} s, WebAssembly streaming ${sc.toFixed(2)} s, openssl ${oc.toFixed(2)} s → ${ratio(oc, bc)} and ${ratio(oc, sc)} openssl per CPU second`);
  line(`${label}: peak memory of all Chromium processes (sum of PSS) ${mb(peakRss)}`);
  line(`${label}: root ${browser[0]!.root} ${same ? '= CLI' : `≠ CLI ${bigCli}`} ${floor('root = CLI root', same)}`);
  rmSync(big);
  if (!same) throw new Error('the page root differs from the CLI root');
}

async function benchSmallFiles(page: Page, profile: string, dir: string, smallCount: number, rounds: number, tuned: Tuning | undefined): Promise<void> {
  const small = join(dir, 'small');
  note(`writing ${int(smallCount)} small files (0–32 KiB) under .tmp`);
  const smallBytes = writeSmallFiles(small, smallCount);
  const smallCli = await cliRoot(small, join(dir, 'small.manifest.json'));
  const opensslScript = 'find "$1" -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null';
  await shellCpu(opensslScript, small); // page cache warm
  await timedRun(page, 'folder', small, tuned);
  const pid = browserPid(profile);
  const smallOpenssl: number[] = [];
  const smallOpensslCpu: number[] = [];
  const smallBrowser: PageRun[] = [];
  const smallBrowserCpu: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const o = await shellCpu(opensslScript, small);
    smallOpenssl.push(o.seconds);
    smallOpensslCpu.push(o.cpu);
    const c0 = pid !== undefined ? treeCpu(pid) : 0;
    smallBrowser.push(await timedRun(page, 'folder', small, tuned));
    smallBrowserCpu.push(pid !== undefined ? treeCpu(pid) - c0 : NaN);
    note(`small files round ${i + 1}/${rounds}: openssl ${smallOpenssl[i]!.toFixed(3)} s, page ${(smallBrowser[i]!.millis / 1000).toFixed(3)} s`);
  }
  const so = Math.min(...smallOpenssl);
  const sb = Math.min(...smallBrowser.map((r) => r.millis)) / 1000;
  const smallLabel = `browser fingerprint ${int(smallCount)} small files (${mb(smallBytes)}, folder input)`;
  const smallRoots = new Set(smallBrowser.map((r) => r.root));
  const smallSame = smallRoots.size === 1 && smallRoots.has(smallCli) && smallBrowser.every((r) => r.files === smallCount);
  line(
    `${smallLabel}: page ${int(smallCount / sb)} files/s ${mbps(smallBytes, sb)}, find|xargs openssl ${int(smallCount / so)} files/s → ${ratio(so, sb)} openssl (best of ${rounds}, ${smallBrowser[0]!.workers} workers) ${floor('≥1,000 files/s', smallCount / sb >= 1000)}`,
  );
  const soc = Math.min(...smallOpensslCpu);
  const sbc = Math.min(...smallBrowserCpu);
  line(`${smallLabel}: CPU seconds (best of ${rounds}) page ${sbc.toFixed(2)} s (all Chromium processes, including Playwright's setting of the input), openssl ${soc.toFixed(2)} s → ${ratio(soc, sbc)} openssl per CPU second`);
  const reading = Math.min(...smallBrowser.map((r) => r.readMillis ?? NaN)) / 1000;
  if (Number.isFinite(reading)) line(`${smallLabel}: of the page's time, until the page had read every file (main thread, reads in flight): best ${reading.toFixed(2)} s`);
  line(`${smallLabel}: root ${smallBrowser[0]!.root} ${smallSame ? '= CLI' : `≠ CLI ${smallCli}`} ${floor('root = CLI root', smallSame)}`);
  if (!smallSame) throw new Error('the page root differs from the CLI root');
}

if (isMain(import.meta.url)) runMain(benchBrowserFingerprint);
