/** What the registry services need from the running system (injected; tests pass their own clock). */
import type { Db } from '../../db/index.ts';
import type { AppendEffect, AppendManyEffect, Appended } from '../../ledger/pg/index.ts';
import type { WorkingCalendar } from '../../calendar.ts';
import type { NumberFormat } from '../numbering.ts';

export interface RegistrySettings {
  /** Public notice period: working days in `calendar` (default 10) or calendar days; 0 ends at the opening. */
  notice: { unit: 'working_days' | 'days'; days: number };
  /** The working-day calendar (default: the PRC's, from chinese-days). */
  calendar: WorkingCalendar;
  /** The registry's time zone: days begin and end there. */
  timeZone: string;
  /** Days within which an objection is to be decided (default 60). */
  objectionDecisionDays: number;
  /** Who may object: anyone, or interested parties stating their interest. */
  objectors: 'anyone' | 'interested';
  /** Days before expiry from which holders are reminded (default 90). */
  reminderDays: number;
  /** Certificate validity in years from the 登记公告 date (default 3). */
  validityYears: number;
  /** How certificates are numbered (fixed at the database's first start). */
  numberFormat: NumberFormat;
  /** The 4-digit registry code of national numbers (default 1200). */
  registryCode: string;
  /** Certificate number prefix of the legacy format (default DIP). */
  numberPrefix: string;
  /** Log origin, recorded in certificate payloads. */
  origin: string;
  /** Base of verification URLs. */
  publicUrl: string;
  /** Whether an application needs an evidence deposit of its manifest root before submission (存证先行). */
  requireEvidence: boolean;
}

export interface RegistryDeps {
  db: Db;
  appendWith<T>(effect: AppendEffect<T>): Promise<Appended<T>>;
  appendManyWith<T>(effect: AppendManyEffect<T>): Promise<Appended<T>>;
  now(): Date;
  settings: RegistrySettings;
  /**
   * With witnesses: waits (bounded, DATADEED_COSIGN_WAIT_MS) until a checkpoint of at
   * least `size` entries meets the witness quorum, so that a certificate's bundle carries
   * the cosigned checkpoint from the start; resolves either way (without it, the
   * registry-signed checkpoint is used).
   */
  awaitCosigned?(size: number): Promise<unknown>;
  /** Issues the signed certificate inside the batch transaction (src/certificates via the server). */
  certificateSigner: CertificateSigner;
}

/** Signs certificate payloads with the active certificate key. */
export interface CertificateSigner {
  /** Key ID (8 hex) of the active certificate key, read in the issuing transaction (null: none). */
  activeKeyId(db: Db): Promise<string | null>;
  /** Sign a payload with the key `keyId`; returns the signature bytes. */
  sign(keyId: string, payload: Uint8Array): Uint8Array;
}
