/**
 * The pure integration step and the rollback/fork check. Known answers come from the
 * independent RFC 9162 implementation in tests/helpers/tlog-client.ts (no code shared
 * with src/ledger): roots by the MTH recursion, consistency proofs by SUBPROOF.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkExtends, emptyTreeState, integrate, LedgerError, nextTime, openTreeState, rfc6962, type TreeState } from '../../src/ledger/index.ts';
import * as ref from '../helpers/tlog-client.ts';
import { assertCodes } from '../helpers/assert-code.ts';

const { expectCode } = assertCodes(LedgerError);

const T0 = new Date('2026-03-01T00:00:00.000Z');
const leaves = (n: number, tag = 'e') => Array.from({ length: n }, (_, i) => ref.leafHash(new TextEncoder().encode(`${tag}${i}`)));

/** Every perfect subtree of [0, n): the nodes a tree of n leaves has completed. */
function completeNodes(all: Uint8Array[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let level = 0; 2 ** level <= all.length; level++)
    for (let i = 0; (i + 1) * 2 ** level <= all.length; i++) out.set(`${level}/${i}`, ref.hex(ref.mth(all.slice(i * 2 ** level, (i + 1) * 2 ** level))));
  return out;
}

function integrateAll(batches: Uint8Array[][]): { state: TreeState; nodes: Map<string, string> } {
  let state = emptyTreeState(rfc6962, T0);
  const nodes = new Map<string, string>();
  for (const b of batches) {
    const w = integrate(rfc6962, { state, leaves: b, now: T0 });
    expect(w.firstIndex).toBe(state.size);
    for (const n of w.nodes) {
      const key = `${n.id.level}/${n.id.index}`;
      expect(nodes.has(key), `node ${key} written twice`).toBe(false);
      nodes.set(key, ref.hex(n.hash));
    }
    state = w.state;
  }
  return { state, nodes };
}

describe('integrate', () => {
  it('gives the RFC 9162 root and exactly the complete nodes, however the leaves are batched', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        const all = leaves(sizes.reduce((a, b) => a + b, 0));
        const batches: Uint8Array[][] = [];
        let at = 0;
        for (const s of sizes) batches.push(all.slice(at, (at += s)));
        const { state, nodes } = integrateAll(batches);
        expect(state.size).toBe(all.length);
        expect(ref.hex(state.rootHash)).toBe(ref.hex(ref.mth(all)));
        expect(nodes).toEqual(completeNodes(all));
        // the stored right edge reopens to the same root
        expect(ref.hex(openTreeState(rfc6962, state).root())).toBe(ref.hex(state.rootHash));
      }),
      { numRuns: 60, seed: 14 },
    );
  });

  it('refuses a tree state whose right edge does not fold to its root or does not fit its size', () => {
    const { state } = integrateAll([leaves(11)]);
    const flipped = state.edge.map((h) => h.slice());
    flipped[1]![0]! ^= 1;
    expectCode(() => integrate(rfc6962, { state: { ...state, edge: flipped }, leaves: leaves(1, 'x'), now: T0 }), 'tree_state_corrupt');
    expectCode(() => integrate(rfc6962, { state: { ...state, edge: state.edge.slice(1) }, leaves: [], now: T0 }), 'tree_state_corrupt');
    expectCode(() => openTreeState(rfc6962, { ...state, size: 12 }), 'tree_state_corrupt');
    expectCode(() => openTreeState(rfc6962, { ...state, rootHash: ref.mth(leaves(10)) }), 'tree_state_corrupt');
  });

  it('never lets time go back: a slightly slow clock keeps the stored time, a clock further behind is fatal', () => {
    const later = new Date(T0.getTime() + 60_000);
    const { state } = integrateAll([leaves(3)]);
    const atLater = integrate(rfc6962, { state, leaves: leaves(1, 'a'), now: later }).state;
    expect(atLater.time.toISOString()).toBe(later.toISOString());
    const skewed = integrate(rfc6962, { state: atLater, leaves: leaves(1, 'b'), now: new Date(later.getTime() - 400), maxClockSkewMs: 500 }).state;
    expect(skewed.time.toISOString()).toBe(later.toISOString());
    expectCode(() => integrate(rfc6962, { state: atLater, leaves: leaves(1, 'c'), now: new Date(later.getTime() - 600), maxClockSkewMs: 500 }), 'clock_went_back');
    expectCode(() => nextTime(later, T0), 'clock_went_back');
    expect(nextTime(undefined, T0).toISOString()).toBe(T0.toISOString());
  });
});

describe('checkExtends (the rollback and fork guard)', () => {
  const all = leaves(300, 'log');
  const head = (n: number, from = all) => ({ size: n, rootHash: ref.mth(from.slice(0, n)) });

  it('accepts the same tree and every append-only extension with its consistency proof', () => {
    for (const [m, n] of [[1, 1], [1, 2], [7, 8], [8, 9], [100, 255], [128, 256], [255, 300], [299, 300]] as const)
      checkExtends(rfc6962, head(m), head(n), ref.consistency(m, all.slice(0, n)));
    checkExtends(rfc6962, head(0), head(5));
  });

  it('names a smaller tree a rollback', () => {
    expectCode(() => checkExtends(rfc6962, head(200), head(150), []), 'tree_rolled_back');
    expectCode(() => checkExtends(rfc6962, head(1), head(0), []), 'tree_rolled_back');
  });

  it('names another root for a signed size, or a tree that does not extend it, a fork', () => {
    const other = [...all.slice(0, 150), ...leaves(150, 'fork')];
    expectCode(() => checkExtends(rfc6962, head(200), head(200, other), []), 'tree_forked');
    // a proof built from the rewritten tree cannot link the old root to the new one
    expectCode(() => checkExtends(rfc6962, head(200), head(300, other), ref.consistency(200, other)), 'tree_forked');
    // nor a proof of the honest tree (it leads to the honest root, not the forked one)
    expectCode(() => checkExtends(rfc6962, head(200), head(300, other), ref.consistency(200, all)), 'tree_forked');
    // a missing or truncated proof is no proof
    expectCode(() => checkExtends(rfc6962, head(200), head(300), []), 'tree_forked');
    expectCode(() => checkExtends(rfc6962, head(200), head(300), ref.consistency(200, all).slice(1)), 'tree_forked');
  });
});
