/**
 * What the real server writes (issue 15, finding 4: "failed queries are logged with all
 * their parameters: password hashes, token hashes and draft personal data appeared in the
 * server output"). `datadeed serve` runs on a temporary data directory at LOG_LEVEL=trace;
 * a bad-input run — failed sign-ins with a password, bad and good tokens, invalid drafts and
 * objections full of personal data, a duplicate user with a password — is sent; then its
 * stdout and stderr are searched for every secret and personal datum of the run, and for
 * every password, token and session hash the database holds afterwards: none appears.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createToken, createUser } from '../../src/accounts/pg/index.ts';
import { queryRows } from '../../src/db/index.ts';
import { startServe, type ServedProcess } from '../helpers/serve-process.ts';
import { completeForm, makeUscc } from '../helpers/registry.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const ADMIN_PASSWORD = 'admin-Passw0rd-7c1e-secret';
const APPLICANT_PASSWORD = 'applicant-Passw0rd-93fa-secret';
const WRONG_PASSWORDS = ['wrong-Passw0rd-1b2c-guess', 'wrong-Passw0rd-3d4e-guess', 'hunter2-is-not-it-5f60', 'Tr0ub4dor&3-guess-a8b9'];
const DUPLICATE_PASSWORD = 'duplicate-user-Passw0rd-0e7d';
const PERSON = { name: '张伟私密', phone: '+86 139 8765 4321', email: 'zhang.wei.private-71@example.cn' };
const OBJECTOR = { name: 'Objector Secretname', contact: '+86 135 1111 2233' };

let served: ServedProcess;
let adminToken: string;
let applicantToken: string;
let applicantUser: string;
let usersOrg: string;
const secrets = new Set<string>([ADMIN_PASSWORD, APPLICANT_PASSWORD, DUPLICATE_PASSWORD, ...WRONG_PASSWORDS, ...Object.values(PERSON), ...Object.values(OBJECTOR)]);

async function http(method: string, path: string, opts: { token?: string; json?: unknown; form?: Record<string, string>; cookie?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.Cookie = opts.cookie;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = typeof opts.json === 'string' ? opts.json : JSON.stringify(opts.json);
  }
  if (opts.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers.Origin = served.base;
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await fetch(`${served.base}${path}`, { method, headers, body, redirect: 'manual' });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

beforeAll(async () => {
  served = await startServe({
    env: { LOG_LEVEL: 'trace' },
    prepare: async (system) => {
      const database = system.database;
      const now = new Date();
      const registry = await system.accounts.createOrganisation({ name: 'Registry', kind: 'registry', uscc: makeUscc(4242) });
      const admin = await createUser(database.db, { orgId: registry.id, username: 'admin1', displayName: 'Admin', role: 'admin', password: ADMIN_PASSWORD }, now);
      adminToken = (await createToken(database.db, { userId: admin.id, name: 'test' }, now)).token;
      const ent = await system.accounts.createOrganisation({ name: '示例数据有限公司', kind: 'enterprise', uscc: makeUscc(4343) });
      usersOrg = ent.id;
      const applicant = await createUser(database.db, { orgId: ent.id, username: 'applicant1', displayName: 'Applicant', role: 'applicant', password: APPLICANT_PASSWORD }, now);
      applicantUser = applicant.username;
      applicantToken = (await createToken(database.db, { userId: applicant.id, name: 'test' }, now)).token;
    },
  });
  secrets.add(adminToken);
  secrets.add(applicantToken);
}, 120_000);
afterAll(async () => {
  await served?.stop();
  await served?.cleanup();
});

describe('the server output of a bad-input run', () => {
  it('holds no password, token, password/token/session hash or draft personal data', async () => {
    // a sign-in that works (before the failures: the back-off then locks this address), then failed ones, each with a password
    const admin = await http('POST', '/login', { form: { username: 'admin1', password: ADMIN_PASSWORD } });
    expect(admin.status).toBe(303);
    const cookie = admin.headers.get('set-cookie')!.split(';')[0]!;
    secrets.add(cookie.split('=')[1]!);
    for (const pw of WRONG_PASSWORDS) expect([401, 429]).toContain((await http('POST', '/login', { form: { username: applicantUser, password: pw } })).status);
    expect([401, 429]).toContain((await http('POST', '/login', { form: { username: 'nobody-here', password: APPLICANT_PASSWORD } })).status);

    // bad tokens: well-formed but unknown, malformed, one character off a real one
    const badTokens = [`ddt_${randomBytes(32).toString('base64url')}`, 'not a token at all', `${adminToken.slice(0, -1)}${adminToken.endsWith('A') ? 'B' : 'A'}`];
    for (const t of badTokens) {
      secrets.add(t);
      expect((await http('GET', '/v1/me', { token: t })).status).toBeGreaterThanOrEqual(400);
      expect((await http('POST', '/v1/applications', { token: t, json: { datasetName: 'x', contact: PERSON } })).status).toBe(401);
    }

    // invalid drafts with personal data
    const contact = { name: PERSON.name, phone: PERSON.phone, email: PERSON.email };
    const invalidDrafts: unknown[] = [
      { datasetName: 'Tab\tin name', contact },
      { datasetName: 'Cafe\u0301 (not NFC)', contact },
      { ...completeForm(makeUscc(4343)), contact, timeSpan: { from: '0000-00-00', to: '9999-99-99' } },
      { datasetName: 'Unknown field', contact, password: APPLICANT_PASSWORD },
      { datasetName: 'NUL', contact: { ...contact, phone: `${PERSON.phone}\u0000` } },
    ];
    for (const d of invalidDrafts) {
      const r = await http('POST', '/v1/applications', { token: applicantToken, json: d });
      expect(r.status, r.text).toBeGreaterThanOrEqual(400);
      expect(r.status, r.text).toBeLessThan(500);
    }
    expect((await http('POST', '/v1/applications', { token: applicantToken, json: '{"contact": {"phone": "' + PERSON.phone + '"' })).status).toBe(400);
    expect((await http('PATCH', '/v1/applications/00000000-0000-4000-8000-000000000000', { token: applicantToken, json: { contact } })).status).toBe(404);
    // a draft that is stored, then refused at submission (incomplete)
    const draft = await http('POST', '/v1/applications', { token: applicantToken, json: { datasetName: 'Stored draft', contact } });
    expect(draft.status, draft.text).toBe(201);
    const id = (JSON.parse(draft.text) as { id: string }).id;
    expect((await http('POST', `/v1/applications/${id}/submit`, { token: applicantToken })).status).toBe(422);
    // an objection with personal data, grounds too short; and to a notice that does not exist
    expect((await http('POST', `/v1/notices/${id}/objections`, { json: { ...OBJECTOR, grounds: 'short' } })).status).toBe(400); // the route's schema
    expect((await http('POST', `/v1/notices/${id}/objections`, { json: { ...OBJECTOR, grounds: 'Grounds long enough to pass.' } })).status).toBe(404);

    // accounts: a duplicate username with a password (the failed INSERT carried its hash), unknown organisation, unknown user
    const dup = await http('POST', '/v1/users', { token: adminToken, json: { orgId: usersOrg, username: 'applicant1', displayName: 'Dup', role: 'applicant', password: DUPLICATE_PASSWORD } });
    expect(dup.status, dup.text).toBe(409);
    expect((await http('POST', '/v1/users', { token: adminToken, json: { orgId: '00000000-0000-4000-8000-000000000000', username: 'ghost1', displayName: 'Ghost', role: 'applicant', password: DUPLICATE_PASSWORD } })).status).toBe(404);
    expect((await http('POST', '/v1/tokens', { token: adminToken, json: { userId: '00000000-0000-4000-8000-000000000000', name: 'x' } })).status).toBe(404);
    // a page form with the session cookie and personal data in it
    expect((await http('POST', '/logout', { cookie, form: {} })).status).toBeLessThan(500);

    await served.stop();

    // every password, token and session hash the database holds now
    const database = await served.openDatabase();
    try {
      for (const r of await queryRows<{ h: string | null }>(database.db, sql`SELECT password_hash AS h FROM users`)) {
        if (!r.h) continue;
        secrets.add(r.h);
        for (const part of r.h.split('$').filter((x) => x.length >= 16)) secrets.add(part); // salt and hash
      }
      for (const r of await queryRows<{ h: string }>(database.db, sql`SELECT token_hash AS h FROM api_tokens`)) secrets.add(r.h);
      for (const r of await queryRows<{ h: string }>(database.db, sql`SELECT id_hash AS h FROM sessions`)) secrets.add(r.h);
    } finally {
      await database.close();
    }
    for (const s of [...secrets]) if (/^ddt_|^dds_/.test(s)) secrets.add(sha256(s));
    secrets.add(PERSON.phone.replace(/ /g, ''));

    const output = served.stdout() + served.stderr();
    // the server did log the run (a request line per request, at trace level)
    expect(output).toContain('"msg":"request"');
    expect(output).toMatch(/"status":401/);
    expect(output).toMatch(/"status":422/);
    const found = [...secrets].filter((s) => output.includes(s));
    expect(found).toEqual([]);
  }, 180_000);
});
