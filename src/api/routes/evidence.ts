/** Evidence deposits (数据存证): deposit digests, receipts, public lookup by digest, version chains. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ApiServices } from '../services.ts';
import { MAX_ITEMS } from '../../evidence/pg/index.ts';
import { cursorQuery, DepositBody, DepositIdParam, digestField, limitQuery } from '../schemas.ts';
import { decodeCursor, RegistryError, toPage } from '../../registry/index.ts';
import { requireRole, type AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';
import { logBundle } from '../bundles.ts';
import { toHex } from '../../ledger/index.ts';
import { parseBundle } from '../../certificates/index.ts';
import { renderReceiptPdf } from '../../evidence/pdf/index.ts';
import { stateProofJson } from '../state-proof.ts';
import { depositKeyId } from '../../state/index.ts';
import { attestedByLines, attestersOf } from '../attesters.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearer: [] as string[] }];
const IdParam = DepositIdParam;
const hex64 = digestField;
const Obj = z.record(z.string(), z.unknown());
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (c: Context<AppEnv> & { req: { valid: (t: 'param' | 'json' | 'query') => any } }) => Promise<Response>;

export function registerEvidenceRoutes(api: OpenAPIHono<AppEnv>, ctx: Pick<ApiServices, 'registry' | 'accounts' | 'log' | 'settings' | 'documentSigner' | 'state'>): void {
  const ev = ctx.registry.evidence;
  /** The log indices of the notarial attestations of a digest (they ride along in its receipts). */
  const attested = async (digest: string) => (await ctx.registry.attestations.ofDigest(digest)).map((a) => a.logIndex);
  const app = { openapi: (r: unknown, h: Handler) => api.openapi(r as never, h as never) };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/evidence',
      tags: ['evidence'],
      summary: `Deposit 1–${MAX_ITEMS} digests (all or nothing); a digest your organisation already deposited returns the existing deposit`,
      security,
      request: { body: { required: true, ...json(DepositBody) } },
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
      summary:
        'Public lookup by digest: was it deposited, when (earliest), with a receipt bundle proving it — never private fields; `stateProof` proves the earliest-deposit record, or that the digest was never deposited (docs/log-format.md §8.1)',
      request: { query: z.object({ digest: hex64 }) },
      responses: { 200: { description: 'Lookup', ...json(Obj) }, ...problemResponses(400) },
    }),
    async (c) => {
      const digest = c.req.valid('query').digest;
      const [d, [state]] = await Promise.all([ev.earliest(digest), ctx.state.prove([depositKeyId(String(digest).toLowerCase())])]);
      const stateProof = await stateProofJson(ctx.log, state!);
      if (!d) return c.json({ digest, deposited: false, stateProof }, 200);
      const receipt = JSON.parse(await logBundle(ctx.log, 'evidence', d.logIndex, undefined, undefined, await attested(d.digest)));
      return c.json(
        { digest, deposited: true, earliest: { id: d.id, kind: d.kind, depositedAt: d.createdAt.toISOString(), logIndex: d.logIndex, leafHash: d.leafHash }, receipt, stateProof },
        200,
      );
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
      return c.body(await logBundle(ctx.log, 'evidence', row.logIndex, undefined, undefined, await attested(row.digest)), 200, {
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
      summary: 'Bilingual A4 receipt PDF (存证证书) with the receipt attached inside — for the depositor (and registry staff) only: it names the depositor; the depositor hands the file on',
      security,
      request: { params: IdParam },
      responses: { 200: { description: 'PDF', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } }, ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const row = await ev.getForParty(requireRole(c, 'applicant', 'reviewer', 'admin'), c.req.valid('param').id);
      const text = await logBundle(ctx.log, 'evidence', row.logIndex, undefined, undefined, await attested(row.digest));
      const bundle = parseBundle(text);
      const cp = (await ctx.log.checkpointAt(bundle.inclusion.treeSize))!;
      const org = await ctx.accounts.getOrganisation(row.orgId);
      const pdf = await renderReceiptPdf({
        deposit: { id: row.id, digest: row.digest, kind: row.kind, depositedAt: row.createdAt.toISOString(), logIndex: row.logIndex, files: row.files, bytes: row.bytes },
        depositor: { name: org!.name, uscc: org!.uscc },
        checkpoint: { origin: ctx.settings.origin, size: cp.size, time: cp.createdAt.toISOString() },
        bundle,
        publicUrl: ctx.settings.publicUrl,
        now: cp.createdAt,
        signer: ctx.documentSigner,
        issuer: { zh: ctx.settings.authority.zh, en: ctx.settings.authority.en },
        seal: ctx.settings.authority.seal,
        timeZone: ctx.settings.timeZone,
        attestedBy: attestedByLines(await attestersOf(ctx, row.logIndex, row.digest), ctx.settings.timeZone),
      });
      return c.body(Buffer.from(pdf), 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${row.id}.pdf"` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/evidence/{id}/chain',
      tags: ['evidence'],
      summary:
        'The chain of versions ending at this deposit, newest first, a page at a time (`limit`, default 50, at most 200; `nextCursor` continues it), each link with an inclusion proof in the newest checkpoint',
      request: { params: IdParam, query: z.object({ cursor: cursorQuery.optional(), limit: limitQuery }) },
      responses: { 200: { description: 'Chain', ...json(Obj) }, ...problemResponses(400, 404, 429) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const after = q.cursor ? decodeCursor(q.cursor) : undefined; // checked before any query
      const links = await ev.chainLinks(c.get('principal'), c.req.valid('param').id, { after, rows: q.limit + 1 });
      if (after && links.length === 0) throw new RegistryError('invalid_cursor', 'the cursor names no link of a chain', [{ path: 'cursor', message: 'not a cursor from this API' }]);
      const page = toPage(links, q.limit, (l) => ({ at: l.row.createdAt, id: l.row.id }), (l) => l);
      // the newest checkpoint, or one published now if it does not include the newest link yet
      const cp = await ctx.log.checkpointIncluding(Math.max(...page.items.map((l) => l.row.logIndex)));
      // every link's proof from one read of the tree's nodes
      const proofs = await ctx.log.inclusionProofs(page.items.map((l) => l.row.logIndex), cp.size);
      const items = page.items.map((l, i) => ({ ...l.view, proof: proofs[i]!.proof.map(toHex) }));
      return c.json({ checkpoint: cp.note, treeSize: cp.size, items, nextCursor: page.nextCursor }, 200);
    },
  );

}
