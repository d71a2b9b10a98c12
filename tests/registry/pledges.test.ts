/**
 * Pledges, licences, transfers and insurance over HTTP, on both databases:
 * applicant registers → certificate → bank verifies → pledge requested → holder
 * consents → pledged status visible to another bank and in the log → cancellation
 * refused → pledge released → cancellation allowed; a 50-way pledge race; every
 * refusal a problem with a stable code and nothing written; audit clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { auditLog } from '../../src/ledger/pg/index.ts';
import { ed25519Verifier } from '../../src/ledger/index.ts';
import { rfc6962 } from '../../src/ledger/index.ts';
import { verifyInclusion } from '../../src/ledger/index.ts';
import { fromBase64, fromHex } from '../../src/ledger/index.ts';
import { parseCheckpoint } from '../../src/ledger/index.ts';
import { openNote } from '../../src/ledger/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
let bankA: Actor;
let bankB: Actor;
let insurer: Actor;
const DAY = 86_400_000;
const term = { start: '2026-02-01', end: '2027-02-01' };

async function call(method: string, path: string, who?: Actor | null, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, type: res.headers.get('content-type') };
}

async function issue(): Promise<string> {
  const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).body.id;
  await call('POST', `/v1/applications/${id}/submit`, applicant);
  await call('POST', `/v1/applications/${id}/claim`, reviewer);
  await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
  ctx.clock.advance(10 * DAY);
  return (await call('POST', `/v1/applications/${id}/approve`, reviewer)).body.certificate.number;
}

const logSize = async () => (await ctx.store.latestCheckpoint())!.size;

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  bankA = await makeActor(ctx, 'bank', 'bank');
  bankB = await makeActor(ctx, 'bank', 'bank');
  insurer = await makeActor(ctx, 'insurer', 'insurer');
});
afterAll(async () => {
  await ctx?.close();
});

describe('pledges', () => {
  it('runs the end-to-end pledge story', async () => {
    const number = await issue();
    // the bank verifies the certificate's live status
    expect((await call('GET', `/v1/certificates/${number}/status`, bankA)).body.status).toBe('active');

    const req = await call('POST', `/v1/certificates/${number}/pledges`, bankA, { loanReference: 'LOAN-2026-0042', amount: { value: '5000000.00', currency: 'CNY' }, term });
    expect(req.status).toBe(201);
    expect(req.body.state).toBe('requested');
    // a bank cannot consent for the holder
    expect((await call('POST', `/v1/pledges/${req.body.id}/consent`, bankA)).status).toBe(403);
    const consented = await call('POST', `/v1/pledges/${req.body.id}/consent`, applicant);
    expect(consented.status, JSON.stringify(consented.body)).toBe(200);
    expect(consented.body.pledgeNumber).toMatch(/^PLG-2026-\d{6}$/);

    // at once to the bank that read "active" a moment ago (an answer is never kept past a write)
    expect((await call('GET', `/v1/certificates/${number}/status`, bankA)).body.status).toBe('pledged');
    // visible to another bank, with its log proof
    const st = await call('GET', `/v1/certificates/${number}/status`, bankB);
    expect(st.body.status).toBe('pledged');
    expect(st.body.encumbrances.pledges).toHaveLength(1);
    const proof = st.body.encumbrances.pledges[0].proof;
    expect(proof.entry.kind).toBe('pledge.recorded');
    expect(proof.entry.number).toBe(number);
    const cpNote = st.body.checkpoint;
    const cp = parseCheckpoint((await openNote(cpNote, [ed25519Verifier(ctx.logKey.vkey)])).text);
    verifyInclusion(rfc6962, proof.logIndex, cp.size, fromHex(proof.leafHash), proof.proof.map(fromHex), cp.rootHash);

    // the amount is committed, not published; the pledgee can open the commitment
    expect(JSON.stringify(proof.entry)).not.toContain('5000000');
    const mine = await call('GET', `/v1/pledges/${req.body.id}`, bankA);
    expect(mine.body.amountCommitment).toBe(proof.entry.amountCommitment);
    expect((await call('GET', `/v1/pledges/${req.body.id}`, bankB)).status).toBe(404);

    // the pledge receipt bundle is the entry + proof + checkpoint
    const receipt = await call('GET', `/v1/pledges/${req.body.id}/receipt`, bankA);
    expect(receipt.body.format).toBe('datadeed-bundle/1');
    expect(receipt.body.type).toBe('pledge');
    expect(JSON.parse(Buffer.from(fromBase64(receipt.body.entry.data)).toString()).pledgeNumber).toBe(consented.body.pledgeNumber);

    // while pledged: no cancellation, no second pledge, no transfer
    const other = await makeActor(ctx, 'applicant', 'enterprise');
    // a second bank's request is logged (pledge.requested); recording it is refused below
    const second = await call('POST', `/v1/certificates/${number}/pledges`, bankB, { loanReference: 'B-1', amount: { value: '1.00', currency: 'CNY' }, term });
    expect(second.status).toBe(201);
    const before = await logSize();
    const cancel = await call('POST', `/v1/certificates/${number}/cancel`, applicant);
    expect(cancel.status).toBe(409);
    expect(cancel.type).toBe('application/problem+json');
    expect(cancel.body.code).toBe('certificate_pledged');
    expect((await call('POST', `/v1/pledges/${second.body.id}/consent`, applicant)).body.code).toBe('certificate_already_pledged');
    // a transfer of a pledged certificate needs the pledgee's recorded consent (pledge.consent_recorded)
    expect((await call('POST', `/v1/certificates/${number}/transfer`, applicant, { toOrgId: other.orgId })).body.code).toBe('pledgee_consent_required');
    expect(await logSize()).toBe(before); // refusals write nothing

    // only the pledgee releases
    expect((await call('POST', `/v1/pledges/${req.body.id}/release`, bankB)).status).toBe(404);
    const rel = await call('POST', `/v1/pledges/${req.body.id}/release`, bankA);
    expect(rel.body.state).toBe('released');
    expect((await call('GET', `/v1/certificates/${number}/status`, null)).body.status).toBe('active');
    expect((await call('POST', `/v1/certificates/${number}/cancel`, applicant)).body.status).toBe('cancelled');
    // a cancelled certificate cannot be pledged
    expect((await call('POST', `/v1/certificates/${number}/pledges`, bankA, { loanReference: 'L', amount: { value: '1.00', currency: 'CNY' }, term })).body.code).toBe('certificate_not_active');

    const history = await call('GET', `/v1/certificates/${number}/history`, null);
    expect(history.body.events.map((e: { kind: string }) => e.kind)).toEqual(['certificate.issued', 'pledge.recorded', 'pledge.released', 'certificate.cancelled']);
  });

  it('of 50 concurrent pledges of one certificate exactly one is recorded, and the log agrees', async () => {
    const number = await issue();
    const banks = await Promise.all(Array.from({ length: 50 }, () => makeActor(ctx, 'bank', 'bank')));
    const requests = await Promise.all(
      banks.map((b, i) => call('POST', `/v1/certificates/${number}/pledges`, b, { loanReference: `R${i}`, amount: { value: `${i + 1}.00`, currency: 'CNY' }, term })),
    );
    const results = await Promise.all(requests.map((r) => call('POST', `/v1/pledges/${r.body.id}/consent`, applicant)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'certificate_already_pledged')).toHaveLength(49);
    const st = await call('GET', `/v1/certificates/${number}/status`, null);
    expect(st.body.status).toBe('pledged');
    expect(st.body.encumbrances.pledges).toHaveLength(1);
    // the log holds exactly one pledge.recorded for this certificate
    const size = await logSize();
    const recorded = (await ctx.store.entries(0, size)).map((e) => JSON.parse(Buffer.from(e).toString())).filter((e) => e.kind === 'pledge.recorded' && e.number === number);
    expect(recorded).toHaveLength(1);
    expect(recorded[0].pledgeNumber).toBe(results.find((r) => r.status === 200)!.body.pledgeNumber);
  });

  it('records licences (exclusive ones do not overlap), transfers, and insurance', async () => {
    const number = await issue();
    const lic = await call('POST', `/v1/certificates/${number}/licences`, applicant, { licensee: 'Acme Analytics', scope: 'model training', term, exclusive: true });
    expect(lic.status).toBe(201);
    const overlap = await call('POST', `/v1/certificates/${number}/licences`, applicant, { licensee: 'Other', scope: 'x', term, exclusive: false });
    expect(overlap.body.code).toBe('exclusive_licence_conflict');
    const pol = await call('POST', `/v1/certificates/${number}/policies`, insurer, { policyNumber: 'POL-1', insuredAmount: { value: '2000000.00', currency: 'CNY' }, term, coverageType: 'infringement' });
    expect(pol.status).toBe(201);
    expect((await call('POST', `/v1/certificates/${number}/policies`, insurer, { policyNumber: 'POL-1', insuredAmount: { value: '1.00', currency: 'CNY' }, term, coverageType: 'loss' })).body.code).toBe('duplicate_policy');
    const st = await call('GET', `/v1/certificates/${number}/status`, bankA);
    expect(st.body.encumbrances.licences).toHaveLength(1);
    expect(st.body.encumbrances.policies[0].policyNumber).toBe('POL-1');
    expect(st.body.encumbrances.policies[0].proof.entry.kind).toBe('insurance.recorded');

    const buyer = await makeActor(ctx, 'applicant', 'enterprise');
    const tr = await call('POST', `/v1/certificates/${number}/transfer`, applicant, { toOrgId: buyer.orgId });
    expect(tr.status, JSON.stringify(tr.body)).toBe(200);
    const next = await call('GET', `/v1/certificates/${tr.body.certificate.number}`, null);
    expect(next.body.holder.uscc).toBe(buyer.uscc);
    expect(next.body.supersedes).toBe(number);
    expect((await call('GET', `/v1/certificates/${number}`, null)).body.status).toBe('superseded');
  });

  it('bad input is a problem and writes nothing', async () => {
    const number = await issue();
    const before = await logSize();
    for (const body of [
      { loanReference: '', amount: { value: '1.00', currency: 'CNY' }, term },
      { loanReference: 'x', amount: { value: '-1', currency: 'CNY' }, term },
      { loanReference: 'x', amount: { value: '1.00', currency: 'cny' }, term },
      { loanReference: 'x', amount: { value: '1.00', currency: 'CNY' }, term: { start: '2027-01-01', end: '2026-01-01' } },
      { loanReference: 'x', amount: { value: '1.00', currency: 'CNY' }, term, extra: 1 },
    ]) {
      const r = await call('POST', `/v1/certificates/${number}/pledges`, bankA, body);
      expect(r.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.type).toBe('application/problem+json');
    }
    expect(await logSize()).toBe(before);
  });

  // runs late: it moves the registry's clock 3 years on, and the registry's clock never goes back (entry times)
  it('a second pledge needs the first pledgee’s consent; a renewal carries pledges over', async () => {
    const number = await issue();
    const a = await call('POST', `/v1/certificates/${number}/pledges`, bankA, { loanReference: 'A', amount: { value: '10.00', currency: 'CNY' }, term });
    await call('POST', `/v1/pledges/${a.body.id}/consent`, applicant);
    expect((await call('POST', `/v1/pledges/${a.body.id}/allow-subsequent`, bankA)).body.subsequentAllowed).toBe(true);
    const b = await call('POST', `/v1/certificates/${number}/pledges`, bankB, { loanReference: 'B', amount: { value: '20.00', currency: 'CNY' }, term });
    expect((await call('POST', `/v1/pledges/${b.body.id}/consent`, applicant)).status).toBe(200);
    await call('POST', `/v1/pledges/${a.body.id}/release`, bankA);
    expect((await call('GET', `/v1/certificates/${number}/status`, null)).body.status).toBe('pledged'); // B remains

    ctx.clock.advance((3 * 365 - 30) * DAY);
    const draft = await call('POST', `/v1/certificates/${number}/renew`, applicant);
    await call('POST', `/v1/applications/${draft.body.id}/submit`, applicant);
    await call('POST', `/v1/applications/${draft.body.id}/claim`, reviewer);
    const successor = (await call('POST', `/v1/applications/${draft.body.id}/approve`, reviewer)).body.certificate.number;
    const st = await call('GET', `/v1/certificates/${successor}/status`, null);
    expect(st.body.status).toBe('pledged');
    expect(st.body.encumbrances.pledges.map((p: { pledge: string }) => p)).toHaveLength(1);
    expect((await call('GET', `/v1/pledges/${b.body.id}`, bankB)).body.certificateNumber).toBe(successor);
  });

  it('audit is clean afterwards', async () => {
    expect((await auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(ctx.logKey.vkey)] })).ok).toBe(true);
  });
});
