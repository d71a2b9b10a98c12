/** Shared helpers of the state-map tests: error-code assertions, vector loading, a commit helper. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { MapError, type MapErrorCode } from '../../src/state/map/errors.ts';
import { applyMapUpdates, type MapCommit, type MapUpdate } from '../../src/state/map/update.ts';
import type { MapNodeStore } from '../../src/state/map/store.ts';
import type { Sha256 } from '../../src/state/map/hashing.ts';

export const VECTORS = fileURLToPath(new URL('../vectors/state-map/', import.meta.url));
export const REFERENCE = fileURLToPath(new URL('./state_map_ref.py', import.meta.url));
export const DOC = fileURLToPath(new URL('../../docs/state-map.md', import.meta.url));

/** python3 on PATH (the reference implementation needs nothing else). */
export const hasPython = spawnSync('python3', ['--version']).status === 0;

/** Asserts that `fn` throws a MapError with `code`. */
export function expectMapCode(fn: () => unknown, code: MapErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected MapError ${code}`).toBeInstanceOf(MapError);
  expect((thrown as MapError).code).toBe(code);
}

/** Async variant of {@link expectMapCode}. */
export async function expectMapCodeAsync(fn: () => Promise<unknown>, code: MapErrorCode): Promise<void> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected MapError ${code}`).toBeInstanceOf(MapError);
  expect((thrown as MapError).code).toBe(code);
}

export function loadJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every `*.json` of a vector subdirectory, sorted by name. */
export function loadDir<T>(dir: string): T[] {
  return readdirSync(join(VECTORS, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadJson<T>(join(VECTORS, dir, f)));
}

/** Applies updates and stores the new nodes (what a caller does in its transaction). */
export async function commit(store: MapNodeStore, root: Uint8Array, updates: readonly MapUpdate[], sha256: Sha256): Promise<MapCommit> {
  const c = await applyMapUpdates(store, root, updates, sha256);
  await store.putNodes(c.newNodes);
  return c;
}

export interface MapVector {
  name: string;
  description: string;
  steps: { updates: { key: string; value: string | null }[]; root: string; size: number }[];
  root: string;
  entries: { key: string; value: string }[];
  lookups: { key: string; value: string | null; proof: string }[];
}

export interface ProofCase {
  name: string;
  description: string;
  root: string;
  key: string;
  value: string | null;
  proof: string;
  wantError: MapErrorCode | null;
}
