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
import { and, asc, eq, sql } from 'drizzle-orm';
import { queryRows } from '../../db/index.ts';
import type { Db } from '../../db/index.ts';
import { reserveNumbers } from '../../db/index.ts';
import { certificateEvents, certificates, licences, organisations, pledgeConsents, pledges, policies } from '../../db/index.ts';
import { encodeEntry } from '../../ledger/index.ts';
import { amountCommitment, textHash } from '../hashes.ts';
import { newId, type Principal } from '../../accounts/pg/index.ts';
import type { RegistryDeps } from './deps.ts';
import { RegistryError } from '../errors.ts';
import { LicenceSchema, parseCommand, PledgeConsentSchema, PledgeSchema, PolicySchema, TransferSchema } from '../commands.ts';
import { recordId } from '../../fields.ts';
import { certificateNumber } from '../fields.ts';
import { assertInForce, effectiveCertificateStatus, nextCertificateStatus, type CertificateStatus } from '../lifecycle.ts';
import { issueInTx, lastCertificateEvent, usePledgeeConsents } from './issuance.ts';
import { registryYear } from '../../time.ts';

type CertRow = typeof certificates.$inferSelect;
type PledgeRow = typeof pledges.$inferSelect;

export type { Money, Term } from '../fields.ts';

export { amountCommitment };

/** A pledge id from outside: a record id, or no such pledge (never sent to the database otherwise). */
function checkPledgeId(id: string): void {
  if (!recordId.safeParse(id).success) throw new RegistryError('pledge_not_found', 'no such pledge');
}

async function lockCertificate(tx: Db, number: string, now: Date): Promise<CertRow & { effective: CertificateStatus }> {
  if (!certificateNumber.safeParse(number).success) throw new RegistryError('certificate_not_found', 'not a certificate number');
  const [c] = await tx.select().from(certificates).where(eq(certificates.number, number)).for('update');
  if (!c) throw new RegistryError('certificate_not_found', `no certificate ${number}`);
  return { ...c, effective: effectiveCertificateStatus(c.status as CertificateStatus, c.validUntil, now) };
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
    valuationReportHash: p.valuationReportHash ?? null,
    zhongdengNumber: p.zhongdengNumber ?? null,
  };
}

/** The optional bank-grade members of pledge entries (absent when not given). */
function pledgeExtras(p: { valuationReportHash: string | null; zhongdengNumber: string | null }) {
  return { ...(p.valuationReportHash ? { valuationReportHash: p.valuationReportHash } : {}), ...(p.zhongdengNumber ? { zhongdengNumber: p.zhongdengNumber } : {}) };
}

export class Encumbrances {
  constructor(private readonly deps: RegistryDeps) {}

  private get db() {
    return this.deps.db;
  }

  private async pledgeFor(p: Principal, id: string): Promise<PledgeRow> {
    checkPledgeId(id);
    const [row] = await this.db.select().from(pledges).where(eq(pledges.id, id));
    if (!row) throw new RegistryError('pledge_not_found', 'no such pledge');
    const [c] = await this.db.select({ orgId: certificates.orgId }).from(certificates).where(eq(certificates.number, row.certificateNumber));
    const mine = (p.role === 'bank' && p.orgId === row.pledgeeOrgId) || (p.role === 'applicant' && c?.orgId === p.orgId) || p.role === 'reviewer' || p.role === 'admin';
    if (!mine) throw new RegistryError('pledge_not_found', 'no such pledge');
    return row;
  }

  /**
   * A bank files a pledge request: the row and its `pledge.requested` entry (certificate,
   * pledgee, amount commitment, term), in one transaction. The pledge is recorded — and
   * the certificate pledged — only when the holder consents.
   */
  async requestPledge(p: Principal, number: string, raw: unknown) {
    if (p.role !== 'bank') throw new RegistryError('forbidden', 'only banks record pledges');
    const input = parseCommand(PledgeSchema, raw, 'the pledge request');
    if (!certificateNumber.safeParse(number).success) throw new RegistryError('certificate_not_found', 'not a certificate number');
    const id = newId();
    const nonce = randomBytes(16).toString('hex');
    const ack = await this.deps.appendWith(async (tx) => {
      const now = this.deps.now();
      const c = await lockCertificate(tx, number, now);
      assertInForce(c.effective);
      const [row] = await tx
        .insert(pledges)
        .values({
          id,
          certificateNumber: number,
          pledgeeOrgId: p.orgId,
          requestedBy: p.userId,
          loanReference: input.loanReference,
          amount: input.amount.value,
          currency: input.amount.currency,
          amountNonce: nonce,
          termStart: input.term.start,
          termEnd: input.term.end,
          state: 'requested',
          requestedAt: now,
          valuationReportHash: input.valuationReportHash ?? null,
          zhongdengNumber: input.zhongdengNumber ?? null,
        })
        .returning();
      const entry = encodeEntry({
        kind: 'pledge.requested',
        time: now.toISOString(),
        pledgeId: id,
        number,
        pledgee: p.orgId,
        amountCommitment: amountCommitment(input.amount, nonce),
        currency: input.amount.currency,
        termStart: input.term.start,
        termEnd: input.term.end,
        ...pledgeExtras(row!),
      });
      return { entry, result: row! };
    });
    return { ...pledgeView(ack.result), requestedLogIndex: ack.index };
  }

  async getPledge(p: Principal, id: string) {
    const row = await this.pledgeFor(p, id);
    return pledgeView(row, p.role === 'bank' && p.orgId === row.pledgeeOrgId);
  }

  /** Pledges on the holder's certificates or by the bank, oldest request first. */
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
    checkPledgeId(id);
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
      const prev = await lastCertificateEvent(tx, c.number);
      await tx.update(certificates).set({ status: next, rowVersion: c.rowVersion + 1, statusLogIndex: index }).where(eq(certificates.number, c.number));
      await tx.insert(certificateEvents).values({ number: c.number, kind: 'pledge.recorded', logIndex: index, at: now });
      const entry = encodeEntry({
        kind: 'pledge.recorded',
        time: now.toISOString(),
        pledgeNumber,
        pledgeId: pl.id,
        prev,
        number: c.number,
        leafHash: c.leafHash,
        pledgee: pl.pledgeeOrgId,
        amountCommitment: amountCommitment({ value: pl.amount, currency: pl.currency }, pl.amountNonce),
        currency: pl.currency,
        termStart: pl.termStart,
        termEnd: pl.termEnd,
        ...pledgeExtras(pl),
      });
      return { entry, result: pledgeNumber };
    });
    return { ...(await this.getPledge(p, id)), logIndex: ack.index };
  }

  /** The holder declines a request (`pledge.declined`; nothing was recorded against the certificate). */
  async decline(p: Principal, id: string) {
    checkPledgeId(id);
    const ack = await this.deps.appendWith(async (tx) => {
      const now = this.deps.now();
      const [row] = await tx.select().from(pledges).where(eq(pledges.id, id)).for('update');
      if (!row) throw new RegistryError('pledge_not_found', 'no such pledge');
      const [c] = await tx.select().from(certificates).where(eq(certificates.number, row.certificateNumber));
      const party = (p.role === 'bank' && p.orgId === row.pledgeeOrgId) || (p.role === 'applicant' && c?.orgId === p.orgId) || p.role === 'reviewer' || p.role === 'admin';
      if (!party) throw new RegistryError('pledge_not_found', 'no such pledge');
      if (p.role !== 'applicant' || c?.orgId !== p.orgId) throw new RegistryError('not_owner', 'only the holder declines');
      if (row.state !== 'requested') throw new RegistryError('illegal_transition', `the pledge is already ${row.state}`);
      const [upd] = await tx.update(pledges).set({ state: 'declined' }).where(eq(pledges.id, id)).returning();
      return { entry: encodeEntry({ kind: 'pledge.declined', time: now.toISOString(), pledgeId: id, number: row.certificateNumber }), result: upd! };
    });
    return pledgeView(ack.result);
  }

  /** The pledgee releases (`pledge.released`); the certificate returns to active when no pledge remains. */
  async release(p: Principal, id: string) {
    checkPledgeId(id);
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const [pl] = await tx.select().from(pledges).where(eq(pledges.id, id)).for('update');
      if (!pl || p.role !== 'bank' || pl.pledgeeOrgId !== p.orgId) throw new RegistryError('pledge_not_found', 'no such pledge of yours');
      if (pl.state !== 'recorded') throw new RegistryError('illegal_transition', `the pledge is ${pl.state}`);
      const c = await lockCertificate(tx, pl.certificateNumber, now);
      const prev = await lastCertificateEvent(tx, c.number);
      await tx.update(pledges).set({ state: 'released', releasedAt: now, releasedLogIndex: index }).where(eq(pledges.id, id));
      const others = await tx.select().from(pledges).where(and(eq(pledges.certificateNumber, c.number), eq(pledges.state, 'recorded')));
      if (others.length === 0 && c.status === 'pledged') {
        const next = nextCertificateStatus('pledged', 'release');
        await tx.update(certificates).set({ status: next, rowVersion: c.rowVersion + 1, statusLogIndex: index }).where(eq(certificates.number, c.number));
      }
      await tx.insert(certificateEvents).values({ number: c.number, kind: 'pledge.released', logIndex: index, at: now });
      return {
        entry: encodeEntry({ kind: 'pledge.released', time: now.toISOString(), pledgeNumber: pl.pledgeNumber!, number: c.number, pledgee: pl.pledgeeOrgId, prev }),
        result: undefined,
      };
    });
    return { ...(await this.getPledge(p, id)), logIndex: ack.index };
  }

  /**
   * The pledgee records its consent to one change, licence or transfer of the pledged
   * certificate (`pledge.consent_recorded`, its own log entry). The holder's next such
   * act uses it (the consent's `used_log_index`); without it the act is refused with
   * `pledgee_consent_required`.
   */
  async recordConsent(p: Principal, id: string, raw: unknown) {
    checkPledgeId(id);
    const { action } = parseCommand(PledgeConsentSchema, raw, 'the consent');
    const consentId = newId();
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const [pl] = await tx.select().from(pledges).where(eq(pledges.id, id)).for('update');
      if (!pl || p.role !== 'bank' || pl.pledgeeOrgId !== p.orgId) throw new RegistryError('pledge_not_found', 'no such pledge of yours');
      if (pl.state !== 'recorded') throw new RegistryError('illegal_transition', `the pledge is ${pl.state}`);
      await lockCertificate(tx, pl.certificateNumber, now);
      await tx.insert(pledgeConsents).values({ id: consentId, pledgeId: pl.id, certificateNumber: pl.certificateNumber, action, consentedBy: p.userId, at: now, logIndex: index });
      return {
        entry: encodeEntry({ kind: 'pledge.consent_recorded', time: now.toISOString(), consentId, pledgeNumber: pl.pledgeNumber!, number: pl.certificateNumber, pledgee: pl.pledgeeOrgId, action }),
        result: undefined,
      };
    });
    return { id: consentId, pledgeId: id, action, logIndex: ack.index };
  }

  /** The pledgee consents to a further pledge of the same certificate (logged). */
  async allowSubsequent(p: Principal, id: string) {
    checkPledgeId(id);
    await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const [pl] = await tx.select().from(pledges).where(eq(pledges.id, id)).for('update');
      if (!pl || p.role !== 'bank' || pl.pledgeeOrgId !== p.orgId) throw new RegistryError('pledge_not_found', 'no such pledge of yours');
      if (pl.state !== 'recorded') throw new RegistryError('illegal_transition', `the pledge is ${pl.state}`);
      await lockCertificate(tx, pl.certificateNumber, now);
      const prev = await lastCertificateEvent(tx, pl.certificateNumber);
      await tx.update(pledges).set({ subsequentAllowed: true }).where(eq(pledges.id, id));
      await tx.insert(certificateEvents).values({ number: pl.certificateNumber, kind: 'pledge.subsequent_allowed', logIndex: index, at: now });
      return { entry: encodeEntry({ kind: 'pledge.subsequent_allowed', time: now.toISOString(), pledgeNumber: pl.pledgeNumber!, number: pl.certificateNumber, prev }), result: undefined };
    });
    return this.getPledge(p, id);
  }

  /**
   * Record an encumbrance that needs no consent against a certificate in force, in
   * the batch transaction: lock the certificate, `authorise` the caller against it,
   * require it in force, `write` the row (returning the entry's own fields), then the
   * certificate event and the `kind` entry naming the certificate and its leaf hash.
   */
  private async recordAgainst(
    number: string,
    kind: 'licence.recorded' | 'insurance.recorded',
    authorise: (c: CertRow) => void,
    write: (tx: Db, index: number, now: Date) => Promise<Record<string, unknown>>,
  ): Promise<number> {
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const c = await lockCertificate(tx, number, now);
      authorise(c);
      assertInForce(c.effective);
      const prev = await lastCertificateEvent(tx, number);
      const fields = await write(tx, index, now);
      await tx.insert(certificateEvents).values({ number, kind, logIndex: index, at: now });
      return { entry: encodeEntry({ kind, time: now.toISOString(), number, leafHash: c.leafHash, ...fields, prev }), result: undefined };
    });
    return ack.index;
  }

  /** The holder records a licence (许可); exclusive licences may not overlap. */
  async recordLicence(p: Principal, number: string, raw: unknown) {
    const input = parseCommand(LicenceSchema, raw, 'the licence');
    const id = newId();
    const logIndex = await this.recordAgainst(
      number,
      'licence.recorded',
      (c) => {
        if (p.role !== 'applicant' || p.orgId !== c.orgId) throw new RegistryError('not_owner', 'only the holder records licences');
      },
      async (tx, index, now) => {
        await usePledgeeConsents(tx, number, 'licence', index);
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
        return {
          licenceId: id,
          exclusive: input.exclusive,
          termStart: input.term.start,
          termEnd: input.term.end,
          ...(input.licenseeUscc ? { licenseeUscc: input.licenseeUscc } : {}),
          scopeHash: textHash(input.scope),
        };
      },
    );
    return { id, number, logIndex };
  }

  /** The holder transfers the asset (转让): a new certificate version for the new holder; refused while pledged. */
  async transfer(p: Principal, number: string, to: string) {
    const { toOrgId } = parseCommand(TransferSchema, { toOrgId: to }, 'the transfer');
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const c = await lockCertificate(tx, number, now);
      if (p.role !== 'applicant' || p.orgId !== c.orgId) throw new RegistryError('not_owner', 'only the holder transfers its certificate');
      // a pledged certificate moves with its pledges, and only with every pledgee's recorded consent
      const pledged = c.status === 'pledged';
      if (c.effective !== 'active' && !(pledged && c.effective === 'pledged')) throw new RegistryError('certificate_not_active', `the certificate is ${c.effective}`);
      const [to] = await tx.select().from(organisations).where(eq(organisations.id, toOrgId));
      if (!to || to.kind !== 'enterprise' || !to.uscc) throw new RegistryError('organisation_not_found', 'no enterprise organisation with a 统一社会信用代码 by that id');
      if (to.id === c.orgId) throw new RegistryError('invalid_field', 'the certificate already belongs to that organisation', [{ path: 'toOrgId', message: 'same holder' }]);
      if (pledged) await usePledgeeConsents(tx, number, 'transfer', index);
      const old = JSON.parse(c.payload) as { dataset: { name: string; manifestRoot: string; files: number; bytes: number } };
      const issued = await issueInTx(tx, this.deps, {
        applicationId: c.applicationId,
        orgId: to.id,
        holder: { name: to.name, uscc: to.uscc },
        dataset: { name: old.dataset.name, manifestRoot: old.dataset.manifestRoot, files: old.dataset.files, bytes: old.dataset.bytes },
        predecessor: number,
        validity: 'keep',
        carryPledges: pledged,
        basis: 'transfer',
        index,
        now,
      });
      return { entry: issued.entry, result: issued.view };
    });
    await this.deps.awaitCosigned?.(ack.treeSize);
    return { transferredFrom: number, certificate: ack.result, logIndex: ack.index };
  }

  /** An insurer records a policy against a certificate. */
  async recordPolicy(p: Principal, number: string, raw: unknown) {
    if (p.role !== 'insurer') throw new RegistryError('forbidden', 'only insurers record policies');
    const input = parseCommand(PolicySchema, raw, 'the policy');
    const id = newId();
    const logIndex = await this.recordAgainst(
      number,
      'insurance.recorded',
      () => {},
      async (tx, index, now) => {
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
        return { policyId: id, insurer: p.orgId, coverageType: input.coverageType, termStart: input.term.start, termEnd: input.term.end };
      },
    );
    return { id, number, policyNumber: input.policyNumber, logIndex };
  }

  /**
   * The amounts the log holds only as commitments, as the registry's statement at the tree
   * of `size` entries: the secured amounts of pledges recorded before and not released
   * before it, and the insured amounts of policies recorded before it, totalled by currency
   * (decimal strings, exact: SQL numeric).
   */
  async amountTotals(size: number) {
    const pledged = await queryRows<{ currency: string; total: string; n: unknown }>(
      this.db,
      sql`SELECT currency, sum(amount::numeric)::text AS total, count(*) AS n FROM pledges
          WHERE recorded_log_index < ${size} AND (released_log_index IS NULL OR released_log_index >= ${size})
          GROUP BY currency ORDER BY currency`,
    );
    const insured = await queryRows<{ currency: string; total: string; n: unknown }>(
      this.db,
      sql`SELECT currency, sum(insured_amount::numeric)::text AS total, count(*) AS n FROM policies WHERE log_index < ${size} GROUP BY currency ORDER BY currency`,
    );
    const rows = (r: { currency: string; total: string; n: unknown }[]) => r.map((x) => ({ currency: x.currency, total: x.total, count: Number(x.n) }));
    return { pledgedAmounts: rows(pledged), insuredAmounts: rows(insured) };
  }

  /**
   * Current encumbrances of a certificate, for its status. A licence's scope is shown in
   * plain text to its parties only — the licensor (the holder organisation), the licensee
   * (by 统一社会信用代码) and registry staff; everyone else sees `scopeHash`, the SHA-256
   * the log entry `licence.recorded` carries.
   */
  async current(number: string, today: string, viewer: Principal | null = null) {
    const [pl, li, po, cert] = await Promise.all([
      this.db.select().from(pledges).where(and(eq(pledges.certificateNumber, number), eq(pledges.state, 'recorded'))),
      this.db.select().from(licences).where(eq(licences.certificateNumber, number)),
      this.db.select().from(policies).where(eq(policies.certificateNumber, number)),
      this.db.select({ orgId: certificates.orgId }).from(certificates).where(eq(certificates.number, number)),
    ]);
    const staff = viewer?.role === 'reviewer' || viewer?.role === 'admin';
    const licensor = !!viewer && cert.some((c) => c.orgId === viewer.orgId);
    const party = (l: { licenseeUscc: string | null }) => staff || licensor || (!!viewer?.orgUscc && l.licenseeUscc === viewer.orgUscc);
    const scopeOf = (l: { scope: string; licenseeUscc: string | null }) => ({
      scopeHash: createHash('sha256').update(l.scope).digest('hex'),
      ...(party(l) ? { scope: l.scope } : {}),
    });
    return {
      pledges: pl.map((x) => ({ pledgeNumber: x.pledgeNumber, pledgee: x.pledgeeOrgId, term: { start: x.termStart, end: x.termEnd }, currency: x.currency, subsequentAllowed: x.subsequentAllowed, logIndex: x.recordedLogIndex! })),
      licences: li
        .filter((x) => x.termEnd >= today)
        .map((x) => ({ id: x.id, licensee: x.licensee, exclusive: x.exclusive, ...scopeOf(x), term: { start: x.termStart, end: x.termEnd }, logIndex: x.logIndex })),
      policies: po
        .filter((x) => x.termEnd >= today)
        .map((x) => ({ id: x.id, insurer: x.insurerOrgId, policyNumber: x.policyNumber, coverageType: x.coverageType, term: { start: x.termStart, end: x.termEnd }, logIndex: x.logIndex })),
    };
  }
}
