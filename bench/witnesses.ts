/**
 * witnesses: what notary witnesses cost the log (issue 17). Acknowledged appends per
 * second (each append awaits its batch COMMIT) with 256 closed-loop appenders through
 * the registry as `datadeed serve` builds it (composition root, checkpoints published
 * every DATADEED_CHECKPOINT_INTERVAL_MS = 1 s), with two witnesses configured
 * (DATADEED_WITNESS_POLICY, quorum: both; the witnesses are `datadeed witness serve`
 * processes of the built program, each with its own embedded database — on the same
 * two cores), against the same run without witnesses: the ratio must stay ≥ 0.9. And the
 * latency from an append's commit to the first checkpoint including it that carries
 * both cosignatures (p50/p99 over sampled appends): publication interval + witness
 * round trips.
 *
 * Runs without and with witnesses alternate (BENCH_WITNESS_ROUNDS each, 3; quick 1) and
 * their medians are compared, so that other load on the machine falls on both alike;
 * CPU per append (this process, the PostgreSQL backends, the witness processes) is
 * given beside, being much less sensitive to that load.
 *
 * Knobs: BENCH_WITNESS_DBS (pglite,postgres), BENCH_WITNESS_SECONDS (8; quick 2),
 * BENCH_WARMUP_SECONDS (1), BENCH_WITNESS_CONCURRENCY (256), BENCH_WITNESS_SAMPLE (every
 * 50th acknowledgement is followed to its cosigned checkpoint), BENCH_WITNESS_NO_URL=1
 * (diagnosis: the policy names the witnesses without URLs, so the registry runs its
 * cosigner but never asks — separates the registry's own cost of a policy from the
 * exchanges and the witness processes' CPU on the same cores).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { composeSystem, type System } from '../src/compose.ts';
import { createLogKey } from '../src/keys/node/index.ts';
import { closedLoop } from './appends.ts';
import {
  builtProgram,
  childEnv,
  CpuMeter,
  procCpuMs,
  dbKinds,
  EntryFactory,
  floor,
  int,
  isMain,
  knob,
  line,
  listKnob,
  ms,
  note,
  openBenchDatabase,
  postgresReachable,
  runMain,
  summarize,
  type DbKind,
} from './lib.ts';

/** A witness as its operator runs it: `datadeed witness init`, `add-log`, then `serve` (a child process). */
async function startWitness(program: string, dir: string, name: string, logVkeys: string[]): Promise<{ child: ChildProcess; url: string; vkey: string }> {
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [program, 'witness', ...args], { env: childEnv(), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`witness ${args[0]}: ${r.stderr}`);
    return r.stdout;
  };
  const vkey = run('init', '--data-dir', dir, '--name', name).trim().split('\n').at(-1)!;
  for (const vkey of logVkeys) run('add-log', '--data-dir', dir, '--vkey', vkey);
  const child = spawn(process.execPath, [program, 'witness', 'serve', '--data-dir', dir, '--port', '0'], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`witness serve exited ${code}`)));
  });
  return { child, url, vkey };
}

function stopWitness(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const ORIGIN = 'bench.datadeed.localhost/log';
const RATIO_FLOOR = 0.9;

/** The commit→cosigned latencies of each run with witnesses. */
const latencies = new Map<Run, number[]>();

interface Run {
  rate: number;
  /** CPU ms per acknowledged append: this process, PostgreSQL backends, witness processes. */
  cpu: { node: number; pg: number | undefined; witnesses: number };
  p50: number;
  p99: number;
  cosigned?: ReturnType<typeof summarize>;
  followed: number;
}

/** Two witnesses started once per database kind, trusting one log key per run (a log of its own each). */
interface Witnesses {
  children: ChildProcess[];
  /** Per run: the log key file's text and origin, and the policy file. */
  runs: { origin: string; keyText: string; policy: string }[];
}

async function startWitnesses(dir: string, rounds: number): Promise<Witnesses> {
  const program = await builtProgram();
  const runs: Witnesses['runs'] = [];
  const keys: { origin: string; vkey: string; keyText: string }[] = [];
  for (let i = 0; i < rounds; i++) {
    const origin = `bench-${i}.datadeed.localhost/log`;
    const keyFile = path.join(dir, `keys-${i}`, 'log.key');
    const key = createLogKey(keyFile, origin);
    keys.push({ origin, vkey: key.vkey, keyText: readFileSync(keyFile, 'utf8') });
  }
  const children: ChildProcess[] = [];
  const witnessLines: string[] = [];
  for (const n of ['fuzhou', 'xiamen']) {
    const wdir = path.join(dir, 'witness', n);
    mkdirSync(path.dirname(wdir), { recursive: true });
    const w = await startWitness(program, wdir, `notary.${n}.example/witness`, keys.map((k) => k.vkey));
    children.push(w.child);
    // BENCH_WITNESS_NO_URL=1 (diagnosis): the policy names the witnesses without their URLs, so they are never asked
    witnessLines.push(process.env.BENCH_WITNESS_NO_URL === '1' ? `witness ${n} ${w.vkey}` : `witness ${n} ${w.vkey} ${w.url}`);
  }
  for (const [i, k] of keys.entries()) {
    const policy = path.join(dir, `witnesses-${i}.policy`);
    writeFileSync(policy, `log ${k.vkey}\n${witnessLines.join('\n')}\ngroup notaries all fuzhou xiamen\nquorum notaries\n`);
    runs.push({ origin: k.origin, keyText: k.keyText, policy });
  }
  // let the witnesses' start-up work (WebAssembly compilation of their databases) settle
  await new Promise((r) => setTimeout(r, 5000));
  return { children, runs };
}

async function oneRun(kind: DbKind, witnessRun: Witnesses['runs'][number] | undefined, c: number, warmup: number, seconds: number, sampleEvery: number, witnesses: ChildProcess[]): Promise<Run> {
  const withWitnesses = witnessRun !== undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'dd-bench-witness-'));
  const database = await openBenchDatabase(kind, { maxConnections: 8 });
  let sys: System | undefined;
  try {
    const origin = witnessRun?.origin ?? ORIGIN;
    const env: Record<string, string> = { DATADEED_DATA_DIR: dir, DATADEED_ORIGIN: origin, LOG_LEVEL: 'silent' };
    if (witnessRun) {
      mkdirSync(path.join(dir, 'keys'), { recursive: true, mode: 0o700 });
      writeFileSync(path.join(dir, 'keys', 'log.key'), witnessRun.keyText, { mode: 0o600 });
      env.DATADEED_WITNESS_POLICY = witnessRun.policy;
    }
    const s = await composeSystem(loadConfig(env), { database, onWitnessError: () => {} });
    sys = s;
    const factory = new EntryFactory();
    let next = 0;
    let acks = 0;
    const followed: Promise<number | undefined>[] = [];
    // the acknowledgement is the sequencer's (COMMIT); a sample of them is followed to its cosigned checkpoint
    const sequencer = s.sequencer.sequencer;
    const measuring = { on: false };
    const cpu = await CpuMeter.create(database);
    const witnessCpu0: number[] = [];
    let witnessCpu = 0;
    const traced = new Proxy(sequencer, {
      get(target, prop, receiver) {
        if (prop !== 'append') return Reflect.get(target, prop, receiver);
        return async (entry: Uint8Array) => {
          const ack = await target.append(entry);
          if (withWitnesses && measuring.on && ++acks % sampleEvery === 0) {
            const t0 = performance.now();
            followed.push(s.cosigner!.awaitQuorum(ack.treeSize, 60_000).then((size) => (size !== undefined ? performance.now() - t0 : undefined)));
          }
          return ack;
        };
      },
    });
    const r = await closedLoop(
      traced,
      c,
      warmup,
      seconds,
      () => factory.make(next++),
      () => {
        measuring.on = true;
        cpu.start();
        witnesses.forEach((w, i) => (witnessCpu0[i] = procCpuMs(w.pid!) ?? 0));
      },
      () => {
        if (!measuring.on) return;
        measuring.on = false;
        cpu.stop();
        witnessCpu = witnesses.reduce((sum, w, i) => sum + ((procCpuMs(w.pid!) ?? 0) - witnessCpu0[i]!), 0);
      },
    );
    const used = await cpu.result();
    const lat = (await Promise.all(followed)).filter((x): x is number => x !== undefined);
    const per = (x: number) => x / Math.max(1, r.count);
    const result: Run = {
      rate: r.rate,
      cpu: { node: per(used.nodeMs), pg: used.pgMs === undefined ? undefined : per(used.pgMs), witnesses: per(witnessCpu) },
      p50: r.lat.p50,
      p99: r.lat.p99,
      followed: followed.length,
      ...(withWitnesses ? { cosigned: summarize(lat) } : {}),
    };
    latencies.set(result, lat);
    return result;
  } finally {
    await sys?.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const kinds = dbKinds(listKnob('BENCH_WITNESS_DBS', 'pglite,postgres'));
  const seconds = knob('BENCH_WITNESS_SECONDS', 8, 2);
  const warmup = knob('BENCH_WARMUP_SECONDS', 1, 0.5);
  const c = knob('BENCH_WITNESS_CONCURRENCY', 256);
  const sampleEvery = knob('BENCH_WITNESS_SAMPLE', 50, 20);
  const rounds = knob('BENCH_WITNESS_ROUNDS', 3, 1);
  note(`witnesses: ${c} appenders, ${seconds} s per run after ${warmup} s warm-up; checkpoints every 1 s; two witnesses as child processes, quorum both`);
  for (const kind of kinds) {
    if (kind === 'postgres' && !(await postgresReachable())) {
      line('witnesses postgres: SKIPPED (PostgreSQL not reachable)');
      continue;
    }
    // alternate runs without and with witnesses, so that load on the machine falls on both alike; medians compared
    const withouts: Run[] = [];
    const withs: Run[] = [];
    const wdir = mkdtempSync(path.join(tmpdir(), 'dd-bench-witnesses-'));
    const w = await startWitnesses(wdir, rounds);
    try {
      for (let i = 0; i < rounds; i++) {
        withouts.push(await oneRun(kind, undefined, c, warmup, seconds, sampleEvery, []));
        withs.push(await oneRun(kind, w.runs[i], c, warmup, seconds, sampleEvery, w.children));
      }
    } finally {
      for (const child of w.children) await stopWitness(child);
      rmSync(wdir, { recursive: true, force: true });
    }
    const median = (runs: Run[]) => [...runs].sort((a, b) => a.rate - b.rate)[Math.floor(runs.length / 2)]!;
    const without = median(withouts);
    const withW = median(withs);
    const ratio = withW.rate / without.rate;
    const us = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x * 1000)} µs`);
    const cpu = (r: Run) => `node ${us(r.cpu.node)}${r.cpu.pg !== undefined ? ` + postgres ${us(r.cpu.pg)}` : ''}${r.cpu.witnesses ? ` + witnesses ${us(r.cpu.witnesses)}` : ''}`;
    line(
      `witnesses ${kind} c=${c}: ${int(withW.rate)} acknowledged appends/s with two witnesses vs ${int(without.rate)}/s without = ${ratio.toFixed(2)}× ` +
        `(median of ${rounds} alternating runs each: ${withs.map((r) => int(r.rate)).join(', ')} vs ${withouts.map((r) => int(r.rate)).join(', ')}; ` +
        `ack p50 ${ms(withW.p50)} p99 ${ms(withW.p99)} vs ${ms(without.p50)} / ${ms(without.p99)}; CPU/append ${cpu(withW)} vs ${cpu(without)}) ${floor(`ratio ≥ ${RATIO_FLOOR}`, ratio >= RATIO_FLOOR)}`,
    );
    const cs = summarize(withs.flatMap((r) => (r.cosigned ? latencies.get(r) ?? [] : [])));
    line(
      `witnesses ${kind} commit→cosigned checkpoint: p50 ${ms(cs.p50)} p99 ${ms(cs.p99)} over ${cs.n} sampled appends` +
        ` (publication every 1 s + two witness round trips)`,
    );
  }
}

if (isMain(import.meta.url)) runMain(run);
