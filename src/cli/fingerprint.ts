/**
 * `datadeed fingerprint`, `datadeed prove-file`, `datadeed verify-file` (DESIGN §4, §8).
 *
 * Every failure prints `datadeed: [code] message` with a stable code (the
 * FingerprintError / DatasetIoError codes, `bad_arguments`, `certificate_not_found`,
 * `deposit_not_found`, `online_unavailable`, `root_not_trusted`) and exits with that code's status
 * (./exit-codes.ts): 0 success; 1 a check failed; 2 bad arguments; 3 a file or dataset
 * could not be read; 4 the registry could not be reached; 130 interrupted.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeRfc6962 } from '../ledger/node/index.ts';
import { FingerprintError } from '../fingerprint/index.ts';
import { globToRegExp } from '../fingerprint/index.ts';
import { isHex64 } from '../fingerprint/index.ts';
import { parseManifest } from '../fingerprint/index.ts';
import { checkFileMatchesLeaf, proveFile, verifyFileProof, type FileProof } from '../fingerprint/index.ts';
import { hashFile } from '../fingerprint/node/index.ts';
import { DatasetIoError } from '../fingerprint/node/index.ts';
import { fingerprintPath } from '../fingerprint/node/index.ts';
import { ProgressReporter, formatBytes } from '../fingerprint/node/index.ts';
import { removePendingTempFiles, writeFileAtomic, writeManifest } from '../fingerprint/node/index.ts';
import { CommandError } from './errors.ts';
import { reportFailure } from './exit-codes.ts';
import { UsageError } from './usage.ts';

export const FINGERPRINT_USAGE = `  fingerprint <file|dir> [--out manifest.json] [--exclude glob]... [--follow-symlinks] [--threads N] [--quiet] [--json]
                        hash a dataset locally and write its manifest (default ./manifest.json); prints the root
  prove-file <manifest.json> <path> [--out proof.json]
                        inclusion proof of one file of a manifest (stdout unless --out)
  verify-file <proof.json> <file> [--root <hex>] [--online <URL> --certificate <number> | --deposit <id>]
                        check a file against a proof and a trusted manifest root
`;

function stderr(text: string): void {
  process.stderr.write(text);
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new DatasetIoError('read_failed', `cannot read ${what} ${path}: ${typeof code === 'string' ? code : String(err)}`, path);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new FingerprintError(what === 'manifest' ? 'malformed_manifest' : 'malformed_proof', `${what} ${path} is not JSON`);
  }
}

/**
 * Runs a body with Ctrl-C / SIGTERM turned into an abort: the first signal aborts (the
 * body cleans up and returns 130), a second exits at once after removing temp files.
 */
async function withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals === 1) controller.abort(new DatasetIoError('interrupted', 'interrupted; no manifest was written'));
    else {
      removePendingTempFiles();
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `datadeed fingerprint <file|dir> [--out manifest.json] [--exclude glob]...` */
export async function runFingerprint(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string', short: 'o' },
      exclude: { type: 'string', multiple: true },
      'follow-symlinks': { type: 'boolean', default: false },
      threads: { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  try {
    if (positionals.length !== 1) throw new UsageError('bad_arguments', 'fingerprint takes exactly one file or directory');
    const exclude = values.exclude ?? [];
    for (const g of exclude) {
      try {
        globToRegExp(g);
      } catch {
        throw new UsageError('bad_arguments', `invalid --exclude pattern ${JSON.stringify(g)}`);
      }
    }
    let threads: number | undefined;
    if (values.threads !== undefined) {
      threads = Number(values.threads);
      if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UsageError('bad_arguments', '--threads must be an integer from 1 to 256');
    }
    const out = resolve(values.out ?? 'manifest.json');
    if (values.out === '') throw new UsageError('bad_arguments', '--out must name a file');
    const tty = process.stderr.isTTY === true && !values.quiet;
    const progress = values.quiet ? undefined : new ProgressReporter(process.stderr, { tty, columns: process.stderr.columns });
    const started = performance.now();

    return await withInterrupt(async (signal) => {
      const result = await fingerprintPath(positionals[0]!, {
        exclude,
        followSymlinks: values['follow-symlinks'],
        ignoreAbsolute: new Set([out]),
        threads,
        signal,
        onSkip: (s) => {
          progress?.clear();
          stderr(`datadeed: skipped ${s.reason.replace('_', ' ')}: ${JSON.stringify(s.path)}\n`);
        },
        // Without a progress display the listing need not stat every file (its sizes
        // serve only the display's byte totals): --quiet saves one lstat per file.
        onProgress: progress === undefined ? undefined : (p) => progress.update(p),
      });
      progress?.finish();
      const { manifest } = result;
      await writeManifest(out, manifest, signal);
      const seconds = (performance.now() - started) / 1000;
      if (values.json) {
        process.stdout.write(
          JSON.stringify({ root: manifest.root, files: manifest.files, bytes: manifest.bytes, manifest: out, skipped: result.skipped, excluded: result.excluded }) + '\n',
        );
      } else {
        process.stdout.write(`root ${manifest.root}\nfiles ${manifest.files}\nbytes ${manifest.bytes}\nmanifest ${out}\n`);
      }
      if (!values.quiet) {
        const rate = seconds > 0 ? manifest.bytes / seconds : 0;
        const extra = [
          result.skipped.length > 0 ? `${result.skipped.length} skipped` : '',
          result.excluded > 0 ? `${result.excluded} excluded` : '',
        ].filter(Boolean);
        stderr(
          `fingerprinted ${manifest.files.toLocaleString('en-US')} file${manifest.files === 1 ? '' : 's'}, ${formatBytes(manifest.bytes)} in ${seconds.toFixed(2)} s (${formatBytes(rate)}/s)${extra.length ? `; ${extra.join(', ')}` : ''}\n`,
        );
        if (manifest.files === 0) stderr('datadeed: warning: the dataset has no files; its root is SHA-256 of the empty string\n');
      }
      return 0;
    });
  } catch (err) {
    return reportFailure(err);
  }
}

/** `datadeed prove-file <manifest.json> <path> [--out proof.json]` */
export async function runProveFile(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { out: { type: 'string', short: 'o' } },
  });
  try {
    if (positionals.length !== 2) throw new UsageError('bad_arguments', 'prove-file takes a manifest and a dataset path');
    const [manifestPath, path] = positionals as [string, string];
    let text: string;
    try {
      text = await readFile(manifestPath, 'utf8');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      throw new DatasetIoError('read_failed', `cannot read manifest ${manifestPath}: ${typeof code === 'string' ? code : String(err)}`, manifestPath);
    }
    const manifest = parseManifest(text, { hasher: nodeRfc6962 });
    const proof = proveFile(manifest, path, nodeRfc6962);
    const json = JSON.stringify(proof, null, 2) + '\n';
    if (values.out !== undefined) {
      await writeFileAtomic(resolve(values.out), [json]);
      stderr(`proof for ${JSON.stringify(proof.leaf.path)} (leaf index ${proof.index} of ${proof.treeSize} files) written to ${values.out}\n`);
    } else process.stdout.write(json);
    return 0;
  } catch (err) {
    return reportFailure(err);
  }
}

/**
 * Fetches `<base>/v1/certificates/<number>` and returns its `dataset.manifestRoot` (also
 * accepted under `payload.dataset`), and `dataset.files` and `status` when shown.
 * @throws CommandError `certificate_not_found` (404 with a certificate problem code),
 *   `online_unavailable` (unreachable, no such route, not JSON, no manifest root).
 */
export async function fetchCertificateRoot(
  base: string,
  number: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ root: string; files?: number; status?: string }> {
  const url = new URL(`v1/certificates/${encodeURIComponent(number)}`, base.endsWith('/') ? base : `${base}/`);
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new CommandError('online_unavailable', `cannot reach ${url.origin}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (response.status === 404) {
    let code = '';
    try {
      code = String(((await response.json()) as { code?: unknown }).code ?? '');
    } catch {
      // not a problem document
    }
    if (code.includes('certificate')) throw new CommandError('certificate_not_found', `no certificate ${number} at ${url.origin}`);
    throw new CommandError('online_unavailable', `${url.origin} does not serve /v1/certificates (HTTP 404${code ? ` ${code}` : ''})`);
  }
  if (!response.ok) throw new CommandError('online_unavailable', `${url} answered HTTP ${response.status}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new CommandError('online_unavailable', `${url} did not answer with JSON`);
  }
  const obj = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const payload = (typeof obj.payload === 'object' && obj.payload !== null ? obj.payload : {}) as Record<string, unknown>;
  const dataset = (obj.dataset ?? payload.dataset) as Record<string, unknown> | undefined;
  const root = typeof dataset === 'object' && dataset !== null ? dataset.manifestRoot : undefined;
  if (!isHex64(root)) throw new CommandError('online_unavailable', `${url} shows no dataset.manifestRoot for certificate ${number}`);
  const out: { root: string; files?: number; status?: string } = { root };
  const files = (dataset as Record<string, unknown>).files;
  if (typeof files === 'number' && Number.isSafeInteger(files) && files >= 0) out.files = files;
  if (typeof obj.status === 'string') out.status = obj.status;
  return out;
}

/** `datadeed verify-file <proof.json> <file> [--root <hex>] [--online <URL> --certificate <number>]` */
export async function runVerifyFile(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      root: { type: 'string' },
      online: { type: 'string' },
      certificate: { type: 'string' },
      deposit: { type: 'string' },
    },
  });
  try {
    if (positionals.length !== 2) throw new UsageError('bad_arguments', 'verify-file takes a proof and a file');
    if (values.deposit !== undefined && (values.online === undefined || values.certificate !== undefined || !/^EV-\d{4}-\d{8}$/.test(values.deposit)))
      throw new UsageError('bad_arguments', '--deposit takes a deposit id (EV-2026-00000001) and goes with --online, instead of --certificate');
    const [proofPath, filePath] = positionals as [string, string];
    if (values.root !== undefined && !isHex64(values.root.toLowerCase())) {
      throw new UsageError('bad_arguments', '--root must be 64 hex digits');
    }
    if ((values.online === undefined) !== (values.certificate === undefined && values.deposit === undefined)) {
      throw new UsageError('bad_arguments', '--online goes with --certificate or --deposit');
    }
    if (values.online !== undefined) {
      let ok = false;
      try {
        ok = ['http:', 'https:'].includes(new URL(values.online).protocol);
      } catch {
        ok = false;
      }
      if (!ok) throw new UsageError('bad_arguments', '--online must be an http(s) URL');
    }
    if (values.certificate !== undefined && values.certificate.trim() === '') throw new UsageError('bad_arguments', '--certificate must not be empty');

    // 1. The proof on its own: well-formed, and its path leads from the leaf to its root.
    const proof: FileProof = verifyFileProof(await readJson(proofPath, 'proof'), { hasher: nodeRfc6962 });
    // 2. Trusted roots, if any: --root, and the certificate's root fetched online.
    const trusted: { root: string; files?: number; from: string }[] = [];
    if (values.root !== undefined) trusted.push({ root: values.root.toLowerCase(), from: '--root' });
    let status: string | undefined;
    if (values.online !== undefined && values.certificate !== undefined) {
      const cert = await fetchCertificateRoot(values.online, values.certificate);
      status = cert.status;
      trusted.push({ root: cert.root, files: cert.files, from: `certificate ${values.certificate}` });
    }
    if (values.online !== undefined && values.deposit !== undefined) {
      // an evidence deposit (存证) of the manifest root: its public digest is the trusted root
      const url = new URL(`v1/evidence/${values.deposit}`, values.online.endsWith('/') ? values.online : `${values.online}/`);
      let body = null as { digest?: unknown } | null;
      try {
        const res = await fetch(url);
        if (res.status === 404) throw new CommandError('deposit_not_found', `no deposit ${values.deposit} at ${url.origin}`);
        body = (await res.json()) as typeof body;
      } catch (err) {
        if (err instanceof CommandError) throw err;
        throw new CommandError('online_unavailable', `cannot read ${url}`);
      }
      const digest = (body as { digest?: unknown } | null)?.digest;
      if (!isHex64(digest)) throw new CommandError('online_unavailable', `${url} shows no digest`);
      trusted.push({ root: digest, from: `deposit ${values.deposit}` });
    }
    for (const t of trusted) {
      try {
        verifyFileProof(proof, { root: t.root, files: t.files, hasher: nodeRfc6962 });
      } catch (err) {
        if (err instanceof FingerprintError && err.code === 'root_mismatch') {
          throw new FingerprintError(
            'root_mismatch',
            `the proof (root ${proof.root}, ${proof.treeSize} files) is not for the dataset of ${t.from} (root ${t.root}${t.files === undefined ? '' : `, ${t.files} files`})`,
          );
        }
        throw err;
      }
    }
    // 3. The file itself: size and SHA-256 equal to the leaf's.
    let digest;
    try {
      digest = await hashFile(filePath);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      throw new DatasetIoError('read_failed', `cannot read ${filePath}: ${typeof code === 'string' ? code : String(err)}`, filePath);
    }
    checkFileMatchesLeaf(proof.leaf, digest);

    process.stdout.write(
      `ok: ${filePath} is ${JSON.stringify(proof.leaf.path)} (${proof.leaf.size} bytes, sha256 ${proof.leaf.sha256}), leaf index ${proof.index} of ${proof.treeSize} files of the dataset with manifest root ${proof.root}\n`,
    );
    for (const t of trusted) process.stdout.write(`ok: the root is that of ${t.from}\n`);
    if (status !== undefined) process.stdout.write(`certificate status: ${status}\n`);
    if (trusted.length === 0) {
      // The file matches the proof, but a proof only shows membership of *some* dataset:
      // without a trusted root nothing was proven about a registered one.
      throw new CommandError('root_not_trusted', 'the root was not compared with a trusted one; pass --root <hex>, --online <URL> --certificate <number> or --online <URL> --deposit <id>');
    }
    return 0;
  } catch (err) {
    return reportFailure(err);
  }
}
