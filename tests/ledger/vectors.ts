/** Loads the known-answer vectors of tests/vectors (JSON data files, one per case where named). */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { LedgerErrorCode } from '../../src/ledger/index.ts';

const VECTORS = fileURLToPath(new URL('../vectors/', import.meta.url));

/** Parses one vector file. */
export function loadVector<T>(name: string): T {
  return JSON.parse(readFileSync(join(VECTORS, name), 'utf8')) as T;
}

/** Parses every `*.json` file of a vector directory, sorted by file name. */
export function loadVectorDir<T>(dir: string): T[] {
  return readdirSync(join(VECTORS, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadVector<T>(join(dir, f)));
}

export interface TreeVector {
  emptyRoot: string;
  leaves: string[];
  roots: { size: number; root: string }[];
}

export interface InclusionVector {
  name: string;
  description: string;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  root: string;
  proof: string[];
  wantError: LedgerErrorCode | null;
}

export interface ConsistencyVector {
  name: string;
  description: string;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[];
  wantError: LedgerErrorCode | null;
}
