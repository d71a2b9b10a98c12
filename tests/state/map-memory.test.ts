/**
 * The in-memory map (src/state/map/memory.ts) against the known answers of
 * tests/vectors/state-map (computed by tests/state/state_map_ref.py from the spec alone)
 * and against the node-store implementation under random histories (fast-check): the
 * same roots step by step, the same proofs byte for byte, the same nodes, and a staged
 * update that is discarded leaves the map exactly as it was.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, sha256, toHex, utf8 } from '../../src/ledger/index.ts';
import { MemoryNodeStore, emptyMapRoot, encodeMapProof, proveMapKeys, type MapUpdate, type Sha256 } from '../../src/state/map/index.ts';
import { MemoryMap } from '../../src/state/map/memory.ts';
import { nodeSha256 } from '../../src/state/map/node/index.ts';
import { commit, expectMapCode, loadDir, type MapVector } from './helpers.ts';

const hashers: [string, Sha256][] = [
  ['@noble sha256', sha256],
  ['node:crypto sha256', nodeSha256],
];
const hexOrNull = (h: string | null) => (h === null ? null : fromHex(h));

describe('MemoryMap: the maps of tests/vectors/state-map', () => {
  for (const m of loadDir<MapVector>('maps')) {
    for (const [hname, h] of hashers) {
      it(`${m.name}: every root and every proof (${hname})`, () => {
        const map = new MemoryMap(h);
        for (const step of m.steps) {
          expect(toHex(map.apply(step.updates.map((u) => ({ key: fromHex(u.key), value: hexOrNull(u.value) }))))).toBe(step.root);
          expect(toHex(map.root)).toBe(step.root);
        }
        expect(toHex(map.root)).toBe(m.root);
        const got = map.prove(m.lookups.map((lk) => fromHex(lk.key)));
        m.lookups.forEach((lk, i) => {
          expect(got[i]!.value === null ? null : toHex(got[i]!.value!)).toBe(lk.value);
          expect(toHex(encodeMapProof(got[i]!.proof))).toBe(lk.proof);
        });
        // the nodes it holds are exactly the tree's, and rebuild the same map
        const again = MemoryMap.fromNodes(map.root, map.nodes(), h);
        expect(toHex(again.root)).toBe(m.root);
        expect(again.size).toBe(map.size);
        expect(again.prove(m.lookups.map((lk) => fromHex(lk.key))).map((p) => toHex(encodeMapProof(p.proof)))).toEqual(m.lookups.map((lk) => lk.proof));
      });
    }
  }
});

const POOL = 48;
const keyOf = (i: number) => utf8(`DIP-2025-${String(i).padStart(6, '0')}`);
const arbValue = fc.uint8Array({ minLength: 32, maxLength: 32 });
const arbBatch = fc.uniqueArray(fc.record({ k: fc.nat({ max: POOL - 1 }), v: fc.option(fc.oneof(arbValue, fc.constant(new Uint8Array(32))), { freq: 3 }) }), {
  selector: (op) => op.k,
  maxLength: 20,
});
const arbHistory = fc.array(fc.tuple(arbBatch, fc.boolean()), { minLength: 1, maxLength: 10 });

describe('MemoryMap against the node store', () => {
  it('gives the same roots, proofs and nodes after any history; a discarded update changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(arbHistory, async (history) => {
        const store = new MemoryNodeStore();
        let root = emptyMapRoot();
        const map = new MemoryMap(nodeSha256);
        for (const [batch, discard] of history) {
          const updates: MapUpdate[] = batch.map((op) => ({ key: keyOf(op.k), value: op.v }));
          const before = toHex(map.root);
          const size = map.size;
          const staged = map.stage(updates);
          if (discard) {
            map.discard(staged);
            expect(toHex(map.root)).toBe(before);
            expect(map.size).toBe(size);
            continue;
          }
          const c = await commit(store, root, updates, nodeSha256);
          store.deleteNodes(c.staleNodes);
          root = c.root;
          expect(toHex(staged.root)).toBe(toHex(root));
          map.adopt(staged);
          expect(toHex(map.root)).toBe(toHex(root));
        }
        const keys = Array.from({ length: POOL }, (_, i) => keyOf(i));
        const want = await proveMapKeys(store, root, keys, nodeSha256);
        const got = map.prove(keys);
        expect(got.map((p) => toHex(encodeMapProof(p.proof)))).toEqual(want.map((p) => toHex(encodeMapProof(p.proof))));
        expect(got.map((p) => (p.value ? toHex(p.value) : null))).toEqual(want.map((p) => (p.value ? toHex(p.value) : null)));
        // exactly the newest tree's nodes: those the pruned node store keeps
        const held = new Map([...map.nodes()].map((n) => [toHex(n.hash), toHex(n.bytes)]));
        expect(held.size).toBe(map.size);
        expect(new Map([...store.hashes()].map((h) => [toHex(h), toHex(store.getNodesNow([h])[0]!)]))).toEqual(held);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what applyMapUpdates refuses, staging nothing', () => {
    const map = new MemoryMap(nodeSha256);
    map.apply([{ key: keyOf(1), value: new Uint8Array(32) }]);
    const size = map.size;
    expectMapCode(() => map.stage([{ key: new Uint8Array(0), value: null }]), 'invalid_key');
    expectMapCode(() => map.stage([{ key: keyOf(2), value: new Uint8Array(31) }]), 'invalid_value');
    expectMapCode(() => map.stage([{ key: keyOf(2), value: null }, { key: keyOf(2), value: new Uint8Array(32) }]), 'duplicate_key');
    expect(map.size).toBe(size);
  });
});
