/**
 * Every decision is a log entry (issue 16), on both databases: organisations with their
 * 统一社会信用代码, submission, review steps with the reviewer's pseudonymous id, notice with
 * its end, objections filed and decided, approval, issuance naming its application,
 * approval and deposit, pledge request / decline / consent / release, licences,
 * insurance, transfer, renewal, revocation with its reason hash — and each certificate
 * event names the previous event of the same certificate (`prev`), so the chain can be
 * walked from any event back to the first issuance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { decodeEntry, sha256, toHex, utf8 } from '../../src/ledger/index.ts';
import { amountCommitment } from '../../src/registry/index.ts';
import { replay } from '../../src/state/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, TEST_ROOT, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
let bank: Actor;
let insurer: Actor;
const DAY = 86_400_000;
const term = { start: '2026-02-01', end: '2027-02-01' };
const textHash = (s: string) => toHex(sha256(utf8(s)));

async function call(method: string, path: string, who?: Actor | null, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return parsed;
}

type Entry = Record<string, unknown> & { kind: string; time: string; index: number };
async function log(): Promise<Entry[]> {
  const size = (await ctx.store.treeState()).size;
  return (await ctx.store.entries(0, size)).map((e, index) => ({ ...(decodeEntry(e) as Record<string, unknown>), index }) as Entry);
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  bank = await makeActor(ctx, 'bank', 'bank');
  insurer = await makeActor(ctx, 'insurer', 'insurer');
});
afterAll(async () => {
  await ctx?.close();
});

describe('every decision is an entry', () => {
  it('organisations are registered in the log with their 统一社会信用代码 and the hash of their name', async () => {
    const entries = await log();
    const reg = entries.filter((e) => e.kind === 'organisation.registered');
    const mine = reg.find((e) => e.orgId === applicant.orgId)!;
    expect(mine).toMatchObject({ orgKind: 'enterprise', uscc: applicant.uscc });
    const org = await ctx.accounts.getOrganisation(applicant.orgId);
    expect(mine.nameHash).toBe(textHash(org!.name));
    expect(reg.find((e) => e.orgId === bank.orgId)).toMatchObject({ orgKind: 'bank' });
    expect(reg.find((e) => e.orgId === bank.orgId)!.uscc).toBeUndefined();
  });

  it('the application path: submission, review, notice, objection, approval, issuance with its links', async () => {
    const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).id as string;
    await call('POST', `/v1/applications/${id}/submit`, applicant);
    const rejected = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).id as string;
    await call('POST', `/v1/applications/${rejected}/submit`, applicant);
    await call('POST', `/v1/applications/${id}/claim`, reviewer);
    await call('POST', `/v1/applications/${id}/request-changes`, reviewer, { comment: 'Please describe the collection method.' });
    await call('POST', `/v1/applications/${id}/submit`, applicant);
    await call('POST', `/v1/applications/${id}/claim`, reviewer);
    await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
    const objection = await call('POST', `/v1/notices/${id}/objections`, null, { name: 'A. Objector', contact: 'a@example.com', grounds: 'I collected this data myself.' });
    await call('POST', `/v1/objections/${objection.id}/dismiss`, reviewer, { reason: 'No evidence of prior collection.' });
    await call('POST', `/v1/applications/${rejected}/claim`, reviewer);
    await call('POST', `/v1/applications/${rejected}/reject`, reviewer, { reason: 'Duplicate application.' });
    ctx.clock.advance(10 * DAY);
    const number = (await call('POST', `/v1/applications/${id}/approve`, reviewer)).certificate.number as string;

    const entries = await log();
    const about = entries.filter((e) => e.applicationId === id);
    expect(about.map((e) => e.kind)).toEqual([
      'application.submitted',
      'review.claimed',
      'review.changes_requested',
      'application.submitted',
      'review.claimed',
      'notice.opened',
      'objection.filed',
      'objection.dismissed',
      'application.approved',
      'certificate.issued',
    ]);
    const [sub1, claim1, changes, sub2, , notice, filed, dismissed, approved, issued] = about as Entry[];
    expect(sub1).toMatchObject({ applicant: applicant.orgId, applicationKind: 'initial', version: 1 });
    expect(sub2).toMatchObject({ version: 2 });
    const versions = await ctx.registry.applications.versions((await ctx.services.accounts.authenticateToken(applicant.token))!, id);
    expect(sub2!.digest).toBe(versions.find((v) => v.version === 2)!.digest);
    for (const e of [claim1, changes, notice, dismissed, approved]) expect(e!.reviewer).toBe(reviewer.userId);
    expect(changes!.commentHash).toBe(textHash('Please describe the collection method.'));
    expect(notice!.noticeEndsAt).toBe(new Date(Date.parse(notice!.time) + 10 * DAY).toISOString());
    expect(filed).toMatchObject({ objectionId: objection.id, groundsHash: textHash('I collected this data myself.') });
    expect(dismissed).toMatchObject({ objectionId: objection.id, reasonHash: textHash('No evidence of prior collection.') });
    expect(dismissed!.noticeEndsAt).toBe(new Date(Date.parse(dismissed!.time) + 10 * DAY).toISOString());
    expect(approved).toMatchObject({ version: 2, digest: sub2!.digest });
    expect(issued!.index).toBe(approved!.index + 1);
    const deposit = entries.find((e) => e.kind === 'evidence.deposited' && e.depositor === applicant.orgId && e.digest === TEST_ROOT)!;
    expect(issued).toMatchObject({ number, basis: 'initial', applicationId: id, approval: approved!.index, deposits: [deposit.index], depositId: deposit.depositId });
    expect(issued!.prev).toBeUndefined();
    const rej = entries.find((e) => e.applicationId === rejected && e.kind === 'review.rejected')!;
    expect(rej).toMatchObject({ reviewer: reviewer.userId, reasonHash: textHash('Duplicate application.') });
  });

  it('a certificate’s events form a chain across pledges, licences, insurance, renewal, transfer and revocation', async () => {
    const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).id as string;
    await call('POST', `/v1/applications/${id}/submit`, applicant);
    await call('POST', `/v1/applications/${id}/claim`, reviewer);
    await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
    ctx.clock.advance(10 * DAY);
    const first = (await call('POST', `/v1/applications/${id}/approve`, null as never).catch(() => null)) ?? null;
    expect(first).toBeNull(); // anonymous approval is refused
    expect(await ctx.registry.applications.closeElapsedNotices()).toBe(1); // the clock approves: no reviewer
    const number = (await ctx.registry.applications.get((await ctx.services.accounts.authenticateToken(applicant.token))!, id)).certificateNumber!;

    const declined = await call('POST', `/v1/certificates/${number}/pledges`, bank, { loanReference: 'D-1', amount: { value: '7.00', currency: 'CNY' }, term });
    await call('POST', `/v1/pledges/${declined.id}/decline`, applicant);
    const req = await call('POST', `/v1/certificates/${number}/pledges`, bank, { loanReference: 'L-1', amount: { value: '5000000.00', currency: 'CNY' }, term });
    const consented = await call('POST', `/v1/pledges/${req.id}/consent`, applicant);
    await call('POST', `/v1/pledges/${req.id}/allow-subsequent`, bank);
    // a licence of a pledged certificate needs the pledgee's recorded consent (pledge.consent_recorded)
    await call('POST', `/v1/pledges/${req.id}/consents`, bank, { action: 'licence' });
    await call('POST', `/v1/certificates/${number}/licences`, applicant, { licensee: 'Acme Analytics', scope: 'model training', term, exclusive: false });
    await call('POST', `/v1/certificates/${number}/policies`, insurer, { policyNumber: 'POL-9', insuredAmount: { value: '100.00', currency: 'CNY' }, term, coverageType: 'loss' });
    await call('POST', `/v1/pledges/${req.id}/release`, bank);
    ctx.clock.advance((3 * 365 - 30) * DAY);
    const renewal = await call('POST', `/v1/certificates/${number}/renew`, applicant);
    await call('POST', `/v1/applications/${renewal.id}/submit`, applicant);
    await call('POST', `/v1/applications/${renewal.id}/claim`, reviewer);
    const renewed = (await call('POST', `/v1/applications/${renewal.id}/approve`, reviewer)).certificate.number as string;
    const buyer = await makeActor(ctx, 'applicant', 'enterprise');
    const transferred = (await call('POST', `/v1/certificates/${renewed}/transfer`, applicant, { toOrgId: buyer.orgId })).certificate.number as string;
    await call('POST', `/v1/certificates/${transferred}/revoke`, reviewer, { reason: 'Court order 2029-17.' });

    const entries = await log();
    const at = new Map(entries.map((e) => [e.index, e]));
    const approval = entries.find((e) => e.kind === 'application.approved' && e.applicationId === id)!;
    expect(approval.reviewer).toBeUndefined();

    const requested = entries.filter((e) => e.kind === 'pledge.requested' && e.number === number);
    expect(requested.map((e) => e.pledgeId)).toEqual([declined.id, req.id]);
    const pledgeView = await call('GET', `/v1/pledges/${req.id}`, bank);
    expect(requested[1]).toMatchObject({ pledgee: bank.orgId, currency: 'CNY', termStart: term.start, termEnd: term.end });
    expect(requested[1]!.amountCommitment).toBe(amountCommitment({ value: '5000000.00', currency: 'CNY' }, pledgeView.amountNonce));
    expect(entries.find((e) => e.kind === 'pledge.declined')).toMatchObject({ pledgeId: declined.id, number });
    expect(entries.find((e) => e.kind === 'pledge.recorded' && e.number === number)).toMatchObject({ pledgeId: req.id, pledgeNumber: consented.pledgeNumber });

    // walk the chain back from the transferred certificate's revocation
    const revoked = entries.find((e) => e.kind === 'certificate.revoked' && e.number === transferred)!;
    expect(revoked).toMatchObject({ reviewer: reviewer.userId, reasonHash: textHash('Court order 2029-17.') });
    const walk: string[] = [];
    for (let e: Entry | undefined = revoked; e; e = e.prev === undefined ? undefined : at.get(e.prev as number)) walk.push(`${e.kind} ${String(e.number)}`);
    expect(walk.reverse()).toEqual([
      `certificate.issued ${number}`,
      `pledge.recorded ${number}`,
      `pledge.subsequent_allowed ${number}`,
      `licence.recorded ${number}`,
      `insurance.recorded ${number}`,
      `pledge.released ${number}`,
      `certificate.issued ${renewed}`,
      `certificate.issued ${transferred}`,
      `certificate.revoked ${transferred}`,
    ]);
    const renewedEntry = entries.find((e) => e.kind === 'certificate.issued' && e.number === renewed)!;
    expect(renewedEntry).toMatchObject({ basis: 'renewal', supersedes: number, applicationId: renewal.id });
    expect(at.get(renewedEntry.approval as number)).toMatchObject({ kind: 'application.approved', applicationId: renewal.id, reviewer: reviewer.userId });
    const transferEntry = entries.find((e) => e.kind === 'certificate.issued' && e.number === transferred)!;
    expect(transferEntry).toMatchObject({ basis: 'transfer', supersedes: renewed, holderUscc: buyer.uscc, deposits: [] });
    expect(transferEntry.applicationId).toBeUndefined();
    expect(transferEntry.approval).toBeUndefined();
  });

  it('the whole log replays without anomaly, even asking for every member new entries carry', async () => {
    const size = (await ctx.store.treeState()).size;
    const entries = (await ctx.store.entries(0, size)).map((data, index) => ({ index, data }));
    const state = replay(entries, undefined, { strict: true });
    expect(state.anomalies).toEqual([]);
    expect(state.size).toBe(size);
    expect(state.certificates.count()).toBe(4);
    expect([...state.certificates.entries()].filter(([, c]) => c.status === 'revoked').map(([n]) => n)).toHaveLength(1);
  });
});
