/**
 * Configuration from the environment, validated field by field at start-up.
 * A bad value stops start-up with a ConfigError naming the variable.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataDeedError } from './errors.ts';
import { parsePolicy, WitnessError, type Policy } from './witness/index.ts';
import { DEFAULT_TIME_ZONE } from './time.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  origin: string;
  publicUrl: string;
  keyFile: string;
  batchMax: number;
  batchWaitMs: number;
  /** Most appends waiting for a batch before new ones get 503 (DATADEED_MAX_QUEUE). */
  maxQueue: number;
  /** DATADEED_CHECKPOINT_INTERVAL_MS: publish a signed checkpoint this often when the log grew (default 1000). */
  checkpointIntervalMs: number;
  /** DATADEED_STATE_COMMIT_INTERVAL_MS: least time between two `state.committed` entries (default 1000; docs/log-format.md §6.10). */
  stateCommitIntervalMs: number;
  /** DATADEED_CHECKPOINT_FILE: the newest checkpoint the log key signed (rollback guard), beside the key by default. */
  checkpointFile: string;
  /** PostgreSQL bounds on the sequencer's and publisher's transactions (DATADEED_LOG_*_TIMEOUT_MS). */
  logLockTimeoutMs: number;
  logStatementTimeoutMs: number;
  logIdleTimeoutMs: number;
  /** DATADEED_MAX_CLOCK_SKEW_MS: how far a clock may read behind the log's newest time (default 5000). */
  maxClockSkewMs: number;
  /** DATADEED_WITNESS_POLICY: the C2SP tlog-policy file naming the witnesses to ask for cosignatures (none: no witnesses). */
  witnessPolicy: { file: string; policy: Policy } | undefined;
  /** DATADEED_WITNESS_TIMEOUT_MS: the deadline of one request to a witness or the TSA — connect, send, answer read in full (default 10 000). */
  witnessTimeoutMs: number;
  /** DATADEED_TSA_URL: an RFC 3161 time-stamp authority; each published checkpoint is time-stamped (at most one per checkpoint interval). */
  tsaUrl: string | undefined;
  /** DATADEED_CHECKPOINT_CACHE_MS: how long an instance serves the checkpoint it last read before reading again (default 250; its own publications are seen at once). */
  checkpointCacheMs: number;
  /** DATADEED_TILE_CACHE_MB: memory for immutable tiles and entry bundles served from memory (default 64; 0 turns the cache off). */
  tileCacheBytes: number;
  /** DATADEED_COSIGN_WAIT_MS: how long certificate issuance waits for a checkpoint meeting the quorum (default 5000). */
  cosignWaitMs: number;
  /**
   * The public notice (公示) period: DATADEED_NOTICE_WORKING_DAYS working days (default 10,
   * PRC holidays and 调休 from chinese-days), or DATADEED_NOTICE_DAYS calendar days when that is set.
   */
  notice: { unit: 'working_days' | 'days'; days: number };
  /** DATADEED_OBJECTION_DECISION_DAYS: the registry decides an objection within this many days of its filing (default 60, Shanghai). */
  objectionDecisionDays: number;
  /** DATADEED_OBJECTORS: `anyone` may object (Zhejiang, Jiangsu, Beijing; default) or only `interested` parties stating their interest (Shenzhen, Hunan). */
  objectors: 'anyone' | 'interested';
  /** DATADEED_VALIDITY_YEARS: certificate validity from the 登记公告 date (default 3). */
  validityYears: number;
  /** DATADEED_REMINDER_DAYS: holders are reminded this many days before a certificate expires (default 90, the renewal window). */
  reminderDays: number;
  /** DATADEED_WEBHOOK_RETRY_MS: first retry delay of a failed webhook, doubling up to an hour (default 2000). */
  webhookRetryMs: number;
  /** DATADEED_WEBHOOK_MAX_ATTEMPTS: attempts before a delivery is marked failed (default 10). */
  webhookMaxAttempts: number;
  /** DATADEED_REGISTRY_CODE: the 4-digit registry code in national certificate numbers (default 1200, Tianjin's GB/T 2260 code). */
  registryCode: string;
  /** DATADEED_NUMBER_FORMAT: how a NEW database numbers certificates (`national`, default, or `legacy` DIP-…); an existing database keeps its format. */
  numberFormat: 'national' | 'legacy';
  /** Certificate number prefix of the legacy format, e.g. DIP → DIP-2026-000123. */
  numberPrefix: string;
  /** DATADEED_REQUIRE_EVIDENCE: an application needs a deposit of its manifest root (default on). */
  requireEvidence: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** DATADEED_RATE_LIMIT: requests per minute per client address on writes and expensive reads; `off` disables limits and sign-in back-off (default 60). */
  rateLimit: number | 'off';
  /** DATADEED_TRUST_PROXY=1: the client address is the last X-Forwarded-For address, the one the (single, trusted) proxy appended; off: the socket's. */
  trustProxy: boolean;
  /** DATADEED_TIMEZONE: the registry's time zone, in which pages show dates and times (default Asia/Shanghai). */
  timeZone: string;
  /** The issuing authority as pages (and documents) name it: DATADEED_AUTHORITY_NAME, DATADEED_AUTHORITY_NAME_EN, DATADEED_SEAL_TEXT. */
  authority: { zh: string; en: string; seal: string };
}

/** Configuration failure codes (API, never renamed): `bad_config` — an environment variable has a bad value. */
export const CONFIG_ERROR_CODES = ['bad_config'] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

/** A bad configuration value; `variable` names the environment variable. */
export class ConfigError extends DataDeedError<ConfigErrorCode> {
  readonly variable: string;
  /**
   * @param variable - the environment variable at fault.
   * @param message - what is wrong with it (the message starts with the variable's name).
   */
  constructor(variable: string, message: string) {
    super('bad_config', `${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export const DEFAULT_ORIGIN = 'datadeed.localhost/log';

/** The issuing authority unless configured (a registry names its own, e.g. 天津市知识产权局): never the product's name. */
export const DEFAULT_AUTHORITY = { zh: '数据知识产权登记机构', en: 'Data Intellectual Property Registration Authority' } as const;

/** A name shown on pages and documents: 1–100 characters, no control characters, no surrounding spaces. */
function authorityText(env: NodeJS.ProcessEnv, name: string, dflt: string): string {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  // eslint-disable-next-line no-control-regex
  if (v !== v.trim() || /[\u0000-\u001f\u007f-\u009f]/.test(v) || [...v].length > 100 || v !== v.normalize('NFC'))
    throw new ConfigError(name, 'must be 1–100 characters in Unicode NFC, without control characters or surrounding spaces');
  return v;
}

/** A C2SP signed-note key name: non-empty printable ASCII without '+' or spaces. */
const KEY_NAME = /^[\x21-\x2a\x2c-\x7e]{1,255}$/;

function intVar(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${raw}`);
  return n;
}

/** Read and validate the configuration. Throws ConfigError on the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = intVar(env, 'PORT', 8080, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(host)) throw new ConfigError('HOST', `not a host name or address: ${JSON.stringify(host)}`);

  const dataDirRaw = env.DATADEED_DATA_DIR || './data';
  if (dataDirRaw.includes('\0')) throw new ConfigError('DATADEED_DATA_DIR', 'contains a NUL byte');
  const dataDir = path.resolve(dataDirRaw);

  let databaseUrl: string | undefined;
  if (env.DATABASE_URL) {
    let u: URL;
    try {
      u = new URL(env.DATABASE_URL);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a URL (expected postgres://user@host:port/database)');
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
      throw new ConfigError('DATABASE_URL', `must start with postgres:// or postgresql://, got ${u.protocol}//`);
    databaseUrl = env.DATABASE_URL;
  }

  const origin = env.DATADEED_ORIGIN || DEFAULT_ORIGIN;
  if (!KEY_NAME.test(origin))
    throw new ConfigError('DATADEED_ORIGIN', 'must be 1–255 printable ASCII characters without spaces or "+" (it is the checkpoint origin and key name), e.g. registry.example.com/log');

  const publicUrlRaw = env.DATADEED_PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let publicUrl: string;
  try {
    const u = new URL(publicUrlRaw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    publicUrl = u.toString().replace(/\/+$/, '');
  } catch {
    throw new ConfigError('DATADEED_PUBLIC_URL', `must be an http(s) URL, got ${JSON.stringify(publicUrlRaw)}`);
  }

  const keyFileRaw = env.DATADEED_KEY_FILE || path.join(dataDir, 'keys', 'log.key');
  if (keyFileRaw.includes('\0')) throw new ConfigError('DATADEED_KEY_FILE', 'contains a NUL byte');
  const keyFile = path.resolve(keyFileRaw);

  const batchMax = intVar(env, 'DATADEED_BATCH_MAX', 1024, 1, 65536);
  const batchWaitMs = intVar(env, 'DATADEED_BATCH_WAIT_MS', 0, 0, 10000);
  const maxQueue = intVar(env, 'DATADEED_MAX_QUEUE', 100_000, 1, 10_000_000);

  const checkpointIntervalMs = intVar(env, 'DATADEED_CHECKPOINT_INTERVAL_MS', 1000, 10, 3_600_000);
  const checkpointCacheMs = intVar(env, 'DATADEED_CHECKPOINT_CACHE_MS', 250, 0, 60_000);
  const tileCacheBytes = intVar(env, 'DATADEED_TILE_CACHE_MB', 64, 0, 65_536) * 1024 * 1024;
  const stateCommitIntervalMs = intVar(env, 'DATADEED_STATE_COMMIT_INTERVAL_MS', 1000, 0, 3_600_000);
  const checkpointFileRaw = env.DATADEED_CHECKPOINT_FILE || path.join(path.dirname(keyFile), 'log.checkpoint');
  if (checkpointFileRaw.includes('\0')) throw new ConfigError('DATADEED_CHECKPOINT_FILE', 'contains a NUL byte');
  const checkpointFile = path.resolve(checkpointFileRaw);
  // A waiter must outlast a hung holder: the holder's session ends after the idle timeout,
  // and a lock wait is also bounded by the statement timeout.
  const logIdleTimeoutMs = intVar(env, 'DATADEED_LOG_IDLE_TIMEOUT_MS', 3000, 100, 600_000);
  const logLockTimeoutMs = intVar(env, 'DATADEED_LOG_LOCK_TIMEOUT_MS', 5000, 100, 600_000);
  const logStatementTimeoutMs = intVar(env, 'DATADEED_LOG_STATEMENT_TIMEOUT_MS', 10_000, 100, 600_000);
  if (logStatementTimeoutMs < logLockTimeoutMs)
    throw new ConfigError('DATADEED_LOG_STATEMENT_TIMEOUT_MS', `must not be below DATADEED_LOG_LOCK_TIMEOUT_MS (${logLockTimeoutMs}): a lock wait counts as a running statement`);
  const maxClockSkewMs = intVar(env, 'DATADEED_MAX_CLOCK_SKEW_MS', 5000, 0, 100 * 365 * 86_400_000);

  let witnessPolicy: Config['witnessPolicy'];
  if (env.DATADEED_WITNESS_POLICY) {
    const file = path.resolve(env.DATADEED_WITNESS_POLICY);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError('DATADEED_WITNESS_POLICY', `cannot read ${file}: ${(err as Error).message}`);
    }
    try {
      witnessPolicy = { file, policy: parsePolicy(text) };
    } catch (err) {
      if (err instanceof WitnessError) throw new ConfigError('DATADEED_WITNESS_POLICY', `${file}: ${err.message}`);
      throw err;
    }
  }
  let tsaUrl: string | undefined;
  if (env.DATADEED_TSA_URL) {
    try {
      const u = new URL(env.DATADEED_TSA_URL);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
      tsaUrl = u.toString();
    } catch {
      throw new ConfigError('DATADEED_TSA_URL', `must be an http(s) URL, got ${JSON.stringify(env.DATADEED_TSA_URL)}`);
    }
  }
  const cosignWaitMs = intVar(env, 'DATADEED_COSIGN_WAIT_MS', 5000, 0, 600_000);
  const witnessTimeoutMs = intVar(env, 'DATADEED_WITNESS_TIMEOUT_MS', 10_000, 100, 600_000);

  if (env.DATADEED_NOTICE_DAYS && env.DATADEED_NOTICE_WORKING_DAYS)
    throw new ConfigError('DATADEED_NOTICE_DAYS', 'set either DATADEED_NOTICE_DAYS (calendar days) or DATADEED_NOTICE_WORKING_DAYS (working days), not both');
  const notice = env.DATADEED_NOTICE_DAYS
    ? { unit: 'days' as const, days: intVar(env, 'DATADEED_NOTICE_DAYS', 10, 1, 365) }
    : { unit: 'working_days' as const, days: intVar(env, 'DATADEED_NOTICE_WORKING_DAYS', 10, 1, 250) };
  const objectionDecisionDays = intVar(env, 'DATADEED_OBJECTION_DECISION_DAYS', 60, 1, 365);
  const objectors = (env.DATADEED_OBJECTORS || 'anyone') as Config['objectors'];
  if (objectors !== 'anyone' && objectors !== 'interested') throw new ConfigError('DATADEED_OBJECTORS', 'must be anyone or interested');
  const validityYears = intVar(env, 'DATADEED_VALIDITY_YEARS', 3, 1, 50);
  const reminderDays = intVar(env, 'DATADEED_REMINDER_DAYS', 90, 1, 366);
  const webhookRetryMs = intVar(env, 'DATADEED_WEBHOOK_RETRY_MS', 2000, 10, 3_600_000);
  const webhookMaxAttempts = intVar(env, 'DATADEED_WEBHOOK_MAX_ATTEMPTS', 10, 1, 100);
  const registryCode = env.DATADEED_REGISTRY_CODE || '1200';
  if (!/^[0-9]{4}$/.test(registryCode)) throw new ConfigError('DATADEED_REGISTRY_CODE', 'must be 4 digits (the GB/T 2260 province code, e.g. 1200 Tianjin, 4400 Guangdong)');
  const numberFormat = (env.DATADEED_NUMBER_FORMAT || 'national') as Config['numberFormat'];
  if (numberFormat !== 'national' && numberFormat !== 'legacy') throw new ConfigError('DATADEED_NUMBER_FORMAT', 'must be national or legacy');
  const numberPrefix = env.DATADEED_NUMBER_PREFIX || 'DIP';
  if (!/^[A-Z][A-Z0-9]{0,15}$/.test(numberPrefix)) throw new ConfigError('DATADEED_NUMBER_PREFIX', 'must be 1–16 capital letters or digits, starting with a letter');

  const reqRaw = (env.DATADEED_REQUIRE_EVIDENCE ?? '1').toLowerCase();
  if (!['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'].includes(reqRaw)) throw new ConfigError('DATADEED_REQUIRE_EVIDENCE', 'must be on or off (1/0, true/false)');
  const requireEvidence = ['1', 'true', 'on', 'yes'].includes(reqRaw);

  const rateRaw = (env.DATADEED_RATE_LIMIT ?? '').toLowerCase();
  const rateLimit = rateRaw === 'off' ? ('off' as const) : intVar(env, 'DATADEED_RATE_LIMIT', 60, 1, 1_000_000);
  const proxyRaw = (env.DATADEED_TRUST_PROXY ?? '0').toLowerCase();
  if (!['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'].includes(proxyRaw)) throw new ConfigError('DATADEED_TRUST_PROXY', 'must be on or off (1/0, true/false)');
  const trustProxy = ['1', 'true', 'on', 'yes'].includes(proxyRaw);

  const timeZone = env.DATADEED_TIMEZONE || DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new ConfigError('DATADEED_TIMEZONE', `not an IANA time zone name: ${JSON.stringify(timeZone)} (e.g. Asia/Shanghai)`);
  }
  const authority = {
    zh: authorityText(env, 'DATADEED_AUTHORITY_NAME', DEFAULT_AUTHORITY.zh),
    en: authorityText(env, 'DATADEED_AUTHORITY_NAME_EN', DEFAULT_AUTHORITY.en),
    seal: '',
  };
  authority.seal = authorityText(env, 'DATADEED_SEAL_TEXT', `${authority.zh}登记专用章`);

  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!levels.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${levels.join(', ')}`);

  return {
    port,
    host,
    dataDir,
    databaseUrl,
    origin,
    publicUrl,
    keyFile,
    batchMax,
    batchWaitMs,
    maxQueue,
    checkpointIntervalMs,
    stateCommitIntervalMs,
    checkpointFile,
    checkpointCacheMs,
    tileCacheBytes,
    logLockTimeoutMs,
    logStatementTimeoutMs,
    logIdleTimeoutMs,
    maxClockSkewMs,
    witnessPolicy,
    tsaUrl,
    cosignWaitMs,
    witnessTimeoutMs,
    notice,
    objectionDecisionDays,
    objectors,
    validityYears,
    reminderDays,
    registryCode,
    numberFormat,
    webhookRetryMs,
    webhookMaxAttempts,
    numberPrefix,
    requireEvidence,
    logLevel,
    rateLimit,
    trustProxy,
    timeZone,
    authority,
  };
}

/** Where the embedded PGlite database lives inside the data directory. */
export function embeddedDataDir(config: Config): string {
  return path.join(config.dataDir, 'pglite');
}
