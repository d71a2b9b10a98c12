/**
 * A registry with something on every page, for the page tests: the demo's organisations,
 * users and issued certificate, plus an application in each interesting state (draft,
 * changes requested with a comment, in public notice, under objection), a recorded and a
 * requested pledge, and an insurance policy.
 */
import { seedDemo, type DemoAccount } from '../../src/cli/demo.ts';
import type { Principal, Role } from '../../src/accounts/pg/index.ts';
import type { TestContext } from './context.ts';
import { completeForm, TEST_ROOT } from './registry.ts';
import { formatCosignerKey, signAttestation } from '../../src/witness/index.ts';
import { nodeEd25519Sign, publicKeyFromSeed } from '../../src/witness/node/ed25519.ts';

export interface PagesSeed {
  accounts: Record<Role, DemoAccount>;
  principals: Record<Role, Principal>;
  certificateNumber: string;
  /** Application ids by state. */
  apps: { draft: string; changesRequested: string; notice: string; objection: string; approved: string };
  objectionId: string;
  pledges: { recorded: string; requested: string };
  depositId: string;
  attestationIndex: number;
}

export async function seedPages(ctx: TestContext): Promise<PagesSeed> {
  const demo = await seedDemo(ctx);
  const accounts = Object.fromEntries(demo.accounts.map((a) => [a.role, a])) as Record<Role, DemoAccount>;
  const principals = {} as Record<Role, Principal>;
  for (const a of demo.accounts) principals[a.role] = (await ctx.accounts.signIn(a.username, a.password))!.principal;
  const { applicant, reviewer, bank, insurer } = principals;
  const apps = ctx.registry.applications;
  const uscc = applicant.orgUscc!;
  const dep = await ctx.registry.evidence.deposit(applicant, [{ digest: TEST_ROOT, kind: 'manifest', title: 'page test dataset', files: 3, bytes: 1048576 }]);
  const make = async (name: string) => (await apps.createDraft(applicant, completeForm(uscc, { datasetName: name }))).id as string;
  const draft = await make('草稿数据集 Draft dataset');
  const changesRequested = await make('待补正数据集 Dataset with a change request');
  await apps.submit(applicant, changesRequested);
  await apps.claim(reviewer, changesRequested);
  await apps.requestChanges(reviewer, changesRequested, '请补充数据来源的授权证明。 Please add proof of the source licence.');
  const notice = await make('公示数据集 Dataset in notice');
  await apps.submit(applicant, notice);
  await apps.claim(reviewer, notice);
  await apps.openNotice(reviewer, notice);
  const objection = await make('异议数据集 Dataset under objection');
  await apps.submit(applicant, objection);
  await apps.claim(reviewer, objection);
  await apps.openNotice(reviewer, objection);
  const obj = await apps.fileObjection(objection, { name: '李四', contact: 'li@example.com', grounds: '该数据集与我方数据重复。 This copies our dataset.' });
  const approved = (await apps.list(applicant, { limit: 100, state: ['approved'] })).items[0]!.id;
  const number = demo.certificateNumber!;
  const term = { start: '2026-01-01', end: '2027-01-01' };
  const recorded = await ctx.registry.encumbrances.requestPledge(bank, number, { loanReference: 'LOAN-1', amount: { value: '5000000.00', currency: 'CNY' }, term });
  await ctx.registry.encumbrances.consent(applicant, recorded.id);
  await ctx.registry.encumbrances.allowSubsequent(bank, recorded.id);
  const requested = await ctx.registry.encumbrances.requestPledge(bank, number, { loanReference: 'LOAN-2', amount: { value: '1000000.00', currency: 'CNY' }, term });
  await ctx.registry.encumbrances.recordPolicy(insurer, number, { policyNumber: 'POL-1', insuredAmount: { value: '2000000.00', currency: 'CNY' }, term, coverageType: 'infringement' });
  // a notary office attests the deposited dataset with its own key
  const notary = principals.notary;
  const attestation = await notaryAttest(ctx, notary, { digest: TEST_ROOT, notarialNumber: '(2026)示例公证字第0001号' });
  return {
    accounts,
    principals,
    certificateNumber: number,
    apps: { draft, changesRequested, notice, objection, approved },
    objectionId: obj.id,
    pledges: { recorded: recorded.id, requested: requested.id },
    depositId: dep.items[0]!.deposit.id,
    attestationIndex: attestation.logIndex,
  };
}

/** The seed of the test notary office's key (its witness key). */
export const NOTARY_SEED = new Uint8Array(32).fill(7);
export const NOTARY_KEY = formatCosignerKey('notary.test/witness', publicKeyFromSeed(NOTARY_SEED));

/** Records an attestation by `notary`, signed with the test notary key over the statement (an hour before the registry's clock). */
export async function notaryAttest(ctx: TestContext, notary: Principal, input: { digest: string; notarialNumber: string }) {
  const attestedAt = new Date(ctx.clock.now().getTime() - 3_600_000).toISOString();
  const signed = await signAttestation(
    { origin: ctx.registry.deps.settings.origin, digest: input.digest, notarialNumber: input.notarialNumber, office: notary.orgName, attestedAt },
    NOTARY_KEY,
    nodeEd25519Sign(NOTARY_SEED),
  );
  return ctx.registry.attestations.attest(notary, { ...input, attestedAt, ...signed });
}

/** Every page of the site, by who may see it ('public' pages for everyone). */
export function pagePaths(s: PagesSeed): Record<Role | 'public', string[]> {
  const n = s.certificateNumber;
  return {
    public: ['/', '/verify', `/verify/${n}`, `/verify/${n}/history`, `/verify/${n}/report.pdf`, `/verify/evidence/${s.depositId}`, '/register', '/notices', `/notices/${s.apps.notice}/objections`, '/log', '/log/entries/0', '/login', '/docs', '/no/such/page'],
    applicant: [
      '/dashboard',
      '/applications/new',
      `/applications/${s.apps.draft}`,
      `/applications/${s.apps.draft}/edit`,
      `/applications/${s.apps.changesRequested}`,
      `/applications/${s.apps.objection}`,
      `/applications/${s.apps.draft}/submit`,
      `/applications/${s.apps.draft}/withdraw`,
      `/certificates/${n}`,
      `/certificates/${n}/licences/new`,
      `/certificates/${n}/transfer`,
      `/pledges/${s.pledges.requested}/consent`,
      `/pledges/${s.pledges.requested}/decline`,
    ],
    reviewer: [
      '/dashboard',
      '/queue',
      '/queue?state=all',
      `/applications/${s.apps.notice}`,
      `/applications/${s.apps.objection}`,
      `/applications/${s.apps.changesRequested}`,
      `/applications/${s.apps.approved}`,
      `/objections/${s.objectionId}/dismiss?application=${s.apps.objection}`,
      `/objections/${s.objectionId}/uphold?application=${s.apps.objection}`,
      `/certificates/${n}/revoke`,
    ],
    bank: ['/dashboard', '/pledges/new', `/pledges/${s.pledges.recorded}/release`, `/pledges/${s.pledges.recorded}/receipt.pdf`],
    insurer: ['/dashboard', '/policies/new'],
    notary: ['/dashboard', '/attestations/new', `/attestations/new?digest=${TEST_ROOT}`],
    admin: ['/dashboard', '/admin/organisations', '/admin/users', '/admin/tokens', '/admin/keys'],
  };
}
