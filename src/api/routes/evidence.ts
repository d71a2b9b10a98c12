/** Evidence deposits (数据存证): deposit digests, receipts, public lookup by digest, version chains. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppContext } from '../../context.ts';
import { EVIDENCE_KINDS, MAX_ITEMS } from '../../evidence/deposits.ts';
import { requireRole, type AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';
import { logBundle } from '../bundles.ts';
import { toHex } from '../../ledger/bytes.ts';
import { parseBundle } from '../../certificates/bundle.ts';
import { renderReceiptPdf } from '../../evidence/receipt-pdf.ts';
import { organisations } from '../../db/schema.ts';
import { eq } from 'drizzle-orm';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearer: [] as string[] }];
const IdParam = z.object({ id: z.string().regex(/^EV-\d{4}-\d{8}$/, 'a deposit id like EV-2026-00000001') });
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (SHA-256)');
const Item = z
  .object({
    digest: hex64,
    kind: z.enum(EVIDENCE_KINDS),
    title: z.string().trim().min(1).max(500),
    files: z.number().int().min(0).max(1e12).optional(),
    bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    previous: IdParam.shape.id.optional(),
  })
  .strict();
const Obj = z.record(z.string(), z.unknown());
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (c: Context<AppEnv> & { req: { valid: (t: 'param' | 'json' | 'query') => any } }) => Promise<Response>;

export function registerEvidenceRoutes(api: OpenAPIHono<AppEnv>, ctx: AppContext): void {
  const ev = ctx.registry.evidence;
  const app = { openapi: (r: unknown, h: Handler) => api.openapi(r as never, h as never) };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/evidence',
      tags: ['evidence'],
      summary: `Deposit 1–${MAX_ITEMS} digests (all or nothing); a digest your organisation already deposited returns the existing deposit`,
      security,
      request: { body: { required: true, ...json(z.object({ items: z.array(Item).min(1).max(MAX_ITEMS) }).strict()) } },
      responses: { 201: { description: 'Deposited', ...json(Obj) }, ...problemResponses(400, 401, 403, 413, 422) },
    }),
    async (c) => {
      const p = requireRole(c, 'applicant');
      const r = await ev.deposit(p, c.req.valid('json').items);
      return c.json(
        {
          checkpoint: r.checkpoint.note,
          treeSize: r.checkpoint.size,
          items: r.items.map((x) => ({ id: x.deposit.id, digest: x.digest, created: x.created, logIndex: x.deposit.logIndex, leafHash: x.deposit.leafHash })),
        },
        r.items.some((x) => x.created) ? 201 : 200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/evidence',
      tags: ['public'],
      summary: 'Public lookup by digest: was it deposited, when (earliest), with a receipt bundle proving it — never private fields',
      request: { query: z.object({ digest: hex64 }) },
      responses: { 200: { description: 'Lookup', ...json(Obj) }, ...problemResponses(400) },
    }),
    async (c) => {
      const digest = c.req.valid('query').digest;
      const d = await ev.earliest(digest);
      if (!d) return c.json({ digest, deposited: false }, 200);
      const receipt = JSON.parse(await logBundle(ctx, 'evidence', d.logIndex));
      return c.json({ digest, deposited: true, earliest: { id: d.id, kind: d.kind, depositedAt: d.createdAt.toISOString(), logIndex: d.logIndex, leafHash: d.leafHash }, receipt }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/evidence/{id}',
      tags: ['evidence'],
      summary: 'One deposit (title and sizes only for the depositor, reviewers and admins)',
      request: { params: IdParam },
      responses: { 200: { description: 'Deposit', ...json(Obj) }, ...problemResponses(400, 404) },
    }),
    async (c) => c.json((await ev.get(c.get('principal'), c.req.valid('param').id)).view, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/evidence/{id}/receipt',
      tags: ['evidence'],
      summary: 'Receipt bundle (存证凭证): entry + inclusion proof + signed checkpoint, verifiable offline',
      request: { params: IdParam },
      responses: { 200: { description: 'Receipt', ...json(Obj) }, ...problemResponses(400, 404) },
    }),
    async (c) => {
      const { row } = await ev.get(c.get('principal'), c.req.valid('param').id);
      return c.body(await logBundle(ctx, 'evidence', row.logIndex), 200, {
        'Content-Type': 'application/json',
        'Content-Disposition': `attachment; filename="${row.id}.receipt.json"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/evidence/{id}/pdf',
      tags: ['evidence'],
      summary: 'Bilingual A4 receipt PDF (存证证书) with the receipt attached inside',
      request: { params: IdParam },
      responses: { 200: { description: 'PDF', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } }, ...problemResponses(400, 404) },
    }),
    async (c) => {
      const { row } = await ev.get(c.get('principal'), c.req.valid('param').id);
      const text = await logBundle(ctx, 'evidence', row.logIndex);
      const bundle = parseBundle(text);
      const cp = (await ctx.store.checkpointAt(bundle.inclusion.treeSize))!;
      const [org] = await ctx.database.db.select().from(organisations).where(eq(organisations.id, row.orgId));
      const pdf = await renderReceiptPdf({
        deposit: { id: row.id, digest: row.digest, kind: row.kind, depositedAt: row.createdAt.toISOString(), logIndex: row.logIndex, files: row.files, bytes: row.bytes },
        depositor: { name: org!.name, uscc: org!.uscc },
        checkpoint: { origin: ctx.config.origin, size: cp.size, time: cp.createdAt.toISOString() },
        bundle,
        publicUrl: ctx.config.publicUrl,
        now: cp.createdAt,
      });
      return c.body(Buffer.from(pdf), 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${row.id}.pdf"` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/evidence/{id}/chain',
      tags: ['evidence'],
      summary: 'The chain of versions ending at this deposit (newest first), each with an inclusion proof',
      request: { params: IdParam },
      responses: { 200: { description: 'Chain', ...json(Obj) }, ...problemResponses(400, 404) },
    }),
    async (c) => {
      const chain = await ev.chain(c.get('principal'), c.req.valid('param').id);
      const cp = (await ctx.store.latestCheckpoint())!;
      const items = await Promise.all(chain.map(async (d) => ({ ...d, proof: (await ctx.store.inclusionProof(d.logIndex, cp.size)).proof.map(toHex) })));
      return c.json({ checkpoint: cp.note, treeSize: cp.size, items }, 200);
    },
  );

}
