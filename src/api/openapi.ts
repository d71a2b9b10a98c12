/** OpenAPI helpers shared by the route files. */
import { z } from '@hono/zod-openapi';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ description: 'Stable machine-readable error code.' }),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request (RFC 9457 problem)',
  401: 'Not authenticated',
  403: 'Not allowed for this role',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Body too large',
  503: 'Unavailable',
};

/** Problem responses for the given statuses, for a route's `responses`. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: DESCRIPTIONS[s] ?? 'Error', content: { 'application/problem+json': { schema: ProblemSchema } } }]),
  ) as Record<number, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }>;
}
