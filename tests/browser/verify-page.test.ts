/**
 * The public verification page verifies in Chromium: the certificate's signature,
 * log entry, Merkle proof and checkpoint are checked by the page's own script (the
 * pure verifier), and a bundle altered on the way to the browser fails there. A notarial
 * attestation rides along and is checked and named there; a certificate PDF chosen on
 * /verify is verified in the page from its attached bundle (never uploaded).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/api/app.tsx';
import { seedDemo } from '../../src/cli/demo.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor, jsonCaller } from '../helpers/registry.ts';
import { notaryAttest } from '../helpers/pages.ts';
import { browserRequired, chromiumAvailable, launchChromium, missingChromiumWarning, type Chromium } from './chromium.ts';

const available = chromiumAvailable();
if (!available) {
  console.warn(missingChromiumWarning());
  if (browserRequired())
    describe('verification page', () => {
      it('needs Chromium (DATADEED_REQUIRE_BROWSER=1)', () => {
        throw new Error(missingChromiumWarning());
      });
    });
}

describe.runIf(available)('verification page (Chromium)', () => {
  let ctx: TestContext;
  let server: ServerType;
  let chromium: Chromium;
  let base = '';
  let number = '';
  let pledged = '';
  let revoked = '';
  let bankName = '';
  let bankId = '';
  let demo: Awaited<ReturnType<typeof seedDemo>>;

  beforeAll(async () => {
    ctx = await createTestContext();
    demo = await seedDemo(ctx);
    number = demo.certificateNumber!;
    // a pledged and a revoked certificate, through the API
    const api = createApp(ctx.services);
    const call = jsonCaller(api);
    const applicant = await makeActor(ctx, 'applicant', 'enterprise');
    const reviewer = await makeActor(ctx, 'reviewer', 'registry');
    const bank = await makeActor(ctx, 'bank', 'bank');
    bankId = bank.orgId;
    bankName = (await ctx.services.accounts.getOrganisation(bank.orgId))!.name;
    const issue = async () => {
      const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).id;
      await call('POST', `/v1/applications/${id}/submit`, applicant);
      await call('POST', `/v1/applications/${id}/claim`, reviewer);
      await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
      ctx.clock.advance(10 * 86_400_000);
      return (await call('POST', `/v1/applications/${id}/approve`, reviewer)).certificate.number as string;
    };
    pledged = await issue();
    revoked = await issue();
    const req = await call('POST', `/v1/certificates/${pledged}/pledges`, bank, { loanReference: 'L-1', amount: { value: '1000.00', currency: 'CNY' }, term: { start: '2026-02-01', end: '2027-02-01' } });
    await call('POST', `/v1/pledges/${req.id}/consent`, applicant);
    await call('POST', `/v1/certificates/${revoked}/revoke`, reviewer, { reason: 'The data source is unlawful.' });
    server = serve({ fetch: createApp(ctx.services).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    server?.close();
    await ctx?.close();
  });

  it('verifies a genuine certificate in the browser', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${base}/verify/${number}`);
    await page.waitForSelector('#verdict', { timeout: 30_000 });
    expect(await page.locator('#verdict').getAttribute('data-ok')).toBe('true');
    // the six bundle checks and the proven status
    expect(await page.locator('td.ok').count()).toBe(7);
    expect(await page.locator('#verdict').getAttribute('data-status')).toBe('active');
    await page.close();
  });

  it('a revoked certificate: the not-valid verdict, with the reason, in the page and from the proven status', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${base}/verify/${revoked}`);
    expect(await page.locator('#live-verdict').getAttribute('data-verdict')).toBe('not-valid');
    expect(await page.locator('#live-verdict').textContent()).toContain('The data source is unlawful.');
    await page.waitForSelector('#verdict', { timeout: 30_000 });
    expect(await page.locator('#verdict').getAttribute('data-ok')).toBe('false');
    expect(await page.locator('#verdict').getAttribute('data-status')).toBe('revoked');
    expect(await page.locator('#verdict').getAttribute('class')).toContain('bad');
    await page.close();
  });

  it('a pledged certificate: amber, naming the pledgee and the term', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${base}/verify/${pledged}`);
    expect(await page.locator('#live-verdict').getAttribute('class')).toContain('warn');
    const text = (await page.locator('#live-verdict').textContent()) ?? '';
    expect(text).toContain(bankName);
    expect(text).toContain('2026-02-01 – 2027-02-01');
    await page.waitForSelector('#verdict', { timeout: 30_000 });
    expect(await page.locator('#verdict').getAttribute('data-status')).toBe('pledged');
    expect(await page.locator('#verdict').getAttribute('data-pledgees')).toBe(bankId);
    expect(await page.locator('#verdict').getAttribute('class')).toContain('warn');
    await page.close();
  });

  it('checks a notarial attestation of the dataset in the page and names the notary; a PDF chosen on /verify is verified from its attached bundle', async () => {
    const a = demo.accounts.find((x) => x.role === 'notary')!;
    const notary = (await ctx.accounts.signIn(a.username, a.password))!.principal;
    const cert = await ctx.registry.certificates.get(number);
    await notaryAttest(ctx, notary, { digest: cert.dataset.manifestRoot, notarialNumber: '(2026)示例公证字第0042号' });
    const page = await chromium.context.newPage();
    await page.goto(`${base}/verify/${number}?lang=en`);
    await page.waitForSelector('#verdict', { timeout: 30_000 });
    expect(await page.locator('#verdict').getAttribute('data-ok')).toBe('true');
    // the six bundle checks, the notarial attestation and the proven status
    expect(await page.locator('td.ok').count()).toBe(8);
    expect(await page.locator('[data-results] [data-notary]').textContent()).toContain('(2026)示例公证字第0042号');
    // the server-rendered section names it too
    expect(await page.locator('[data-attesters] [data-notary]').textContent()).toContain('notary signature valid');

    const pdf = Buffer.from(await (await fetch(`${base}/v1/certificates/${number}/pdf`)).arrayBuffer());
    await page.goto(`${base}/verify?lang=en`);
    await page.setInputFiles('#verify-file', { name: `${number}.pdf`, mimeType: 'application/pdf', buffer: pdf });
    await page.waitForSelector('[data-verify-file] #verdict', { timeout: 60_000 });
    expect(await page.locator('[data-verify-file] #verdict').getAttribute('data-ok')).toBe('true');
    expect(await page.locator('[data-pdf-bundle]').getAttribute('data-pdf-bundle')).toBe(`${number}.datadeed.json`);
    expect(await page.locator('[data-verify-file] [data-notary]').count()).toBe(1);
    // a PDF without a bundle is named as such
    await page.setInputFiles('#verify-file', { name: 'other.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await page.waitForSelector('[data-verify-file] p.bad', { timeout: 30_000 });
    expect(await page.locator('[data-verify-file] p.bad').textContent()).toContain('no readable DataDeed bundle');
    await page.close();
  });

  it('fails a bundle altered in transit, naming the check', async () => {
    const page = await chromium.context.newPage();
    await page.route('**/bundle', async (route) => {
      const res = await route.fetch();
      const b = await res.json();
      b.payload = b.payload.replace('"version":1', '"version":1 ').replace('Ordos', 'Ordoz');
      await route.fulfill({ response: res, body: JSON.stringify(b) });
    });
    await page.goto(`${base}/verify/${number}`);
    await page.waitForSelector('#verdict', { timeout: 30_000 });
    expect(await page.locator('#verdict').getAttribute('data-ok')).toBe('false');
    expect(await page.locator('td.bad').allTextContents()).not.toHaveLength(0);
    await page.close();
  });
});
