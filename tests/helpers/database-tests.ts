/**
 * Which test files can behave differently on PostgreSQL than on PGlite: those that open
 * a database or could reach one. `.ci/run` runs the whole suite on PGlite and then, with
 * DATABASE_URL and DATADEED_TEST_DATABASE_ONLY=1, only these files on PostgreSQL — a pure
 * test (hashing, proofs, parsing, the verifier) gives the same answer whatever
 * DATABASE_URL says, and running it twice only costs CI minutes.
 *
 * Conservative by construction: a file counts as database-dependent when it, or any
 * file under tests/ it imports (transitively), mentions one of {@link DATABASE_MARKERS}
 * — the test database helpers, DATABASE_URL or the environment at all, child
 * processes (a spawned `datadeed` inherits DATABASE_URL), the composition root, the
 * configuration loader or any storage adapter. A new test that opens a database
 * through any of these is picked up without a list to keep.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Text that makes a test file (or a helper it imports) database-dependent. */
export const DATABASE_MARKERS = [
  'DATABASE_URL',
  'helpers/db',
  'helpers/context',
  'serve-process',
  'child_process',
  'process.env',
  'loadConfig',
  'composeSystem',
  'openDatabase',
  '/pg/',
  'src/db',
  'pglite',
] as const;

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? testFiles(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

/** The files under `testsDir` that `file` imports, itself included (relative imports only). */
function localClosure(file: string, testsDir: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return seen; // an import of a non-.ts path (fixtures, JSON): no code of its own
  }
  for (const m of text.matchAll(/from '(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
    const target = path.resolve(path.dirname(file), (m[1] ?? m[2])!);
    if (target.startsWith(testsDir + path.sep)) localClosure(target, testsDir, seen);
  }
  return seen;
}

/**
 * The test files (globs relative to `root`, as vitest's `include` takes them) that are
 * database-dependent, among `tests/**\/*.test.ts` minus `excluded` folders.
 */
export function databaseTestFiles(root: string, excluded: readonly string[]): string[] {
  const testsDir = path.join(root, 'tests');
  const skip = excluded.map((d) => path.join(root, d) + path.sep);
  return testFiles(testsDir)
    .filter((f) => !skip.some((d) => f.startsWith(d)))
    .filter((f) =>
      [...localClosure(f, testsDir)].some((g) => {
        let text: string;
        try {
          text = readFileSync(g, 'utf8');
        } catch {
          return false;
        }
        return DATABASE_MARKERS.some((m) => text.includes(m));
      }),
    )
    .map((f) => path.relative(root, f).split(path.sep).join('/'))
    .sort();
}
