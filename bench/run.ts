/**
 * `npm run bench [-- name …]`: runs the benchmarks (all, or those named: startup,
 * appends, proofs, certificates, fingerprint, deposits, witnesses, state-map, read, pglite-memory), each in its own Node process so that memory figures are not polluted
 * by an earlier benchmark (PGlite's WebAssembly heap never shrinks). Figures go
 * to stdout, one plain line each; progress to stderr.
 *
 * Env knobs (details in each benchmark's header):
 *   BENCH_QUICK=1          every size shrinks: a smoke run of well under a minute
 *   BENCH_STRICT=1         exit 1 when a floor fails (default: report only)
 *   BENCH_PG_URL           admin URL (default postgres://postgres@127.0.0.1:5432/test);
 *                          each run creates and drops its own dd_bench_* database
 *   BENCH_PHASES=1         per-batch phase timing of the sequencer on stderr
 *   pglite-memory: BENCH_MEM_ROWS
 *   startup: BENCH_STARTUP_ROUNDS
 *   appends: BENCH_APPEND_DBS, BENCH_APPEND_CONCURRENCY, BENCH_APPEND_SECONDS,
 *            BENCH_WARMUP_SECONDS, BENCH_BASELINE_SECONDS, BENCH_MAX_BATCH, BENCH_MAX_WAIT_MS
 *   proofs:  BENCH_PROOF_DB (postgres|pglite|both), BENCH_PROOF_ENTRIES, BENCH_PROOF_SAMPLES,
 *            BENCH_PROOF_BATCH, BENCH_PROOF_APPENDERS, BENCH_PROOF_SETTLE
 *   witnesses: BENCH_WITNESS_DBS, BENCH_WITNESS_SECONDS, BENCH_WITNESS_CONCURRENCY, BENCH_WITNESS_SAMPLE
 *   read:    BENCH_READ_DBS, BENCH_READ_SECONDS, BENCH_READ_CONNECTIONS, BENCH_READ_ENTRIES
 *   state-map: BENCH_MAP_KEYS, BENCH_MAP_CHANGED, BENCH_MAP_COMMITS, BENCH_MAP_SAMPLES
 *   state:   BENCH_STATE_CERTS, BENCH_STATE_CHANGED, BENCH_STATE_COMMITS, BENCH_STATE_SAMPLES
 *   browser-fingerprint: BENCH_BFP_BIG_MIB, BENCH_BFP_SMALL_FILES, BENCH_BFP_ROUNDS, … (Chromium)
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dbKinds, listKnob, QUICK } from './lib.ts';

interface Job {
  name: string;
  file: string;
  env?: Record<string, string>;
}

const BENCHMARKS: Record<string, () => Job[]> = {
  startup: () => [{ name: 'startup', file: 'startup.ts' }],
  appends: () => [{ name: 'appends', file: 'appends.ts' }],
  // One process per database kind: the RSS figures must be this kind's alone.
  proofs: () => dbKinds(listKnob('BENCH_PROOF_DB', 'postgres')).map((k) => ({ name: `proofs ${k}`, file: 'proofs.ts', env: { BENCH_PROOF_DB: k } })),
  certificates: () => [{ name: 'certificates', file: 'certificates.ts' }],
  fingerprint: () => [{ name: 'fingerprint', file: 'fingerprint.ts' }],
  'browser-fingerprint': () => [{ name: 'browser-fingerprint', file: 'browser-fingerprint.ts' }],
  deposits: () => [{ name: 'deposits', file: 'deposits.ts' }],
  witnesses: () => [{ name: 'witnesses', file: 'witnesses.ts' }],
  'state-map': () => [{ name: 'state-map', file: 'state-map.ts' }],
  read: () => [{ name: 'read', file: 'read.ts' }],
  'pglite-memory': () => [{ name: 'pglite-memory', file: 'pglite-memory.ts' }],
  state: () => [{ name: 'state', file: 'state.ts' }],
};

async function main(): Promise<number> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  for (const n of names) if (!BENCHMARKS[n]) throw new Error(`unknown benchmark ${JSON.stringify(n)}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  const selected = names.length ? names : Object.keys(BENCHMARKS);
  const jobs = selected.flatMap((n) => BENCHMARKS[n]!());

  const cpu = cpus();
  console.log(
    `bench ${new Date().toISOString()} node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ` +
      `load ${loadavg().map((l) => l.toFixed(2)).join(' ')}${QUICK ? ', QUICK' : ''}`,
  );
  const probe = cpuProbe();
  if (probe) console.log(probe);
  const started = performance.now();
  let pass = 0;
  let fail = 0;
  let crashed = 0;
  for (const job of jobs) {
    // What the previous benchmark left running (PostgreSQL writing back a million
    // entries, dropping its database; Chromium exiting) must not fall on the next one.
    const waited = await quiet();
    if (waited >= 1000) process.stderr.write(`  · waited ${(waited / 1000).toFixed(1)} s for the machine to be quiet\n`);
    const t = performance.now();
    const { code, out } = await runChild(job);
    pass += (out.match(/: PASS\]/g) ?? []).length;
    fail += (out.match(/: FAIL\]/g) ?? []).length;
    if (code !== 0) {
      crashed++;
      console.log(`${job.name}: CRASHED (exit ${code})`);
    }
    process.stderr.write(`  · ${job.name}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
  console.log(
    `floors: ${pass} PASS, ${fail} FAIL${crashed ? `, ${crashed} benchmark(s) crashed` : ''}; total ${((performance.now() - started) / 1000).toFixed(1)} s, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (crashed) return 2;
  return fail && /^(1|true|yes)$/i.test(process.env.BENCH_STRICT ?? '') ? 1 : 0;
}

/** Measured on one core, pinned: median µs of a node:crypto Ed25519 verify, and SHA-256 MB/s. */
const PROBE = `
const { generateKeyPairSync, sign, verify, hash } = require('node:crypto');
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const msg = Buffer.alloc(300, 7), sig = sign(null, msg, privateKey), big = Buffer.alloc(1 << 20, 1);
const med = (f) => { const r = []; for (let k = 0; k < 7; k++) { const t = performance.now(); f(); r.push(performance.now() - t); } return r.sort((a, b) => a - b)[3]; };
const v = med(() => { for (let i = 0; i < 500; i++) verify(null, msg, publicKey, sig); }) / 500 * 1000;
const h = 16 * 1.048576 / med(() => { for (let i = 0; i < 16; i++) hash('sha256', big); }) * 1000;
console.log(v.toFixed(0) + ' µs ' + h.toFixed(0));`;

/**
 * Each core's speed, measured pinned to it (taskset): on a virtual machine the cores
 * can differ — one seen here verified Ed25519 signatures 45 % slower on cpu0 than on
 * cpu1 while hashing at the same speed — and a single-threaded figure then depends on
 * which core ran it. Empty when taskset is missing.
 */
function cpuProbe(): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus().length; i++) {
    const r = spawnSync('taskset', ['-c', String(i), process.execPath, '-e', PROBE], { encoding: 'utf8' });
    if (r.status !== 0) return '';
    const [us, , mbs] = r.stdout.trim().split(' ');
    parts.push(`cpu${i} ${us} µs, ${mbs} MB/s`);
  }
  return `cores (one pinned process each; Ed25519 verify, SHA-256): ${parts.join('; ')}`;
}

/** CPU time of all cores (ms): busy and total, from os.cpus(). */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/**
 * Waits until the machine is quiet — under 10 % of all cores busy over half a second —
 * or 30 s have passed; returns the milliseconds waited.
 */
async function quiet(): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < 30_000) {
    const a = cpuTimes();
    await new Promise((r) => setTimeout(r, 500));
    const b = cpuTimes();
    if (b.total > a.total && (b.busy - a.busy) / (b.total - a.total) < 0.1) break;
  }
  return performance.now() - start;
}

/** Run one benchmark file in a child Node process (same tsx loader), echoing its output. */
function runChild(job: Job): Promise<{ code: number; out: string }> {
  const file = fileURLToPath(new URL(job.file, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', file], {
      env: { ...process.env, ...job.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error((err as Error)?.stack ?? String(err));
    process.exit(2);
  },
);
