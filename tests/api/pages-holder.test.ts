/**
 * The holder's licence and transfer pages, and the notary's attestation page, over HTTP:
 * a refused field is shown beside it (422, nothing written); a valid form first shows a
 * confirmation naming what will be logged, and only the confirmation writes the entry;
 * someone else's certificate is not theirs to licence or transfer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { seedDemo } from '../../src/cli/demo.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { entriesWritten } from '../helpers/log.ts';
import { makeActor } from '../helpers/registry.ts';
import { NOTARY_KEY, NOTARY_SEED } from '../helpers/pages.ts';
import { signAttestation } from '../../src/witness/index.ts';
import { nodeEd25519Sign } from '../../src/witness/node/ed25519.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let demo: Awaited<ReturnType<typeof seedDemo>>;
const cookies: Record<string, string> = {};

/** Entries written, without the state commitments the publisher may add after any write. */
const entries = () => entriesWritten(ctx.database.db);
const post = (path: string, who: string, form: Record<string, string>) =>
  app.request(`http://localhost${path}`, { method: 'POST', headers: { cookie: cookies[who]!, origin: 'http://localhost', host: 'localhost', accept: 'text/html' }, body: new URLSearchParams(form) });
const get = (path: string, who: string) => app.request(`http://localhost${path}?lang=en`, { headers: { cookie: cookies[who]! } });

beforeAll(async () => {
  ctx = await createTestContext({ DATADEED_RATE_LIMIT: 'off' });
  app = createApp(ctx.services);
  demo = await seedDemo(ctx);
  for (const a of demo.accounts) {
    const res = await app.request('/login', { method: 'POST', body: new URLSearchParams({ username: a.username, password: a.password }) });
    cookies[a.role] = res.headers.get('set-cookie')!.split(';')[0]!;
  }
});
afterAll(async () => {
  await ctx?.close();
});

describe('holder pages', () => {
  it('records a licence after a confirmation; a bad term is refused beside its field', async () => {
    const n = demo.certificateNumber!;
    expect((await get(`/certificates/${n}/licences/new`, 'applicant')).status).toBe(200);
    expect((await get(`/certificates/${n}/licences/new`, 'bank')).status).toBe(403);
    const before = await entries();
    const bad = await post(`/certificates/${n}/licences/new`, 'applicant', { licensee: 'Acme Analytics', scope: 'Model training', start: '2027-01-01', end: '2026-01-01' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="f-start-err"|id="f-end-err"/);
    const form = { licensee: 'Acme Analytics', scope: 'Model training, China only', start: '2026-01-01', end: '2027-01-01', exclusive: 'yes' };
    const ask = await post(`/certificates/${n}/licences/new`, 'applicant', form);
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('data-confirm-form');
    expect(await entries()).toBe(before);
    const done = await post(`/certificates/${n}/licences/new`, 'applicant', { ...form, confirm: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toMatch(new RegExp(`^/certificates/${n}\\?done=licence&entry=\\d+$`));
    expect(await entries()).toBe(before + 1);
    const certPage = await (await get(`/certificates/${n}`, 'applicant')).text();
    expect(certPage).toContain('data-licences="1"');
    expect(certPage).toContain('Model training, China only');
    // an overlapping exclusive licence: refused at the term
    const clash = await post(`/certificates/${n}/licences/new`, 'applicant', { ...form, confirm: 'yes' });
    expect(clash.status).toBe(409);
    expect(await clash.text()).toContain('id="f-start-err"');
  });

  it('transfers to an enterprise named by its code after a confirmation naming it; an unknown code is refused beside the field', async () => {
    const n = demo.certificateNumber!;
    const other = await makeActor(ctx, 'applicant', 'enterprise');
    const before = await entries();
    const unknown = await post(`/certificates/${n}/transfer`, 'applicant', { uscc: '91350100M000100Y43' });
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain('id="f-uscc-err"');
    const malformed = await post(`/certificates/${n}/transfer`, 'applicant', { uscc: 'not a code' });
    expect(malformed.status).toBe(422);
    const ask = await post(`/certificates/${n}/transfer`, 'applicant', { uscc: other.uscc! });
    expect(ask.status).toBe(200);
    const askText = await ask.text();
    expect(askText).toContain('data-confirm-form');
    expect(askText).toContain(other.uscc!);
    expect(await entries()).toBe(before - 0);
    const done = await post(`/certificates/${n}/transfer`, 'applicant', { uscc: other.uscc!, confirm: 'yes' });
    expect(done.status).toBe(303);
    const next = /^\/verify\/([A-Z]+-\d{4}-\d+|\d{17})\?done=transfer&entry=\d+$/.exec(done.headers.get('location')!)![1]!;
    expect(next).not.toBe(n);
    expect((await (await app.request(`/v1/certificates/${n}/status`)).json()).status).toBe('superseded');
    // no longer the holder's
    expect((await get(`/certificates/${next}/transfer`, 'applicant')).status).toBe(403);
  });
});

describe('register search', () => {
  it('searches in the database: number, dataset, holder name or code; wildcards are literal; every page is full', async () => {
    const all = (await (await app.request('/v1/certificates?limit=50')).json()) as { items: { number: string; dataset: { name: string }; holder: { uscc: string } }[] };
    expect(all.items).toHaveLength(2); // the demo's and its transferred version
    const [first, second] = all.items as [(typeof all.items)[0], (typeof all.items)[0]];
    const byCode = (await (await app.request(`/v1/certificates?q=${second.holder.uscc}`)).json()) as typeof all;
    expect(byCode.items.map((x) => x.number)).toEqual([second.number]);
    const word = first.dataset.name.slice(0, 6);
    const p1 = (await (await app.request(`/v1/certificates?q=${encodeURIComponent(word.toLowerCase())}&limit=1`)).json()) as typeof all & { nextCursor: string | null };
    expect(p1.items.map((x) => x.number)).toEqual([first.number]);
    const p2 = (await (await app.request(`/v1/certificates?q=${encodeURIComponent(word)}&limit=1&cursor=${p1.nextCursor}`)).json()) as typeof p1;
    expect(p2.items.map((x) => x.number)).toEqual([second.number]);
    expect(p2.nextCursor).toBeNull();
    for (const wild of ['%', '_', '\\']) expect(((await (await app.request(`/v1/certificates?q=${encodeURIComponent(wild)}`)).json()) as typeof all).items, wild).toEqual([]);
    const html = await (await app.request(`/register?q=${encodeURIComponent(second.holder.uscc)}&lang=en`)).text();
    expect(html).toContain(second.number);
    expect(html).not.toContain(`>${first.number}<`);
  });
});

describe('notary pages', () => {
  it('attests a deposit by digest: a bad signature is refused beside it, a good one is logged and listed', async () => {
    const cert = await ctx.registry.certificates.get(demo.certificateNumber!);
    const digest = cert.dataset.manifestRoot;
    const form = await (await get(`/attestations/new`, 'notary')).text();
    expect(form).toContain('data-attest-form');
    expect(form).toContain('datadeed witness attest');
    const notary = demo.accounts.find((a) => a.role === 'notary')!;
    const office = notary.organisation;
    // 2026-01-01 10:00 in the registry's zone (Asia/Shanghai) is 02:00Z
    const attestedAt = '2026-01-01T02:00:00.000Z';
    const signed = await signAttestation({ origin: ctx.registry.deps.settings.origin, digest, notarialNumber: '(2026)示例字第5号', office, attestedAt }, NOTARY_KEY, nodeEd25519Sign(NOTARY_SEED));
    const fields = { digest, notarialNumber: '(2026)示例字第5号', attestedAt: '2026-01-01T10:00', notaryKey: signed.notaryKey };
    const before = await entries();
    const bad = await post('/attestations/new', 'notary', { ...fields, signature: 'A'.repeat(86) + '==' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('id="f-signature-err"');
    const missing = await post('/attestations/new', 'notary', { ...fields, digest: 'f'.repeat(64), signature: signed.signature });
    expect(missing.status).toBe(422);
    expect(await entries()).toBe(before);
    const ok = await post('/attestations/new', 'notary', { ...fields, signature: signed.signature });
    expect(ok.status, await ok.clone().text()).toBe(303);
    expect(ok.headers.get('location')).toMatch(/^\/dashboard\?done=attest&entry=\d+$/);
    const dash = await (await get('/dashboard', 'notary')).text();
    expect(dash).toContain('(2026)示例字第5号');
    expect((await get('/attestations/new', 'applicant')).status).toBe(403);
  });
});
