/**
 * Scripts that the program serves or starts rather than imports: the browser scripts
 * (verify page, in-page fingerprinting and its Web Worker) and the hashing threads'
 * worker. Each is named by `new URL('./x.ts', import.meta.url)` next to the module that
 * uses it, and obtained with {@link scriptAsset}:
 *
 * - from the TypeScript sources (development, tests: tsx), the `.ts` entry is bundled
 *   with esbuild on first use and cached for the life of the process;
 * - in the compiled program (`dist/`, built by `scripts/build.ts` on `npm ci`), the build
 *   has bundled the entry ahead of time with the same {@link scriptBuildOptions} and
 *   rewritten the URL to the bundled file, which is read once. esbuild is not needed
 *   at run time.
 *
 * Node only (reads files, may load esbuild).
 */
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** esbuild options of a script, by convention of its location (the subset the build also uses). */
export interface ScriptBuildOptions {
  platform: 'browser' | 'node';
  format: 'iife' | 'cjs';
  target: string;
  minify: boolean;
  /** File extension of the bundled script. */
  extension: '.js' | '.cjs';
}

/**
 * How a script entry is bundled, decided by where it lives (STYLE: adapters in
 * `browser/` and `node/` folders):
 * - under a `browser/` folder: a self-contained classic script (IIFE, ES2020, minified),
 *   fit for `<script>`, `<script type="module">` and `new Worker(url)`;
 * - elsewhere: a CommonJS script for Node (`new Worker(code, { eval: true })`), node20.
 * @param file absolute path (or file URL path) of the `.ts` entry.
 */
export function scriptBuildOptions(file: string): ScriptBuildOptions {
  return /[\\/]browser[\\/]/.test(file)
    ? { platform: 'browser', format: 'iife', target: 'es2020', minify: true, extension: '.js' }
    : { platform: 'node', format: 'cjs', target: 'node20', minify: false, extension: '.cjs' };
}

/**
 * Our own modules as side-effect free (src/ has no bare `import './x'`): esbuild then
 * drops every module none of whose exports the script uses, even behind a folder's
 * `index.ts` — the hashing thread's script went from 515 KB (the whole ledger and its
 * ASN.1 packages, parsed at every thread's start) to the few functions it runs.
 */
const pureSources = {
  name: 'datadeed-pure-sources',
  setup(b: { onResolve(o: { filter: RegExp }, cb: (args: { path: string; importer: string; resolveDir: string }) => { path: string; sideEffects: boolean } | undefined): void }) {
    b.onResolve({ filter: /^\.\.?\/.*\.tsx?$/ }, (args) => {
      if (/[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
      return { path: resolvePath(args.resolveDir, args.path), sideEffects: false };
    });
  },
};

/**
 * Bundles one entry (all its imports inlined) and returns the script text. Used by
 * {@link scriptAsset} when running from the sources, and by the build.
 * @param file absolute path of a `.ts` entry.
 */
export async function bundleScript(file: string): Promise<string> {
  const o = scriptBuildOptions(file);
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    platform: o.platform,
    format: o.format,
    target: o.target,
    minify: o.minify,
    legalComments: 'none',
    logLevel: 'silent',
    // Node scripts only: the browser bundles keep their established contents.
    plugins: o.platform === 'node' ? [pureSources] : [],
  });
  return result.outputFiles[0]!.text;
}

const cache = new Map<string, Promise<string>>();

/**
 * The JavaScript of the script at `url`: a `.ts`/`.tsx` entry is bundled (from the
 * sources), anything else is a script the build bundled already and is read as is.
 * Concurrent and later calls share one result; a failure is retried on the next call.
 * @param url `new URL('./entry.ts', import.meta.url)` written literally in the caller,
 *   so that the build can find and rewrite it.
 */
export function scriptAsset(url: URL): Promise<string> {
  let p = cache.get(url.href);
  if (!p) {
    const file = fileURLToPath(url);
    p = /\.tsx?$/.test(file) ? bundleScript(file) : readFile(file, 'utf8');
    cache.set(url.href, p);
    p.catch(() => cache.delete(url.href));
  }
  return p;
}

/**
 * A worker thread running a Node script's source (as {@link scriptAsset} gives it):
 * evaluated from the text, and without the parent's command-line flags — the script is
 * plain JavaScript, and a loader the parent runs under (tsx's `--import`) would load
 * again in every thread.
 */
export function scriptWorker(source: string, options: Omit<WorkerOptions, 'eval' | 'execArgv'> = {}): Worker {
  return new Worker(source, { ...options, eval: true, execArgv: [] });
}
