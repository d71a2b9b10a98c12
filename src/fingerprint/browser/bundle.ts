/**
 * Browser assets of in-page fingerprinting, bundled with esbuild from the TypeScript
 * sources on first request (or ahead of time by the build: `../../script-assets.ts`)
 * and cached in memory for the life of the process:
 * `pageJs` (serve as `/assets/fingerprint.js`, `text/javascript`) and `workerJs`
 * (serve as `/assets/fingerprint-worker.js`). Both are self-contained classic scripts
 * (IIFE, ES2020) with no imports; the page script starts its pool of workers from the
 * container's `data-worker-src` (default `/assets/fingerprint-worker.js`).
 *
 * The worker carries hash-wasm's SHA-256 WebAssembly module inline (base64, ~20 KB of
 * the ~34 KB script), so there is no `.wasm` file to serve. It compiles that module
 * with `WebAssembly.compile`, which a Content-Security-Policy allows only with
 * `'wasm-unsafe-eval'` in `script-src`; a dedicated worker obeys the policy sent with
 * its own script, so that header belongs on `/assets/fingerprint-worker.js` (the page
 * itself needs `worker-src 'self'` or `script-src 'self'`). Without it the worker falls
 * back to @noble/hashes: same digests, several times slower.
 */
import { scriptAsset } from '../../script-assets.ts';

export interface FingerprintAssets {
  pageJs: string;
  workerJs: string;
}

let cached: Promise<FingerprintAssets> | undefined;

/**
 * The two bundled scripts. Concurrent and later calls share one build; a failed build
 * is retried on the next call.
 */
export function fingerprintAssets(): Promise<FingerprintAssets> {
  cached ??= (async () => {
    const [pageJs, workerJs] = await Promise.all([
      scriptAsset(new URL('./fingerprint-page.ts', import.meta.url)),
      scriptAsset(new URL('./worker.ts', import.meta.url)),
    ]);
    return { pageJs, workerJs };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
