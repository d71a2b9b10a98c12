/**
 * What banks and insurers record against a certificate: pledges (质押登记),
 * licences and transfers (许可 / 转让), insurance policies (数据知识产权保险).
 *
 * Consent model for pledges: a bank files a request; the HOLDER organisation
 * confirms it (`consent`), and only then is the pledge recorded in the log and
 * the certificate pledged. The consent runs inside the sequencer's transaction
 * with the certificate row locked, so of two banks' pledges confirmed at the same
 * instant exactly one is recorded; the other gets 409 certificate_already_pledged.
 *
 * Log entries carry identifiers and a commitment to the secured amount
 * (SHA-256 of JCS {currency, nonce, value}); the nonce goes to the pledgee in its
 * receipt, so the bank can prove the amount without publishing it.
 */
import { createHash, randomBytes } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { reserveNumbers } from '../db/counters.ts';
import { certificateEvents, certificates, licences, organisations, pledges, policies } from '../db/schema.ts';
import { encodeEntry } from '../ledger/entry.ts';
import { newId, type Principal } from './accounts.ts';
import type { RegistryDeps } from './deps.ts';
import { RegistryError } from './errors.ts';
import { assertInForce, effectiveCertificateStatus, nextCertificateStatus, type CertificateStatus } from './lifecycle.ts';
import { issueInTx, registryYear } from './issuance.ts';

const canonicalize = canonicalizeModule as unknown as (v: unknown) => string;
type CertRow = typeof certificates.$inferSelect;
type PledgeRow = typeof pledges.$inferSelect;

export interface Money {
  value: string;
  currency: string;
}
export interface Term {
  start: string;
  end: string;
}

export function amountCommitment(m: Money, nonce: string): string {
  return createHash('sha256').update(canonicalize({ currency: m.currency, nonce, value: m.value })).digest('hex');
}

async function lockCertificate(tx: Db, number: string, now: Date): Promise<CertRow & { effective: CertificateStatus }> {
  const [c] = await tx.select().from(certificates).where(eq(certificates.number, number)).for('update');
  if (!c) throw new RegistryError('certificate_not_found', `no certificate ${number}`);
  return { ...c, effective: effectiveCertificateStatus(c.status as CertificateStatus, c.validUntil, now) };
}

function termCheck(t: Term) {
  if (t.start > t.end) throw new RegistryError('invalid_field', 'the term ends before it starts', [{ path: 'term.end', message: 'must not be before start' }]);
}

export function pledgeView(p: PledgeRow, withNonce = false) {
  return {
    id: p.id,
    pledgeNumber: p.pledgeNumber,
    certificateNumber: p.certificateNumber,
    pledgeeOrgId: p.pledgeeOrgId,
    loanReference: p.loanReference,
    amount: { value: p.amount, currency: p.currency },
    ...(withNonce ? { amountNonce: p.amountNonce, amountCommitment: amountCommitment({ value: p.amount, currency: p.currency }, p.amountNonce) } : {}),
    term: { start: p.termStart, end: p.termEnd },
    state: p.state,
    subsequentAllowed: p.subsequentAllowed,
    requestedAt: p.requestedAt.toISOString(),
    recordedAt: p.recordedAt?.toISOString() ?? null,
    recordedLogIndex: p.recordedLogIndex,
    releasedAt: p.releasedAt?.toISOString() ?? null,
    releasedLogIndex: p.releasedLogIndex,
  };
}

export class Encumbrances {
  constructor(private readonly deps: RegistryDeps) {}

  private get db() {
    return this.deps.db;
  }

  private async pledgeFor(p: Principal, id: string): Promise<PledgeRow> {
    const [row] = await this.db.select().from(pledges).where(eq(pledges.id, id));
    if (!row) throw new RegistryError('pledge_not_found', 'no such pledge');
    const [c] = await this.db.select({ orgId: certificates.orgId }).from(certificates).where(eq(certificates.number, row.certificateNumber));
    const mine = (p.role === 'bank' && p.orgId === row.pledgeeOrgId) || (p.role === 'applicant' && c?.orgId === p.orgId) || p.role === 'reviewer' || p.role === 'admin';
    if (!mine) throw new RegistryError('pledge_not_found', 'no such pledge');
    return row;
  }

  /** A bank files a pledge request (no log entry until the holder consents). */
  async requestPledge(p: Principal, number: string, input: { loanReference: string; amount: Money; term: Term }) {
    if (p.role !== 'bank') throw new RegistryError('forbidden', 'only banks record pledges');
    termCheck(input.term);
    const now = this.deps.now();
    const [c] = await this.db.select().from(certificates).where(eq(certificates.number, number));
    if (!c) throw new RegistryError('certificate_not_found', `no certificate ${number}`);
    const status = effectiveCertificateStatus(c.status as CertificateStatus, c.validUntil, now);
    assertInForce(status);
    const id = newId();
    const [row] = await this.db
      .insert(pledges)
      .values({
        id,
        certificateNumber: number,
        pledgeeOrgId: p.orgId,
        requestedBy: p.userId,
        loanReference: input.loanReference,
        amount: input.amount.value,
        currency: input.amount.currency,
        amountNonce: randomBytes(16).toString('hex'),
        termStart: input.term.start,
        termEnd: input.term.end,
        state: 'requested',
        requestedAt: now,
      })
      .returning();
    return pledgeView(row!);
  }

  async getPledge(p: Principal, id: string) {
    const row = await this.pledgeFor(p, id);
    return pledgeView(row, p.role === 'bank' && p.orgId === row.pledgeeOrgId);
  }

  /** Pledges on the holder's certificates or by the bank, newest first. */
  async listPledges(p: Principal) {
    const rows =
      p.role === 'bank'
        ? await this.db.select().from(pledges).where(eq(pledges.pledgeeOrgId, p.orgId)).orderBy(asc(pledges.requestedAt))
        : await this.db
            .select({ p: pledges })
            .from(pledges)
            .innerJoin(certificates, eq(certificates.number, pledges.certificateNumber))
            .where(eq(certificates.orgId, p.orgId))
            .orderBy(asc(pledges.requestedAt))
            .then((r) => r.map((x) => x.p));
    return rows.map((r) => pledgeView(r));
  }

  /** The holder confirms: the pledge is recorded and the certificate pledged, atomically with `pledge.recorded`. */
  async consent(p: Principal, id: string) {
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const [pl] = await tx.select().from(pledges).where(eq(pledges.id, id)).for('update');
      if (!pl) throw new RegistryError('pledge_not_found', 'no such pledge');
      const c = await lockCertificate(tx, pl.certificateNumber, now);
      if (p.role !== 'applicant' || p.orgId !== c.orgId) throw new RegistryError('not_owner', 'only the holder consents to a pledge of its certificate');
      if (pl.state !== 'requested') throw new RegistryError('illegal_transition', `the pledge is already ${pl.state}`);
      if (c.effective === 'expired') throw new RegistryError('certificate_not_active', 'the certificate has expired');
      let next: CertificateStatus;
      if (c.status === 'pledged') {
        // a further pledge only with the consent of every current pledgee
        const current = await tx.select().from(pledges).where(and(eq(pledges.certificateNumber, c.number), eq(pledges.state, 'recorded')));
        if (!current.length || current.some((x) => !x.subsequentAllowed))
          throw new RegistryError('certificate_already_pledged', 'the certificate is already pledged');
        next = 'pledged';
      } else next = nextCertificateStatus(c.status as CertificateStatus, 'pledge');
      const year = registryYear(now);
      const seq = await reserveNumbers(tx, 'pledge_counters', year);
      const pledgeNumber = `PLG-${year}-${String(seq).padStart(6, '0')}`;
      await tx
        .update(pledges)
        .set({ state: 'recorded', pledgeNumber, consentedBy: p.userId, recordedAt: now, recordedLogIndex: index })
        .where(eq(pledges.id, id));
      await tx.update(certificates).set({ status: next, rowVersion: c.rowVersion + 1, statusLogIndex: index }).where(eq(certificates.number, c.number));
      await tx.insert(certificateEvents).values({ number: c.number, kind: 'pledge.recorded', logIndex: index, at: now });
      const entry = encodeEntry({
        kind: 'pledge.recorded',
        time: now.toISOString(),
        pledgeNumber,
        number: c.number,
        leafHash: c.leafHash,
        pledgee: pl.pledgeeOrgId,
        amountCommitment: amountCommitment({ value: pl.amount, currency: pl.currency }, pl.amountNonce),
        currency: pl.currency,
        termStart: pl.termStart,
        termEnd: pl.termEnd,
      });
      return { entry, result: pledgeNumber };
    });
    return { ...(await this.getPledge(p, id)), logIndex: ack.index };
  }

  /** The holder declines a request (no log entry: nothing was recorded). */
  async decline(p: Principal, id: string) {
    const row = await this.pledgeFor(p, id);
    const [c] = await this.db.select().from(certificates).where(eq(certificates.number, row.certificateNumber));
    if (p.role !== 'applicant' || c?.orgId !== p.orgId) throw new RegistryError('not_owner', 'only the holder declines');
    const upd = await this.db.update(pledges).set({ state: 'declined' }).where(and(eq(pledges.id, id), eq(pledges.state, 'requested'))).returning();
    if (!upd[0]) throw new RegistryError('illegal_transition', `the pledge is already ${row.state}`);
    return pledgeView(upd[0]);
  }

  /** The pledgee releases (`pledge.released`); the certificate returns to active when no pledge remains. */
  async release(p: Principal, id: string) {
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const [pl] = await tx.select().from(pledges).where(eq(pledges.id, id)).for('update');
      if (!pl || p.role !== 'bank' || pl.pledgeeOrgId !== p.orgId) throw new RegistryError('pledge_not_found', 'no such pledge of yours');
      if (pl.state !== 'recorded') throw new RegistryError('illegal_transition', `the pledge is ${pl.state}`);
      const c = await lockCertificate(tx, pl.certificateNumber, now);
      await tx.update(pledges).set({ state: 'released', releasedAt: now, releasedLogIndex: index }).where(eq(pledges.id, id));
      const others = await tx.select().from(pledges).where(and(eq(pledges.certificateNumber, c.number), eq(pledges.state, 'recorded')));
      if (others.length === 0 && c.status === 'pledged') {
        const next = nextCertificateStatus('pledged', 'release');
        await tx.update(certificates).set({ status: next, rowVersion: c.rowVersion + 1, statusLogIndex: index }).where(eq(certificates.number, c.number));
      }
      await tx.insert(certificateEvents).values({ number: c.number, kind: 'pledge.released', logIndex: index, at: now });
      return { entry: encodeEntry({ kind: 'pledge.released', time: now.toISOString(), pledgeNumber: pl.pledgeNumber!, number: c.number, pledgee: pl.pledgeeOrgId }), result: undefined };
    });
    return { ...(await this.getPledge(p, id)), logIndex: ack.index };
  }

  /** The pledgee consents to a further pledge of the same certificate (logged). */
  async allowSubsequent(p: Principal, id: string) {
    await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const [pl] = await tx.select().from(pledges).where(eq(pledges.id, id)).for('update');
      if (!pl || p.role !== 'bank' || pl.pledgeeOrgId !== p.orgId) throw new RegistryError('pledge_not_found', 'no such pledge of yours');
      if (pl.state !== 'recorded') throw new RegistryError('illegal_transition', `the pledge is ${pl.state}`);
      await tx.update(pledges).set({ subsequentAllowed: true }).where(eq(pledges.id, id));
      await tx.insert(certificateEvents).values({ number: pl.certificateNumber, kind: 'pledge.subsequent_allowed', logIndex: index, at: now });
      return { entry: encodeEntry({ kind: 'pledge.subsequent_allowed', time: now.toISOString(), pledgeNumber: pl.pledgeNumber!, number: pl.certificateNumber }), result: undefined };
    });
    return this.getPledge(p, id);
  }

  /** The holder records a licence (许可); exclusive licences may not overlap. */
  async recordLicence(p: Principal, number: string, input: { licensee: string; licenseeUscc?: string; scope: string; term: Term; exclusive: boolean }) {
    termCheck(input.term);
    const id = newId();
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const c = await lockCertificate(tx, number, now);
      if (p.role !== 'applicant' || p.orgId !== c.orgId) throw new RegistryError('not_owner', 'only the holder records licences');
      assertInForce(c.effective);
      const existing = await tx.select().from(licences).where(eq(licences.certificateNumber, number));
      const overlap = existing.find((l) => (l.exclusive || input.exclusive) && l.termStart <= input.term.end && input.term.start <= l.termEnd);
      if (overlap) throw new RegistryError('exclusive_licence_conflict', 'an exclusive licence overlaps this term');
      await tx.insert(licences).values({
        id,
        certificateNumber: number,
        licensee: input.licensee,
        licenseeUscc: input.licenseeUscc ?? null,
        scope: input.scope,
        termStart: input.term.start,
        termEnd: input.term.end,
        exclusive: input.exclusive,
        recordedAt: now,
        logIndex: index,
      });
      await tx.insert(certificateEvents).values({ number, kind: 'licence.recorded', logIndex: index, at: now });
      const entry = encodeEntry({
        kind: 'licence.recorded',
        time: now.toISOString(),
        licenceId: id,
        number,
        leafHash: c.leafHash,
        exclusive: input.exclusive,
        termStart: input.term.start,
        termEnd: input.term.end,
        ...(input.licenseeUscc ? { licenseeUscc: input.licenseeUscc } : {}),
        scopeHash: createHash('sha256').update(input.scope).digest('hex'),
      });
      return { entry, result: undefined };
    });
    return { id, number, logIndex: ack.index };
  }

  /** The holder transfers the asset (转让): a new certificate version for the new holder; refused while pledged. */
  async transfer(p: Principal, number: string, toOrgId: string) {
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const c = await lockCertificate(tx, number, now);
      if (p.role !== 'applicant' || p.orgId !== c.orgId) throw new RegistryError('not_owner', 'only the holder transfers its certificate');
      if (c.status === 'pledged') throw new RegistryError('certificate_pledged', 'a pledged certificate cannot be transferred');
      if (c.effective !== 'active') throw new RegistryError('certificate_not_active', `the certificate is ${c.effective}`);
      const [to] = await tx.select().from(organisations).where(eq(organisations.id, toOrgId));
      if (!to || to.kind !== 'enterprise' || !to.uscc) throw new RegistryError('organisation_not_found', 'no enterprise organisation with a 统一社会信用代码 by that id');
      if (to.id === c.orgId) throw new RegistryError('invalid_field', 'the certificate already belongs to that organisation', [{ path: 'toOrgId', message: 'same holder' }]);
      const old = JSON.parse(c.payload) as { dataset: { name: string; manifestRoot: string; files: number; bytes: number } };
      const issued = await issueInTx(tx, this.deps, {
        applicationId: c.applicationId,
        orgId: to.id,
        holder: { name: to.name, uscc: to.uscc },
        dataset: { name: old.dataset.name, manifestRoot: old.dataset.manifestRoot, files: old.dataset.files, bytes: old.dataset.bytes },
        predecessor: number,
        validity: 'keep',
        carryPledges: false,
        index,
        now,
      });
      return { entry: issued.entry, result: issued.view };
    });
    return { transferredFrom: number, certificate: ack.result, logIndex: ack.index };
  }

  /** An insurer records a policy against a certificate. */
  async recordPolicy(p: Principal, number: string, input: { policyNumber: string; insuredAmount: Money; term: Term; coverageType: string }) {
    if (p.role !== 'insurer') throw new RegistryError('forbidden', 'only insurers record policies');
    termCheck(input.term);
    const id = newId();
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const c = await lockCertificate(tx, number, now);
      assertInForce(c.effective);
      const [dup] = await tx.select().from(policies).where(and(eq(policies.insurerOrgId, p.orgId), eq(policies.policyNumber, input.policyNumber)));
      if (dup) throw new RegistryError('duplicate_policy', 'this policy number is already recorded');
      await tx.insert(policies).values({
        id,
        certificateNumber: number,
        insurerOrgId: p.orgId,
        policyNumber: input.policyNumber,
        insuredAmount: input.insuredAmount.value,
        currency: input.insuredAmount.currency,
        coverageType: input.coverageType,
        termStart: input.term.start,
        termEnd: input.term.end,
        recordedAt: now,
        logIndex: index,
      });
      await tx.insert(certificateEvents).values({ number, kind: 'insurance.recorded', logIndex: index, at: now });
      const entry = encodeEntry({
        kind: 'insurance.recorded',
        time: now.toISOString(),
        policyId: id,
        number,
        leafHash: c.leafHash,
        insurer: p.orgId,
        coverageType: input.coverageType,
        termStart: input.term.start,
        termEnd: input.term.end,
      });
      return { entry, result: undefined };
    });
    return { id, number, policyNumber: input.policyNumber, logIndex: ack.index };
  }

  /** Current encumbrances of a certificate, for its status. */
  async current(number: string, today: string) {
    const [pl, li, po] = await Promise.all([
      this.db.select().from(pledges).where(and(eq(pledges.certificateNumber, number), eq(pledges.state, 'recorded'))),
      this.db.select().from(licences).where(eq(licences.certificateNumber, number)),
      this.db.select().from(policies).where(eq(policies.certificateNumber, number)),
    ]);
    return {
      pledges: pl.map((x) => ({ pledgeNumber: x.pledgeNumber, pledgee: x.pledgeeOrgId, term: { start: x.termStart, end: x.termEnd }, currency: x.currency, subsequentAllowed: x.subsequentAllowed, logIndex: x.recordedLogIndex! })),
      licences: li
        .filter((x) => x.termEnd >= today)
        .map((x) => ({ id: x.id, licensee: x.licensee, exclusive: x.exclusive, scope: x.scope, term: { start: x.termStart, end: x.termEnd }, logIndex: x.logIndex })),
      policies: po
        .filter((x) => x.termEnd >= today)
        .map((x) => ({ id: x.id, insurer: x.insurerOrgId, policyNumber: x.policyNumber, coverageType: x.coverageType, term: { start: x.termStart, end: x.termEnd }, logIndex: x.logIndex })),
    };
  }
}
