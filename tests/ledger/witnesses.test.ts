/**
 * The registry's side of C2SP tlog-witness (PGlite, or PostgreSQL with DATABASE_URL):
 * with DATADEED_WITNESS_POLICY every published checkpoint goes to every witness of the
 * policy — two in this process, one a `datadeed witness serve` child process — the
 * cosignatures come back, are stored and served on `/checkpoint` once the quorum is
 * met; a witness whose answer was lost and which then went down is retried, shown
 * failing in /readyz, never holds up appends, and on coming back catches up through a
 * 409 and a consistency proof. Cosignature lines are checked by the independent
 * checker written from the C2SP text (tests/witness/c2sp_cosignature_check.py).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { get } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { parseCheckpoint, utf8 } from '../../src/ledger/index.ts';
import { evaluatePolicy, parsePolicy, splitNote } from '../../src/witness/index.ts';
import { nodeEd25519Verify } from '../../src/witness/node/index.ts';
import type { RunningWitness } from '../../src/witness/node/index.ts';
import {
  childWitness,
  initTrustingWitness,
  inProcessWitness,
  NOTARY_ORIGIN,
  registryDir,
  removeDir,
  startRegistry,
  stopChild,
  until,
  writePolicy,
  type NotaryRegistry,
} from '../helpers/notary.ts';

const CHECKER = new URL('../witness/c2sp_cosignature_check.py', import.meta.url).pathname;

function independentCheck(vkey: string, note: string): { lineFound: boolean; verified: boolean; vkeyKeyIdMatches: boolean } {
  const r = spawnSync('python3', [CHECKER], { input: JSON.stringify({ vkey, note }), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const { dir, logKey } = registryDir();
let a: RunningWitness;
let b: RunningWitness;
let c: { child: ChildProcess; url: string; port: number };
const vkeys: Record<string, string> = {};
let sys: NotaryRegistry;
let app: ReturnType<typeof createApp>;
/** What the registry's HTTP client saw from witness c: statuses in order. */
const seenFromC: number[] = [];
/** While set, c's answers are lost after c handled the request (the registry sees an error). */
let loseAnswersOfC = false;

beforeAll(async () => {
  for (const n of ['a', 'b', 'c']) {
    mkdirSync(path.join(dir, n));
    vkeys[n] = await initTrustingWitness(path.join(dir, n, 'data'), `notary-${n}.example/witness`, logKey.vkey);
  }
  a = await inProcessWitness(path.join(dir, 'a', 'data'));
  b = await inProcessWitness(path.join(dir, 'b', 'data'));
  c = await childWitness(path.join(dir, 'c', 'data'));
  const policy = writePolicy(
    dir,
    `# the registry and 2 of its 3 notaries\nlog ${logKey.vkey}\nwitness a ${vkeys.a} ${a.url}\nwitness b ${vkeys.b} ${b.url}\nwitness c ${vkeys.c} ${c.url}\ngroup notaries 2 a b c\nquorum notaries\n`,
  );
  const fetchSpy: typeof fetch = async (input, init) => {
    const url = String(input);
    const res = await fetch(input, init);
    if (url.startsWith(c.url)) {
      seenFromC.push(res.status);
      if (loseAnswersOfC) {
        await res.arrayBuffer();
        throw new TypeError('fetch failed: the connection was reset (test)');
      }
    }
    return res;
  };
  sys = await startRegistry(dir, { DATADEED_WITNESS_POLICY: policy }, { fetch: fetchSpy });
  app = createApp(sys.services);
}, 300_000);

afterAll(async () => {
  await sys?.close();
  await a?.close();
  await b?.close();
  if (c) await stopChild(c.child);
  removeDir(dir);
});

/**
 * GET on a connection of its own: the global fetch's pool holds kept-alive connections to
 * the witness from the registry's submissions, and one the witness closed at its
 * keep-alive timeout while the loaded test process was late to drop it was reset (CI).
 */
const getFresh = (url: string) =>
  new Promise<string>((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });

const append = (n: number, tag: string) => Promise.all(Array.from({ length: n }, (_, i) => sys.appendEvent({ kind: 'test.event', n: i, tag } as never)));
const served = async () => (await app.request('/checkpoint')).text();

describe('registry witnesses', { timeout: 300_000 }, () => {
  it('sends each published checkpoint to every witness and serves it with the cosignatures once the quorum is met', async () => {
    await append(5, 'first');
    const cp = (await sys.publisher.publish())!;
    await until(() => sys.services.log.witnessStatus().every((w) => w.size === cp.size), 'three cosignatures');
    const note = await served();
    expect(parseCheckpoint(splitNote(note)!.text).size).toBe(cp.size);
    for (const n of ['a', 'b', 'c']) expect(independentCheck(vkeys[n]!, note)).toMatchObject({ vkeyKeyIdMatches: true, lineFound: true, verified: true });
    const verdict = await evaluatePolicy(note, parsePolicy(`log ${logKey.vkey}\nwitness a ${vkeys.a}\nwitness b ${vkeys.b}\nwitness c ${vkeys.c}\ngroup g all a b c\nquorum g\n`), nodeEd25519Verify);
    expect(verdict.ok).toBe(true);
    // the witness's own monitoring endpoint agrees
    const monitored = await getFresh(`${a.url}/${Buffer.from(await crypto.subtle.digest('SHA-256', utf8(NOTARY_ORIGIN))).toString('hex')}/checkpoint`);
    expect(splitNote(monitored)!.text).toBe(splitNote(note)!.text);

    const ready = await (await app.request('/readyz')).json();
    expect(ready.status).toBe('ready');
    expect(ready.witnesses.map((w: { name: string; size: number; failures: number }) => [w.name, w.size, w.failures])).toEqual([
      ['a', cp.size, 0],
      ['b', cp.size, 0],
      ['c', cp.size, 0],
    ]);
    expect(ready.witnesses.every((w: { lastSuccessAt?: string }) => typeof w.lastSuccessAt === 'string')).toBe(true);
  });

  it('serves its trust policy, and names the witnesses that cosigned an entry’s checkpoint with their times (pages and PDFs)', async () => {
    const text = await (await app.request('/v1/trust-policy')).text();
    const policy = parsePolicy(text);
    expect(policy.witnesses.map((w) => [w.name, w.vkey])).toEqual([
      ['a', vkeys.a],
      ['b', vkeys.b],
      ['c', vkeys.c],
    ]);
    expect(policy.logs.map((l) => l.vkey)).toEqual([logKey.vkey]);
    const [entry] = await append(1, 'named');
    const cp = (await sys.publisher.publish())!;
    await until(() => sys.services.log.witnessStatus().every((w) => w.size === cp.size), 'three cosignatures');
    const { attestersOf, attestedByLines } = await import('../../src/api/attesters.ts');
    const who = await attestersOf(sys.services, entry!.index, undefined);
    expect(who.checkpointSize).toBe(cp.size);
    expect(who.witnesses.map((w) => w.name)).toEqual(['a', 'b', 'c']);
    for (const w of who.witnesses) expect(w.time.getUTCFullYear()).toBeGreaterThanOrEqual(2025);
    const lines = attestedByLines(who, 'Asia/Shanghai');
    for (const n of ['a', 'b', 'c']) expect(lines.witnesses).toContain(`notary-${n}.example/witness`);
  });

  it('a witness down never holds up appends; the quorum of the others still advances /checkpoint; back, it catches up through a 409', async () => {
    // c cosigns the next checkpoint, but its answer never reaches the registry …
    loseAnswersOfC = true;
    await append(3, 'lost answer');
    const lost = (await sys.publisher.publish())!;
    await until(() => sys.services.log.witnessStatus().find((w) => w.name === 'c')!.failures > 0, 'the lost answer');
    loseAnswersOfC = false;
    // … then c goes down
    await stopChild(c.child);
    const ack = await append(4, 'while c is down'); // acknowledged at commit, witnesses or not
    expect(ack.at(-1)!.index).toBeGreaterThanOrEqual(lost.size);
    const down = (await sys.publisher.publish())!;
    await until(() => sys.services.log.witnessStatus().filter((w) => w.name !== 'c').every((w) => w.size === down.size), 'a and b');
    await until(async () => parseCheckpoint(splitNote(await served())!.text).size === down.size, '/checkpoint at the quorum of a and b');
    const status = sys.services.log.witnessStatus().find((w) => w.name === 'c')!;
    expect(status.size).toBeLessThan(lost.size); // the registry never learnt that c cosigned `lost`
    expect(status.failures).toBeGreaterThan(0);
    expect(status.lastError).toBeTruthy();
    const ready = await (await app.request('/readyz')).json();
    expect(ready.status).toBe('ready');
    expect(ready.witnesses.find((w: { name: string }) => w.name === 'c').lastError).toBeTruthy();
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(/^datadeed_witnesses_failing 1$/m);

    // c comes back on its port with its state: the registry's old size is stale → 409 → proof from c's size
    const before = seenFromC.length;
    c = await childWitness(path.join(dir, 'c', 'data'), c.port);
    await until(() => sys.services.log.witnessStatus().find((w) => w.name === 'c')!.size === down.size, 'c to catch up');
    expect(seenFromC.slice(before)).toContain(409);
    expect(seenFromC.at(-1)).toBe(200);
    const cBack = sys.services.log.witnessStatus().find((w) => w.name === 'c')!;
    expect(cBack.failures).toBe(0);
    expect(cBack.lastError).toBeUndefined();
    expect(independentCheck(vkeys.c!, await served())).toMatchObject({ lineFound: true, verified: true });
  });

  it('remembers each witness across a restart (log_witness_state) and serves the quorum checkpoint it found', async () => {
    const before = await served();
    const states = await sys.store.witnessStates();
    expect(states.map((s) => s.size)).toEqual(sys.services.log.witnessStatus().map((w) => w.size));
    const { WitnessCosigner, registryPolicy } = await import('../../src/ledger/pg/index.ts');
    const policy = registryPolicy(sys.config.witnessPolicy!.policy, logKey.vkey);
    const again = await WitnessCosigner.open({ store: sys.store, policy, verify: nodeEd25519Verify });
    expect((await again.quorumCheckpoint())!.note).toBe(before);
    expect(again.status().map((w) => w.size)).toEqual(states.map((s) => s.size));
    await again.close();
  });
});

describe('registryPolicy', () => {
  it('refuses a policy whose logs do not include the registry key', async () => {
    const { registryPolicy } = await import('../../src/ledger/pg/index.ts');
    const other = registryDir();
    try {
      const p = parsePolicy(`log ${other.logKey.vkey}\nquorum none\n`);
      expect(() => registryPolicy(p, logKey.vkey)).toThrow(/do not include this registry's key/);
      expect(registryPolicy(parsePolicy('quorum none\n'), logKey.vkey).logs.map((l) => l.vkey)).toEqual([logKey.vkey]);
    } finally {
      removeDir(other.dir);
    }
  });
});
