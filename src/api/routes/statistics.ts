/** Registry statistics: JSON at a named checkpoint, and the signed PDF report for a period. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiServices } from '../services.ts';
import type { AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';
import { statisticsAt } from '../statistics.ts';
import { renderStatisticsReportPdf } from '../../statistics/pdf/index.ts';
import { TERM_DATES } from '../../registry/index.ts';
import { calendarDate } from '../../fields.ts';
import { toHex } from '../../ledger/index.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

/** `?at=<checkpoint size>&from=&to=`: validated at the field. */
export const StatisticsQuery = z
  .object({
    at: z.coerce.number().int().min(1).optional().openapi({ description: 'The size of a published checkpoint (default: the newest)' }),
    from: calendarDate(TERM_DATES).optional().openapi({ description: 'Period start (YYYY-MM-DD, registry time zone)' }),
    to: calendarDate(TERM_DATES).optional().openapi({ description: 'Period end, included' }),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'must not be before from' });

export function registerStatisticsRoutes(app: OpenAPIHono<AppEnv>, ctx: Pick<ApiServices, 'log' | 'registry' | 'settings' | 'documentSigner' | 'clock'>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/statistics',
      tags: ['public'],
      summary:
        'Registry statistics computed by replaying the log up to a named checkpoint (applications by state, certificates issued / in force / revoked / expired, pledges, licences, transfers, insured firms; by month, industry and region). Amounts are the registry’s signed statement (the log holds only commitments).',
      request: { query: StatisticsQuery },
      responses: { 200: { description: 'The statistics', ...json(z.record(z.string(), z.unknown())) }, ...problemResponses(400, 422) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const r = await statisticsAt(ctx, q);
      return c.json({ checkpoint: { size: r.checkpoint.size, rootHash: toHex(r.checkpoint.rootHash), note: r.checkpoint.note }, statistics: r.statistics, amounts: r.amounts, signed: r.signed } as never, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/statistics/report.pdf',
      tags: ['public'],
      summary: 'The statistics report for a period as a bilingual PDF, signed with the document key (PAdES), the signed statistics JSON attached',
      request: { query: StatisticsQuery },
      responses: { 200: { description: 'PDF', content: { 'application/pdf': { schema: z.string() } } }, ...problemResponses(400, 422) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const r = await statisticsAt(ctx, q);
      const pdf = await renderStatisticsReportPdf({
        signer: ctx.documentSigner,
        statistics: r.statistics,
        amounts: r.amounts,
        checkpoint: { origin: ctx.settings.origin, size: r.checkpoint.size, rootHash: toHex(r.checkpoint.rootHash) },
        signedJson: JSON.stringify(r.signed),
        issuer: { zh: ctx.settings.authority.zh, en: ctx.settings.authority.en },
        seal: ctx.settings.authority.seal,
        publicUrl: ctx.settings.publicUrl,
        now: ctx.clock.now(),
      });
      return c.body(Buffer.from(pdf) as never, 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="statistics-${r.checkpoint.size}.pdf"`, 'Cache-Control': 'no-store' });
    },
  );
}
