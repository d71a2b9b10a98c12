import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/ledger/index.ts';
import { rfc6962, sha256, withNodeMemo } from '../../src/ledger/index.ts';
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

describe('withNodeMemo', () => {
  it('answers every node as the plain hasher does, remembered or not, with fresh arrays', () => {
    const memo = withNodeMemo(nodeRfc6962);
    expect(withNodeMemo(nodeRfc6962)).toBe(memo);
    // few distinct hashes, so pairs recur and slots collide (same first two bytes, other bytes)
    const pool = Array.from({ length: 6 }, (_, i) => {
      const h = new Uint8Array(createHash('sha256').update(String(i)).digest());
      if (i % 2) h.set(pool0Prefix, 0);
      return h;
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5), fc.nat(5)), { minLength: 1, maxLength: 60 }), (pairs) => {
        for (const [a, b] of pairs) {
          const out = memo.hashChildren(pool[a]!, pool[b]!);
          expect(toHex(out)).toBe(createHash('sha256').update(Uint8Array.of(1)).update(pool[a]!).update(pool[b]!).digest('hex'));
          out.fill(0); // the caller's copy: the remembered node stays as it was
        }
      }),
    );
    expect(toHex(memo.hashLeaf(utf8('x')))).toBe(toHex(rfc6962.hashLeaf(utf8('x'))));
    expect(toHex(memo.emptyRoot())).toBe(tree.emptyRoot);
  });
  it('is not fooled by an input changed after it was remembered', () => {
    const memo = withNodeMemo(rfc6962);
    const l = new Uint8Array(32).fill(7);
    const r = new Uint8Array(32).fill(9);
    const first = toHex(memo.hashChildren(l, r));
    r[31] = 10;
    expect(toHex(memo.hashChildren(l, r))).toBe(createHash('sha256').update(Uint8Array.of(1)).update(l).update(r).digest('hex'));
    expect(toHex(memo.hashChildren(l, r))).not.toBe(first);
  });
});
const pool0Prefix = new Uint8Array(createHash('sha256').update('0').digest()).subarray(0, 2);
