/**
 * Notarial attestations of deposits (公证, issue 17): a notary office (role `notary`,
 * organisation kind `notary`) records, for a deposited digest, the number of the notarial
 * certificate it issued and the time of the notarial act, signed by its own Ed25519 key
 * (its witness key; src/witness/attestation.ts). The registry checks the signature
 * before anything is written, binds the attestation to the earliest deposit of the
 * digest, and writes the row and its `notary.attested` entry in one transaction.
 */
import { and, asc, desc, eq, lt } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { deposits, notaryAttestations } from '../../db/index.ts';
import { encodeEntry } from '../../ledger/index.ts';
import type { Principal } from '../../accounts/pg/index.ts';
import { verifyAttestation, type AttestationStatement, type Ed25519Verify } from '../../witness/index.ts';
import { EvidenceError, parseAttest } from '../index.ts';
import type { EvidenceDeps } from './deposits.ts';

type AttestationRow = typeof notaryAttestations.$inferSelect;

/** An attestation as the API and pages show it (public: everything in it is in the log entry). */
export function attestationView(a: AttestationRow) {
  return {
    id: a.id,
    depositId: a.depositId,
    digest: a.digest,
    notary: a.notaryOrgId,
    office: a.office,
    notarialNumber: a.notarialNumber,
    attestedAt: a.attestedAt.toISOString(),
    notaryKey: a.notaryKey,
    signature: a.signature,
    recordedAt: a.recordedAt.toISOString(),
    logIndex: a.logIndex,
  };
}
export type AttestationView = ReturnType<typeof attestationView>;

/** What attestations need: the deposits' port, the log origin the statements name, and Ed25519 verification. */
export interface AttestationDeps extends EvidenceDeps {
  settings: { origin: string };
  verifyEd25519?: Ed25519Verify;
}

export class NotaryAttestations {
  constructor(private readonly deps: AttestationDeps) {}

  /**
   * The statement a notary of `office` signs for `input` (shown on the notary's page
   * before signing).
   */
  statement(office: string, input: { digest: string; notarialNumber: string; attestedAt: string }): AttestationStatement {
    return { origin: this.deps.settings.origin, digest: input.digest, notarialNumber: input.notarialNumber, office, attestedAt: new Date(input.attestedAt).toISOString() };
  }

  /**
   * Records a notary's attestation of a deposited digest.
   * @throws EvidenceError `forbidden` (not a notary), `invalid_field`,
   *   `deposit_not_found` (no deposit of the digest; details: digest),
   *   `attestation_invalid` (the signature does not verify; details: signature),
   *   `duplicate_attestation` (the notarial number is recorded; details: notarialNumber).
   */
  async attest(p: Principal, raw: unknown) {
    if (p.role !== 'notary' || p.orgKind !== 'notary') throw new EvidenceError('forbidden', 'attestations are recorded by notary offices');
    const input = parseAttest(raw);
    const now = this.deps.now();
    if (Date.parse(input.attestedAt) > now.getTime())
      throw new EvidenceError('invalid_field', 'the notarial act is in the future', [{ path: 'attestedAt', message: 'must not be in the future' }]);
    const statement = this.statement(p.orgName, input);
    const verify = this.deps.verifyEd25519 ?? (await import('../../witness/node/index.ts')).nodeEd25519Verify;
    const check = await verifyAttestation(statement, { notaryKey: input.notaryKey, signature: input.signature }, verify);
    if (!check.ok)
      throw new EvidenceError(
        'attestation_invalid',
        'the notary signature does not verify',
        check.reason === 'malformed' && !check.key ? [{ path: 'notaryKey', message: 'not an Ed25519 cosigner verifier key' }] : [{ path: 'signature', message: 'does not verify over the statement under this key' }],
      );
    const id = randomUUID();
    const ack = await this.deps.appendManyWith(async (tx, index) => {
      const [dep] = await tx.select().from(deposits).where(eq(deposits.digest, input.digest)).orderBy(asc(deposits.logIndex)).limit(1);
      if (!dep) throw new EvidenceError('deposit_not_found', 'no deposit of this digest', [{ path: 'digest', message: 'no deposit of this digest' }]);
      const [dup] = await tx
        .select({ id: notaryAttestations.id })
        .from(notaryAttestations)
        .where(and(eq(notaryAttestations.notaryOrgId, p.orgId), eq(notaryAttestations.notarialNumber, input.notarialNumber)));
      if (dup) throw new EvidenceError('duplicate_attestation', 'this notarial number is recorded', [{ path: 'notarialNumber', message: 'recorded already' }]);
      const t = this.deps.now();
      const entry = encodeEntry({
        kind: 'notary.attested',
        time: t.toISOString(),
        attestationId: id,
        notary: p.orgId,
        depositId: dep.id,
        digest: statement.digest,
        notarialNumber: statement.notarialNumber,
        office: statement.office,
        attestedAt: statement.attestedAt,
        notaryKey: input.notaryKey,
        signature: input.signature,
      });
      const row: AttestationRow = {
        id,
        depositId: dep.id,
        digest: statement.digest,
        notaryOrgId: p.orgId,
        createdBy: p.userId,
        notarialNumber: statement.notarialNumber,
        office: statement.office,
        attestedAt: new Date(statement.attestedAt),
        notaryKey: input.notaryKey,
        signature: input.signature,
        recordedAt: t,
        logIndex: index,
      };
      await tx.insert(notaryAttestations).values(row);
      return { entries: [entry], result: row };
    });
    return attestationView(ack.result);
  }

  /** The attestations of a digest, oldest first (public). */
  async ofDigest(digest: string) {
    if (!/^[0-9a-f]{64}$/.test(digest)) return [];
    const rows = await this.deps.db.select().from(notaryAttestations).where(eq(notaryAttestations.digest, digest)).orderBy(asc(notaryAttestations.logIndex)).limit(100);
    return rows.map(attestationView);
  }

  /** A notary office's own attestations, newest first, 50 a page (`before`: a log index from the previous page). */
  async ofNotary(p: Principal, page: { before?: number } = {}) {
    if (p.role !== 'notary') throw new EvidenceError('forbidden', 'attestations are recorded by notary offices');
    const conds = [eq(notaryAttestations.notaryOrgId, p.orgId)];
    if (page.before !== undefined) conds.push(lt(notaryAttestations.logIndex, page.before));
    const rows = await this.deps.db
      .select()
      .from(notaryAttestations)
      .where(and(...conds))
      .orderBy(desc(notaryAttestations.logIndex))
      .limit(51);
    return { items: rows.slice(0, 50).map(attestationView), before: rows.length > 50 ? rows[49]!.logIndex : undefined };
  }
}
