/**
 * Subscriptions and their webhooks, driven from the log after commit.
 *
 * Contract:
 * - **Never blocks a write.** The dispatcher runs beside the sequencer: a committed batch
 *   only `notify()`s it (a coalesced, asynchronous run); nothing in a write's transaction
 *   waits for it, and a failing receiver changes nothing in the registry.
 * - **Driven from the log.** Each subscription keeps the next log index it has examined
 *   (`from_log_index`, starting at the log's size when it is made). A run reads the
 *   entries after it, decides which each subscription wants (src/registry/subscriptions.ts,
 *   with the application's and certificate's facts), and queues one delivery per
 *   subscription and entry — unique in the table, so a restart or a second instance never
 *   queues an event twice — advancing the cursor in the same transaction.
 * - **At least once, once on success.** A delivery is POSTed until a 2xx answer, then never
 *   again; failures are retried with exponential back-off up to `maxAttempts`, then marked
 *   failed. Every attempt's outcome is in the delivery log.
 * - **Signed.** `X-DataDeed-Signature: t=<unix>,v1=<HMAC-SHA256(secret, "<t>.<body>")>`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { applications, applicationVersions, certificates, queryRows, subscriptions, webhookDeliveries } from '../../db/index.ts';
import { newId, type Principal } from '../../accounts/pg/index.ts';
import { recordId } from '../../fields.ts';
import { parseCommand } from '../commands.ts';
import { RegistryError } from '../errors.ts';
import { directContext, retryDelay, SubscriptionSchema, subscriptionWants, webhookSignature, type EntryContext } from '../subscriptions.ts';

/** What the webhooks read of the log. */
export interface WebhookLog {
  treeSize(): Promise<number>;
  entries(begin: number, end: number): Promise<Uint8Array[]>;
}

export interface WebhookOptions {
  db: Db;
  log: WebhookLog;
  now(): Date;
  publicUrl: string;
  fetch?: typeof fetch;
  /** Back-off bounds (ms) and attempts before a delivery is marked failed. */
  retryMinMs?: number;
  retryMaxMs?: number;
  maxAttempts?: number;
  /** How long one POST may take. */
  timeoutMs?: number;
  /** Where a failed run (not a failed delivery) is reported. */
  onError?: (err: unknown) => void;
}

type SubRow = typeof subscriptions.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

const SCAN_CHUNK = 1024;
const ROLES = ['applicant', 'bank', 'insurer'] as const;

function view(s: SubRow) {
  return { id: s.id, topic: s.topic, target: s.target, url: s.url, active: s.active, createdAt: s.createdAt.toISOString(), nextLogIndex: s.fromLogIndex };
}

/** The subscriptions of an organisation (applicant, bank, insurer). */
export class Subscriptions {
  constructor(private readonly o: Pick<WebhookOptions, 'db' | 'log' | 'now'>) {}

  private check(p: Principal) {
    if (!(ROLES as readonly string[]).includes(p.role)) throw new RegistryError('forbidden', 'subscriptions are for organisations (holders, banks, insurers)');
  }

  private async own(p: Principal, id: string): Promise<SubRow> {
    this.check(p);
    if (!recordId.safeParse(id).success) throw new RegistryError('organisation_not_found', 'no such subscription');
    const [s] = await this.o.db.select().from(subscriptions).where(and(eq(subscriptions.id, id), eq(subscriptions.orgId, p.orgId)));
    if (!s) throw new RegistryError('organisation_not_found', 'no such subscription');
    return s;
  }

  /** Subscribe; the secret (the HMAC key) is returned once. Events from the log's current size on. */
  async create(p: Principal, raw: unknown) {
    this.check(p);
    const input = parseCommand(SubscriptionSchema, raw, 'the subscription');
    const secret = randomBytes(32).toString('hex');
    const [row] = await this.o.db
      .insert(subscriptions)
      .values({ id: newId(), orgId: p.orgId, topic: input.topic, target: input.target, url: input.url, secret, active: true, createdAt: this.o.now(), fromLogIndex: await this.o.log.treeSize() })
      .returning();
    return { ...view(row!), secret };
  }

  async list(p: Principal) {
    this.check(p);
    return (await this.o.db.select().from(subscriptions).where(eq(subscriptions.orgId, p.orgId)).orderBy(asc(subscriptions.createdAt))).map(view);
  }

  /** Stop deliveries (the delivery log stays). */
  async cancel(p: Principal, id: string) {
    const s = await this.own(p, id);
    const [row] = await this.o.db.update(subscriptions).set({ active: false }).where(eq(subscriptions.id, s.id)).returning();
    return view(row!);
  }

  /** The delivery log of a subscription, newest first. */
  async deliveries(p: Principal, id: string) {
    const s = await this.own(p, id);
    const rows = await this.o.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, s.id)).orderBy(desc(webhookDeliveries.logIndex)).limit(200);
    return rows.map((d) => ({
      id: d.id,
      logIndex: d.logIndex,
      kind: d.kind,
      state: d.state,
      attempts: d.attempts,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt.toISOString() : null,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
    }));
  }
}

/** Scans the log for subscribed events and delivers them (see the file's contract). */
export class WebhookDispatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private readonly fetch: typeof fetch;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;

  constructor(private readonly o: WebhookOptions) {
    this.fetch = o.fetch ?? globalThis.fetch;
    this.retryMinMs = o.retryMinMs ?? 2_000;
    this.retryMaxMs = o.retryMaxMs ?? 3_600_000;
    this.maxAttempts = o.maxAttempts ?? 10;
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  /** Schedule a run (after a commit); returns at once. Runs never overlap; a notify during one runs it again. */
  notify(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.runOnce();
        } catch (err) {
          this.o.onError?.(err);
        }
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = null;
    });
  }

  /** Also run every `ms` (retries fall due with time, not with writes). */
  start(ms: number): void {
    this.timer ??= setInterval(() => this.notify(), ms);
    this.timer.unref?.();
  }

  /** Wait for the current run, if any. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  /** One run: queue what the new entries bring, then attempt every due delivery. */
  async runOnce(): Promise<{ queued: number; attempted: number }> {
    const queued = await this.scan();
    const attempted = await this.deliverDue();
    return { queued, attempted };
  }

  private async scan(): Promise<number> {
    const size = await this.o.log.treeSize();
    let queued = 0;
    // most registries have few subscriptions: look before opening a transaction
    const [any] = await this.o.db.select({ id: subscriptions.id }).from(subscriptions).where(and(eq(subscriptions.active, true), sql`${subscriptions.fromLogIndex} < ${size}`)).limit(1);
    if (!any) return 0;
    for (;;) {
      // the entries are read before the transaction (the log is immutable; on the embedded
      // database a read outside an open transaction would wait for it)
      const [low] = await this.o.db
        .select({ begin: sql<string>`min(${subscriptions.fromLogIndex})` })
        .from(subscriptions)
        .where(and(eq(subscriptions.active, true), sql`${subscriptions.fromLogIndex} < ${size}`));
      if (low?.begin === null || low?.begin === undefined) return queued;
      const begin = Number(low.begin);
      const end = Math.min(size, begin + SCAN_CHUNK);
      const data = await this.o.log.entries(begin, end);
      const n = await this.o.db.transaction(async (tx) => {
        const subs = await tx
          .select()
          .from(subscriptions)
          .where(and(eq(subscriptions.active, true), sql`${subscriptions.fromLogIndex} < ${end}`))
          .for('update');
        if (!subs.length) return 0;
        let made = 0;
        for (let k = 0; k < data.length; k++) {
          const index = begin + k;
          const waiting = subs.filter((s) => s.fromLogIndex <= index);
          if (!waiting.length) continue;
          let entry: Record<string, unknown>;
          try {
            entry = JSON.parse(new TextDecoder().decode(data[k])) as Record<string, unknown>;
          } catch {
            continue;
          }
          const kind = String(entry.kind);
          const context = await this.context(tx, entry);
          for (const s of waiting) {
            if (!subscriptionWants(s, kind, context)) continue;
            const id = newId();
            const body = JSON.stringify({
              id,
              subscription: { id: s.id, topic: s.topic, target: s.target },
              logIndex: index,
              kind,
              time: entry.time,
              entry,
              links: { entry: `${this.o.publicUrl}/log/entries/${index}`, ...(context.certificates[0] ? { certificate: `${this.o.publicUrl}/verify/${context.certificates[0]}` } : {}) },
            });
            const r = await tx
              .insert(webhookDeliveries)
              .values({ id, subscriptionId: s.id, logIndex: index, kind, body, state: 'pending', attempts: 0, nextAttemptAt: this.o.now(), createdAt: this.o.now() })
              .onConflictDoNothing()
              .returning({ id: webhookDeliveries.id });
            made += r.length;
          }
        }
        await tx
          .update(subscriptions)
          .set({ fromLogIndex: end })
          .where(and(inArray(subscriptions.id, subs.map((s) => s.id)), sql`${subscriptions.fromLogIndex} < ${end}`));
        return made;
      });
      queued += n;
    }
  }

  /** The certificates, holders, digests and industry an entry concerns, from its members, application and certificate. */
  private async context(tx: Db, entry: Record<string, unknown>): Promise<EntryContext> {
    const c = directContext(entry);
    if (typeof entry.applicationId === 'string') {
      const [v] = await tx
        .select({ data: applicationVersions.data, target: applications.targetCertificate })
        .from(applications)
        .innerJoin(applicationVersions, and(eq(applicationVersions.applicationId, applications.id), eq(applicationVersions.version, applications.submittedVersion)))
        .where(eq(applications.id, entry.applicationId));
      const form = v?.data as { holder?: { uscc?: string }; manifest?: { root?: string }; industry?: string } | undefined;
      if (form?.holder?.uscc) c.holders.push(form.holder.uscc);
      if (form?.manifest?.root) c.digests.push(form.manifest.root);
      if (form?.industry) c.industry = form.industry;
      if (v?.target) c.certificates.push(v.target);
    }
    // a certificate's holder and data, and the versions it continues (a subscription follows the asset)
    for (let n = c.certificates[0], hops = 0; n && hops < 16; hops++) {
      const [row] = await tx.select({ payload: certificates.payload, manifestRoot: certificates.manifestRoot, supersedes: certificates.supersedes }).from(certificates).where(eq(certificates.number, n));
      if (!row) break;
      if (hops === 0) {
        const holder = (JSON.parse(row.payload) as { holder?: { uscc?: string } }).holder?.uscc;
        if (holder) c.holders.push(holder);
        c.digests.push(row.manifestRoot);
      }
      if (row.supersedes) c.certificates.push(row.supersedes);
      n = row.supersedes ?? undefined;
    }
    return c;
  }

  private async deliverDue(): Promise<number> {
    const now = this.o.now();
    const [any] = await this.o.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(and(eq(webhookDeliveries.state, 'pending'), sql`${webhookDeliveries.nextAttemptAt} <= ${now.toISOString()}::timestamptz`)).limit(1);
    if (!any) return 0;
    // claim due deliveries with a lease (a second instance skips them)
    const lease = new Date(now.getTime() + this.timeoutMs + 1000);
    const due = await queryRows<{ id: string }>(
      this.o.db,
      sql`UPDATE webhook_deliveries SET next_attempt_at = ${lease.toISOString()}::timestamptz
          WHERE id IN (SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ${now.toISOString()}::timestamptz
                       ORDER BY next_attempt_at, log_index LIMIT 50 FOR UPDATE SKIP LOCKED)
          RETURNING id`,
    );
    for (const { id } of due) {
      const [d] = await this.o.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
      const [s] = d ? await this.o.db.select().from(subscriptions).where(eq(subscriptions.id, d.subscriptionId)) : [];
      if (d && s) await this.attempt(d, s);
    }
    return due.length;
  }

  private async attempt(d: DeliveryRow, s: SubRow): Promise<void> {
    const t = Math.floor(this.o.now().getTime() / 1000);
    const signature = webhookSignature(d.body, t, (m) => createHmac('sha256', s.secret).update(m).digest('hex'));
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await this.fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'DataDeed-Webhooks/1', 'x-datadeed-signature': signature, 'x-datadeed-delivery': d.id, 'x-datadeed-event': d.kind },
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? 'timeout' : 'connection failed';
    }
    const attempts = d.attempts + 1;
    const now = this.o.now();
    if (error === null) {
      await this.o.db.update(webhookDeliveries).set({ state: 'delivered', attempts, lastStatus: status, lastError: null, deliveredAt: now }).where(eq(webhookDeliveries.id, d.id));
      return;
    }
    const failed = attempts >= this.maxAttempts;
    await this.o.db
      .update(webhookDeliveries)
      .set({
        state: failed ? 'failed' : 'pending',
        attempts,
        lastStatus: status,
        lastError: error,
        nextAttemptAt: new Date(now.getTime() + retryDelay(attempts, this.retryMinMs, this.retryMaxMs)),
      })
      .where(eq(webhookDeliveries.id, d.id));
  }
}
