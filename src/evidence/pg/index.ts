/** Public surface of src/evidence/pg. */
export { EVIDENCE_KINDS, Evidence, MAX_ITEMS } from './deposits.ts';
export type { EvidenceDeps } from './deposits.ts';
export { NotaryAttestations, attestationView } from './attestations.ts';
export type { AttestationDeps, AttestationView } from './attestations.ts';
