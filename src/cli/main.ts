/**
 * `datadeed` command line. Every argument is validated; a bad one prints a
 * message with a stable code and exits 2. Every failure prints `datadeed: [code] message`
 * and exits with the status of its code (`./exit-codes.ts`). Secrets are never printed.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
// Commands are loaded on use, and so is the configuration (it pulls in the witness
// policy parser and the ledger): `datadeed help` and `datadeed fingerprint` must not pay
// for modules they do not run (start-up time: bench/startup.ts).
import { UsageError } from './usage.ts';
import { reportFailure } from './exit-codes.ts';

/** Errors that stop the server before it serves (named, not imported: their modules are heavy). */
const STARTUP_ERRORS = new Set(['StartupError', 'KeyFileError', 'DatabaseBusyError']);

/** The configuration from the environment (`../config.ts`, loaded on use). */
async function loadConfig(): Promise<Config> {
  return (await import('../config.ts')).loadConfig();
}

export { UsageError };

const USAGE = `usage: datadeed <command> [options]

commands:
  serve [--demo]        serve the registry and its log (PORT, HOST, DATADEED_DATA_DIR, DATABASE_URL …)
  migrate               apply database migrations and exit
  audit [--json] [--trusted-checkpoint FILE] [--full]
                        recompute the whole log and check every checkpoint; exit 1 on the first problem
                        (with FILE, a checkpoint saved earlier: fail if the log does not extend it)
  keys list | keys generate [--purpose certificate|log|document] | keys rotate [--purpose certificate|document] [--key-id ID]
                        list published keys; generate a certificate key, a document-signing key (certified by the
                        registry CA), or the log key (before a log's first start); rotate the active certificate or
                        document key (logged). Keys are never replaced at start.
  deposit <file|dir> --title T [--kind K] [--previous ID] --server URL [--token T] [--out DIR]
                        fingerprint locally and deposit the digest as evidence; saves <id>.receipt.json
  verify <file.pdf|bundle.json> [--key VKEY[,from[,until]]]... [--keys keys.json] [--policy FILE] [--tsa-roots PEM] [--online URL]
                        verify a certificate PDF, bundle or receipt offline (and live status online); with a
                        C2SP tlog-policy, its quorum of witness cosignatures; with TSA roots, the RFC 3161 time;
                        a PDF's signature must cover the whole file and be the registry's document key the log holds
  monitor <registry URL> --data-dir D [--port P] [--key VKEY]... [--interval MS] [--once]
                        follow a registry through its tiles into its own database, check every checkpoint's
                        consistency and every state.committed root, serve the status and lookup endpoints with
                        the same state proofs; a wrong root or a fork: ALERT, evidence in D/evidence/, exit 1
  export-proof <entry index> [--out FILE]
                        write an entry's inclusion proof as a C2SP tlog-proof file (default entry-<index>.tlog-proof)
  orgs add --name N --kind enterprise|bank|insurer|registry [--uscc CODE] | orgs list
  admin create [--org-name N] [--username U] [--name N] [--password-stdin]
                        first run: the registry's organisation and its first administrator (a password is
                        generated and printed once unless given on standard input)
  users add --org ID --username U --name N --role R --password-stdin|--generate-password|--token-only
                        | users list | users disable <user>
  tokens create <user> [--name N] [--expires ISO-TIME] | tokens list | tokens revoke <token id>
  fingerprint <file|dir> [--out manifest.json] [--exclude glob]... [--follow-symlinks] [--threads N] [--quiet] [--json]
                        hash a dataset locally and write its manifest (default ./manifest.json); prints the root
  prove-file <manifest.json> <path> [--out proof.json]
                        inclusion proof of one file of a manifest (stdout unless --out)
  verify-file <proof.json> <file> [--root <hex>] [--online <URL> --certificate <number> | --deposit <id>]
                        check a file against a proof and a trusted manifest root
  witness init --data-dir D --name N | witness add-log --data-dir D --vkey VKEY [--origin O]
  witness serve --data-dir D [--port P] [--host H]
  witness attest --data-dir D --origin O --office NAME --digest HEX --number N [--time T]
                        a notary's witness (C2SP tlog-witness): its own key and database; cosigns trusted logs' checkpoints;
                        attest signs a notarial attestation of a deposited digest (the body of POST /v1/attestations)
  help                  this text
`;

/** The usage lines of one command (its line and its indented continuation lines). */
function commandUsage(command: string): string | undefined {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${command} `) || l === `  ${command}`);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && /^ {6,}/.test(lines[end]!)) end++;
  return `usage: datadeed\n${lines.slice(start, end).join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `datadeed <command> --help`: that command's usage, for every command.
  if (command !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    const usage = commandUsage(command);
    if (usage) {
      process.stdout.write(usage);
      return 0;
    }
  }
  try {
    switch (command) {
      case 'serve': {
        const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean', default: false } }, strict: true });
        return await (await import('./serve.ts')).runServe(await loadConfig(), { demo: values.demo ?? false });
      }
      case 'migrate':
        parseArgs({ args: rest, options: {}, strict: true });
        return await (await import('./migrate.ts')).runMigrate(await loadConfig());
      case 'audit': {
        const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false }, 'trusted-checkpoint': { type: 'string' }, full: { type: 'boolean', default: false } }, strict: true });
        return await (await import('./audit.ts')).runAudit(await loadConfig(), { json: values.json ?? false, trustedCheckpoint: values['trusted-checkpoint'], full: values.full ?? false });
      }
      case 'export-proof': {
        const { values, positionals } = parseArgs({ args: rest, options: { out: { type: 'string' } }, allowPositionals: true, strict: true });
        if (positionals.length !== 1) throw new UsageError('bad_arguments', 'give exactly one entry index');
        return await (await import('./export-proof.ts')).runExportProof(await loadConfig(), { index: positionals[0]!, ...(values.out !== undefined ? { out: values.out } : {}) });
      }
      case 'keys':
        return await (await import('./keys.ts')).runKeys(await loadConfig(), rest);
      case 'orgs':
      case 'users':
      case 'tokens':
      case 'admin':
        return await (await import('./accounts.ts')).runAccounts(await loadConfig(), command, rest);
      case 'fingerprint':
        return await (await import('./fingerprint.ts')).runFingerprint(rest);
      case 'prove-file':
        return await (await import('./fingerprint.ts')).runProveFile(rest);
      case 'verify-file':
        return await (await import('./fingerprint.ts')).runVerifyFile(rest);
      case 'deposit':
        return await (await import('./deposit.ts')).runDeposit(rest);
      case 'verify': return await (await import('./verify.ts')).runVerify(rest);
      case 'monitor':
        return await (await import('./monitor.ts')).runMonitor(rest);
      case 'witness':
        return await (await import('./witness.ts')).runWitness(rest);
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
    // one mapping of codes to exit statuses (./exit-codes.ts; README "Exit status")
    if (err instanceof Error && err.name === 'ConfigError') return reportFailure(err, { prefix: 'datadeed: configuration error' });
    if (err instanceof Error && STARTUP_ERRORS.has(err.name)) return reportFailure(err, { prefix: 'datadeed: cannot start' });
    return reportFailure(err, { usage: USAGE });
  }
}

// Started as src/cli/main.ts (tsx), dist/datadeed.js (the build) or bin/datadeed.mjs.
const isEntry = process.argv[1] && /(?:main\.ts|datadeed(?:\.m?js)?)$/.test(process.argv[1]);
if (isEntry || process.env.DATADEED_CLI === '1') {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0 || process.argv[2] !== 'serve') process.exit(code);
    },
    (err) => process.exit(reportFailure(err)),
  );
}
