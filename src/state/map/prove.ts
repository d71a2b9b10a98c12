/**
 * Proof generation (docs/state-map.md §5): walk each key's path from the root, reading
 * one node per level, and collect the siblings. Many keys are proven together with one
 * `getNodes` call per level for all of them.
 */
import { bytesEqual } from '../../ledger/index.ts';
import { MapError } from './errors.ts';
import { HASH_BYTES, MAX_DEPTH, checkRoot, isEmptyHash, mapKeyHash, pathBit, type Sha256 } from './hashing.ts';
import type { MapProof } from './proof.ts';
import { decodeMapNode, type MapNodeStore } from './store.ts';

/** A key's value hash in the map (null when absent) and the proof of it. */
export interface ProvenMapValue {
  readonly value: Uint8Array | null;
  readonly proof: MapProof;
}

interface Walk {
  keyHash: Uint8Array;
  at: Uint8Array;
  siblings: (Uint8Array | null)[];
  done?: ProvenMapValue;
}

/**
 * Looks up each of `keys` in the map under `root` and proves the answer — presence with
 * its value hash, or absence (docs/state-map.md §5). Reads one batch of nodes per tree
 * level for all keys together; O(log n) levels for n keys in the map.
 * @throws MapError `invalid_root`, `invalid_key`, `missing_node`, `malformed_node`.
 */
export async function proveMapKeys(store: MapNodeStore, root: Uint8Array, keys: readonly Uint8Array[], sha256: Sha256): Promise<ProvenMapValue[]> {
  checkRoot(root);
  const walks: Walk[] = keys.map((key) => ({ keyHash: mapKeyHash(key, sha256), at: root.slice(), siblings: [] }));
  for (let depth = 0; ; depth++) {
    const open: Walk[] = [];
    for (const w of walks) {
      if (w.done) continue;
      if (isEmptyHash(w.at)) w.done = { value: null, proof: { siblings: w.siblings, end: { kind: 'empty' } } };
      else open.push(w);
    }
    if (open.length === 0) break;
    const nodes = await store.getNodes(open.map((w) => w.at));
    for (let i = 0; i < open.length; i++) {
      const w = open[i]!;
      const bytes = nodes[i];
      if (bytes === undefined) throw new MapError('missing_node', 'a node of the map is missing from the store');
      const node = decodeMapNode(bytes);
      if (node.kind === 'leaf') {
        w.done = bytesEqual(node.keyHash, w.keyHash)
          ? { value: node.valueHash.slice(), proof: { siblings: w.siblings, end: { kind: 'present' } } }
          : { value: null, proof: { siblings: w.siblings, end: { kind: 'leaf', keyHash: node.keyHash.slice(), valueHash: node.valueHash.slice() } } };
        continue;
      }
      if (depth >= MAX_DEPTH) throw new MapError('malformed_node', 'an interior map node below depth 256');
      const right = pathBit(w.keyHash, depth) === 1;
      const next = right ? node.right : node.left;
      const sibling = right ? node.left : node.right;
      w.siblings.push(isEmptyHash(sibling) ? null : sibling.slice(0, HASH_BYTES));
      w.at = next.slice(0, HASH_BYTES);
    }
  }
  return walks.map((w) => w.done!);
}

/**
 * Looks up `key` in the map under `root` and proves the answer (docs/state-map.md §5):
 * {@link proveMapKeys} for one key.
 * @throws MapError `invalid_root`, `invalid_key`, `missing_node`, `malformed_node`.
 */
export async function proveMapKey(store: MapNodeStore, root: Uint8Array, key: Uint8Array, sha256: Sha256): Promise<ProvenMapValue> {
  return (await proveMapKeys(store, root, [key], sha256))[0]!;
}
