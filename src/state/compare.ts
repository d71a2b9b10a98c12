/**
 * Tables against the log: both sides projected to the same comparable rows, compared
 * field by field (pure). The log side comes from the replayed state (`logRows`); the
 * table side is read by `./pg/tables.ts` in the same shapes. Each difference is a
 * divergence naming the table, the row, the field, the value in the log and the value in
 * the table; a row on one side only is a divergence of field `(row)`.
 *
 * What is compared (the fields the log fixes; private columns such as names, contacts,
 * titles and amounts are compared through their hashes where the log commits to them):
 *
 * | table | row | fields |
 * | --- | --- | --- |
 * | organisations | id | kind, uscc, nameHash |
 * | applications | id (submitted, or withdrawn) | kind, applicant, state, version, digest, certificate, issued, claimedBy, noticeEndsAt, lastEvent, industry (when logged) |
 * | objections | id | applicationId, state, groundsHash, evidenceHash, index, interestHash |
 * | certificates | number | version, status, holder, holderUscc, manifestRoot, validFrom, validUntil, keyId, payloadDigest, leafHash, issuedIndex, supersedes, supersededBy, statusIndex, reasonHash, pledges, lastEvent, registrationNumber |
 * | pledges | pledge number (recorded) | pledgeId, certificate, pledgee, amountCommitment, currency, termStart, termEnd, state, subsequentAllowed, recordedIndex, releasedIndex, valuationReportHash, zhongdengNumber |
 * | pledge_requests | pledge id (logged requests) | state, pledgee, amountCommitment, currency, termStart, termEnd, pledgeNumber, valuationReportHash, zhongdengNumber |
 * | pledge_consents | consent id | pledgeNumber, certificate, action, index, usedIndex |
 * | licences | id | certificate, exclusive, termStart, termEnd, licenseeUscc, scopeHash, index |
 * | policies | id | certificate, insurer, coverageType, termStart, termEnd, index |
 * | deposits | id | depositor, digest, kind, previous, index |
 * | notary_attestations | id | deposit, digest, notary, notarialNumber, attestedAt, notaryKey, index |
 * | signing_keys | key id | purpose, vkey, validFrom, validUntil, index |
 */
import type { RegistryState } from './records.ts';

/** The tables compared, by their database names. */
export const COMPARED_TABLES = [
  'organisations',
  'applications',
  'objections',
  'certificates',
  'pledges',
  'pledge_requests',
  'pledge_consents',
  'licences',
  'policies',
  'deposits',
  'notary_attestations',
  'signing_keys',
] as const;
export type ComparedTable = (typeof COMPARED_TABLES)[number];

/** One side's rows: table → row key → field → value (JSON values). */
export type Rows = Record<ComparedTable, Map<string, Record<string, unknown>>>;

/** A field on which tables and log disagree. */
export interface Divergence {
  table: ComparedTable;
  /** The row's key: id, certificate number, pledge number, deposit id, key id. */
  row: string;
  /** The field, or `(row)` when the row exists on one side only. */
  field: string;
  /** The value the log gives (`absent`: no such row in the log). */
  logValue: unknown;
  /** The value the table holds (`absent`: no such row in the table). */
  tableValue: unknown;
}

export function emptyRows(): Rows {
  return Object.fromEntries(COMPARED_TABLES.map((t) => [t, new Map()])) as Rows;
}

/** Which rows to project: all, or these keys per table. */
export type RowSelection = Partial<Record<ComparedTable, Iterable<string>>> | 'all';

const sorted = (xs: readonly string[]) => [...xs].sort();

/** The log side: the replayed state as comparable rows (all of them, or the selected keys). */
export function logRows(s: RegistryState, select: RowSelection = 'all'): Rows {
  const out = emptyRows();
  const pick = <V>(table: ComparedTable, source: { get(k: string): V | undefined; entries(): IterableIterator<[string, V]> }, project: (v: V) => Record<string, unknown> | undefined) => {
    const keys = select === 'all' ? undefined : select[table];
    if (select !== 'all' && keys === undefined) return;
    const items: Iterable<[string, V | undefined]> = keys === undefined ? source.entries() : [...keys].map((k) => [k, source.get(k)] as [string, V | undefined]);
    for (const [k, v] of items) {
      if (v === undefined) continue;
      const row = project(v);
      if (row) out[table].set(k, row);
    }
  };
  pick('organisations', s.organisations, (o) => ({ kind: o.kind, uscc: o.uscc, nameHash: o.nameHash }));
  pick('applications', s.applications, (a) => ({
    kind: a.kind,
    applicant: a.applicant,
    state: a.state,
    version: a.version,
    digest: a.digest,
    certificate: a.certificate,
    issued: a.issued,
    claimedBy: a.claimedBy,
    noticeEndsAt: a.noticeEndsAt,
    lastEvent: a.lastEvent,
    ...(a.industry ? { industry: a.industry } : {}),
  }));
  pick('objections', s.objections, (o) => ({ applicationId: o.applicationId, state: o.state, groundsHash: o.groundsHash, evidenceHash: o.evidenceHash, index: o.index, interestHash: o.interestHash ?? null }));
  pick('certificates', s.certificates, (c) => ({
    version: c.version,
    status: c.status,
    holder: c.holder,
    holderUscc: c.holderUscc,
    manifestRoot: c.manifestRoot,
    validFrom: c.validFrom,
    validUntil: c.validUntil,
    keyId: c.keyId,
    payloadDigest: c.payloadDigest,
    leafHash: c.leafHash,
    issuedIndex: c.issuedIndex,
    supersedes: c.supersedes,
    supersededBy: c.supersededBy,
    statusIndex: c.statusIndex,
    reasonHash: c.status === 'revoked' ? c.reasonHash : null,
    pledges: sorted(c.pledges),
    lastEvent: c.lastEvent,
    registrationNumber: c.registrationNumber ?? null,
  }));
  pick('pledges', s.pledges, (p) => ({
    pledgeId: p.pledgeId,
    certificate: p.certificate,
    pledgee: p.pledgee,
    amountCommitment: p.amountCommitment,
    currency: p.currency,
    termStart: p.termStart,
    termEnd: p.termEnd,
    state: p.state,
    subsequentAllowed: p.subsequentAllowed,
    recordedIndex: p.recordedIndex,
    releasedIndex: p.releasedIndex,
    valuationReportHash: p.valuationReportHash ?? null,
    zhongdengNumber: p.zhongdengNumber ?? null,
  }));
  pick('pledge_requests', s.pledgeRequests, (r) => ({
    state: r.state,
    pledgee: r.pledgee,
    amountCommitment: r.amountCommitment,
    currency: r.currency,
    termStart: r.termStart,
    termEnd: r.termEnd,
    pledgeNumber: r.pledgeNumber,
    valuationReportHash: r.valuationReportHash ?? null,
    zhongdengNumber: r.zhongdengNumber ?? null,
  }));
  pick('pledge_consents', s.pledgeConsents, (k) => ({ pledgeNumber: k.pledgeNumber, certificate: k.certificate, action: k.action, index: k.index, usedIndex: k.usedIndex }));
  pick('licences', s.licences, (l) => ({
    certificate: l.certificate,
    exclusive: l.exclusive,
    termStart: l.termStart,
    termEnd: l.termEnd,
    licenseeUscc: l.licenseeUscc,
    scopeHash: l.scopeHash,
    index: l.index,
  }));
  pick('policies', s.policies, (p) => ({ certificate: p.certificate, insurer: p.insurer, coverageType: p.coverageType, termStart: p.termStart, termEnd: p.termEnd, index: p.index }));
  pick('deposits', s.deposits, (d) => ({ depositor: d.depositor, digest: d.digest, kind: d.kind, previous: d.previous, index: d.index }));
  pick('notary_attestations', s.attestations, (a) => ({
    deposit: a.deposit,
    digest: a.digest,
    notary: a.notary,
    notarialNumber: a.notarialNumber,
    attestedAt: new Date(a.attestedAt).toISOString(),
    notaryKey: a.notaryKey,
    index: a.index,
  }));
  pick('signing_keys', s.keys, (k) => ({ purpose: k.purpose, vkey: k.vkey, validFrom: k.validFrom, validUntil: k.validUntil, index: k.addedIndex }));
  return out;
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Every divergence between the log's rows and the tables' rows, by table, row key and field. */
export function compareRows(log: Rows, tables: Rows): Divergence[] {
  const out: Divergence[] = [];
  for (const table of COMPARED_TABLES) {
    const l = log[table];
    const t = tables[table];
    for (const [row, lv] of l) {
      const tv = t.get(row);
      if (!tv) {
        out.push({ table, row, field: '(row)', logValue: 'present', tableValue: 'absent' });
        continue;
      }
      for (const field of Object.keys(lv)) if (!same(lv[field], tv[field])) out.push({ table, row, field, logValue: lv[field] ?? null, tableValue: tv[field] ?? null });
    }
    for (const row of t.keys()) if (!l.has(row)) out.push({ table, row, field: '(row)', logValue: 'absent', tableValue: 'present' });
  }
  return out;
}

/** One line naming a divergence: `certificates DIP-2026-000001 holder: log "…", table "…"`. */
export function describeDivergence(d: Divergence): string {
  return `${d.table} ${d.row} ${d.field}: log ${JSON.stringify(d.logValue)}, table ${JSON.stringify(d.tableValue)}`;
}
