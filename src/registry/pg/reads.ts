/**
 * Reads the pages need besides the services' own: an application's history (every
 * decision with its comment and log entry), an organisation's evidence deposits, an
 * insurer's policies, and the names of the people who acted. Read only; each checks who
 * may read what with the same rules as the services (an application's history is readable
 * by whoever may read the application).
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { applicationEvents, deposits, policies, users } from '../../db/index.ts';
import type { Principal } from '../../accounts/pg/index.ts';
import { RegistryError } from '../errors.ts';
import type { Applications } from './applications.ts';
import type { RegistryDeps } from './deps.ts';
import { keyset } from './paging.ts';

export class Reads {
  constructor(
    private readonly deps: RegistryDeps,
    private readonly applications: Applications,
  ) {}

  private get db() {
    return this.deps.db;
  }

  /**
   * Every transition of an application, oldest first: the action, the states, who acted
   * (name and role), the comment or reason given, and the log entry written.
   * @throws RegistryError `application_not_found` for whoever may not read the application.
   */
  async applicationHistory(p: Principal, id: string) {
    await this.applications.get(p, id);
    const rows = await this.db
      .select({ e: applicationEvents, name: users.displayName, role: users.role })
      .from(applicationEvents)
      .leftJoin(users, eq(users.id, applicationEvents.actorId))
      .where(eq(applicationEvents.applicationId, id))
      .orderBy(asc(applicationEvents.logIndex));
    return rows.map(({ e, name, role }) => ({
      action: e.action,
      fromState: e.fromState,
      toState: e.toState,
      actor: e.actorId ? { name: name ?? '', role: role ?? '' } : null,
      comment: e.comment,
      logIndex: e.logIndex,
      at: e.at.toISOString(),
    }));
  }

  /** The caller's organisation's evidence deposits, oldest first (deposit time, then id), a page at a time (with their private fields). */
  async depositsOf(p: Principal, q: { cursor?: string; limit: number }) {
    if (p.role !== 'applicant') throw new RegistryError('forbidden', 'deposits are made by data holders');
    const ks = keyset(deposits.createdAt, deposits.id, q);
    const rows = await this.db.select().from(deposits).where(ks.where([eq(deposits.orgId, p.orgId)])).orderBy(...ks.orderBy).limit(ks.limit);
    return ks.page(rows, (d) => ({ at: d.createdAt, id: d.id }), (d) => ({
      id: d.id,
      digest: d.digest,
      kind: d.kind,
      title: d.title,
      files: d.files,
      bytes: d.bytes,
      previous: d.previous,
      logIndex: d.logIndex,
      depositedAt: d.createdAt.toISOString(),
    }));
  }

  /** The insurer's recorded policies, newest first. */
  async policiesOf(p: Principal) {
    if (p.role !== 'insurer') throw new RegistryError('forbidden', 'only insurers record policies');
    const rows = await this.db.select().from(policies).where(eq(policies.insurerOrgId, p.orgId)).orderBy(desc(policies.recordedAt));
    return rows.map((x) => ({
      id: x.id,
      certificateNumber: x.certificateNumber,
      policyNumber: x.policyNumber,
      insuredAmount: { value: x.insuredAmount, currency: x.currency },
      coverageType: x.coverageType,
      term: { start: x.termStart, end: x.termEnd },
      recordedAt: x.recordedAt.toISOString(),
      logIndex: x.logIndex,
    }));
  }

  /** Display names of users by id (unknown ids are left out). */
  async userNames(ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)].filter(Boolean);
    if (!unique.length) return new Map();
    const rows = await this.db.select({ id: users.id, name: users.displayName }).from(users).where(and(inArray(users.id, unique)));
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
