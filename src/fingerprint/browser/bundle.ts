/**
 * Browser assets of in-page fingerprinting, bundled with esbuild from the TypeScript
 * sources on first request and cached in memory for the life of the process:
 * `pageJs` (serve as `/assets/fingerprint.js`, `text/javascript`) and `workerJs`
 * (serve as `/assets/fingerprint-worker.js`). Both are self-contained classic scripts
 * (IIFE, ES2020) with no imports; the page script starts its worker from the
 * container's `data-worker-src` (default `/assets/fingerprint-worker.js`).
 */
import { fileURLToPath } from 'node:url';

export interface FingerprintAssets {
  pageJs: string;
  workerJs: string;
}

let cached: Promise<FingerprintAssets> | undefined;

async function bundle(entry: string): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * The two bundled scripts. Concurrent and later calls share one build; a failed build
 * is retried on the next call.
 */
export function fingerprintAssets(): Promise<FingerprintAssets> {
  cached ??= (async () => {
    const [pageJs, workerJs] = await Promise.all([bundle('./fingerprint-page.ts'), bundle('./worker.ts')]);
    return { pageJs, workerJs };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
