/** `GET /v1/keys`: every verifier key with its purpose and validity window. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { asc } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { AppEnv } from '../auth.ts';
import { signingKeys } from '../../db/schema.ts';

const Key = z
  .object({
    keyId: z.string().openapi({ example: '1a2b3c4d' }),
    name: z.string(),
    purpose: z.enum(['log', 'certificate']).or(z.string()),
    vkey: z.string().openapi({ description: 'C2SP signed-note verifier key <name>+<hex id>+<base64 key>.' }),
    validFrom: z.string(),
    validUntil: z.string().nullable(),
    logIndex: z.number().int().nullable(),
  })
  .openapi('VerifierKey');

export function registerKeyRoutes(app: OpenAPIHono<AppEnv>, ctx: AppContext): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/keys',
      tags: ['keys'],
      summary: 'Verifier keys and their validity windows',
      responses: { 200: { description: 'Keys', content: { 'application/json': { schema: z.object({ origin: z.string(), keys: z.array(Key) }) } } } },
    }),
    async (c) => {
      const rows = await ctx.database.db.select().from(signingKeys).orderBy(asc(signingKeys.validFrom));
      return c.json(
        {
          origin: ctx.config.origin,
          keys: rows.map((r) => ({
            keyId: r.keyId,
            name: r.name,
            purpose: r.purpose,
            vkey: r.vkey,
            validFrom: r.validFrom.toISOString(),
            validUntil: r.validUntil ? r.validUntil.toISOString() : null,
            logIndex: r.logIndex ?? null,
          })),
        },
        200,
        { 'Cache-Control': 'public, max-age=60' },
      );
    },
  );
}
