/**
 * Evidence deposits (数据存证): an organisation deposits SHA-256 digests or
 * manifest roots — never the data. Each new item is one `evidence.deposited` log
 * entry (deposit id, depositor organisation id, digest, kind, previous); titles stay
 * in the database, private to the depositor. A request of up to 1,000 items is
 * written all or nothing in one sequencer append; depositing a digest the
 * organisation already deposited returns the existing deposit and writes nothing.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { reserveNumbers } from '../../db/index.ts';
import { deposits } from '../../db/index.ts';
import { toHex } from '../../ledger/index.ts';
import { encodeEntry } from '../../ledger/index.ts';
import { nodeRfc6962 } from '../../ledger/node/index.ts';
import type { AppendManyEffect, Appended } from '../../ledger/pg/index.ts';
import type { Principal } from '../../accounts/pg/index.ts';
import { registryYear } from '../../time.ts';
import { DEPOSIT_ID, EVIDENCE_KINDS, EvidenceError, MAX_DEPOSIT_ITEMS, parseDeposit, type DepositItem, type EvidenceKind } from '../index.ts';

// the deposit command and its rules are the evidence core's (../commands.ts)
export { EVIDENCE_KINDS, MAX_DEPOSIT_ITEMS as MAX_ITEMS, type DepositItem, type EvidenceKind };

/** A deposit id from outside: well-formed, or no such deposit (never sent to the database otherwise). */
function checkDepositId(id: string): void {
  if (!DEPOSIT_ID.test(id)) throw new EvidenceError('deposit_not_found', 'no such deposit');
}

type DepositRow = typeof deposits.$inferSelect;

export function depositView(d: DepositRow, withPrivate: boolean) {
  return {
    id: d.id,
    digest: d.digest,
    kind: d.kind as EvidenceKind,
    ...(withPrivate ? { title: d.title, files: d.files, bytes: d.bytes, orgId: d.orgId } : {}),
    previous: d.previous,
    logIndex: d.logIndex,
    leafHash: d.leafHash,
    depositedAt: d.createdAt.toISOString(),
  };
}

/**
 * What deposits need from the running system (a port; the registry's dependencies
 * satisfy it). `appendManyWith` runs its effect in the sequencer's batch transaction and
 * resolves after COMMIT; `now` is the registry's clock.
 */
export interface EvidenceDeps {
  db: Db;
  appendManyWith<T>(effect: AppendManyEffect<T>): Promise<Appended<T>>;
  now(): Date;
}

export class Evidence {
  constructor(private readonly deps: EvidenceDeps) {}

  private get db() {
    return this.deps.db;
  }

  /** Deposit 1–1,000 items. Returns, per item, its deposit (new or existing). */
  async deposit(p: Principal, raw: readonly DepositItem[]) {
    if (p.role !== 'applicant' || p.orgKind === 'bank' || p.orgKind === 'insurer') throw new EvidenceError('forbidden', 'deposits are made by data holders');
    const { items } = parseDeposit({ items: raw });
    const ack = await this.deps.appendManyWith(async (tx, firstIndex) => {
      const now = this.deps.now();
      // serialise deposits of one organisation so idempotency holds under concurrency
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${'deposit:' + p.orgId}))`);
      const digests = [...new Set(items.map((i) => i.digest))];
      // one text[] parameter (hex digests need no quoting), not a thousand parameters
      const existing = new Map(
        (await tx.select().from(deposits).where(and(eq(deposits.orgId, p.orgId), sql`${deposits.digest} = ANY(${`{${digests.join(',')}}`}::text[])`))).map((d) => [d.digest, d]),
      );
      const prevIds = [...new Set(items.flatMap((i) => (i.previous ? [i.previous] : [])))];
      const prevs = prevIds.length ? new Map((await tx.select().from(deposits).where(inArray(deposits.id, prevIds))).map((d) => [d.id, d])) : new Map<string, DepositRow>();
      const details: { path: string; message: string }[] = [];
      items.forEach((it, i) => {
        if (it.previous && prevs.get(it.previous)?.orgId !== p.orgId) details.push({ path: `items.${i}.previous`, message: 'not a deposit of your organisation' });
      });
      if (details.length) throw new EvidenceError('invalid_field', 'some items are invalid', details);

      const year = registryYear(now);
      const fresh = digests.filter((d) => !existing.has(d));
      const entries: Uint8Array[] = [];
      const byDigest = new Map<string, DepositRow>(existing);
      if (fresh.length) {
        let seq = (await reserveNumbers(tx, 'deposit_counters', year, fresh.length)) - 1;
        const rows: (typeof deposits.$inferInsert & { createdAt: Date })[] = [];
        const firstItem = new Map<string, DepositItem>();
        for (const it of items) if (!firstItem.has(it.digest)) firstItem.set(it.digest, it);
        for (const digest of fresh) {
          const it = firstItem.get(digest)!;
          const id = `EV-${year}-${String(++seq).padStart(8, '0')}`;
          const entry = encodeEntry({
            kind: 'evidence.deposited',
            time: now.toISOString(),
            depositId: id,
            depositor: p.orgId,
            digest,
            evidenceKind: it.kind,
            ...(it.previous ? { previous: it.previous } : {}),
          });
          const index = firstIndex + entries.length;
          entries.push(entry);
          const row = {
            id,
            orgId: p.orgId,
            createdBy: p.userId,
            digest,
            kind: it.kind,
            title: it.title,
            files: it.files ?? null,
            bytes: it.bytes ?? null,
            previous: it.previous ?? null,
            logIndex: index,
            leafHash: toHex(nodeRfc6962.hashLeaf(entry)),
            createdAt: now,
          };
          rows.push(row);
          byDigest.set(digest, row as DepositRow);
        }
        // the whole request in one statement, one JSON parameter (drizzle's builder is slow for 1,000 rows)
        await tx.execute(sql`
          INSERT INTO deposits (id, org_id, created_by, digest, kind, title, files, bytes, previous, log_index, leaf_hash, created_at)
          SELECT id, org_id, created_by, digest, kind, title, files, bytes, previous, log_index, leaf_hash, created_at
          FROM json_to_recordset(${JSON.stringify(
            rows.map((r) => ({
              id: r.id,
              org_id: r.orgId,
              created_by: r.createdBy,
              digest: r.digest,
              kind: r.kind,
              title: r.title,
              files: r.files,
              bytes: r.bytes,
              previous: r.previous,
              log_index: r.logIndex,
              leaf_hash: r.leafHash,
              created_at: r.createdAt.toISOString(),
            })),
          )}::json) AS x(id text, org_id text, created_by text, digest text, kind text, title text, files bigint, bytes bigint, previous text, log_index bigint, leaf_hash text, created_at timestamptz)`);
      }
      return { entries, result: items.map((it) => ({ digest: it.digest, deposit: byDigest.get(it.digest)!, created: !existing.has(it.digest) })) };
    });
    return { checkpoint: ack.checkpoint, items: ack.result };
  }

  async get(p: Principal | null, id: string) {
    checkDepositId(id);
    const [d] = await this.db.select().from(deposits).where(eq(deposits.id, id));
    if (!d) throw new EvidenceError('deposit_not_found', `no deposit ${id}`);
    return { row: d, view: depositView(d, !!p && (p.orgId === d.orgId || p.role === 'reviewer' || p.role === 'admin')) };
  }

  /**
   * A deposit for its parties only: the depositor's organisation and registry staff
   * (reviewers, admins). Anyone else learns nothing — not even that the id exists.
   * @throws EvidenceError `deposit_not_found`.
   */
  async getForParty(p: Principal, id: string) {
    const [d] = await this.db.select().from(deposits).where(eq(deposits.id, id));
    if (!d || !(p.orgId === d.orgId || p.role === 'reviewer' || p.role === 'admin')) throw new EvidenceError('deposit_not_found', `no deposit ${id}`);
    return d;
  }

  /** Public lookup: the earliest deposit of a digest (any organisation), without private fields. */
  async earliest(digest: string) {
    const [d] = await this.db.select().from(deposits).where(eq(deposits.digest, digest)).orderBy(asc(deposits.logIndex)).limit(1);
    return d;
  }

  /**
   * Up to `rows` links of the chain of versions ending at `id`, newest first, following
   * `previous` — in one query (a recursive walk), however long the chain. `after` (the
   * key of the last link of the previous page: its creation instant and id) continues
   * from that link's `previous`; a key that names no deposit gives no rows. A link's
   * `previous` is always an earlier deposit (it existed when the link was deposited), so
   * newest first is descending log index.
   * @throws EvidenceError `deposit_not_found` when `id` is no deposit (first page only).
   */
  async chainLinks(p: Principal | null, id: string, page: { after?: { at: Date; id: string }; rows: number }) {
    checkDepositId(id);
    const seed = page.after
      ? sql`SELECT d.id, d.previous, 1 FROM deposits d
            WHERE d.id = (SELECT c.previous FROM deposits c WHERE c.id = ${page.after.id} AND c.created_at = ${page.after.at.toISOString()}::timestamptz)`
      : sql`SELECT d.id, d.previous, 1 FROM deposits d WHERE d.id = ${id}`;
    const rows = await this.db
      .select()
      .from(deposits)
      .where(
        sql`${deposits.id} IN (
          WITH RECURSIVE chain(id, previous, depth) AS (
            ${seed}
            UNION ALL
            SELECT d.id, d.previous, chain.depth + 1 FROM chain JOIN deposits d ON d.id = chain.previous WHERE chain.depth < ${page.rows}
          )
          SELECT id FROM chain)`,
      )
      .orderBy(desc(deposits.logIndex))
      .limit(page.rows);
    if (!page.after && !rows.length) throw new EvidenceError('deposit_not_found', `no deposit ${id}`);
    return rows.map((d) => ({ row: d, view: depositView(d, !!p && (p.orgId === d.orgId || p.role === 'reviewer' || p.role === 'admin')) }));
  }

  /** A deposit of `orgId` with this digest, for linking an application (存证先行). */
  async forOrg(db: Db, orgId: string, digest: string, id?: string) {
    const conds = [eq(deposits.orgId, orgId), eq(deposits.digest, digest)];
    if (id) conds.push(eq(deposits.id, id));
    const [d] = await db.select().from(deposits).where(and(...conds));
    return d;
  }
}
