/**
 * Builds the shipped program: `tsx scripts/build.ts [outdir]` (default `dist/`), run by
 * `npm ci` / `npm install` through the `prepare` script. The result runs with plain
 * `node` (`bin/datadeed.mjs`, `npm start`); tsx and esbuild are not needed at run time.
 *
 * - One entry, `src/cli/main.ts` → `<outdir>/datadeed.js`: an ES module bundle of our own
 *   code with code splitting, so each command's modules stay in chunks loaded on use
 *   (`datadeed help` loads no server code). npm packages stay imports, resolved from
 *   `node_modules` at run time as from the sources, but for a few small ones compiled in
 *   (`BUNDLED_PACKAGES`). All chunks sit in `<outdir>` itself,
 *   so a path relative to `import.meta.url` means the same from every chunk.
 * - The file commands (`fingerprint`, `prove-file`, `verify-file`, src/cli/file-commands.ts)
 *   once more, alone, as one CommonJS file `<outdir>/file-commands.cjs` that
 *   `bin/datadeed.mjs` loads for them: one compile instead of a graph of chunks.
 * - Files that source modules locate with `new URL('<relative path>', import.meta.url)`
 *   (written literally) are carried into `<outdir>` and the URL rewritten:
 *   a `.ts`/`.tsx` script entry (the hashing threads' worker, the browser scripts) is
 *   bundled ahead of time with the options of `src/script-assets.ts` into
 *   `<outdir>/assets/`; a folder (migrations) is copied to `<outdir>/<name>`; any other
 *   file to `<outdir>/assets/`. A path that does not exist fails the build, so a moved
 *   source file cannot silently break the program.
 * - Any other use of `import.meta.url` / `import.meta.dirname` / `import.meta.filename`
 *   in the sources fails the build (it would point into `<outdir>` at run time), except
 *   `createRequire(import.meta.url)`, which resolves packages equally well from there.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleScript, scriptBuildOptions } from '../src/script-assets.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SRC = path.join(ROOT, 'src');
const ENTRY = path.join(SRC, 'cli', 'main.ts');
/** The file commands' own entry, built alone as `<outdir>/file-commands.cjs` (loaded by bin/datadeed.mjs for them). */
const FILE_COMMANDS_ENTRY = path.join(SRC, 'cli', 'file-commands.ts');
/** Run as a script (`tsx scripts/build.ts`), not imported by a test or benchmark. */
const invoked = !!process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);

/** `new URL('<literal>', import.meta.url)`, as prettier may wrap it. */
const URL_PATTERN = /new\s+URL\(\s*(['"])([^'"`$\\]+)\1\s*,\s*import\.meta\.url\s*,?\s*\)/g;
/** Uses of the module's own location that stay correct in a chunk of `<outdir>`. */
const ALLOWED_PATTERN = /createRequire\(\s*import\.meta\.url\s*\)/g;

/**
 * npm packages compiled into the program rather than imported from node_modules at run
 * time: small, pure JavaScript, without files of their own, and on the short commands'
 * path (`fingerprint`, `verify`), where resolving and loading them module by module is
 * most of their cost (@noble/hashes/sha2.js ~13 ms, canonicalize ~7 ms of a ~100 ms run).
 * Every other package stays external (assets beside their code: PGlite's WebAssembly,
 * fonts, HarfBuzz; pino's worker files; or simply large and only needed by `serve`).
 */
const BUNDLED_PACKAGES = ['@noble/hashes', '@noble/ed25519', 'canonicalize'];

/** Every package the project declares, except {@link BUNDLED_PACKAGES} (subpaths follow their package). */
function externalPackages(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const names = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
  for (const b of BUNDLED_PACKAGES) names.delete(b);
  return [...names].sort();
}

export interface BuildResult {
  outdir: string;
  /** Output files (relative to outdir) and their sizes. */
  files: Record<string, number>;
  millis: number;
  /** esbuild's metafile: which inputs each output holds and what it imports. */
  metafile: Metafile;
}

export interface BuildOptions {
  /** Output folder, emptied first (default `dist/`). Inside the repository, so that npm packages resolve. */
  outdir?: string;
  /** Entry module (default `src/cli/main.ts`), written as `<outdir>/datadeed.js`; given, the file commands' own file is not built. */
  entry?: string;
}

/** Builds the program; rejects with esbuild's messages when a located file is missing or `import.meta` is misused. */
export async function buildProgram(opts: BuildOptions = {}): Promise<BuildResult> {
  const t0 = performance.now();
  const outdir = path.resolve(opts.outdir ?? path.join(ROOT, 'dist'));
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(path.join(outdir, 'assets'), { recursive: true });
  const carried = new Carrier(outdir);
  const barrels = new Barrels();

  const locate: Plugin = {
    name: 'datadeed-locate',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?tsx?$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const loader = path.extname(args.path).endsWith('x') ? 'tsx' : 'ts';
        const text = args.path.startsWith(SRC + path.sep) ? barrels.rewrite(args.path, readFileSync(args.path, 'utf8')) : readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta')) return { contents: text, loader };
        const rel = (p: string) => path.relative(ROOT, p);
        const code = maskComments(text);
        const errors: { text: string }[] = [];
        const found: { at: number; length: number; to: Promise<string> }[] = [];
        for (const m of code.matchAll(URL_PATTERN)) {
          const target = path.resolve(path.dirname(args.path), m[2]!);
          if (!existsSync(target)) {
            errors.push({ text: `${rel(args.path)}: new URL(${JSON.stringify(m[2])}, import.meta.url) → ${rel(target)} does not exist` });
            continue;
          }
          found.push({ at: m.index, length: m[0].length, to: carried.carry(target) });
        }
        const stray = /import\.meta\.(url|dirname|filename)/.exec(code.replace(URL_PATTERN, '').replace(ALLOWED_PATTERN, ''));
        if (stray) {
          errors.push({
            text: `${rel(args.path)}: import.meta.${stray[1]} used other than in new URL('<relative path>', import.meta.url): it would point into the build output; locate files with a literal new URL(…) so the build can carry them`,
          });
        }
        let contents = text;
        for (const f of found.reverse()) {
          contents = `${contents.slice(0, f.at)}new URL(${JSON.stringify(await f.to)}, import.meta.url)${contents.slice(f.at + f.length)}`;
        }
        if (errors.length) return { errors };
        return { contents, loader };
      });
    },
  };

  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { datadeed: path.resolve(opts.entry ?? ENTRY) },
    outdir,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: externalPackages(),
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: invoked ? 'warning' : 'silent',
    plugins: [locate],
  });
  // The file commands alone, as one CommonJS file (src/cli/file-commands.ts): loading it
  // is one compile — no module graph to resolve, and Node's built-ins come by require,
  // without the ES module facades that enumerate (and so load) all of, e.g., node:fs.
  // import.meta.url becomes the file's own URL, so carried assets resolve as from the chunks.
  const files = opts.entry !== undefined ? undefined : await build({
    absWorkingDir: ROOT,
    entryPoints: { 'file-commands': FILE_COMMANDS_ENTRY },
    outdir,
    outExtension: { '.js': '.cjs' },
    entryNames: '[name]',
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: externalPackages(),
    define: { 'import.meta.url': '__datadeed_module_url' },
    banner: { js: 'const __datadeed_module_url = require("node:url").pathToFileURL(__filename).href;' },
    footer: { js: 'module.exports.runFileCommandLine();' },
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: invoked ? 'warning' : 'silent',
    plugins: [locate],
  });
  if (files !== undefined) {
    Object.assign(result.metafile.outputs, files.metafile.outputs);
    Object.assign(result.metafile.inputs, files.metafile.inputs);
  }
  for (const out of Object.keys(result.metafile.outputs)) {
    if (path.dirname(path.resolve(ROOT, out)) !== outdir) throw new Error(`build: ${out} is not directly in ${outdir}; relative asset URLs would break`);
  }
  return { outdir, files: listFiles(outdir), millis: performance.now() - t0, metafile: result.metafile };
}

/**
 * The text with comments blanked (same length, line by line): lines that start a
 * comment or continue a block comment (`//`, `/*`, `*`), and ` // …` tails. A heuristic
 * (no full tokenizer): enough to keep examples in TSDoc from being taken for code.
 */
function maskComments(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const t = line.trimStart();
      if (t.startsWith('//') || t.startsWith('/*') || t.startsWith('*')) return ' '.repeat(line.length);
      const tail = line.search(/\s\/\/\s/);
      return tail < 0 ? line : line.slice(0, tail) + ' '.repeat(line.length - tail);
    })
    .join('\n');
}

/**
 * Imports through a folder's `index.ts` (the dependency rule's only way in,
 * `.dependency-cruiser.cjs`) rewritten, in the build only, to imports of the files that
 * define the names. esbuild's code splitting assigns whole files to chunks by which
 * entries can reach them through import statements, tree shaking aside: one
 * `import { toHex } from '../ledger/index.ts'` made every file the barrel re-exports —
 * and their npm imports — part of the chunks `datadeed fingerprint` loads (the RFC 3161
 * code's ASN.1 packages alone cost more than Node's own start-up). Only
 * `import { … } from '<…>/index.ts'` statements at the start of a line are rewritten,
 * and only for names the barrel re-exports with `export { … } from '…'` (followed
 * through nested barrels); anything else keeps importing the barrel.
 */
class Barrels {
  readonly #maps = new Map<string, Map<string, { file: string; name: string }>>();

  /** Exported name → defining file and name, for a barrel `index.ts`. */
  #map(barrel: string, depth = 0): Map<string, { file: string; name: string }> {
    let map = this.#maps.get(barrel);
    if (map) return map;
    map = new Map();
    this.#maps.set(barrel, map);
    if (depth > 8) return map;
    const text = maskComments(readFileSync(barrel, 'utf8'));
    for (const m of text.matchAll(/^export\s+(type\s+)?\{([^}]*)\}\s*from\s*(['"])([^'"]+)\3/gm)) {
      if (m[1]) continue;
      const target = path.resolve(path.dirname(barrel), m[4]!);
      if (!existsSync(target)) continue;
      for (const spec of m[2]!.split(',')) {
        const parts = spec.trim().split(/\s+as\s+/);
        const original = parts[0]!.trim();
        const exported = (parts[1] ?? original).trim();
        if (!original || original.startsWith('type ')) continue;
        const inner = path.basename(target) === 'index.ts' ? this.#map(target, depth + 1).get(original) : undefined;
        map.set(exported, inner ?? { file: target, name: original });
      }
    }
    return map;
  }

  /** The source with its barrel imports rewritten to the defining files. */
  rewrite(file: string, text: string): string {
    if (!text.includes('index.ts')) return text;
    const dir = path.dirname(file);
    return text.replace(/^import\s+(type\s+)?\{([^}]*)\}\s*from\s*(['"])([^'"]+\/index\.ts)\3\s*;?/gm, (whole, isType: string | undefined, names: string, _q, spec: string) => {
      if (isType) return whole;
      const barrel = path.resolve(dir, spec);
      if (!barrel.startsWith(SRC + path.sep) || !existsSync(barrel)) return whole;
      const map = this.#map(barrel);
      const byFile = new Map<string, string[]>();
      const rest: string[] = [];
      for (const raw of names.split(',')) {
        const s = raw.trim();
        if (!s) continue;
        if (s.startsWith('type ')) continue; // erased anyway
        const [imported, local] = s.split(/\s+as\s+/).map((x) => x.trim()) as [string, string | undefined];
        const found = map.get(imported);
        if (!found) {
          rest.push(s);
          continue;
        }
        const list = byFile.get(found.file) ?? [];
        list.push(found.name === (local ?? imported) ? found.name : `${found.name} as ${local ?? imported}`);
        byFile.set(found.file, list);
      }
      const lines: string[] = [];
      for (const [target, list] of byFile) {
        let rel = path.relative(dir, target).split(path.sep).join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        lines.push(`import { ${list.join(', ')} } from '${rel}';`);
      }
      if (rest.length) lines.push(`import { ${rest.join(', ')} } from '${spec}';`);
      // Same number of lines, so that source maps and messages keep their line numbers.
      const newlines = (whole.match(/\n/g) ?? []).length;
      const joined = lines.join(' ');
      return joined + '\n'.repeat(newlines);
    });
  }
}

/** Copies or bundles located files into the output, once each; answers the URL relative to a chunk. */
class Carrier {
  readonly #done = new Map<string, Promise<string>>();
  readonly #names = new Map<string, string>();

  constructor(readonly outdir: string) {}

  carry(target: string): Promise<string> {
    let p = this.#done.get(target);
    if (!p) {
      p = this.#carry(target);
      this.#done.set(target, p);
    }
    return p;
  }

  /** A file name in the output unique to `source` (its base name unless taken). */
  #name(dir: string, source: string, base: string): string {
    let name = path.posix.join(dir, base);
    const owner = this.#names.get(name);
    if (owner !== undefined && owner !== source) {
      const ext = path.extname(base);
      const tag = createHash('sha256').update(path.relative(ROOT, source)).digest('hex').slice(0, 8);
      name = path.posix.join(dir, `${path.basename(base, ext)}-${tag}${ext}`);
    }
    this.#names.set(name, source);
    return name;
  }

  async #carry(target: string): Promise<string> {
    let name: string;
    if (statSync(target).isDirectory()) {
      name = this.#name('.', target, path.basename(target));
      cpSync(target, path.join(this.outdir, name), { recursive: true });
    } else if (/\.[cm]?tsx?$/.test(target)) {
      const { extension } = scriptBuildOptions(target);
      name = this.#name('assets', target, path.basename(target).replace(/\.[cm]?tsx?$/, extension));
      writeFileSync(path.join(this.outdir, name), await bundleScript(target));
    } else {
      name = this.#name('assets', target, path.basename(target));
      cpSync(target, path.join(this.outdir, name));
    }
    return `./${name.replace(/^\.\//, '')}`;
  }
}

function listFiles(dir: string, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of readdirSorted(dir)) {
    const full = path.join(dir, entry);
    const rel = prefix ? `${prefix}/${entry}` : entry;
    if (statSync(full).isDirectory()) Object.assign(out, listFiles(full, rel));
    else out[rel] = statSync(full).size;
  }
  return out;
}

function readdirSorted(dir: string): string[] {
  return readdirSync(dir).sort();
}

if (invoked) {
  buildProgram({ outdir: process.argv[2] }).then(
    (r) => {
      const kb = (n: number) => `${Math.round(n / 1024)} KB`;
      const files = Object.entries(r.files);
      const chunks = files.filter(([f]) => /^[^/]+\.js$/.test(f));
      const assets = files.filter(([f]) => f.startsWith('assets/'));
      const own = files.filter(([f]) => /^[^/]+\.cjs$/.test(f));
      const dirs = [...new Set(files.filter(([f]) => f.includes('/')).map(([f]) => f.split('/')[0]!).filter((f) => f !== 'assets'))];
      process.stdout.write(
        `built ${path.relative(process.cwd(), r.outdir) || '.'}/ in ${(r.millis / 1000).toFixed(1)} s: ${chunks.length} modules ${kb(chunks.reduce((a, [, n]) => a + n, 0))}` +
          `; ${[...own, ...assets].map(([f, n]) => `${f} ${kb(n)}`).join(', ')}${dirs.length ? `; ${dirs.map((d) => `${d}/`).join(', ')}` : ''}\n`,
      );
    },
    (err: unknown) => {
      process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
