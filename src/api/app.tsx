/**
 * The HTTP application: one hono app, one error boundary (RFC 9457 problems),
 * one OpenAPI document generated from the same zod schemas that validate input.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { AppContext } from '../context.ts';
import { Metrics } from './metrics.ts';
import { ApiError, problem, sendProblem, toProblem } from './problem.ts';
import { registerLogRoutes } from './routes/log.ts';
import { registerKeyRoutes } from './routes/keys.ts';
import { registerTlogRoutes } from './routes/tlog.ts';
import { registerAccountRoutes } from './routes/accounts.ts';
import { registerApplicationRoutes } from './routes/applications.ts';
import { registerCertificateRoutes } from './routes/certificates.ts';
import { registerEncumbranceRoutes } from './routes/encumbrances.ts';
import { registerEvidenceRoutes } from './routes/evidence.ts';
import { authenticate, type AppEnv } from './auth.ts';
import { DocsPage } from './pages/docs.tsx';
import { registerPublicPages } from './pages/public.tsx';
import { registerAccountPages } from './pages/account.tsx';
import { ErrorPage } from './pages/error.tsx';
import { page } from './pages/layout.tsx';
import { browserBundle } from './assets.ts';
import { fingerprintAssets } from '../fingerprint/browser/bundle.ts';

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_DEPOSIT_BODY_BYTES = 4 * 1024 * 1024;

export interface AppOptions {
  logger?: Logger;
}

export function createApp(ctx: AppContext, opts: AppOptions = {}): OpenAPIHono<AppEnv> {
  const log = opts.logger;
  const metrics = new Metrics();
  const requests = metrics.counter('datadeed_http_requests_total', 'HTTP requests by method and status class');
  metrics.gauge('datadeed_log_tree_size', 'Entries in the evidence log', async () => (await ctx.store.latestCheckpoint())?.size ?? 0);
  metrics.gauge('process_resident_memory_bytes', 'Resident set size', () => process.memoryUsage.rss());

  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const errors = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        return sendProblem(c, problem(400, 'invalid_request', 'Bad Request', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors));
      }
    },
  });

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    requests({ method: c.req.method, status: `${String(c.res.status)[0]}xx` });
    log?.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  const smallBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => sendProblem(c, problem(413, 'body_too_large', 'Content Too Large', `Bodies are limited to ${MAX_BODY_BYTES} bytes.`)),
  });
  const depositBody = bodyLimit({
    maxSize: MAX_DEPOSIT_BODY_BYTES,
    onError: (c) => sendProblem(c, problem(413, 'body_too_large', 'Content Too Large', `Deposit requests are limited to ${MAX_DEPOSIT_BODY_BYTES} bytes.`)),
  });
  // 1,000 deposit items with 500-character titles need more than the default bound
  app.use('*', (c, next) => (c.req.path === '/v1/evidence' ? depositBody(c, next) : smallBody(c, next)));

  app.use('*', authenticate(ctx.database.db, () => ctx.clock.now()));

  app.onError((err, c) => {
    const { problem: p, internal } = toProblem(err);
    if (internal) log?.error({ err, path: c.req.path }, 'internal error');
    // a person using the pages gets the same problem as a page
    const isPage = !c.req.path.startsWith('/v1/') && (c.req.header('accept') ?? '').includes('text/html');
    if (isPage) return c.html(page(<ErrorPage problem={p} principal={c.get('principal')} />), p.status as never);
    return sendProblem(c, p);
  });
  app.notFound((c) => sendProblem(c, problem(404, 'route_not_found', 'Not Found', `No route for ${c.req.method} ${c.req.path}.`)));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await ctx.store.latestCheckpoint();
      return c.json({ status: 'ready' });
    } catch {
      throw new ApiError(503, 'not_ready', 'Service Unavailable', 'The database is not reachable.');
    }
  });
  app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4' }));

  registerTlogRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  registerKeyRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerApplicationRoutes(app, ctx);
  registerCertificateRoutes(app, ctx);
  registerEncumbranceRoutes(app, ctx);
  registerEvidenceRoutes(app, ctx);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'API token (ddt_…)' });

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'DataDeed API',
      version: '1',
      description:
        'Data intellectual property registry with an RFC 6962 evidence log. Errors are RFC 9457 problems with a stable `code`. The C2SP tlog-tiles endpoints `/checkpoint`, `/tile/<L>/<N>[.p/<W>]` and `/tile/entries/<N>[.p/<W>]` are served beside this API.',
    },
  });
  app.get('/assets/verify.js', async (c) => c.body(await browserBundle('browser/verify-page.ts'), 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
  app.get('/assets/fingerprint.js', async (c) => c.body((await fingerprintAssets()).pageJs, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
  app.get('/assets/fingerprint-worker.js', async (c) =>
    c.body((await fingerprintAssets()).workerJs, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }),
  );
  registerPublicPages(app as never, ctx);
  registerAccountPages(app as never, ctx);

  app.get('/docs', (c) => {
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'DataDeed API', version: '1', description: 'Data intellectual property registry with an RFC 6962 evidence log.' } });
    return c.html('<!DOCTYPE html>' + String(<DocsPage doc={doc as never} />));
  });
  return app;
}
