import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/ledger/index.ts';
import { CompactRange } from '../../src/ledger/index.ts';
import { rfc6962, type Hasher } from '../../src/ledger/index.ts';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../../src/ledger/index.ts';
import { assembleProof, planConsistency, planInclusion, type NodeId } from '../../src/ledger/index.ts';
import { LedgerError } from '../../src/ledger/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { loadVectorDir, type ConsistencyVector, type InclusionVector } from './vectors.ts';

const { expectCode } = assertCodes(LedgerError);

const hx = (hs: string[]): Uint8Array[] => hs.map((h) => fromHex(h));

describe('inclusion vectors (tests/vectors/inclusion)', () => {
  const vectors = loadVectorDir<InclusionVector>('inclusion');
  it('has the expected cases', () => expect(vectors.length).toBeGreaterThanOrEqual(20));
  for (const v of vectors) {
    it(`${v.name}: ${v.description}`, () => {
      const run = (): void =>
        verifyInclusion(rfc6962, v.leafIndex, v.treeSize, fromHex(v.leafHash), hx(v.proof), fromHex(v.root));
      if (v.wantError === null) {
        run();
        expect(toHex(rootFromInclusionProof(rfc6962, v.leafIndex, v.treeSize, fromHex(v.leafHash), hx(v.proof)))).toBe(v.root);
      } else {
        expectCode(run, v.wantError);
      }
    });
  }
});

describe('consistency vectors (tests/vectors/consistency)', () => {
  const vectors = loadVectorDir<ConsistencyVector>('consistency');
  it('has the expected cases', () => expect(vectors.length).toBeGreaterThanOrEqual(20));
  for (const v of vectors) {
    it(`${v.name}: ${v.description}`, () => {
      const run = (): void => verifyConsistency(rfc6962, v.size1, v.size2, hx(v.proof), fromHex(v.root1), fromHex(v.root2));
      if (v.wantError === null) run();
      else expectCode(run, v.wantError);
    });
  }
});

/** A tree of `n` leaves with its perfect nodes in a map (filled by CompactRange's onNode) and every root. */
function buildTree(entries: Uint8Array[]): { leaves: Uint8Array[]; roots: Uint8Array[]; lookup: (id: NodeId) => Uint8Array | undefined } {
  const nodes = new Map<string, Uint8Array>();
  const cr = CompactRange.empty(rfc6962);
  const leaves: Uint8Array[] = [];
  const roots: Uint8Array[] = [cr.root()];
  for (const e of entries) {
    const h = rfc6962.hashLeaf(e);
    leaves.push(h);
    cr.append(h, (id, hash) => nodes.set(`${id.level}/${id.index}`, hash));
    roots.push(cr.root());
  }
  return { leaves, roots, lookup: (id) => nodes.get(`${id.level}/${id.index}`) };
}

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[Math.floor(bit / 8) % c.length]! ^= 1 << bit % 8;
  return c;
}

const MAX = 3000;

describe('proofs from a stored tree (property tests)', () => {
  let big: ReturnType<typeof buildTree>;
  beforeAll(() => {
    big = buildTree(Array.from({ length: MAX }, (_, i) => utf8(`entry ${i}`)));
  });

  const inclusionProof = (index: number, size: number): Uint8Array[] =>
    assembleProof(rfc6962, planInclusion(index, size), big.lookup);
  const consistencyProof = (m: number, n: number): Uint8Array[] => assembleProof(rfc6962, planConsistency(m, n), big.lookup);

  it('every inclusion and consistency proof of every tree up to 64 leaves verifies', () => {
    for (let n = 1; n <= 64; n++) {
      for (let m = 0; m < n; m++) verifyInclusion(rfc6962, m, n, big.leaves[m]!, inclusionProof(m, n), big.roots[n]!);
      for (let m = 1; m <= n; m++) verifyConsistency(rfc6962, m, n, consistencyProof(m, n), big.roots[m]!, big.roots[n]!);
      verifyConsistency(rfc6962, 0, n, [], big.roots[0]!, big.roots[n]!);
    }
  });

  it('random inclusion proofs verify; any flipped bit or wrong length fails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), fc.nat(), fc.nat(), fc.constantFrom('proof', 'leaf', 'root'), (size, i, bit, where) => {
        const index = i % size;
        const proof = inclusionProof(index, size);
        const leaf = big.leaves[index]!;
        const root = big.roots[size]!;
        verifyInclusion(rfc6962, index, size, leaf, proof, root);
        expect(rootFromInclusionProof(rfc6962, index, size, leaf, proof)).toEqual(root);

        const target = where === 'proof' && proof.length === 0 ? 'leaf' : where;
        if (target === 'proof') {
          const bad = proof.slice();
          const k = bit % bad.length;
          bad[k] = flipBit(bad[k]!, bit % 256);
          expectCode(() => verifyInclusion(rfc6962, index, size, leaf, bad, root), 'inclusion_mismatch');
        } else if (target === 'leaf') {
          expectCode(() => verifyInclusion(rfc6962, index, size, flipBit(leaf, bit % 256), proof, root), 'inclusion_mismatch');
        } else {
          expectCode(() => verifyInclusion(rfc6962, index, size, leaf, proof, flipBit(root, bit % 256)), 'inclusion_mismatch');
        }
        expectCode(() => verifyInclusion(rfc6962, index, size, leaf, [...proof, root], root), 'proof_wrong_length');
        if (proof.length > 0) {
          expectCode(() => verifyInclusion(rfc6962, index, size, leaf, proof.slice(1), root), 'proof_wrong_length');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('random consistency proofs verify; any flipped bit or wrong length fails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), fc.nat(), fc.nat(), fc.constantFrom('proof', 'root1', 'root2'), (n, a, bit, where) => {
        const m = 1 + (a % n);
        const proof = consistencyProof(m, n);
        const r1 = big.roots[m]!;
        const r2 = big.roots[n]!;
        verifyConsistency(rfc6962, m, n, proof, r1, r2);
        if (m === n) {
          expect(proof).toEqual([]);
          expectCode(() => verifyConsistency(rfc6962, m, n, proof, r1, flipBit(r2, bit % 256)), 'consistency_mismatch');
          expectCode(() => verifyConsistency(rfc6962, m, n, [r1], r1, r2), 'proof_wrong_length');
          return;
        }
        if (where === 'proof') {
          const bad = proof.slice();
          const k = bit % bad.length;
          bad[k] = flipBit(bad[k]!, bit % 256);
          expectCode(() => verifyConsistency(rfc6962, m, n, bad, r1, r2), 'consistency_mismatch');
        } else if (where === 'root1') {
          expectCode(() => verifyConsistency(rfc6962, m, n, proof, flipBit(r1, bit % 256), r2), 'consistency_mismatch');
        } else {
          expectCode(() => verifyConsistency(rfc6962, m, n, proof, r1, flipBit(r2, bit % 256)), 'consistency_mismatch');
        }
        expectCode(() => verifyConsistency(rfc6962, m, n, [...proof, r2], r1, r2), 'proof_wrong_length');
        expectCode(() => verifyConsistency(rfc6962, m, n, proof.slice(1), r1, r2), 'proof_wrong_length');
      }),
      { numRuns: 200 },
    );
  });

  it('proofs over random leaves verify (fresh small trees)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 80 }), fc.nat(), fc.nat(), (entries, a, b) => {
        const t = buildTree(entries);
        const n = entries.length;
        const index = a % n;
        const m = 1 + (b % n);
        verifyInclusion(rfc6962, index, n, t.leaves[index]!, assembleProof(rfc6962, planInclusion(index, n), t.lookup), t.roots[n]!);
        verifyConsistency(rfc6962, m, n, assembleProof(rfc6962, planConsistency(m, n), t.lookup), t.roots[m]!, t.roots[n]!);
      }),
      { numRuns: 100 },
    );
  });
});

describe('preconditions are checked before hashing', () => {
  const counting = (): Hasher & { calls: number } => {
    const h = {
      calls: 0,
      emptyRoot: () => rfc6962.emptyRoot(),
      hashLeaf: (e: Uint8Array) => {
        h.calls++;
        return rfc6962.hashLeaf(e);
      },
      hashChildren: (l: Uint8Array, r: Uint8Array) => {
        h.calls++;
        return rfc6962.hashChildren(l, r);
      },
    };
    return h;
  };
  const x = new Uint8Array(32);
  it('inclusion', () => {
    const h = counting();
    expectCode(() => verifyInclusion(h, 0, 2 ** 52, x, [x, x], x), 'proof_wrong_length');
    expectCode(() => verifyInclusion(h, 2 ** 52, 2 ** 52, x, [], x), 'index_out_of_range');
    expectCode(() => verifyInclusion(h, 0, -3, x, [], x), 'invalid_tree_size');
    expectCode(() => verifyInclusion(h, 0, 8, x, [x, x, new Uint8Array(33)], x), 'inclusion_mismatch');
    expect(h.calls).toBe(0);
  });
  it('consistency', () => {
    const h = counting();
    expectCode(() => verifyConsistency(h, 3, 2 ** 52, [x], x, x), 'proof_wrong_length');
    expectCode(() => verifyConsistency(h, 9, 8, [], x, x), 'invalid_tree_size');
    expectCode(() => verifyConsistency(h, 1.5, 8, [], x, x), 'invalid_tree_size');
    expectCode(() => verifyConsistency(h, 6, 8, [x, x, x], x, new Uint8Array(0)), 'consistency_mismatch');
    expect(h.calls).toBe(0);
  });
  it('an empty root and leaf of a one-leaf tree do not verify', () => {
    const e = new Uint8Array(0);
    expectCode(() => verifyInclusion(rfc6962, 0, 1, e, [], e), 'inclusion_mismatch');
    expectCode(() => verifyConsistency(rfc6962, 1, 1, [], e, e), 'consistency_mismatch');
  });
});

describe('large trees', () => {
  /**
   * Node hashes for a huge tree without hashing it: nodes on the path to leaf `target` are
   * computed from their children (the verifier recomputes exactly those); all other nodes
   * are opaque hashes derived from their id.
   */
  const pathTree = (target: number): ((id: NodeId) => Uint8Array) => {
    const memo = new Map<string, Uint8Array>();
    const node = (id: NodeId): Uint8Array => {
      const key = `${id.level}/${id.index}`;
      let h = memo.get(key);
      if (h === undefined) {
        h =
          id.level > 0 && id.index === Math.floor(target / 2 ** id.level)
            ? rfc6962.hashChildren(node({ level: id.level - 1, index: 2 * id.index }), node({ level: id.level - 1, index: 2 * id.index + 1 }))
            : rfc6962.hashLeaf(utf8(key));
        memo.set(key, h);
      }
      return h;
    };
    return node;
  };

  it('inclusion and consistency proofs verify for sizes up to 2^53 − 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (size, f) => {
          const index = Math.min(size - 1, Math.floor(f * size));
          const incl = pathTree(index);
          const root = assembleProof(rfc6962, [{ begin: 0, end: size }], incl)[0]!;
          verifyInclusion(rfc6962, index, size, incl({ level: 0, index }), assembleProof(rfc6962, planInclusion(index, size), incl), root);

          const m = Math.max(1, index);
          const cons = pathTree(m - 1);
          const root1 = assembleProof(rfc6962, [{ begin: 0, end: m }], cons)[0]!;
          const root2 = assembleProof(rfc6962, [{ begin: 0, end: size }], cons)[0]!;
          const proof = assembleProof(rfc6962, planConsistency(m, size), cons);
          verifyConsistency(rfc6962, m, size, proof, root1, root2);
          if (proof.length > 0) {
            expectCode(() => verifyConsistency(rfc6962, m, size, proof.slice(1), root1, root2), 'proof_wrong_length');
          }
        },
      ),
      { numRuns: 100 },
    );
    const max = Number.MAX_SAFE_INTEGER;
    const t = pathTree(max - 1);
    const root = assembleProof(rfc6962, [{ begin: 0, end: max }], t)[0]!;
    verifyInclusion(rfc6962, max - 1, max, t({ level: 0, index: max - 1 }), assembleProof(rfc6962, planInclusion(max - 1, max), t), root);
  });
});
