/**
 * `GET /v1/keys`: every key the log published, with its purpose and validity window —
 * verifier keys (log, certificate), and document-signing certificates with the
 * registry CA's certificate that issued them (PDF signatures).
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../auth.ts';
import type { ApiServices } from '../services.ts';

const Key = z
  .object({
    keyId: z.string().openapi({ example: '1a2b3c4d' }),
    name: z.string(),
    purpose: z.enum(['log', 'certificate', 'document']).or(z.string()),
    vkey: z.string().nullable().openapi({ description: 'C2SP signed-note verifier key <name>+<hex id>+<base64 key>; null for a document key.' }),
    certificate: z.string().optional().openapi({ description: 'Document keys: the X.509 document-signing certificate, base64 DER.' }),
    caCertificate: z.string().optional().openapi({ description: 'Document keys: the certificate of the registry CA that issued it, base64 DER.' }),
    validFrom: z.string(),
    validUntil: z.string().nullable(),
    logIndex: z.number().int().nullable(),
  })
  .openapi('VerifierKey');

export function registerKeyRoutes(app: OpenAPIHono<AppEnv>, { keys }: Pick<ApiServices, 'keys'>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/keys',
      tags: ['keys'],
      summary: 'Verifier keys and their validity windows',
      responses: { 200: { description: 'Keys', content: { 'application/json': { schema: z.object({ origin: z.string(), keys: z.array(Key) }) } } } },
    }),
    async (c) => {
      const rows = await keys.published();
      return c.json(
        {
          origin: keys.origin,
          keys: rows.map((r) => ({
            keyId: r.keyId,
            name: r.name,
            purpose: r.purpose,
            vkey: r.vkey,
            validFrom: r.validFrom.toISOString(),
            validUntil: r.validUntil ? r.validUntil.toISOString() : null,
            logIndex: r.logIndex ?? null,
            ...(r.certificate && r.caCertificate ? { certificate: r.certificate, caCertificate: r.caCertificate } : {}),
          })),
        },
        200,
        { 'Cache-Control': 'public, max-age=60' },
      );
    },
  );
}
