/**
 * The demo data set (`serve --demo`): one organisation and user per role, with
 * passwords and API tokens (printed once and written 0600 to
 * `<data dir>/demo-credentials.json`), and one dataset walked through to an issued
 * certificate, so a newcomer has something to verify at once. Idempotent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { System } from '../compose.ts';
import { meta } from '../db/index.ts';
import { buildManifest } from '../fingerprint/index.ts';
import type { Principal, Role } from '../accounts/pg/index.ts';
import { createRegistry } from '../registry/pg/index.ts';

export interface DemoAccount {
  role: Role;
  organisation: string;
  username: string;
  password: string;
  token: string;
}

export interface DemoResult {
  created: boolean;
  accounts: DemoAccount[];
  certificateNumber?: string;
  credentialsFile: string;
}

/** The demo holder's 统一社会信用代码 (a commonly cited valid example). */
export const DEMO_USCC = '91350100M000100Y43';

export const DEMO_SAMPLE = [
  'well_id,depth_from_m,depth_to_m,lithology,rop_m_per_h',
  'ORD-0001,0,120,sandstone,18.2',
  'ORD-0001,120,260,mudstone,11.7',
  'ORD-0002,0,95,sandstone,19.9',
  '',
].join('\n');

export async function seedDemo(ctx: System): Promise<DemoResult> {
  const db = ctx.database.db;
  const credentialsFile = path.join(ctx.config.dataDir, 'demo-credentials.json');
  const [done] = await db.select().from(meta).where(eq(meta.key, 'demo_seeded'));
  if (done) return { created: false, accounts: [], certificateNumber: done.value || undefined, credentialsFile };
  const accounts = ctx.accounts;

  const registryOrg = await accounts.createOrganisation({ name: '数据知识产权登记中心 (Demo Registry)', kind: 'registry' });
  const enterprise = await accounts.createOrganisation({ name: '示例能源科技有限公司 (Demo Energy Tech Co.)', kind: 'enterprise', uscc: DEMO_USCC });
  const bank = await accounts.createOrganisation({ name: '示例银行 (Demo Bank)', kind: 'bank' });
  const insurer = await accounts.createOrganisation({ name: '示例保险 (Demo Insurance)', kind: 'insurer' });
  const notary = await accounts.createOrganisation({ name: '示例公证处 (Demo Notary Office)', kind: 'notary' });
  const plan: [Role, { id: string; name: string }, string][] = [
    ['admin', registryOrg, 'demo-admin'],
    ['reviewer', registryOrg, 'demo-reviewer'],
    ['applicant', enterprise, 'demo-applicant'],
    ['bank', bank, 'demo-bank'],
    ['insurer', insurer, 'demo-insurer'],
    ['notary', notary, 'demo-notary'],
  ];
  const created: DemoAccount[] = [];
  const principals: Partial<Record<Role, Principal>> = {};
  for (const [role, org, username] of plan) {
    const password = randomBytes(12).toString('base64url');
    const u = await accounts.createUser({ orgId: org.id, username, displayName: username, role, password });
    const t = await accounts.createToken({ userId: u.id, name: 'demo' });
    created.push({ role, organisation: org.name, username, password, token: t.token });
    principals[role] = {
      userId: u.id,
      username,
      displayName: username,
      role,
      orgId: org.id,
      orgName: org.name,
      orgKind: role === 'applicant' ? 'enterprise' : role === 'bank' ? 'bank' : role === 'insurer' ? 'insurer' : role === 'notary' ? 'notary' : 'registry',
      orgUscc: role === 'applicant' ? DEMO_USCC : null,
      via: 'token',
    };
  }

  // one dataset: a three-file manifest, walked to an issued certificate (a zero-day notice for the demo only)
  const files = [
    { path: 'README.txt', bytes: Buffer.from('Ordos basin drilling records, demo extract.\n') },
    { path: 'wells/ORD-0001.csv', bytes: Buffer.from(DEMO_SAMPLE) },
    { path: '数据/样本.csv', bytes: Buffer.from(DEMO_SAMPLE.split('\n').slice(0, 2).join('\n') + '\n') },
  ];
  const manifest = buildManifest(files.map((f) => ({ path: f.path, size: f.bytes.length, sha256: createHash('sha256').update(f.bytes).digest('hex') })));
  const total = files.reduce((n, f) => n + f.bytes.length, 0);
  const demo = createRegistry({ ...ctx.registry.deps, settings: { ...ctx.registry.deps.settings, notice: { unit: 'days', days: 0 } } });
  const applicant = principals.applicant!;
  const reviewer = principals.reviewer!;
  // evidence first (存证先行): deposit the manifest root, then apply
  await ctx.registry.evidence.deposit(applicant, [{ digest: manifest.root, kind: 'manifest', title: 'Ordos Basin drilling records (demo)', files: manifest.files, bytes: manifest.bytes }]);
  const draft = await demo.applications.createDraft(applicant, {
    datasetName: '鄂尔多斯盆地钻井记录（示例） Ordos Basin drilling records (demo)',
    holder: { name: '示例能源科技有限公司', uscc: DEMO_USCC },
    dataSource: '自有钻井作业 Own drilling operations, 2019–2024',
    collectionMethod: '随钻测井与现场报告 Logging while drilling and field reports',
    legality: { lawfulCollection: true, containsPersonalInfo: false, containsStateSecrets: false },
    scale: { records: 220000, bytes: total, files: files.length },
    structure: 'CSV, one row per drilling interval',
    format: 'CSV (UTF-8)',
    updateFrequency: 'monthly',
    timeSpan: { from: '2019-01-01', to: '2024-12-31' },
    processingRules: '去重、单位归一、异常值标注 De-duplication, unit normalisation, outlier flagging',
    scenarios: ['储层建模 Reservoir modelling', '钻井优化 Drilling optimisation'],
    industry: 'B07',
    manifest: { root: manifest.root, files: manifest.files, bytes: manifest.bytes },
    contact: { name: '张工', phone: '+86 10 5555 0100', email: 'data@demo.example' },
  });
  await demo.applications.putSample(applicant, draft.id as string, { filename: 'sample.csv', mediaType: 'text/csv; charset=utf-8', bytes: Buffer.from(DEMO_SAMPLE) });
  await demo.applications.submit(applicant, draft.id as string);
  await demo.applications.claim(reviewer, draft.id as string);
  await demo.applications.openNotice(reviewer, draft.id as string);
  const approved = await demo.applications.approve(reviewer, draft.id as string);
  const certificateNumber = (approved.certificate as { number: string }).number;

  writeFileSync(credentialsFile, JSON.stringify({ accounts: created, certificateNumber, manifest }, null, 2) + '\n', { mode: 0o600 });
  await db.insert(meta).values({ key: 'demo_seeded', value: certificateNumber });
  return { created: true, accounts: created, certificateNumber, credentialsFile };
}
