/**
 * What the HTTP layer is given: services, never the database handle. The composition
 * root (src/compose.ts) builds them once; each route and page module receives the
 * part it uses (`register…(app, services)`).
 */
import type { ProvenStateValue, StateKeyId } from '../state/index.ts';
import type { AccountService } from '../accounts/pg/index.ts';
import type { DocumentSigner } from '../certificates/index.ts';
import type { Clock } from '../clock.ts';
import type { KeySet } from '../keys/index.ts';
import type { LogReader } from '../ledger/index.ts';
import type { Registry, Subscriptions } from '../registry/pg/index.ts';

/** The registry's services (applications, certificates, encumbrances, evidence), without their wiring. */
export type RegistryServices = Omit<Registry, 'deps'>;

/** Settings the routes and pages show or build URLs from. */
export interface ApiSettings {
  /** The log origin (checkpoint origin, key name). */
  origin: string;
  /** The public base URL (verification links; https ⇒ secure cookies). */
  publicUrl: string;
  /** Requests per minute per client on limited routes, or 'off' (DATADEED_RATE_LIMIT). */
  rateLimit: number | 'off';
  /** Whether X-Forwarded-For names the client (DATADEED_TRUST_PROXY). */
  trustProxy: boolean;
  /** The registry's time zone: pages show dates and times in it (DATADEED_TIMEZONE). */
  timeZone: string;
  /** The issuing authority's names and seal text (DATADEED_AUTHORITY_NAME, …_EN, DATADEED_SEAL_TEXT). */
  authority: { zh: string; en: string; seal: string };
  /** Bytes of immutable tiles and entry bundles kept in memory (DATADEED_TILE_CACHE_MB; 0: none). Default 64 MiB. */
  tileCacheBytes?: number;
  /**
   * How long an answer that leads to the newest checkpoint (a certificate status) may be
   * served from memory while the tree has not grown (DATADEED_CHECKPOINT_CACHE_MS; default 250).
   */
  answerCacheMs?: number;
  /**
   * With witnesses (DATADEED_WITNESS_POLICY): the registry's trust policy as C2SP
   * tlog-policy text — its own log key, the witnesses (notary offices) and the quorum —
   * served at `/v1/trust-policy` and used to name the witnesses that cosigned.
   */
  trustPolicy?: string;
}

/** What `/readyz` reports: each check, and whether this instance should take traffic. */
export interface Readiness {
  ready: boolean;
  checks: {
    /** The database answered. */
    database: boolean;
    /** Every migration this program knows is applied. */
    migrations: boolean;
    /** The newest published checkpoint covers the tree, or is younger than the bound. */
    checkpoint: boolean;
  };
  /** Seconds since the newest published checkpoint (undefined for a log never written or an unreachable database). */
  checkpointAgeSeconds?: number;
}

/** Records of the replayed state with their state-map proofs (src/state/pg/committer.ts). */
export interface StateProofs {
  prove(ids: readonly StateKeyId[]): Promise<ProvenStateValue[]>;
}

export interface ApiServices {
  registry: RegistryServices;
  accounts: AccountService;
  /** The evidence log, read only. */
  log: LogReader;
  /** Published keys and the log's own key. */
  keys: KeySet;
  clock: Clock;
  settings: ApiSettings;
  /** Signs the PDFs the routes render (certificates, evidence receipts) with the registry's document key (PAdES). */
  documentSigner: DocumentSigner;
  /** Webhook subscriptions of organisations (delivery runs after commit, from the log). */
  subscriptions: Subscriptions;
  /** The readiness checks of this instance. */
  /** The registry's state, proven against its newest `state.committed` (issue 16). */
  state: StateProofs;
  ready(): Promise<Readiness>;
}
