/**
 * The registry side of certificates after issuance: public reads, status with
 * the log entries proving it, history, cancellation (holder), revocation
 * (reviewer), expiry (clock), and opening a change or renewal application.
 */
import { and, asc, desc, eq, gt, inArray, lte, or, type SQL } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { applicationVersions, certificateEvents, certificates, organisations } from '../db/schema.ts';
import { encodeEntry } from '../ledger/entry.ts';
import type { Principal } from './accounts.ts';
import type { Applications } from './applications.ts';
import { decodeCursor, encodeCursor, sha256 } from './applications.ts';
import type { RegistryDeps } from './deps.ts';
import { RegistryError } from './errors.ts';
import type { Draft } from './form.ts';
import { assertInForce, effectiveCertificateStatus, nextCertificateStatus, renewalOpen, type CertificateAction, type CertificateStatus } from './lifecycle.ts';

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
    const [c] = await db.select().from(certificates).where(eq(certificates.number, number));
    if (!c) throw new RegistryError('certificate_not_found', `no certificate ${number}`);
    return c;
  }

  async get(number: string) {
    const [r] = await this.db
      .select({ c: certificates, o: organisations })
      .from(certificates)
      .innerJoin(organisations, eq(organisations.id, certificates.orgId))
      .where(eq(certificates.number, number));
    if (!r) throw new RegistryError('certificate_not_found', `no certificate ${number}`);
    const holder = JSON.parse(r.c.payload).holder as { name: string; uscc: string };
    return { ...publicCertificate(r.c, holder, this.deps.now()), payload: r.c.payload, signature: r.c.signature, orgId: r.c.orgId };
  }

  /** The public register (登记公告): issued certificates, newest first, paged. */
  async list(q: { cursor?: string; limit: number; status?: CertificateStatus[] }) {
    const conds: SQL[] = [];
    if (q.status?.length) conds.push(inArray(certificates.status, q.status));
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      conds.push(or(gt(certificates.issuedAt, new Date(c.t)), and(eq(certificates.issuedAt, new Date(c.t)), gt(certificates.number, c.id)))!);
    }
    const rows = await this.db
      .select()
      .from(certificates)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(asc(certificates.issuedAt), asc(certificates.number))
      .limit(q.limit + 1);
    const now = this.deps.now();
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((c) => publicCertificate(c, JSON.parse(c.payload).holder, now)),
      nextCursor: rows.length > q.limit && last ? encodeCursor({ t: last.issuedAt.toISOString(), id: last.number }) : null,
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
      await tx
        .update(certificates)
        .set({ status: next, rowVersion: c.rowVersion + 1, statusReason: reason, statusLogIndex: index })
        .where(eq(certificates.number, number));
      await tx.insert(certificateEvents).values({ number, kind, logIndex: index, at: now });
      return { entry: encodeEntry({ kind, time: now.toISOString(), number, leafHash: c.leafHash, ...event } as never), result: next };
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
  revoke(p: Principal, number: string, reason: string) {
    return this.changeStatus(
      number,
      'revoke',
      (c) => {
        if (p.role !== 'reviewer') throw new RegistryError('forbidden', 'only reviewers revoke');
        if (p.orgId === c.orgId) throw new RegistryError('reviewer_conflict_of_interest', 'a reviewer may not revoke their own organisation’s certificate');
      },
      { reasonHash: sha256(reason) },
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
