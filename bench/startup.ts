/**
 * Start-up of the command line (issue 20: "a compiled program"): how long `datadeed
 * help` takes as a whole process, against `node -e 0` — Node itself — in the same run.
 *
 * Method. `dist/` is built from the current sources first (bench/lib.ts `builtProgram`).
 * Each round runs every contender once, in turn, as a child process (stdio ignored); the
 * figure is the median wall time from spawn to exit over the rounds (min in brackets).
 * Children run without NODE_OPTIONS and NODE_EXTRA_CA_CERTS (bench/lib.ts `childEnv`);
 * when the latter is set here, one more line shows what it costs Node on this machine.
 * - baseline: `node -e 0`;
 * - `datadeed help`: `node bin/datadeed.mjs help`, the compiled program as shipped;
 * - `datadeed fingerprint <1-byte file>`: the same, with the fingerprint command's modules
 *   and one file hashed — the fixed cost a `datadeed fingerprint` run pays before and
 *   after hashing (bench/fingerprint.ts measures whole 1 GiB runs against openssl);
 * - `datadeed help` from the sources through tsx (`npm run datadeed -- help`), for comparison.
 *
 * Knobs: BENCH_QUICK=1 (5 rounds), BENCH_STARTUP_ROUNDS (default 15).
 * Goal: `datadeed help` ≤ 150 ms.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtProgram, childEnv, floor, isMain, knob, line, ms, note, ratio, runMain, summarize } from './lib.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** Wall milliseconds of one child process run to exit (which must be 0). */
function timedRun(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = performance.now() - t0;
      if (code !== 0) reject(new Error(`${argv.join(' ')} exited ${code}: ${err.slice(-500)}`));
      else resolve(wall);
    });
  });
}

interface Contender {
  label: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
  samples: number[];
}

/** Runs the start-up benchmark; figures on stdout, progress on stderr. */
export async function benchStartup(): Promise<void> {
  const rounds = knob('BENCH_STARTUP_ROUNDS', 15, 5);
  const bin = await builtProgram();
  const node = process.execPath;
  const env = childEnv();
  const dir = mkdtempSync(path.join(tmpdir(), 'dd-bench-startup-'));
  try {
    const oneByte = path.join(dir, 'one.bin');
    writeFileSync(oneByte, 'x');
    const contenders: Contender[] = [
      { label: 'node -e 0', argv: [node, '-e', '0'], env, samples: [] },
      { label: 'datadeed help (compiled: node bin/datadeed.mjs)', argv: [node, bin, 'help'], env, samples: [] },
      { label: 'datadeed fingerprint <1-byte file> (compiled)', argv: [node, bin, 'fingerprint', oneByte, '--out', path.join(dir, 'm.json'), '--quiet'], env, samples: [] },
      { label: 'datadeed help from the sources (node --import tsx src/cli/main.ts)', argv: [node, '--import', 'tsx', 'src/cli/main.ts', 'help'], env, samples: [] },
    ];
    const extraCa = process.env.NODE_EXTRA_CA_CERTS;
    if (extraCa) contenders.push({ label: 'node -e 0 with NODE_EXTRA_CA_CERTS', argv: [node, '-e', '0'], env: { ...env, NODE_EXTRA_CA_CERTS: extraCa }, samples: [] });

    for (const c of contenders) await timedRun(c.argv, c.env); // warm the page cache
    for (let i = 0; i < rounds; i++) {
      for (const c of contenders) c.samples.push(await timedRun(c.argv, c.env));
      note(`round ${i + 1}/${rounds}: ${contenders.map((c) => ms(c.samples[i]!)).join(', ')}`);
    }
    const [base, help, fingerprint, sources, withCa] = contenders.map((c) => summarize(c.samples));
    const show = (c: Contender) => {
      const s = summarize(c.samples);
      return `${ms(s.p50)} median, min ${ms(Math.min(...c.samples))}`;
    };
    line(`startup: ${contenders[0]!.label} (baseline): ${show(contenders[0]!)} (${rounds} rounds)`);
    line(`startup: ${contenders[1]!.label}: ${show(contenders[1]!)} → ${ratio(help!.p50, base!.p50)} node -e 0 ${floor('≤150 ms', help!.p50 <= 150)}`);
    line(`startup: ${contenders[2]!.label}: ${show(contenders[2]!)} → ${ratio(fingerprint!.p50, base!.p50)} node -e 0`);
    line(`startup: ${contenders[3]!.label}: ${show(contenders[3]!)} → ${ratio(sources!.p50, base!.p50)} node -e 0 (compiled help is ${ratio(sources!.p50, help!.p50)} faster)`);
    if (withCa) {
      line(
        `startup: NODE_EXTRA_CA_CERTS is set in this environment and costs every Node start: node -e 0 ${show(contenders[4]!)} with it → ${ratio(withCa.p50, base!.p50)} without (not counted above)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) runMain(benchStartup);
