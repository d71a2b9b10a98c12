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
import { commandUsage, USAGE } from './usage-text.ts';
import { reportFailure } from './exit-codes.ts';

/** Errors that stop the server before it serves (named, not imported: their modules are heavy). */
const STARTUP_ERRORS = new Set(['StartupError', 'KeyFileError', 'DatabaseBusyError']);

/** The configuration from the environment (`../config.ts`, loaded on use). */
async function loadConfig(): Promise<Config> {
  return (await import('../config.ts')).loadConfig();
}

export { UsageError };

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
      case 'prove-file':
      case 'verify-file':
        return await (await import('./file-commands.ts')).runFileCommand(argv);
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
