/**
 * The catalogue of every stable error code, of every domain: the key type of the two
 * tables that map codes to the outside world — HTTP status (`src/api/problem.ts`) and
 * CLI exit code (`src/cli/exit-codes.ts`). Both are `Record<ErrorCode, …>`, so adding a
 * code to any domain's `as const` array without giving it a status and an exit code
 * fails to compile. A code string shared by two domains is one key: it means one thing.
 *
 * Types only: importing this file loads no domain at run time.
 */
import type { AccountErrorCode } from './accounts/index.ts';
import type { ApiErrorCode } from './api/errors.ts';
import type { CertificateErrorCode } from './certificates/index.ts';
import type { CommandErrorCode } from './cli/errors.ts';
import type { UsageErrorCode } from './cli/usage.ts';
import type { ConfigErrorCode } from './config.ts';
import type { StartupErrorCode } from './compose.ts';
import type { DatabaseErrorCode } from './db/index.ts';
import type { EvidenceErrorCode } from './evidence/index.ts';
import type { BrowserFingerprintErrorCode, FingerprintErrorCode } from './fingerprint/index.ts';
import type { DatasetIoErrorCode } from './fingerprint/node/index.ts';
import type { KeyErrorCode } from './keys/index.ts';
import type { KeyFileErrorCode } from './keys/node/index.ts';
import type { LedgerErrorCode } from './ledger/index.ts';
import type { SequencerErrorCode } from './ledger/pg/index.ts';
import type { RegistryErrorCode } from './registry/index.ts';
import type { MapErrorCode } from './state/map/index.ts';
import type { StateErrorCode } from './state/index.ts';
import type { WitnessErrorCode } from './witness/index.ts';
import type { WitnessKeyErrorCode } from './witness/node/index.ts';
import type { WitnessStoreErrorCode } from './witness/pg/index.ts';

/** Every code any DataDeed error can carry. */
export type ErrorCode =
  | LedgerErrorCode
  | SequencerErrorCode
  | KeyFileErrorCode
  | KeyErrorCode
  | CertificateErrorCode
  | FingerprintErrorCode
  | BrowserFingerprintErrorCode
  | DatasetIoErrorCode
  | RegistryErrorCode
  | EvidenceErrorCode
  | AccountErrorCode
  | ConfigErrorCode
  | StartupErrorCode
  | DatabaseErrorCode
  | UsageErrorCode
  | CommandErrorCode
  | ApiErrorCode
  | MapErrorCode
  | StateErrorCode
  | WitnessErrorCode
  | WitnessKeyErrorCode
  | WitnessStoreErrorCode;

/** The code of an error that is not a DataDeed error (a bug): served and printed without detail. */
export const INTERNAL_ERROR = 'internal_error';
