/**
 * Provable status (issue 16), on both databases: the registry logs `state.committed`
 * entries with the root of its state map; the status and lookup endpoints return the
 * record with its map proof, the entry, its inclusion proof and a signed checkpoint, and
 * the pure verifier accepts them — presence (active, pledged with the pledgee), absence
 * (a digest never deposited) — and refuses each altered part. `audit` recomputes every
 * committed root from the replay and names a wrong one; the map's nodes survive a restart.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify, type VerifyIo } from '../../src/cli/verify.ts';
import { createApp } from '../../src/api/app.tsx';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { verifyStateProof } from '../../src/certificates/index.ts';
import { encodeEntry } from '../../src/ledger/index.ts';
import { auditState } from '../../src/state/pg/index.ts';
import { allStateKeys, stateRecord } from '../../src/state/index.ts';
import { hasPython } from './helpers.ts';

const REFERENCE = fileURLToPath(new URL('./state_proof_ref.py', import.meta.url));
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor, jsonCaller } from '../helpers/registry.ts';

const DAY = 86_400_000;
const term = { start: '2026-02-01', end: '2027-02-01' };
const DEPOSITED = 'c'.repeat(64);

describe('state commitments and status proofs', () => {
  let ctx: TestContext;
  let call: (method: string, p: string, who: Actor | null, body?: unknown) => Promise<Record<string, any>>;
  let plain: string;
  let pledged: string;
  let bank: Actor;
  let reviewerActor: Actor;
  let applicantActor: Actor;
  let vkeys: string[];

  beforeAll(async () => {
    ctx = await createTestContext({ DATADEED_STATE_COMMIT_INTERVAL_MS: '0' });
    vkeys = [ctx.logKey.vkey];
    const app = createApp(ctx.services);
    call = jsonCaller(app);
    const applicant = await makeActor(ctx, 'applicant', 'enterprise');
    const reviewer = await makeActor(ctx, 'reviewer', 'registry');
    reviewerActor = reviewer;
    applicantActor = applicant;
    bank = await makeActor(ctx, 'bank', 'bank');
    const issue = async () => {
      const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).id;
      await call('POST', `/v1/applications/${id}/submit`, applicant);
      await call('POST', `/v1/applications/${id}/claim`, reviewer);
      await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
      ctx.clock.advance(10 * DAY);
      return (await call('POST', `/v1/applications/${id}/approve`, reviewer)).certificate.number as string;
    };
    plain = await issue();
    pledged = await issue();
    const req = await call('POST', `/v1/certificates/${pledged}/pledges`, bank, { loanReference: 'L-1', amount: { value: '1000.00', currency: 'CNY' }, term });
    await call('POST', `/v1/pledges/${req.id}/consent`, applicant);
    await call('POST', '/v1/evidence', applicant, { items: [{ digest: DEPOSITED, kind: 'file', title: 'a file' }] });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('proves a pledged certificate pledged, naming the pledgee and the term', async () => {
    const s = await call('GET', `/v1/certificates/${pledged}/status`, null);
    expect(s.status).toBe('pledged');
    const r = await verifyStateProof(s.stateProof, { certificate: pledged }, vkeys, nodeEd25519);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rec = r.record as { status: string; pledges: { pledgee: string; termStart: string; termEnd: string }[] };
    expect(rec.status).toBe('pledged');
    expect(rec.pledges).toHaveLength(1);
    expect(rec.pledges[0]!.pledgee).toBe(bank.orgId);
    expect([rec.pledges[0]!.termStart, rec.pledges[0]!.termEnd]).toEqual([term.start, term.end]);
  });

  it('proves an unencumbered certificate active with no pledge (not pledged)', async () => {
    const s = await call('GET', `/v1/certificates/${plain}/status`, null);
    const r = await verifyStateProof(s.stateProof, { certificate: plain }, vkeys, nodeEd25519);
    expect(r.ok && r.record).toMatchObject({ number: plain, status: 'active', pledges: [] });
  });

  it('proves the earliest deposit of a digest, and that another was never deposited', async () => {
    const yes = await call('GET', `/v1/evidence?digest=${DEPOSITED}`, null);
    const r1 = await verifyStateProof(yes.stateProof, { digest: DEPOSITED }, vkeys, nodeEd25519);
    expect(r1.ok && r1.record).toMatchObject({ digest: DEPOSITED, depositId: yes.earliest.id, index: yes.earliest.logIndex });
    const never = 'd'.repeat(64);
    const no = await call('GET', `/v1/evidence?digest=${never}`, null);
    expect(no.deposited).toBe(false);
    const r2 = await verifyStateProof(no.stateProof, { digest: never }, vkeys, nodeEd25519);
    expect(r2.ok).toBe(true);
    expect(r2.ok && r2.record).toBeNull();
  });

  it('refuses every altered part: record, proof, entry, checkpoint, key', async () => {
    const s = (await call('GET', `/v1/certificates/${pledged}/status`, null)).stateProof;
    const alter = (f: (p: any) => void) => {
      const p = structuredClone(s);
      f(p);
      return p;
    };
    const code = async (p: unknown, subject: { certificate: string } | { digest: string } = { certificate: pledged }) => {
      const r = await verifyStateProof(p, subject, vkeys, nodeEd25519);
      return r.ok ? 'ok' : r.code;
    };
    expect(await code(alter((p) => (p.record.status = 'active')))).toBe('bad_map_proof');
    expect(await code(alter((p) => (p.record.pledges = [])))).toBe('bad_map_proof');
    expect(await code(alter((p) => (p.record = null)))).toBe('bad_map_proof');
    const proof = Buffer.from(s.proof, 'base64');
    proof.writeUInt8(proof.at(-1)! ^ 1, proof.length - 1);
    expect(await code(alter((p) => (p.proof = proof.toString('base64'))))).toBe('bad_map_proof');
    expect(await code(alter((p) => (p.entry.index += 1)))).not.toBe('ok');
    expect(await code(alter((p) => (p.checkpoint = p.checkpoint.replace(/\n— .*$/s, '\n'))))).not.toBe('ok');
    expect(await code(s, { certificate: plain })).toBe('wrong_key');
    // an absence proof altered: claims the deposited digest absent
    const dep = (await call('GET', `/v1/evidence?digest=${DEPOSITED}`, null)).stateProof;
    expect(await code({ ...dep, record: null }, { digest: DEPOSITED })).toBe('bad_map_proof');
    const never = (await call('GET', `/v1/evidence?digest=${'d'.repeat(64)}`, null)).stateProof;
    expect(await code(never, { digest: DEPOSITED })).toBe('bad_map_proof');
  });

  it('a proxy rewriting /status to "active" for the pledged certificate makes verify --online fail', async () => {
    const registry = createApp(ctx.services);
    const bundle = await (await registry.request(`/v1/certificates/${pledged}/bundle`)).text();
    const file = path.join(ctx.tmpDir, `${pledged}.datadeed.json`);
    writeFileSync(file, bundle);
    // the proxy: a small hono app in front of the registry, rewriting only the status endpoint
    const proxy = new Hono();
    let rewrite = false;
    proxy.all('*', async (c) => {
      const url = new URL(c.req.url);
      const res = await registry.request(url.pathname + url.search, { method: c.req.method });
      if (!rewrite || !url.pathname.endsWith('/status')) return res;
      const body = (await res.json()) as Record<string, any>;
      return c.json({ ...body, status: 'active', encumbrances: { ...body.encumbrances, pledges: [] } });
    });
    const verify = async () => {
      let out = '';
      const io: VerifyIo = { out: (t) => void (out += t), err: () => {}, fetch: async (input, init) => proxy.fetch(new Request(input as string, init)) };
      return { code: await runVerify([file, '--online', 'http://registry.test'], io), out };
    };
    const honest = await verify();
    expect(honest.code, honest.out).toBe(0);
    expect(honest.out).toMatch(/status_proof\s+PASS\s+ok\s+pledged \(pledges: /);
    rewrite = true;
    const lied = await verify();
    expect(lied.code).toBe(1);
    expect(lied.out).toMatch(/status_proof\s+FAIL\s+status_contradicts_proof/);
  });

  it.skipIf(!hasPython)('a second implementation from docs/log-format.md (python3) checks the map root, the proofs, and refuses altered ones', async () => {
    const status = async (n: string) => (await call('GET', `/v1/certificates/${n}/status`, null)).stateProof;
    const lookup = async (d: string) => (await call('GET', `/v1/evidence?digest=${d}`, null)).stateProof;
    const pl = await status(pledged);
    const dep = await lookup(DEPOSITED);
    const never = await lookup('d'.repeat(64));
    const flip = (b64: string) => {
      const b = Buffer.from(b64, 'base64');
      b.writeUInt8(b.at(-1)! ^ 1, b.length - 1);
      return b.toString('base64');
    };
    const proofs = [
      { name: 'pledged', subject: { certificate: pledged }, stateProof: pl, want: null },
      { name: 'active', subject: { certificate: plain }, stateProof: await status(plain), want: null },
      { name: 'deposited', subject: { digest: DEPOSITED }, stateProof: dep, want: null },
      { name: 'never deposited', subject: { digest: 'd'.repeat(64) }, stateProof: never, want: null },
      { name: 'status rewritten', subject: { certificate: pledged }, stateProof: { ...pl, record: { ...pl.record, status: 'active', pledges: [] } }, want: 'bad_map_proof' },
      { name: 'map proof altered', subject: { certificate: pledged }, stateProof: { ...pl, proof: flip(pl.proof) }, want: 'bad_map_proof' },
      { name: 'absence claimed for a deposit', subject: { digest: DEPOSITED }, stateProof: { ...dep, record: null }, want: 'bad_map_proof' },
      { name: 'absence proof of another digest', subject: { digest: DEPOSITED }, stateProof: never, want: 'bad_map_proof' },
      { name: 'absence proof altered', subject: { digest: 'd'.repeat(64) }, stateProof: { ...never, proof: flip(never.proof) }, want: 'bad_map_proof' },
      { name: 'inclusion altered', subject: { certificate: pledged }, stateProof: { ...pl, inclusion: { ...pl.inclusion, proof: [...pl.inclusion.proof].reverse() } }, want: 'bad_inclusion' },
      { name: 'record of another certificate', subject: { certificate: plain }, stateProof: pl, want: 'wrong_key' },
    ];
    // the whole committed state, from the replay, for a root computed from scratch
    const st = ctx.guard.state!;
    const records = allStateKeys(st).map((id) => stateRecord(st, id));
    const input = { proofs, maps: [{ name: 'committed', root: st.commit!.root, records }] };
    const r = spawnSync('python3', [REFERENCE], { input: JSON.stringify(input), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { proofs: { name: string; ok: boolean; code: string | null }[]; maps: { ok: boolean; root: string }[] };
    expect(report.maps[0]).toEqual({ name: 'committed', ok: true, root: st.commit!.root });
    expect(report.proofs.map((p) => [p.name, p.code])).toEqual(proofs.map((p) => [p.name, p.want]));
  });

  it('audit recomputes every committed root and finds them right', async () => {
    const report = await auditState({ db: ctx.database.db });
    expect(report.wrongRoots).toEqual([]);
    expect(report.stateCommits).toBeGreaterThan(0);
    expect(report.ok).toBe(true);
  });

  it('audit resumes from its saved position: only new entries are replayed, with the same findings', async () => {
    let saved: string | undefined;
    const position = { read: async () => saved, write: async (t: string) => void (saved = t) };
    const first = await auditState({ db: ctx.database.db, position });
    expect(first.resumedFrom).toBeUndefined();
    expect(first.ok).toBe(true);
    await call('POST', '/v1/evidence', applicantActor, { items: [{ digest: 'f'.repeat(64), kind: 'file', title: 'another file' }] });
    await call('GET', `/v1/evidence?digest=${'f'.repeat(64)}`, null); // commits the state with it
    const again = await auditState({ db: ctx.database.db, position });
    expect(again.resumedFrom).toBe(first.entries);
    expect(again.entries).toBeGreaterThan(first.entries);
    expect(again.ok).toBe(true);
    expect(again.stateCommits).toBeGreaterThan(first.stateCommits);
    // a position that does not describe this log (its last entry differs) is not used
    const bogus = JSON.parse(saved!);
    bogus.last = '00'.repeat(32);
    saved = JSON.stringify(bogus);
    const full = await auditState({ db: ctx.database.db, position });
    expect(full.resumedFrom).toBeUndefined();
    expect(full.stateCommits).toBe(again.stateCommits);
    // nor one whose saved map its thread cannot load (a node cut short): the audit starts over, with the same findings
    const cut = JSON.parse(saved!);
    cut.roots.nodes = Buffer.from(Buffer.from(cut.roots.nodes, 'base64').subarray(0, 96)).toString('base64');
    saved = JSON.stringify(cut);
    const over = await auditState({ db: ctx.database.db, position });
    expect(over.resumedFrom).toBeUndefined();
    expect(over.ok).toBe(true);
    expect(over.stateCommits).toBe(again.stateCommits);
  });

  it('audit names a committed root that the replay does not give', async () => {
    const bad = 'ab'.repeat(32);
    const a = await ctx.appendWith(async (_tx, index) => ({
      entry: encodeEntry({ kind: 'state.committed', time: ctx.now().toISOString(), size: index, root: bad }),
      result: index,
    }));
    const report = await auditState({ db: ctx.database.db });
    expect(report.ok).toBe(false);
    expect(report.wrongRoots).toEqual([expect.objectContaining({ index: a.result, logged: bad })]);
  });

  it.skipIf(spawnSync('pdftotext', ['-v']).error !== undefined)('serves a revoked certificate’s PDF stamped REVOKED with the date, still PAdES-signed', async () => {
    await call("POST", `/v1/certificates/${plain}/revoke`, reviewerActor, { reason: 'The data source is unlawful.' });
    const res = await createApp(ctx.services).request(`/v1/certificates/${plain}/pdf`);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.includes('/ByteRange')).toBe(true);
    const file = path.join(ctx.tmpDir, 'revoked.pdf');
    writeFileSync(file, pdf);
    // poppler, in content order (the stamp is rotated: its words come out together only so)
    const text = spawnSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, '');
    expect(text).toMatch(/已撤销·本证书无效/);
    expect(text).toMatch(/REVOKED\d{4}-\d{2}-\d{2}·NOTVALID/);
  });
});
