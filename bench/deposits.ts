/**
 * Evidence deposits acknowledged per second with 1,000-item requests from 8 clients
 * (through the HTTP app in-process: JSON parsing, zod validation, one atomic
 * multi-entry append per request), as a ratio to the log's own raw append rate
 * (256 concurrent plain appends) measured on the same database in the same run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../src/api/app.tsx';
import { loadConfig } from '../src/config.ts';
import { composeSystem } from '../src/compose.ts';
import { createToken, createUser } from '../src/accounts/pg/index.ts';
import { dbKinds, EntryFactory, int, isMain, knob, line, listKnob, ms, note, openBenchDatabase, postgresReachable, ratio, runMain, summarize, type DbKind } from './lib.ts';

const SECONDS = knob('BENCH_DEPOSIT_SECONDS', 8, 2);
const CLIENTS = knob('BENCH_DEPOSIT_CLIENTS', 8, 8);
const ITEMS = knob('BENCH_DEPOSIT_ITEMS', 1000, 1000);

async function benchKind(kind: DbKind): Promise<void> {
  const database = await openBenchDatabase(kind, { maxConnections: 16 });
  const dir = mkdtempSync(path.join(tmpdir(), 'dd-bench-deposit-'));
  try {
    const ctx = await composeSystem(loadConfig({ DATADEED_DATA_DIR: dir, DATADEED_ORIGIN: 'bench.datadeed.localhost/log', LOG_LEVEL: 'silent', DATADEED_RATE_LIMIT: 'off' }), { database });
    const app = createApp(ctx.services);
    const now = new Date();
    const org = await ctx.accounts.createOrganisation({ name: 'Bench Co', kind: 'enterprise', uscc: '91350100M000100Y43' });
    const user = await createUser(database.db, { orgId: org.id, username: 'bench', displayName: 'bench', role: 'applicant' }, now);
    const { token } = await createToken(database.db, { userId: user.id, name: 'bench' }, now);

    // baseline: the log's raw append rate, 256 concurrent appenders
    const entries = new EntryFactory();
    let raw = 0;
    const rawEnd = performance.now() + SECONDS * 1000;
    const rawStart = performance.now();
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        while (performance.now() < rawEnd) {
          await ctx.sequencer.append(entries.make(raw++));
        }
      }),
    );
    const rawRate = raw / ((performance.now() - rawStart) / 1000);
    line(`deposits ${kind} baseline: raw log appends ${int(rawRate)}/s (256 concurrent appenders)`);

    // deposits: CLIENTS clients, each sending ITEMS-item requests back to back
    let items = 0;
    const lat: number[] = [];
    const end = performance.now() + SECONDS * 1000;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < end) {
          const salt = randomBytes(8).toString('hex');
          const body = JSON.stringify({
            items: Array.from({ length: ITEMS }, (_, i) => ({ digest: createHash('sha256').update(`${salt}:${i}`).digest('hex'), kind: 'file', title: `file ${i}` })),
          });
          const t = performance.now();
          const res = await app.request('/v1/evidence', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
          if (res.status !== 201) throw new Error(`deposit answered ${res.status}: ${await res.text()}`);
          await res.arrayBuffer();
          lat.push(performance.now() - t);
          items += ITEMS;
        }
      }),
    );
    const rate = items / ((performance.now() - start) / 1000);
    const s = summarize(lat);
    line(
      `deposits ${kind} ${CLIENTS} clients × ${ITEMS}-item requests: ${int(rate)} deposits/s (${ratio(rate, rawRate)} raw log appends ${int(rawRate)}/s), request p50 ${ms(s.p50)} p99 ${ms(s.p99)}, ${lat.length} requests`,
    );
    await ctx.close();
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchDeposits(): Promise<void> {
  for (const kind of dbKinds(listKnob('BENCH_DEPOSIT_DB', 'postgres,pglite'))) {
    if (kind === 'postgres' && !(await postgresReachable())) {
      note('deposits postgres: PostgreSQL not reachable, skipped');
      continue;
    }
    await benchKind(kind);
  }
}

if (isMain(import.meta.url)) runMain(benchDeposits);
