/**
 * The HTTP application: one hono app, one error boundary (RFC 9457 problems),
 * one OpenAPI document generated from the same zod schemas that validate input.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { ApiServices } from './services.ts';
import { ServerMetrics } from './metrics.ts';
import { ReadAnswers } from './read-answers.ts';
import { ApiError, errorForLog, problemFor, sendProblem, toProblem } from './problem.ts';
import { SECURITY_SCHEMES, completeRoutes } from './openapi.ts';
import { registerLogRoutes } from './routes/log.ts';
import { registerKeyRoutes } from './routes/keys.ts';
import { registerTlogRoutes } from './routes/tlog.ts';
import { registerAccountRoutes } from './routes/accounts.ts';
import { registerApplicationRoutes } from './routes/applications.ts';
import { registerCertificateRoutes, type CertificatePdfOptions } from './routes/certificates.ts';
import { registerEncumbranceRoutes } from './routes/encumbrances.ts';
import { registerEvidenceRoutes } from './routes/evidence.ts';
import { registerAttestationRoutes } from './routes/attestations.ts';
import { registerStatisticsRoutes } from './routes/statistics.ts';
import { registerSubscriptionRoutes } from './routes/subscriptions.ts';
import { registerFeedRoutes } from './routes/feeds.ts';
import { authenticate, type AppEnv } from './auth.ts';
import { guardProtected } from './guard.ts';
import { securityHeaders } from './headers.ts';
import { signInBackoff } from './sign-in-guard.ts';
import { rateLimits } from './rate-limit.ts';
import { CSS } from './pages/layout.tsx';
import { DOCS_CSS } from './pages/docs.tsx';
import { refuseMalformedText } from './text-guard.ts';
import { DocsPage } from './pages/docs.tsx';
import { registerPublicPages } from './pages/public.tsx';
import { registerAccountPages } from './pages/account.tsx';
import { registerApplicationPages } from './pages/applications.tsx';
import { registerCertificatePages } from './pages/certificates.tsx';
import { registerFinancePages } from './pages/finance.tsx';
import { registerNotaryPages } from './pages/notary.tsx';
import { registerHolderPages } from './pages/holder.tsx';
import { registerAdminPages } from './pages/admin.tsx';
import { registerStatisticsPages } from './pages/statistics.tsx';
import { ErrorPage } from './pages/error.tsx';
import { page } from './pages/layout.tsx';
import { viewOf } from './pages/view.ts';
import { chooseLang, LANG_COOKIE } from './pages/i18n.ts';
import { formsScript, verifyPageScript, verifyPdfScript } from './assets.ts';
import { getCookie, setCookie } from 'hono/cookie';
import { fingerprintAssets } from '../fingerprint/browser/bundle.ts';

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_DEPOSIT_BODY_BYTES = 4 * 1024 * 1024;

export interface AppOptions {
  logger?: Logger;
  /** The metrics this app reports into (the server shares them with its jobs); one of its own otherwise. */
  metrics?: ServerMetrics;
  /** How certificate PDFs are rendered and kept (default: the real renderer, a bounded cache per app). */
  certificatePdfs?: CertificatePdfOptions;
  /** The ready answers of `/checkpoint`, `/tile/*` and inclusion proofs (shared with the server's `readFastPath`); a set of its own otherwise. */
  readAnswers?: ReadAnswers;
}

/** A person's browser asking for a page (not the API, which always answers problems). */
function isBrowser(c: Context): boolean {
  return !c.req.path.startsWith('/v1/') && (c.req.header('accept') ?? '').includes('text/html');
}

/** The pattern of the route that answered (`/v1/certificates/:number`), or `unmatched`: a bounded metrics label. */
function routeOf(c: Context): string {
  const routes = matchedRoutes(c).filter((r) => r.method !== 'ALL');
  return routes.length ? routes[routes.length - 1]!.path : 'unmatched';
}

export function createApp(services: ApiServices, opts: AppOptions = {}): OpenAPIHono<AppEnv> {
  const log = opts.logger;
  const metrics = opts.metrics ?? new ServerMetrics({ log: services.log, now: () => services.clock.now() });
  const readAnswers = opts.readAnswers ?? new ReadAnswers(services.log, services.settings.tileCacheBytes ?? 64 * 1024 * 1024);

  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const errors = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        return sendProblem(c, problemFor('invalid_request', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors));
      }
    },
  });

  // every request gets an id (a client's well-formed X-Request-Id, or a new one), echoed and logged
  app.use('*', requestId({ limitLength: 64 }));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    metrics.request(c.req.method, routeOf(c), c.res.status, seconds);
    log?.info({ reqId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(seconds * 1000) }, 'request');
  });
  app.use('*', securityHeaders());
  // The C2SP tlog-tiles reads are public, take no body, no session and no language, and
  // parse their path strictly: they answer here, before the rest of the chain, so a
  // monitor, witness or CDN reading tiles pays for none of it (issue #20's read path).
  registerTlogRoutes(app, services, readAnswers);
  // the pages' language: ?lang= (remembered in a cookie), the cookie, then Accept-Language
  app.use('*', async (c, next) => {
    if (!c.req.path.startsWith('/v1/')) {
      const { lang, remember } = chooseLang(c.req.query('lang'), getCookie(c, LANG_COOKIE), c.req.header('accept-language'));
      c.set('lang', lang);
      if (remember) setCookie(c, LANG_COOKIE, lang, { path: '/', maxAge: 365 * 86_400, sameSite: 'Lax', httpOnly: true, secure: services.settings.publicUrl.startsWith('https:') });
    }
    await next();
  });
  // per client address, before any body or database is read: writes and expensive reads
  const { rateLimit, trustProxy } = services.settings;
  if (rateLimit !== 'off') app.use('*', rateLimits({ limit: rateLimit, now: () => services.clock.now(), trustProxy }));
  const smallBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => sendProblem(c, problemFor('body_too_large', `Bodies are limited to ${MAX_BODY_BYTES} bytes.`)),
  });
  const depositBody = bodyLimit({
    maxSize: MAX_DEPOSIT_BODY_BYTES,
    onError: (c) => sendProblem(c, problemFor('body_too_large', `Deposit requests are limited to ${MAX_DEPOSIT_BODY_BYTES} bytes.`)),
  });
  // 1,000 deposit items with 500-character titles need more than the default bound; so does
  // the application form with its sample (up to MAX_SAMPLE_BYTES) beside the fields
  const bigBody = (path: string) => path === '/v1/evidence' || path === '/applications/new' || /^\/applications\/[^/]+\/edit$/.test(path);
  // a GET or HEAD has no body (@hono/node-server gives it none): asking would build the whole Request
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : bigBody(c.req.path) ? depositBody(c, next) : smallBody(c, next)));

  app.use('*', authenticate(services.accounts));
  // authenticate first, then validate: protected routes answer 401/403 before reading a body
  app.use('*', guardProtected(app));
  if (rateLimit !== 'off') app.use('/login', signInBackoff({ now: () => services.clock.now(), trustProxy }));

  // A form posted to a page is parsed here, before any page handler: a broken body (e.g. a
  // multipart body without its boundary) is a 400 `malformed_form`, not a failure inside
  // the handler; the handlers' `parseBody()` then reads the parsed form from hono's cache.
  app.use('*', async (c, next) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const isForm = type === 'multipart/form-data' || type === 'application/x-www-form-urlencoded';
    // pages take forms only: any other body (JSON, text …) would be read as an empty form
    if (!c.req.path.startsWith('/v1/') && c.req.method === 'POST' && !isForm && type !== '')
      throw new ApiError('unsupported_media_type', 'Pages accept forms (application/x-www-form-urlencoded or multipart/form-data).');
    if (!c.req.path.startsWith('/v1/') && c.req.method === 'POST' && isForm) {
      try {
        await c.req.parseBody();
      } catch (err) {
        throw new ApiError('malformed_form', 'The request body is not a valid form.', undefined, { cause: err });
      }
    }
    await next();
  });
  // no NUL or unpaired surrogate from outside reaches a route (each field's own rule: the domains' command schemas)
  app.use('*', refuseMalformedText());

  app.onError((err, c) => {
    const { problem: p, internal } = toProblem(err);
    if (internal) log?.error({ err: errorForLog(err), path: c.req.path }, 'internal error');
    // a person using the pages gets the same problem as a page
    if (isBrowser(c)) {
      // a person who is not signed in is sent to sign in, and back here afterwards
      if (p.code === 'unauthenticated' && c.req.method === 'GET' && !c.get('principal'))
        return c.redirect(`/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search || ''))}`, 303);
      return c.html(page(<ErrorPage v={viewOf(c, services.settings)} problem={p} />), p.status as never);
    }
    return sendProblem(c, p);
  });
  // unknown addresses: a page for a browser, a problem for a program
  app.notFound((c) => {
    const p = problemFor('route_not_found', `No route for ${c.req.method} ${c.req.path}.`);
    if (isBrowser(c)) return c.html(page(<ErrorPage v={viewOf(c, services.settings)} problem={p} />), 404);
    return sendProblem(c, p);
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    // a rollback or fork guard (or the clock) stopped the log: this instance must not take traffic
    if (services.log.stopped())
      throw new ApiError('log_stopped', 'The log stopped writing and signing: see the server log.');
    const r = await services.ready();
    if (!r.ready) {
      const failed = Object.entries(r.checks).filter(([, ok]) => !ok).map(([name]) => name);
      throw new ApiError('not_ready', `Not ready: ${failed.join(', ')}.`);
    }
    // a witness that is down never stops the log: it is reported, not a reason to be unready
    const witnesses = services.log.witnessStatus();
    return c.json({ status: 'ready', checks: r.checks, checkpointAgeSeconds: r.checkpointAgeSeconds, ...(witnesses.length > 0 ? { witnesses } : {}) });
  });
  app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType }));

  registerLogRoutes(app, services, readAnswers);
  registerKeyRoutes(app, services);
  registerAccountRoutes(app, services);
  registerApplicationRoutes(app, services);
  registerCertificateRoutes(app, services, opts.certificatePdfs);
  registerEncumbranceRoutes(app, services);
  registerEvidenceRoutes(app, services);
  registerAttestationRoutes(app, services);
  registerStatisticsRoutes(app, services);
  registerSubscriptionRoutes(app, services);
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  completeRoutes(app.openAPIRegistry.definitions);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'DataDeed API',
      version: '1',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      description:
        'Data intellectual property registry with an RFC 6962 evidence log. Errors are RFC 9457 problems with a stable `code`. The C2SP tlog-tiles endpoints `/checkpoint`, `/tile/<L>/<N>[.p/<W>]` and `/tile/entries/<N>[.p/<W>]` are served beside this API.',
    },
    servers: [{ url: services.settings.publicUrl, description: 'This registry' }],
  });
  app.get('/assets/site.css', (c) => c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
  app.get('/assets/docs.css', (c) => c.body(DOCS_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
  app.get('/assets/forms.js', async (c) => c.body(await formsScript(), 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
  app.get('/assets/verify.js', async (c) => c.body(await verifyPageScript(), 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
  app.get('/assets/verify-pdf.js', async (c) => c.body(await verifyPdfScript(), 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
  app.get('/assets/fingerprint.js', async (c) => c.body((await fingerprintAssets()).pageJs, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
  app.get('/assets/fingerprint-worker.js', async (c) =>
    c.body((await fingerprintAssets()).workerJs, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }),
  );
  registerPublicPages(app as never, services);
  registerAccountPages(app as never, services);
  registerApplicationPages(app as never, services);
  registerCertificatePages(app as never, services);
  registerFinancePages(app as never, services);
  registerNotaryPages(app as never, services);
  registerHolderPages(app as never, services);
  registerAdminPages(app as never, services);
  registerStatisticsPages(app as never, services);
  registerFeedRoutes(app as never, services);

  app.get('/docs', (c) => {
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'DataDeed API', version: '1', description: 'Data intellectual property registry with an RFC 6962 evidence log.' } });
    return c.html('<!DOCTYPE html>' + String(<DocsPage lang={c.get('lang') ?? 'zh'} doc={doc as never} />));
  });
  return app;
}
/** What the server may log of an error (never a failed query's parameters), for the CLI's server loop. */
export { errorForLog } from './problem.ts';
export { ServerMetrics } from './metrics.ts';
export { ReadAnswers, readFastPath, type FastPath } from './read-answers.ts';
