/**
 * Bad-input fuzzing (issue 15): seeded, bounded. At least 10,000 malformed requests
 * across every operation of /openapi.json and every page route that takes a form,
 * anonymous and with each role's credentials. Every request carries at least one
 * definite defect (a NUL or a lone surrogate in a string, a value of the wrong type,
 * malformed JSON, a wrong or broken content type, an out-of-range cursor …).
 *
 * Asserted: no response ≥ 500; every 4xx of the API is `application/problem+json`
 * with a `code`; no malformed write is accepted (2xx); and the database — every table's
 * content and the log size — is unchanged by the whole run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';
import { fingerprintDatabase } from '../helpers/db-fingerprint.ts';

const REQUESTS = Number(process.env.DATADEED_FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.DATADEED_FUZZ_SEED ?? 20261201);

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
const actors: Record<string, Actor> = {};
let appId = '';

interface Operation {
  method: string;
  path: string;
  /** Path parameter names, in order. */
  params: string[];
  page: boolean;
  /** Whether the operation reads a request body (else its defect must be in the path). */
  hasBody: boolean;
}
let operations: Operation[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ DATADEED_RATE_LIMIT: 'off' });
  app = createApp(ctx.services);
  actors.applicant = await makeActor(ctx, 'applicant', 'enterprise');
  actors.reviewer = await makeActor(ctx, 'reviewer', 'registry');
  actors.bank = await makeActor(ctx, 'bank', 'bank');
  actors.insurer = await makeActor(ctx, 'insurer', 'insurer');
  actors.admin = await makeActor(ctx, 'admin', 'registry');
  const a = actors.applicant!;
  const created = await app.request('/v1/applications', {
    method: 'POST',
    headers: { ...a.auth, 'content-type': 'application/json' },
    body: JSON.stringify(completeForm(a.uscc!)),
  });
  expect(created.status).toBe(201);
  appId = ((await created.json()) as { id: string }).id;
  // every token used once before the run: its first use records lastUsedAt (authentication's own bookkeeping, not a write by the request)
  for (const a of Object.values(actors)) expect((await app.request('/v1/me', { headers: a.auth })).status).toBe(200);

  const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
  for (const [p, methods] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(m)) continue;
      const params = [...p.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]!);
      const hasBody = !!(op as { requestBody?: unknown }).requestBody;
      // a write that takes neither a body nor a path parameter has nothing to malform
      if (m !== 'get' && !hasBody && params.length === 0) continue;
      operations.push({ method: m.toUpperCase(), path: p, params, page: false, hasBody });
    }
  }
  // Page routes that take input: every POST route hono serves outside /v1, plus GET pages with parameters.
  const seen = new Set(operations.map((o) => `${o.method} ${o.path}`));
  for (const r of app.routes) {
    if (r.path.startsWith('/v1') || r.path === '*' || r.path.includes('*')) continue;
    if (r.method !== 'POST' && !(r.method === 'GET' && r.path.includes(':'))) continue;
    const path = r.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
    const key = `${r.method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    operations.push({ method: r.method, path, params: [...path.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]!), page: true, hasBody: true });
  }
  operations = operations.sort((x, y) => `${x.method} ${x.path}`.localeCompare(`${y.method} ${y.path}`));
});
afterAll(async () => {
  await ctx?.close();
});

/** Strings no field accepts: NUL, lone surrogates, control characters, far too long. */
const invalidText = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uDBFF\uDC00\uD800', '\t', '\r\n', '\u0085', 'a\u0007b'),
  fc.string({ maxLength: 8 }).map((s) => `${s}\u0000`),
  fc.string({ maxLength: 8 }).map((s) => `\uD83D${s}`),
  fc.constant('x'.repeat(70_000)),
);
/** Strings that must never reach the database, plus odd forms for paths and queries. */
const poison = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uDBFF\uDC00\uD800', '\t', 'e\u0301', '\u202E', '%00', '%ZZ', '..%2F..%2F', '\r\n', '\u0085'),
  fc.string({ maxLength: 8 }).map((s) => `${s}\u0000`),
  fc.string({ maxLength: 8 }).map((s) => `\uD83D${s}`),
  fc.constant('x'.repeat(70_000)),
);
const wrongType = fc.oneof(fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}), fc.constant(1e308), fc.constant(-1));
const cursorPoison = fc.constantFrom(
  Buffer.from('{"t":"+275760-09-13T00:00:00.000Z","id":"x"}').toString('base64url'),
  Buffer.from('{"t":"0000-01-01"}').toString('base64url'),
  Buffer.from('{"t":"2026-01-01T00:00:00Z","id":"\u0000"}').toString('base64url'),
  'not base64!',
  Buffer.from('[]').toString('base64url'),
);
const dates = fc.constantFrom('0000-00-00', '9999-99-99', '2025-02-30', '2025-13-01', '+275760-09-13', '2025-1-1');

/** A JSON body with at least one defect somewhere. */
function poisonedBody(template: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(template);
  // an impossible date is a defect only where a date belongs: in a free-text field
  // (processingRules, …) "2025-13-01" is well-formed text
  const DATE_KEYS = ['term', 'startDate', 'endDate', 'timeSpan', 'sourceAgreementEnd'];
  return (keys.length ? fc.constantFrom(...keys, 'name', 'title', 'digest', 'comment', 'term', 'startDate', 'endDate') : fc.constantFrom('name', 'x'))
    .chain((key) => (DATE_KEYS.includes(key) ? fc.oneof(invalidText, wrongType, dates) : fc.oneof(invalidText, wrongType)).map((value) => ({ key, value })))
    .map(({ key, value }) => ({ ...template, [key]: value }));
}

const FORM = completeForm('91350100M000100Y43') as Record<string, unknown>;

/** Percent-encodes every byte of the WTF-8 form of `s`: a lone surrogate is sent as its raw three bytes, as an attacker would. */
function pct(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (/[A-Za-z0-9_.~-]/.test(ch)) {
      out += ch;
      continue;
    }
    const bytes =
      cp < 0x80
        ? [cp]
        : cp < 0x800
          ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)]
          : cp < 0x10000
            ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]
            : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

type Req = { url: string; init: RequestInit; who: string; op: Operation };

function requestFor(op: Operation): fc.Arbitrary<Req> {
  const who = fc.constantFrom('anonymous', 'applicant', 'reviewer', 'bank', 'insurer', 'admin');
  // an operation without a body gets its defect in the path
  const paramValue =
    op.method !== 'GET' && !op.hasBody
      ? poison
      : fc.oneof(poison, fc.constantFrom(appId, 'DIP-2026-000001', '1', '-1', '1e999', '0x10', ' '), fc.string({ maxLength: 20 }));
  const query = fc.oneof(
    fc.constant(''),
    cursorPoison.map((c) => `?cursor=${pct(c)}`),
    poison.map((p) => `?q=${pct(p.slice(0, 2000))}&limit=${pct(p.slice(0, 10))}`),
    fc.constantFrom('?limit=-1', '?limit=1e9', '?limit=abc', '?state=nope', '?index=1.5&size=x', '?digest=zz', '?from=9&to=1'),
  );
  const body = fc.oneof(
    poisonedBody(op.page ? { username: 'u', password: 'p' } : FORM).map((b) => ({ type: 'application/json', text: JSON.stringify(b) })),
    fc.constantFrom('{"a":', '{"a":1}}', '\u0000', '[', '{"name":"\\u0000"}', '{"name":"\\ud800"}').map((t) => ({ type: 'application/json', text: t })),
    fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'multipart/form-data', 'application/x-www-form-urlencoded').map((type) => ({
      type,
      text: type.startsWith('multipart') ? '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n\u0000garbage' : 'name=%00&title=%ED%A0%80&a=%ZZ',
    })),
    invalidText.map((p) => ({ type: 'application/x-www-form-urlencoded', text: `username=${pct(p.slice(0, 100))}&password=${pct(p.slice(0, 100))}&name=${pct(p.slice(0, 100))}` })),
  );
  return fc.record({ who, params: fc.array(paramValue, { minLength: op.params.length, maxLength: op.params.length }), query, body, poisonPath: fc.boolean() }).map(
    ({ who, params, query, body, poisonPath }) => {
      let i = 0;
      let url = op.path.replace(/\{[^}]+\}/g, () => pct(params[i++]!.slice(0, 3000)));
      // GETs without path parameters get their defect in the query string
      if (op.method === 'GET' && (op.params.length === 0 || !poisonPath) && query === '') url += '?cursor=%00';
      else url += query;
      const headers: Record<string, string> = who === 'anonymous' ? {} : { ...actors[who]!.auth };
      const init: RequestInit = { method: op.method, headers };
      if (op.method !== 'GET') {
        headers['content-type'] = body.type;
        // pages check the request's origin: send the server's own
        if (op.page) headers.origin = 'http://localhost';
        init.body = body.text;
      }
      return { url, init, who, op };
    },
  );
}

describe('fuzzing every route with malformed requests', () => {
  it(`${REQUESTS} malformed requests: no 5xx, problems for the API, nothing written`, async () => {
    expect(operations.length).toBeGreaterThan(30);
    await ctx.committer.settle(); // the set-up's state commitment lands before, not during, the run
    const before = await fingerprintDatabase(ctx.database.db);
    const all = fc.oneof(...operations.map((op) => requestFor(op)));
    const samples = fc.sample(all, { numRuns: REQUESTS, seed: SEED });
    const failures: string[] = [];
    let sent = 0;
    for (const r of samples) {
      let res: Response;
      try {
        res = await app.request(r.url, r.init);
      } catch (e) {
        failures.push(`${r.init.method} ${r.url.slice(0, 120)} (${r.who}): threw ${String(e).slice(0, 200)}`);
        continue;
      }
      sent++;
      const type = res.headers.get('content-type') ?? '';
      if (res.status >= 500) failures.push(`${r.init.method} ${r.op.path} (${r.who}) → ${res.status}: ${(await res.text()).slice(0, 200)}`);
      else if (!r.op.page && r.init.method !== 'GET' && res.status < 400)
        failures.push(`${r.init.method} ${r.op.path} (${r.who}) accepted a malformed request → ${res.status}`);
      else if (!r.op.page && res.status >= 400 && r.url.startsWith('/v1')) {
        if (!type.startsWith('application/problem+json')) failures.push(`${r.init.method} ${r.op.path} → ${res.status} ${type}`);
        else {
          const body = (await res.json()) as { code?: unknown };
          if (typeof body.code !== 'string') failures.push(`${r.init.method} ${r.op.path} → problem without a code`);
        }
      } else await res.arrayBuffer();
      if (process.env.DATADEED_FUZZ_DEBUG && r.init.method !== 'GET' && res.status < 400)
        console.log('accepted', r.init.method, r.url.slice(0, 80), r.who, res.status, String(r.init.body).slice(0, 300));
      if (failures.length > 20) break;
    }
    const serverErrors = failures.filter((f) => / → 5\d\d/.test(f)).length;
    console.log(`fuzz ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}: ${sent} malformed requests sent (seed ${SEED}), ${serverErrors} answered 5xx, ${failures.length} failures`);
    expect(failures).toEqual([]);
    expect(sent).toBe(REQUESTS);
    expect(await fingerprintDatabase(ctx.database.db)).toEqual(before);
  }, 600_000);
});
