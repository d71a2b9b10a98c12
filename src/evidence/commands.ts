/**
 * The deposit command (数据存证) taken from outside, as a plain zod schema (field
 * rules: src/fields.ts). The API route and `Evidence.deposit` (./pg/) use it; the
 * deposit id is the evidence domain's own identifier.
 */
import { z } from 'zod';
import { fieldIssues, hex64, instantField, lineField } from '../fields.ts';
import { EvidenceError } from './errors.ts';

export const EVIDENCE_KINDS = ['manifest', 'file', 'snapshot', 'document', 'other'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
/** Most items in one deposit request. */
export const MAX_DEPOSIT_ITEMS = 1000;

/** An evidence deposit id such as EV-2026-00000001 (year, gap-free sequence). */
export const DEPOSIT_ID = /^EV-\d{4}-\d{8}$/;
export const depositId = z.string().regex(DEPOSIT_ID, 'a deposit id like EV-2026-00000001');

/** One digest to deposit; the title stays private to the depositor. */
export const DepositItemSchema = z
  .object({
    digest: hex64,
    kind: z.enum(EVIDENCE_KINDS),
    title: lineField(500),
    files: z.number().int().min(0).max(1e12).optional(),
    bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    previous: depositId.optional(),
  })
  .strict();
export type DepositItem = z.infer<typeof DepositItemSchema>;
/** A deposit request: 1–1,000 items, all or nothing. */
export const DepositSchema = z.object({ items: z.array(DepositItemSchema).min(1).max(MAX_DEPOSIT_ITEMS) }).strict();

/**
 * Parses a deposit request before anything is written.
 * @throws EvidenceError `invalid_field` with each failing field's path in `details`.
 */
export function parseDeposit(input: unknown): z.output<typeof DepositSchema> {
  const r = DepositSchema.safeParse(input);
  if (!r.success) throw new EvidenceError('invalid_field', 'the deposit has invalid fields', fieldIssues(r.error));
  return r.data;
}

/**
 * A notary's attestation of a deposited digest (公证): the notarial certificate's number,
 * the time of the notarial act, and the notary's signature over the statement with its
 * cosigner verifier key (src/witness/attestation.ts; the office is the notary's
 * organisation name as registered, the origin the registry's log).
 */
export const AttestSchema = z
  .object({
    digest: hex64,
    notarialNumber: lineField(100),
    attestedAt: instantField,
    notaryKey: z.string().min(1).max(400).regex(/^[\x21-\x7e]+$/, 'a cosigner verifier key <name>+<key ID>+<base64>'),
    signature: z.string().min(1).max(200).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64 of the 64-byte Ed25519 signature'),
  })
  .strict();
export type AttestCommand = z.infer<typeof AttestSchema>;

/**
 * Parses an attestation before anything is checked or written.
 * @throws EvidenceError `invalid_field` with each failing field's path in `details`.
 */
export function parseAttest(input: unknown): AttestCommand {
  const r = AttestSchema.safeParse(input);
  if (!r.success) throw new EvidenceError('invalid_field', 'the attestation has invalid fields', fieldIssues(r.error));
  return r.data;
}
