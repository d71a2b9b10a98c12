import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/ledger/index.ts';
import { rfc6962, sha256 } from '../../src/ledger/index.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { loadVector, type TreeVector } from './vectors.ts';

const tree = loadVector<TreeVector>('rfc6962-tree.json');

describe('rfc6962 hasher', () => {
  it('hashes the empty tree as SHA-256("")', () => {
    expect(toHex(rfc6962.emptyRoot())).toBe(tree.emptyRoot);
    expect(toHex(nodeRfc6962.emptyRoot())).toBe(tree.emptyRoot);
  });
  it('gives the known root of a one-leaf tree (leaf "" → 6e340b9c…)', () => {
    expect(toHex(rfc6962.hashLeaf(new Uint8Array(0)))).toBe(tree.roots[0]!.root);
  });
  it('uses the 0x00 leaf and 0x01 node prefixes (RFC 6962 §2.1)', () => {
    const l = utf8('L');
    const r = utf8('R');
    expect(toHex(rfc6962.hashLeaf(l))).toBe(createHash('sha256').update(Uint8Array.of(0, 0x4c)).digest('hex'));
    expect(toHex(rfc6962.hashChildren(l, r))).toBe(createHash('sha256').update(Uint8Array.of(1, 0x4c, 0x52)).digest('hex'));
  });
  it('sha256 matches FIPS 180-4 "abc"', () => {
    expect(toHex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('node:crypto and @noble hashers agree and return plain Uint8Arrays', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (e, h) => {
        expect(nodeRfc6962.hashLeaf(e)).toEqual(rfc6962.hashLeaf(e));
        expect(nodeRfc6962.hashChildren(h, e)).toEqual(rfc6962.hashChildren(h, e));
      }),
    );
    expect(Buffer.isBuffer(nodeRfc6962.hashLeaf(fromHex('00')))).toBe(false);
  });
});
