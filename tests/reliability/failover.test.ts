/**
 * Reliability (issue 20): the topology of scripts/cluster.sh — two `datadeed serve`
 * instances on one PostgreSQL database and a notary witness — under 64 clients
 * depositing through both instances. The holder of the sequencer is killed with
 * SIGKILL mid-load and restarted; then one instance is stopped (SIGSTOP) for 20 s and
 * the other keeps acknowledging within 5 s. Afterwards every acknowledged deposit is in
 * the log exactly once, no two checkpoints of one size differ, and `datadeed audit`
 * passes. A misconfigured third instance (another key, another origin) refuses to start
 * and writes nothing. The figures go to .tmp/reliability/failover.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/cluster.sh');
const CLIENTS = Number(process.env.RELIABILITY_CLIENTS ?? 64);
const STOP_SECONDS = Number(process.env.RELIABILITY_STOP_SECONDS ?? 20);
const OUT = path.join(ROOT, '.tmp/reliability');

let dir: string;
let env: Record<string, string>;
let token: string;

function cluster(...args: string[]) {
  const r = spawnSync('bash', [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } });
  if (r.status !== 0) throw new Error(`cluster.sh ${args.join(' ')} failed (${r.status}): ${r.stderr}\n${logs()}`);
  return r.stdout;
}
function logs(): string {
  return ['a', 'b', 'witness'].map((n) => {
    try {
      return `--- ${n}.log\n` + readFileSync(path.join(dir, `${n}.log`), 'utf8').slice(-3000);
    } catch {
      return '';
    }
  }).join('\n');
}
const pid = (name: string) => Number(readFileSync(path.join(dir, `${name}.pid`), 'utf8').trim());
const url = (name: 'a' | 'b') => `http://127.0.0.1:${name === 'a' ? env.PORT_A : env.PORT_B}`;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dd-cluster-'));
  cluster('up', dir);
  env = Object.fromEntries(
    readFileSync(path.join(dir, 'cluster.env'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const creds = JSON.parse(readFileSync(path.join(dir, 'registry/demo-credentials.json'), 'utf8')) as { accounts: { role: string; token: string }[] };
  token = creds.accounts.find((a) => a.role === 'applicant')!.token;
}, 180_000);

afterAll(() => {
  if (!dir) return;
  try {
    cluster('down', dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

interface Ack {
  digest: string;
  logIndex: number;
  at: number;
  via: 'a' | 'b';
}

describe('two instances on one PostgreSQL database', () => {
  it('fail-over under load: nothing acknowledged is lost or duplicated, no fork, audit passes', async () => {
    const acks = new Map<string, Ack>();
    const down = new Set<'a' | 'b'>();
    let tried = 0;
    let serverErrors = 0;
    let running = true;

    async function deposit(digest: string, prefer: 'a' | 'b'): Promise<void> {
      for (let attempt = 0; running || attempt === 0; attempt++) {
        const via: 'a' | 'b' = down.has(prefer) || attempt % 2 === 1 ? (prefer === 'a' ? 'b' : 'a') : prefer;
        tried++;
        try {
          const res = await fetch(`${url(via)}/v1/evidence`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ items: [{ digest, kind: 'file', title: `reliability ${digest.slice(0, 8)}` }] }),
            signal: AbortSignal.timeout(15_000),
          });
          if (res.status >= 500) serverErrors++;
          if (res.status === 200 || res.status === 201) {
            const body = (await res.json()) as { items: { digest: string; logIndex: number }[] };
            const item = body.items[0]!;
            const seen = acks.get(digest);
            // a retried digest answers the deposit it already has: same index
            if (seen) expect(item.logIndex).toBe(seen.logIndex);
            else acks.set(digest, { digest, logIndex: item.logIndex, at: performance.now(), via });
            return;
          }
          await res.arrayBuffer();
          if (res.status !== 503 && res.status < 500) throw new Error(`deposit refused: ${res.status}`);
        } catch (err) {
          if ((err as Error).message?.startsWith('deposit refused')) throw err;
          // connection refused or reset, or no answer in 15 s: the other instance
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      const prefer = c % 2 === 0 ? 'a' : 'b';
      while (running) await deposit(randomBytes(32).toString('hex'), prefer);
    });

    const since = (t: number, via?: 'a' | 'b') => [...acks.values()].filter((a) => a.at >= t && (!via || a.via === via));
    /** The longest time without an acknowledgement (by `via`, if given) in [from, to]. */
    const longestGap = (from: number, to: number, via?: 'a' | 'b') => {
      const times = since(from, via)
        .map((a) => a.at)
        .filter((t) => t <= to)
        .sort((x, y) => x - y);
      let gap = 0;
      let prev = from;
      for (const t of [...times, to]) {
        gap = Math.max(gap, t - prev);
        prev = t;
      }
      return gap;
    };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let killedAt = 0;
    let failoverMs = Infinity;
    let killGap = Infinity;
    let stopGap = Infinity;

    // the clients stop whatever happens below, so a failure leaves nothing writing
    const stopClients = async () => {
      running = false;
      await Promise.all(clients);
    };
    try {
    await sleep(5000);
    expect(since(0).length).toBeGreaterThan(0);

    // 1. SIGKILL instance a mid-load; b keeps acknowledging; a comes back
    killedAt = performance.now();
    process.kill(pid('a'), 'SIGKILL');
    down.add('a');
    await sleep(3000);
    failoverMs = (since(killedAt, 'b').sort((x, y) => x.at - y.at)[0]?.at ?? Infinity) - killedAt;
    killGap = longestGap(killedAt, performance.now(), 'b');
    cluster('start', dir, 'a');
    down.delete('a');
    await sleep(2000);
    expect(since(performance.now() - 2000, 'a').length).toBeGreaterThan(0);

    // 2. SIGSTOP instance a (it may hold the sequencer's lock) for 20 s: b acknowledges within 5 s throughout
    const stoppedAt = performance.now();
    process.kill(pid('a'), 'SIGSTOP');
    down.add('a');
    await sleep(STOP_SECONDS * 1000);
    stopGap = longestGap(stoppedAt, performance.now(), 'b');
    process.kill(pid('a'), 'SIGCONT');
    down.delete('a');
    await sleep(3000);
    } finally {
      await stopClients();
    }

    // 3. the log and the tables
    const sql = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    let entriesPerDigest: Map<string, number>;
    let forks: readonly unknown[];
    let treeSize: number;
    try {
      const rows = await sql<{ idx: string; data: Buffer }[]>`select idx, data from log_entries order by idx`;
      treeSize = rows.length;
      entriesPerDigest = new Map();
      for (const r of rows) {
        const e = JSON.parse(r.data.toString('utf8')) as { kind: string; digest?: string };
        if (e.kind === 'evidence.deposited' && e.digest) entriesPerDigest.set(e.digest, (entriesPerDigest.get(e.digest) ?? 0) + 1);
      }
      forks = await sql`select tree_size from log_checkpoints group by tree_size having count(distinct root_hash) > 1`;
      for (const a of acks.values()) {
        const [row] = await sql<{ data: Buffer }[]>`select data from log_entries where idx = ${a.logIndex}`;
        expect(row, `acknowledged index ${a.logIndex}`).toBeDefined();
        expect(JSON.parse(row!.data.toString('utf8')).digest).toBe(a.digest);
      }
    } finally {
      await sql.end();
    }
    const lost = [...acks.keys()].filter((d) => !entriesPerDigest.has(d)).length;
    const duplicated = [...entriesPerDigest.values()].filter((n) => n > 1).length;

    const audit = spawnSync('node', ['bin/datadeed.mjs', 'audit'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: env.DATABASE_URL, DATADEED_DATA_DIR: path.join(dir, 'registry'), DATADEED_ORIGIN: env.ORIGIN },
    });

    const summary = {
      clients: CLIENTS,
      acknowledged: acks.size,
      lost,
      duplicated,
      requestsTried: tried,
      serverErrors,
      failoverMs: Math.round(failoverMs),
      longestGapAfterKillMs: Math.round(killGap),
      longestGapWhileStoppedMs: Math.round(stopGap),
      stopSeconds: STOP_SECONDS,
      treeSize: treeSize!,
      forkedSizes: forks!.length,
      audit: audit.status,
    };
    mkdirSync(OUT, { recursive: true });
    writeFileSync(path.join(OUT, 'failover.json'), JSON.stringify(summary, null, 2) + '\n');
    console.log(
      `reliability failover: ${summary.acknowledged} appends acknowledged, ${lost} lost, ${duplicated} duplicated; fail-over ${summary.failoverMs} ms, ` +
        `longest gap after SIGKILL ${summary.longestGapAfterKillMs} ms, while one instance was stopped ${summary.longestGapWhileStoppedMs} ms; ` +
        `${tried} requests tried, ${serverErrors} 5xx; forked sizes ${summary.forkedSizes}; audit exit ${audit.status}`,
    );

    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(forks!).toEqual([]);
    expect(stopGap).toBeLessThanOrEqual(5000);
    expect(audit.stderr).toBe('');
    expect(audit.status, audit.stdout).toBe(0);
  }, 240_000);

  it('a misconfigured instance (another key, another origin) refuses to start and writes nothing', async () => {
    const sql = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const state = async () => {
      const [row] = await sql<{ n: string }[]>`select count(*) as n from log_entries`;
      const n = row!.n;
      const cps = await sql<{ tree_size: string; root_hash: Buffer }[]>`select tree_size, root_hash from log_checkpoints order by tree_size`;
      return { entries: Number(n), checkpoints: cps.map((c) => `${c.tree_size}:${c.root_hash.toString('hex')}`) };
    };
    try {
      const before = await state();
      const other = mkdtempSync(path.join(tmpdir(), 'dd-other-'));
      const run = (extra: Record<string, string>) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn('node', ['bin/datadeed.mjs', 'serve'], {
            cwd: ROOT,
            env: { ...process.env, DATABASE_URL: env.DATABASE_URL, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATADEED_ORIGIN: env.ORIGIN, ...extra },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (out += d));
          const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
          child.on('exit', (code) => {
            clearTimeout(timer);
            resolve({ code, out });
          });
        });
      try {
        // another data directory: a key the log has never seen
        const otherKey = await run({ DATADEED_DATA_DIR: other });
        expect(otherKey.code, otherKey.out).not.toBe(0);
        expect(otherKey.out).not.toMatch(/DataDeed serving/);
        // the right keys under another origin
        const otherOrigin = await run({ DATADEED_DATA_DIR: path.join(dir, 'registry'), DATADEED_ORIGIN: 'elsewhere.datadeed.localhost/log' });
        expect(otherOrigin.code, otherOrigin.out).not.toBe(0);
        expect(otherOrigin.out).not.toMatch(/DataDeed serving/);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
      expect(await state()).toEqual(before);
    } finally {
      await sql.end();
    }
  }, 180_000);
});
