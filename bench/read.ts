/**
 * read: the read path as a bank, a monitor, a witness or a CDN's miss feels it — whole
 * HTTP round trips against the compiled server (`node bin/datadeed.mjs serve`, its own
 * process), 32 keep-alive connections driven by autocannon from this process.
 *
 * Baseline, same run, same client: a hono hello-world server (bench/hello-server.mjs,
 * `@hono/node-server`, one route answering "Hello"), measured right before each target
 * (so each ratio compares two loads taken under the same conditions).
 *
 * Measured, per database kind: `/checkpoint`, a full hash tile, a full entries tile, an
 * inclusion proof (random leaves), a certificate status and the verify page. The log
 * holds the demo data set and BENCH_READ_ENTRIES filler entries.
 *
 * Floors (issue #20): `/checkpoint` and full tiles ≥ 0.3× hello-world, proofs and status
 * ≥ 0.1×.
 *
 * Knobs: BENCH_READ_DBS (both), BENCH_READ_SECONDS (5; quick 2), BENCH_READ_CONNECTIONS (32),
 * BENCH_READ_ENTRIES (5,000; quick 1,000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { composeSystem } from '../src/compose.ts';
import { loadConfig } from '../src/config.ts';
import { seedDemo } from '../src/cli/demo.ts';
import { dbKinds, EntryFactory, floor, int, isMain, knob, line, listKnob, note, PG_ADMIN_URL, postgresReachable, ratio, runMain, type DbKind } from './lib.ts';

const SECONDS = knob('BENCH_READ_SECONDS', 5, 2);
const CONNECTIONS = knob('BENCH_READ_CONNECTIONS', 32, 32);
const ENTRIES = knob('BENCH_READ_ENTRIES', 5000, 1000);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitHttp(url: string, child: ChildProcess, seconds = 60): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

function startServer(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_EXTRA_CA_CERTS: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`  [server] ${d}`));
  return child;
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 where there is none). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/**
 * Requests per second over SECONDS with CONNECTIONS connections; paths are cycled. Non-2xx
 * answers fail the run, and so does an answer shorter than `minBytes` on average (headers
 * and body as received: autocannon counts the bytes, and keeps no body — see
 * patches/README.md).
 */
async function load(base: string, paths: string[], minBytes = 0): Promise<{ rps: number; p99: number }> {
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: paths.map((p) => ({ method: 'GET', path: p })),
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${base}${paths[0]}…: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts of ${result.requests.total}`);
  const perAnswer = result.throughput.total / Math.max(1, result.requests.total);
  if (perAnswer < minBytes) throw new Error(`${base}${paths[0]}…: ${int(perAnswer)} bytes per answer, expected at least ${int(minBytes)}`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

async function benchKind(kind: DbKind, hello: () => Promise<number>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dd-bench-read-'));
  const env: Record<string, string> = {
    DATADEED_DATA_DIR: dir,
    DATADEED_ORIGIN: 'bench.datadeed.localhost/log',
    LOG_LEVEL: 'silent',
    DATADEED_RATE_LIMIT: 'off',
  };
  let dropDb: (() => Promise<void>) | undefined;
  if (kind === 'postgres') {
    const { default: postgres } = await import('postgres');
    const name = `dd_bench_read_${process.pid}_${randomBytes(3).toString('hex')}`;
    const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.end();
    env.DATABASE_URL = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    dropDb = async () => {
      const a = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
  }
  let server: ChildProcess | undefined;
  try {
    // the log: the demo data set and ENTRIES filler entries, written before the server starts
    const sys = await composeSystem(loadConfig(env));
    const demo = await seedDemo(sys);
    // the demo's state commitment lands first: the filler entries' time must not precede it
    await sys.committer.settle();
    const factory = new EntryFactory();
    for (let i = 0; i < ENTRIES; i += 512) await Promise.all(Array.from({ length: Math.min(512, ENTRIES - i) }, (_, j) => sys.sequencer.append(factory.make(i + j))));
    const size = await sys.services.log.treeSize();
    await sys.close();
    note(`${kind}: log of ${int(size)} entries, certificate ${demo.certificateNumber}`);

    const port = await freePort();
    server = startServer(['bin/datadeed.mjs', 'serve'], { ...env, PORT: String(port), HOST: '127.0.0.1', DATADEED_PUBLIC_URL: `http://127.0.0.1:${port}` });
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(`${base}/healthz`, server);
    const cp = await (await fetch(`${base}/checkpoint`)).text();
    const cpSize = Number(cp.split('\n')[1]);
    const proofs = Array.from({ length: 256 }, () => `/v1/log/proof/inclusion?index=${Math.floor(Math.random() * cpSize)}&size=${cpSize}`);
    const n = encodeURIComponent(demo.certificateNumber ?? "");
    const targets: { label: string; paths: string[]; floor: number; bytes?: number }[] = [
      { label: '/checkpoint', paths: ['/checkpoint'], floor: 0.3 },
      { label: 'full tile /tile/0/000', paths: ['/tile/0/000'], floor: 0.3 },
      { label: 'full entries tile /tile/entries/000', paths: ['/tile/entries/000'], floor: 0.3 },
      { label: 'inclusion proof (random leaves)', paths: proofs, floor: 0.1 },
      { label: 'certificate status', paths: [`/v1/certificates/${n}/status`], floor: 0.1 },
      { label: 'verify page', paths: [`/verify/${n}`], floor: 0 },
    ];
    // warm up each target (and the server's caches) before measuring
    for (const t of targets) for (const p of t.paths.slice(0, 8)) t.bytes = Math.min(t.bytes ?? Infinity, (await (await fetch(base + p)).arrayBuffer()).byteLength);
    for (const t of targets) {
      const baseline = await hello();
      const c0 = cpuOf(server.pid!);
      const own0 = process.cpuUsage();
      const w0 = performance.now();
      const r = await load(base, t.paths, t.bytes);
      const wall = (performance.now() - w0) / 1000;
      const own = process.cpuUsage(own0);
      const cores = `server ${((cpuOf(server.pid!) - c0) / wall).toFixed(2)} cores, client ${((own.user + own.system) / 1e6 / wall).toFixed(2)} cores`;
      const verdict = t.floor > 0 ? ' ' + floor(`≥${t.floor}× hello-world`, r.rps >= t.floor * baseline) : '';
      line(`read ${kind} ${t.label}: ${int(r.rps)} req/s, p99 ${r.p99} ms (${ratio(r.rps, baseline)} hono hello-world ${int(baseline)} req/s, ${CONNECTIONS} connections; ${cores})${verdict}`);
    }
  } finally {
    if (server) await stop(server);
    await dropDb?.().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  const kinds = dbKinds(listKnob('BENCH_READ_DBS', 'both'));
  const helloPort = await freePort();
  const hello = startServer(['bench/hello-server.mjs'], { PORT: String(helloPort) });
  try {
    await waitHttp(`http://127.0.0.1:${helloPort}/`, hello);
    const helloBase = `http://127.0.0.1:${helloPort}`;
    await load(helloBase, ['/']); // warms the client and the baseline server
    const c0 = cpuOf(hello.pid!);
    const own0 = process.cpuUsage();
    const w0 = performance.now();
    const first = (await load(helloBase, ['/'])).rps;
    const wall = (performance.now() - w0) / 1000;
    const own = process.cpuUsage(own0);
    const cores = `server ${((cpuOf(hello.pid!) - c0) / wall).toFixed(2)} cores, client ${((own.user + own.system) / 1e6 / wall).toFixed(2)} cores`;
    line(`read baseline: hono hello-world ${int(first)} req/s (${CONNECTIONS} connections, autocannon in the benchmark's process; ${cores}; measured again before each target)`);
    const baseline = async () => (await load(helloBase, ['/'])).rps;
    for (const kind of kinds) {
      if (kind === 'postgres' && !(await postgresReachable())) {
        note('postgres unreachable: skipped');
        continue;
      }
      await benchKind(kind, baseline);
    }
  } finally {
    await stop(hello);
  }
}

if (isMain(import.meta.url)) runMain(main);
