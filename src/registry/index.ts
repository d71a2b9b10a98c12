/** The registry's public surface: services built from injected dependencies. */
import { Applications } from './applications.ts';
import { Certificates } from './certificates.ts';
import type { RegistryDeps } from './deps.ts';
import { Encumbrances } from './encumbrances.ts';
import { Evidence } from '../evidence/deposits.ts';

export interface Registry {
  deps: RegistryDeps;
  applications: Applications;
  certificates: Certificates;
  encumbrances: Encumbrances;
  evidence: Evidence;
}

export function createRegistry(deps: RegistryDeps): Registry {
  const applications = new Applications(deps);
  return { deps, applications, certificates: new Certificates(deps, applications), encumbrances: new Encumbrances(deps), evidence: new Evidence(deps) };
}

export { RegistryError } from './errors.ts';
export type { RegistryErrorCode } from './errors.ts';
export type { RegistryDeps, RegistrySettings, CertificateSigner } from './deps.ts';
