/**
 * The table side of the comparison (../compare.ts): the registry's rows read in the
 * shapes the log side is projected to — all of them (audit), or the rows a write touched
 * (the write guard). Private columns are compared through the hash the log commits to
 * (names, grounds, scopes, revocation reasons, pledge amounts with their nonces); the
 * certificate's `payloadDigest` is recomputed from the stored payload.
 */
import { and, eq, inArray, isNotNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import {
  applications,
  applicationVersions,
  certificateEvents,
  certificates,
  deposits,
  licences,
  notaryAttestations,
  objections,
  organisations,
  pledgeConsents,
  pledges,
  policies,
  signingKeys,
} from '../../db/index.ts';
import { certificatePayloadDigest, parseCertificatePayload } from '../../certificates/index.ts';
import { utf8 } from '../../ledger/index.ts';
import { amountCommitment, textHash } from '../../registry/index.ts';
import { emptyRows, type ComparedTable, type RowSelection, type Rows } from '../compare.ts';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function payloadFacts(text: string): { holderUscc: unknown; payloadDigest: unknown } {
  try {
    const p = parseCertificatePayload(utf8(text));
    return { holderUscc: p.holder.uscc, payloadDigest: certificatePayloadDigest(p) };
  } catch {
    return { holderUscc: '(unreadable payload)', payloadDigest: '(unreadable payload)' };
  }
}

/** Read the registry's rows (all, or the selected keys) in the comparison's shapes. */
export async function tableRows(db: Db, select: RowSelection = 'all'): Promise<Rows> {
  const out = emptyRows();
  /** The condition selecting the keys of `table` on `column`, `undefined` for all, or `null` when none are wanted. */
  const keys = (table: ComparedTable, column: Parameters<typeof inArray>[0]): SQL | undefined | null => {
    if (select === 'all') return undefined;
    const k = select[table];
    if (k === undefined) return null;
    const list = [...k];
    return list.length === 0 ? null : inArray(column, list);
  };

  let w = keys('organisations', organisations.id);
  if (w !== null)
    for (const o of await db.select().from(organisations).where(w)) out.organisations.set(o.id, { kind: o.kind, uscc: o.uscc, nameHash: textHash(o.name) });

  w = keys('applications', applications.id);
  if (w !== null) {
    const rows = await db
      .select({ a: applications, digest: applicationVersions.digest, industry: sql<string | null>`${applicationVersions.data} ->> 'industry'` })
      .from(applications)
      .leftJoin(applicationVersions, and(eq(applicationVersions.applicationId, applications.id), eq(applicationVersions.version, applications.submittedVersion)))
      .where(and(ne(applications.state, 'draft'), w));
    for (const { a, digest, industry } of rows)
      out.applications.set(a.id, {
        kind: a.kind,
        applicant: a.orgId,
        state: a.state,
        version: a.submittedVersion,
        digest: digest ?? null,
        certificate: a.targetCertificate,
        issued: a.certificateNumber,
        claimedBy: a.claimedBy,
        noticeEndsAt: iso(a.noticeEndsAt),
        lastEvent: a.lastLogIndex,
        industry: industry ?? null,
      });
  }

  w = keys('objections', objections.id);
  if (w !== null)
    for (const o of await db.select().from(objections).where(w))
      out.objections.set(o.id, { applicationId: o.applicationId, state: o.state, groundsHash: textHash(o.grounds), evidenceHash: o.evidenceHash, index: o.logIndex, interestHash: o.interest === null ? null : textHash(o.interest) });

  w = keys('certificates', certificates.number);
  if (w !== null) {
    const rows = await db.select().from(certificates).where(w);
    const numbers = rows.map((c) => c.number);
    const lastEvents = new Map<string, number>();
    const pledged = new Map<string, string[]>();
    if (numbers.length) {
      const ev = await db
        .select({ number: certificateEvents.number, last: sql<string>`max(${certificateEvents.logIndex})` })
        .from(certificateEvents)
        .where(select === 'all' ? undefined : inArray(certificateEvents.number, numbers))
        .groupBy(certificateEvents.number);
      for (const e of ev) lastEvents.set(e.number, Number(e.last));
      const pl = await db
        .select({ number: pledges.certificateNumber, pledgeNumber: pledges.pledgeNumber })
        .from(pledges)
        .where(and(eq(pledges.state, 'recorded'), select === 'all' ? undefined : inArray(pledges.certificateNumber, numbers)));
      for (const p of pl) pledged.set(p.number, [...(pledged.get(p.number) ?? []), p.pledgeNumber ?? '(no number)']);
    }
    for (const c of rows)
      out.certificates.set(c.number, {
        version: c.version,
        status: c.status,
        holder: c.orgId,
        ...payloadFacts(c.payload),
        manifestRoot: c.manifestRoot,
        validFrom: iso(c.validFrom),
        validUntil: iso(c.validUntil),
        keyId: c.keyId,
        leafHash: c.leafHash,
        issuedIndex: c.logIndex,
        supersedes: c.supersedes,
        supersededBy: c.supersededBy,
        statusIndex: c.statusLogIndex,
        reasonHash: c.status === 'revoked' && c.statusReason !== null ? textHash(c.statusReason) : null,
        pledges: (pledged.get(c.number) ?? []).sort(),
        lastEvent: lastEvents.get(c.number) ?? null,
        registrationNumber: c.registrationNumber ?? null,
      });
  }

  w = keys('pledges', pledges.pledgeNumber);
  if (w !== null)
    for (const p of await db.select().from(pledges).where(and(isNotNull(pledges.pledgeNumber), w)))
      out.pledges.set(p.pledgeNumber!, {
        pledgeId: p.id,
        certificate: p.certificateNumber,
        pledgee: p.pledgeeOrgId,
        amountCommitment: amountCommitment({ value: p.amount, currency: p.currency }, p.amountNonce),
        currency: p.currency,
        termStart: p.termStart,
        termEnd: p.termEnd,
        state: p.state,
        subsequentAllowed: p.subsequentAllowed,
        recordedIndex: p.recordedLogIndex,
        releasedIndex: p.releasedLogIndex,
        valuationReportHash: p.valuationReportHash ?? null,
        zhongdengNumber: p.zhongdengNumber ?? null,
      });

  w = keys('pledge_requests', pledges.id);
  if (w !== null)
    for (const p of await db.select().from(pledges).where(w))
      out.pledge_requests.set(p.id, {
        state: p.state,
        pledgee: p.pledgeeOrgId,
        amountCommitment: amountCommitment({ value: p.amount, currency: p.currency }, p.amountNonce),
        currency: p.currency,
        termStart: p.termStart,
        termEnd: p.termEnd,
        pledgeNumber: p.pledgeNumber,
        valuationReportHash: p.valuationReportHash ?? null,
        zhongdengNumber: p.zhongdengNumber ?? null,
      });

  w = keys('pledge_consents', pledgeConsents.id);
  if (w !== null)
    for (const k of await db
      .select({ k: pledgeConsents, pledgeNumber: pledges.pledgeNumber })
      .from(pledgeConsents)
      .innerJoin(pledges, eq(pledges.id, pledgeConsents.pledgeId))
      .where(w))
      out.pledge_consents.set(k.k.id, { pledgeNumber: k.pledgeNumber, certificate: k.k.certificateNumber, action: k.k.action, index: k.k.logIndex, usedIndex: k.k.usedLogIndex });

  w = keys('licences', licences.id);
  if (w !== null)
    for (const l of await db.select().from(licences).where(w))
      out.licences.set(l.id, {
        certificate: l.certificateNumber,
        exclusive: l.exclusive,
        termStart: l.termStart,
        termEnd: l.termEnd,
        licenseeUscc: l.licenseeUscc,
        scopeHash: textHash(l.scope),
        index: l.logIndex,
      });

  w = keys('policies', policies.id);
  if (w !== null)
    for (const p of await db.select().from(policies).where(w))
      out.policies.set(p.id, { certificate: p.certificateNumber, insurer: p.insurerOrgId, coverageType: p.coverageType, termStart: p.termStart, termEnd: p.termEnd, index: p.logIndex });

  w = keys('deposits', deposits.id);
  if (w !== null)
    for (const d of await db.select().from(deposits).where(w))
      out.deposits.set(d.id, { depositor: d.orgId, digest: d.digest, kind: d.kind, previous: d.previous, index: d.logIndex });

  w = keys('notary_attestations', notaryAttestations.id);
  if (w !== null)
    for (const a of await db.select().from(notaryAttestations).where(w))
      out.notary_attestations.set(a.id, {
        deposit: a.depositId,
        digest: a.digest,
        notary: a.notaryOrgId,
        notarialNumber: a.notarialNumber,
        attestedAt: a.attestedAt.toISOString(),
        notaryKey: a.notaryKey,
        index: a.logIndex,
      });

  w = keys('signing_keys', signingKeys.keyId);
  if (w !== null)
    for (const k of await db.select().from(signingKeys).where(w))
      out.signing_keys.set(k.keyId, { purpose: k.purpose, vkey: k.vkey, validFrom: iso(k.validFrom), validUntil: iso(k.validUntil), index: k.logIndex });

  return out;
}
