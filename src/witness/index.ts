/**
 * Public surface of the pure witness core (issue 17; C2SP tlog-witness,
 * tlog-cosignature, tlog-policy): Ed25519 cosignatures, the add-checkpoint request
 * format, the witness's decision function and service, trust policies and their
 * evaluation, and the log's client side. No I/O; Ed25519, the clock, storage and
 * `fetch` are injected, so it runs in browsers too. Adapters: `node/` (key file,
 * node:crypto Ed25519, the HTTP server runner), `pg/` (the embedded database),
 * `http/` (the hono app).
 */
export { WITNESS_ERROR_CODES, WitnessError } from './errors.ts';
export type { WitnessErrorCode } from './errors.ts';
export {
  COSIGNATURE_ED25519,
  checkCosignature,
  cosignCheckpoint,
  cosignatureMessage,
  cosignerKeyId,
  decodeCosignature,
  formatCosignerKey,
  parseCosignerKey,
  verifyCosignature,
} from './cosignature.ts';
export type {
  CosignatureCheck,
  CosignatureCheckOptions,
  CosignatureFailure,
  Cosigner,
  CosignerKey,
  DecodedCosignature,
  Ed25519Sign,
  Ed25519Verify,
} from './cosignature.ts';
export { hexKeyId, isKeyName, parseSignatureLine, splitNote } from './note-lines.ts';
export type { NoteParts, SignatureLine } from './note-lines.ts';
export { MAX_PROOF_LINES, MAX_REQUEST_BYTES, formatAddCheckpointRequest, parseAddCheckpointRequest } from './request.ts';
export type { AddCheckpointRequest } from './request.ts';
export { decide, requestOrigin } from './decide.ts';
export type { CosignedCheckpoint, DecideDeps, Decision, DecisionCode, Evidence, EvidenceKind, TrustedLogs, WitnessState } from './decide.ts';
export { Witness, originHash } from './witness.ts';
export type { StoredEvidence, WitnessOptions, WitnessStore } from './witness.ts';
export { POLICY_LIMITS, evaluatePolicy, formatPolicy, parsePolicy } from './policy.ts';
export type { Policy, PolicyEvaluation, PolicyEvaluationOptions, PolicyFailure, PolicyGroup, PolicyLog, PolicyWitness } from './policy.ts';
export { MAX_RESPONSE_BYTES, mergeCosignatures, parseWitnessResponse, requestCosignature } from './client.ts';
export type { CosignatureRequest, CosignatureResult, MergedNote, WitnessResponse } from './client.ts';
export { ATTESTATION_CONTEXT, MAX_NOTARIAL_NUMBER, MAX_OFFICE_NAME, attestationMessage, attestationOfEntry, checkStatement, signAttestation, verifyAttestation } from './attestation.ts';
export type { AttestationCheck, AttestationStatement, SignedAttestation } from './attestation.ts';
