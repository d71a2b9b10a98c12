/**
 * The application workflow: drafts, submission, review, public notice,
 * objections, approval. Every state change runs inside the sequencer's batch
 * transaction together with its log entry (`appendWith`), and records the entry's
 * index on the row it changed. Concurrency: rows are locked FOR UPDATE inside the
 * transaction and carry a row version; a caller's stale `If-Match` loses with 409.
 */
import { createHash } from 'node:crypto';
import { and, asc, eq, gt, gte, ilike, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { applicationEditors, applicationEvents, applicationSamples, applications, applicationVersions, certificates, objections, organisations } from '../../db/index.ts';
import { encodeEntry } from '../../ledger/index.ts';
import { formDigest, textHash } from '../hashes.ts';
import type { Principal } from '../../accounts/pg/index.ts';
import { newId } from '../../accounts/pg/index.ts';
import { periodEnd } from '../../calendar.ts';
import type { RegistryDeps } from './deps.ts';
import { RegistryError } from '../errors.ts';
import { CommentSchema, OBJECTION_LIMITS, ObjectionSchema, parseCommand, ReasonSchema, SearchSchema } from '../commands.ts';
import { searchConditions } from './search.ts';
import { fieldIssues, recordId } from '../../fields.ts';
import { CompleteSchema, DraftSchema, mergeDraft, publicFields, type CompleteForm, type Draft } from '../form.ts';
import { keyset } from './paging.ts';
import { nextApplicationState, noticeElapsed, renewalOpen, stateAfterDismissal, type ApplicationAction, type ApplicationKind, type ApplicationState } from '../lifecycle.ts';
import { issueCertificateInTx } from './issuance.ts';
import { Evidence } from '../../evidence/pg/index.ts';

type AppRow = typeof applications.$inferSelect;

function parseDraft(input: unknown): Draft {
  return parseCommand(DraftSchema, input, 'the application');
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
  if (!recordId.safeParse(id).success) throw new RegistryError('application_not_found', 'no such application');
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

export { formDigest };

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

  /** Read one application: owner organisation; reviewers and admins once it was submitted. */
  async get(p: Principal, id: string) {
    if (!recordId.safeParse(id).success) throw new RegistryError('application_not_found', 'no such application');
    const [a] = await this.db.select().from(applications).where(eq(applications.id, id));
    if (!a) throw new RegistryError('application_not_found', 'no such application');
    // a draft is its owner's until first submitted: registry staff see submitted applications only
    const staff = (p.role === 'reviewer' || p.role === 'admin') && a.submittedVersion > 0;
    if (!(staff || (p.role === 'applicant' && p.orgId === a.orgId))) throw new RegistryError('application_not_found', 'no such application');
    const [sample] = await this.db
      .select({ filename: applicationSamples.filename, mediaType: applicationSamples.mediaType, sha256: applicationSamples.sha256, size: sql<number>`octet_length(${applicationSamples.bytes})` })
      .from(applicationSamples)
      .where(eq(applicationSamples.applicationId, id));
    const objs = await this.db.select().from(objections).where(eq(objections.applicationId, id)).orderBy(asc(objections.filedAt));
    return applicationView(a, {
      sample: sample ? { ...sample, size: Number(sample.size) } : null,
      objections: objs.map((o) => ({
        id: o.id,
        state: o.state,
        grounds: o.grounds,
        evidenceHash: o.evidenceHash,
        interest: o.interest,
        name: o.name,
        contact: o.contact,
        filedAt: o.filedAt.toISOString(),
        // the registry decides within DATADEED_OBJECTION_DECISION_DAYS days of the filing (Shanghai: 60)
        decideBy: new Date(o.filedAt.getTime() + this.deps.settings.objectionDecisionDays * 86_400_000).toISOString(),
        logIndex: o.logIndex,
      })),
    });
  }

  /** Paged list: an applicant sees its organisation's; reviewers and admins the submitted ones (oldest first). */
  async list(
    p: Principal,
    q: { state?: ApplicationState[]; from?: Date; to?: Date; holder?: string; cursor?: string; limit: number },
  ) {
    const ks = keyset(applications.updatedAt, applications.id, q);
    const conds: SQL[] = [];
    if (p.role === 'applicant') conds.push(eq(applications.orgId, p.orgId));
    else if (p.role === 'reviewer' || p.role === 'admin') conds.push(gt(applications.submittedVersion, 0));
    else throw new RegistryError('forbidden', 'not allowed');
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
    const rows = await this.db.select().from(applications).where(ks.where(conds)).orderBy(...ks.orderBy).limit(ks.limit);
    return ks.page(rows, (a) => ({ at: a.updatedAt, id: a.id }), (a) => applicationView(a));
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
   * Apply one workflow action inside the batch transaction, with its log entry: `body`
   * may change more columns and returns the entry's own fields (`event`; the time, the
   * application id and — for a reviewer — the reviewer's id are added), or ready-made
   * `entries` at consecutive indices from `index` (approval and issuance).
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
    ) => Promise<{ set?: Partial<AppRow>; event?: Record<string, unknown>; entries?: Uint8Array[]; result?: T; next?: ApplicationState }>,
  ) {
    const actor = action === 'file_objection' ? 'public' : !p ? 'system' : p.role === 'reviewer' ? 'reviewer' : p.role === 'applicant' ? 'applicant' : null;
    const ack = await this.deps.appendManyWith(async (tx, index) => {
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
      const to = out.next ?? next; // a state the lifecycle chose for this action (stateAfterDismissal)
      const entries = out.entries ?? [
        encodeEntry({ time: now.toISOString(), applicationId: id, ...(actor === 'reviewer' ? { reviewer: p!.userId } : {}), ...out.event } as never),
      ];
      await tx
        .update(applications)
        .set({ ...(out.set ?? {}), state: to, rowVersion: a.rowVersion + 1, lastLogIndex: index + entries.length - 1, updatedAt: now })
        .where(eq(applications.id, id));
      await tx.insert(applicationEvents).values({
        id: newId(),
        applicationId: id,
        action,
        fromState: a.state,
        toState: to,
        actorId: p?.userId ?? null,
        comment: opts.comment ?? null,
        logIndex: index,
        at: now,
      });
      return { entries, result: out.result as T };
    });
    return ack;
  }

  /** Submit: freeze a version, log its digest (`application.submitted`). */
  async submit(p: Principal, id: string, expectedVersion?: number) {
    const ack = await this.transition(p, id, 'submit', { expectedVersion }, async (tx, a, _next, index, now) => {
      // the holder is always the filing organisation, as registered: never taken from the body
      const [org] = await tx.select().from(organisations).where(eq(organisations.id, a.orgId));
      if (!org?.uscc)
        throw new RegistryError('invalid_field', 'your organisation has no 统一社会信用代码: it cannot hold a certificate', [
          { path: 'holder.uscc', message: 'the filing organisation needs a 统一社会信用代码' },
        ]);
      const draft = a.draft as Draft;
      if (draft.holder?.uscc !== undefined && draft.holder.uscc !== org.uscc)
        throw new RegistryError('invalid_field', 'the holder must be your organisation', [{ path: 'holder.uscc', message: `must be ${org.uscc}` }]);
      const parsed = CompleteSchema.safeParse({ ...draft, holder: { name: org.name, uscc: org.uscc } });
      if (!parsed.success) throw new RegistryError('application_incomplete', 'the application is not complete', fieldIssues(parsed.error));
      const form = parsed.data;
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
        event: {
          kind: 'application.submitted',
          applicant: a.orgId,
          applicationKind: a.kind,
          version,
          digest,
          ...(a.targetCertificate ? { certificate: a.targetCertificate } : {}),
          // public (shown in notice): the GB/T 4754 industry, so statistics by industry recompute from the log
          industry: form.industry,
        },
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
    await this.transition(p, id, 'withdraw', { expectedVersion }, async (_tx, a) => ({
      event: { kind: 'application.withdrawn', applicant: a.orgId, applicationKind: a.kind, ...(a.targetCertificate ? { certificate: a.targetCertificate } : {}) },
    }));
    return this.get(p, id);
  }

  async claim(p: Principal, id: string, expectedVersion?: number) {
    await this.transition(p, id, 'claim', { expectedVersion }, async (_tx, a) => ({
      set: { claimedBy: p.userId },
      event: { kind: 'review.claimed', version: a.submittedVersion },
    }));
    return this.get(p, id);
  }

  async requestChanges(p: Principal, id: string, text: string, expectedVersion?: number) {
    const { comment } = parseCommand(CommentSchema, { comment: text }, 'the comment');
    await this.transition(p, id, 'request_changes', { expectedVersion, comment }, async (_tx, a) => ({
      event: { kind: 'review.changes_requested', version: a.submittedVersion, commentHash: sha256(comment) },
    }));
    return this.get(p, id);
  }

  async reject(p: Principal, id: string, text: string, expectedVersion?: number) {
    const { reason } = parseCommand(ReasonSchema, { reason: text }, 'the reason');
    await this.transition(p, id, 'reject', { expectedVersion, comment: reason }, async (_tx, a) => ({
      event: { kind: 'review.rejected', version: a.submittedVersion, reasonHash: sha256(reason) },
    }));
    return this.get(p, id);
  }

  /** When a notice opened (or restarted) at `now` ends: working days in the registry's calendar, or calendar days. */
  private noticeEnd(now: Date): Date {
    const s = this.deps.settings;
    return periodEnd(now, s.notice.unit === 'days' ? { unit: 'days', days: s.notice.days } : { unit: 'working_days', days: s.notice.days, calendar: s.calendar }, s.timeZone);
  }

  async openNotice(p: Principal, id: string, expectedVersion?: number) {
    await this.transition(p, id, 'open_notice', { expectedVersion }, async (_tx, a, _n, _i, now) => {
      const ends = this.noticeEnd(now);
      return { set: { noticeStartedAt: now, noticeEndsAt: ends }, event: { kind: 'notice.opened', version: a.submittedVersion, noticeEndsAt: ends.toISOString() } };
    });
    return this.get(p, id);
  }

  /**
   * Anyone may object during public notice; the notice clock stops. Duplicates and too
   * many open objections are refused (OBJECTION_LIMITS) under the application's row lock,
   * so concurrent filings cannot pass them together.
   * @param from.clientAddress - the address it came from (the API's client address); its
   *   SHA-256 is kept for the per-address limit, never the address.
   * @throws RegistryError `duplicate_objection`, `too_many_objections`, `application_not_found`.
   */
  async fileObjection(id: string, raw: unknown, from: { clientAddress?: string } = {}) {
    const input = parseCommand(ObjectionSchema, raw, 'the objection');
    if (this.deps.settings.objectors === 'interested' && !input.interest)
      throw new RegistryError('objector_interest_required', 'only interested parties may object here: state your interest', [{ path: 'interest', message: 'required: state your interest (利害关系)' }]);
    const objectionId = newId();
    const filedFromHash = from.clientAddress === undefined ? null : sha256(`datadeed objection address\n${from.clientAddress}`);
    const ack = await this.transition(null as Principal | null, id, 'file_objection', {}, async (tx, a, _n, index, now) => {
      const [dup] = await tx
        .select({ id: objections.id })
        .from(objections)
        .where(and(eq(objections.applicationId, a.id), sql`lower(${objections.contact}) = lower(${input.contact})`, eq(objections.grounds, input.grounds)))
        .limit(1);
      if (dup) throw new RegistryError('duplicate_objection', 'an objection with this contact and these grounds was already filed on this application');
      const [open] = await tx
        .select({
          all: sql<number>`count(*)::int`,
          mine: filedFromHash === null ? sql<number>`0` : sql<number>`count(*) FILTER (WHERE ${objections.filedFromHash} = ${filedFromHash})::int`,
        })
        .from(objections)
        .where(and(eq(objections.applicationId, a.id), eq(objections.state, 'open')));
      if (Number(open?.mine ?? 0) >= OBJECTION_LIMITS.perAddress)
        throw new RegistryError('too_many_objections', `at most ${OBJECTION_LIMITS.perAddress} objections from one address may be open on one application; wait for the reviewer's decision`);
      if (Number(open?.all ?? 0) >= OBJECTION_LIMITS.perApplication)
        throw new RegistryError('too_many_objections', `at most ${OBJECTION_LIMITS.perApplication} objections may be open on one application; wait for the reviewer's decisions`);
      await tx.insert(objections).values({
        filedFromHash,
        id: objectionId,
        applicationId: a.id,
        name: input.name,
        contact: input.contact,
        grounds: input.grounds,
        evidenceHash: input.evidenceHash ?? null,
        interest: input.interest ?? null,
        state: 'open',
        filedAt: now,
        logIndex: index,
      });
      return {
        event: {
          kind: 'objection.filed',
          objectionId,
          groundsHash: sha256(input.grounds),
          ...(input.evidenceHash ? { evidenceHash: input.evidenceHash } : {}),
          ...(input.interest ? { interestHash: sha256(input.interest) } : {}),
        },
      };
    }).catch((err) => {
      // the public sees "no such notice" rather than internal states
      if (err instanceof RegistryError && err.code === 'illegal_transition') throw new RegistryError('application_not_found', 'no application in public notice with this id');
      throw err;
    });
    return { id: objectionId, applicationId: id, state: 'open', logIndex: ack.index };
  }

  private async decideObjection(p: Principal, objectionId: string, uphold: boolean, text: string, expectedVersion?: number) {
    const { reason } = parseCommand(ReasonSchema, { reason: text }, 'the reason');
    if (!recordId.safeParse(objectionId).success) throw new RegistryError('objection_not_found', 'no such objection');
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
      const event = { kind: uphold ? 'objection.upheld' : 'objection.dismissed', objectionId, reasonHash: sha256(reason) };
      if (uphold) return { event };
      // a dismissal while other objections are open keeps the notice suspended; the last one restarts it
      const stillOpen = await tx.select({ id: objections.id }).from(objections).where(and(eq(objections.applicationId, o.applicationId), eq(objections.state, 'open')));
      const next = stateAfterDismissal(stillOpen.length);
      if (next !== 'public_notice') return { next, event };
      // the last open objection dismissed: the notice period restarts
      const ends = this.noticeEnd(now);
      return { set: { noticeStartedAt: now, noticeEndsAt: ends }, next, event: { ...event, noticeEndsAt: ends.toISOString() } };
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
   * Approve and issue the certificate, in one transaction and two consecutive log
   * entries: `application.approved` (the version and its digest, the reviewer — none
   * when the registry clock approves after the notice period) and `certificate.issued`
   * naming the application, that approval and the deposit it rests on. From public
   * notice only after the period elapsed with no open objection; a renewal is approved
   * from review directly.
   */
  async approve(p: Principal | null, id: string, expectedVersion?: number) {
    const ack = await this.transition(p, id, 'approve', { expectedVersion }, async (tx, a, _next, index, now) => {
      if (a.state === 'public_notice' && !noticeElapsed(a.noticeEndsAt, now))
        throw new RegistryError('notice_not_elapsed', `the public notice runs until ${a.noticeEndsAt?.toISOString()}`);
      const [v] = await tx
        .select()
        .from(applicationVersions)
        .where(and(eq(applicationVersions.applicationId, a.id), eq(applicationVersions.version, a.submittedVersion)));
      const approval = encodeEntry({
        kind: 'application.approved',
        time: now.toISOString(),
        applicationId: a.id,
        version: v!.version,
        digest: v!.digest,
        ...(p ? { reviewer: p.userId } : {}),
      });
      const issued = await issueCertificateInTx(tx, this.deps, { application: a, form: v!.data as CompleteForm, approval: index, index: index + 1, now });
      return { set: { certificateNumber: issued.number }, entries: [approval, issued.entry], result: issued.view };
    });
    await this.deps.awaitCosigned?.(ack.treeSize);
    return { ...(p ? await this.get(p, id) : {}), certificate: ack.result };
  }

  /**
   * Approve every application whose notice period has ended (the registry clock),
   * oldest notice first. Each runs in its own transaction and fails alone: an
   * application that cannot be approved is handed to `onFailure` (to be logged) and
   * left as it was, and the others due in the same run carry on. Returns how many
   * were approved.
   */
  async closeElapsedNotices(onFailure: (applicationId: string, error: unknown) => void = () => {}): Promise<number> {
    const now = this.deps.now();
    const due = await this.db
      .select({ id: applications.id })
      .from(applications)
      .where(and(eq(applications.state, 'public_notice'), lte(applications.noticeEndsAt, now)))
      .orderBy(asc(applications.noticeEndsAt), asc(applications.id));
    let n = 0;
    for (const d of due) {
      try {
        await this.approve(null, d.id);
        n++;
      } catch (err) {
        // decided meanwhile by a reviewer or another instance: nothing to report
        if (err instanceof RegistryError && (err.code === 'illegal_transition' || err.code === 'version_conflict')) continue;
        onFailure(d.id, err);
      }
    }
    return n;
  }

  /** The public list of applications in notice (public fields only). */
  async notices(q: { cursor?: string; limit: number; search?: unknown }) {
    const search = parseCommand(SearchSchema, q.search ?? {}, 'the search');
    const ks = keyset(applications.noticeStartedAt, applications.id, q);
    const found = searchConditions(
      search,
      {
        name: sql`(${applicationVersions.data} ->> 'datasetName')`,
        holderName: sql`(${applicationVersions.data} -> 'holder' ->> 'name')`,
        holderUscc: sql`(${applicationVersions.data} -> 'holder' ->> 'uscc')`,
        industry: sql`(${applicationVersions.data} ->> 'industry')`,
        at: applications.noticeStartedAt,
      },
      this.deps.settings.timeZone,
    );
    const rows = await this.db
      .select({ a: applications, v: applicationVersions })
      .from(applications)
      .innerJoin(applicationVersions, and(eq(applicationVersions.applicationId, applications.id), eq(applicationVersions.version, applications.submittedVersion)))
      .where(ks.where([inArray(applications.state, ['public_notice', 'objection']), ...found]))
      .orderBy(...ks.orderBy)
      .limit(ks.limit);
    return ks.page(
      rows,
      ({ a }) => ({ at: a.noticeStartedAt!, id: a.id }),
      ({ a, v }) => ({
        applicationId: a.id,
        kind: a.kind,
        state: a.state,
        noticeStartedAt: a.noticeStartedAt?.toISOString() ?? null,
        noticeEndsAt: a.state === 'objection' ? null : (a.noticeEndsAt?.toISOString() ?? null),
        version: v.version,
        digest: v.digest,
        submittedLogIndex: v.logIndex,
        ...publicFields(v.data as CompleteForm),
      }),
    );
  }
}

/** SHA-256 (hex) of a text's UTF-8 bytes (the registry's text hash). */
export const sha256 = textHash;

function diffObjects(a: unknown, b: unknown, path = ''): { path: string; from: unknown; to: unknown }[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffObjects((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return [{ path, from: a ?? null, to: b ?? null }];
}
