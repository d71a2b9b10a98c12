/**
 * The witness service over HTTP (hono app, in process) on its own embedded database:
 * C2SP tlog-witness status codes and bodies, the monitoring endpoint, evidence for an
 * investigator, persistence across a restart, rollback and fork refusal, concurrent
 * requests for one log, and two witnesses cosigning for one log (one restarted, caught
 * up by a 409 and a consistency proof).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519Verifier, openNote, parseCheckpoint, toBase64 } from '../../src/ledger/index.ts';
import { Witness, evaluatePolicy, originHash, parsePolicy, requestCosignature, splitNote, verifyCosignature, type CosignerKey } from '../../src/witness/index.ts';
import { createWitnessApp } from '../../src/witness/http/app.ts';
import { initWitness, openWitness } from '../../src/witness/node/datadir.ts';
import { createWitnessKeyFile } from '../../src/witness/node/keyfile.ts';
import { nodeEd25519Verify } from '../../src/witness/node/ed25519.ts';
import { startWitnessServer } from '../../src/witness/node/serve.ts';
import type { PgliteWitnessStore } from '../../src/witness/pg/store.ts';
import { LOG, ORIGIN, TestLog, requestBody, verify } from './fixtures.ts';

interface Running {
  dir: string;
  key: CosignerKey;
  vkey: string;
  store: PgliteWitnessStore;
  app: ReturnType<typeof createWitnessApp>;
  post(body: string | Uint8Array): Promise<Response>;
  get(p: string): Promise<Response>;
  fetch: (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string }) => Promise<Response>;
}

const root = mkdtempSync(path.join(tmpdir(), 'datadeed-witness-'));

async function open(dir: string): Promise<Running> {
  const { key, store } = await openWitness(dir);
  const witness = new Witness({ store, cosigners: [key.cosigner], verify: nodeEd25519Verify });
  const app = createWitnessApp({ witness, identity: { name: key.name, vkey: key.vkey } });
  const r: Running = {
    dir,
    key: { name: key.name, keyId: key.keyId, publicKey: key.publicKey },
    vkey: key.vkey,
    store,
    app,
    post: async (body) => app.request('/add-checkpoint', { method: 'POST', body: body as BodyInit }),
    get: async (p) => app.request(p),
    fetch: async (url, init) => app.request(new URL(url).pathname, init),
  };
  return r;
}

async function create(name: string, origins: [string, string][] = [[ORIGIN, LOG.vkey]]): Promise<Running> {
  const dir = path.join(root, name);
  await initWitness(dir, `notary.test/${name}`);
  const { store } = await openWitness(dir);
  for (const [o, k] of origins) await store.addTrustedLog(o, k);
  await store.close();
  return open(dir);
}

async function restart(w: Running): Promise<Running> {
  await w.store.close();
  return open(w.dir);
}

let A: Running;
let B: Running;

// Creating an embedded database takes seconds, more on a loaded machine: generous bounds.
beforeAll(async () => {
  [A, B] = await Promise.all([create('a'), create('b')]);
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([A?.store.close(), B?.store.close()]);
  rmSync(root, { recursive: true, force: true });
});

async function problemCode(res: Response): Promise<string> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return ((await res.json()) as { code: string }).code;
}

describe('one witness over HTTP', { timeout: 300_000 }, () => {
  const log = new TestLog().append(10);

  it('cosigns, and serves the cosigned checkpoint at GET /<sha256(origin)>/checkpoint', async () => {
    const cp = await log.checkpoint();
    expect((await A.get(`/${originHash(ORIGIN)}/checkpoint`)).status).toBe(404);
    const res = await A.post(requestBody(0, [], cp));
    expect(res.status).toBe(200);
    const line = await res.text();
    expect(await verifyCosignature(cp + line, A.key, verify)).toMatchObject({ status: 'valid' });

    const mon = await A.get(`/${originHash(ORIGIN)}/checkpoint`);
    expect(mon.status).toBe(200);
    const note = await mon.text();
    expect(note).toBe(cp + line); // the log's signature the witness verified, and its own cosignature
    await expect(openNote(note, [ed25519Verifier(LOG.vkey)])).resolves.toBeTruthy();
    // the path is the lowercase hex SHA-256 of the origin; nothing else matches
    expect(originHash(ORIGIN)).toBe(createHash('sha256').update(ORIGIN).digest('hex'));
    expect((await A.get(`/${originHash(ORIGIN).toUpperCase()}/checkpoint`)).status).toBe(404);
    expect((await A.get(`/${originHash('unknown.origin')}/checkpoint`)).status).toBe(404);
  });

  it('answers each refusal with the status of the spec', async () => {
    const cp = await log.checkpoint();
    const stranger = new TestLog('unknown.origin', [LOG.signer]).append(3);

    const r404 = await A.post(requestBody(0, [], await stranger.checkpoint()));
    expect([r404.status, await problemCode(r404)]).toEqual([404, 'unknown_origin']);

    const r403 = await A.post(requestBody(10, [], `${log.body()}\n${splitNote(await new TestLog().append(11).checkpoint())!.signatures[0]!.line}\n`));
    expect([r403.status, await problemCode(r403)]).toEqual([403, 'unverified_checkpoint']);

    const r400 = await A.post(requestBody(11, [], cp));
    expect([r400.status, await problemCode(r400)]).toEqual([400, 'old_size_too_large']);
    const r400b = await A.post('old 0\nnot a request');
    expect([r400b.status, await problemCode(r400b)]).toEqual([400, 'malformed_request']);
    const r400c = await A.post(new Uint8Array([0x6f, 0x6c, 0x64, 0xff, 0x0a]));
    expect(r400c.status).toBe(400);

    const r409 = await A.post(requestBody(3, log.consistencyProof(3), cp));
    expect([r409.status, r409.headers.get('content-type'), await r409.text()]).toEqual([409, 'text/x.tlog.size', '10\n']);

    const grown = new TestLog().append(12);
    const bad = grown.consistencyProof(10).map((h) => h.slice());
    bad[0]![0]! ^= 1;
    const r422 = await A.post(requestBody(10, bad, await grown.checkpoint()));
    expect([r422.status, await problemCode(r422)]).toEqual([422, 'inconsistent']);

    const r413 = await A.post(`old 0\n\n${cp}${'x'.repeat(70_000)}`);
    expect([r413.status, await problemCode(r413)]).toEqual([413, 'request_too_large']);

    const r405 = await A.get('/add-checkpoint');
    expect([r405.status, r405.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('refuses a rollback', async () => {
    const older = await log.checkpoint(4);
    const a = await A.post(requestBody(4, [], older));
    expect([a.status, await a.text()]).toEqual([409, '10\n']);
    expect((await A.post(requestBody(10, [], older))).status).toBe(400);
    expect((await A.post(requestBody(0, [], older))).status).toBe(409);
    expect(parseCheckpoint(splitNote(await (await A.get(`/${originHash(ORIGIN)}/checkpoint`)).text())!.text).size).toBe(10);
  });

  it('refuses a fork (same key and origin, other entries) and keeps both signed checkpoints for an investigator', async () => {
    const fork = log.forkAt(6).append(4); // size 10, entries 6..9 differ
    const forkCp = await fork.checkpoint();
    const body = requestBody(10, [], forkCp);
    const res = await A.post(body);
    expect([res.status, await problemCode(res)]).toEqual([422, 'fork']);
    expect((await A.post(body)).status).toBe(422); // submitted twice, kept once

    const list = (await (await A.get('/evidence')).json()) as { evidence: { id: number; kind: string; origin: string; originHash: string }[] };
    const forks = list.evidence.filter((e) => e.kind === 'fork');
    expect(forks).toHaveLength(1);
    expect(forks[0]).toMatchObject({ origin: ORIGIN, originHash: originHash(ORIGIN) });
    const item = (await (await A.get(`/evidence/${forks[0]!.id}`)).json()) as { submitted: string; cosigned: string; kind: string; receivedAt: string };
    expect(item.submitted).toBe(body);
    expect(item.cosigned).toBe(await (await A.get(`/${originHash(ORIGIN)}/checkpoint`)).text());
    // two checkpoints of one size, each validly signed by the log's key, with different roots: proof of a fork
    const verifier = ed25519Verifier(LOG.vkey);
    const ours = parseCheckpoint((await openNote(item.cosigned, [verifier])).text);
    const theirs = parseCheckpoint((await openNote(item.submitted.slice(item.submitted.indexOf('\n\n') + 2), [verifier])).text);
    expect(ours.size).toBe(theirs.size);
    expect(toBase64(ours.rootHash)).not.toBe(toBase64(theirs.rootHash));
    // the witness keeps cosigning the honest log
    expect((await A.post(requestBody(10, [], await log.checkpoint()))).status).toBe(200);

    expect((await A.get('/evidence/999999')).status).toBe(404);
    expect((await A.get('/evidence?limit=1000')).status).toBe(400);
  });

  it('keeps its state across a restart', async () => {
    A = await restart(A);
    const before = await (await A.get(`/${originHash(ORIGIN)}/checkpoint`)).text();
    expect(parseCheckpoint(splitNote(before)!.text).size).toBe(10);
    log.append(5);
    const r409 = await A.post(requestBody(0, [], await log.checkpoint()));
    expect(await r409.text()).toBe('10\n');
    const ok = await A.post(requestBody(10, log.consistencyProof(10), await log.checkpoint()));
    expect(ok.status).toBe(200);
    // the fork is still refused after the restart, and the evidence is still there
    const evidence = (await (await A.get('/evidence')).json()) as { evidence: unknown[] };
    expect(evidence.evidence.length).toBeGreaterThanOrEqual(2);
  });

  it('serialises concurrent requests for one log: one cosignature per size, never two roots', async () => {
    const base = log.size; // 15, cosigned
    const honest = new TestLog().append(base + 20);
    const fork = honest.forkAt(base).append(20);
    const attempts: Promise<{ who: string; size: number; status: number }>[] = [];
    for (let s = base + 1; s <= base + 20; s++) {
      for (const [who, l] of [['honest', honest], ['fork', fork]] as const) {
        attempts.push(
          (async () => {
            const res = await A.post(requestBody(base, l.consistencyProof(base, s), await l.checkpoint(s)));
            return { who, size: s, status: res.status };
          })(),
        );
      }
    }
    const results = await Promise.all(attempts);
    const accepted = results.filter((r) => r.status === 200);
    expect(accepted).toHaveLength(1); // every other one found the witness moved on (409)
    expect(results.filter((r) => r.status !== 200).every((r) => r.status === 409)).toBe(true);
    const winner = accepted[0]!;
    const winnerLog = winner.who === 'honest' ? honest : fork;
    const loser = winner.who === 'honest' ? fork : honest;
    // the other history at the same size is now a fork
    expect((await A.post(requestBody(winner.size, [], await loser.checkpoint(winner.size)))).status).toBe(422);
    const mon = parseCheckpoint(splitNote(await (await A.get(`/${originHash(ORIGIN)}/checkpoint`)).text())!.text);
    expect([mon.size, toBase64(mon.rootHash)]).toEqual([winner.size, toBase64(winnerLog.root(winner.size))]);
  });

  it('refuses to serve or re-initialise its directory twice, and refuses a database without its key', async () => {
    await expect(openWitness(A.dir)).rejects.toMatchObject({ code: 'busy' });
    await expect(initWitness(A.dir, 'notary.test/again')).rejects.toMatchObject({ code: 'key_exists' });
    // a key whose database is gone (lost, or never created): the witness would forget what it cosigned
    const lost = path.join(root, 'lost');
    createWitnessKeyFile(path.join(lost, 'witness.key'), 'notary.test/lost');
    await expect(openWitness(lost)).rejects.toMatchObject({ code: 'not_initialised' });
  });
});

describe('two witnesses for one log', { timeout: 300_000 }, () => {
  it('both cosign; one restarted and asked from a stale size catches up through a 409 and a consistency proof; the note meets "log + 2 of 2"', async () => {
    const log = new TestLog(ORIGIN, [LOG.signer], 'two').append(5);
    // A already holds another history of ORIGIN from the tests above: use B and a fresh witness C.
    const C = await create('c');
    try {
      const ask = (w: Running, oldSize: number) =>
        log.checkpoint().then((checkpoint) =>
          requestCosignature({
            url: 'http://witness.invalid',
            checkpoint,
            size: log.size,
            oldSize,
            consistencyProof: (a, b) => log.consistencyProof(a, b),
            cosigners: [w.key],
            verify,
            fetch: w.fetch,
          }),
        );
      await Promise.all([ask(B, 0), ask(C, 0)]);
      // C goes down; the log grows; C comes back and the log, having lost track, asks from 0
      await C.store.close();
      log.append(40);
      const b = await ask(B, 5);
      const C2 = await open(C.dir);
      Object.assign(C, C2);
      const c = await ask(C, 0);
      expect([b.resynchronised, c.resynchronised]).toEqual([false, true]);

      // one note with both cosignatures
      const cs = splitNote(c.note)!.signatures.at(-1)!.line;
      const note = `${b.note}${cs}\n`;
      const policy = parsePolicy(`log ${LOG.vkey}\nwitness fuzhou ${B.vkey}\nwitness xiamen ${C.vkey}\ngroup both all fuzhou xiamen\nquorum both\n`);
      const r = await evaluatePolicy(note, policy, verify);
      expect([r.ok, r.signed.map((s) => s.witness)]).toEqual([true, ['fuzhou', 'xiamen']]);
      const onlyB = await evaluatePolicy(b.note, policy, verify);
      expect([onlyB.ok, onlyB.failure, onlyB.missing]).toEqual([false, 'quorum_not_met', ['xiamen']]);
    } finally {
      await C.store.close();
    }
  });
});

describe('the node server', { timeout: 300_000 }, () => {
  it('serves the same protocol over a real socket', async () => {
    await B.store.close();
    const running = await startWitnessServer({ dataDir: B.dir, port: 0, host: '127.0.0.1' });
    try {
      const info = (await (await fetch(`${running.url}/`)).json()) as { name: string; vkey: string; logs: { origin: string; originHash: string }[] };
      expect(info).toMatchObject({ name: 'notary.test/b', vkey: B.vkey, logs: [{ origin: ORIGIN, originHash: originHash(ORIGIN) }] });
      const res = await fetch(`${running.url}/add-checkpoint`, { method: 'POST', body: requestBody(0, [], await new TestLog().append(1).checkpoint()) });
      expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([409, 'text/x.tlog.size', '45\n']);
      expect((await fetch(`${running.url}/${originHash(ORIGIN)}/checkpoint`)).status).toBe(200);
    } finally {
      await running.close();
      B = await open(B.dir);
    }
  });
});
