/** Runs the real CLI as a child process: `node bin/datadeed.mjs …` (the compiled program). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE_TREE = fileURLToPath(new URL('../fixtures/fingerprint/tree', import.meta.url));
export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/fingerprint/', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `done` resolves when it exits. */
export function startCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['bin/datadeed.mjs', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}

/** The `root <hex>` line of `datadeed fingerprint`'s output. */
export function rootOf(result: CliResult): string {
  const m = /^root ([0-9a-f]{64})$/m.exec(result.stdout);
  if (!m) throw new Error(`no root in output:\n${result.stdout}\n${result.stderr}`);
  return m[1]!;
}

/** The `[code]` of a CLI failure message. */
export function errorCodeOf(result: CliResult): string | undefined {
  return /datadeed: \[([a-z_]+)\]/.exec(result.stderr)?.[1];
}
