/**
 * `datadeed` command line. Every argument is validated; a bad one prints a
 * message with a stable code and exits 2. Secrets are never printed.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
// Commands are loaded on use: `datadeed fingerprint` must not pay for the server's
// modules (memory and start-up time).
import { UsageError } from './usage.ts';

export { UsageError };

const USAGE = `usage: datadeed <command> [options]

commands:
  serve [--demo]        serve the registry and its log (PORT, HOST, DATADEED_DATA_DIR, DATABASE_URL …)
  migrate               apply database migrations and exit
  audit [--json]        recompute the whole log and check every checkpoint; exit 1 on the first problem
  keys list|generate|rotate [--key-id ID]
                        list verifier keys; generate a certificate key; rotate the active certificate key (logged)
  deposit <file|dir> --title T [--kind K] [--previous ID] --server URL [--token T] [--out DIR]
                        fingerprint locally and deposit the digest as evidence; saves <id>.receipt.json
  verify <file.pdf|bundle.json> [--key VKEY[,from[,until]]]... [--keys keys.json] [--online URL]
                        verify a certificate PDF, bundle or receipt offline (and live status online)
  orgs add --name N --kind enterprise|bank|insurer|registry [--uscc CODE] | orgs list
  users add --org ID --username U --name N --role R [--password-stdin] | users list | users disable <user>
  tokens create <user> [--name N] [--expires ISO-TIME] | tokens list | tokens revoke <token id>
  fingerprint <file|dir> [--out manifest.json] [--exclude glob]... [--follow-symlinks] [--threads N] [--quiet] [--json]
                        hash a dataset locally and write its manifest (default ./manifest.json); prints the root
  prove-file <manifest.json> <path> [--out proof.json]
                        inclusion proof of one file of a manifest (stdout unless --out)
  verify-file <proof.json> <file> [--root <hex>] [--online <URL> --certificate <number> | --deposit <id>]
                        check a file against a proof and a trusted manifest root
  help                  this text
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean', default: false } }, strict: true });
        return await (await import('./serve.ts')).runServe(loadConfig(), { demo: values.demo ?? false });
      }
      case 'migrate':
        parseArgs({ args: rest, options: {}, strict: true });
        return await (await import('./migrate.ts')).runMigrate(loadConfig());
      case 'audit': {
        const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } }, strict: true });
        return await (await import('./audit.ts')).runAudit(loadConfig(), { json: values.json ?? false });
      }
      case 'keys':
        return await (await import('./keys.ts')).runKeys(loadConfig(), rest);
      case 'orgs':
      case 'users':
      case 'tokens':
        return await (await import('./accounts.ts')).runAccounts(loadConfig(), command, rest);
      case 'fingerprint':
        return await (await import('./fingerprint.ts')).runFingerprint(rest);
      case 'prove-file':
        return await (await import('./fingerprint.ts')).runProveFile(rest);
      case 'verify-file':
        return await (await import('./fingerprint.ts')).runVerifyFile(rest);
      case 'deposit':
        return await (await import('./deposit.ts')).runDeposit(rest);
      case 'verify': return await (await import('./verify.ts')).runVerify(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError('unknown_command', `unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`datadeed: configuration error [bad_config] ${err.message}\n`);
      return 2;
    }
    if (err instanceof Error && ['KeyFileError', 'StartupError', 'DatabaseBusyError'].includes(err.name)) {
      process.stderr.write(`datadeed: cannot start [startup_failed] ${err.message}\n`);
      return 2;
    }
    if (err instanceof Error && ['CertificateError', 'FingerprintError', 'RegistryError', 'LedgerError'].includes(err.name) && typeof (err as { code?: unknown }).code === 'string') {
      process.stderr.write(`datadeed: [${(err as unknown as { code: string }).code}] ${err.message}\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`datadeed: [${err.code}] ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`datadeed: [bad_arguments] ${err.message}\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`datadeed: [internal_error] ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] && /(?:main\.ts|datadeed(?:\.mjs)?)$/.test(process.argv[1]);
if (isEntry || process.env.DATADEED_CLI === '1') {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0 || process.argv[2] !== 'serve') process.exit(code);
    },
    (err) => {
      process.stderr.write(`datadeed: [internal_error] ${String(err)}\n`);
      process.exit(1);
    },
  );
}
