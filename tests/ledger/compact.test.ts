import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/ledger/index.ts';
import { CompactRange, merkleTreeHash } from '../../src/ledger/index.ts';
import { rfc6962 } from '../../src/ledger/index.ts';
import { compactNodeIds, completedNodes, type NodeId } from '../../src/ledger/index.ts';
import { LedgerError } from '../../src/ledger/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { loadVector, type TreeVector } from './vectors.ts';

const { expectCode } = assertCodes(LedgerError);

const tree = loadVector<TreeVector>('rfc6962-tree.json');

describe('CompactRange', () => {
  it('reproduces the RFC 6962 reference roots for sizes 0–8', () => {
    const cr = CompactRange.empty(rfc6962);
    expect(toHex(cr.root())).toBe(tree.emptyRoot);
    const leafHashes: Uint8Array[] = [];
    tree.leaves.forEach((leaf, i) => {
      const h = rfc6962.hashLeaf(fromHex(leaf));
      leafHashes.push(h);
      cr.append(h);
      expect(cr.size).toBe(i + 1);
      expect(toHex(cr.root())).toBe(tree.roots[i]!.root);
      expect(toHex(merkleTreeHash(rfc6962, leafHashes))).toBe(tree.roots[i]!.root);
    });
    expect(toHex(merkleTreeHash(rfc6962, []))).toBe(tree.emptyRoot);
  });

  it('root equals the reference MTH at every size, and onNode reports completedNodes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 300 }), (entries) => {
        const cr = CompactRange.empty(rfc6962);
        const leafHashes: Uint8Array[] = [];
        for (const [i, e] of entries.entries()) {
          const h = rfc6962.hashLeaf(e);
          leafHashes.push(h);
          const reported: NodeId[] = [];
          cr.append(h, (id, hash) => {
            reported.push(id);
            const begin = id.index * 2 ** id.level;
            expect(hash).toEqual(merkleTreeHash(rfc6962, leafHashes.slice(begin, begin + 2 ** id.level)));
          });
          expect(reported).toEqual(completedNodes(i));
          expect(cr.root()).toEqual(merkleTreeHash(rfc6962, leafHashes));
        }
      }),
      { numRuns: 20 },
    );
  });

  it('keeps one hash per set bit of the size, in compactNodeIds order', () => {
    const cr = CompactRange.empty(rfc6962);
    const leaves: Uint8Array[] = [];
    for (let i = 0; i < 100; i++) {
      const h = rfc6962.hashLeaf(utf8(String(i)));
      leaves.push(h);
      cr.append(h);
      const ids = compactNodeIds(cr.size);
      const hashes = cr.hashes();
      expect(hashes).toHaveLength(ids.length);
      ids.forEach((id, k) => {
        const begin = id.index * 2 ** id.level;
        expect(hashes[k]).toEqual(merkleTreeHash(rfc6962, leaves.slice(begin, begin + 2 ** id.level)));
      });
    }
  });

  it('restores from hashes and clones independently', () => {
    const cr = CompactRange.empty(rfc6962);
    for (let i = 0; i < 13; i++) cr.append(rfc6962.hashLeaf(utf8(String(i))));
    const restored = CompactRange.fromHashes(rfc6962, 13, cr.hashes());
    expect(restored.root()).toEqual(cr.root());
    const copy = cr.clone();
    copy.append(rfc6962.hashLeaf(utf8('x')));
    expect(cr.size).toBe(13);
    expect(copy.size).toBe(14);
    expect(restored.root()).toEqual(cr.root());
    // hashes() is a copy
    const hs = cr.hashes();
    hs[0]![0]! ^= 1;
    expect(cr.root()).toEqual(restored.root());
  });

  it('fromHashes validates the count and hash sizes', () => {
    const h = new Uint8Array(32);
    expectCode(() => CompactRange.fromHashes(rfc6962, 3, [h]), 'invalid_tree_size');
    expectCode(() => CompactRange.fromHashes(rfc6962, 3, [h, h, h]), 'invalid_tree_size');
    expectCode(() => CompactRange.fromHashes(rfc6962, 0, [h]), 'invalid_tree_size');
    expectCode(() => CompactRange.fromHashes(rfc6962, -1, []), 'invalid_tree_size');
    expectCode(() => CompactRange.fromHashes(rfc6962, 1.5, [h]), 'invalid_tree_size');
    expectCode(() => CompactRange.fromHashes(rfc6962, 3, [h, new Uint8Array(31)]), 'invalid_tree_size');
    expect(CompactRange.fromHashes(rfc6962, 0, []).root()).toEqual(rfc6962.emptyRoot());
    expect(CompactRange.fromHashes(rfc6962, 2 ** 53 - 1, Array.from({ length: 53 }, () => h)).size).toBe(2 ** 53 - 1);
  });

  it('refuses to grow beyond 2^53 − 1 leaves', () => {
    const h = new Uint8Array(32);
    const full = CompactRange.fromHashes(rfc6962, 2 ** 53 - 1, Array.from({ length: 53 }, () => h));
    expectCode(() => full.append(h), 'invalid_tree_size');
    const almost = CompactRange.fromHashes(rfc6962, 2 ** 53 - 2, Array.from({ length: 52 }, () => h));
    const reported: NodeId[] = [];
    almost.append(h, (id) => reported.push(id));
    expect(reported).toEqual([{ level: 0, index: 2 ** 53 - 2 }]);
  });
});
