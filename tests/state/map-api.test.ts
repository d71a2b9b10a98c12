/**
 * The state map's edges: strict proof encoding and base64, preconditions checked before
 * any hashing or read, error codes of updates and proofs, paths 256 levels deep, no-op
 * updates, the node store contract, and batching (one `getNodes` per tree level).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, sha256, toBase64, toHex, utf8 } from '../../src/ledger/index.ts';
import {
  EMPTY_HASH,
  MAX_MAP_PROOF_BYTES,
  MapError,
  MemoryNodeStore,
  applyMapUpdates,
  assertMapProof,
  certificateMapKey,
  decodeMapNode,
  decodeMapProof,
  depositMapKey,
  emptyMapRoot,
  encodeMapProof,
  mapProofFromBase64,
  mapProofToBase64,
  proveMapKey,
  proveMapKeys,
  rootFromMapProof,
  verifyMapProof,
  type MapNodeRecord,
  type MapNodeStore,
  type MapProof,
  type Sha256,
} from '../../src/state/map/index.ts';
import { nodeSha256 } from '../../src/state/map/node/index.ts';
import { commit, expectMapCode, expectMapCodeAsync } from './helpers.ts';

const v32 = (b: number) => new Uint8Array(32).fill(b);
const key = (s: string) => utf8(s);

/** A hasher that fails the test if called: proves that a check happens before hashing. */
const noHashing: Sha256 = () => {
  throw new Error('hashed before the preconditions were checked');
};

/** A store that fails the test if read. */
const noReads: MapNodeStore = {
  getNodes: async () => {
    throw new Error('read before the preconditions were checked');
  },
  putNodes: async () => {},
};

/** A store counting `getNodes` calls around a MemoryNodeStore. */
class CountingStore implements MapNodeStore {
  calls = 0;
  hashes = 0;
  constructor(readonly inner: MemoryNodeStore) {}
  async getNodes(hashes: readonly Uint8Array[]) {
    this.calls++;
    this.hashes += hashes.length;
    return this.inner.getNodes(hashes);
  }
  async putNodes(nodes: readonly MapNodeRecord[]) {
    return this.inner.putNodes(nodes);
  }
}

async function sampleMap(n = 200) {
  const store = new MemoryNodeStore();
  const updates = Array.from({ length: n }, (_, i) => ({ key: certificateMapKey(`DIP-2025-${String(i).padStart(6, '0')}`), value: sha256(utf8(`s${i}`)) }));
  const c = await commit(store, emptyMapRoot(), updates, nodeSha256);
  return { store, root: c.root, updates };
}

describe('proof encoding', () => {
  it('base64 round trip; only canonical padded base64 of a well-formed proof is accepted', async () => {
    const { store, root, updates } = await sampleMap();
    const { proof } = await proveMapKey(store, root, updates[7]!.key, nodeSha256);
    const text = mapProofToBase64(proof);
    expect(toBase64(encodeMapProof(proof))).toBe(text);
    expect(verifyMapProof(root, updates[7]!.key, updates[7]!.value, mapProofFromBase64(text), nodeSha256)).toBe(true);
    expectMapCode(() => mapProofFromBase64(` ${text}`), 'malformed_proof');
    expectMapCode(() => mapProofFromBase64(text.replace(/=+$/, '')), 'malformed_proof');
    expectMapCode(() => mapProofFromBase64(text.replace(/\+/g, '-').replace(/\//g, '_') + (text.includes('+') || text.includes('/') ? '' : '!')), 'malformed_proof');
    expectMapCode(() => mapProofFromBase64('A'.repeat(12_000)), 'malformed_proof');
    expectMapCode(() => mapProofFromBase64(42 as unknown as string), 'malformed_proof');
    // non-zero padding bits: "AQIAAA==" is 01 02 00 00; "AQIAAB==" has stray bits
    expect(decodeMapProof(fromHex('01020000')).end.kind).toBe('empty');
    expect(mapProofFromBase64('AQIAAA==').siblings).toEqual([]);
    expectMapCode(() => mapProofFromBase64('AQIAAB=='), 'malformed_proof');
  });

  it('decoding arbitrary bytes either fails with malformed_proof or round-trips exactly', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.of(1, 1 + (b[0] ?? 0) % 3, 0, b.length % 9, ...b))), (bytes) => {
        let proof: MapProof;
        try {
          proof = decodeMapProof(bytes);
        } catch (e) {
          expect((e as MapError).code).toBe('malformed_proof');
          return;
        }
        expect(toHex(encodeMapProof(proof))).toBe(toHex(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('bounds: the largest proof decodes, one byte more does not; a structure must have an encoding', () => {
    const siblings = Array.from({ length: 256 }, (_, i) => v32(i + 1));
    const biggest = encodeMapProof({ siblings, end: { kind: 'leaf', keyHash: v32(1), valueHash: v32(2) } });
    expect(biggest.length).toBe(MAX_MAP_PROOF_BYTES);
    expect(MAX_MAP_PROOF_BYTES).toBe(8292);
    expect(decodeMapProof(biggest).siblings.length).toBe(256);
    const tooBig = new Uint8Array(MAX_MAP_PROOF_BYTES + 1);
    tooBig.set(biggest);
    expectMapCode(() => decodeMapProof(tooBig), 'malformed_proof');
    expectMapCode(() => encodeMapProof({ siblings: [...siblings, v32(9)], end: { kind: 'empty' } }), 'malformed_proof');
    expectMapCode(() => encodeMapProof({ siblings: [EMPTY_HASH], end: { kind: 'empty' } }), 'malformed_proof');
    expectMapCode(() => encodeMapProof({ siblings: [new Uint8Array(31)], end: { kind: 'empty' } }), 'malformed_proof');
    expectMapCode(() => encodeMapProof({ siblings: [], end: { kind: 'leaf', keyHash: v32(1), valueHash: new Uint8Array(33) } }), 'malformed_proof');
    expectMapCode(() => encodeMapProof({ siblings: [], end: { kind: 'other' } } as unknown as MapProof), 'malformed_proof');
    expectMapCode(() => decodeMapProof('01020000' as unknown as Uint8Array), 'malformed_proof');
  });
});

describe('verification preconditions are checked before any hashing', () => {
  const proof = encodeMapProof({ siblings: [v32(5), null, v32(6)], end: { kind: 'present' } });
  it.each([
    ['invalid_root', () => assertMapProof(new Uint8Array(31), key('k'), v32(1), proof, noHashing)],
    ['invalid_key', () => assertMapProof(v32(0), new Uint8Array(0), v32(1), proof, noHashing)],
    ['invalid_key', () => assertMapProof(v32(0), new Uint8Array(1025), v32(1), proof, noHashing)],
    ['invalid_key', () => rootFromMapProof('k' as unknown as Uint8Array, v32(1), proof, noHashing)],
    ['invalid_value', () => assertMapProof(v32(0), key('k'), new Uint8Array(33), proof, noHashing)],
    ['malformed_proof', () => assertMapProof(v32(0), key('k'), v32(1), proof.subarray(1), noHashing)],
    ['proof_kind_mismatch', () => assertMapProof(v32(0), key('k'), null, proof, noHashing)],
    ['proof_not_canonical', () => assertMapProof(v32(0), key('k'), v32(1), encodeMapProof({ siblings: [v32(5), null], end: { kind: 'present' } }), noHashing)],
  ] as const)('%s', (code, fn) => expectMapCode(fn, code));

  it('verifyMapProof is false for each of them, and rethrows what is not a MapError', () => {
    expect(verifyMapProof(v32(0), new Uint8Array(0), v32(1), proof, noHashing)).toBe(false);
    expect(() => verifyMapProof(v32(0), key('k'), v32(1), proof, noHashing)).toThrow(/hashed before/);
  });

  it('a 1,024-byte key is accepted, a well-formed key with a wrong proof is root_mismatch', async () => {
    const { store, root } = await sampleMap(20);
    const long = new Uint8Array(1024).fill(7);
    const got = await proveMapKey(store, root, long, sha256);
    expect(got.value).toBeNull();
    expect(verifyMapProof(root, long, null, got.proof, sha256)).toBe(true);
    expectMapCode(() => assertMapProof(v32(0), long, null, got.proof, sha256), 'root_mismatch');
  });
});

describe('updates', () => {
  it('reject bad input before reading or hashing', async () => {
    const root = emptyMapRoot();
    await expectMapCodeAsync(() => applyMapUpdates(noReads, new Uint8Array(5), [], noHashing), 'invalid_root');
    await expectMapCodeAsync(() => applyMapUpdates(noReads, root, [{ key: new Uint8Array(0), value: v32(1) }], noHashing), 'invalid_key');
    await expectMapCodeAsync(() => applyMapUpdates(noReads, root, [{ key: key('a'), value: new Uint8Array(31) }], noHashing), 'invalid_value');
    await expectMapCodeAsync(() => applyMapUpdates(noReads, root, [null as unknown as { key: Uint8Array; value: null }], noHashing), 'invalid_key');
    await expectMapCodeAsync(() => applyMapUpdates(noReads, v32(3), [{ key: key('a'), value: v32(1) }, { key: key('a'), value: null }], sha256), 'duplicate_key');
  });

  it('an empty batch or a batch of no-ops keeps the root and writes nothing', async () => {
    const { store, root, updates } = await sampleMap();
    for (const batch of [[], updates.slice(0, 50), [{ key: key('absent'), value: null }], [...updates.slice(60, 70), { key: key('absent'), value: null }]]) {
      const c = await applyMapUpdates(store, root, batch, nodeSha256);
      expect(toHex(c.root)).toBe(toHex(root));
      expect(c.newNodes).toEqual([]);
      expect(c.staleNodes).toEqual([]);
    }
    const e = await applyMapUpdates(new MemoryNodeStore(), emptyMapRoot(), [{ key: key('x'), value: null }], nodeSha256);
    expect(toHex(e.root)).toBe(toHex(EMPTY_HASH));
  });

  it('missing and malformed nodes are named', async () => {
    const { store, root, updates } = await sampleMap(30);
    await expectMapCodeAsync(() => applyMapUpdates(new MemoryNodeStore(), root, [updates[0]!], nodeSha256), 'missing_node');
    await expectMapCodeAsync(() => proveMapKey(new MemoryNodeStore(), root, updates[0]!.key, nodeSha256), 'missing_node');
    const garbage: MapNodeStore = { getNodes: async (hs) => hs.map(() => new Uint8Array(65).fill(0x11).fill(0x99, 0, 1)), putNodes: async () => {} };
    await expectMapCodeAsync(() => applyMapUpdates(garbage, root, [updates[0]!], nodeSha256), 'malformed_node');
    await expectMapCodeAsync(() => proveMapKey(garbage, root, updates[0]!.key, nodeSha256), 'malformed_node');
    const short: MapNodeStore = { getNodes: async (hs) => hs.map(() => new Uint8Array(64)), putNodes: async () => {} };
    await expectMapCodeAsync(() => proveMapKey(short, root, updates[0]!.key, nodeSha256), 'malformed_node');
    // a leaf stored where its key does not belong (a corrupted store)
    const [rootBytes] = await store.getNodes([root]);
    const node = decodeMapNode(rootBytes);
    expect(node.kind).toBe('interior');
    const foreign = new Uint8Array(65);
    foreign[0] = 0x11;
    foreign.fill(0xff, 1, 33); // K = ff…ff, under the left child (bit 0 = 0)
    const lying: MapNodeStore = {
      getNodes: async (hs) => hs.map((h) => (toHex(h) === toHex(root) ? rootBytes : foreign)),
      putNodes: async () => {},
    };
    const leftKey = updates.map((u) => u.key).find((k) => (nodeSha256(Uint8Array.of(0x10, ...k))[0]! & 0x80) === 0)!;
    await expectMapCodeAsync(() => applyMapUpdates(lying, root, [{ key: leftKey, value: v32(1) }], nodeSha256), 'malformed_node');
    // the store is read through, never written, by applyMapUpdates
    expect(store.size).toBeGreaterThan(0);
  });

  it('read one batch per tree level, for updates and for many proofs at once', async () => {
    const { store, root, updates } = await sampleMap(2000);
    const counting = new CountingStore(store);
    const changed = updates.filter((_, i) => i % 10 === 0).map((u, i) => ({ key: u.key, value: i % 3 === 0 ? null : v32(i) }));
    const c = await applyMapUpdates(counting, root, changed, nodeSha256);
    expect(counting.calls).toBeLessThanOrEqual(30); // ≈ log2(2000) + a few levels
    expect(counting.hashes).toBeLessThan(changed.length * 20);
    await store.putNodes(c.newNodes);
    counting.calls = 0;
    const proven = await proveMapKeys(counting, c.root, updates.map((u) => u.key), nodeSha256);
    expect(counting.calls).toBeLessThanOrEqual(30);
    for (let i = 0; i < updates.length; i += 37) expect(verifyMapProof(c.root, updates[i]!.key, proven[i]!.value, proven[i]!.proof, sha256)).toBe(true);
  });

  it('MemoryNodeStore keeps its own copies and ignores repeated puts', async () => {
    const store = new MemoryNodeStore();
    const bytes = new Uint8Array(65).fill(1);
    bytes[0] = 0x11;
    const hash = nodeSha256(bytes);
    await store.putNodes([{ hash, bytes }]);
    bytes[5] = 9;
    await store.putNodes([{ hash, bytes }]);
    const [got] = await store.getNodes([hash]);
    expect(got![5]).toBe(1);
    expect(store.size).toBe(1);
    expect([...store.hashes()].map(toHex)).toEqual([toHex(hash)]);
  });
});

describe('paths 256 levels deep (keys whose hashes share 255 bits)', () => {
  // A test hasher that is SHA-256 except that the key hash of a 32-byte key is the key
  // itself, so that tests can place keys anywhere in the tree.
  const placing: Sha256 = (data) => (data.length === 33 && data[0] === 0x10 ? data.slice(1) : sha256(data));
  const at = (lastByte: number, firstByte = 0) => {
    const k = new Uint8Array(32);
    k[0] = firstByte;
    k[31] = lastByte;
    return k;
  };

  it('two keys differing in their last bit sit at depth 256; proofs have 255 E siblings', async () => {
    const store = new MemoryNodeStore();
    const a = at(0);
    const b = at(1);
    const c = at(2); // shares 254 bits with both: ends in E at depth 255
    const d = at(0, 0x80); // differs at bit 0
    const res = await commit(store, emptyMapRoot(), [
      { key: a, value: v32(1) },
      { key: b, value: v32(2) },
    ], placing);
    const pa = await proveMapKey(store, res.root, a, placing);
    expect(pa.proof.siblings.length).toBe(256);
    expect(pa.proof.siblings.filter((s) => s !== null).length).toBe(1);
    const bytes = encodeMapProof(pa.proof);
    expect(bytes.length).toBe(4 + 32 + 32);
    expect(verifyMapProof(res.root, a, v32(1), bytes, placing)).toBe(true);
    const pc = await proveMapKey(store, res.root, c, placing);
    expect(pc.proof.end.kind).toBe('empty');
    expect(pc.proof.siblings.length).toBe(255);
    expect(verifyMapProof(res.root, c, null, encodeMapProof(pc.proof), placing)).toBe(true);
    const pd = await proveMapKey(store, res.root, d, placing);
    expect(pd.proof.end.kind).toBe('empty');
    expect(pd.proof.siblings.length).toBe(1);
    // removing b moves a's leaf all the way up to the root
    const res2 = await commit(store, res.root, [{ key: b, value: null }], placing);
    expect(res2.staleNodes.length).toBe(257); // the interior nodes at depths 0–255 and b's leaf
    const pa2 = await proveMapKey(store, res2.root, a, placing);
    expect(pa2.proof.siblings.length).toBe(0);
    expect(verifyMapProof(res2.root, a, v32(1), encodeMapProof(pa2.proof), placing)).toBe(true);
    const single = await commit(new MemoryNodeStore(), emptyMapRoot(), [{ key: a, value: v32(1) }], placing);
    expect(toHex(res2.root)).toBe(toHex(single.root));
  });

  it('an absence proof ending in another leaf must share the path’s prefix', async () => {
    const store = new MemoryNodeStore();
    const a = at(0);
    const res = await commit(store, emptyMapRoot(), [{ key: a, value: v32(1) }, { key: at(0, 0x80), value: v32(2) }], placing);
    const q = at(0x40); // absent, bit 0 = 0: ends in a's leaf at depth 1
    const p = await proveMapKey(store, res.root, q, placing);
    expect(p.proof.end.kind).toBe('leaf');
    expect(verifyMapProof(res.root, q, null, p.proof, placing)).toBe(true);
    const forged: MapProof = { siblings: p.proof.siblings, end: { kind: 'leaf', keyHash: at(0, 0x80), valueHash: v32(2) } };
    expectMapCode(() => rootFromMapProof(q, null, forged, placing), 'proof_key_mismatch');
  });
});

describe('DataDeed keys', () => {
  it('certificate numbers are well-formed text of 1 to 1,023 bytes; digests 32 bytes', () => {
    expect(toHex(certificateMapKey('DIP-2025-000123'))).toBe('01' + toHex(utf8('DIP-2025-000123')));
    expectMapCode(() => certificateMapKey(''), 'invalid_key');
    expectMapCode(() => certificateMapKey('\uD800x'), 'invalid_key');
    expectMapCode(() => certificateMapKey('x'.repeat(1024)), 'invalid_key');
    expect(certificateMapKey('x'.repeat(1023)).length).toBe(1024);
    expect(certificateMapKey('\u{1F600}').length).toBe(5);
    expectMapCode(() => depositMapKey(new Uint8Array(31)), 'invalid_key');
    expect(depositMapKey(v32(3))[0]).toBe(2);
  });
});
