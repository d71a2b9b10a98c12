/**
 * Cross-check against an independent implementation: merkletreejs, configured for
 * RFC 6962 — leaves passed in already hashed as SHA-256(0x00 ‖ entry) with node:crypto,
 * interior nodes hashed as SHA-256(0x01 ‖ left ‖ right) by a custom hash function, no
 * sorting, no duplication of odd nodes. merkletreejs then promotes a lone last node
 * unchanged to the next layer, which yields exactly the RFC 6962 tree (the left subtree
 * is always the largest perfect one). A plain recursive MTH over node:crypto is the
 * second reference.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { MerkleTree } from 'merkletreejs';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/ledger/index.ts';
import { CompactRange } from '../../src/ledger/index.ts';
import { rfc6962 } from '../../src/ledger/index.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';

const leafHash = (e: Uint8Array): Buffer => createHash('sha256').update(Uint8Array.of(0)).update(e).digest();
const nodeHash = (concatenated: Buffer): Buffer => createHash('sha256').update(Uint8Array.of(1)).update(concatenated).digest();

function merkletreejsRoot(entries: Uint8Array[]): string {
  const tree = new MerkleTree(entries.map(leafHash), nodeHash, {
    hashLeaves: false,
    sortLeaves: false,
    sortPairs: false,
    sort: false,
    duplicateOdd: false,
    isBitcoinTree: false,
    complete: false,
  });
  return tree.getRoot().toString('hex');
}

function recursiveRoot(entries: Uint8Array[]): string {
  const mth = (xs: Uint8Array[]): Buffer => {
    if (xs.length === 0) return createHash('sha256').digest();
    if (xs.length === 1) return leafHash(xs[0]!);
    let k = 1;
    while (k * 2 < xs.length) k *= 2;
    return nodeHash(Buffer.concat([mth(xs.slice(0, k)), mth(xs.slice(k))]));
  };
  return mth(entries).toString('hex');
}

describe('cross-check with independent implementations', () => {
  it('CompactRange roots equal merkletreejs (RFC 6962 mode) and a node:crypto recursive MTH', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 600 }), (entries) => {
        const ours = CompactRange.empty(rfc6962);
        const oursNode = CompactRange.empty(nodeRfc6962);
        for (const e of entries) {
          ours.append(rfc6962.hashLeaf(e));
          oursNode.append(nodeRfc6962.hashLeaf(e));
        }
        const want = merkletreejsRoot(entries);
        expect(toHex(ours.root())).toBe(want);
        expect(toHex(oursNode.root())).toBe(want);
        expect(recursiveRoot(entries)).toBe(want);
      }),
      { numRuns: 60 },
    );
  });

  it('agrees at every size of one growing tree', () => {
    const entries: Uint8Array[] = [];
    const ours = CompactRange.empty(nodeRfc6962);
    for (let i = 0; i < 70; i++) {
      const e = Uint8Array.of(i, i >> 8, 0x5a);
      entries.push(e);
      ours.append(nodeRfc6962.hashLeaf(e));
      expect(toHex(ours.root())).toBe(merkletreejsRoot(entries));
    }
  });
});
