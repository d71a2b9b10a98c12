/** Accounts and a complete application form for registry tests. */
import { authenticateToken, createToken, createUser, type OrgKind, type Role } from '../../src/accounts/pg/index.ts';
import type { TestContext } from './context.ts';

const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_W = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * A valid 统一社会信用代码 for test fixtures, computed here independently of
 * src/certificates/uscc.ts from GB 32100 / GB 11714 (weights above).
 */
export function makeUscc(serial: number): string {
  const body8 = String(10000000 + (serial % 89999999)).slice(-8);
  const orgSum = [...body8].reduce((s, ch, i) => s + Number(ch) * ORG_W[i]!, 0);
  const orgCheckVal = 11 - (orgSum % 11);
  const orgCheck = orgCheckVal === 10 ? 'X' : orgCheckVal === 11 ? '0' : String(orgCheckVal);
  const first17 = `91110108${body8}${orgCheck}`.slice(0, 17);
  const sum = [...first17].reduce((s, ch, i) => s + CHARS.indexOf(ch) * W[i]!, 0);
  const check = CHARS[(31 - (sum % 31)) % 31]!;
  return first17 + check;
}

export interface Actor {
  userId: string;
  orgId: string;
  token: string;
  uscc?: string;
  auth: { Authorization: string };
}

let serial = 1000;

export async function makeActor(ctx: TestContext, role: Role, orgKind: OrgKind, org?: { id: string; uscc?: string }): Promise<Actor> {
  const now = ctx.clock.now();
  const db = ctx.database.db;
  const n = (serial += 7);
  const uscc = orgKind === 'enterprise' || orgKind === 'registry' ? makeUscc(n) : undefined;
  const o = org ?? (await ctx.accounts.createOrganisation({ name: `${orgKind} ${n}`, kind: orgKind, uscc }));
  const u = await createUser(db, { orgId: o.id, username: `${role}${n}`, displayName: `${role} ${n}`, role, password: 'correct horse battery staple' }, now);
  const t = await createToken(db, { userId: u.id, name: 'test' }, now);
  if (role === 'applicant') {
    // evidence first (存证先行): the org deposits the manifest root the test forms use
    const principal = await authenticateToken(db, t.token, now);
    await ctx.registry.evidence.deposit(principal!, [{ digest: TEST_ROOT, kind: 'manifest', title: 'test dataset' }]);
  }
  return { userId: u.id, orgId: o.id, token: t.token, uscc: org?.uscc ?? uscc, auth: { Authorization: `Bearer ${t.token}` } };
}

/** The manifest root every test form uses. */
export const TEST_ROOT = 'a'.repeat(64);

export function completeForm(uscc: string, overrides: Record<string, unknown> = {}) {
  return {
    datasetName: '鄂尔多斯盆地钻井记录 Ordos drilling records',
    holder: { name: '示例能源科技有限公司', uscc },
    dataSource: 'Own drilling operations 2019–2024 (自有钻井作业)',
    collectionMethod: 'Sensor logging and field reports',
    legality: { lawfulCollection: true, containsPersonalInfo: false, containsStateSecrets: false },
    scale: { records: 220000, bytes: 1048576, files: 3 },
    structure: 'CSV, one row per drilling interval',
    format: 'CSV (UTF-8)',
    updateFrequency: 'monthly',
    timeSpan: { from: '2019-01-01', to: '2024-12-31' },
    processingRules: 'De-duplication, unit normalisation, outlier flagging',
    scenarios: ['Reservoir modelling', 'Drilling optimisation'],
    industry: 'B07',
    manifest: { root: TEST_ROOT, files: 3, bytes: 1048576 },
    contact: { name: '张三', phone: '+86 10 1234 5678', email: 'data@example.com' },
    ...overrides,
  };
}

/** Something that answers requests in-process (a hono app). */
export interface InProcessApp {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/**
 * `call(method, path, who, body)` against `app` as `who` (or anonymously): the JSON answer,
 * or an error naming the request and the answer when the status is 300 or more.
 */
export function jsonCaller(app: InProcessApp) {
  return async (method: string, p: string, who: Actor | null, body?: unknown) => {
    const res = await app.request(p, {
      method,
      headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
}
