/** The registry's public surface: services built from injected dependencies. */
import { Applications } from './applications.ts';
import { Certificates } from './certificates.ts';
import type { RegistryDeps } from './deps.ts';
import { Encumbrances } from './encumbrances.ts';
import { Evidence, NotaryAttestations } from '../../evidence/pg/index.ts';
import { Reads } from './reads.ts';

export interface Registry {
  deps: RegistryDeps;
  applications: Applications;
  certificates: Certificates;
  encumbrances: Encumbrances;
  evidence: Evidence;
  /** Notarial attestations of deposits (公证). */
  attestations: NotaryAttestations;
  /** Reads for the pages (histories, an organisation's deposits, an insurer's policies). */
  reads: Reads;
}

export function createRegistry(deps: RegistryDeps): Registry {
  const applications = new Applications(deps);
  return { deps, applications, certificates: new Certificates(deps, applications), encumbrances: new Encumbrances(deps), evidence: new Evidence(deps), attestations: new NotaryAttestations(deps), reads: new Reads(deps, applications) };
}

export { RegistryError } from '../errors.ts';
export type { RegistryErrorCode } from '../errors.ts';
export type { RegistryDeps, RegistrySettings, CertificateSigner } from './deps.ts';
export { Subscriptions, WebhookDispatcher } from './webhooks.ts';
export type { WebhookLog, WebhookOptions } from './webhooks.ts';
