/** Pledges, licences, transfers and insurance policies against certificates. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ApiServices } from '../services.ts';
import { requireRole, type AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';
import { logBundle } from '../bundles.ts';
import { RegistryError } from '../../registry/index.ts';
import { parseBundle } from '../../certificates/index.ts';
import { renderPledgeDocumentPdf } from '../../registry/pdf/index.ts';
import { toHex } from '../../ledger/index.ts';
import { CertificateNumberParam, LicenceBody, PledgeBody, PledgeConsentBody, PolicyBody, RecordIdParam, TransferBody } from '../schemas.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearer: [] as string[] }];
const NumberParam = CertificateNumberParam;
const IdParam = RecordIdParam;
const Obj = z.record(z.string(), z.unknown());

/** The request once validated by the route's schemas (loosely typed: each handler knows its own shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Valid = (target: 'param' | 'json' | 'query') => any;
type Handler = (c: Context<AppEnv> & { req: { valid: Valid } }) => Promise<Response>;

export function registerEncumbranceRoutes(api: OpenAPIHono<AppEnv>, ctx: Pick<ApiServices, 'registry' | 'log' | 'accounts' | 'documentSigner' | 'settings' | 'clock'>): void {
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
      { params: NumberParam, body: { required: true, ...json(PledgeBody) } },
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
  app.openapi(
    route(
      'post',
      '/v1/pledges/{id}/consents',
      'Pledgee: consent to one change, licence or transfer of the pledged certificate (pledge.consent_recorded); the holder\'s next such act uses it',
      'pledges',
      { params: IdParam, body: { required: true, ...json(PledgeConsentBody) } },
      201,
    ),
    async (c) => c.json(await enc.recordConsent(requireRole(c, 'bank'), c.req.valid('param').id, c.req.valid('json')), 201),
  );
  app.openapi(route('get', '/v1/pledges/{id}/receipt', 'Pledge receipt bundle (entry + inclusion proof + checkpoint), verifiable offline', 'pledges', { params: IdParam }), async (c) => {
    const p = requireRole(c, 'bank', 'applicant', 'reviewer', 'admin');
    const pl = await enc.getPledge(p, c.req.valid('param').id);
    if (pl.recordedLogIndex === null) throw new RegistryError('illegal_transition', 'the pledge is not recorded yet');
    const text = await logBundle(ctx.log, 'pledge', pl.recordedLogIndex);
    return c.body(text, 200, { 'Content-Type': 'application/json', 'Content-Disposition': `attachment; filename="${pl.pledgeNumber}.datadeed.json"` });
  });
  app.openapi(
    route('get', '/v1/pledges/{id}/release-receipt', 'Release receipt bundle of a released pledge (its pledge.released entry + inclusion proof + checkpoint), verifiable offline', 'pledges', { params: IdParam }),
    async (c) => {
      const p = requireRole(c, 'bank', 'applicant', 'reviewer', 'admin');
      const pl = await enc.getPledge(p, c.req.valid('param').id);
      if (pl.releasedLogIndex === null) throw new RegistryError('illegal_transition', 'the pledge is not released');
      const text = await logBundle(ctx.log, 'pledge', pl.releasedLogIndex);
      return c.body(text, 200, { 'Content-Type': 'application/json', 'Content-Disposition': `attachment; filename="${pl.pledgeNumber}-released.datadeed.json"` });
    },
  );

  // the 质押登记证明 and the release notice, as signed PDFs for the loan file
  const pledgePdf = (kind: 'certificate' | 'release') => async (c: Parameters<Handler>[0]) => {
    const p = requireRole(c, 'bank', 'applicant', 'reviewer', 'admin');
    const pl = await enc.getPledge(p, c.req.valid('param').id);
    const index = kind === 'release' ? pl.releasedLogIndex : pl.recordedLogIndex;
    if (index === null || !pl.pledgeNumber || !pl.recordedAt || pl.recordedLogIndex === null)
      throw new RegistryError('illegal_transition', kind === 'release' ? 'the pledge is not released' : 'the pledge is not recorded yet');
    const bundle = parseBundle(await logBundle(ctx.log, 'pledge', index));
    const [cp, cert, org, leaf] = await Promise.all([
      ctx.log.checkpointAt(bundle.inclusion.treeSize),
      ctx.registry.certificates.get(pl.certificateNumber),
      ctx.accounts.getOrganisation(pl.pledgeeOrgId),
      ctx.log.leafHash(index),
    ]);
    const pdf = await renderPledgeDocumentPdf({
      signer: ctx.documentSigner,
      kind,
      pledge: {
        pledgeNumber: pl.pledgeNumber,
        certificateNumber: pl.certificateNumber,
        term: pl.term,
        recordedAt: pl.recordedAt,
        recordedLogIndex: pl.recordedLogIndex,
        releasedAt: pl.releasedAt,
        releasedLogIndex: pl.releasedLogIndex,
        valuationReportHash: pl.valuationReportHash,
        zhongdengNumber: pl.zhongdengNumber,
      },
      pledgee: org?.name ?? pl.pledgeeOrgId,
      holder: { name: cert.holder.name, uscc: cert.holder.uscc ?? '' },
      dataset: cert.dataset.name,
      leafHash: toHex(leaf!),
      checkpoint: { origin: ctx.settings.origin, size: cp!.size },
      bundle,
      issuer: { zh: ctx.settings.authority.zh, en: ctx.settings.authority.en },
      seal: ctx.settings.authority.seal,
      publicUrl: ctx.settings.publicUrl,
      timeZone: ctx.settings.timeZone,
      now: cp!.createdAt,
    });
    const file = kind === 'release' ? `${pl.pledgeNumber}-release.pdf` : `${pl.pledgeNumber}-certificate.pdf`;
    return c.body(Buffer.from(pdf) as never, 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${file}"`, 'Cache-Control': 'no-store' });
  };
  const pdfRoute = (path: string, summary: string) =>
    createRoute({
      method: 'get',
      path,
      tags: ['pledges'],
      summary,
      security,
      request: { params: IdParam } as never,
      responses: { 200: { description: 'PDF', content: { 'application/pdf': { schema: z.string() } } }, ...problemResponses(401, 403, 404, 409) } as never,
    });
  app.openapi(pdfRoute('/v1/pledges/{id}/certificate.pdf', 'The pledge registration certificate (质押登记证明) as a signed bilingual PDF, its receipt bundle attached'), pledgePdf('certificate'));
  app.openapi(pdfRoute('/v1/pledges/{id}/release-notice.pdf', 'The release notice (质押解除通知) of a released pledge as a signed bilingual PDF, its release receipt attached'), pledgePdf('release'));

  app.openapi(
    route('post', '/v1/certificates/{number}/licences', 'Holder: record a licence (许可)', 'certificates', {
      params: NumberParam,
      body: { required: true, ...json(LicenceBody) },
    }, 201),
    async (c) => c.json((await enc.recordLicence(requireRole(c, 'applicant'), c.req.valid('param').number, c.req.valid('json'))) , 201),
  );
  app.openapi(
    route('post', '/v1/certificates/{number}/transfer', 'Holder: transfer (转让) to another enterprise — a new certificate version; a pledged certificate only with each pledgee\'s recorded consent (its pledges follow)', 'certificates', {
      params: NumberParam,
      body: { required: true, ...json(TransferBody) },
    }),
    async (c) => c.json((await enc.transfer(requireRole(c, 'applicant'), c.req.valid('param').number, c.req.valid('json').toOrgId)), 200),
  );
  app.openapi(
    route('post', '/v1/certificates/{number}/policies', 'Insurer: record an insurance policy (数据知识产权保险)', 'insurance', {
      params: NumberParam,
      body: { required: true, ...json(PolicyBody) },
    }, 201),
    async (c) => c.json((await enc.recordPolicy(requireRole(c, 'insurer'), c.req.valid('param').number, c.req.valid('json'))) , 201),
  );
}
