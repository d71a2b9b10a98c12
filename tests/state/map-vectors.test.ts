/**
 * Known answers for the state map: every vector under tests/vectors/state-map was
 * computed by tests/state/state_map_ref.py, a second implementation written from
 * docs/state-map.md alone (hashlib, whole-set recursion, no store). Here the TypeScript
 * map reproduces each root step by step through incremental batch updates, each proof
 * byte for byte, and each verdict with its error code — on both hashers (@noble and
 * node:crypto). When python3 is present the reference is run again and its output must
 * equal the committed files and the doc's worked example.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex, sha256, toHex, utf8 } from '../../src/ledger/index.ts';
import {
  EMPTY_HASH,
  MapError,
  MemoryNodeStore,
  assertMapProof,
  certificateMapKey,
  decodeMapProof,
  depositMapKey,
  emptyMapRoot,
  encodeMapProof,
  interiorHash,
  leafHash,
  mapKeyHash,
  proveMapKey,
  rootFromMapProof,
  verifyMapProof,
  type Sha256,
} from '../../src/state/map/index.ts';
import { nodeSha256 } from '../../src/state/map/node/index.ts';
import { DOC, REFERENCE, VECTORS, commit, hasPython, loadDir, loadJson, type MapVector, type ProofCase } from './helpers.ts';

const hashers: [string, Sha256][] = [
  ['@noble sha256', sha256],
  ['node:crypto sha256', nodeSha256],
];
const hexOrNull = (h: string | null) => (h === null ? null : fromHex(h));

interface HashingVector {
  empty: string;
  keyHashes: { key: string; keyHash: string }[];
  leaves: { keyHash: string; valueHash: string; leafHash: string }[];
  interiors: { left: string; right: string; hash: string }[];
  certificateKeys: { number: string; key: string }[];
  depositKeys: { digest: string; key: string }[];
}

describe('hash constructions (tests/vectors/state-map/hashing.json)', () => {
  const v = loadJson<HashingVector>(join(VECTORS, 'hashing.json'));
  it('E = SHA-256(0x13) is the empty root', () => {
    expect(toHex(EMPTY_HASH)).toBe(v.empty);
    expect(toHex(emptyMapRoot())).toBe(v.empty);
    expect(toHex(sha256(Uint8Array.of(0x13)))).toBe(v.empty);
  });
  for (const [name, h] of hashers) {
    it(`key hashes, leaves and interior nodes (${name})`, () => {
      for (const k of v.keyHashes) expect(toHex(mapKeyHash(fromHex(k.key), h))).toBe(k.keyHash);
      for (const l of v.leaves) expect(toHex(leafHash(fromHex(l.keyHash), fromHex(l.valueHash), h))).toBe(l.leafHash);
      for (const n of v.interiors) expect(toHex(interiorHash(fromHex(n.left), fromHex(n.right), h))).toBe(n.hash);
    });
  }
  it('DataDeed keys: 0x01 ‖ UTF-8(number), 0x02 ‖ digest', () => {
    for (const c of v.certificateKeys) expect(toHex(certificateMapKey(c.number))).toBe(c.key);
    for (const d of v.depositKeys) expect(toHex(depositMapKey(fromHex(d.digest)))).toBe(d.key);
  });
});

describe('maps built step by step (tests/vectors/state-map/maps)', () => {
  const maps = loadDir<MapVector>('maps');
  it('has the expected maps', () => {
    expect(maps.map((m) => m.name).sort()).toEqual(['empty', 'example', 'history', 'one-key', 'shared-prefix', 'shrink', 'two-keys']);
  });
  for (const m of maps) {
    for (const [hname, h] of hashers) {
      it(`${m.name}: every root and every proof (${hname})`, async () => {
        const store = new MemoryNodeStore();
        let root = emptyMapRoot();
        for (const step of m.steps) {
          const c = await commit(store, root, step.updates.map((u) => ({ key: fromHex(u.key), value: hexOrNull(u.value) })), h);
          root = c.root;
          expect(toHex(root)).toBe(step.root);
        }
        expect(toHex(root)).toBe(m.root);
        const kinds = new Set<string>();
        for (const lk of m.lookups) {
          const key = fromHex(lk.key);
          const got = await proveMapKey(store, root, key, h);
          expect(got.value === null ? null : toHex(got.value)).toBe(lk.value);
          expect(toHex(encodeMapProof(got.proof))).toBe(lk.proof);
          kinds.add(got.proof.end.kind);
          // the vector's bytes verify through our verifier, and imply the root
          expect(toHex(rootFromMapProof(key, hexOrNull(lk.value), fromHex(lk.proof), h))).toBe(m.root);
          expect(verifyMapProof(root, key, hexOrNull(lk.value), fromHex(lk.proof), h)).toBe(true);
        }
        if (m.name === 'history' || m.name === 'shared-prefix') expect([...kinds].sort()).toEqual(['empty', 'leaf', 'present']);
      });
    }
  }
});

describe('proof cases (tests/vectors/state-map/proofs), one file per case', () => {
  const cases = loadDir<ProofCase>('proofs');
  it('has the good and bad cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.wantError === null).length).toBeGreaterThanOrEqual(7);
    const codes = new Set(cases.map((c) => c.wantError));
    for (const code of ['malformed_proof', 'root_mismatch', 'proof_kind_mismatch', 'proof_not_canonical', 'proof_key_mismatch', 'invalid_key', 'invalid_value', 'invalid_root']) {
      expect(codes.has(code as ProofCase['wantError'])).toBe(true);
    }
  });
  for (const c of cases) {
    for (const [hname, h] of hashers) {
      it(`${c.name}: ${c.wantError ?? 'verifies'} (${hname})`, () => {
        const args = [fromHex(c.root), fromHex(c.key), hexOrNull(c.value), fromHex(c.proof), h] as const;
        expect(verifyMapProof(...args)).toBe(c.wantError === null);
        let code: string | null = null;
        try {
          assertMapProof(...args);
        } catch (e) {
          expect(e).toBeInstanceOf(MapError);
          code = (e as MapError).code;
        }
        expect(code).toBe(c.wantError);
      });
    }
  }
  it('every well-formed case re-encodes to the same bytes (one encoding per proof)', () => {
    for (const c of cases) {
      let decoded;
      try {
        decoded = decodeMapProof(fromHex(c.proof));
      } catch {
        continue;
      }
      expect(toHex(encodeMapProof(decoded))).toBe(c.proof);
    }
  });
});

describe('the worked example of docs/state-map.md §8', () => {
  const ex = loadJson<{ root: string; entries: { key: string; keyHash: string; value: string; leafHash: string }[]; lookups: MapVector['lookups'] }>(
    join(VECTORS, 'example.json'),
  );
  const doc = readFileSync(DOC, 'utf8');
  it('the doc shows the example’s root, key hashes and leaves', () => {
    expect(doc).toContain(ex.root);
    for (const e of ex.entries) {
      expect(doc).toContain(e.keyHash);
      expect(doc).toContain(e.leafHash);
    }
  });
  it('is reproduced by the map, proof bytes included', async () => {
    const store = new MemoryNodeStore();
    const c = await commit(store, emptyMapRoot(), ex.entries.map((e) => ({ key: fromHex(e.key), value: fromHex(e.value) })), nodeSha256);
    expect(toHex(c.root)).toBe(ex.root);
    for (const lk of ex.lookups) {
      const got = await proveMapKey(store, c.root, fromHex(lk.key), nodeSha256);
      expect(toHex(encodeMapProof(got.proof))).toBe(lk.proof);
    }
  });
  it('uses the keys it names', () => {
    expect(toHex(certificateMapKey('DIP-2025-000001'))).toBe(ex.entries[0]!.key);
    expect(toHex(depositMapKey(sha256(utf8('hello\n'))))).toBe(ex.entries[2]!.key);
  });
});

describe.runIf(hasPython)('the python3 reference, run again (python3 present)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'dd-state-map-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const listing = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? listing(join(dir, d.name)).map((f) => `${d.name}/${f}`) : [d.name])).sort();

  it('regenerates exactly the committed vector files', () => {
    const run = spawnSync('python3', [REFERENCE, 'vectors', tmp], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const committed = listing(VECTORS);
    expect(listing(tmp)).toEqual(committed);
    for (const f of committed) expect(readFileSync(join(tmp, f), 'utf8'), f).toBe(readFileSync(join(VECTORS, f), 'utf8'));
  });

  it('prints the worked example that docs/state-map.md §8 contains', () => {
    const run = spawnSync('python3', [REFERENCE, 'example'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(DOC, 'utf8')).toContain(run.stdout.trimEnd());
  });
});
