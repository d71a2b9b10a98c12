/**
 * Once per test run: the tests run the real program as the user does (`node
 * bin/datadeed.mjs …`, the compiled `dist/`), so `dist/` must be built from the sources
 * under test. Rebuilt (`tsx scripts/build.ts`, a few seconds) when any source, migration
 * or the build script is newer than it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const built = path.join(ROOT, 'dist', 'datadeed.js');
  const sources = Math.max(newest(path.join(ROOT, 'src')), newest(path.join(ROOT, 'migrations')), statSync(path.join(ROOT, 'scripts', 'build.ts')).mtimeMs, statSync(path.join(ROOT, 'package-lock.json')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building dist/ for the tests failed:\n${r.stdout}${r.stderr}`);
}
