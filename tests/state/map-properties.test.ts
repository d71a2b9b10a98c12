/**
 * Properties of the state map under random histories (fast-check): the root depends only
 * on the contents (not on order, batching or history); every present key proves its value
 * and every absent key its absence; a proof that verifies never lies, whatever key, value
 * or bytes it is checked with; any changed byte of a proof fails; an update reports
 * exactly the nodes it adds and the nodes it leaves behind.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, sha256, toHex, utf8 } from '../../src/ledger/index.ts';
import {
  EMPTY_HASH,
  MemoryNodeStore,
  decodeMapNode,
  emptyMapRoot,
  encodeMapProof,
  proveMapKey,
  proveMapKeys,
  verifyMapProof,
  type MapUpdate,
} from '../../src/state/map/index.ts';
import { nodeSha256 } from '../../src/state/map/node/index.ts';
import { commit } from './helpers.ts';

const POOL = 48; // a small key space, so that batches insert, update and delete the same keys
const keyOf = (i: number) => utf8(`DIP-2025-${String(i).padStart(6, '0')}`);
const arbValue = fc.uint8Array({ minLength: 32, maxLength: 32 });
const arbBatch = fc.uniqueArray(fc.record({ k: fc.nat({ max: POOL - 1 }), v: fc.option(arbValue, { freq: 3 }) }), {
  selector: (op) => op.k,
  maxLength: 20,
});
const arbHistory = fc.array(arbBatch, { minLength: 1, maxLength: 8 });

type Model = Map<number, Uint8Array>;

async function play(history: { k: number; v: Uint8Array | null }[][]): Promise<{ store: MemoryNodeStore; root: Uint8Array; model: Model }> {
  const store = new MemoryNodeStore();
  let root = emptyMapRoot();
  const model: Model = new Map();
  for (const batch of history) {
    root = (await commit(store, root, batch.map((op) => ({ key: keyOf(op.k), value: op.v })), nodeSha256)).root;
    for (const op of batch) {
      if (op.v === null) model.delete(op.k);
      else model.set(op.k, op.v);
    }
  }
  return { store, root, model };
}

/** Every node hash reachable from `root` (hex). */
function reachable(store: MemoryNodeStore, root: Uint8Array): Set<string> {
  const out = new Set<string>();
  const stack = [root];
  while (stack.length > 0) {
    const h = stack.pop()!;
    if (bytesEqual(h, EMPTY_HASH)) continue;
    const [bytes] = store.getNodesNow([h]);
    expect(bytes, 'a reachable node is in the store').toBeDefined();
    out.add(toHex(h));
    const node = decodeMapNode(bytes);
    if (node.kind === 'interior') stack.push(node.left, node.right);
  }
  return out;
}

describe('state map properties', () => {
  it('the root depends only on the contents: any history equals one batch in any order', async () => {
    await fc.assert(
      fc.asyncProperty(arbHistory, fc.nat(), fc.integer({ min: 1, max: 7 }), async (history, seed, chunk) => {
        const { root, model } = await play(history);
        const entries: MapUpdate[] = [...model].map(([k, v]) => ({ key: keyOf(k), value: v }));
        // one batch, reversed
        const a = await commit(new MemoryNodeStore(), emptyMapRoot(), [...entries].reverse(), sha256);
        expect(toHex(a.root)).toBe(toHex(root));
        // shuffled, in chunks of `chunk`, on the other hasher
        const shuffled = entries.map((e, i) => ({ e, r: (i * 7919 + seed) % 104729 })).sort((x, y) => x.r - y.r).map((x) => x.e);
        const store = new MemoryNodeStore();
        let r = emptyMapRoot();
        for (let i = 0; i < shuffled.length; i += chunk) r = (await commit(store, r, shuffled.slice(i, i + chunk), nodeSha256)).root;
        expect(toHex(r)).toBe(toHex(root));
        if (model.size === 0) expect(toHex(root)).toBe(toHex(EMPTY_HASH));
      }),
      { numRuns: 80 },
    );
  });

  it('every present key proves its value, every absent key its absence; batch proofs equal single ones', async () => {
    await fc.assert(
      fc.asyncProperty(arbHistory, async (history) => {
        const { store, root, model } = await play(history);
        const keys = Array.from({ length: POOL + 4 }, (_, i) => keyOf(i));
        const batch = await proveMapKeys(store, root, keys, nodeSha256);
        for (let i = 0; i < keys.length; i++) {
          const want = model.get(i) ?? null;
          const got = await proveMapKey(store, root, keys[i]!, sha256);
          expect(got.value === null ? null : toHex(got.value)).toBe(want === null ? null : toHex(want));
          expect(got.proof.end.kind === 'present').toBe(want !== null);
          expect(toHex(encodeMapProof(batch[i]!.proof))).toBe(toHex(encodeMapProof(got.proof)));
          expect(verifyMapProof(root, keys[i]!, want, got.proof, sha256)).toBe(true);
          expect(verifyMapProof(root, keys[i]!, want, encodeMapProof(got.proof), nodeSha256)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a proof that verifies never lies, whichever key and value it is checked with', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbHistory,
        fc.nat({ max: POOL + 3 }),
        fc.nat({ max: POOL + 3 }),
        fc.constantFrom('true', 'null', 'other'),
        arbValue,
        async (history, x, y, claim, other) => {
          const { store, root, model } = await play(history);
          const { proof } = await proveMapKey(store, root, keyOf(x), nodeSha256);
          const truth = model.get(y) ?? null;
          const claimed = claim === 'true' ? truth : claim === 'null' ? null : other;
          if (verifyMapProof(root, keyOf(y), claimed, encodeMapProof(proof), nodeSha256)) {
            expect(claimed === null ? null : toHex(claimed)).toBe(truth === null ? null : toHex(truth));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any altered byte, truncation or extension of a proof fails; so does another value', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbHistory,
        fc.nat({ max: POOL + 3 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        arbValue,
        async (history, x, at, mask, extra, other) => {
          const { store, root, model } = await play(history);
          const key = keyOf(x);
          const value = model.get(x) ?? null;
          const bytes = encodeMapProof((await proveMapKey(store, root, key, nodeSha256)).proof);
          const altered = bytes.slice();
          altered[at % bytes.length]! ^= mask;
          expect(verifyMapProof(root, key, value, altered, nodeSha256)).toBe(false);
          expect(verifyMapProof(root, key, value, bytes.subarray(0, at % bytes.length), nodeSha256)).toBe(false);
          const longer = new Uint8Array(bytes.length + extra.length);
          longer.set(bytes);
          longer.set(extra, bytes.length);
          expect(verifyMapProof(root, key, value, longer, nodeSha256)).toBe(false);
          if (value !== null && !bytesEqual(value, other)) expect(verifyMapProof(root, key, other, bytes, nodeSha256)).toBe(false);
          if (value === null) expect(verifyMapProof(root, key, other, bytes, nodeSha256)).toBe(false);
          else expect(verifyMapProof(root, key, null, bytes, nodeSha256)).toBe(false);
          const flippedRoot = root.slice();
          flippedRoot[at % 32]! ^= mask;
          expect(verifyMapProof(flippedRoot, key, value, bytes, nodeSha256)).toBe(false);
          expect(verifyMapProof(root, key, value, bytes, nodeSha256)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an update adds exactly the new tree’s new nodes and retires exactly the old tree’s dropped ones', async () => {
    await fc.assert(
      fc.asyncProperty(arbHistory, async (history) => {
        const store = new MemoryNodeStore();
        let root = emptyMapRoot();
        for (const batch of history) {
          const before = reachable(store, root);
          const c = await commit(store, root, batch.map((op) => ({ key: keyOf(op.k), value: op.v })), nodeSha256);
          const after = reachable(store, c.root);
          const added = [...after].filter((h) => !before.has(h)).sort();
          const dropped = [...before].filter((h) => !after.has(h)).sort();
          expect(c.newNodes.map((n) => toHex(n.hash)).sort()).toEqual(added);
          expect(c.staleNodes.map(toHex).sort()).toEqual(dropped);
          for (const n of c.newNodes) expect(toHex(nodeSha256(n.bytes))).toBe(toHex(n.hash));
          root = c.root;
        }
      }),
      { numRuns: 80 },
    );
  });

  it('pruning the stale nodes of each commit keeps exactly the live tree', async () => {
    await fc.assert(
      fc.asyncProperty(arbHistory, async (history) => {
        const store = new MemoryNodeStore();
        let root = emptyMapRoot();
        for (const batch of history) {
          const c = await commit(store, root, batch.map((op) => ({ key: keyOf(op.k), value: op.v })), nodeSha256);
          store.deleteNodes(c.staleNodes);
          root = c.root;
          expect(store.size).toBe(reachable(store, root).size);
        }
      }),
      { numRuns: 60 },
    );
  });
});
