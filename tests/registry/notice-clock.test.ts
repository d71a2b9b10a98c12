/**
 * The registry clock's notice-closing job isolates failures per application: one
 * application that cannot be approved (here a submitted version written before the
 * text rules, whose dataset name the certificate payload refuses) is reported and
 * skipped; the others due in the same run are approved, and nothing of the failed
 * one is written.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { applications, applicationVersions } from '../../src/db/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function call(method: string, path: string, who: Actor, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { ...who.auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function toNotice(): Promise<string> {
  const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).body.id as string;
  for (const [step, who] of [
    ['submit', applicant],
    ['claim', reviewer],
    ['open-notice', reviewer],
  ] as const)
    expect((await call('POST', `/v1/applications/${id}/${step}`, who)).status, step).toBe(200);
  return id;
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
});
afterAll(async () => {
  await ctx?.close();
});

describe('closing elapsed notices', () => {
  it('carries on past an application that cannot be approved', async () => {
    const bad = await toNotice();
    ctx.clock.advance(HOUR); // the bad one's notice ends first
    const good = [await toNotice(), await toNotice()];
    // a version submitted before the text rules: a tab in the dataset name
    await ctx.database.db
      .update(applicationVersions)
      .set({ data: sql`jsonb_set(${applicationVersions.data}, '{datasetName}', to_jsonb(${'Ordos\tdrilling records'}::text))` })
      .where(and(eq(applicationVersions.applicationId, bad), eq(applicationVersions.version, 1)));
    const logBefore = (await ctx.store.latestCheckpoint())!.size;
    // the decisions written since `logBefore` (a state.committed entry may follow any write)
    const decisionsSince = async () => {
      const size = (await ctx.store.latestCheckpoint())!.size;
      const entries = await ctx.store.entries(logBefore, size);
      return entries.map((e) => (JSON.parse(new TextDecoder().decode(e)) as { kind: string }).kind).filter((k) => k !== 'state.committed');
    };
    ctx.clock.advance(10 * DAY);

    const failures: { id: string; error: unknown }[] = [];
    const issued = await ctx.registry.applications.closeElapsedNotices((id, error) => failures.push({ id, error }));

    expect(issued).toBe(2);
    expect(failures.map((f) => f.id)).toEqual([bad]);
    expect((failures[0]!.error as { code?: string }).code).toBe('invalid_payload');
    const state = async (id: string) => (await ctx.database.db.select().from(applications).where(eq(applications.id, id)))[0]!;
    for (const id of good) {
      expect((await state(id)).state).toBe('approved');
      expect((await state(id)).certificateNumber).toMatch(/^\d{17}$/);
    }
    expect((await state(bad)).state).toBe('public_notice');
    expect((await state(bad)).certificateNumber).toBeNull();
    expect((await decisionsSince()).sort()).toEqual(['application.approved', 'application.approved', 'certificate.issued', 'certificate.issued']); // two approvals

    // the next run tries the bad one again, fails again, and writes nothing
    const again: string[] = [];
    expect(await ctx.registry.applications.closeElapsedNotices((id) => again.push(id))).toBe(0);
    expect(again).toEqual([bad]);
    expect((await decisionsSince()).sort()).toEqual(['application.approved', 'application.approved', 'certificate.issued', 'certificate.issued']); // two approvals
  });
});
