import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/ledger/index.ts';
import { rfc6962 } from '../../src/ledger/index.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { verifyInclusion } from '../../src/ledger/index.ts';
import {
  buildManifest,
  checkFileMatchesLeaf,
  encodeLeaf,
  proveFile,
  rootFromFileProof,
  verifyFileProof,
  FingerprintError,
  type ManifestEntry,
} from '../../src/fingerprint/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { FIXTURE_DIR } from './cli.ts';

const { expectCode } = assertCodes(FingerprintError);

const expected = JSON.parse(readFileSync(join(FIXTURE_DIR, 'expected.json'), 'utf8')) as { root: string; entries: ManifestEntry[] };
const sampleProof = JSON.parse(readFileSync(join(FIXTURE_DIR, 'proof-sample-csv.json'), 'utf8')) as unknown;
const badDir = join(FIXTURE_DIR, 'bad-proofs');
const bad = readdirSync(badDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(badDir, f), 'utf8')) as { name: string; description: string; wantError: string; proof: unknown });

function syntheticEntries(n: number): ManifestEntry[] {
  return Array.from({ length: n }, (_, i) => ({ path: `f/${String(i).padStart(4, '0')}.csv`, size: i * 7, sha256: i.toString(16).padStart(64, '0') }));
}

describe('file inclusion proofs', () => {
  it('the stored proof of 数据/样本.csv verifies against the known-answer root', () => {
    const p = verifyFileProof(sampleProof, { root: expected.root });
    expect(p.leaf.path).toBe('数据/样本.csv');
    expect(proveFile(buildManifest(expected.entries), '数据/样本.csv')).toEqual(sampleProof);
  });

  it('finds a path typed in NFD', () => {
    const m = buildManifest(expected.entries);
    expect(proveFile(m, 'cafe\u0301.txt').leaf.path).toBe('caf\u00e9.txt');
  });

  for (const c of bad) {
    it(`rejects ${c.name} (${c.description}) with ${c.wantError}`, () => {
      expectCode(() => verifyFileProof(c.proof), c.wantError as FingerprintError['code']);
    });
  }

  it('the tree size is pinned by a trusted file count, not by the root alone (RFC 9162 geometry)', () => {
    const p = sampleProof as { treeSize: number };
    // Index 8 of 11 and of 12 have the same path shape: the same hashes lead to the same root.
    expect(verifyFileProof({ ...p, treeSize: 12 }, { root: expected.root }).treeSize).toBe(12);
    expectCode(() => verifyFileProof({ ...p, treeSize: 12 }, { root: expected.root, files: 11 }), 'root_mismatch');
    expect(verifyFileProof(p, { root: expected.root, files: 11 }).treeSize).toBe(11);
  });

  it('a sound proof for another root is root_mismatch; a missing path is path_not_in_manifest', () => {
    expectCode(() => verifyFileProof(sampleProof, { root: 'ab'.repeat(32) }), 'root_mismatch');
    const m = buildManifest(expected.entries);
    expectCode(() => proveFile(m, 'missing.csv'), 'path_not_in_manifest');
    expectCode(() => proveFile(m, '../README.txt'), 'path_traversal');
    expectCode(() => proveFile({ ...m, root: 'ab'.repeat(32) }, 'README.txt'), 'manifest_root_mismatch');
  });

  it('every leaf of every tree size 1..40 proves, and agrees with the ledger verifier', () => {
    for (let n = 1; n <= 40; n++) {
      const m = buildManifest(syntheticEntries(n), nodeRfc6962);
      for (let i = 0; i < n; i++) {
        const proof = proveFile(m, m.entries[i]!.path, nodeRfc6962);
        expect(proof.index).toBe(i);
        expect(proof.treeSize).toBe(n);
        verifyFileProof(proof, { root: m.root });
        expect(rootFromFileProof(proof)).toBe(m.root);
        verifyInclusion(rfc6962, i, n, rfc6962.hashLeaf(encodeLeaf(proof.leaf)), proof.proof.map(fromHex), fromHex(m.root));
      }
    }
  });

  it('property: a proof never verifies for another leaf of the same manifest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 64 }), fc.nat(), fc.nat(), (n, a, b) => {
        const m = buildManifest(syntheticEntries(n));
        const i = a % n;
        const j = b % n;
        fc.pre(i !== j);
        const proof = proveFile(m, m.entries[i]!.path);
        expectCode(() => verifyFileProof({ ...proof, leaf: m.entries[j] }), 'proof_mismatch');
        expectCode(() => verifyFileProof({ ...proof, index: j }), 'proof_mismatch');
      }),
      { numRuns: 200 },
    );
  });

  it('checkFileMatchesLeaf compares size and digest', () => {
    const leaf = expected.entries[0]!;
    checkFileMatchesLeaf(leaf, { size: leaf.size, sha256: leaf.sha256 });
    expectCode(() => checkFileMatchesLeaf(leaf, { size: leaf.size + 1, sha256: leaf.sha256 }), 'file_mismatch');
    expectCode(() => checkFileMatchesLeaf(leaf, { size: leaf.size, sha256: 'ab'.repeat(32) }), 'file_mismatch');
  });
});
