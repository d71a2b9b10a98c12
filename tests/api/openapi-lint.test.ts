/**
 * The OpenAPI document as tools see it: Redocly's recommended rules (an implementation
 * we did not write) report 0 errors and 0 warnings on `/openapi.json` — every operation
 * with an id and a declared security requirement (public ones explicitly `[]`), servers,
 * a licence. And the declared requirements agree with what the server does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';

type Doc = {
  servers: { url: string }[];
  paths: Record<string, Record<string, { operationId?: string; security?: Record<string, string[]>[] }>>;
  components: { securitySchemes: Record<string, unknown> };
};

let ctx: TestContext;
let doc: Doc;
let text: string;
let app: { request(path: string, init?: RequestInit): Response | Promise<Response> };
let dir: string;
beforeAll(async () => {
  ctx = await createTestContext();
  const { createApp } = await import('../../src/api/app.tsx');
  app = createApp(ctx.services);
  text = await (await app.request('/openapi.json')).text();
  doc = JSON.parse(text) as Doc;
  dir = mkdtempSync(path.join(tmpdir(), 'dd-openapi-'));
});
afterAll(async () => {
  await ctx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('/openapi.json', () => {
  it('passes `redocly lint` (recommended rules) with 0 errors and 0 warnings', () => {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, text);
    const redocly = path.resolve('node_modules/@redocly/cli/bin/cli.js');
    let out: string;
    try {
      out = execFileSync(process.execPath, [redocly, 'lint', file, '--extends', 'recommended', '--format', 'json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
    } catch (e) {
      out = (e as { stdout: string }).stdout;
    }
    const report = JSON.parse(out) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
    expect(report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 120_000);

  it('operation ids are unique; every protected operation takes a token or a session, and refuses an anonymous caller', async () => {
    const ids: string[] = [];
    let protectedCount = 0;
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        ids.push(op.operationId!);
        expect(op.security, `${method} ${p}`).toBeDefined();
        if (op.security!.length === 0) continue;
        protectedCount++;
        expect(op.security).toEqual([{ bearer: [] }, { session: [] }]);
        const url = p.replace(/\{[^}]+\}/g, '1');
        const res = await app.request(url, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: method === 'get' ? undefined : '{}' });
        expect(res.status, `${method} ${p}`).toBe(401);
      }
    }
    expect(protectedCount).toBeGreaterThan(30);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'session']);
    expect(doc.servers.length).toBe(1);
  });
});
