/**
 * The registry workflow over HTTP, on both databases: the full path applicant →
 * reviewer → notice → objection dismissed → issued; the change-request loop;
 * rejection; renewal; cancellation; revocation; a reviewer blocked from their own
 * organisation's application; two reviewers racing. Every state change is in the
 * log and the audit passes afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { auditLog } from '../../src/ledger/pg/index.ts';
import { ed25519Verifier } from '../../src/ledger/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
let reviewer2: Actor;
const DAY = 86_400_000;

async function call(method: string, path: string, who?: Actor | null, body?: unknown, headers: Record<string, string> = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, etag: res.headers.get('etag') };
}

async function newSubmitted(form = completeForm(applicant.uscc!)) {
  const created = await call('POST', '/v1/applications', applicant, form);
  expect(created.status).toBe(201);
  const sub = await call('POST', `/v1/applications/${created.body.id}/submit`, applicant);
  expect(sub.status, JSON.stringify(sub.body)).toBe(200);
  return created.body.id as string;
}

async function toIssued(form = completeForm(applicant.uscc!)) {
  const id = await newSubmitted(form);
  expect((await call('POST', `/v1/applications/${id}/claim`, reviewer)).status).toBe(200);
  expect((await call('POST', `/v1/applications/${id}/open-notice`, reviewer)).status).toBe(200);
  ctx.clock.advance(10 * DAY);
  const appr = await call('POST', `/v1/applications/${id}/approve`, reviewer);
  expect(appr.status, JSON.stringify(appr.body)).toBe(200);
  return { id, number: appr.body.certificate.number as string };
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  reviewer2 = await makeActor(ctx, 'reviewer', 'registry');
});
afterAll(async () => {
  await ctx?.close();
});

describe('registry workflow', () => {
  it('walks applicant → review → notice → objection dismissed → issued', async () => {
    const created = await call('POST', '/v1/applications', applicant, { datasetName: 'draft only' });
    expect(created.status).toBe(201);
    expect(created.body.state).toBe('draft');
    const id = created.body.id;
    // an incomplete draft cannot be submitted, and the problem names the fields
    const early = await call('POST', `/v1/applications/${id}/submit`, applicant);
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('application_incomplete');
    expect(early.body.errors.map((e: { path: string }) => e.path)).toContain('manifest');

    const patched = await call('PATCH', `/v1/applications/${id}`, applicant, completeForm(applicant.uscc!), { 'if-match': created.etag! });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const sub = await call('POST', `/v1/applications/${id}/submit`, applicant);
    expect(sub.body.state).toBe('submitted');
    expect(sub.body.submittedVersion).toBe(1);

    expect((await call('POST', `/v1/applications/${id}/claim`, reviewer)).body.state).toBe('in_review');
    const notice = await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
    expect(notice.body.state).toBe('public_notice');

    const list = await call('GET', '/v1/notices', null);
    const pub = list.body.items.find((n: { applicationId: string }) => n.applicationId === id);
    expect(pub.datasetName).toContain('Ordos');
    expect(JSON.stringify(pub)).not.toContain('data@example.com'); // never contact details

    const obj = await call('POST', `/v1/notices/${id}/objections`, null, { name: '李四', contact: 'li@example.com', grounds: 'This dataset copies ours.', evidenceHash: 'b'.repeat(64) });
    expect(obj.status).toBe(201);
    ctx.clock.advance(10 * DAY);
    // suspended: no approval while an objection is open
    expect((await call('POST', `/v1/applications/${id}/approve`, reviewer)).body.code).toBe('illegal_transition');
    const dismissed = await call('POST', `/v1/objections/${obj.body.id}/dismiss`, reviewer, { reason: 'No overlap found.' });
    expect(dismissed.body.state).toBe('public_notice');
    // the clock restarted at dismissal
    ctx.clock.advance(9 * DAY);
    expect((await call('POST', `/v1/applications/${id}/approve`, reviewer)).body.code).toBe('notice_not_elapsed');
    ctx.clock.advance(1 * DAY);
    expect(await ctx.registry.applications.closeElapsedNotices()).toBe(1);
    const done = await call('GET', `/v1/applications/${id}`, applicant);
    expect(done.body.state).toBe('approved');
    const number = done.body.certificateNumber;
    // a new database numbers in the national format: 2026-01 (the test clock, Beijing time), registry code 1200, serial 7 digits
    expect(number).toMatch(/^20260[12]1200\d{7}$/);
    expect(done.body.state).toBe('approved');

    const cert = await call('GET', `/v1/certificates/${number}`, null);
    expect(cert.status).toBe(200);
    expect(cert.body.status).toBe('active');
    expect(cert.body.holder.uscc).toBe(applicant.uscc);
    const status = await call('GET', `/v1/certificates/${number}/status`, null);
    expect(status.body.events.map((e: { kind: string }) => e.kind)).toEqual(['certificate.issued']);
    expect(status.body.events[0].entry.number).toBe(number);

    // every step is in the log, in order
    const kinds: string[] = [];
    const size = (await ctx.store.latestCheckpoint())!.size;
    for (const e of await ctx.store.entries(0, size)) {
      const ev = JSON.parse(new TextDecoder().decode(e));
      if (ev.applicationId === id || ev.number === number) kinds.push(ev.kind);
    }
    expect(kinds).toEqual(['application.submitted', 'review.claimed', 'notice.opened', 'objection.filed', 'objection.dismissed', 'application.approved', 'certificate.issued']);
  });

  it('loops through a change request with a diffable new version', async () => {
    const id = await newSubmitted();
    await call('POST', `/v1/applications/${id}/claim`, reviewer);
    const rc = await call('POST', `/v1/applications/${id}/request-changes`, reviewer, { comment: 'Please describe the sensors.' });
    expect(rc.body.state).toBe('changes_requested');
    expect((await call('PATCH', `/v1/applications/${id}`, applicant, { structure: 'CSV; sensor model per row' })).status).toBe(200);
    const sub2 = await call('POST', `/v1/applications/${id}/submit`, applicant);
    expect(sub2.body.submittedVersion).toBe(2);
    const diff = await call('GET', `/v1/applications/${id}/diff?from=1&to=2`, reviewer);
    expect(diff.body.changes).toEqual([{ path: 'structure', from: 'CSV, one row per drilling interval', to: 'CSV; sensor model per row' }]);
    const versions = await call('GET', `/v1/applications/${id}/versions`, applicant);
    expect(versions.body.items.map((v: { digest: string }) => v.digest)).toHaveLength(2);
  });

  it('rejects, and refuses illegal steps with a named code and nothing written', async () => {
    const id = await newSubmitted();
    const before = (await ctx.store.latestCheckpoint())!.size;
    expect((await call('POST', `/v1/applications/${id}/open-notice`, reviewer)).body.code).toBe('illegal_transition');
    expect((await call('PATCH', `/v1/applications/${id}`, applicant, { format: 'x' })).body.code).toBe('illegal_transition');
    expect((await ctx.store.latestCheckpoint())!.size).toBe(before);
    await call('POST', `/v1/applications/${id}/claim`, reviewer);
    const rej = await call('POST', `/v1/applications/${id}/reject`, reviewer, { reason: 'Not a dataset.' });
    expect(rej.body.state).toBe('rejected');
    expect((await call('POST', `/v1/applications/${id}/claim`, reviewer)).status).toBe(409);
  });

  it('blocks a reviewer from their own organisation’s application', async () => {
    const regApplicant = await makeActor(ctx, 'applicant', 'registry', { id: reviewer.orgId, uscc: reviewer.uscc });
    const created = await call('POST', '/v1/applications', regApplicant, completeForm(regApplicant.uscc!));
    expect(created.status).toBe(201);
    // the registry holds this data itself: the holder is the registry organisation
    const sub = await call('POST', `/v1/applications/${created.body.id}/submit`, regApplicant);
    expect(sub.status, JSON.stringify(sub.body)).toBe(200);
    const claim = await call('POST', `/v1/applications/${created.body.id}/claim`, reviewer);
    expect(claim.status).toBe(403);
    expect(claim.body.code).toBe('reviewer_conflict_of_interest');
  });

  it('lets exactly one of two racing reviewers win', async () => {
    const id = await newSubmitted();
    const got = await call('GET', `/v1/applications/${id}`, reviewer);
    const [a, b] = await Promise.all([
      call('POST', `/v1/applications/${id}/claim`, reviewer, undefined, { 'if-match': got.etag! }),
      call('POST', `/v1/applications/${id}/claim`, reviewer2, undefined, { 'if-match': got.etag! }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect([a.body.code, b.body.code]).toContain('version_conflict');
  });

  it('renews (superseding certificate), cancels and revokes', async () => {
    const { number } = await toIssued();
    // renewal only in the last 90 days
    expect((await call('POST', `/v1/certificates/${number}/renew`, applicant)).body.code).toBe('renewal_window_closed');
    ctx.clock.advance((3 * 365 - 60) * DAY);
    const draft = await call('POST', `/v1/certificates/${number}/renew`, applicant);
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    expect(draft.body.kind).toBe('renewal');
    await call('POST', `/v1/applications/${draft.body.id}/submit`, applicant);
    await call('POST', `/v1/applications/${draft.body.id}/claim`, reviewer);
    const appr = await call('POST', `/v1/applications/${draft.body.id}/approve`, reviewer);
    expect(appr.status, JSON.stringify(appr.body)).toBe(200);
    const successor = appr.body.certificate.number;
    const old = await call('GET', `/v1/certificates/${number}`, null);
    expect(old.body.status).toBe('superseded');
    expect(old.body.supersededBy).toBe(successor);
    const next = await call('GET', `/v1/certificates/${successor}`, null);
    expect(next.body.version).toBe(2);
    expect(next.body.supersedes).toBe(number);
    expect(new Date(next.body.validUntil).getTime()).toBeGreaterThan(new Date(old.body.validUntil).getTime());

    // cancellation by the holder only
    expect((await call('POST', `/v1/certificates/${successor}/cancel`, reviewer)).status).toBe(403);
    const cancelled = await call('POST', `/v1/certificates/${successor}/cancel`, applicant);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await call('POST', `/v1/certificates/${successor}/cancel`, applicant)).body.code).toBe('illegal_transition');

    const { number: n2 } = await toIssued();
    const revoked = await call('POST', `/v1/certificates/${n2}/revoke`, reviewer, { reason: 'Court order 2026-17' });
    expect(revoked.body.status).toBe('revoked');
    const st = await call('GET', `/v1/certificates/${n2}/status`, null);
    expect(st.body.status).toBe('revoked');
    expect(st.body.events.map((e: { kind: string }) => e.kind)).toEqual(['certificate.issued', 'certificate.revoked']);
  });

  it('numbers certificates gap-free under concurrent approvals', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await newSubmitted();
      await call('POST', `/v1/applications/${id}/claim`, reviewer);
      await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
      ids.push(id);
    }
    ctx.clock.advance(11 * DAY);
    const results = await Promise.all(ids.map((id) => call('POST', `/v1/applications/${id}/approve`, reviewer)));
    const numbers = results.map((r) => r.body.certificate.number as string);
    const all = (await call('GET', '/v1/certificates?limit=200', null)).body.items.map((c: { number: string }) => c.number);
    const byYear = new Map<string, number[]>();
    for (const n of all) {
      const [y, s] = [n.slice(0, 4), n.slice(10)]; // national: year, month, registry code, serial
      byYear.set(y, [...(byYear.get(y) ?? []), Number(s)]);
    }
    for (const seqs of byYear.values()) expect(seqs.sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i + 1));
    expect(new Set(numbers).size).toBe(6);
  });

  it('accepts a bounded, type-checked data sample and never shows it publicly', async () => {
    const created = await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!));
    const id = created.body.id;
    const put = (body: Uint8Array | string, type: string) =>
      app.request(`/v1/applications/${id}/sample?filename=${encodeURIComponent('样本.csv')}`, { method: 'PUT', headers: { ...applicant.auth, 'content-type': type }, body: body as BodyInit });
    const ok = await put('a,b\n1,2\n', 'text/csv');
    expect(ok.status).toBe(200);
    const stored = (await ok.json()) as { sha256: string; size: number };
    expect(stored.size).toBe(8);
    const nodeHash = (await import('node:crypto')).createHash('sha256').update('a,b\n1,2\n').digest('hex');
    expect(stored.sha256).toBe(nodeHash);
    expect((await put(new Uint8Array([0xff, 0xfe, 0x00]), 'text/csv')).status).toBe(415);
    expect((await put('{not json', 'application/json')).status).toBe(415);
    expect((await put('MZ\x90\x00', 'application/octet-stream')).status).toBe(415);
    const big = await put('x'.repeat(1024 * 1024 + 1), 'text/plain');
    expect([413]).toContain(big.status);
    const got = await app.request(`/v1/applications/${id}/sample`, { headers: applicant.auth });
    expect(await got.text()).toBe('a,b\n1,2\n');
    expect((await app.request(`/v1/applications/${id}/sample`)).status).toBe(401);
    const other = await makeActor(ctx, 'applicant', 'enterprise');
    expect((await app.request(`/v1/applications/${id}/sample`, { headers: other.auth })).status).toBe(404);
  });

  it('an upheld objection rejects the application', async () => {
    const id = await newSubmitted();
    await call('POST', `/v1/applications/${id}/claim`, reviewer);
    await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
    const obj = await call('POST', `/v1/notices/${id}/objections`, null, { name: '王五', contact: 'wang@example.com', grounds: 'We hold this data; see evidence.' });
    const upheld = await call('POST', `/v1/objections/${obj.body.id}/uphold`, reviewer, { reason: 'Prior rights proven.' });
    expect(upheld.status).toBe(200);
    expect(upheld.body.state).toBe('rejected');
    expect(upheld.body.objections[0].state).toBe('upheld');
    expect((await call('POST', `/v1/objections/${obj.body.id}/dismiss`, reviewer, { reason: 'x' })).body.code).toBe('illegal_transition');
  });

  it('reads a certificate past its validity as expired, and the clock logs the expiry', async () => {
    const { number } = await toIssued();
    ctx.clock.advance(3 * 366 * DAY);
    expect((await call('GET', `/v1/certificates/${number}`, null)).body.status).toBe('expired');
    expect(await ctx.registry.certificates.expireDue()).toBeGreaterThanOrEqual(1);
    const st = await call('GET', `/v1/certificates/${number}/status`, null);
    expect(st.body.status).toBe('expired');
    expect(st.body.events.map((e: { kind: string }) => e.kind)).toEqual(['certificate.issued', 'certificate.expired']);
    expect((await call('POST', `/v1/certificates/${number}/cancel`, applicant)).status).toBe(409);
  });

  it('audit passes after the whole suite', async () => {
    const report = await auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(ctx.logKey.vkey)] });
    expect(report.ok).toBe(true);
  });
});
