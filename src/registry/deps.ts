/** What the registry services need from the running system (injected; tests pass their own clock). */
import type { Db } from '../db/database.ts';
import type { AppendEffect, AppendManyEffect, Appended } from '../ledger/sequencer.ts';

export interface RegistrySettings {
  /** Public notice period in days (default 10). */
  noticeDays: number;
  /** Certificate validity in years (default 3). */
  validityYears: number;
  /** Certificate number prefix (default DIP). */
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
