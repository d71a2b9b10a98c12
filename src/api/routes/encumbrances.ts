/** Pledges, licences, transfers and insurance policies against certificates. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppContext } from '../../context.ts';
import { requireRole, type AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';
import { logBundle } from '../bundles.ts';
import { RegistryError } from '../../registry/errors.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearer: [] as string[] }];
const NumberParam = z.object({ number: z.string().regex(/^[A-Z][A-Z0-9]{0,15}-\d{4}-\d{6,10}$/) });
const IdParam = z.object({ id: z.string().uuid() });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const Term = z.object({ start: date, end: date }).strict();
const Money = z
  .object({ value: z.string().regex(/^(0|[1-9]\d{0,15})(\.\d{1,2})?$/, 'a decimal amount like 1000000.00'), currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217, e.g. CNY') })
  .strict();
const Obj = z.record(z.string(), z.unknown());

/** The request once validated by the route's schemas (loosely typed: each handler knows its own shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Valid = (target: 'param' | 'json' | 'query') => any;
type Handler = (c: Context<AppEnv> & { req: { valid: Valid } }) => Promise<Response>;

export function registerEncumbranceRoutes(api: OpenAPIHono<AppEnv>, ctx: AppContext): void {
  const enc = ctx.registry.encumbrances;
  const app = { openapi: (r: unknown, h: Handler) => api.openapi(r as never, h as never) };
  const route = (method: 'get' | 'post', path: string, summary: string, tag: string, request: Record<string, unknown>, status: 200 | 201 = 200) =>
    createRoute({
      method,
      path,
      tags: [tag],
      summary,
      security,
      request: request as never,
      responses: { [status]: { description: 'OK', ...json(Obj) }, ...problemResponses(401, 403, 404, 409, 422) } as never,
    });

  app.openapi(
    route(
      'post',
      '/v1/certificates/{number}/pledges',
      'Bank: request a pledge (质押登记). Consent model: the holder organisation then confirms it with POST /v1/pledges/{id}/consent; only then is it recorded in the log.',
      'pledges',
      { params: NumberParam, body: { required: true, ...json(z.object({ loanReference: z.string().trim().min(1).max(100), amount: Money, term: Term }).strict()) } },
      201,
    ),
    async (c) => c.json((await enc.requestPledge(requireRole(c, 'bank'), c.req.valid('param').number, c.req.valid('json'))) , 201),
  );
  app.openapi(route('get', '/v1/pledges', 'Pledges you requested (bank) or on your certificates (holder)', 'pledges', {}), async (c) =>
    c.json({ items: await enc.listPledges(requireRole(c, 'bank', 'applicant')) }, 200),
  );
  app.openapi(route('get', '/v1/pledges/{id}', 'One pledge (the pledgee also sees the amount commitment nonce)', 'pledges', { params: IdParam }), async (c) =>
    c.json((await enc.getPledge(requireRole(c, 'bank', 'applicant', 'reviewer', 'admin'), c.req.valid('param').id)), 200),
  );
  app.openapi(route('post', '/v1/pledges/{id}/consent', 'Holder: consent — records the pledge (pledge.recorded) and pledges the certificate', 'pledges', { params: IdParam }), async (c) =>
    c.json((await enc.consent(requireRole(c, 'applicant'), c.req.valid('param').id)), 200),
  );
  app.openapi(route('post', '/v1/pledges/{id}/decline', 'Holder: decline a pledge request', 'pledges', { params: IdParam }), async (c) =>
    c.json((await enc.decline(requireRole(c, 'applicant'), c.req.valid('param').id)), 200),
  );
  app.openapi(route('post', '/v1/pledges/{id}/release', 'Pledgee: release (pledge.released)', 'pledges', { params: IdParam }), async (c) =>
    c.json((await enc.release(requireRole(c, 'bank'), c.req.valid('param').id)), 200),
  );
  app.openapi(route('post', '/v1/pledges/{id}/allow-subsequent', 'Pledgee: consent to a further pledge of the same certificate', 'pledges', { params: IdParam }), async (c) =>
    c.json((await enc.allowSubsequent(requireRole(c, 'bank'), c.req.valid('param').id)), 200),
  );
  app.openapi(route('get', '/v1/pledges/{id}/receipt', 'Pledge receipt bundle (entry + inclusion proof + checkpoint), verifiable offline', 'pledges', { params: IdParam }), async (c) => {
    const p = requireRole(c, 'bank', 'applicant', 'reviewer', 'admin');
    const pl = await enc.getPledge(p, c.req.valid('param').id);
    if (pl.recordedLogIndex === null) throw new RegistryError('illegal_transition', 'the pledge is not recorded yet');
    const text = await logBundle(ctx, 'pledge', pl.recordedLogIndex);
    return c.body(text, 200, { 'Content-Type': 'application/json', 'Content-Disposition': `attachment; filename="${pl.pledgeNumber}.datadeed.json"` });
  });

  app.openapi(
    route('post', '/v1/certificates/{number}/licences', 'Holder: record a licence (许可)', 'certificates', {
      params: NumberParam,
      body: {
        required: true,
        ...json(
          z
            .object({
              licensee: z.string().trim().min(1).max(200),
              licenseeUscc: z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/).optional(),
              scope: z.string().trim().min(1).max(2000),
              term: Term,
              exclusive: z.boolean(),
            })
            .strict(),
        ),
      },
    }, 201),
    async (c) => c.json((await enc.recordLicence(requireRole(c, 'applicant'), c.req.valid('param').number, c.req.valid('json'))) , 201),
  );
  app.openapi(
    route('post', '/v1/certificates/{number}/transfer', 'Holder: transfer (转让) to another enterprise — a new certificate version; refused while pledged', 'certificates', {
      params: NumberParam,
      body: { required: true, ...json(z.object({ toOrgId: z.string().uuid() }).strict()) },
    }),
    async (c) => c.json((await enc.transfer(requireRole(c, 'applicant'), c.req.valid('param').number, c.req.valid('json').toOrgId)), 200),
  );
  app.openapi(
    route('post', '/v1/certificates/{number}/policies', 'Insurer: record an insurance policy (数据知识产权保险)', 'insurance', {
      params: NumberParam,
      body: {
        required: true,
        ...json(
          z
            .object({
              policyNumber: z.string().trim().min(1).max(100),
              insuredAmount: Money,
              term: Term,
              coverageType: z.enum(['infringement', 'loss', 'liability', 'pledge_credit', 'other']),
            })
            .strict(),
        ),
      },
    }, 201),
    async (c) => c.json((await enc.recordPolicy(requireRole(c, 'insurer'), c.req.valid('param').number, c.req.valid('json'))) , 201),
  );
}
