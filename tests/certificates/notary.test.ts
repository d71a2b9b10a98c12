/**
 * Bundles under a notary quorum (PGlite, or PostgreSQL with DATABASE_URL): with a
 * witness policy, certificate issuance waits for a cosigned checkpoint and the
 * certificate's bundle and the evidence receipt carry it; the verifier, given a trust
 * policy (C2SP tlog-policy), passes "registry + 1 of 2 notaries" when one notary
 * cosigned, fails naming the missing cosignature under "registry + 2 of 2", and names
 * a tampered cosignature — in the library and through `datadeed verify --policy`.
 * When no witness answers, issuance proceeds after DATADEED_COSIGN_WAIT_MS with the
 * registry-signed checkpoint.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { verifyBundle, type TrustedKeys } from '../../src/certificates/index.ts';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { fromBase64, toBase64 } from '../../src/ledger/index.ts';
import { splitNote } from '../../src/witness/index.ts';
import type { RunningWitness } from '../../src/witness/node/index.ts';
import type { TestContext } from '../helpers/context.ts';
import { initTrustingWitness, inProcessWitness, registryDir, removeDir, ROOT, startRegistry, writePolicy, type NotaryRegistry } from '../helpers/notary.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

const { dir, logKey } = registryDir();
let a: RunningWitness;
let b: RunningWitness;
const vkeys: Record<string, string> = {};
let sys: NotaryRegistry;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
/** Witness URLs the registry cannot reach (its requests fail as if the witness were down). */
const unreachable = new Set<string>();

async function call(method: string, p: string, who?: Actor | null, body?: unknown) {
  return app.request(p, { method, headers: { ...(who ? who.auth : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
}

async function issue(): Promise<string> {
  const id = ((await (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).json()) as { id: string }).id;
  await call('POST', `/v1/applications/${id}/submit`, applicant);
  await call('POST', `/v1/applications/${id}/claim`, reviewer);
  await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
  sys.clock.advance(10 * 86_400_000);
  const res = await call('POST', `/v1/applications/${id}/approve`, reviewer);
  expect(res.status).toBe(200);
  return ((await res.json()) as { certificate: { number: string } }).certificate.number;
}

async function trust(): Promise<TrustedKeys> {
  const keys = (await (await call('GET', '/v1/keys')).json()) as { keys: { vkey: string; purpose: string; validFrom: string; validUntil: string | null }[] };
  return {
    logKeys: keys.keys.filter((k) => k.purpose === 'log').map((k) => k.vkey),
    certificateKeys: keys.keys.filter((k) => k.purpose === 'certificate').map((k) => ({ vkey: k.vkey, validFrom: k.validFrom, validUntil: k.validUntil })),
  };
}

const policyText = (k: string) => `log ${logKey.vkey}\nwitness fuzhou ${vkeys.a}\nwitness xiamen ${vkeys.b}\ngroup notaries ${k} fuzhou xiamen\nquorum notaries\n`;

beforeAll(async () => {
  for (const n of ['a', 'b']) {
    mkdirSync(path.join(dir, n));
    vkeys[n] = await initTrustingWitness(path.join(dir, n, 'data'), `notary-${n}.example/witness`, logKey.vkey);
  }
  a = await inProcessWitness(path.join(dir, 'a', 'data'));
  b = await inProcessWitness(path.join(dir, 'b', 'data'));
  // the registry asks both; one cosignature is its quorum
  const policy = writePolicy(dir, `log ${logKey.vkey}\nwitness a ${vkeys.a} ${a.url}\nwitness b ${vkeys.b} ${b.url}\ngroup notaries any a b\nquorum notaries\n`);
  const fetchSpy: typeof fetch = async (input, init) => {
    for (const u of unreachable) if (String(input).startsWith(u)) throw new TypeError('fetch failed: connect ECONNREFUSED (test)');
    return fetch(input, init);
  };
  unreachable.add(b.url); // only notary a cosigns
  sys = await startRegistry(dir, { DATADEED_WITNESS_POLICY: policy, DATADEED_COSIGN_WAIT_MS: '1500' }, { fetch: fetchSpy });
  app = createApp(sys.services);
  applicant = await makeActor(sys as unknown as TestContext, 'applicant', 'enterprise');
  reviewer = await makeActor(sys as unknown as TestContext, 'reviewer', 'registry');
}, 300_000);

afterAll(async () => {
  await sys?.close();
  await a?.close();
  await b?.close();
  removeDir(dir);
});

describe('bundles under a notary quorum', { timeout: 300_000 }, () => {
  let bundle: { checkpoint: string; inclusion: { treeSize: number }; entry: { index: number } };

  it('issuance waits for a cosigned checkpoint, which the bundle carries', async () => {
    const number = await issue();
    bundle = await (await call('GET', `/v1/certificates/${number}/bundle`)).json();
    expect(bundle.inclusion.treeSize).toBeGreaterThan(bundle.entry.index);
    const lines = splitNote(bundle.checkpoint)!.signatures.map((s) => s.name);
    expect(lines).toEqual([expect.stringContaining('notary.datadeed.localhost/log'), 'notary-a.example/witness']);
    // without a policy the bundle verifies exactly as before
    const plain = await verifyBundle(bundle, await trust(), nodeEd25519);
    expect(plain.ok, JSON.stringify(plain.checks)).toBe(true);
    expect(plain.checks.map((c) => c.name)).not.toContain('cosignatures');
  });

  it('verifies under "registry + 1 of 2 notaries" and fails naming the missing cosignature under "2 of 2"', async () => {
    const one = await verifyBundle(bundle, await trust(), nodeEd25519, { policy: policyText('1') });
    expect(one.ok, JSON.stringify(one.checks)).toBe(true);
    const c1 = one.checks.find((c) => c.name === 'cosignatures')!;
    expect(c1).toMatchObject({ ok: true, code: 'ok' });
    expect(c1.witnesses!.signed.map((s) => s.name)).toEqual(['fuzhou']);

    const two = await verifyBundle(bundle, await trust(), nodeEd25519, { policy: policyText('all') });
    expect(two.ok).toBe(false);
    const c2 = two.checks.find((c) => c.name === 'cosignatures')!;
    expect(c2).toMatchObject({ ok: false, code: 'cosignature_missing' });
    expect(c2.witnesses!.missing).toEqual(['xiamen']);
    expect(c2.detail).toContain('xiamen');
    // every other check still passes: only the quorum is missing
    expect(two.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['cosignatures']);
  });

  /** The bundle with notary-a's cosignature bytes (base64 in its note line) changed by `mutate`. */
  const withNotaryCosignature = (mutate: (raw: Uint8Array) => void) => {
    const line = splitNote(bundle.checkpoint)!.signatures.find((s) => s.name === 'notary-a.example/witness')!.line;
    const raw = fromBase64(line.slice(line.lastIndexOf(' ') + 1));
    mutate(raw);
    return { ...bundle, checkpoint: bundle.checkpoint.replace(line, `${line.slice(0, line.lastIndexOf(' ') + 1)}${toBase64(raw)}`) };
  };

  /** Verifies `tampered` under a 1-of-2 policy and asserts the cosignature check fails naming the notary fuzhou. */
  const refusedNotaryCosignature = async (tampered: typeof bundle) => {
    const r = await verifyBundle(tampered, await trust(), nodeEd25519, { policy: policyText('1') });
    const c = r.checks.find((x) => x.name === 'cosignatures')!;
    expect(r.ok).toBe(false);
    expect(c).toMatchObject({ ok: false, code: 'cosignature_invalid' });
    expect(c.witnesses!.invalid).toEqual([{ name: 'fuzhou', reason: 'bad_signature' }]);
    expect(c.detail).toContain('fuzhou');
    return r;
  };

  it('fails naming a tampered cosignature', async () => {
    const tampered = withNotaryCosignature((raw) => {
      raw[raw.length - 1]! ^= 0x01; // one bit of the Ed25519 signature
    });
    const r = await refusedNotaryCosignature(tampered);
    // the registry's own signature is untouched
    expect(r.checks.find((x) => x.name === 'checkpoint_signature')!.ok).toBe(true);
  });

  it('fails naming a cosignature whose timestamp was changed (C2SP tlog-cosignature signs "time <t>")', async () => {
    const tampered = withNotaryCosignature((raw) => {
      // the line is key ID (4) ‖ big-endian u64 timestamp (8) ‖ signature (64): byte 11 is the timestamp's lowest
      expect(raw).toHaveLength(76);
      const t = new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0);
      raw[11]! ^= 0x01;
      expect(new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0)).not.toBe(t);
    });
    const r = await refusedNotaryCosignature(tampered);
    expect(r.checks.filter((x) => !x.ok).map((x) => x.name)).toEqual(['cosignatures']);
  });

  it('datadeed verify --policy: exit 0 under 1 of 2, exit 1 naming the missing notary under 2 of 2', () => {
    const file = path.join(dir, 'cert.datadeed.json');
    writeFileSync(file, JSON.stringify(bundle));
    const keysFile = path.join(dir, 'keys.json');
    return trust().then((t) => {
      writeFileSync(keysFile, JSON.stringify({ keys: t.certificateKeys.map((k) => ({ ...k, purpose: 'certificate' })) }));
      const run = (k: string) => {
        const policy = writePolicy(dir, policyText(k), `verify-${k}.policy`);
        return spawnSync(process.execPath, ['bin/datadeed.mjs', 'verify', file, '--keys', keysFile, '--policy', policy], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      };
      const ok = run('1');
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/cosignatures\s+PASS\s+ok\s+cosigned by fuzhou/);
      const bad = run('all');
      expect(bad.status, bad.stdout + bad.stderr).toBe(1);
      expect(bad.stdout).toMatch(/cosignatures\s+FAIL\s+cosignature_missing\s+quorum not met; missing cosignature: xiamen/);
    });
  });

  it('the evidence receipt carries the cosigned checkpoint too', async () => {
    const dep = (await (await call('POST', '/v1/evidence', applicant, { items: [{ digest: 'b'.repeat(64), kind: 'file', title: 'receipt test' }] })).json()) as { items: { id: string }[] };
    const id = dep.items[0]!.id;
    await sys.publisher.publish();
    // the receipt of an entry not yet cosigned carries the registry-signed checkpoint; once cosigned, the cosigned one
    let receipt = await (await call('GET', `/v1/evidence/${id}/receipt`, applicant)).json();
    for (let i = 0; i < 500 && splitNote(receipt.checkpoint)!.signatures.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      receipt = await (await call('GET', `/v1/evidence/${id}/receipt`, applicant)).json();
    }
    expect(splitNote(receipt.checkpoint)!.signatures.map((s) => s.name)).toContain('notary-a.example/witness');
    const r = await verifyBundle(receipt, await trust(), nodeEd25519, { policy: policyText('any') });
    expect(r.ok, JSON.stringify(r.checks)).toBe(true);
  });

  it('no witness answers: issuance proceeds after the bounded wait with the registry-signed checkpoint', async () => {
    unreachable.add(a.url);
    const number = await issue();
    const plain = await (await call('GET', `/v1/certificates/${number}/bundle`)).json();
    expect(splitNote(plain.checkpoint)!.signatures).toHaveLength(1);
    expect((await verifyBundle(plain, await trust(), nodeEd25519)).ok).toBe(true);
    const r = await verifyBundle(plain, await trust(), nodeEd25519, { policy: policyText('1') });
    expect(r.checks.find((c) => c.name === 'cosignatures')).toMatchObject({ ok: false, code: 'cosignature_missing' });
    unreachable.delete(a.url);
  });
});
