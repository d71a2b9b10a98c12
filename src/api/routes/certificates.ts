/** Certificates: the public register, one certificate, its status and history with log proofs, and holder/reviewer actions. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppContext } from '../../context.ts';
import { toHex } from '../../ledger/bytes.ts';
import { CERTIFICATE_STATUSES } from '../../registry/lifecycle.ts';
import { DraftSchema } from '../../registry/form.ts';
import { RegistryError } from '../../registry/errors.ts';
import { requireRole, type AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';
import { logBundle } from '../bundles.ts';
import { bundleFileName, parseBundle } from '../../certificates/bundle.ts';
import { parseCertificatePayload } from '../../certificates/payload.ts';
import { renderCertificatePdf } from '../../certificates/pdf.ts';
import { utf8 } from '../../ledger/bytes.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearer: [] as string[] }];
const NumberParam = z.object({ number: z.string().regex(/^[A-Z][A-Z0-9]{0,15}-\d{4}-\d{6,10}$/, 'not a certificate number like DIP-2026-000123') });
const Cert = z.record(z.string(), z.unknown()).openapi('Certificate');

export function registerCertificateRoutes(app: OpenAPIHono<AppEnv>, ctx: AppContext): void {
  const certs = ctx.registry.certificates;

  /** Each event with its entry, leaf hash and an inclusion proof to the current checkpoint. */
  async function provenEvents(number: string) {
    const events = await certs.events(number);
    const cp = (await ctx.store.latestCheckpoint())!;
    return {
      checkpoint: cp.note,
      treeSize: cp.size,
      events: await Promise.all(
        events.map(async (e) => {
          const [{ leafHash, proof }, entry] = await Promise.all([ctx.store.inclusionProof(e.logIndex, cp.size), ctx.store.entry(e.logIndex)]);
          return {
            kind: e.kind,
            at: e.at.toISOString(),
            logIndex: e.logIndex,
            leafHash: toHex(leafHash),
            entry: JSON.parse(new TextDecoder().decode(entry!)),
            proof: proof.map(toHex),
          };
        }),
      ),
    };
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/certificates',
      tags: ['public'],
      summary: 'The public register of issued certificates (登记公告), oldest first',
      request: { query: z.object({ status: z.string().optional(), cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }) },
      responses: { 200: { description: 'A page', ...json(z.object({ items: z.array(Cert), nextCursor: z.string().nullable() })) }, ...problemResponses(400) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const status = q.status?.split(',').map((s) => s.trim());
      const bad = status?.find((s) => !(CERTIFICATE_STATUSES as readonly string[]).includes(s));
      if (bad) throw new RegistryError('invalid_field', `unknown status ${bad}`, [{ path: 'status', message: `unknown status ${bad}` }]);
      return c.json((await certs.list({ cursor: q.cursor, limit: q.limit, status: status as never })) as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/certificates/{number}',
      tags: ['public'],
      summary: 'One certificate: public fields, the signed payload and signature',
      request: { params: NumberParam },
      responses: { 200: { description: 'The certificate', ...json(Cert) }, ...problemResponses(400, 404) },
    }),
    async (c) => {
      const { orgId: _o, ...pub } = await certs.get(c.req.valid('param').number);
      return c.json(pub as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/certificates/{number}/status',
      tags: ['public'],
      summary: 'Live status (active | pledged | superseded | revoked | cancelled | expired) with the log entries that prove it',
      request: { params: NumberParam },
      responses: { 200: { description: 'Status', ...json(z.record(z.string(), z.unknown())) }, ...problemResponses(400, 404) },
    }),
    async (c) => {
      const number = c.req.valid('param').number;
      const cert = await certs.get(number);
      const proven = await provenEvents(number);
      const encumbrances = await ctx.registry.encumbrances.current(number, ctx.clock.now().toISOString().slice(0, 10));
      const proofOf = (i: number) => proven.events.find((e) => e.logIndex === i);
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          number,
          status: cert.status,
          validFrom: cert.validFrom,
          validUntil: cert.validUntil,
          supersededBy: cert.supersededBy,
          supersedes: cert.supersedes,
          checkedAt: ctx.clock.now().toISOString(),
          encumbrances: {
            pledges: encumbrances.pledges.map((x) => ({ ...x, proof: proofOf(x.logIndex) })),
            licences: encumbrances.licences.map((x) => ({ ...x, proof: proofOf(x.logIndex) })),
            policies: encumbrances.policies.map((x) => ({ ...x, proof: proofOf(x.logIndex) })),
          },
          ...proven,
        } as never,
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/certificates/{number}/history',
      tags: ['public'],
      summary: 'Every log entry about the certificate, each with an inclusion proof',
      request: { params: NumberParam },
      responses: { 200: { description: 'History', ...json(z.record(z.string(), z.unknown())) }, ...problemResponses(400, 404) },
    }),
    async (c) => c.json({ number: c.req.valid('param').number, ...(await provenEvents(c.req.valid('param').number)) } as never, 200),
  );

  /** The certificate's bundle: payload, signature, its certificate.issued entry, proof, checkpoint. */
  async function certificateBundle(number: string) {
    const cert = await certs.get(number);
    const text = await logBundle(ctx, 'certificate', cert.log.index, { payload: cert.payload, keyId: cert.keyId, signatureBase64: cert.signature });
    return { cert, text };
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/certificates/{number}/bundle',
      tags: ['public'],
      summary: 'Verification bundle (<number>.datadeed.json): payload, signature, log entry, inclusion proof, signed checkpoint — verifiable offline',
      request: { params: NumberParam },
      responses: { 200: { description: 'Bundle', ...json(z.record(z.string(), z.unknown())) }, ...problemResponses(400, 404) },
    }),
    async (c) => {
      const number = c.req.valid('param').number;
      const { text } = await certificateBundle(number);
      return c.body(text, 200, { 'Content-Type': 'application/json', 'Content-Disposition': `attachment; filename="${bundleFileName(number)}"`, 'Cache-Control': 'no-store' }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/certificates/{number}/pdf',
      tags: ['public'],
      summary: 'The certificate PDF (A4, Chinese and English), with its verification bundle attached inside',
      request: { params: NumberParam },
      responses: { 200: { description: 'PDF', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } }, ...problemResponses(400, 404) },
    }),
    async (c) => {
      const number = c.req.valid('param').number;
      const { cert, text } = await certificateBundle(number);
      const bundle = parseBundle(text);
      const cp = (await ctx.store.checkpointAt(bundle.inclusion.treeSize))!;
      const pdf = await renderCertificatePdf({ payload: parseCertificatePayload(utf8(cert.payload)), bundle, publicUrl: ctx.config.publicUrl, now: cp.createdAt });
      return c.body(Buffer.from(pdf), 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${number}.pdf"`, 'Cache-Control': 'no-store' }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/certificates/{number}/cancel',
      tags: ['certificates'],
      summary: 'Holder: cancel (注销); refused while pledged',
      security,
      request: { params: NumberParam },
      responses: { 200: { description: 'Cancelled', ...json(z.object({ number: z.string(), status: z.string(), logIndex: z.number() })) }, ...problemResponses(401, 403, 404, 409) },
    }),
    async (c) => c.json(await certs.cancel(requireRole(c, 'applicant'), c.req.valid('param').number), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/certificates/{number}/revoke',
      tags: ['certificates'],
      summary: 'Reviewer: revoke (撤销) with a reason',
      security,
      request: { params: NumberParam, body: { required: true, ...json(z.object({ reason: z.string().trim().min(1).max(2000) }).strict()) } },
      responses: { 200: { description: 'Revoked', ...json(z.object({ number: z.string(), status: z.string(), logIndex: z.number() })) }, ...problemResponses(401, 403, 404, 409) },
    }),
    async (c) => c.json(await certs.revoke(requireRole(c, 'reviewer'), c.req.valid('param').number, c.req.valid('json').reason), 200),
  );

  for (const kind of ['change', 'renewal'] as const)
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/certificates/{number}/${kind === 'change' ? 'change' : 'renew'}`,
        tags: ['certificates'],
        summary:
          kind === 'change'
            ? 'Holder: open a change application (变更), pre-filled; it goes through review and notice and issues a superseding certificate'
            : 'Holder: open a renewal application (续展, last 90 days of validity); reviewed, then a superseding certificate',
        security,
        request: { params: NumberParam, body: { required: false, ...json(DraftSchema) } },
        responses: { 201: { description: 'Draft created', ...json(z.record(z.string(), z.unknown())) }, ...problemResponses(401, 403, 404, 409, 422) },
      }),
      async (c) => {
        const p = requireRole(c, 'applicant');
        let patch: unknown = {};
        if (c.req.header('content-type')?.includes('application/json')) patch = c.req.valid('json' as never) ?? {};
        return c.json((await certs.openFollowUp(p, c.req.valid('param').number, kind, patch)) as never, 201);
      },
    );
}
