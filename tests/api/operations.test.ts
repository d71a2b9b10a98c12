/**
 * Operations (issue 20): Prometheus metrics, request ids, readiness, and a bounded
 * append queue that answers 503 with Retry-After instead of growing without bound.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';

/** The value of one sample of the text exposition format, by name and optional label text. */
function sample(text: string, name: string, labels?: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (labels !== undefined && !(m[2] ?? '').includes(labels)) continue;
    return Number(m[3]);
  }
  return undefined;
}

describe('metrics, request ids and readiness', () => {
  let ctx: TestContext;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    ctx = await createTestContext();
    app = createApp(ctx.services);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('/metrics counts requests by route pattern and status, appends, batches, the tree size and checkpoint age', async () => {
    const before = await (await app.request('/metrics')).text();
    const appendedBefore = sample(before, 'datadeed_log_appends_total') ?? 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.appendEvent({ kind: 'test.metrics', i } as never)));
    const statuses = new Set<number>();
    for (let i = 0; i < 3; i++) statuses.add((await app.request('/v1/certificates/NO-SUCH-1')).status);
    expect(statuses.size).toBe(1);
    const [status] = [...statuses];
    expect(status).toBeGreaterThanOrEqual(400);
    await ctx.publisher.waitForCheckpoint(await ctx.services.log.treeSize());
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'datadeed_log_appends_total')! - appendedBefore).toBe(20);
    expect(sample(text, 'datadeed_log_batch_entries_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'datadeed_log_batch_entries_sum')! - appendedBefore).toBe(20);
    expect(sample(text, 'datadeed_http_requests_total', `route="/v1/certificates/:number",status="${status}"`)).toBe(3);
    expect(sample(text, 'datadeed_http_request_duration_seconds_count', 'route="/v1/certificates/:number"')).toBe(3);
    expect(sample(text, 'datadeed_log_tree_size')).toBe(await ctx.services.log.treeSize());
    expect(sample(text, 'datadeed_log_queue_depth')).toBe(0);
    const writer = ctx.services.log.writerStats();
    expect(sample(text, 'datadeed_log_tree_state_vacuums_total', 'result="ok"')).toBe(writer.vacuums);
    expect(sample(text, 'datadeed_log_tree_state_vacuums_total', 'result="failed"')).toBe(0);
    expect(sample(text, 'datadeed_checkpoint_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // a URL never becomes a label
    expect(text).not.toContain('NO-SUCH-1');
  });

  it('every response carries a request id; a well-formed one from the client is kept', async () => {
    const a = await app.request('/healthz');
    expect(a.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
    const b = await app.request('/healthz', { headers: { 'X-Request-Id': 'bank-trace-0042' } });
    expect(b.headers.get('x-request-id')).toBe('bank-trace-0042');
  });

  it('/readyz: ready with every check; not ready (503) when a migration is missing', async () => {
    const ok = await app.request('/readyz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ready', checks: { database: true, migrations: true, checkpoint: true } });
    const db = ctx.database.db;
    const rows = (await db.execute(sql`select id, hash, created_at from drizzle.__drizzle_migrations order by id desc limit 1`)) as unknown;
    const last = (Array.isArray(rows) ? rows : (rows as { rows: Record<string, unknown>[] }).rows)[0]!;
    await db.execute(sql`delete from drizzle.__drizzle_migrations where id = ${last.id}`);
    try {
      const res = await app.request('/readyz');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ code: 'not_ready' });
    } finally {
      await db.execute(sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${last.id}, ${last.hash}, ${last.created_at})`);
    }
    expect((await app.request('/readyz')).status).toBe(200);
  });
});

describe('a bounded append queue', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ DATADEED_MAX_QUEUE: '4' });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('past its limit an append is refused at once with queue_full (503 + Retry-After); the accepted ones commit', async () => {
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => ctx.appendEvent({ kind: 'test.queue', i } as never)));
    const refused = results.filter((r) => r.status === 'rejected');
    const accepted = results.filter((r) => r.status === 'fulfilled');
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'queue_full' });
    expect(ctx.services.log.writerStats()).toMatchObject({ queueDepth: 0, refused: refused.length });
    const { toProblem, sendProblem } = await import('../../src/api/problem.ts');
    const { problem } = toProblem((refused[0] as PromiseRejectedResult).reason);
    expect(problem.status).toBe(503);
    const { Hono } = await import('hono');
    const res = await new Hono().get('/', (c) => sendProblem(c, problem)).request('/');
    expect(res.headers.get('retry-after')).toBe('1');
  });
});
