/**
 * Public surface of the registry core (pure: no database, HTTP or Node code): its
 * error, the state machines, and its rules for what comes from outside — the
 * application form, the command schemas, its own field rules and cursors (the generic
 * field rules are src/fields.ts). Services over the database: ./pg/index.ts.
 */
export { REGISTRY_ERROR_CODES, RegistryError } from './errors.ts';
export type { RegistryErrorCode } from './errors.ts';
export { CompleteSchema, DraftSchema, mergeDraft, NewApplicationSchema, publicFields, UPDATE_FREQUENCIES } from './form.ts';
export type { CompleteForm, Draft } from './form.ts';
export { certificateNumber, DATA_DATES, moneyField, TERM_DATES, termField } from './fields.ts';
export type { Money, Term } from './fields.ts';
export {
  CommentSchema,
  COVERAGE_TYPES,
  LicenceSchema,
  OBJECTION_LIMITS,
  ObjectionSchema,
  parseCommand,
  PledgeSchema,
  SearchSchema,
  PledgeConsentSchema,
  CONSENT_ACTIONS,
  zhongdengNumber,
  PolicySchema,
  ReasonSchema,
  TransferSchema,
} from './commands.ts';
export type { ConsentAction, SearchQuery } from './commands.ts';
export type { LicenceCommand, ObjectionCommand, PledgeCommand, PolicyCommand } from './commands.ts';
export { decodeCursor, encodeCursor, toPage } from './pagination.ts';
export type { Page, PageKey } from './pagination.ts';
export {
  APPLICATION_KINDS,
  APPLICATION_RULES,
  APPLICATION_STATES,
  CERTIFICATE_RULES,
  CERTIFICATE_STATUSES,
  effectiveCertificateStatus,
  nextApplicationState,
  nextCertificateStatus,
  noticeElapsed,
  renewalOpen,
  stateAfterDismissal,
} from './lifecycle.ts';
export type { ApplicationAction, ApplicationKind, ApplicationState, CertificateAction, CertificateStatus } from './lifecycle.ts';
export { amountCommitment, formDigest, textHash } from './hashes.ts';
export {
  DATA_SOURCE_CODES,
  DATA_SOURCE_TYPES,
  legacyCertificateNumber,
  mod3736CheckCharacter,
  mod3736Valid,
  NATIONAL_CERTIFICATE_NUMBER,
  nationalCertificateNumber,
  NUMBER_FORMATS,
  parseNationalCertificateNumber,
  REGISTRANT_TYPE_CODES,
  REGISTRATION_NUMBER,
  REGISTRY_CODE,
  registrationNumber,
  validRegistrationNumber,
} from './numbering.ts';
export type { DataSourceType, NumberFormat, RegistrantType } from './numbering.ts';
export { buildDisclosurePack, DISCLOSURE_BASIS, DISCLOSURE_FORMAT, verifyDisclosurePack } from './disclosure.ts';
export type { DisclosureFact, DisclosureInput, DisclosurePack, FactCheck } from './disclosure.ts';
export { directContext, retryDelay, SUBSCRIPTION_TOPICS, SubscriptionSchema, subscriptionWants, webhookSignature } from './subscriptions.ts';
export type { EntryContext, SubscriptionCommand, SubscriptionTopic } from './subscriptions.ts';
