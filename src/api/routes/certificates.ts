/** Certificates: the public register, one certificate, its status and history with log proofs, and holder/reviewer actions. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiServices } from '../services.ts';
import { toHex } from '../../ledger/index.ts';
import { CERTIFICATE_STATUSES } from '../../registry/index.ts';
import { RegistryError } from '../../registry/index.ts';
import { ApplicationDraftBody, CertificateNumberParam, cursorQuery, holderQuery, limitQuery, ReasonBody, searchOf, searchQuery } from '../schemas.ts';
import { requireRole, type AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';
import { logBundle } from '../bundles.ts';
import { bundleFileName, parseBundle } from '../../certificates/index.ts';
import { parseCertificatePayload } from '../../certificates/index.ts';
import { renderCertificatePdf } from '../../certificates/pdf/index.ts';
import { attestedByLines, attestersOf } from '../attesters.ts';
import { utf8, type LogCheckpoint } from '../../ledger/index.ts';
import { PdfCache } from '../pdf-cache.ts';
import { StatusCache } from '../status-cache.ts';
import { stateProofJson } from '../state-proof.ts';
import { certificateKeyId } from '../../state/index.ts';
import { disclosurePack } from '../disclosure.ts';
import { renderDisclosurePdf } from '../../registry/pdf/index.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearer: [] as string[] }];
const NumberParam = CertificateNumberParam;
const Cert = z.record(z.string(), z.unknown()).openapi('Certificate');

/** How certificate PDFs are made and kept (the app's defaults; tests inject a renderer). */
export interface CertificatePdfOptions {
  render?: typeof renderCertificatePdf;
  cache?: PdfCache;
}

/** Stands for a status answer's `checkedAt` while its JSON is built once (no field can hold it: text fields refuse controls). */
const CHECKED_AT_MARK = '\u0000checked-at\u0000';

export function registerCertificateRoutes(
  app: OpenAPIHono<AppEnv>,
  ctx: Pick<ApiServices, 'registry' | 'log' | 'clock' | 'settings' | 'keys' | 'documentSigner' | 'state'>,
  pdfs: CertificatePdfOptions = {},
): void {
  const certs = ctx.registry.certificates;
  const render = pdfs.render ?? renderCertificatePdf;
  const pdfCache = pdfs.cache ?? new PdfCache();
  const statusCache = new StatusCache<Record<string, unknown>>(ctx.settings.answerCacheMs ?? 250);
  // a kept status answer as JSON, split where its `checkedAt` goes (what c.json wrote of `{ ...answer, checkedAt }`)
  const statusTexts = new WeakMap<Record<string, unknown>, [string, string]>();
  const statusJson = (answer: Record<string, unknown>, checkedAt: string): string => {
    let parts = statusTexts.get(answer);
    if (!parts) {
      const mark = `"checkedAt":${JSON.stringify(CHECKED_AT_MARK)}`;
      const text = JSON.stringify({ ...answer, checkedAt: CHECKED_AT_MARK });
      const at = text.indexOf(mark);
      parts = [text.slice(0, at + '"checkedAt":'.length), text.slice(at + mark.length)];
      statusTexts.set(answer, parts);
    }
    return parts[0] + JSON.stringify(checkedAt) + parts[1];
  };

  /** Each event with its entry, leaf hash and an inclusion proof to the current checkpoint. */
  async function provenEvents(number: string) {
    const events = await certs.events(number);
    const cp = (await ctx.log.latestCheckpoint())!;
    return {
      checkpoint: cp.note,
      treeSize: cp.size,
      events: await Promise.all(
        events.map(async (e) => {
          const [{ leafHash, proof }, entry] = await Promise.all([ctx.log.inclusionProof(e.logIndex, cp.size), ctx.log.entry(e.logIndex)]);
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
      summary: 'The public register of issued certificates (登记公告), oldest first; searchable by free text, dataset name, holder, 统一社会信用代码, industry and issue date',
      request: {
        query: z.object({
          status: z.string().max(200).optional(),
          q: holderQuery.optional().openapi({ description: 'A substring of the number, the dataset’s name, the holder’s name or 统一社会信用代码 (case-insensitive)' }),
          cursor: cursorQuery.optional(),
          limit: limitQuery,
          ...searchQuery,
        }),
      },
      responses: { 200: { description: 'A page', ...json(z.object({ items: z.array(Cert), nextCursor: z.string().nullable() })) }, ...problemResponses(400) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const status = q.status?.split(',').map((s) => s.trim());
      const bad = status?.find((s) => !(CERTIFICATE_STATUSES as readonly string[]).includes(s));
      if (bad) throw new RegistryError('invalid_field', `unknown status ${bad}`, [{ path: 'status', message: `unknown status ${bad}` }]);
      return c.json((await certs.list({ cursor: q.cursor, limit: q.limit, status: status as never, search: searchOf(q), ...(q.q ? { text: q.q } : {}) })) as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/certificates/{number}/disclosure',
      tags: ['certificates'],
      summary:
        'Holder (or registry staff): the 数据资产入表 disclosure pack (财会〔2023〕11号) — data type, scale, source and 权属, processing, scenarios, validity and restrictions, licences, pledges — each fact with its log entry and inclusion proof to one checkpoint, signed with the document key (datadeed-signed-json/1)',
      security,
      request: { params: NumberParam },
      responses: { 200: { description: 'The signed pack', ...json(z.record(z.string(), z.unknown())) }, ...problemResponses(401, 403, 404) },
    }),
    async (c) => {
      const { signed } = await disclosurePack(ctx, requireRole(c, 'applicant', 'reviewer', 'admin'), c.req.valid('param').number);
      return c.json(signed as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/certificates/{number}/disclosure.pdf',
      tags: ['certificates'],
      summary: 'The disclosure pack as a bilingual PDF, signed (PAdES), the signed pack attached',
      security,
      request: { params: NumberParam },
      responses: { 200: { description: 'PDF', content: { 'application/pdf': { schema: z.string() } } }, ...problemResponses(401, 403, 404) },
    }),
    async (c) => {
      const number = c.req.valid('param').number;
      const { pack, signed } = await disclosurePack(ctx, requireRole(c, 'applicant', 'reviewer', 'admin'), number);
      const cert = await certs.get(number);
      const pdf = await renderDisclosurePdf({
        signer: ctx.documentSigner,
        pack,
        signedJson: JSON.stringify(signed),
        holder: { name: cert.holder.name, uscc: cert.holder.uscc ?? '' },
        dataset: cert.dataset.name,
        manifestRoot: cert.dataset.manifestRoot,
        issuer: { zh: ctx.settings.authority.zh, en: ctx.settings.authority.en },
        seal: ctx.settings.authority.seal,
        publicUrl: ctx.settings.publicUrl,
        timeZone: ctx.settings.timeZone,
        now: ctx.clock.now(),
      });
      return c.body(Buffer.from(pdf) as never, 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${number}-disclosure.pdf"`, 'Cache-Control': 'no-store' });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reminders',
      tags: ['certificates'],
      summary: 'Holder: certificates whose validity ends within DATADEED_REMINDER_DAYS (default 90) — renew before expiry — soonest first',
      security,
      responses: { 200: { description: 'Reminders', ...json(z.object({ items: z.array(z.record(z.string(), z.unknown())) })) }, ...problemResponses(401, 403) },
    }),
    async (c) => c.json({ items: await certs.reminders(requireRole(c, 'applicant')) }, 200),
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
      summary:
        'Live status (active | pledged | superseded | revoked | cancelled | expired) with the log entries that prove it, and `stateProof`: the status record proven against the newest state.committed root (docs/log-format.md §8.1)',
      request: { params: NumberParam },
      responses: { 200: { description: 'Status', ...json(z.record(z.string(), z.unknown())) }, ...problemResponses(400, 404) },
    }),
    async (c) => {
      const number = c.req.valid('param').number;
      const now = ctx.clock.now();
      const today = now.toISOString().slice(0, 10);
      const viewer = c.get('principal');
      // who asks changes only a licence's scope (shown to its parties); see StatusCache
      const audience = !viewer ? '-' : viewer.role === 'reviewer' || viewer.role === 'admin' ? 'staff' : `${viewer.orgId}/${viewer.orgUscc ?? ''}`;
      const version = `${await ctx.log.treeSize()}/${today}`; // read before anything the answer holds
      const answer = await statusCache.get(`${number}\n${audience}`, version, async () => {
        // independent reads, all at once (a certificate that does not exist fails the whole with not_found)
        const [cert, proven, stateProof, encumbrances] = await Promise.all([
          certs.get(number),
          provenEvents(number),
          ctx.state.prove([certificateKeyId(number)]).then(([state]) => stateProofJson(ctx.log, state!)),
          ctx.registry.encumbrances.current(number, today, viewer),
        ]);
        const proofOf = (i: number) => proven.events.find((e) => e.logIndex === i);
        return {
          number,
          status: cert.status,
          validFrom: cert.validFrom,
          validUntil: cert.validUntil,
          supersededBy: cert.supersededBy,
          supersedes: cert.supersedes,
          checkedAt: '',
          encumbrances: {
            pledges: encumbrances.pledges.map((x) => ({ ...x, proof: proofOf(x.logIndex) })),
            licences: encumbrances.licences.map((x) => ({ ...x, proof: proofOf(x.logIndex) })),
            policies: encumbrances.policies.map((x) => ({ ...x, proof: proofOf(x.logIndex) })),
          },
          ...proven,
          stateProof,
        };
      });
      c.header('Cache-Control', 'no-store');
      // the kept answer's JSON is written once; each answer only puts its own time in
      return c.body(statusJson(answer, now.toISOString()), 200, { 'Content-Type': 'application/json' }) as never;
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
  async function certificateBundle(cert: Awaited<ReturnType<typeof certs.get>>, checkpoint?: LogCheckpoint) {
    // one trust anchor: the certificate key's key.added entry rides along (signing_keys.log_index)
    const key = (await ctx.keys.published()).find((k) => k.purpose === 'certificate' && k.keyId === cert.keyId);
    return logBundle(
      ctx.log,
      'certificate',
      cert.log.index,
      { payload: cert.payload, keyId: cert.keyId, signatureBase64: cert.signature, keyLogIndex: key?.logIndex },
      checkpoint,
      (await ctx.registry.attestations.ofDigest(cert.dataset.manifestRoot)).map((a) => a.logIndex),
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/certificates/{number}/bundle',
      tags: ['public'],
      summary: "Verification bundle (<number>.datadeed.json): payload, signature, log entry, inclusion proof, signed checkpoint, and the certificate key's key.added entry with its proof — verifiable offline with the log's verifier key alone",
      request: { params: NumberParam },
      responses: { 200: { description: 'Bundle', ...json(z.record(z.string(), z.unknown())) }, ...problemResponses(400, 404) },
    }),
    async (c) => {
      const number = c.req.valid('param').number;
      const text = await certificateBundle(await certs.get(number));
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
      const cert = await certs.get(number);
      // one render per (certificate, checkpoint, status): the PDF depends on nothing else
      const attestations = await ctx.registry.attestations.ofDigest(cert.dataset.manifestRoot);
      const cp = await ctx.log.bundleCheckpoint(Math.max(cert.log.index, ...attestations.map((a) => a.logIndex)));
      const pdf = await pdfCache.get(`${number}\n${cp.size}\n${cp.note.length}\n${attestations.length}\n${cert.status}`, async () => {
        const bundle = parseBundle(await certificateBundle(cert, cp));
        // a revoked or cancelled certificate is served stamped so, with the date of the entry that said it
        let stamp: { status: 'revoked' | 'cancelled'; date: string } | undefined;
        if ((cert.status === 'revoked' || cert.status === 'cancelled') && cert.statusLogIndex !== null) {
          const entry = await ctx.log.entry(cert.statusLogIndex);
          const time = entry ? (JSON.parse(new TextDecoder().decode(entry)) as { time?: string }).time : undefined;
          stamp = { status: cert.status, date: (time ?? '').slice(0, 10) };
        }
        const attesters = await attestersOf(ctx, cert.log.index, cert.dataset.manifestRoot);
        return render({
          payload: parseCertificatePayload(utf8(cert.payload)),
          bundle,
          publicUrl: ctx.settings.publicUrl,
          now: cp.createdAt,
          signer: ctx.documentSigner,
          issuer: { zh: ctx.settings.authority.zh, en: ctx.settings.authority.en },
          seal: ctx.settings.authority.seal,
          timeZone: ctx.settings.timeZone,
          attestedBy: attestedByLines(attesters, ctx.settings.timeZone),
          ...(stamp ? { stamp } : {}),
        });
      });
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
      request: { params: NumberParam, body: { required: true, ...json(ReasonBody) } },
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
        request: { params: NumberParam, body: { required: false, ...json(ApplicationDraftBody) } },
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
