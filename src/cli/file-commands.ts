/**
 * The file commands — `fingerprint`, `prove-file`, `verify-file` — on their own: what
 * `datadeed` runs for them. The build also compiles this module alone into one
 * CommonJS file (`dist/file-commands.cjs`, scripts/build.ts) that `bin/datadeed.mjs`
 * loads for these commands instead of the program's ES module chunks: a command that
 * fingerprints a file in well under a second should not spend a third of its start-up
 * resolving modules (bench/startup.ts, issue 20). Same arguments, output, errors and
 * exit statuses as through ./main.ts, which calls this too.
 */
import { reportFailure } from './exit-codes.ts';
import { runFingerprint, runProveFile, runVerifyFile } from './fingerprint.ts';
import { commandUsage, USAGE } from './usage-text.ts';

/** Runs `argv` (a file command and its arguments); resolves with the exit status. */
export async function runFileCommand(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandUsage(command!) ?? USAGE);
    return 0;
  }
  try {
    if (command === 'fingerprint') return await runFingerprint(rest);
    if (command === 'prove-file') return await runProveFile(rest);
    if (command === 'verify-file') return await runVerifyFile(rest);
    throw new Error(`not a file command: ${String(command)}`);
  } catch (err) {
    return reportFailure(err, { usage: USAGE });
  }
}

/** As the entry of `dist/file-commands.cjs`: runs the command line and exits with its status. */
export function runFileCommandLine(): void {
  runFileCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => process.exit(reportFailure(err)),
  );
}
