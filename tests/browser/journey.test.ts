/**
 * The whole job in Chromium, on a real server (issue 18, acceptance): an applicant
 * fingerprints a folder in the browser and files the complete application (the root is
 * deposited on saving; a bad field is shown beside it first); a reviewer claims it and
 * requests a change with a comment; the applicant sees the comment and answers; the
 * reviewer opens the public notice; someone objects; the reviewer dismisses the
 * objection; the notice period passes on the test clock; the certificate is issued; its
 * verification page, reached from the PDF's QR code, shows it valid; a bank requests a
 * pledge; the applicant consents after a confirmation naming the bank, term and amount;
 * the verification page shows it pledged with the bank's name; the bank downloads the
 * pledge receipt PDF (it verifies offline); a reviewer revokes the certificate and the
 * page shows it not valid. A notary office attests the deposited dataset on its page (the
 * signature made with its own witness key) and the verification page names it, checked in
 * the browser.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import type { Page } from 'playwright-core';
import { createApp } from '../../src/api/app.tsx';
import { seedDemo, type DemoAccount } from '../../src/cli/demo.ts';
import { buildManifest } from '../../src/fingerprint/index.ts';
import { verifyPdf } from '../../src/certificates/pdf/index.ts';
import { nodeCrypto } from '../../src/certificates/node/index.ts';
import { trustedKeys } from '../../src/keys/index.ts';
import type { Role } from '../../src/accounts/pg/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { NOTARY_KEY, NOTARY_SEED } from '../helpers/pages.ts';
import { signAttestation } from '../../src/witness/index.ts';
import { nodeEd25519Sign } from '../../src/witness/node/ed25519.ts';
import { instantOfLocal } from '../../src/time.ts';

/**
 * Requests the test sends itself (Playwright's request context) ask for their connection
 * to be closed after the answer: a kept-alive connection idle past the server's 5 s
 * keep-alive bound may be closed by the server just as the next request goes out on it
 * (ECONNRESET, seen in CI), and this client, unlike a browser, does not retry.
 */
const ONCE = { connection: 'close' };
import { browserRequired, chromiumAvailable, launchChromium, missingChromiumWarning, type Chromium } from './chromium.ts';

const available = chromiumAvailable();
if (!available) {
  console.warn(missingChromiumWarning());
  if (browserRequired())
    describe('journey', () => {
      it('needs Chromium (DATADEED_REQUIRE_BROWSER=1)', () => {
        throw new Error(missingChromiumWarning());
      });
    });
}

const tool = (name: string, args: string[]) => spawnSync(name, args).error === undefined;
const HAS_QR_TOOLS = tool('pdftoppm', ['-v']) && tool('zbarimg', ['--version']);
const PUBLIC_URL = 'https://registry.example.test';
const DAY = 86_400_000;

describe.runIf(available)('the journey of a certificate (Chromium)', () => {
  let ctx: TestContext;
  let server: ServerType;
  let chromium: Chromium;
  let page: Page;
  let base = '';
  let dir = '';
  let accounts: Record<Role, DemoAccount>;
  let bankName = '';

  beforeAll(async () => {
    ctx = await createTestContext({ DATADEED_PUBLIC_URL: PUBLIC_URL });
    const demo = await seedDemo(ctx);
    accounts = Object.fromEntries(demo.accounts.map((a) => [a.role, a])) as Record<Role, DemoAccount>;
    bankName = accounts.bank.organisation;
    server = serve({ fetch: createApp(ctx.services).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    dir = mkdtempSync(path.join(tmpdir(), 'dd-journey-'));
  });
  afterAll(async () => {
    await chromium?.close();
    server?.close();
    await ctx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(role: Role | null): Promise<void> {
    await chromium.context.clearCookies();
    // Chromium asks for English (Accept-Language: en-US): the switch, remembered in a cookie, makes it Chinese
    await page.goto(`${base}/login?lang=zh`);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    if (!role) return;
    await page.fill('#f-username', accounts[role].username);
    await page.fill('#f-password', accounts[role].password);
    await Promise.all([page.waitForURL(/\/dashboard$/), page.click('form[action="/login"] button[type=submit]')]);
    expect(await page.getAttribute('header [data-role]', 'data-role')).toBe(role);
  }

  /** Confirms the action on a confirmation page and lands on the page it leads to. */
  async function confirm(): Promise<void> {
    await Promise.all([page.waitForNavigation(), page.click('button[data-confirm]')]);
  }

  const state = () => page.getAttribute('.card .status[data-state]', 'data-state');

  /** The log entry an action just wrote, as its entry page names it. */
  async function writtenKind(): Promise<string> {
    const href = await page.getAttribute('[data-written-entry]', 'href');
    expect(href).toMatch(/^\/log\/entries\/\d+$/);
    const entry = await page.context().request.get(base + href!, { headers: { accept: 'text/html', ...ONCE } });
    return /<code>([a-z_.]+)<\/code>/.exec(await entry.text())![1]!;
  }

  let applicationUrl = '';
  let number = '';

  it('the applicant fingerprints a folder in the browser, sees a bad field beside it, and files the complete application', async () => {
    // the dataset, and its manifest root computed here from the same files
    const data = path.join(dir, '钻井数据');
    mkdirSync(path.join(data, 'wells'), { recursive: true });
    const files: [string, string][] = [
      ['README.txt', 'Ordos basin drilling records, journey test.\n'],
      ['wells/ORD-0001.csv', 'well_id,depth_from_m,depth_to_m\nORD-0001,0,120\nORD-0001,120,260\n'],
      ['wells/样本.csv', 'well_id,lithology\nORD-0002,sandstone\n'],
    ];
    for (const [p, text] of files) writeFileSync(path.join(data, p), text);
    const manifest = buildManifest(files.map(([p, text]) => ({ path: p, size: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') })));

    await signIn('applicant');
    await page.goto(`${base}/applications/new`);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.setInputFiles('#fp-folder', data);
    await page.waitForSelector('[data-datadeed-fingerprint][data-state="done"]', { timeout: 30_000 });
    expect(await page.inputValue('#f-manifestRoot')).toBe(manifest.root);
    expect(await page.inputValue('#f-files')).toBe('3');
    // the 统一社会信用代码 is checked as it is typed
    await page.fill('#f-holderUscc', '91350100M000100Y44');
    expect(await page.getAttribute('[data-uscc-status]', 'data-ok')).toBe('false');
    await page.fill('#f-holderUscc', '91350100M000100Y43');
    expect(await page.getAttribute('[data-uscc-status]', 'data-ok')).toBe('true');

    await page.fill('#f-datasetName', '鄂尔多斯盆地钻井记录 Ordos drilling records (journey)');
    await page.selectOption('#f-updateFrequency', 'monthly');
    await page.fill('#f-industry', 'B07');
    await page.fill('#f-timeSpan-from', '2019-01-01');
    await page.fill('#f-timeSpan-to', '2024-12-31');
    await page.fill('#f-dataSource', '自有钻井作业 Own drilling operations');
    await page.fill('#f-collectionMethod', 'Logging while drilling');
    await page.check('#f-legality-lawfulCollection');
    await page.fill('#f-structure', 'CSV, one row per drilling interval');
    await page.fill('#f-format', 'CSV (UTF-8)');
    await page.fill('#f-scale-records', '220000');
    await page.fill('#f-processingRules', 'De-duplication, unit normalisation');
    await page.fill('#f-scenarios', '储层建模 Reservoir modelling\n钻井优化 Drilling optimisation');
    await page.fill('#f-contact-name', '张工');
    await page.fill('#f-contact-phone', '+86 10 5555 0100');
    await page.fill('#f-contact-email', 'not an email');
    await Promise.all([page.waitForNavigation(), page.click('button[data-intent="submit"]')]);
    // refused at the field, with every value kept
    expect(await page.getAttribute('#f-contact-email', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#f-contact-email-err')).toBeTruthy();
    expect(await page.getAttribute('#form-errors', 'data-code')).toBe('invalid_field');
    expect(await page.inputValue('#f-datasetName')).toContain('journey');
    expect(await page.inputValue('#f-manifestRoot')).toBe(manifest.root);

    await page.fill('#f-contact-email', 'data@demo.example');
    await page.setInputFiles('#f-sample', { name: 'sample.csv', mimeType: 'text/csv', buffer: Buffer.from(files[1]![1]) });
    await Promise.all([page.waitForURL(/\/applications\/[0-9a-f-]{36}\?done=submit$/), page.click('button[data-intent="submit"]')]);
    applicationUrl = page.url().replace(/\?.*$/, '');
    expect(await state()).toBe('submitted');
    expect(await writtenKind()).toBe('application.submitted');
    // the root was deposited as evidence, and its proof verifies in the browser
    expect(await page.getAttribute('[data-deposit-id]', 'data-deposit-id')).toMatch(/^EV-2026-\d{8}$/);
    await page.waitForSelector('#verdict', { timeout: 30_000 });
    expect(await page.getAttribute('#verdict', 'data-ok')).toBe('true');
    expect(await page.textContent('main')).toContain('sample.csv');
  });

  it('a reviewer claims it and requests a change with a comment; the applicant sees it and answers', async () => {
    await signIn('reviewer');
    await page.goto(`${base}/queue`);
    await Promise.all([page.waitForNavigation(), page.click(`a[href="${new URL(applicationUrl).pathname}"]`)]);
    expect(await page.getAttribute('[data-actions]', 'data-actions')).toBe('claim');
    await Promise.all([page.waitForNavigation(), page.click('[data-action="claim"]')]);
    await confirm();
    expect(await state()).toBe('in_review');
    expect(await writtenKind()).toBe('review.claimed');
    // only what the state allows: no approval before the notice
    expect(await page.getAttribute('[data-actions]', 'data-actions')).toBe('request-changes reject open-notice');
    await Promise.all([page.waitForNavigation(), page.click('[data-action="request-changes"]')]);
    // a comment is required: refused beside the field first
    await confirm();
    expect(await page.getAttribute('#f-comment', 'aria-invalid')).toBe('true');
    await page.fill('#f-comment', '请补充数据来源的授权证明。Please add proof of the source licence.');
    await confirm();
    expect(await state()).toBe('changes_requested');
    expect(await writtenKind()).toBe('review.changes_requested');

    await signIn('applicant');
    await page.goto(applicationUrl);
    expect(await page.textContent('[data-change-request]')).toContain('请补充数据来源的授权证明');
    await Promise.all([page.waitForNavigation(), page.click(`a[href="${new URL(applicationUrl).pathname}/edit"]`)]);
    expect(await page.inputValue('#f-contact-email')).toBe('data@demo.example');
    await page.fill('#f-dataSource', '自有钻井作业，授权证明见附件。Own drilling operations; licence attached.');
    await Promise.all([page.waitForURL(/\?done=submit$/), page.click('button[data-intent="submit"]')]);
    expect(await state()).toBe('submitted');
  });

  it('the reviewer opens the notice, someone objects, and the reviewer dismisses the objection', async () => {
    await signIn('reviewer');
    await page.goto(applicationUrl);
    await Promise.all([page.waitForNavigation(), page.click('[data-action="claim"]')]);
    await confirm();
    await Promise.all([page.waitForNavigation(), page.click('[data-action="open-notice"]')]);
    await confirm();
    expect(await state()).toBe('public_notice');
    expect(await writtenKind()).toBe('notice.opened');
    expect(await page.getAttribute('[data-actions]', 'data-actions')).toBe(''); // no approval while the notice runs

    await signIn(null);
    const id = new URL(applicationUrl).pathname.split('/').pop()!;
    await page.goto(`${base}/notices`);
    expect(await page.textContent(`[data-notice="${id}"]`)).toContain('Ordos drilling records (journey)');
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/notices/${id}/objections"]`)]);
    await page.fill('#f-name', '李四');
    await page.fill('#f-contact', 'li@example.com');
    await page.fill('#f-grounds', '该数据集与我方数据重复。This copies our dataset.');
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/objections"] button[type=submit]')]);
    expect(await page.getAttribute('[data-objection]', 'data-objection')).toMatch(/^[0-9a-f-]{36}$/);

    await signIn('reviewer');
    await page.goto(applicationUrl);
    expect(await state()).toBe('objection');
    expect(await page.textContent('[data-objection-state="open"]')).toContain('This copies our dataset.');
    await Promise.all([page.waitForNavigation(), page.click('[data-action="dismiss"]')]);
    await page.fill('#f-reason', 'The grounds are not founded: the dataset is the applicant’s own.');
    await confirm();
    expect(await state()).toBe('public_notice');
    expect(await writtenKind()).toBe('objection.dismissed');
    expect(await page.getAttribute('[data-objection]', 'data-objection-state')).toBe('dismissed');
  });

  it('the notice period passes, the certificate is issued, and its page — reached from the PDF’s QR code — shows it valid', async () => {
    ctx.clock.advance(11 * DAY);
    // the registry clock's job (serve runs it every minute)
    expect(await ctx.registry.applications.closeElapsedNotices()).toBe(1);
    await signIn('applicant');
    await page.goto(applicationUrl);
    expect(await state()).toBe('approved');
    number = (await page.getAttribute('[data-certificate]', 'data-certificate'))!;
    expect(number).toMatch(/^2026\d{2}1200\d{7}$/); // national format: year, month, registry code (default 1200), serial

    const pdf = await page.context().request.get(`${base}/v1/certificates/${number}/pdf`, { headers: ONCE });
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    let target = `/verify/${number}`;
    if (HAS_QR_TOOLS) {
      const file = path.join(dir, `${number}.pdf`);
      writeFileSync(file, await pdf.body());
      expect(spawnSync('pdftoppm', ['-png', '-r', '150', '-singlefile', file, path.join(dir, 'qr')]).status).toBe(0);
      const url = spawnSync('zbarimg', ['-q', '--raw', path.join(dir, 'qr.png')], { encoding: 'utf8' }).stdout.trim();
      expect(url).toBe(`${PUBLIC_URL}/verify/${number}`);
      target = new URL(url).pathname;
    } else console.warn('pdftoppm/zbarimg missing: the QR code is not decoded');
    await page.goto(base + target);
    expect(await page.getAttribute('#live-verdict', 'data-verdict')).toBe('valid');
    await page.waitForSelector('#verdict', { timeout: 30_000 });
    expect(await page.getAttribute('#verdict', 'data-ok')).toBe('true');
    expect(await page.textContent('[data-authority]')).toBe('数据知识产权登记机构');
  });

  it('a notary office attests the deposited dataset on its page; the verification page names it, checked in the browser', async () => {
    const root = (await ctx.registry.certificates.get(number)).dataset.manifestRoot;
    await signIn('notary');
    await page.goto(`${base}/attestations/new?digest=${root}`);
    await page.fill('#f-notarialNumber', '(2026)示例证字第88号');
    const local = await page.inputValue('#f-attestedAt'); // prefilled with the registry's clock, in its zone
    const attestedAt = instantOfLocal(local, 'Asia/Shanghai')!.toISOString();
    const signed = await signAttestation(
      { origin: ctx.registry.deps.settings.origin, digest: root, notarialNumber: '(2026)示例证字第88号', office: accounts.notary.organisation, attestedAt },
      NOTARY_KEY,
      nodeEd25519Sign(NOTARY_SEED),
    );
    // a signature that does not verify is refused beside its field
    await page.fill('#f-notaryKey', signed.notaryKey);
    await page.fill('#f-signature', 'A'.repeat(86) + '==');
    await Promise.all([page.waitForNavigation(), page.click('form[data-attest-form] button[type=submit]')]);
    expect(await page.getAttribute('#f-signature', 'aria-invalid')).toBe('true');
    await page.fill('#f-signature', signed.signature);
    await Promise.all([page.waitForURL(/\/dashboard\?done=attest&entry=\d+$/), page.click('form[data-attest-form] button[type=submit]')]);
    expect(await writtenKind()).toBe('notary.attested');
    expect(await page.textContent('[data-attestations]')).toContain('(2026)示例证字第88号');

    await page.goto(`${base}/verify/${number}`);
    expect(await page.textContent('[data-attesters] [data-notary]')).toContain(accounts.notary.organisation);
    await page.waitForSelector('#verdict', { timeout: 30_000 });
    expect(await page.getAttribute('#verdict', 'data-ok')).toBe('true');
    expect(await page.textContent('[data-results] [data-notary]')).toContain('(2026)示例证字第88号');
  });

  it('a bank requests a pledge; the applicant consents after a confirmation naming the bank, term and amount; the page shows it pledged', async () => {
    await signIn('bank');
    await page.goto(`${base}/pledges/new?number=${number}`);
    await page.fill('#f-loanReference', 'LOAN-2026-0042');
    await page.fill('#f-amount', '5000000.00');
    await page.fill('#f-start', '2026-02-01');
    await page.fill('#f-end', '2027-02-01');
    await Promise.all([page.waitForNavigation(), page.click('form[data-pledge-form] button[type=submit]')]);
    // a confirmation naming the holder, the amount and the term before the request goes out
    expect(await page.textContent('[data-amount]')).toBe('5000000.00 CNY');
    await Promise.all([page.waitForURL(/\/dashboard\?done=requested$/), page.click('[data-confirm-form] button[data-confirm]')]);
    expect(await page.getAttribute('[data-pledge]', 'data-pledge-state')).toBe('requested');

    await signIn('applicant');
    expect(await page.textContent('[data-pending-pledges]')).toContain(bankName);
    await Promise.all([page.waitForNavigation(), page.click('[data-pending-pledges] form[action$="/consent"] button')]);
    expect(await page.textContent('[data-pledgee]')).toBe(bankName);
    expect(await page.textContent('[data-amount]')).toBe('5000000.00 CNY');
    expect((await page.textContent('[data-term]'))!.replace(/\s+/g, ' ').trim()).toBe('2026-02-01 — 2027-02-01');
    await confirm();
    expect(page.url()).toContain(`/certificates/${number}?done=consent`);
    expect(await writtenKind()).toBe('pledge.recorded');

    await page.goto(`${base}/verify/${number}`);
    expect(await page.getAttribute('#live-verdict', 'data-verdict')).toBe('pledged');
    expect(await page.textContent('[data-encumbrances]')).toContain(bankName);
  });

  it('the bank downloads the pledge receipt and a verification report, PDFs that verify offline', async () => {
    await signIn('bank');
    const href = await page.getAttribute('a[data-receipt-pdf]', 'href');
    const res = await page.context().request.get(base + href!, { headers: ONCE });
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    const bytes = new Uint8Array(await res.body());
    const r = await verifyPdf(bytes, trustedKeys(await ctx.services.keys.published()), nodeCrypto);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.attachment).toMatch(/^PLG-2026-\d{6}\.datadeed\.json$/);

    await page.goto(`${base}/verify/${number}`);
    const report = await page.context().request.get(base + (await page.getAttribute('a[data-report]', 'href'))!, { headers: ONCE });
    expect(report.headers()['content-type']).toBe('application/pdf');
    const rr = await verifyPdf(new Uint8Array(await report.body()), trustedKeys(await ctx.services.keys.published()), nodeCrypto);
    expect(rr.checks.filter((c) => !c.ok)).toEqual([]);
    expect(rr.attachment).toBe(`${number}.datadeed.json`);
    if (HAS_QR_TOOLS) {
      const file = path.join(dir, 'report.pdf');
      writeFileSync(file, await report.body());
      const text = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).stdout;
      expect(text).toContain(bankName); // the pledgee, by name
      expect(text).toContain('数据知识产权登记机构'); // the issuing authority, not the product
    }
  });

  it('a reviewer revokes the certificate (with a reason, confirmed) and the page shows it not valid', async () => {
    await signIn('reviewer');
    await page.goto(`${base}/verify/${number}`);
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/certificates/${number}/revoke"]`)]);
    await page.fill('#f-reason', 'The holder’s right in the dataset was annulled by a court.');
    await confirm();
    expect(await page.getAttribute('#live-verdict', 'data-verdict')).toBe('not-valid');
    expect(await page.getAttribute('main .card .status', 'data-state')).toBe('revoked');
    expect(await writtenKind()).toBe('certificate.revoked');
  });
});
