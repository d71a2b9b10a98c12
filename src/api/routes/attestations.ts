/**
 * Notarial attestations of deposits (公证, issue 17): a notary office records one for a
 * deposited digest — its notarial certificate number, the time of the act and its
 * signature by its own Ed25519 key (its witness key) — and anyone lists the attestations
 * of a digest. Also the registry's trust policy (C2SP tlog-policy text) for verifiers.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ApiServices } from '../services.ts';
import { AttestBody, digestField } from '../schemas.ts';
import { requireRole, type AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';
import { ApiError } from '../errors.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearer: [] as string[] }];
const Attestation = z
  .object({
    id: z.string(),
    depositId: z.string(),
    digest: z.string(),
    notary: z.string().openapi({ description: 'The notary office’s organisation id.' }),
    office: z.string(),
    notarialNumber: z.string(),
    attestedAt: z.string(),
    notaryKey: z.string().openapi({ description: 'The notary’s cosigner verifier key <name>+<key ID>+<base64(0x04 ‖ public key)>.' }),
    signature: z.string(),
    recordedAt: z.string(),
    logIndex: z.number().int(),
  })
  .openapi('NotaryAttestation');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (c: Context<AppEnv> & { req: { valid: (t: 'param' | 'json' | 'query') => any } }) => Promise<Response>;

export function registerAttestationRoutes(api: OpenAPIHono<AppEnv>, ctx: Pick<ApiServices, 'registry' | 'settings'>): void {
  const at = ctx.registry.attestations;
  const app = { openapi: (r: unknown, h: Handler) => api.openapi(r as never, h as never) };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/attestations',
      tags: ['notary'],
      summary:
        'Notary: attest a deposited digest (公证). The signature is Ed25519 by the notary key over "datadeed notary attestation v1\\n" ‖ JCS({attestedAt, digest, notarialNumber, office, origin}) — office: your organisation’s registered name, origin: this log’s (docs/log-format.md §6.2); one notary.attested log entry',
      security,
      request: { body: { required: true, ...json(AttestBody) } },
      responses: { 201: { description: 'Recorded', ...json(Attestation) }, ...problemResponses(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => c.json(await at.attest(requireRole(c, 'notary'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/attestations',
      tags: ['public'],
      summary: 'The notarial attestations of a digest, oldest first (each is a log entry; receipts and certificate bundles of the digest carry them with proofs)',
      request: { query: z.object({ digest: digestField }) },
      responses: { 200: { description: 'Attestations', ...json(z.object({ digest: z.string(), attestations: z.array(Attestation) })) }, ...problemResponses(400) },
    }),
    async (c) => {
      const digest = c.req.valid('query').digest;
      return c.json({ digest, attestations: await at.ofDigest(digest) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/trust-policy',
      tags: ['public'],
      summary:
        'The registry’s trust policy (C2SP tlog-policy text): its log key, the witnesses (notary offices) it asks for cosignatures and the quorum; `datadeed verify --policy` takes it. 404 when the registry has no witnesses',
      responses: { 200: { description: 'Policy', content: { 'text/plain': { schema: z.string() } } }, ...problemResponses(404) },
    }),
    async (c) => {
      if (!ctx.settings.trustPolicy) throw new ApiError('route_not_found', 'this registry has no witness policy');
      return c.body(ctx.settings.trustPolicy, 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'public, max-age=60' });
    },
  );
}
