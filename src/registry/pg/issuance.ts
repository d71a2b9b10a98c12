/**
 * Certificate issuance inside the approval transaction: a gap-free number, the
 * `certificate.issued` log entry, the signed payload recording that entry's index
 * and leaf hash, the certificate row, and (for a change or renewal) the superseded
 * predecessor — all in the caller's transaction, so all or nothing.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { reserveNumbers } from '../../db/index.ts';
import { applications, certificateEvents, certificates, deposits, pledgeConsents, pledges } from '../../db/index.ts';
import { queryRows, toNumber } from '../../db/index.ts';
import { toBase64, toHex } from '../../ledger/index.ts';
import { encodeEntry } from '../../ledger/index.ts';
import { nodeRfc6962 } from '../../ledger/node/index.ts';
import { certificateIssuedEvent, certificatePayload, encodeCertificatePayload, type IssuanceBasis } from '../../certificates/index.ts';
import { certificateSigningMessage } from '../../certificates/index.ts';
import type { RegistryDeps } from './deps.ts';
import { RegistryError } from '../errors.ts';
import { localTime, registryYear } from '../../time.ts';
import { validityEnd } from '../../calendar.ts';
import { DATA_SOURCE_CODES, legacyCertificateNumber, nationalCertificateNumber, registrationNumber, type DataSourceType } from '../numbering.ts';
import type { CompleteForm } from '../form.ts';
import { nextCertificateStatus, type CertificateStatus } from '../lifecycle.ts';

type AppRow = typeof applications.$inferSelect;
type CertRow = typeof certificates.$inferSelect;

/**
 * The log index of a certificate's last event (its chain's head: docs/log-format.md §6.4),
 * read in the caller's transaction with the certificate row locked; every new event of
 * the certificate names it as `prev`.
 */
export async function lastCertificateEvent(tx: Db, number: string): Promise<number> {
  const [r] = await queryRows<{ last: unknown }>(tx, sql`SELECT max(log_index) AS last FROM certificate_events WHERE number = ${number}`);
  if (r?.last === null || r?.last === undefined) throw new RegistryError('certificate_not_found', `certificate ${number} has no events`);
  return toNumber(r.last);
}

/**
 * A change, licence or transfer of a pledged certificate uses one unused consent of each
 * current pledgee for that action (recorded by `pledge.consent_recorded`), marking it used
 * by the entry at `index`. In the caller's transaction, the certificate row locked.
 * @throws RegistryError `pledgee_consent_required` when a pledgee has not consented.
 */
export async function usePledgeeConsents(tx: Db, number: string, action: 'change' | 'licence' | 'transfer', index: number): Promise<void> {
  const current = await tx.select({ id: pledges.id, pledgeNumber: pledges.pledgeNumber }).from(pledges).where(and(eq(pledges.certificateNumber, number), eq(pledges.state, 'recorded')));
  for (const pl of current) {
    const [k] = await tx
      .select({ id: pledgeConsents.id })
      .from(pledgeConsents)
      .where(and(eq(pledgeConsents.pledgeId, pl.id), eq(pledgeConsents.action, action), isNull(pledgeConsents.usedLogIndex)))
      .orderBy(desc(pledgeConsents.logIndex))
      .limit(1)
      .for('update');
    if (!k) throw new RegistryError('pledgee_consent_required', `certificate ${number} is pledged (${pl.pledgeNumber}): its pledgee has not consented to this ${action}`);
    await tx.update(pledgeConsents).set({ usedLogIndex: index }).where(eq(pledgeConsents.id, k.id));
  }
}

export function formatCertificateNumber(prefix: string, year: number, seq: number): string {
  return legacyCertificateNumber(prefix, year, seq);
}

function addYears(d: Date, years: number): Date {
  const out = new Date(d);
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

export function certificateView(c: CertRow) {
  return {
    number: c.number,
    version: c.version,
    status: c.status as CertificateStatus,
    datasetName: c.datasetName,
    manifestRoot: c.manifestRoot,
    issuedAt: c.issuedAt.toISOString(),
    validFrom: c.validFrom.toISOString(),
    validUntil: c.validUntil.toISOString(),
    keyId: c.keyId,
    logIndex: c.logIndex,
    leafHash: c.leafHash,
    supersedes: c.supersedes,
    supersededBy: c.supersededBy,
    registrationNumber: c.registrationNumber ?? null,
  };
}

/** The data-source type of a 登记号 (its fifth character). */
function sourceOf(reg: string): DataSourceType {
  const code = reg[4];
  return (Object.entries(DATA_SOURCE_CODES).find(([, c]) => c === code)?.[0] as DataSourceType | undefined) ?? 'other';
}

/** What a new certificate (or version) is issued for. */
export interface IssueSpec {
  applicationId: string;
  orgId: string;
  holder: { name: string; uscc: string };
  dataset: { name: string; manifestRoot: string; files: number; bytes: number; depositId?: string };
  /** The certificate this version supersedes (change, renewal, transfer). */
  predecessor?: string;
  /** new: validity from now; keep: the predecessor's end; extend: predecessor's end + validity years. */
  validity: 'new' | 'keep' | 'extend';
  /** Whether the predecessor's pledges carry over (renewal) — a transfer or change may not run while pledged. */
  carryPledges: boolean;
  /** What the version rests on (logged as `basis`). */
  basis: IssuanceBasis;
  /** The log index of the application's `application.approved` entry (not for a transfer). */
  approval?: number;
  /** The data-source code of the 登记号 (from the form; a transfer keeps its predecessor's). */
  dataSource?: DataSourceType;
  /** The year the application was filed (the 登记号's year; default: the issuance's). */
  applicationYear?: number;
  /** The data-source agreement's end (`YYYY-MM-DD`): validity ends no later. */
  agreementEnd?: string;
  index: number;
  now: Date;
}

/** Issue from an approved application (initial, change, renewal). */
export function issueCertificateInTx(tx: Db, deps: RegistryDeps, input: { application: AppRow; form: CompleteForm; approval: number; index: number; now: Date }) {
  const { application: a, form } = input;
  return issueInTx(tx, deps, {
    applicationId: a.id,
    orgId: a.orgId,
    holder: { name: form.holder.name, uscc: form.holder.uscc },
    dataset: {
      name: form.datasetName,
      manifestRoot: form.manifest.root,
      files: form.manifest.files,
      bytes: form.manifest.bytes,
      ...(form.evidenceDepositId ? { depositId: form.evidenceDepositId } : {}),
    },
    predecessor: a.kind === 'initial' ? undefined : a.targetCertificate!,
    validity: a.kind === 'renewal' ? 'extend' : a.kind === 'change' ? 'keep' : 'new',
    carryPledges: a.kind === 'renewal' || a.kind === 'change',
    basis: a.kind as IssuanceBasis,
    approval: input.approval,
    ...(form.dataSourceType ? { dataSource: form.dataSourceType as DataSourceType } : {}),
    applicationYear: registryYear(a.createdAt, deps.settings.timeZone),
    ...(form.sourceAgreementEnd ? { agreementEnd: form.sourceAgreementEnd } : {}),
    index: input.index,
    now: input.now,
  });
}

export async function issueInTx(
  tx: Db,
  deps: RegistryDeps,
  spec: IssueSpec,
): Promise<{ number: string; entry: Uint8Array; view: ReturnType<typeof certificateView> }> {
  const { index, now } = spec;
  const s = deps.settings;
  let predecessor: CertRow | undefined;
  if (spec.predecessor) {
    [predecessor] = await tx.select().from(certificates).where(eq(certificates.number, spec.predecessor)).for('update');
    if (!predecessor) throw new RegistryError('certificate_not_found', 'the certificate to supersede is gone');
    nextCertificateStatus(predecessor.status as CertificateStatus, 'supersede');
    if (predecessor.status === 'pledged' && !spec.carryPledges) throw new RegistryError('certificate_pledged', 'a pledged certificate cannot be transferred');
    // a change of a pledged certificate needs its pledgees' recorded consent (a renewal does not)
    if (predecessor.status === 'pledged' && spec.basis === 'change') await usePledgeeConsents(tx, predecessor.number, 'change', index);
  }
  const year = registryYear(now, s.timeZone);
  const seq = await reserveNumbers(tx, 'certificate_counters', year);
  const month = Number(localTime(now, s.timeZone).date.slice(5, 7));
  const number = s.numberFormat === 'national' ? nationalCertificateNumber(year, month, s.registryCode, seq) : formatCertificateNumber(s.numberPrefix, year, seq);
  // the 登记号 (national format): application year, data source, registrant type, sequence, check character
  let regNumber: string | undefined;
  if (s.numberFormat === 'national') {
    const appYear = spec.applicationYear ?? year;
    const regSeq = await reserveNumbers(tx, 'registration_counters', appYear);
    const source = spec.dataSource ?? (predecessor?.registrationNumber ? sourceOf(predecessor.registrationNumber) : 'other');
    regNumber = registrationNumber(appYear, source, 'enterprise', regSeq);
  }
  const version = predecessor ? predecessor.version + 1 : 1;
  const validFrom = now;
  // validity runs from the 登记公告 (the issuance), capped by the data-source agreement's end
  const cap = (d: Date) => (spec.agreementEnd ? validityEnd(d, 0, s.timeZone, spec.agreementEnd) : d);
  const validUntil =
    spec.validity === 'extend'
      ? cap(addYears(predecessor!.validUntil, s.validityYears))
      : spec.validity === 'keep'
        ? predecessor!.validUntil
        : validityEnd(now, s.validityYears, s.timeZone, spec.agreementEnd);
  if (validUntil.getTime() <= now.getTime())
    throw new RegistryError('invalid_field', 'the data-source agreement has ended', [{ path: 'sourceAgreementEnd', message: 'the agreement ends before the certificate could be issued' }]);
  const keyId = await deps.certificateSigner.activeKeyId(tx);
  if (!keyId) throw new RegistryError('certificate_not_active', 'no active certificate signing key');

  const fields = {
    number,
    version,
    holder: spec.holder,
    dataset: spec.dataset,
    issuedAt: now.toISOString(),
    validFrom: validFrom.toISOString(),
    validUntil: validUntil.toISOString(),
    origin: s.origin,
    keyId,
    ...(predecessor ? { supersedes: predecessor.number } : {}),
  };
  // The deposit the dataset rests on (its evidence.deposited entry), and the superseded
  // certificate's last event: the issuance names both.
  const deposited: number[] = [];
  if (spec.dataset.depositId) {
    const [d] = await tx.select({ logIndex: deposits.logIndex }).from(deposits).where(eq(deposits.id, spec.dataset.depositId));
    if (!d) throw new RegistryError('invalid_field', 'the evidence deposit is gone', [{ path: 'evidenceDepositId', message: 'no such deposit' }]);
    deposited.push(d.logIndex);
  }
  const prev = predecessor ? await lastCertificateEvent(tx, predecessor.number) : undefined;
  // The entry commits to every field (payloadDigest); the payload then records the entry.
  const entry = encodeEntry(
    certificateIssuedEvent(fields, {
      basis: spec.basis,
      ...(spec.applicationId && spec.basis !== 'transfer' ? { applicationId: spec.applicationId } : {}),
      ...(spec.approval !== undefined ? { approval: spec.approval } : {}),
      deposits: deposited,
      ...(prev !== undefined ? { prev } : {}),
      ...(regNumber ? { registrationNumber: regNumber } : {}),
    }),
  );
  const leafHash = toHex(nodeRfc6962.hashLeaf(entry));
  const payload = certificatePayload(fields, { index, leafHash });
  const payloadBytes = encodeCertificatePayload(payload);
  const signature = deps.certificateSigner.sign(keyId, certificateSigningMessage(payloadBytes));

  const [row] = await tx
    .insert(certificates)
    .values({
      number,
      year,
      seq,
      version,
      applicationId: spec.applicationId,
      orgId: spec.orgId,
      status: predecessor?.status === 'pledged' && spec.carryPledges ? 'pledged' : 'active',
      datasetName: spec.dataset.name,
      manifestRoot: spec.dataset.manifestRoot,
      payload: new TextDecoder().decode(payloadBytes),
      signature: toBase64(signature),
      keyId,
      logIndex: index,
      leafHash,
      issuedAt: now,
      validFrom,
      validUntil,
      supersedes: predecessor?.number ?? null,
      registrationNumber: regNumber ?? null,
    })
    .returning();
  await tx.insert(certificateEvents).values({ number, kind: 'certificate.issued', logIndex: index, at: now });
  if (predecessor) {
    await tx
      .update(certificates)
      .set({ status: 'superseded', supersededBy: number, rowVersion: predecessor.rowVersion + 1, statusLogIndex: index })
      .where(eq(certificates.number, predecessor.number));
    await tx.insert(certificateEvents).values({ number: predecessor.number, kind: 'certificate.superseded', logIndex: index, at: now });
    if (predecessor.status === 'pledged' && spec.carryPledges)
      // the pledges follow the data asset to its new certificate version
      await tx.update(pledges).set({ certificateNumber: number }).where(and(eq(pledges.certificateNumber, predecessor.number), eq(pledges.state, 'recorded')));
  }
  return { number, entry, view: certificateView(row!) };
}
