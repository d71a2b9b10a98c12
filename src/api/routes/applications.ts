/** Applications: drafts, sample upload, submission, the review queue and decisions, public notice and objections. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiServices } from '../services.ts';
import { APPLICATION_STATES, OBJECTION_LIMITS } from '../../registry/index.ts';
import { RegistryError } from '../../registry/index.ts';
import { ApplicationDraftBody, CommentBody, cursorQuery, fileNameQuery, holderQuery, instantQuery, limitQuery, ObjectionBody, ReasonBody, RecordIdParam, searchOf, searchQuery } from '../schemas.ts';
import { expectedVersion, requireRole, type AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';
import { checkSample, MAX_SAMPLE_BYTES } from '../sample.ts';
import { clientAddress } from '../client-address.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearer: [] as string[] }];
const Application = z.record(z.string(), z.unknown()).openapi('Application', { description: 'An application with its state, row version, form, sample and objections.' });
const Page = z.object({ items: z.array(z.record(z.string(), z.unknown())), nextCursor: z.string().nullable() });
const IdParam = RecordIdParam;
const Comment = CommentBody;
const Reason = ReasonBody;
const limit = limitQuery;
const ifMatch = z.object({ 'if-match': z.string().optional().openapi({ description: 'Row version from the last read (ETag); a stale one gets 409 version_conflict' }) });

export function registerApplicationRoutes(app: OpenAPIHono<AppEnv>, ctx: Pick<ApiServices, 'registry' | 'settings'>): void {
  const apps = ctx.registry.applications;
  const withEtag = (c: { header: (k: string, v: string) => void }, a: { rowVersion: number }) => c.header('ETag', `"${a.rowVersion}"`);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/applications',
      tags: ['applications'],
      summary: 'Start an application (a draft; any subset of the form)',
      security,
      request: { body: { required: true, ...json(ApplicationDraftBody) } },
      responses: { 201: { description: 'Draft created', ...json(Application) }, ...problemResponses(401, 403, 422) },
    }),
    async (c) => {
      const p = requireRole(c, 'applicant');
      const a = await apps.createDraft(p, c.req.valid('json'));
      withEtag(c, a);
      return c.json(a as never, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/applications',
      tags: ['applications'],
      summary: 'Applicants: your organisation’s applications. Reviewers: the queue, oldest first',
      security,
      request: {
        query: z.object({
          state: z
            .string()
            .optional()
            .openapi({ description: `comma-separated: ${APPLICATION_STATES.join(', ')}` }),
          from: instantQuery.optional(),
          to: instantQuery.optional(),
          holder: holderQuery.optional().openapi({ description: 'holder name (substring) or 统一社会信用代码' }),
          cursor: cursorQuery.optional(),
          limit,
        }),
      },
      responses: { 200: { description: 'A page', ...json(Page) }, ...problemResponses(400, 401, 403) },
    }),
    async (c) => {
      const p = requireRole(c, 'applicant', 'reviewer', 'admin');
      const q = c.req.valid('query');
      const states = q.state?.split(',').map((s) => s.trim());
      const bad = states?.find((s) => !(APPLICATION_STATES as readonly string[]).includes(s));
      if (bad) throw new RegistryError('invalid_field', `unknown state ${bad}`, [{ path: 'state', message: `unknown state ${bad}` }]);
      const page = await apps.list(p, {
        state: states as never,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        holder: q.holder,
        cursor: q.cursor,
        limit: q.limit,
      });
      return c.json(page as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/applications/{id}',
      tags: ['applications'],
      summary: 'One application (ETag = row version)',
      security,
      request: { params: IdParam },
      responses: { 200: { description: 'The application', ...json(Application) }, ...problemResponses(401, 403, 404) },
    }),
    async (c) => {
      const p = requireRole(c, 'applicant', 'reviewer', 'admin');
      const a = await apps.get(p, c.req.valid('param').id);
      withEtag(c, a);
      return c.json(a as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/applications/{id}',
      tags: ['applications'],
      summary: 'Edit a draft or an application sent back for changes (fields given replace; nested objects merge)',
      security,
      request: { params: IdParam, headers: ifMatch, body: { required: true, ...json(ApplicationDraftBody) } },
      responses: { 200: { description: 'Updated', ...json(Application) }, ...problemResponses(401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const p = requireRole(c, 'applicant');
      const a = await apps.updateDraft(p, c.req.valid('param').id, c.req.valid('json'), expectedVersion(c));
      withEtag(c, a);
      return c.json(a as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/applications/{id}/sample',
      tags: ['applications'],
      summary: `Upload the data sample (raw body, ≤ ${MAX_SAMPLE_BYTES} bytes; CSV, JSON, NDJSON, text or XLSX; ?filename=)`,
      security,
      request: { params: IdParam, query: z.object({ filename: fileNameQuery }) },
      responses: {
        200: { description: 'Stored', ...json(z.object({ filename: z.string(), mediaType: z.string(), size: z.number(), sha256: z.string() })) },
        ...problemResponses(401, 403, 404, 409, 413),
      },
    }),
    async (c) => {
      const p = requireRole(c, 'applicant');
      const declared = c.req.header('content-length');
      if (declared && Number(declared) > MAX_SAMPLE_BYTES) throw new RegistryError('sample_too_large', `the sample may be at most ${MAX_SAMPLE_BYTES} bytes`);
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const mediaType = checkSample(c.req.header('content-type') ?? '', bytes);
      const r = await apps.putSample(p, c.req.valid('param').id, { filename: c.req.valid('query').filename, mediaType, bytes });
      return c.json(r, 200);
    },
  );

  app.get('/v1/applications/:id/sample', async (c) => {
    const p = requireRole(c, 'applicant', 'reviewer', 'admin');
    const id = c.req.param('id');
    if (!RecordIdParam.shape.id.safeParse(id).success) throw new RegistryError('application_not_found', 'no such application');
    const s = await apps.getSample(p, id);
    return c.body(Buffer.from(s.bytes), 200, {
      'Content-Type': s.mediaType,
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(s.filename)}`,
      'X-Content-Type-Options': 'nosniff',
      Digest: `sha-256=${Buffer.from(s.sha256, 'hex').toString('base64')}`,
    });
  });

  const action = (path: string, summary: string, roles: ('applicant' | 'reviewer')[], run: (p: never, id: string, v: number | undefined, body: never) => Promise<unknown>, body?: z.ZodType) =>
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/applications/{id}/${path}`,
        tags: ['applications'],
        summary,
        security,
        request: { params: IdParam, headers: ifMatch, ...(body ? { body: { required: true, ...json(body) } } : {}) },
        responses: { 200: { description: 'Done', ...json(Application) }, ...problemResponses(401, 403, 404, 409, 422) },
      }),
      async (c) => {
        const p = requireRole(c, ...roles);
        const r = (await run(p as never, c.req.valid('param').id, expectedVersion(c), (body ? c.req.valid('json' as never) : undefined) as never)) as { rowVersion?: number };
        if (r.rowVersion) withEtag(c, r as { rowVersion: number });
        return c.json(r as never, 200);
      },
    );

  action('submit', 'Submit (freezes a version; its digest is logged)', ['applicant'], (p, id, v) => apps.submit(p, id, v));
  action('withdraw', 'Withdraw', ['applicant'], (p, id, v) => apps.withdraw(p, id, v));
  action('claim', 'Reviewer: claim from the queue', ['reviewer'], (p, id, v) => apps.claim(p, id, v));
  action('request-changes', 'Reviewer: send back for changes', ['reviewer'], (p, id, v, b: { comment: string }) => apps.requestChanges(p, id, b.comment, v), Comment);
  action('reject', 'Reviewer: reject', ['reviewer'], (p, id, v, b: { reason: string }) => apps.reject(p, id, b.reason, v), Reason);
  action('open-notice', 'Reviewer: open the public notice (公示)', ['reviewer'], (p, id, v) => apps.openNotice(p, id, v));
  action('approve', 'Reviewer: approve and issue (after the notice period; renewals directly from review)', ['reviewer'], (p, id, v) => apps.approve(p, id, v));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/applications/{id}/versions',
      tags: ['applications'],
      summary: 'Submitted versions with their logged digests',
      security,
      request: { params: IdParam },
      responses: { 200: { description: 'Versions', ...json(z.object({ items: z.array(z.record(z.string(), z.unknown())) })) }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const p = requireRole(c, 'applicant', 'reviewer', 'admin');
      return c.json({ items: await apps.versions(p, c.req.valid('param').id) } as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/applications/{id}/diff',
      tags: ['applications'],
      summary: 'Field differences between two submitted versions',
      security,
      request: { params: IdParam, query: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }) },
      responses: { 200: { description: 'Diff', ...json(z.record(z.string(), z.unknown())) }, ...problemResponses(401, 404, 422) },
    }),
    async (c) => {
      const p = requireRole(c, 'applicant', 'reviewer', 'admin');
      const q = c.req.valid('query');
      return c.json((await apps.diff(p, c.req.valid('param').id, q.from, q.to)) as never, 200);
    },
  );

  // ── public notice (公示) and objections (异议) ──
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/notices',
      tags: ['public'],
      summary: 'Applications in public notice (public fields only); searchable by dataset name, holder, 统一社会信用代码, industry and notice date',
      request: { query: z.object({ cursor: cursorQuery.optional(), limit, ...searchQuery }) },
      responses: { 200: { description: 'A page', ...json(Page) }, ...problemResponses(400) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json((await apps.notices({ cursor: q.cursor, limit: q.limit, search: searchOf(q) })) as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/notices/{id}/objections',
      tags: ['public'],
      summary: `File an objection (anyone; suspends the notice period). Name, contact and grounds are required; the same contact and grounds twice on one application is 409 duplicate_objection; at most ${OBJECTION_LIMITS.perAddress} open objections per client address and ${OBJECTION_LIMITS.perApplication} in all per application (409 too_many_objections)`,
      request: {
        params: IdParam,
        body: {
          required: true,
          ...json(ObjectionBody),
        },
      },
      responses: { 201: { description: 'Filed', ...json(z.object({ id: z.string(), applicationId: z.string(), state: z.string(), logIndex: z.number() })) }, ...problemResponses(404, 409, 422, 429) },
    }),
    async (c) => c.json(await apps.fileObjection(c.req.valid('param').id, c.req.valid('json'), { clientAddress: clientAddress(c, ctx.settings.trustProxy) }), 201),
  );

  for (const [path, run] of [
    ['dismiss', (p: never, id: string, r: string, v?: number) => apps.dismissObjection(p, id, r, v)],
    ['uphold', (p: never, id: string, r: string, v?: number) => apps.upholdObjection(p, id, r, v)],
  ] as const)
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/objections/{id}/${path}`,
        tags: ['applications'],
        summary: path === 'dismiss' ? 'Reviewer: dismiss an objection (the notice period restarts)' : 'Reviewer: uphold an objection (the application is rejected)',
        security,
        request: { params: IdParam, headers: ifMatch, body: { required: true, ...json(Reason) } },
        responses: { 200: { description: 'Decided', ...json(Application) }, ...problemResponses(401, 403, 404, 409) },
      }),
      async (c) => {
        const p = requireRole(c, 'reviewer');
        return c.json((await run(p as never, c.req.valid('param').id, c.req.valid('json').reason, expectedVersion(c))) as never, 200);
      },
    );
}
