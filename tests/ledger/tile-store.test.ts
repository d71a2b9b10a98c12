/**
 * The tree stored as tiles (src/ledger/tile-store.ts): the full and partial tiles that
 * integration writes, and every perfect node folded back out of them, against the
 * independent RFC 9162 code of tests/helpers/tlog-client.ts (MTH by its recursion;
 * C2SP tlog-tiles: tile (L, N) holds MTH of the 256^L-leaf subtrees N·256 … N·256+255).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyTreeState,
  integrate,
  LedgerError,
  nodeInPart,
  nodeInTile,
  PART_BYTES,
  partHash,
  partialTileWidths,
  rfc6962,
  splitPartialTiles,
  subtreeNode,
  TILE_PARTS,
  tileParts,
  tileSubtree,
  type FullTile,
  type TreeState,
} from '../../src/ledger/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import * as ref from '../helpers/tlog-client.ts';

const { expectCode } = assertCodes(LedgerError);
const T0 = new Date('2026-03-01T00:00:00.000Z');
const leaves = (n: number) => Array.from({ length: n }, (_, i) => ref.leafHash(new TextEncoder().encode(`t${i}`)));

/** The hashes of tree level 8·level of a tree over `all`, by the reference MTH. */
function levelHashes(all: Uint8Array[], level: number): Uint8Array[] {
  const span = 256 ** level;
  const out: Uint8Array[] = [];
  for (let i = 0; (i + 1) * span <= all.length; i++) out.push(ref.mth(all.slice(i * span, (i + 1) * span)));
  return out;
}

const concat = (hs: Uint8Array[]) => Buffer.concat(hs.map((h) => Buffer.from(h)));

function integrateBatches(all: Uint8Array[], cuts: number[]): { state: TreeState; tiles: FullTile[] } {
  let state = emptyTreeState(rfc6962, T0);
  const tiles: FullTile[] = [];
  let at = 0;
  for (const cut of [...cuts, all.length]) {
    const w = integrate(rfc6962, { state, leaves: all.slice(at, cut), now: T0 });
    tiles.push(...w.tiles);
    state = w.state;
    at = cut;
  }
  return { state, tiles };
}

describe('tiles written by integration', () => {
  it('are the reference level hashes: full tiles once each, the rest in the partial tiles (70,000 leaves, uneven batches)', () => {
    const all = leaves(70_000);
    const { state, tiles } = integrateBatches(all, [1, 255, 256, 257, 600, 65_535, 65_536, 65_537, 69_999]);
    const byKey = new Map(tiles.map((t) => [`${t.level}/${t.index}`, t]));
    expect(byKey.size).toBe(tiles.length); // none written twice
    for (const level of [0, 1, 2]) {
      const hashes = levelHashes(all, level);
      const full = Math.floor(hashes.length / 256);
      for (let n = 0; n < full; n++) expect(Buffer.from(byKey.get(`${level}/${n}`)!.hashes).equals(concat(hashes.slice(n * 256, (n + 1) * 256))), `tile ${level}/${n}`).toBe(true);
      expect(tiles.filter((t) => t.level === level)).toHaveLength(full);
      const partial = splitPartialTiles(state.size, state.partialTiles)[level] ?? new Uint8Array(0);
      expect(Buffer.from(partial).equals(concat(hashes.slice(full * 256))), `partial tile of level ${level}`).toBe(true);
    }
    // 70,000 = 1·65,536 + 17·256 + 112: widths 112 (level 0), 17 (level 1), 1 (level 2)
    expect(partialTileWidths(70_000)).toEqual([112, 17, 1]);
  });

  it('do not depend on how the leaves were batched', () => {
    const all = leaves(1500);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 1499 }), { maxLength: 12 }), (cuts) => {
        const one = integrateBatches(all, []);
        const many = integrateBatches(all, [...cuts].sort((a, b) => a - b));
        expect(Buffer.from(many.state.partialTiles).equals(Buffer.from(one.state.partialTiles))).toBe(true);
        expect(many.tiles.map((t) => `${t.level}/${t.index}:${Buffer.from(t.hashes).toString('hex')}`)).toEqual(
          one.tiles.map((t) => `${t.level}/${t.index}:${Buffer.from(t.hashes).toString('hex')}`),
        );
      }),
      { numRuns: 25 },
    );
  });

  it('a stored state whose partial tiles do not fit its size is refused', () => {
    const { state } = integrateBatches(leaves(300), []);
    expectCode(() => integrate(rfc6962, { state: { ...state, partialTiles: state.partialTiles.subarray(32) }, leaves: [], now: T0 }), 'tree_state_corrupt');
  });
});

describe('nodes folded from tiles', () => {
  const all = leaves(256 * 3 + 40);
  const tile0 = concat(levelHashes(all, 0).slice(0, 256));

  it('every perfect node of a full tile equals the reference MTH of its leaves', () => {
    const subtree = tileSubtree(rfc6962, tile0);
    for (let level = 0; level < 8; level++)
      for (let index = 0; (index + 1) * 2 ** level <= 256; index++) {
        const at = nodeInTile({ level, index });
        expect(at).toMatchObject({ level: 0, index: 0 });
        const want = ref.hex(ref.mth(all.slice(index * 2 ** level, (index + 1) * 2 ** level)));
        expect(ref.hex(subtreeNode(subtree, at)!), `node ${level}/${index}`).toBe(want);
      }
  });

  it('a partial tile holds the nodes its hashes complete, and no others', () => {
    const partial = tileSubtree(rfc6962, tile0.subarray(0, 100 * 32));
    // 100 hashes: levels 0–6 complete nodes below 100; (6, 1) covers hashes 64–127, not all there
    expect(ref.hex(subtreeNode(partial, nodeInTile({ level: 6, index: 0 }))!)).toBe(ref.hex(ref.mth(all.slice(0, 64))));
    expect(ref.hex(subtreeNode(partial, nodeInTile({ level: 5, index: 2 }))!)).toBe(ref.hex(ref.mth(all.slice(64, 96))));
    expect(subtreeNode(partial, nodeInTile({ level: 6, index: 1 }))).toBeUndefined();
    expect(subtreeNode(partial, nodeInTile({ level: 0, index: 100 }))).toBeUndefined();
    expect(ref.hex(subtreeNode(partial, nodeInTile({ level: 0, index: 99 }))!)).toBe(ref.hex(all[99]!));
  });

  it('places a node in the tile of its first leaf-level hash', () => {
    expect(nodeInTile({ level: 0, index: 300 })).toEqual({ level: 0, index: 1, offset: 44, count: 1 });
    expect(nodeInTile({ level: 7, index: 5 })).toEqual({ level: 0, index: 2, offset: 128, count: 128 });
    expect(nodeInTile({ level: 8, index: 3 })).toEqual({ level: 1, index: 0, offset: 3, count: 1 });
    expect(nodeInTile({ level: 10, index: 70 })).toEqual({ level: 1, index: 1, offset: 24, count: 4 });
  });
});

describe('a full tile stored as its 17 parts', () => {
  const all = leaves(256 * 2);
  const tile1 = concat(levelHashes(all, 0).slice(256, 512)); // tile 0/001: leaves 256–511
  const parts = tileParts(rfc6962, tile1);
  const part = (p: number) => parts.subarray(p * PART_BYTES, (p + 1) * PART_BYTES);

  it('holds every perfect node of the tile, each where nodeInPart says, equal to the reference MTH', () => {
    expect(parts.length).toBe(TILE_PARTS * 30 * 32);
    const seen = new Set<string>();
    for (let level = 0; level < 8; level++)
      for (let index = 256 >> level; index < 512 >> level; index++) {
        const at = nodeInTile({ level, index });
        expect(at).toMatchObject({ level: 0, index: 1 });
        const { part: p, position } = nodeInPart(at);
        expect(p >= 0 && p < TILE_PARTS && position >= 0 && position < 30, `node ${level}/${index}`).toBe(true);
        seen.add(`${p}/${position}`);
        const want = ref.hex(ref.mth(all.slice(index * 2 ** level, (index + 1) * 2 ** level)));
        expect(ref.hex(partHash(part(p), position)), `node ${level}/${index}`).toBe(want);
      }
    // 510 nodes, 17 × 30 places: each place holds exactly one node
    expect(seen.size).toBe(510);
  });

  it('lays the parts out as stripes of 16 hashes with their levels 1–3, then the top (levels 4–7)', () => {
    // part 5: leaves 256+80 … 256+95, their 8 level-1 nodes, 4 level-2, 2 level-3
    const want5 = [
      ...all.slice(336, 352),
      ...Array.from({ length: 8 }, (_, j) => ref.mth(all.slice(336 + 2 * j, 338 + 2 * j))),
      ...Array.from({ length: 4 }, (_, j) => ref.mth(all.slice(336 + 4 * j, 340 + 4 * j))),
      ...Array.from({ length: 2 }, (_, j) => ref.mth(all.slice(336 + 8 * j, 344 + 8 * j))),
    ];
    expect(Buffer.from(part(5)).equals(concat(want5))).toBe(true);
    const top = [16, 32, 64, 128].flatMap((span) => Array.from({ length: 256 / span }, (_, j) => ref.mth(all.slice(256 + span * j, 256 + span * (j + 1)))));
    expect(Buffer.from(part(16)).equals(concat(top))).toBe(true);
    // the tile served is the first 16 hashes of parts 0–15
    expect(Buffer.concat(Array.from({ length: 16 }, (_, p) => Buffer.from(part(p).subarray(0, 512)))).equals(Buffer.from(tile1))).toBe(true);
  });

  it('is only made of a full tile', () => {
    expectCode(() => tileParts(rfc6962, tile1.subarray(0, 255 * 32)), 'missing_node');
  });
});
