/** Browser scripts, bundled on first request with esbuild and cached in memory (no build step). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = new Map<string, Promise<string>>();

/** Bundle one browser entry point (an ES module) to a single minified script. */
export function browserBundle(entry: string): Promise<string> {
  let p = cache.get(entry);
  if (!p) {
    p = (async () => {
      const { build } = await import('esbuild');
      const out = await build({
        entryPoints: [path.resolve(here, entry)],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        minify: true,
        legalComments: 'none',
      });
      return out.outputFiles[0]!.text;
    })();
    p.catch(() => cache.delete(entry));
    cache.set(entry, p);
  }
  return p;
}
