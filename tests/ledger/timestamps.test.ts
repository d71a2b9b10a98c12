/**
 * RFC 3161 trusted time (PGlite, or PostgreSQL with DATABASE_URL): with DATADEED_TSA_URL
 * the registry obtains a time-stamp token over published checkpoints — at most one
 * request per interval — from a TSA we did not write (`openssl ts -reply` behind a
 * small HTTP wrapper), stores it and carries it in receipts; `openssl ts -verify`
 * accepts the stored token for the checkpoint body; our verifier accepts it against
 * the TSA's root and fails — naming why — a token over another checkpoint, a tampered
 * token and a TSA of an untrusted root; `datadeed verify --tsa-roots` likewise.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { verifyBundle, type TrustedKeys } from '../../src/certificates/index.ts';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { checkpointTimestampMessage, fromBase64, pemCertificates, toBase64 } from '../../src/ledger/index.ts';
import { nodeSignatureVerify } from '../../src/ledger/node/index.ts';
import type { TestContext } from '../helpers/context.ts';
import { registryDir, removeDir, ROOT, startRegistry, until, type NotaryRegistry } from '../helpers/notary.ts';
import { makeActor, type Actor } from '../helpers/registry.ts';
import { makeTsaCertificates, startTestTsa, type TestTsa } from '../helpers/tsa.ts';

const INTERVAL_MS = 1000;
const { dir, logKey } = registryDir();
let tsa: TestTsa;
let sys: NotaryRegistry;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let tsaCalls = 0;
/** While set, requests to the TSA wait for it (a TSA that has not answered yet). */
let tsaGate: Promise<void> | undefined;
const otherCa = mkdtempSync(path.join(tmpdir(), 'datadeed-other-ca-'));

const trust: TrustedKeys = { logKeys: [logKey.vkey], certificateKeys: [] };
const roots = () => pemCertificates(tsa.caPem);

async function deposit(digest: string): Promise<string> {
  const res = await app.request('/v1/evidence', {
    method: 'POST',
    headers: { ...applicant.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ digest, kind: 'file', title: 'time-stamped file' }] }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { items: { id: string }[] }).items[0]!.id;
}

const receipt = async (id: string) => (await app.request(`/v1/evidence/${id}/receipt`)).json() as Promise<{ checkpoint: string; timestamp?: string; inclusion: { treeSize: number } }>;

function opensslVerify(body: Uint8Array, token: Uint8Array, caFile: string): { status: number | null; out: string } {
  const d = mkdtempSync(path.join(tmpdir(), 'datadeed-tsverify-'));
  writeFileSync(path.join(d, 'body'), body);
  writeFileSync(path.join(d, 'token.der'), token);
  const r = spawnSync('openssl', ['ts', '-verify', '-data', path.join(d, 'body'), '-in', path.join(d, 'token.der'), '-token_in', '-CAfile', caFile], { encoding: 'utf8' });
  removeDir(d);
  return { status: r.status, out: r.stdout + r.stderr };
}

beforeAll(async () => {
  tsa = await startTestTsa();
  makeTsaCertificates(otherCa, 'Some Other Root');
  const fetchSpy: typeof fetch = async (input, init) => {
    if (String(input).startsWith(tsa.url)) {
      tsaCalls++;
      await tsaGate;
    }
    return fetch(input, init);
  };
  sys = await startRegistry(dir, { DATADEED_TSA_URL: tsa.url, DATADEED_CHECKPOINT_INTERVAL_MS: String(INTERVAL_MS) }, { fetch: fetchSpy });
  app = createApp(sys.services);
  applicant = await makeActor(sys as unknown as TestContext, 'applicant', 'enterprise');
}, 300_000);

afterAll(async () => {
  await sys?.close();
  await tsa?.close();
  removeDir(dir);
  removeDir(otherCa);
});

describe('RFC 3161 time-stamps of checkpoints', { timeout: 300_000 }, () => {
  let stamped: { checkpoint: string; timestamp: string; inclusion: { treeSize: number } };
  let id = '';

  it('stamps a published checkpoint; the receipt carries the token; openssl ts -verify accepts it', async () => {
    id = await deposit('c'.repeat(64));
    // the receipt that carried a token (asked again, it may already name a newer checkpoint
    // published since and not stamped yet: stamping follows publication)
    let found: Awaited<ReturnType<typeof receipt>> | undefined;
    await until(async () => (found = await receipt(id)).timestamp !== undefined, 'a time-stamped receipt');
    stamped = found as typeof stamped;
    const token = fromBase64(stamped.timestamp);
    const stored = await sys.store.timestampAt(stamped.inclusion.treeSize);
    expect(Buffer.from(stored!.token).equals(Buffer.from(token))).toBe(true);
    const body = checkpointTimestampMessage(stamped.checkpoint);
    const v = opensslVerify(body, token, tsa.caFile);
    expect(v.status, v.out).toBe(0);
    expect(v.out).toContain('Verification: OK');
  });

  it('our verifier accepts it and reports the independent time', async () => {
    const r = await verifyBundle(stamped, trust, nodeEd25519, { tsa: { roots: roots(), crypto: nodeSignatureVerify } });
    expect(r.ok, JSON.stringify(r.checks)).toBe(true);
    const c = r.checks.find((x) => x.name === 'timestamp')!;
    expect(c).toMatchObject({ ok: true, code: 'ok' });
    expect(r.timestamp!.tsa).toBe('CN=DataDeed Test TSA, O=Test Notary Office');
    expect(r.timestamp!.genTime).toBe((await sys.store.timestampAt(stamped.inclusion.treeSize))!.genTime.toISOString());
    // without TSA roots the check is not run; with them a bundle without a token fails
    expect((await verifyBundle(stamped, trust, nodeEd25519)).checks.map((x) => x.name)).not.toContain('timestamp');
    const { timestamp: _drop, ...bare } = stamped;
    const none = await verifyBundle(bare, trust, nodeEd25519, { tsa: { roots: roots(), crypto: nodeSignatureVerify } });
    expect(none.checks.find((x) => x.name === 'timestamp')).toMatchObject({ ok: false, code: 'timestamp_missing' });
  });

  let other: Uint8Array;
  it('stamps later checkpoints too', async () => {
    await deposit('d'.repeat(64));
    const next = (await sys.publisher.publish())!;
    expect(next.size).toBeGreaterThan(stamped.inclusion.treeSize);
    await until(async () => (await sys.store.timestampAt(next.size)) !== undefined, 'the stamp of a later checkpoint');
    other = (await sys.store.timestampAt(next.size))!.token;
    expect(tsaCalls).toBeGreaterThanOrEqual(2);
  });

  it('between a publication and its stamp, a receipt carries the newest stamped checkpoint that includes its entry', async () => {
    let open!: () => void;
    tsaGate = new Promise<void>((r) => (open = r));
    try {
      const fresh = await deposit('e'.repeat(64));
      const newest = (await sys.publisher.publish())!;
      expect(await sys.store.timestampAt(newest.size)).toBeUndefined(); // its stamp is held at the TSA
      // an older entry: proven to a stamped checkpoint, with that checkpoint's token
      const old = await receipt(id);
      expect(old.timestamp).toBeDefined();
      expect(old.inclusion.treeSize).toBeLessThan(newest.size);
      const token = (await sys.store.timestampAt(old.inclusion.treeSize))!.token;
      expect(Buffer.from(fromBase64(old.timestamp!)).equals(Buffer.from(token))).toBe(true);
      const r = await verifyBundle(old, trust, nodeEd25519, { tsa: { roots: roots(), crypto: nodeSignatureVerify } });
      expect(r.ok, JSON.stringify(r.checks)).toBe(true);
      expect(opensslVerify(checkpointTimestampMessage(old.checkpoint), token, tsa.caFile).status).toBe(0);
      // the new entry: no stamped checkpoint includes it yet
      const young = await receipt(fresh);
      expect(young.timestamp).toBeUndefined();
      expect(young.inclusion.treeSize).toBe(newest.size);
      open();
      tsaGate = undefined;
      await until(async () => (await receipt(fresh)).timestamp !== undefined, 'the new entry time-stamped once the TSA answers');
    } finally {
      open();
      tsaGate = undefined;
    }
  });

  it('fails a token over another checkpoint, a tampered token and an untrusted TSA, naming why', async () => {
    const tsaOpt = { tsa: { roots: roots(), crypto: nodeSignatureVerify } };
    // another checkpoint's token
    const swapped = { ...stamped, timestamp: toBase64(other) };
    const r1 = await verifyBundle(swapped, trust, nodeEd25519, tsaOpt);
    expect(r1.checks.find((x) => x.name === 'timestamp')).toMatchObject({ ok: false, code: 'timestamp_mismatch' });
    expect(opensslVerify(checkpointTimestampMessage(stamped.checkpoint), other, tsa.caFile).status).not.toBe(0);
    // a tampered signature (the last byte of the token is the signature's)
    const bytes = fromBase64(stamped.timestamp);
    bytes[bytes.length - 1]! ^= 0x01;
    const r2 = await verifyBundle({ ...stamped, timestamp: toBase64(bytes) }, trust, nodeEd25519, tsaOpt);
    expect(r2.ok).toBe(false);
    expect(r2.checks.find((x) => x.name === 'timestamp')).toMatchObject({ ok: false, code: 'bad_signature' });
    // a TSA certified by a root the verifier does not trust
    const r3 = await verifyBundle(stamped, trust, nodeEd25519, { tsa: { roots: pemCertificates(readFileSync(path.join(otherCa, 'ca.pem'), 'utf8')), crypto: nodeSignatureVerify } });
    expect(r3.checks.find((x) => x.name === 'timestamp')).toMatchObject({ ok: false, code: 'untrusted_tsa' });
  });

  it('datadeed verify --tsa-roots', () => {
    const file = path.join(dir, 'receipt.datadeed.json');
    writeFileSync(file, JSON.stringify(stamped));
    const run = (ca: string) =>
      spawnSync(process.execPath, ['bin/datadeed.mjs', 'verify', file, '--key', logKey.vkey, '--tsa-roots', ca], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    const ok = run(tsa.caFile);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/timestamp\s+PASS\s+ok\s+time-stamped .* by CN=DataDeed Test TSA/);
    expect(ok.stdout).toMatch(/time: {6}\d{4}-\d\d-\d\dT.*RFC 3161/);
    const bad = run(path.join(otherCa, 'ca.pem'));
    expect(bad.status, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toMatch(/timestamp\s+FAIL\s+untrusted_tsa/);
  });
});

describe('Timestamper', () => {
  it('asks at most once per interval, and only for the newest checkpoint waiting', async () => {
    const { Timestamper } = await import('../../src/ledger/pg/index.ts');
    const asked: Buffer[] = [];
    const imprint = (size: number) => createHash('sha256').update(`o\n${size}\nAAAA\n`).digest();
    const stored: number[] = [];
    let release: (() => void) | undefined;
    const store = { insertTimestamp: async (size: number) => void stored.push(size) } as never;
    const cp = (size: number) => ({ size, rootHash: new Uint8Array(32), note: `o\n${size}\nAAAA\n\n— o sig\n`, createdAt: new Date() });
    const t = new Timestamper({
      store,
      url: 'http://tsa.invalid/',
      intervalMs: 300,
      random: (n) => new Uint8Array(n),
      fetch: async (_url, init) => {
        asked.push(Buffer.from(init.body)); // the TimeStampReq
        await new Promise<void>((r) => (release = r));
        return new Response('not a response', { status: 500 });
      },
      onError: () => {},
    });
    t.notify(cp(1));
    expect(asked).toHaveLength(1); // asked at once
    t.notify(cp(2));
    t.notify(cp(3));
    expect(asked).toHaveLength(1); // one request in flight; 2 and 3 wait
    release!();
    await new Promise((r) => setImmediate(r));
    expect(asked).toHaveLength(1); // the interval has not passed
    await until(() => asked.length === 2, 'the next request after the interval');
    release!();
    await t.close();
    expect(asked).toHaveLength(2); // checkpoint 2 was never asked for: 3 superseded it
    expect(asked[0]!.includes(imprint(1))).toBe(true);
    expect(asked[1]!.includes(imprint(3))).toBe(true);
    expect(asked.some((a) => a.includes(imprint(2)))).toBe(false);
  });
});
