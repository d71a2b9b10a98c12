/**
 * Notarial attestations (公证, issue 17) over HTTP: a notary office attests a deposited
 * digest with its own Ed25519 key (its witness key); the signature is checked before
 * anything is written and again by an independent implementation (python3 builds the
 * message from docs/log-format.md §6.2, `openssl pkeyutl` verifies it); the receipt and
 * the certificate bundle of the digest carry the `notary.attested` entry with its proof
 * and the verifier checks it (a changed office or signature fails, naming the check; a
 * policy witness with the same key is named); refusals write nothing; the state audit
 * compares the table with the log.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createApp } from '../../src/api/app.tsx';
import { verifyBundle } from '../../src/certificates/index.ts';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { fromBase64, toBase64 } from '../../src/ledger/index.ts';
import { auditState } from '../../src/state/pg/index.ts';
import { formatCosignerKey, signAttestation } from '../../src/witness/index.ts';
import { nodeEd25519Sign, publicKeyFromSeed } from '../../src/witness/node/ed25519.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let alice: Actor;
let notary: Actor;
let office = '';
const seed = new Uint8Array(32).fill(42);
const publicKey = publicKeyFromSeed(seed);
const notaryKey = formatCosignerKey('notary.test/beijing', publicKey);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const tmp = mkdtempSync(path.join(tmpdir(), 'datadeed-attest-'));

async function call(method: string, p: string, who?: Actor | null, body?: unknown) {
  const res = await app.request(p, { method, headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
/** Rows and decisions (a state.committed entry may follow any write, at its own pace). */
async function counts() {
  const [r] = await queryRows<{ a: unknown; e: unknown }>(ctx.database.db, sql`SELECT (SELECT count(*) FROM notary_attestations) AS a, (SELECT count(*) FROM log_entries WHERE convert_from(data, 'UTF8')::jsonb ->> 'kind' <> 'state.committed') AS e`);
  return { attestations: Number(r!.a), entries: Number(r!.e) };
}
const origin = () => ctx.registry.deps.settings.origin;
async function attestation(digest: string, notarialNumber: string, at = new Date(ctx.clock.now().getTime() - 86_400_000).toISOString()) {
  const signed = await signAttestation({ origin: origin(), digest, notarialNumber, office, attestedAt: at }, notaryKey, nodeEd25519Sign(seed));
  return { digest, notarialNumber, attestedAt: at, ...signed };
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  alice = await makeActor(ctx, 'applicant', 'enterprise');
  notary = await makeActor(ctx, 'notary', 'notary');
  office = (await ctx.accounts.getOrganisation(notary.orgId))!.name;
});
afterAll(async () => {
  await ctx?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('notarial attestations', () => {
  const digest = sha('drilling records, extracted before the notary');

  it('records an attestation whose signature an independent implementation (python3 + openssl pkeyutl) verifies', async () => {
    const dep = await call('POST', '/v1/evidence', alice, { items: [{ digest, kind: 'manifest', title: 'notarised extract' }] });
    expect(dep.status).toBe(201);
    const body = await attestation(digest, '(2026)京长安内经证字第00001号');
    const before = await counts();
    const r = await call('POST', '/v1/attestations', notary, body);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ digest, depositId: dep.body.items[0].id, office, notarialNumber: '(2026)京长安内经证字第00001号', notaryKey });
    expect(await counts()).toEqual({ attestations: before.attestations + 1, entries: before.entries + 1 });
    const entry = JSON.parse(new TextDecoder().decode((await ctx.services.log.entry(r.body.logIndex))!));
    expect(entry).toMatchObject({ kind: 'notary.attested', notary: notary.orgId, digest, office, notaryKey, signature: body.signature });

    // the message from the spec's text, built by python; the signature checked by openssl
    const py = spawnSync(
      'python3',
      ['-c', 'import json,sys; s=json.load(sys.stdin); sys.stdout.buffer.write(b"datadeed notary attestation v1\\n"+json.dumps(s,sort_keys=True,separators=(",",":"),ensure_ascii=False).encode())'],
      { input: JSON.stringify({ origin: origin(), digest, notarialNumber: entry.notarialNumber, office: entry.office, attestedAt: entry.attestedAt }) },
    );
    expect(py.status).toBe(0);
    writeFileSync(path.join(tmp, 'msg'), py.stdout);
    writeFileSync(path.join(tmp, 'sig'), fromBase64(entry.signature));
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]);
    writeFileSync(path.join(tmp, 'pub.pem'), createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }));
    const ossl = spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', path.join(tmp, 'pub.pem'), '-rawin', '-in', path.join(tmp, 'msg'), '-sigfile', path.join(tmp, 'sig')], { encoding: 'utf8' });
    expect(ossl.stdout + ossl.stderr).toMatch(/Signature Verified Successfully/);

    const list = await call('GET', `/v1/attestations?digest=${digest}`, null);
    expect(list.body.attestations.map((a: { notarialNumber: string }) => a.notarialNumber)).toEqual(['(2026)京长安内经证字第00001号']);
  });

  it('refuses, writing nothing: a bad signature, a digest never deposited, a repeated number, another role, a future act', async () => {
    const before = await counts();
    const good = await attestation(digest, '(2026)京长安内经证字第00002号');
    const bad = { ...good, signature: toBase64(new Uint8Array(64).fill(1)) };
    const r1 = await call('POST', '/v1/attestations', notary, bad);
    expect([r1.status, r1.body.code]).toEqual([422, 'attestation_invalid']);
    // signed for another office name: the registry signs nothing for the notary
    const otherOffice = await signAttestation({ origin: origin(), digest, notarialNumber: good.notarialNumber, office: 'Another office', attestedAt: good.attestedAt }, notaryKey, nodeEd25519Sign(seed));
    expect((await call('POST', '/v1/attestations', notary, { ...good, ...otherOffice })).body.code).toBe('attestation_invalid');
    const never = sha('never deposited');
    const r2 = await call('POST', '/v1/attestations', notary, await attestation(never, '(2026)京长安内经证字第00003号'));
    expect([r2.status, r2.body.code]).toEqual([404, 'deposit_not_found']);
    const r3 = await call('POST', '/v1/attestations', notary, await attestation(digest, '(2026)京长安内经证字第00001号'));
    expect([r3.status, r3.body.code]).toEqual([409, 'duplicate_attestation']);
    const r4 = await call('POST', '/v1/attestations', alice, good);
    expect(r4.status).toBe(403);
    const future = await attestation(digest, '(2026)京长安内经证字第00004号', new Date(ctx.clock.now().getTime() + 86_400_000).toISOString());
    const r5 = await call('POST', '/v1/attestations', notary, future);
    expect([r5.status, r5.body.code]).toEqual([422, 'invalid_field']);
    const r6 = await call('POST', '/v1/attestations', notary, { ...good, notaryKey: 'not a key' });
    expect([r6.status, r6.body.code]).toEqual([400, 'invalid_request']);
    expect(await counts()).toEqual(before);
  });

  it('the receipt carries the attestation with its proof; the verifier checks it, names a policy witness, and fails a changed byte', async () => {
    const id = (await call('GET', `/v1/evidence?digest=${digest}`, null)).body.earliest.id;
    const res = await app.request(`/v1/evidence/${id}/receipt`);
    const bundle = JSON.parse(await res.text());
    expect(bundle.attestations).toHaveLength(1);
    const trust = { logKeys: [ctx.logKey.vkey], certificateKeys: [] };
    const ok = await verifyBundle(bundle, trust, nodeEd25519);
    expect(ok.ok).toBe(true);
    expect(ok.checks.map((c) => c.name)).toContain('notary_attestations');
    expect(ok.attestations).toMatchObject([{ office, notarialNumber: '(2026)京长安内经证字第00001号', keyName: 'notary.test/beijing', digest }]);
    expect(ok.attestations![0]!.witness).toBeUndefined();

    const policy = `log ${ctx.logKey.vkey}\nwitness beijing ${notaryKey}\nquorum none\n`;
    const named = await verifyBundle(bundle, trust, nodeEd25519, { policy });
    expect(named.attestations![0]!.witness).toBe('beijing');

    // the office changed in the entry: its inclusion proof fails
    const entry = JSON.parse(new TextDecoder().decode(fromBase64(bundle.attestations[0].entry.data)));
    const changed = structuredClone(bundle);
    changed.attestations[0].entry.data = toBase64(new TextEncoder().encode(JSON.stringify({ ...entry, office: 'Forged office' }).replace(/\s/g, '')));
    const r = await verifyBundle(changed, trust, nodeEd25519);
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.name === 'notary_attestations')).toMatchObject({ ok: false, code: 'attestation_invalid' });
    // an attestation of another digest does not fit this receipt
    const other = structuredClone(bundle);
    other.attestations[0].entry.data = toBase64(new TextEncoder().encode(JSON.stringify({ ...entry, digest: sha('x') })));
    expect((await verifyBundle(other, trust, nodeEd25519)).checks.find((c) => c.name === 'notary_attestations')?.code).toBe('attestation_invalid');
  });

  it('the verification page names the notary; the state audit compares the table with the log and finds a changed number', async () => {
    const id = (await call('GET', `/v1/evidence?digest=${digest}`, null)).body.earliest.id;
    const html = await (await app.request(`/verify/evidence/${id}?lang=en`)).text();
    expect(html).toContain('data-attesters');
    expect(html).toContain(`${office}, notarial certificate (2026)京长安内经证字第00001号`);
    expect(html).toContain('notary signature valid');

    // the receipt PDF names the notary and the attestation (and the configured authority)
    const pdf = new Uint8Array(await (await app.request(`/v1/evidence/${id}/pdf`, { headers: alice.auth })).arrayBuffer());
    writeFileSync(path.join(tmp, 'receipt.pdf'), pdf);
    const text = spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', path.join(tmp, 'receipt.pdf'), '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    expect(text).toContain('(2026)京长安内经证字第00001号');
    expect(text).toContain('Notarised by');
    expect(text).toContain(ctx.services.settings.authority.zh);

    expect((await auditState({ db: ctx.database.db })).divergences).toEqual([]);
    await ctx.database.db.execute(sql`UPDATE notary_attestations SET notarial_number = 'forged' WHERE digest = ${digest}`);
    const r = await auditState({ db: ctx.database.db });
    expect(r.divergences).toMatchObject([{ table: 'notary_attestations', field: 'notarialNumber', logValue: '(2026)京长安内经证字第00001号', tableValue: 'forged' }]);
    await ctx.database.db.execute(sql`UPDATE notary_attestations SET notarial_number = '(2026)京长安内经证字第00001号' WHERE digest = ${digest}`);
  });
});
