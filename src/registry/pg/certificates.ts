/**
 * The registry side of certificates after issuance: public reads, status with
 * the log entries proving it, history, cancellation (holder), revocation
 * (reviewer), expiry (clock), and opening a change or renewal application.
 */
import { and, asc, desc, eq, gt, inArray, isNotNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { searchConditions } from './search.ts';
import { SearchSchema } from '../commands.ts';
import type { Db } from '../../db/index.ts';
import { applications, applicationVersions, certificateEvents, certificates, licences, organisations, pledges } from '../../db/index.ts';
import type { CompleteForm } from '../form.ts';
import { encodeEntry } from '../../ledger/index.ts';
import type { Principal } from '../../accounts/pg/index.ts';
import type { Applications } from './applications.ts';
import { sha256 } from './applications.ts';
import { lastCertificateEvent } from './issuance.ts';
import { certificateNumber } from '../fields.ts';
import { parseCommand, ReasonSchema } from '../commands.ts';
import { keyset } from './paging.ts';
import type { RegistryDeps } from './deps.ts';
import { RegistryError } from '../errors.ts';
import type { Draft } from '../form.ts';
import { assertInForce, effectiveCertificateStatus, nextCertificateStatus, renewalOpen, type CertificateAction, type CertificateStatus } from '../lifecycle.ts';

type CertRow = typeof certificates.$inferSelect;

export function publicCertificate(c: CertRow, holder: { name: string; uscc: string | null }, now: Date) {
  return {
    number: c.number,
    version: c.version,
    status: effectiveCertificateStatus(c.status as CertificateStatus, c.validUntil, now),
    holder,
    dataset: { name: c.datasetName, manifestRoot: c.manifestRoot },
    issuedAt: c.issuedAt.toISOString(),
    validFrom: c.validFrom.toISOString(),
    validUntil: c.validUntil.toISOString(),
    keyId: c.keyId,
    log: { index: c.logIndex, leafHash: c.leafHash },
    supersedes: c.supersedes,
    supersededBy: c.supersededBy,
    /** The reason given for a revocation (shown with the status) and the log entry that set the status. */
    statusReason: c.statusReason,
    statusLogIndex: c.statusLogIndex,
  };
}

export class Certificates {
  constructor(
    private readonly deps: RegistryDeps,
    private readonly applications: Applications,
  ) {}

  private get db() {
    return this.deps.db;
  }

  async row(number: string, db: Db = this.db): Promise<CertRow> {
    if (!certificateNumber.safeParse(number).success) throw new RegistryError('certificate_not_found', 'not a certificate number');
    const [c] = await db.select().from(certificates).where(eq(certificates.number, number));
    if (!c) throw new RegistryError('certificate_not_found', `no certificate ${number}`);
    return c;
  }

  async get(number: string) {
    if (!certificateNumber.safeParse(number).success) throw new RegistryError('certificate_not_found', 'not a certificate number');
    const [r] = await this.db
      .select({ c: certificates, o: organisations })
      .from(certificates)
      .innerJoin(organisations, eq(organisations.id, certificates.orgId))
      .where(eq(certificates.number, number));
    if (!r) throw new RegistryError('certificate_not_found', `no certificate ${number}`);
    const holder = JSON.parse(r.c.payload).holder as { name: string; uscc: string };
    return { ...publicCertificate(r.c, holder, this.deps.now()), payload: r.c.payload, signature: r.c.signature, orgId: r.c.orgId };
  }

  /** The public register (登记公告): issued certificates, oldest first (keyset paging by issue time and number). */
  /**
   * The register (登记公告), oldest first, a keyset page at a time — searched in the
   * database query, so every page is full and paging is exact: `search` by field (name,
   * holder, 统一社会信用代码, industry, issue dates), `text` a substring (case-insensitive)
   * of the number, the dataset's name, the holder's name or its 统一社会信用代码.
   */
  async list(q: { cursor?: string; limit: number; status?: CertificateStatus[]; search?: unknown; text?: string }) {
    const search = parseCommand(SearchSchema, q.search ?? {}, 'the search');
    const ks = keyset(certificates.issuedAt, certificates.number, q);
    const conds: SQL[] = q.status?.length ? [inArray(certificates.status, q.status)] : [];
    conds.push(
      ...searchConditions(
        search,
        {
          name: sql`${certificates.datasetName}`,
          holderName: sql`(${certificates.payload}::jsonb -> 'holder' ->> 'name')`,
          holderUscc: sql`(${certificates.payload}::jsonb -> 'holder' ->> 'uscc')`,
          industry: sql`(SELECT v.data ->> 'industry' FROM application_versions v JOIN applications a ON a.id = v.application_id AND v.version = a.submitted_version WHERE a.id = ${certificates.applicationId})`,
          at: certificates.issuedAt,
        },
        this.deps.settings.timeZone,
      ),
    );
    const text = q.text?.trim();
    if (text) {
      // LIKE's wildcards in the text are literal
      const pattern = `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      const holder = sql`(${certificates.payload}::jsonb -> 'holder')`;
      conds.push(
        or(
          sql`${certificates.number} ILIKE ${pattern} ESCAPE '\\'`,
          sql`${certificates.datasetName} ILIKE ${pattern} ESCAPE '\\'`,
          sql`(${holder} ->> 'name') ILIKE ${pattern} ESCAPE '\\'`,
          sql`(${holder} ->> 'uscc') ILIKE ${pattern} ESCAPE '\\'`,
        )!,
      );
    }
    const rows = await this.db.select().from(certificates).where(ks.where(conds)).orderBy(...ks.orderBy).limit(ks.limit);
    const now = this.deps.now();
    return ks.page(rows, (c) => ({ at: c.issuedAt, id: c.number }), (c) => publicCertificate(c, JSON.parse(c.payload).holder, now));
  }

  /**
   * Reminders for a holder: its certificates in force whose validity ends within
   * `reminderDays` (DATADEED_REMINDER_DAYS, default 90) — renew (续展) before expiry —
   * soonest first, with whether the renewal window is open.
   */
  async reminders(p: Principal) {
    if (p.role !== 'applicant') throw new RegistryError('forbidden', 'reminders are for holders');
    const now = this.deps.now();
    const horizon = new Date(now.getTime() + this.deps.settings.reminderDays * 86_400_000);
    const rows = await this.db
      .select()
      .from(certificates)
      .where(and(eq(certificates.orgId, p.orgId), inArray(certificates.status, ['active', 'pledged']), gt(certificates.validUntil, now), lte(certificates.validUntil, horizon)))
      .orderBy(asc(certificates.validUntil));
    return rows.map((c) => ({
      kind: 'expiry' as const,
      number: c.number,
      datasetName: c.datasetName,
      validUntil: c.validUntil.toISOString(),
      daysLeft: Math.ceil((c.validUntil.getTime() - now.getTime()) / 86_400_000),
      renewalOpen: renewalOpen(c.validUntil, now),
      renew: `/v1/certificates/${c.number}/renew`,
    }));
  }

  /**
   * What a 数据资产入表 disclosure pack states of a certificate, for its holder (or registry
   * staff): the certificate row, the frozen application form whose digest the log holds
   * (with the index of that `application.submitted`), the licences and the pledges with
   * their log indices — each fact the pack states is proven by one of those entries.
   */
  async disclosureSources(p: Principal, number: string) {
    const c = await this.row(number);
    const staff = p.role === 'reviewer' || p.role === 'admin';
    if (!staff && !(p.role === 'applicant' && p.orgId === c.orgId)) throw new RegistryError('certificate_not_found', `no certificate ${number} of yours`);
    // the form the certificate's data rests on: its own application's, or (a transfer) the first version's in its chain
    const appId = c.applicationId;
    const [v] = await this.db
      .select({ data: applicationVersions.data, logIndex: applicationVersions.logIndex, digest: applicationVersions.digest })
      .from(applicationVersions)
      .innerJoin(applications, and(eq(applications.id, applicationVersions.applicationId), eq(applications.submittedVersion, applicationVersions.version)))
      .where(eq(applications.id, appId));
    if (!v) throw new RegistryError('application_not_found', 'the application of this certificate is gone');
    const lic = await this.db.select().from(licences).where(eq(licences.certificateNumber, number)).orderBy(asc(licences.logIndex));
    const pl = await this.db
      .select({ p: pledges, bank: organisations.name })
      .from(pledges)
      .innerJoin(organisations, eq(organisations.id, pledges.pledgeeOrgId))
      .where(and(eq(pledges.certificateNumber, number), isNotNull(pledges.recordedLogIndex)))
      .orderBy(asc(pledges.recordedLogIndex));
    return {
      certificate: { ...publicCertificate(c, JSON.parse(c.payload).holder, this.deps.now()), payload: c.payload, registrationNumber: c.registrationNumber },
      form: v.data as CompleteForm,
      formDigest: v.digest,
      submittedLogIndex: v.logIndex,
      licences: lic.map((l) => ({ id: l.id, licensee: l.licensee, licenseeUscc: l.licenseeUscc, scope: l.scope, exclusive: l.exclusive, term: { start: l.termStart, end: l.termEnd }, logIndex: l.logIndex })),
      pledges: pl.map(({ p: x, bank }) => ({
        pledgeNumber: x.pledgeNumber!,
        pledgee: bank,
        term: { start: x.termStart, end: x.termEnd },
        state: x.state,
        recordedLogIndex: x.recordedLogIndex!,
        releasedLogIndex: x.releasedLogIndex,
      })),
    };
  }

  /** Log entries about a certificate, oldest first. */
  async events(number: string) {
    await this.row(number);
    return this.db.select().from(certificateEvents).where(eq(certificateEvents.number, number)).orderBy(asc(certificateEvents.logIndex));
  }

  /** Apply a status change with its log entry, atomically. */
  async changeStatus(
    number: string,
    action: CertificateAction,
    check: (c: CertRow) => void,
    event: Record<string, unknown>,
    reason: string | null = null,
  ) {
    const kind = `certificate.${{ revoke: 'revoked', cancel: 'cancelled', expire: 'expired', pledge: 'pledged', release: 'released', supersede: 'superseded' }[action]}`;
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const [c] = await tx.select().from(certificates).where(eq(certificates.number, number)).for('update');
      if (!c) throw new RegistryError('certificate_not_found', `no certificate ${number}`);
      check(c);
      const effective = effectiveCertificateStatus(c.status as CertificateStatus, c.validUntil, now);
      if (effective === 'expired' && action !== 'expire' && c.status !== 'expired')
        throw new RegistryError('certificate_not_active', 'the certificate has expired');
      const next = nextCertificateStatus(c.status as CertificateStatus, action);
      const prev = await lastCertificateEvent(tx, number);
      await tx
        .update(certificates)
        .set({ status: next, rowVersion: c.rowVersion + 1, statusReason: reason, statusLogIndex: index })
        .where(eq(certificates.number, number));
      await tx.insert(certificateEvents).values({ number, kind, logIndex: index, at: now });
      return { entry: encodeEntry({ kind, time: now.toISOString(), number, leafHash: c.leafHash, ...event, prev } as never), result: next };
    });
    return { number, status: ack.result, logIndex: ack.index };
  }

  /** Cancellation (注销) by the holder; refused while pledged. */
  cancel(p: Principal, number: string) {
    return this.changeStatus(
      number,
      'cancel',
      (c) => {
        if (p.role !== 'applicant' || p.orgId !== c.orgId) throw new RegistryError('not_owner', 'only the holder may cancel its certificate');
      },
      {},
    );
  }

  /** Revocation (撤销) by a reviewer, with a reason. */
  revoke(p: Principal, number: string, text: string) {
    const { reason } = parseCommand(ReasonSchema, { reason: text }, 'the reason');
    return this.changeStatus(
      number,
      'revoke',
      (c) => {
        if (p.role !== 'reviewer') throw new RegistryError('forbidden', 'only reviewers revoke');
        if (p.orgId === c.orgId) throw new RegistryError('reviewer_conflict_of_interest', 'a reviewer may not revoke their own organisation’s certificate');
      },
      { reasonHash: sha256(reason), reviewer: p.userId },
      reason,
    );
  }

  /** Mark every certificate whose validity has ended (run by the server's clock tick). */
  async expireDue(): Promise<number> {
    const now = this.deps.now();
    const due = await this.db.select({ n: certificates.number }).from(certificates).where(and(eq(certificates.status, 'active'), lte(certificates.validUntil, now)));
    let n = 0;
    for (const d of due) {
      try {
        await this.changeStatus(d.n, 'expire', () => {}, {});
        n++;
      } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
      }
    }
    return n;
  }

  /** Open a change (变更) or renewal (续展) application, pre-filled from the certificate's last version. */
  async openFollowUp(p: Principal, number: string, kind: 'change' | 'renewal', patch: unknown) {
    const c = await this.row(number);
    if (p.role !== 'applicant' || p.orgId !== c.orgId) throw new RegistryError('not_owner', 'only the holder may do this');
    const status = effectiveCertificateStatus(c.status as CertificateStatus, c.validUntil, this.deps.now());
    assertInForce(status);
    if (kind === 'renewal' && !renewalOpen(c.validUntil, this.deps.now()))
      throw new RegistryError('renewal_window_closed', 'renewal is possible only in the last 90 days of validity');
    const [v] = await this.db
      .select()
      .from(applicationVersions)
      .where(eq(applicationVersions.applicationId, c.applicationId))
      .orderBy(desc(applicationVersions.version))
      .limit(1);
    return this.applications.createDraft(p, patch ?? {}, kind, number, (v?.data ?? {}) as Draft);
  }
}
