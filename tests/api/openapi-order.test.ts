/**
 * The OpenAPI document does not depend on import order: the registry's schemas are
 * plain zod and may be made before @hono/zod-openapi extends zod (as `datadeed serve`
 * imports them), and the document still names them as components with examples.
 */
import '../../src/registry/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx?.close();
});

describe('the OpenAPI document', () => {
  it('names the registry command schemas as components, whatever was imported first', async () => {
    const { createApp } = await import('../../src/api/app.tsx');
    const doc = (await (await createApp(ctx.services).request('/openapi.json')).json()) as {
      components: { schemas: Record<string, { example?: unknown; properties?: Record<string, { maxLength?: number; format?: string }> }> };
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>;
    };
    for (const name of ['ApplicationDraft', 'Objection', 'PledgeRequest', 'Licence', 'InsurancePolicy', 'DepositRequest', 'NewOrganisation', 'NewUser', 'NewToken'])
      expect(Object.keys(doc.components.schemas)).toContain(name);
    expect(doc.paths['/v1/certificates/{number}/pledges']!.post!.requestBody!.content['application/json']!.schema.$ref).toBe('#/components/schemas/PledgeRequest');
    expect(doc.components.schemas.PledgeRequest!.example).toBeDefined();
    expect(doc.components.schemas.ApplicationDraft!.properties!.datasetName!.maxLength).toBe(200);
  });
});
