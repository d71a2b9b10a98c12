import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitLength, popcount, shr, trailingZeros, xor } from '../../src/ledger/bits.ts';
import {
  assembleProof,
  compactNodeIds,
  completedNodes,
  foldRangeHashes,
  largestPowerOfTwoBelow,
  nodesForPlan,
  planConsistency,
  planInclusion,
  rangeNodes,
  type NodeId,
  type Range,
} from '../../src/ledger/index.ts';
import { rfc6962 } from '../../src/ledger/index.ts';
import { merkleTreeHash } from '../../src/ledger/index.ts';
import { utf8 } from '../../src/ledger/index.ts';
import { LedgerError } from '../../src/ledger/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { loadVector } from './vectors.ts';

const { expectCode } = assertCodes(LedgerError);

interface GeometryVector {
  nodes: Record<string, [number, number]>;
  inclusion: { name: string; leafIndex: number; treeSize: number; path: string[] }[];
  consistency: { name: string; size1: number; size2: number; proof: string[] }[];
}
const geometry = loadVector<GeometryVector>('rfc9162-geometry.json');
const toRanges = (names: string[]): Range[] =>
  names.map((n) => {
    const [begin, end] = geometry.nodes[n]!;
    return { begin, end };
  });

/** Reference PATH(m, D[n]) / PROOF(m, D[n]) written as the RFC's recursions, returning ranges. */
function refPath(m: number, begin: number, end: number): Range[] {
  const n = end - begin;
  if (n === 1) return [];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m < k
    ? [...refPath(m, begin, begin + k), { begin: begin + k, end }]
    : [...refPath(m - k, begin + k, end), { begin, end: begin + k }];
}
function refSubproof(m: number, begin: number, end: number, b: boolean): Range[] {
  const n = end - begin;
  if (m === n) return b ? [] : [{ begin, end }];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k
    ? [...refSubproof(m, begin, begin + k, b), { begin: begin + k, end }]
    : [...refSubproof(m - k, begin + k, end, false), { begin, end: begin + k }];
}

describe('RFC 9162 §2.1.5 example tree', () => {
  for (const v of geometry.inclusion) {
    it(`inclusion ${v.name}`, () => expect(planInclusion(v.leafIndex, v.treeSize)).toEqual(toRanges(v.path)));
  }
  for (const v of geometry.consistency) {
    it(`consistency ${v.name}`, () => expect(planConsistency(v.size1, v.size2)).toEqual(toRanges(v.proof)));
  }
});

describe('planInclusion / planConsistency', () => {
  it('match the RFC recursions for every small tree', () => {
    for (let n = 1; n <= 48; n++) {
      for (let m = 0; m < n; m++) expect(planInclusion(m, n)).toEqual(refPath(m, 0, n));
      for (let m = 1; m <= n; m++) expect(planConsistency(m, n)).toEqual(refSubproof(m, 0, n, true));
    }
  });
  it('match the RFC recursions for random large trees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const m = Math.min(n - 1, Math.floor(f * n));
        expect(planInclusion(m, n)).toEqual(refPath(m, 0, n));
        expect(planConsistency(Math.max(1, m), n)).toEqual(refSubproof(Math.max(1, m), 0, n, true));
      }),
    );
  });
  it('rejects bad arguments', () => {
    expectCode(() => planInclusion(0, 0), 'index_out_of_range');
    expectCode(() => planInclusion(5, 5), 'index_out_of_range');
    expectCode(() => planInclusion(-1, 5), 'index_out_of_range');
    expectCode(() => planInclusion(1.5, 5), 'index_out_of_range');
    expectCode(() => planInclusion(0, -1), 'invalid_tree_size');
    expectCode(() => planInclusion(0, 2 ** 53), 'invalid_tree_size');
    expectCode(() => planInclusion(0, Number.NaN), 'invalid_tree_size');
    expectCode(() => planConsistency(0, 5), 'invalid_tree_size');
    expectCode(() => planConsistency(6, 5), 'invalid_tree_size');
    expectCode(() => planConsistency(1, 2 ** 53), 'invalid_tree_size');
    expect(planConsistency(5, 5)).toEqual([]);
    expect(planInclusion(0, 1)).toEqual([]);
  });
  it('handle the largest safe sizes', () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(planInclusion(max - 1, max)).toHaveLength(52); // the lone last leaf: one sibling per other set bit
    expect(planInclusion(0, max)).toHaveLength(53);
    expect(planConsistency(max - 1, max).length).toBeGreaterThan(0);
    expect(nodesForPlan(planInclusion(max - 1, max))).toHaveLength(52);
  });
});

describe('rangeNodes / largestPowerOfTwoBelow / compactNodeIds', () => {
  it('largest power of two below n', () => {
    expect(largestPowerOfTwoBelow(2)).toBe(1);
    expect(largestPowerOfTwoBelow(3)).toBe(2);
    expect(largestPowerOfTwoBelow(8)).toBe(4);
    expect(largestPowerOfTwoBelow(9)).toBe(8);
    expect(largestPowerOfTwoBelow(Number.MAX_SAFE_INTEGER)).toBe(2 ** 52);
    expectCode(() => largestPowerOfTwoBelow(1), 'invalid_tree_size');
    expectCode(() => largestPowerOfTwoBelow(2 ** 53), 'invalid_tree_size');
  });
  it('decomposes subtree ranges largest first', () => {
    expect(rangeNodes(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes(4, 7)).toEqual([
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes(8, 16)).toEqual([{ level: 3, index: 1 }]);
    expect(compactNodeIds(0)).toEqual([]);
    expect(compactNodeIds(13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(compactNodeIds(Number.MAX_SAFE_INTEGER)).toHaveLength(53);
  });
  it('rejects empty and misaligned ranges', () => {
    expectCode(() => rangeNodes(3, 3), 'invalid_tree_size');
    expectCode(() => rangeNodes(4, 3), 'invalid_tree_size');
    expectCode(() => rangeNodes(1, 5), 'invalid_tree_size'); // 4 leaves starting at 1
    expectCode(() => compactNodeIds(-1), 'invalid_tree_size');
  });
  it('folding the decomposition gives the MTH of the range', () => {
    const leaves = Array.from({ length: 17 }, (_, i) => rfc6962.hashLeaf(utf8(`leaf ${i}`)));
    for (let n = 1; n <= 17; n++) {
      for (let m = 0; m < n; m++) {
        for (const r of planInclusion(m, n)) {
          const hashes = rangeNodes(r.begin, r.end).map((id) =>
            merkleTreeHash(rfc6962, leaves.slice(id.index * 2 ** id.level, (id.index + 1) * 2 ** id.level)),
          );
          expect(foldRangeHashes(rfc6962, hashes)).toEqual(merkleTreeHash(rfc6962, leaves.slice(r.begin, r.end)));
        }
      }
    }
    expectCode(() => foldRangeHashes(rfc6962, []), 'missing_node');
  });
});

describe('completedNodes', () => {
  it('lists the nodes completed by each append', () => {
    expect(completedNodes(0)).toEqual([{ level: 0, index: 0 }]);
    expect(completedNodes(1)).toEqual([
      { level: 0, index: 1 },
      { level: 1, index: 0 },
    ]);
    expect(completedNodes(6)).toEqual([{ level: 0, index: 6 }]);
    expect(completedNodes(7)).toEqual([
      { level: 0, index: 7 },
      { level: 1, index: 3 },
      { level: 2, index: 1 },
      { level: 3, index: 0 },
    ]);
    expect(completedNodes(2 ** 53 - 2)).toEqual([{ level: 0, index: 2 ** 53 - 2 }]);
    expectCode(() => completedNodes(-1), 'index_out_of_range');
  });
  it('over all appends, yields every perfect node exactly once', () => {
    const n = 1000;
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      for (const id of completedNodes(i)) {
        const key = `${id.level}/${id.index}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
        expect((id.index + 1) * 2 ** id.level - 1).toBe(i); // completed by its last leaf
      }
    }
    let perfect = 0;
    for (let level = 0; 2 ** level <= n; level++) perfect += Math.floor(n / 2 ** level);
    expect(seen.size).toBe(perfect);
  });
});

describe('nodesForPlan / assembleProof', () => {
  it('deduplicates nodes', () => {
    const ranges: Range[] = [
      { begin: 0, end: 4 },
      { begin: 0, end: 4 },
      { begin: 4, end: 7 },
    ];
    expect(nodesForPlan(ranges)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });
  it('throws missing_node when storage lacks a node', () => {
    const lookup = (id: NodeId): Uint8Array | undefined => (id.level === 0 ? new Uint8Array(32) : undefined);
    expect(assembleProof(rfc6962, [{ begin: 2, end: 3 }], lookup)).toHaveLength(1);
    expectCode(() => assembleProof(rfc6962, planInclusion(0, 8), lookup), 'missing_node');
  });
});

describe('bit helpers (internal) agree with BigInt', () => {
  it('for random 53-bit values', () => {
    const big = (n: number): bigint => BigInt(n);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (a, b) => {
        expect(big(xor(a, b))).toBe(big(a) ^ big(b));
        expect(bitLength(a)).toBe(a === 0 ? 0 : big(a).toString(2).length);
        expect(popcount(a)).toBe([...big(a).toString(2)].filter((c) => c === '1').length);
        expect(big(shr(a, 7))).toBe(big(a) >> 7n);
        if (a > 0) expect(trailingZeros(a)).toBe(big(a).toString(2).length - 1 - big(a).toString(2).lastIndexOf('1'));
      }),
    );
  });
});
