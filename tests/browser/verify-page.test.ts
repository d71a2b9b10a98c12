/**
 * The public verification page verifies in Chromium: the certificate's signature,
 * log entry, Merkle proof and checkpoint are checked by the page's own script (the
 * pure verifier), and a bundle altered on the way to the browser fails there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/api/app.tsx';
import { seedDemo } from '../../src/registry/demo.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
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

  beforeAll(async () => {
    ctx = await createTestContext();
    const demo = await seedDemo(ctx);
    number = demo.certificateNumber!;
    server = serve({ fetch: createApp(ctx).fetch, port: 0, hostname: '127.0.0.1' });
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
    expect(await page.locator('td.ok').count()).toBe(6);
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
