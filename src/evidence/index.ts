/**
 * Public surface of the evidence core (数据存证): its errors and the deposit command. Deposits are stored and
 * logged by `./pg/`, receipts rendered by `./pdf/`. Evidence sits beneath the registry:
 * it imports nothing from `src/registry`.
 */
export { EVIDENCE_ERROR_CODES, EvidenceError } from './errors.ts';
export type { EvidenceErrorCode } from './errors.ts';
export { AttestSchema, DEPOSIT_ID, DepositItemSchema, DepositSchema, depositId, EVIDENCE_KINDS, MAX_DEPOSIT_ITEMS, parseAttest, parseDeposit } from './commands.ts';
export type { AttestCommand, DepositItem, EvidenceKind } from './commands.ts';
