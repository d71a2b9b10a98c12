/**
 * Evidence deposits over HTTP, on both databases: deposit → receipt → offline
 * verification; a changed byte of the receipt fails and names the check; lookup by
 * digest returns the earliest deposit with a proof; re-deposit is idempotent; a
 * 1,000-item request is acknowledged whole; bad inputs give their problem and
 * write nothing; applications link their deposit; audit clean.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createApp } from '../../src/api/app.tsx';
import { verifyBundle } from '../../src/certificates/index.ts';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { auditLog } from '../../src/ledger/pg/index.ts';
import { ed25519Verifier } from '../../src/ledger/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let alice: Actor;
let bob: Actor;
let bank: Actor;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function call(method: string, path: string, who?: Actor | null, body?: unknown, raw?: string) {
  const res = await app.request(path, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined || raw ? { 'content-type': 'application/json' } : {}) },
    body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, type: res.headers.get('content-type'), text };
}

const trust = () => ({ logKeys: [ctx.logKey.vkey], certificateKeys: [] });
async function counts() {
  const [r] = await queryRows<{ d: unknown; e: unknown }>(ctx.database.db, sql`SELECT (SELECT count(*) FROM deposits) AS d, (SELECT count(*) FROM log_entries WHERE convert_from(data, 'UTF8')::jsonb ->> 'kind' <> 'state.committed') AS e`);
  return { deposits: Number(r!.d), entries: Number(r!.e) };
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  alice = await makeActor(ctx, 'applicant', 'enterprise');
  bob = await makeActor(ctx, 'applicant', 'enterprise');
  bank = await makeActor(ctx, 'bank', 'bank');
});
afterAll(async () => {
  await ctx?.close();
});

describe('evidence deposits', () => {
  it('deposits, issues a receipt that verifies offline, and fails on any changed byte naming the check', async () => {
    const digest = sha('contract v1');
    const dep = await call('POST', '/v1/evidence', alice, { items: [{ digest, kind: 'document', title: '供货合同 Supply contract' }] });
    expect(dep.status).toBe(201);
    const item = dep.body.items[0];
    expect(item.id).toMatch(/^EV-2026-\d{8}$/);
    expect(item.created).toBe(true);

    const receipt = await call('GET', `/v1/evidence/${item.id}/receipt`, alice);
    expect(receipt.body.type).toBe('evidence');
    const ok = await verifyBundle(receipt.body, trust(), nodeEd25519);
    expect(ok.ok, JSON.stringify(ok.checks)).toBe(true);
    expect(ok.entry?.digest).toBe(digest);
    expect(JSON.stringify(ok.entry)).not.toContain('Supply contract'); // titles stay private

    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const flipDigestByte = (base64: string) => {
      const text = Buffer.from(base64, 'base64').toString('utf8');
      const at = text.indexOf('"digest":"') + '"digest":"'.length + 5;
      return Buffer.from(text.slice(0, at) + (text[at] === 'a' ? 'b' : 'a') + text.slice(at + 1), 'utf8').toString('base64');
    };
    const cases: [string, (b: Record<string, any>) => void, string][] = [
      // one changed byte inside the entry's digest (still a canonical entry: only the proof can catch it)
      ['entry', (b) => (b.entry.data = flipDigestByte(b.entry.data)), 'inclusion_proof'],
      ['proof', (b) => (b.inclusion.proof[0] = (b.inclusion.proof[0][0] === 'a' ? 'b' : 'a') + b.inclusion.proof[0].slice(1)), 'inclusion_proof'],
      ['checkpoint root', (b) => (b.checkpoint = b.checkpoint.replace(/\n(\d+)\n(.)/, (_m: string, n: string, c: string) => `\n${n}\n${c === 'A' ? 'B' : 'A'}`)), 'checkpoint_signature'],
      ['checkpoint signature', (b) => (b.checkpoint = b.checkpoint.replace(/ (\S{10})(\S)(\S*)\n$/, (_m: string, a: string, c: string, r: string) => ` ${a}${c === 'A' ? 'B' : 'A'}${r}\n`)), 'checkpoint_signature'],
    ];
    for (const [what, mutate, check] of cases) {
      const b = JSON.parse(receipt.text);
      mutate(b);
      const r = await verifyBundle(b, trust(), nodeEd25519);
      expect(r.ok, what).toBe(false);
      expect(r.checks.find((c) => !c.ok)?.name, what).toBe(check);
    }
  });

  it('is idempotent per organisation and looks up the earliest deposit publicly', async () => {
    const digest = sha('dataset snapshot 2026-01-01');
    const first = await call('POST', '/v1/evidence', bob, { items: [{ digest, kind: 'snapshot', title: 'Bob snapshot' }] });
    ctx.clock.advance(60_000);
    const before = await counts();
    const again = await call('POST', '/v1/evidence', bob, { items: [{ digest, kind: 'snapshot', title: 'renamed' }] });
    expect(again.status).toBe(200);
    expect(again.body.items[0]).toMatchObject({ id: first.body.items[0].id, created: false });
    expect(await counts()).toEqual(before);
    // another organisation may deposit the same digest later; the lookup names the earliest
    await call('POST', '/v1/evidence', alice, { items: [{ digest, kind: 'file', title: 'Alice copy' }] });
    const look = await call('GET', `/v1/evidence?digest=${digest}`, null);
    expect(look.body.deposited).toBe(true);
    expect(look.body.earliest.id).toBe(first.body.items[0].id);
    expect(JSON.stringify(look.body)).not.toContain('Bob snapshot');
    expect((await verifyBundle(look.body.receipt, trust(), nodeEd25519)).ok).toBe(true);
    expect((await call('GET', `/v1/evidence?digest=${sha('never')}`, null)).body.deposited).toBe(false);
  });

  it('acknowledges a 1,000-item request whole, at consecutive log indices', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ digest: sha(`bulk ${i}`), kind: 'file' as const, title: `file ${i} ${'标题'.repeat(100)}` }));
    const r = await call('POST', '/v1/evidence', alice, { items });
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    expect(r.body.items).toHaveLength(1000);
    const idx = r.body.items.map((x: { logIndex: number }) => x.logIndex);
    expect(idx).toEqual(idx.map((_: number, i: number) => idx[0] + i));
    expect(r.body.treeSize).toBeGreaterThanOrEqual(idx[999] + 1);
  });

  it('chains versions of a growing dataset', async () => {
    const d1 = await call('POST', '/v1/evidence', alice, { items: [{ digest: sha('day 1'), kind: 'snapshot', title: 'day 1' }] });
    const d2 = await call('POST', '/v1/evidence', alice, { items: [{ digest: sha('day 2'), kind: 'snapshot', title: 'day 2', previous: d1.body.items[0].id }] });
    const chain = await call('GET', `/v1/evidence/${d2.body.items[0].id}/chain`, null);
    expect(chain.body.items.map((x: { id: string }) => x.id)).toEqual([d2.body.items[0].id, d1.body.items[0].id]);
    expect(chain.body.items[0].title).toBeUndefined();
  });

  it("lists the depositor's own deposits oldest first (deposit time, then id), a page at a time", async () => {
    const p = (await ctx.accounts.authenticateToken(alice.token))!;
    const seen: { id: string; depositedAt: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await ctx.registry.reads.depositsOf(p, { limit: 300, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const [n] = await queryRows<{ n: unknown }>(ctx.database.db, sql`SELECT count(*) AS n FROM deposits WHERE org_id = ${alice.orgId}`);
    expect(seen.length).toBeGreaterThan(1000);
    expect(seen).toHaveLength(Number(n!.n));
    const misordered = seen.slice(1).filter((b, i) => {
      const a = seen[i]!;
      return !(a.depositedAt < b.depositedAt || (a.depositedAt === b.depositedAt && a.id < b.id));
    });
    expect(misordered).toEqual([]);
  });

  it('refuses bad input with a problem naming the item and field, writing nothing for any item', async () => {
    const good = { digest: sha('good'), kind: 'file', title: 'ok' };
    const bobDep = (await call('POST', '/v1/evidence', bob, { items: [{ digest: sha('bob only'), kind: 'file', title: 'b' }] })).body.items[0].id;
    const before = await counts();
    const bad: [unknown, number, string, string?][] = [
      [{ items: [good, { ...good, digest: 'ABC' }] }, 400, 'invalid_request', 'items.1.digest'],
      [{ items: [good, { ...good, digest: sha('x').toUpperCase() }] }, 400, 'invalid_request', 'items.1.digest'],
      [{ items: [{ ...good, kind: 'poem' }] }, 400, 'invalid_request', 'items.0.kind'],
      [{ items: [{ ...good, title: 'x'.repeat(501) }] }, 400, 'invalid_request', 'items.0.title'],
      [{ items: Array.from({ length: 1001 }, (_, i) => ({ ...good, digest: sha(String(i)) })) }, 400, 'invalid_request', 'items'],
      [{ items: [] }, 400, 'invalid_request', 'items'],
      [{ items: [good, { digest: sha('y'), kind: 'file', title: 't', previous: bobDep }] }, 422, 'invalid_field', 'items.1.previous'],
    ];
    for (const [body, status, code, path] of bad) {
      const r = await call('POST', '/v1/evidence', alice, body);
      expect(r.status, JSON.stringify(r.body).slice(0, 200)).toBe(status);
      expect(r.type).toBe('application/problem+json');
      expect(r.body.code).toBe(code);
      if (path) expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await call('POST', '/v1/evidence', null, { items: [good] })).status).toBe(401);
    expect((await call('POST', '/v1/evidence', bank, { items: [good] })).status).toBe(403);
    const huge = await call('POST', '/v1/evidence', alice, undefined, JSON.stringify({ items: [good], pad: 'x'.repeat(5 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it('links an application to its deposit (存证先行) and refuses one without', async () => {
    const carol = await makeActor(ctx, 'applicant', 'enterprise'); // deposited the test root
    const noDep = completeForm(carol.uscc!, { manifest: { root: sha('undeposited'), files: 3, bytes: 1048576 } });
    const a = await call('POST', '/v1/applications', carol, noDep);
    const sub = await call('POST', `/v1/applications/${a.body.id}/submit`, carol);
    expect(sub.status).toBe(422);
    expect(sub.body.code).toBe('evidence_required');
    const foreign = await call('POST', '/v1/applications', carol, completeForm(carol.uscc!, { evidenceDepositId: 'EV-2026-00000001' }));
    const sub2 = await call('POST', `/v1/applications/${foreign.body.id}/submit`, carol);
    expect(sub2.body.code).toBe('invalid_field');
    expect(sub2.body.errors[0].path).toBe('evidenceDepositId');
    const okApp = await call('POST', '/v1/applications', carol, completeForm(carol.uscc!));
    const sub3 = await call('POST', `/v1/applications/${okApp.body.id}/submit`, carol);
    expect(sub3.status).toBe(200);
    const versions = await call('GET', `/v1/applications/${okApp.body.id}/versions`, carol);
    expect(versions.body.items[0].form.evidenceDepositId).toMatch(/^EV-/);
  });

  it('gives the receipt PDF (which names the depositor) to the depositor and registry staff only (issue 15, finding 4)', async () => {
    const dep = await call('POST', '/v1/evidence', alice, { items: [{ digest: sha('pdf privacy'), kind: 'document', title: 'board minutes' }] });
    const id = dep.body.items[0].id as string;
    const asAlice = await app.request(`/v1/evidence/${id}/pdf`, { headers: alice.auth });
    expect(asAlice.status).toBe(200);
    expect(asAlice.headers.get('content-type')).toBe('application/pdf');
    const anon = await call('GET', `/v1/evidence/${id}/pdf`, null);
    expect(anon.status).toBe(401);
    expect(anon.body.code).toBe('unauthenticated');
    // another enterprise cannot tell this id from one that does not exist
    const other = await call('GET', `/v1/evidence/${id}/pdf`, bob);
    const missing = await call('GET', '/v1/evidence/EV-2000-99999999/pdf', bob);
    expect([other.status, other.body.code]).toEqual([404, 'deposit_not_found']);
    expect([missing.status, missing.body.code]).toEqual([404, 'deposit_not_found']);
    expect((await call('GET', `/v1/evidence/${id}/pdf`, bank)).status).toBe(403);
    // the public view by id shows only what the log and the digest lookup show
    const pub = await call('GET', `/v1/evidence/${id}`, null);
    expect(pub.status).toBe(200);
    expect(pub.body).not.toHaveProperty('title');
    expect(pub.body).not.toHaveProperty('orgId');
  });

  it('audit is clean afterwards', async () => {
    expect((await auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(ctx.logKey.vkey)] })).ok).toBe(true);
  });
});
