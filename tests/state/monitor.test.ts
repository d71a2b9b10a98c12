/**
 * `datadeed monitor` (issue 16): a monitor following a live registry through its tiles
 * serves the same proven statuses as the registry, and a registry forced to commit a
 * wrong state root is detected — an alert with an evidence file, and it stops following.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { verifyStateProof } from '../../src/certificates/index.ts';
import { Monitor } from '../../src/cli/monitor.ts';
import { encodeEntry } from '../../src/ledger/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor, jsonCaller } from '../helpers/registry.ts';

const DAY = 86_400_000;

describe('datadeed monitor', () => {
  let ctx: TestContext;
  let registry: ReturnType<typeof createApp>;
  let call: (method: string, p: string, who: Actor | null, body?: unknown) => Promise<Record<string, any>>;
  const numbers: string[] = [];
  let dir: string;
  let monitor: Monitor;
  const alerts: string[] = [];

  beforeAll(async () => {
    ctx = await createTestContext({ DATADEED_STATE_COMMIT_INTERVAL_MS: '0' });
    registry = createApp(ctx.services);
    call = jsonCaller(registry);
    const applicant = await makeActor(ctx, 'applicant', 'enterprise');
    const reviewer = await makeActor(ctx, 'reviewer', 'registry');
    const bank = await makeActor(ctx, 'bank', 'bank');
    for (let i = 0; i < 2; i++) {
      const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).id;
      await call('POST', `/v1/applications/${id}/submit`, applicant);
      await call('POST', `/v1/applications/${id}/claim`, reviewer);
      await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
      ctx.clock.advance(10 * DAY);
      numbers.push((await call('POST', `/v1/applications/${id}/approve`, reviewer)).certificate.number);
    }
    const req = await call('POST', `/v1/certificates/${numbers[1]}/pledges`, bank, { loanReference: 'L-1', amount: { value: '1000.00', currency: 'CNY' }, term: { start: '2026-02-01', end: '2027-02-01' } });
    await call('POST', `/v1/pledges/${req.id}/consent`, applicant);
    // the registry commits its state (asked for a status) and publishes a checkpoint including it
    for (const n of numbers) await call('GET', `/v1/certificates/${n}/status`, null);
    await ctx.publisher.publish();
    dir = mkdtempSync(path.join(tmpdir(), 'dd-monitor-'));
    monitor = await Monitor.open({
      url: 'http://registry.test',
      dataDir: dir,
      logKeys: [ctx.logKey.vkey],
      fetch: async (u) => registry.request(new URL(u).pathname + new URL(u).search),
      log: (l) => alerts.push(l),
    });
  });
  afterAll(async () => {
    await monitor?.close();
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows the registry and serves the same proven statuses', async () => {
    expect(await monitor.poll()).toBeUndefined();
    const app = monitor.app();
    for (const n of numbers) {
      const ours = (await call('GET', `/v1/certificates/${n}/status`, null)).stateProof;
      const res = await app.request(`/v1/certificates/${n}/status`);
      expect(res.status).toBe(200);
      const theirs = (await res.json()) as { status: string; stateProof: unknown };
      const r = await verifyStateProof(theirs.stateProof, { certificate: n }, [ctx.logKey.vkey], nodeEd25519);
      expect(r.ok).toBe(true);
      expect(r.ok && r.record).toEqual(ours.record);
      expect(theirs.status).toBe(ours.record.status);
    }
    expect((await (await app.request(`/v1/certificates/${numbers[1]}/status`)).json()).status).toBe('pledged');
    const absent = (await (await app.request(`/v1/evidence?digest=${'e'.repeat(64)}`)).json()) as { deposited: boolean; stateProof: unknown };
    expect(absent.deposited).toBe(false);
    expect((await verifyStateProof(absent.stateProof, { digest: 'e'.repeat(64) }, [ctx.logKey.vkey], nodeEd25519)).ok).toBe(true);
  });

  it('detects a registry that commits a wrong state root, keeps the evidence and stops', async () => {
    const bad = 'ab'.repeat(32);
    const a = await ctx.appendWith(async (_tx, index) => ({ entry: encodeEntry({ kind: 'state.committed', time: ctx.now().toISOString(), size: index, root: bad }), result: index }));
    await ctx.publisher.publish();
    const alert = await monitor.poll();
    expect(alert).toMatchObject({ kind: 'wrong_state_root', index: a.result, logged: bad });
    expect(alerts.some((l) => l.startsWith('ALERT datadeed monitor: wrong_state_root'))).toBe(true);
    const files = readdirSync(path.join(dir, 'evidence'));
    expect(files).toHaveLength(1);
    const evidence = JSON.parse(readFileSync(path.join(dir, 'evidence', files[0]!), 'utf8'));
    expect(evidence).toMatchObject({ kind: 'wrong_state_root', index: a.result, logged: bad });
    expect(evidence.checkpoint).toContain('test.datadeed.localhost/log');
    expect(existsSync(path.join(dir, 'db'))).toBe(true);
    // it stays stopped
    expect(await monitor.poll()).toBe(alert);
  });
});
