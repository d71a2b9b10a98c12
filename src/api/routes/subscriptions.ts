/** Subscriptions to log events, delivered as signed webhooks, and their delivery log. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiServices } from '../services.ts';
import { requireRole, type AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';
import { RecordIdParam } from '../schemas.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearer: [] as string[] }];
const Obj = z.record(z.string(), z.unknown());
const SubscriptionBody = z
  .object({
    topic: z.enum(['certificate', 'holder', 'digest', 'industry']),
    target: z.string().max(100).openapi({ description: 'A certificate number, a holder’s 统一社会信用代码, a SHA-256 digest (manifest root), or a GB/T 4754 industry code' }),
    url: z.string().max(500).openapi({ description: 'Where to POST (http or https)' }),
  })
  .openapi('Subscription', { example: { topic: 'industry', target: 'I65', url: 'https://bank.example/hooks/datadeed' } });

export function registerSubscriptionRoutes(app: OpenAPIHono<AppEnv>, ctx: Pick<ApiServices, 'subscriptions'>): void {
  const subs = ctx.subscriptions;
  const who = ['applicant', 'bank', 'insurer'] as const;
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/subscriptions',
      tags: ['subscriptions'],
      summary:
        'Subscribe (holder, bank, insurer) to a certificate, a holder’s USCC, a digest, or new notices in an industry: each matching log entry is POSTed as JSON with `X-DataDeed-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, retried with exponential back-off until a 2xx. The secret is shown once.',
      security,
      request: { body: { required: true, ...json(SubscriptionBody) } },
      responses: { 201: { description: 'Subscribed', ...json(Obj) }, ...problemResponses(401, 403, 422) },
    }),
    async (c) => c.json((await subs.create(requireRole(c, ...who), c.req.valid('json'))) as never, 201),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/subscriptions', tags: ['subscriptions'], summary: 'Your organisation’s subscriptions', security, responses: { 200: { description: 'List', ...json(Obj) }, ...problemResponses(401, 403) } }),
    async (c) => c.json({ items: await subs.list(requireRole(c, ...who)) } as never, 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/subscriptions/{id}',
      tags: ['subscriptions'],
      summary: 'Stop a subscription (its delivery log stays)',
      security,
      request: { params: RecordIdParam },
      responses: { 200: { description: 'Stopped', ...json(Obj) }, ...problemResponses(401, 403, 404) },
    }),
    async (c) => c.json((await subs.cancel(requireRole(c, ...who), c.req.valid('param').id)) as never, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/subscriptions/{id}/deliveries',
      tags: ['subscriptions'],
      summary: 'The delivery log: each event, its attempts, the last HTTP status or error, when delivered',
      security,
      request: { params: RecordIdParam },
      responses: { 200: { description: 'Deliveries', ...json(Obj) }, ...problemResponses(401, 403, 404) },
    }),
    async (c) => c.json({ items: await subs.deliveries(requireRole(c, ...who), c.req.valid('param').id) } as never, 200),
  );
}
