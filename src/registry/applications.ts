/**
 * The application workflow: drafts, submission, review, public notice,
 * objections, approval. Every state change runs inside the sequencer's batch
 * transaction together with its log entry (`appendWith`), and records the entry's
 * index on the row it changed. Concurrency: rows are locked FOR UPDATE inside the
 * transaction and carry a row version; a caller's stale `If-Match` loses with 409.
 */
import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { and, asc, eq, gt, gte, ilike, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { applicationEditors, applicationEvents, applicationSamples, applications, applicationVersions, certificates, objections, organisations } from '../db/schema.ts';
import { encodeEntry } from '../ledger/entry.ts';
import type { Principal } from './accounts.ts';
import { newId } from './accounts.ts';
import type { RegistryDeps } from './deps.ts';
import { RegistryError } from './errors.ts';
import { CompleteSchema, DraftSchema, mergeDraft, publicFields, type CompleteForm, type Draft } from './form.ts';
import { nextApplicationState, noticeElapsed, renewalOpen, type ApplicationAction, type ApplicationKind, type ApplicationState } from './lifecycle.ts';
import { issueCertificateInTx } from './issuance.ts';
import { Evidence } from '../evidence/deposits.ts';

const canonicalize = canonicalizeModule as unknown as (v: unknown) => string;
type AppRow = typeof applications.$inferSelect;

export function zodDetails(err: { issues: { path: PropertyKey[]; message: string }[] }) {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

function parseDraft(input: unknown): Draft {
  const r = DraftSchema.safeParse(input);
  if (!r.success) throw new RegistryError('invalid_field', 'the application has invalid fields', zodDetails(r.error));
  return r.data;
}

export function applicationView(a: AppRow, extra: Record<string, unknown> = {}) {
  return {
    id: a.id,
    kind: a.kind as ApplicationKind,
    state: a.state as ApplicationState,
    rowVersion: a.rowVersion,
    orgId: a.orgId,
    createdBy: a.createdBy,
    submittedVersion: a.submittedVersion,
    claimedBy: a.claimedBy,
    noticeStartedAt: a.noticeStartedAt?.toISOString() ?? null,
    noticeEndsAt: a.noticeEndsAt?.toISOString() ?? null,
    targetCertificate: a.targetCertificate,
    certificateNumber: a.certificateNumber,
    lastLogIndex: a.lastLogIndex,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    form: a.draft as Draft,
    ...extra,
  };
}

async function loadForUpdate(tx: Db, id: string): Promise<AppRow> {
  const [a] = await tx.select().from(applications).where(eq(applications.id, id)).for('update');
  if (!a) throw new RegistryError('application_not_found', 'no such application');
  return a;
}

function checkVersion(a: AppRow, expected: number | undefined) {
  if (expected !== undefined && expected !== a.rowVersion)
    throw new RegistryError('version_conflict', `the application changed (version ${a.rowVersion}, you had ${expected}); reload and try again`);
}

function assertOwner(p: Principal, a: AppRow) {
  if (p.role !== 'applicant' || p.orgId !== a.orgId) throw new RegistryError('not_owner', 'only the applicant organisation may do this');
}

async function assertImpartial(tx: Db, p: Principal, a: AppRow) {
  if (p.orgId === a.orgId) throw new RegistryError('reviewer_conflict_of_interest', 'a reviewer may not decide an application of their own organisation');
  const [edited] = await tx
    .select()
    .from(applicationEditors)
    .where(and(eq(applicationEditors.applicationId, a.id), eq(applicationEditors.userId, p.userId)));
  if (edited) throw new RegistryError('reviewer_conflict_of_interest', 'a reviewer may not decide an application they edited');
}

/** SHA-256 (hex) of the canonical JSON of a frozen version. */
export function formDigest(form: CompleteForm): string {
  return createHash('sha256').update(canonicalize(form)).digest('hex');
}

export class Applications {
  constructor(private readonly deps: RegistryDeps) {}

  private get db() {
    return this.deps.db;
  }

  /** New draft (no log entry: drafts are private until submitted). */
  async createDraft(p: Principal, input: unknown, kind: ApplicationKind = 'initial', targetCertificate: string | null = null, base: Draft = {}) {
    if (p.role !== 'applicant') throw new RegistryError('forbidden', 'only applicants file applications');
    const draft = mergeDraft(base, parseDraft(input ?? {}));
    const now = this.deps.now();
    const id = newId();
    await this.db.transaction(async (tx) => {
      await tx.insert(applications).values({ id, kind, orgId: p.orgId, createdBy: p.userId, state: 'draft', draft, targetCertificate, createdAt: now, updatedAt: now });
      await tx.insert(applicationEditors).values({ applicationId: id, userId: p.userId }).onConflictDoNothing();
    });
    return this.get(p, id);
  }

  /** Edit a draft (or an application sent back for changes). Owner only. */
  async updateDraft(p: Principal, id: string, patch: unknown, expectedVersion?: number) {
    const parsed = parseDraft(patch);
    await this.db.transaction(async (tx) => {
      const a = await loadForUpdate(tx, id);
      assertOwner(p, a);
      checkVersion(a, expectedVersion);
      if (a.state !== 'draft' && a.state !== 'changes_requested')
        throw new RegistryError('illegal_transition', `cannot edit an application that is ${a.state.replace(/_/g, ' ')}`);
      const draft = mergeDraft(a.draft as Draft, parsed);
      await tx.update(applications).set({ draft, rowVersion: a.rowVersion + 1, updatedAt: this.deps.now() }).where(eq(applications.id, id));
      await tx.insert(applicationEditors).values({ applicationId: id, userId: p.userId }).onConflictDoNothing();
    });
    return this.get(p, id);
  }

  /** Attach the data sample (bytes already size- and type-checked by the caller). */
  async putSample(p: Principal, id: string, sample: { filename: string; mediaType: string; bytes: Uint8Array }) {
    const sha256 = createHash('sha256').update(sample.bytes).digest('hex');
    await this.db.transaction(async (tx) => {
      const a = await loadForUpdate(tx, id);
      assertOwner(p, a);
      if (a.state !== 'draft' && a.state !== 'changes_requested')
        throw new RegistryError('illegal_transition', `cannot change the sample of an application that is ${a.state.replace(/_/g, ' ')}`);
      const now = this.deps.now();
      await tx
        .insert(applicationSamples)
        .values({ applicationId: id, filename: sample.filename, mediaType: sample.mediaType, bytes: sample.bytes, sha256, uploadedAt: now })
        .onConflictDoUpdate({ target: applicationSamples.applicationId, set: { filename: sample.filename, mediaType: sample.mediaType, bytes: sample.bytes, sha256, uploadedAt: now } });
      await tx.update(applications).set({ rowVersion: a.rowVersion + 1, updatedAt: now }).where(eq(applications.id, id));
    });
    return { filename: sample.filename, mediaType: sample.mediaType, size: sample.bytes.length, sha256 };
  }

  async getSample(p: Principal, id: string) {
    await this.get(p, id);
    const [s] = await this.db.select().from(applicationSamples).where(eq(applicationSamples.applicationId, id));
    if (!s) throw new RegistryError('application_not_found', 'no sample uploaded');
    return s;
  }

  /** Read one application: owner organisation, reviewers and admins. */
  async get(p: Principal, id: string) {
    const [a] = await this.db.select().from(applications).where(eq(applications.id, id));
    if (!a) throw new RegistryError('application_not_found', 'no such application');
    if (!(p.role === 'reviewer' || p.role === 'admin' || (p.role === 'applicant' && p.orgId === a.orgId)))
      throw new RegistryError('application_not_found', 'no such application');
    const [sample] = await this.db
      .select({ filename: applicationSamples.filename, mediaType: applicationSamples.mediaType, sha256: applicationSamples.sha256, size: sql<number>`octet_length(${applicationSamples.bytes})` })
      .from(applicationSamples)
      .where(eq(applicationSamples.applicationId, id));
    const objs = await this.db.select().from(objections).where(eq(objections.applicationId, id)).orderBy(asc(objections.filedAt));
    return applicationView(a, {
      sample: sample ? { ...sample, size: Number(sample.size) } : null,
      objections: objs.map((o) => ({ id: o.id, state: o.state, grounds: o.grounds, evidenceHash: o.evidenceHash, name: o.name, contact: o.contact, filedAt: o.filedAt.toISOString(), logIndex: o.logIndex })),
    });
  }

  /** Paged list: an applicant sees its organisation's; reviewers and admins the queue (oldest first). */
  async list(
    p: Principal,
    q: { state?: ApplicationState[]; from?: Date; to?: Date; holder?: string; cursor?: string; limit: number },
  ) {
    const conds: SQL[] = [];
    if (p.role === 'applicant') conds.push(eq(applications.orgId, p.orgId));
    else if (p.role !== 'reviewer' && p.role !== 'admin') throw new RegistryError('forbidden', 'not allowed');
    if (q.state?.length) conds.push(inArray(applications.state, q.state));
    if (q.from) conds.push(gte(applications.updatedAt, q.from));
    if (q.to) conds.push(lte(applications.updatedAt, q.to));
    if (q.holder) {
      const orgIds = this.db
        .select({ id: organisations.id })
        .from(organisations)
        .where(or(eq(organisations.uscc, q.holder), ilike(organisations.name, `%${q.holder.replace(/[%_\\]/g, (m) => '\\' + m)}%`)));
      conds.push(inArray(applications.orgId, orgIds));
    }
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      conds.push(or(gt(applications.updatedAt, new Date(c.t)), and(eq(applications.updatedAt, new Date(c.t)), gt(applications.id, c.id)))!);
    }
    const rows = await this.db
      .select()
      .from(applications)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(asc(applications.updatedAt), asc(applications.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((a) => applicationView(a)),
      nextCursor: rows.length > q.limit && last ? encodeCursor({ t: last.updatedAt.toISOString(), id: last.id }) : null,
    };
  }

  async versions(p: Principal, id: string) {
    await this.get(p, id);
    const rows = await this.db.select().from(applicationVersions).where(eq(applicationVersions.applicationId, id)).orderBy(asc(applicationVersions.version));
    return rows.map((v) => ({ version: v.version, digest: v.digest, submittedAt: v.submittedAt.toISOString(), submittedBy: v.submittedBy, logIndex: v.logIndex, form: v.data }));
  }

  /** Field-level differences between two submitted versions. */
  async diff(p: Principal, id: string, from: number, to: number) {
    const vs = await this.versions(p, id);
    const a = vs.find((v) => v.version === from);
    const b = vs.find((v) => v.version === to);
    if (!a || !b) throw new RegistryError('invalid_field', 'no such version', [{ path: !a ? 'from' : 'to', message: 'no such version' }]);
    return { from, to, changes: diffObjects(a.form, b.form) };
  }

  /**
   * Apply one workflow action inside the batch transaction, with its log entry.
   * `mutate` may change more columns and returns the entry fields.
   */
  private async transition<T = void>(
    p: Principal | null,
    id: string,
    action: ApplicationAction,
    opts: { expectedVersion?: number; comment?: string | null },
    body: (
      tx: Db,
      a: AppRow,
      next: ApplicationState,
      index: number,
      now: Date,
    ) => Promise<{ set?: Partial<AppRow>; event?: Record<string, unknown>; entry?: Uint8Array; result?: T }>,
  ) {
    const actor = action === 'file_objection' ? 'public' : !p ? 'system' : p.role === 'reviewer' ? 'reviewer' : p.role === 'applicant' ? 'applicant' : null;
    const ack = await this.deps.appendWith(async (tx, index) => {
      const now = this.deps.now();
      const a = await loadForUpdate(tx, id);
      if (p && actor === 'applicant') assertOwner(p, a);
      if (!actor) throw new RegistryError('forbidden', `a ${p!.role} cannot ${action.replace(/_/g, ' ')}`);
      checkVersion(a, opts.expectedVersion);
      const next = nextApplicationState(a.state as ApplicationState, action, actor, a.kind as ApplicationKind);
      if (p && actor === 'reviewer') {
        await assertImpartial(tx, p, a);
        if (action !== 'claim' && a.claimedBy && a.claimedBy !== p.userId && a.state === 'in_review')
          throw new RegistryError('forbidden', 'another reviewer has claimed this application');
      }
      const out = await body(tx, a, next, index, now);
      await tx
        .update(applications)
        .set({ ...(out.set ?? {}), state: next, rowVersion: a.rowVersion + 1, lastLogIndex: index, updatedAt: now })
        .where(eq(applications.id, id));
      await tx.insert(applicationEvents).values({
        id: newId(),
        applicationId: id,
        action,
        fromState: a.state,
        toState: next,
        actorId: p?.userId ?? null,
        comment: opts.comment ?? null,
        logIndex: index,
        at: now,
      });
      const entry = out.entry ?? encodeEntry({ time: now.toISOString(), applicationId: id, ...out.event } as never);
      return { entry, result: out.result as T };
    });
    return ack;
  }

  /** Submit: freeze a version, log its digest (`application.submitted`). */
  async submit(p: Principal, id: string, expectedVersion?: number) {
    const ack = await this.transition(p, id, 'submit', { expectedVersion }, async (tx, a, _next, index, now) => {
      const parsed = CompleteSchema.safeParse(a.draft);
      if (!parsed.success) throw new RegistryError('application_incomplete', 'the application is not complete', zodDetails(parsed.error));
      const form = parsed.data;
      if (p.orgUscc && form.holder.uscc !== p.orgUscc)
        throw new RegistryError('invalid_field', 'the holder must be your organisation', [{ path: 'holder.uscc', message: `must be ${p.orgUscc}` }]);
      if (a.kind === 'change' || a.kind === 'renewal') await this.checkTargetForSubmission(tx, a, form, now);
      // evidence first (存证先行): link the deposit of this manifest root
      const evidence = new Evidence(this.deps);
      const dep = await evidence.forOrg(tx, a.orgId, form.manifest.root, form.evidenceDepositId);
      if (form.evidenceDepositId && !dep)
        throw new RegistryError('invalid_field', 'the evidence deposit is not one of your organisation’s deposits of this manifest root', [
          { path: 'evidenceDepositId', message: 'must be your deposit whose digest equals manifest.root' },
        ]);
      if (!dep && this.deps.settings.requireEvidence)
        throw new RegistryError('evidence_required', 'deposit the manifest root as evidence (POST /v1/evidence) before submitting', [
          { path: 'manifest.root', message: 'no evidence deposit of this digest by your organisation' },
        ]);
      if (dep) form.evidenceDepositId = dep.id;
      const version = a.submittedVersion + 1;
      const digest = formDigest(form);
      await tx.insert(applicationVersions).values({ applicationId: a.id, version, data: form, digest, submittedBy: p.userId, submittedAt: now, logIndex: index });
      return {
        set: { submittedVersion: version, claimedBy: null },
        event: { kind: 'application.submitted', applicationKind: a.kind, version, digest, ...(a.targetCertificate ? { certificate: a.targetCertificate } : {}) },
      };
    });
    return { ...(await this.get(p, id)), logIndex: ack.index };
  }

  private async checkTargetForSubmission(tx: Db, a: AppRow, form: CompleteForm, now: Date) {
    const [cert] = await tx.select().from(certificates).where(eq(certificates.number, a.targetCertificate!));
    if (!cert || cert.orgId !== a.orgId) throw new RegistryError('certificate_not_found', 'no such certificate of yours');
    if (cert.status !== 'active' && cert.status !== 'pledged')
      throw new RegistryError('certificate_not_active', `the certificate is ${cert.status}`);
    if (a.kind === 'renewal' && !renewalOpen(cert.validUntil, now))
      throw new RegistryError('renewal_window_closed', 'renewal is possible only in the last 90 days of validity');
    if (a.kind === 'renewal' && form.manifest.root !== cert.manifestRoot)
      throw new RegistryError('invalid_field', 'a renewal cannot change the dataset fingerprint; file a change instead', [
        { path: 'manifest.root', message: 'must equal the certificate’s manifest root' },
      ]);
    if (a.kind === 'change' && cert.status === 'pledged' && form.manifest.root !== cert.manifestRoot)
      throw new RegistryError('certificate_pledged', 'a pledged certificate’s dataset fingerprint cannot change');
  }

  async withdraw(p: Principal, id: string, expectedVersion?: number) {
    await this.transition(p, id, 'withdraw', { expectedVersion }, async () => ({ event: { kind: 'application.withdrawn' } }));
    return this.get(p, id);
  }

  async claim(p: Principal, id: string, expectedVersion?: number) {
    await this.transition(p, id, 'claim', { expectedVersion }, async (_tx, a) => ({
      set: { claimedBy: p.userId },
      event: { kind: 'review.claimed', version: a.submittedVersion },
    }));
    return this.get(p, id);
  }

  async requestChanges(p: Principal, id: string, comment: string, expectedVersion?: number) {
    await this.transition(p, id, 'request_changes', { expectedVersion, comment }, async (_tx, a) => ({
      event: { kind: 'review.changes_requested', version: a.submittedVersion, commentHash: sha256(comment) },
    }));
    return this.get(p, id);
  }

  async reject(p: Principal, id: string, reason: string, expectedVersion?: number) {
    await this.transition(p, id, 'reject', { expectedVersion, comment: reason }, async (_tx, a) => ({
      event: { kind: 'review.rejected', version: a.submittedVersion, reasonHash: sha256(reason) },
    }));
    return this.get(p, id);
  }

  async openNotice(p: Principal, id: string, expectedVersion?: number) {
    await this.transition(p, id, 'open_notice', { expectedVersion }, async (_tx, a, _n, _i, now) => {
      const ends = new Date(now.getTime() + this.deps.settings.noticeDays * 86_400_000);
      return { set: { noticeStartedAt: now, noticeEndsAt: ends }, event: { kind: 'notice.opened', version: a.submittedVersion, noticeEndsAt: ends.toISOString() } };
    });
    return this.get(p, id);
  }

  /** Anyone may object during public notice; the notice clock stops. */
  async fileObjection(id: string, input: { name: string; contact: string; grounds: string; evidenceHash?: string | null }) {
    const objectionId = newId();
    const ack = await this.transition(null as Principal | null, id, 'file_objection', {}, async (tx, a, _n, index, now) => {
      await tx.insert(objections).values({
        id: objectionId,
        applicationId: a.id,
        name: input.name,
        contact: input.contact,
        grounds: input.grounds,
        evidenceHash: input.evidenceHash ?? null,
        state: 'open',
        filedAt: now,
        logIndex: index,
      });
      return { event: { kind: 'objection.filed', objectionId, groundsHash: sha256(input.grounds), ...(input.evidenceHash ? { evidenceHash: input.evidenceHash } : {}) } };
    }).catch((err) => {
      // the public sees "no such notice" rather than internal states
      if (err instanceof RegistryError && err.code === 'illegal_transition') throw new RegistryError('application_not_found', 'no application in public notice with this id');
      throw err;
    });
    return { id: objectionId, applicationId: id, state: 'open', logIndex: ack.index };
  }

  private async decideObjection(p: Principal, objectionId: string, uphold: boolean, reason: string, expectedVersion?: number) {
    const [o] = await this.db.select().from(objections).where(eq(objections.id, objectionId));
    if (!o) throw new RegistryError('objection_not_found', 'no such objection');
    if (o.state !== 'open') throw new RegistryError('illegal_transition', `the objection is already ${o.state}`);
    const action: ApplicationAction = uphold ? 'uphold_objection' : 'dismiss_objection';
    await this.transition(p, o.applicationId, action, { expectedVersion, comment: reason }, async (tx, _a, _next, _index, now) => {
      const upd = await tx
        .update(objections)
        .set({ state: uphold ? 'upheld' : 'dismissed', decidedBy: p.userId, decidedAt: now, decisionReason: reason })
        .where(and(eq(objections.id, objectionId), eq(objections.state, 'open')))
        .returning({ id: objections.id });
      if (!upd[0]) throw new RegistryError('version_conflict', 'the objection was decided meanwhile');
      const stillOpen = await tx.select({ id: objections.id }).from(objections).where(and(eq(objections.applicationId, o.applicationId), eq(objections.state, 'open')));
      if (!uphold && stillOpen.length > 0) throw new RegistryError('open_objections', 'other objections are still open: decide them first');
      // dismissal restarts the notice period
      const set: Partial<AppRow> = uphold ? {} : { noticeStartedAt: now, noticeEndsAt: new Date(now.getTime() + this.deps.settings.noticeDays * 86_400_000) };
      return { set, event: { kind: uphold ? 'objection.upheld' : 'objection.dismissed', objectionId, reasonHash: sha256(reason) } };
    });
    return this.get(p, o.applicationId);
  }

  dismissObjection(p: Principal, objectionId: string, reason: string, expectedVersion?: number) {
    return this.decideObjection(p, objectionId, false, reason, expectedVersion);
  }

  upholdObjection(p: Principal, objectionId: string, reason: string, expectedVersion?: number) {
    return this.decideObjection(p, objectionId, true, reason, expectedVersion);
  }

  /**
   * Approve and issue the certificate, in one transaction and one log entry
   * (`certificate.issued`). From public notice only after the period elapsed with
   * no open objection; a renewal is approved from review directly.
   */
  async approve(p: Principal | null, id: string, expectedVersion?: number) {
    const ack = await this.transition(p, id, 'approve', { expectedVersion }, async (tx, a, _next, index, now) => {
      if (a.state === 'public_notice' && !noticeElapsed(a.noticeEndsAt, now))
        throw new RegistryError('notice_not_elapsed', `the public notice runs until ${a.noticeEndsAt?.toISOString()}`);
      const [v] = await tx
        .select()
        .from(applicationVersions)
        .where(and(eq(applicationVersions.applicationId, a.id), eq(applicationVersions.version, a.submittedVersion)));
      const issued = await issueCertificateInTx(tx, this.deps, { application: a, form: v!.data as CompleteForm, index, now });
      return { set: { certificateNumber: issued.number }, entry: issued.entry, result: issued.view };
    });
    return { ...(p ? await this.get(p, id) : {}), certificate: ack.result };
  }

  /** Approve every application whose notice period has ended. Returns how many. */
  async closeElapsedNotices(): Promise<number> {
    const now = this.deps.now();
    const due = await this.db
      .select({ id: applications.id })
      .from(applications)
      .where(and(eq(applications.state, 'public_notice'), lte(applications.noticeEndsAt, now)));
    let n = 0;
    for (const d of due) {
      try {
        await this.approve(null, d.id);
        n++;
      } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
      }
    }
    return n;
  }

  /** The public list of applications in notice (public fields only). */
  async notices(q: { cursor?: string; limit: number }) {
    const conds: SQL[] = [inArray(applications.state, ['public_notice', 'objection'])];
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      conds.push(or(gt(applications.noticeStartedAt, new Date(c.t)), and(eq(applications.noticeStartedAt, new Date(c.t)), gt(applications.id, c.id)))!);
    }
    const rows = await this.db
      .select({ a: applications, v: applicationVersions })
      .from(applications)
      .innerJoin(applicationVersions, and(eq(applicationVersions.applicationId, applications.id), eq(applicationVersions.version, applications.submittedVersion)))
      .where(and(...conds))
      .orderBy(asc(applications.noticeStartedAt), asc(applications.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ a, v }) => ({
        applicationId: a.id,
        kind: a.kind,
        state: a.state,
        noticeStartedAt: a.noticeStartedAt?.toISOString() ?? null,
        noticeEndsAt: a.state === 'objection' ? null : (a.noticeEndsAt?.toISOString() ?? null),
        version: v.version,
        digest: v.digest,
        submittedLogIndex: v.logIndex,
        ...publicFields(v.data as CompleteForm),
      })),
      nextCursor: rows.length > q.limit && last ? encodeCursor({ t: last.a.noticeStartedAt!.toISOString(), id: last.a.id }) : null,
    };
  }
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function encodeCursor(c: { t: string; id: string }): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(s: string): { t: string; id: string } {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (typeof c?.t === 'string' && typeof c?.id === 'string' && !Number.isNaN(Date.parse(c.t))) return c;
  } catch {
    /* fall through */
  }
  throw new RegistryError('invalid_field', 'bad cursor', [{ path: 'cursor', message: 'not a cursor from this API' }]);
}

function diffObjects(a: unknown, b: unknown, path = ''): { path: string; from: unknown; to: unknown }[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffObjects((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return [{ path, from: a ?? null, to: b ?? null }];
}
