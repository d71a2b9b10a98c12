/**
 * Certificate issuance inside the approval transaction: a gap-free number, the
 * `certificate.issued` log entry, the signed payload recording that entry's index
 * and leaf hash, the certificate row, and (for a change or renewal) the superseded
 * predecessor — all in the caller's transaction, so all or nothing.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { reserveNumbers } from '../db/counters.ts';
import { applications, certificateEvents, certificates, pledges } from '../db/schema.ts';
import { toBase64, toHex } from '../ledger/bytes.ts';
import { encodeEntry } from '../ledger/entry.ts';
import { nodeRfc6962 } from '../ledger/node-hasher.ts';
import { certificateIssuedEvent, certificatePayload, encodeCertificatePayload } from '../certificates/payload.ts';
import { certificateSigningMessage } from '../certificates/signature.ts';
import type { RegistryDeps } from './deps.ts';
import { RegistryError } from './errors.ts';
import type { CompleteForm } from './form.ts';
import { nextCertificateStatus, type CertificateStatus } from './lifecycle.ts';

type AppRow = typeof applications.$inferSelect;
type CertRow = typeof certificates.$inferSelect;

/** The registry's calendar year (China Standard Time, UTC+8) of an instant. */
export function registryYear(at: Date): number {
  return new Date(at.getTime() + 8 * 3600_000).getUTCFullYear();
}

export function formatCertificateNumber(prefix: string, year: number, seq: number): string {
  return `${prefix}-${year}-${String(seq).padStart(6, '0')}`;
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
  };
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
  index: number;
  now: Date;
}

/** Issue from an approved application (initial, change, renewal). */
export function issueCertificateInTx(tx: Db, deps: RegistryDeps, input: { application: AppRow; form: CompleteForm; index: number; now: Date }) {
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
  }
  const year = registryYear(now);
  const seq = await reserveNumbers(tx, 'certificate_counters', year);
  const number = formatCertificateNumber(s.numberPrefix, year, seq);
  const version = predecessor ? predecessor.version + 1 : 1;
  const validFrom = now;
  const validUntil =
    spec.validity === 'extend' ? addYears(predecessor!.validUntil, s.validityYears) : spec.validity === 'keep' ? predecessor!.validUntil : addYears(now, s.validityYears);
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
  // The entry commits to every field (payloadDigest); the payload then records the entry.
  const entry = encodeEntry(certificateIssuedEvent(fields));
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
