/**
 * Configuration from the environment, validated field by field at start-up.
 * A bad value stops start-up with a ConfigError naming the variable.
 */
import path from 'node:path';

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
  /** Public notice period in days. */
  noticeDays: number;
  /** Certificate number prefix, e.g. DIP → DIP-2026-000123. */
  numberPrefix: string;
  /** DATADEED_REQUIRE_EVIDENCE: an application needs a deposit of its manifest root (default on). */
  requireEvidence: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export const DEFAULT_ORIGIN = 'datadeed.localhost/log';

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

  const noticeDays = intVar(env, 'DATADEED_NOTICE_DAYS', 10, 1, 365);
  const numberPrefix = env.DATADEED_NUMBER_PREFIX || 'DIP';
  if (!/^[A-Z][A-Z0-9]{0,15}$/.test(numberPrefix)) throw new ConfigError('DATADEED_NUMBER_PREFIX', 'must be 1–16 capital letters or digits, starting with a letter');

  const reqRaw = (env.DATADEED_REQUIRE_EVIDENCE ?? '1').toLowerCase();
  if (!['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'].includes(reqRaw)) throw new ConfigError('DATADEED_REQUIRE_EVIDENCE', 'must be on or off (1/0, true/false)');
  const requireEvidence = ['1', 'true', 'on', 'yes'].includes(reqRaw);

  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!levels.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${levels.join(', ')}`);

  return { port, host, dataDir, databaseUrl, origin, publicUrl, keyFile, batchMax, batchWaitMs, noticeDays, numberPrefix, requireEvidence, logLevel };
}

/** Where the embedded PGlite database lives inside the data directory. */
export function embeddedDataDir(config: Config): string {
  return path.join(config.dataDir, 'pglite');
}
