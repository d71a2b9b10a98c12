/**
 * Every page, for every role, in both languages, on a real server:
 *
 * - over HTTP, every page as every role (and anonymous): never a 5xx, always an HTML page
 *   (a PDF where the page is one) — never raw JSON or a stack trace;
 * - in Chromium, every page as the role it is for: axe-core (injected) finds no serious or
 *   critical violation, nothing overflows horizontally at 375 px, and a screenshot at 375
 *   and 1440 px is written under .tmp/screenshots (ignored by git) to look at.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/api/app.tsx';
import type { Role } from '../../src/accounts/pg/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { pagePaths, seedPages, type PagesSeed } from '../helpers/pages.ts';
import { browserRequired, chromiumAvailable, launchChromium, missingChromiumWarning, type Chromium } from './chromium.ts';

const available = chromiumAvailable();
if (!available) {
  console.warn(missingChromiumWarning());
  if (browserRequired())
    describe('every page', () => {
      it('needs Chromium (DATADEED_REQUIRE_BROWSER=1)', () => {
        throw new Error(missingChromiumWarning());
      });
    });
}

const SHOTS = '.tmp/screenshots';
const ROLES: Role[] = ['applicant', 'reviewer', 'bank', 'insurer', 'notary', 'admin'];
const LANGS = ['zh', 'en'] as const;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const slug = (path: string) => path.replace(/^\//, '').replace(/[^A-Za-z0-9-]+/g, '_').slice(0, 80) || 'home';

describe.runIf(available)('every page (Chromium)', () => {
  let ctx: TestContext;
  let server: ServerType;
  let chromium: Chromium;
  let base = '';
  let seed: PagesSeed;
  const sessions: Partial<Record<Role, string>> = {};

  beforeAll(async () => {
    ctx = await createTestContext();
    seed = await seedPages(ctx);
    server = serve({ fetch: createApp(ctx.services).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    for (const role of ROLES) {
      const a = seed.accounts[role];
      const res = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ username: a.username, password: a.password }), redirect: 'manual' });
      expect(res.status).toBe(303);
      sessions[role] = /dd_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
    }
    chromium = await launchChromium();
    rmSync(SHOTS, { recursive: true, force: true }); // this run's pages only
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await chromium?.close();
    server?.close();
    await ctx?.close();
  });

  it('every page as every role and anonymous, in both languages: no 5xx, no raw JSON', async () => {
    const all = Object.values(pagePaths(seed)).flat();
    const bad: string[] = [];
    for (const who of [undefined, ...ROLES])
      for (const lang of LANGS)
        for (const path of all) {
          const cookie = [who ? `dd_session=${sessions[who]}` : '', `dd_lang=${lang}`].filter(Boolean).join('; ');
          const res = await fetch(base + path, { headers: { cookie, accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
          const type = res.headers.get('content-type') ?? '';
          const body = await res.text();
          const what = `${who ?? 'anonymous'} ${lang} ${path} → ${res.status} ${type}`;
          if (res.status >= 500) bad.push(what);
          else if (res.status >= 300 && res.status < 400) continue; // sign in first, or the holder's page → the public one
          else if (!(type.startsWith('text/html') || (path.endsWith('.pdf') && type === 'application/pdf'))) bad.push(`${what}: not a page`);
          else if (type.startsWith('text/html') && (!body.startsWith('<!DOCTYPE html>') || /"stack"|at [\w.]+ \(\//.test(body))) bad.push(`${what}: not a clean page`);
        }
    expect(bad).toEqual([]);
  });

  it('axe, injected as the page checks do it, reports a violation planted in a page', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.evaluate(() => document.querySelector('main')!.append(Object.assign(document.createElement('img'), { src: '/assets/none.png' })));
    await page.evaluate(AXE);
    const ids = await page.evaluate(async () => {
      const r = await (globalThis as unknown as { axe: { run(d: Document): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run(document);
      return r.violations.map((v) => `${v.impact} ${v.id}`);
    });
    expect(ids).toContain('critical image-alt');
    await page.close();
  });

  for (const role of ['public', ...ROLES] as const)
    for (const lang of LANGS)
      it(`${role} pages in ${lang}: axe finds no serious or critical violation, no overflow at 375 px`, async () => {
        const page = await chromium.context.newPage();
        await chromium.context.clearCookies();
        const cookies: { name: string; value: string; url: string }[] = [{ name: 'dd_lang', value: lang, url: base }];
        if (role !== 'public') cookies.push({ name: 'dd_session', value: sessions[role]!, url: base });
        await chromium.context.addCookies(cookies);
        const problems: string[] = [];
        const paths = pagePaths(seed)[role].filter((p) => !p.endsWith('.pdf'));
        for (const path of paths) {
          await page.setViewportSize({ width: 375, height: 800 });
          const res = await page.goto(base + path, { waitUntil: 'load' });
          expect(res?.status() ?? 0, path).toBeLessThan(500);
          expect(res?.headers()['content-type'] ?? '', path).toMatch(/^text\/html/);
          const lang_ = await page.getAttribute('html', 'lang');
          expect(lang_, path).toBe(lang === 'zh' ? 'zh-CN' : 'en');
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 0) problems.push(`${path}: overflows by ${overflow} px at 375 px`);
          await page.screenshot({ path: `${SHOTS}/${role}-${lang}-${slug(path)}-375.jpg`, fullPage: true, type: 'jpeg', quality: 80 });
          await page.evaluate(AXE);
          const violations = (await page.evaluate(async () => {
            const r = await (globalThis as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, {
              resultTypes: ['violations'],
            });
            return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
          })) as { id: string; impact: string; targets: string[] }[];
          for (const v of violations) if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${path}: ${v.impact} ${v.id} at ${v.targets.join(', ')}`);
          await page.setViewportSize({ width: 1440, height: 900 });
          await page.screenshot({ path: `${SHOTS}/${role}-${lang}-${slug(path)}-1440.jpg`, fullPage: true, type: 'jpeg', quality: 80 });
        }
        await page.close();
        expect(problems).toEqual([]);
      });
});
