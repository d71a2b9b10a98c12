/**
 * The tree stored as C2SP tlog-tiles (https://c2sp.org/tlog-tiles), pure: what a store
 * keeps instead of one row per Merkle node. Only the hashes of tree levels 0, 8, 16, …
 * are stored — tile level L holds tree level 8·L, 256 hashes to a full tile; every other
 * perfect node is computed from at most 128 consecutive hashes of one tile (the levels
 * between two tile levels are a perfect binary tree over the tile's hashes).
 *
 * Full tiles never change. The incomplete tile of each level — its "partial tile" — is
 * kept with the tree state and replaced with each batch; its hashes are a prefix of the
 * tile it becomes. The partial tiles of a tree of `size` leaves are fixed by `size`:
 * level L has ⌊size / 256^L⌋ hashes, of which the last ⌊size / 256^L⌋ mod 256 are
 * in the partial tile of index ⌊size / 256^(L+1)⌋.
 */
import { LedgerError } from './errors.ts';
import type { Hasher } from './hasher.ts';
import { TILE_HEIGHT, TILE_WIDTH } from './tiles.ts';
import type { NodeId } from './tree.ts';

const HASH = 32;

/** Where a perfect node's hash comes from: `count` consecutive hashes of tile (`level`, `index`), from `offset`. */
export interface NodeInTile {
  /** Tile level (tree level 8·level). */
  level: number;
  /** Tile index within its level. */
  index: number;
  /** Position of the node's first hash in the tile (0–255). */
  offset: number;
  /** Hashes folded into the node: 2^(node level − 8·tile level), 1–128. */
  count: number;
}

/** The tile hashes perfect node `id` is computed from (C2SP tlog-tiles §Merkle Tree). */
export function nodeInTile(id: NodeId): NodeInTile {
  const level = Math.floor(id.level / TILE_HEIGHT);
  const count = 2 ** (id.level - level * TILE_HEIGHT);
  const first = id.index * count;
  return { level, index: Math.floor(first / TILE_WIDTH), offset: first % TILE_WIDTH, count };
}

/** Hashes at tree level 8·`level` in a tree of `size` leaves: ⌊size / 256^level⌋. */
export function hashesAtTileLevel(level: number, size: number): number {
  return Math.floor(size / 2 ** (TILE_HEIGHT * level));
}

/** Index of the partial tile of tile level `level` in a tree of `size` leaves (C2SP tlog-tiles: ⌊size / 256^(level+1)⌋). */
export function partialTileIndex(level: number, size: number): number {
  return Math.floor(hashesAtTileLevel(level, size) / TILE_WIDTH);
}

/**
 * Widths of the partial tiles of a tree of `size` leaves, by tile level from 0 (0 where a
 * level has only full tiles); as many levels as the tree has hashes at.
 */
export function partialTileWidths(size: number): number[] {
  const out: number[] = [];
  for (let level = 0; hashesAtTileLevel(level, size) > 0; level++) out.push(hashesAtTileLevel(level, size) % TILE_WIDTH);
  return out;
}

/** Bytes of the partial tiles of a tree of `size` leaves, concatenated by level. */
export function partialTilesLength(size: number): number {
  return partialTileWidths(size).reduce((a, w) => a + w * HASH, 0);
}

/**
 * The partial tiles of a tree of `size`, split by level, from their concatenation.
 * @throws LedgerError `tree_state_corrupt` when the bytes do not fit the size.
 */
export function splitPartialTiles(size: number, bytes: Uint8Array): Uint8Array[] {
  const widths = partialTileWidths(size);
  if (bytes.length !== widths.reduce((a, w) => a + w * HASH, 0))
    throw new LedgerError('tree_state_corrupt', `the partial tiles hold ${bytes.length} bytes, not what a tree of size ${size} has`);
  const out: Uint8Array[] = [];
  let o = 0;
  for (const w of widths) {
    out.push(bytes.subarray(o, o + w * HASH));
    o += w * HASH;
  }
  return out;
}

/** A full tile written by a batch: 256 hashes. */
export interface FullTile {
  level: number;
  index: number;
  hashes: Uint8Array;
}

/**
 * The tile writes of one integrated batch: the tiles it filled and the partial tiles
 * after it. `nodes` are the nodes the batch completed (`integrate`'s output), which
 * hold, in index order, every new hash of each tile level.
 * @throws LedgerError `tree_state_corrupt` when the previous partial tiles do not fit
 *   `previousSize` or the nodes do not continue them.
 */
export function integrateTiles(
  previousSize: number,
  previousPartials: Uint8Array,
  nodes: readonly { id: NodeId; hash: Uint8Array }[],
  size: number,
): { full: FullTile[]; partials: Uint8Array } {
  const before = splitPartialTiles(previousSize, previousPartials);
  const levels = partialTileWidths(size).length;
  const fresh: Uint8Array[][] = Array.from({ length: levels }, () => []);
  for (const n of nodes) if (n.id.level % TILE_HEIGHT === 0) fresh[n.id.level / TILE_HEIGHT]!.push(n.hash);
  const full: FullTile[] = [];
  const partials: Uint8Array[] = [];
  for (let level = 0; level < levels; level++) {
    const had = hashesAtTileLevel(level, previousSize);
    const has = hashesAtTileLevel(level, size);
    const added = fresh[level]!;
    if (had + added.length !== has)
      throw new LedgerError('tree_state_corrupt', `tile level ${level}: ${had} + ${added.length} new hashes, but a tree of ${size} has ${has}`);
    // the hashes of the tile being filled: the previous partial tile, then the new ones
    let tile = new Uint8Array(TILE_WIDTH * HASH);
    let width = had % TILE_WIDTH;
    tile.set(before[level] ?? new Uint8Array(0), 0);
    let index = partialTileIndex(level, previousSize);
    for (const h of added) {
      tile.set(h, width * HASH);
      width++;
      if (width === TILE_WIDTH) {
        full.push({ level, index, hashes: tile });
        tile = new Uint8Array(TILE_WIDTH * HASH);
        width = 0;
        index++;
      }
    }
    partials.push(tile.subarray(0, width * HASH));
  }
  const out = new Uint8Array(partials.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of partials) {
    out.set(p, o);
    o += p.length;
  }
  return { full, partials: out };
}

/** The perfect nodes within a tile, level by level above the tile's own hashes (see {@link tileSubtree}). */
export interface TileSubtree {
  /** Hashes in the tile (256 when full). */
  width: number;
  /**
   * `levels[k]`: the ⌊width / 2^k⌋ nodes over 2^k consecutive hashes each, concatenated
   * (k = 0 is the tile itself, up to 7); a level above 0 is computed when first asked for.
   */
  levels: (Uint8Array | undefined)[];
  /** The hasher that folds the levels. */
  hasher: Hasher;
  /** Bytes the subtree holds once every level is computed (a cache's measure). */
  bytes: number;
}

/**
 * The perfect nodes within a tile — its hashes and the nodes above them up to (not
 * including) the next tile level: 510 hashes for a full tile, each level folded once,
 * when a node of it is first asked for, so that proofs over a cached tile hash nothing
 * and a reader of the tile's own hashes (the audit, tile serving) hashes nothing at all.
 * A partial tile's subtree holds the nodes its hashes complete, which never change as
 * the tile grows.
 */
export function tileSubtree(hasher: Hasher, tile: Uint8Array): TileSubtree {
  if (tile.length % HASH !== 0 || tile.length > TILE_WIDTH * HASH) throw new LedgerError('missing_node', `a tile holds up to ${TILE_WIDTH} hashes, not ${tile.length} bytes`);
  const width = tile.length / HASH;
  let bytes = 0;
  for (let k = 0; k < TILE_HEIGHT; k++) bytes += (width >> k) * HASH;
  return { width, levels: [tile.slice()], hasher, bytes };
}

function subtreeLevel(subtree: TileSubtree, k: number): Uint8Array {
  const have = subtree.levels[k];
  if (have) return have;
  const below = subtreeLevel(subtree, k - 1);
  const n = subtree.width >> k;
  const here = new Uint8Array(n * HASH);
  for (let j = 0; j < n; j++)
    here.set(subtree.hasher.hashChildren(below.subarray(2 * j * HASH, (2 * j + 1) * HASH), below.subarray((2 * j + 1) * HASH, (2 * j + 2) * HASH)), j * HASH);
  subtree.levels[k] = here;
  return here;
}

/** The hash of `node` (see {@link nodeInTile}) from a {@link tileSubtree}, or undefined when the tile does not hold all its hashes yet. */
export function subtreeNode(subtree: TileSubtree, node: NodeInTile): Uint8Array | undefined {
  if (node.offset + node.count > subtree.width) return undefined;
  const k = Math.log2(node.count);
  const j = node.offset / node.count;
  return subtreeLevel(subtree, k).subarray(j * HASH, (j + 1) * HASH);
}

/**
 * A full tile is stored as {@link TILE_PARTS} parts, each the perfect subtree of height 4
 * below one node, without its root, so that a proof reads the nodes it needs from at most
 * two small rows per tile level and hashes nothing:
 *  - part p (0–15), a "stripe": the 16 hashes p·16 … p·16+15 of the tile, then the 8, 4
 *    and 2 nodes of the tile's levels 1, 2 and 3 above them;
 *  - part 16, the tile's top: the 16 stripe roots (level 4), then the 8, 4 and 2 nodes of
 *    levels 5, 6 and 7.
 * Each part is 30 hashes (960 bytes): small enough to stay in the table's own row, never
 * in TOAST. The tile's own 256 hashes are the first 16 of parts 0–15, in order.
 */
export const TILE_PARTS = 17;
/** Hashes in one part (16 + 8 + 4 + 2). */
export const PART_HASHES = 30;
/** Bytes of one part. */
export const PART_BYTES = PART_HASHES * HASH;
/** Index of the top part of a tile. */
export const TOP_PART = 16;
/** Where each of a part's four levels starts, in hashes. */
const PART_LEVEL_START = [0, 16, 24, 28] as const;

/** Where a node within a tile is stored: its part, and its position in the part (in hashes). */
export interface NodeInPart {
  part: number;
  position: number;
}

/**
 * The part of a full tile that holds `node` and its position there (see {@link TILE_PARTS}).
 * Precondition: `node` is a {@link nodeInTile} result (count a power of two up to 128).
 */
export function nodeInPart(node: NodeInTile): NodeInPart {
  const k = Math.log2(node.count);
  const j = node.offset / node.count; // the node's index among the tile's level-k nodes
  if (k < 4) {
    const perStripe = 16 >> k;
    return { part: Math.floor(j / perStripe), position: PART_LEVEL_START[k]! + (j % perStripe) };
  }
  return { part: TOP_PART, position: PART_LEVEL_START[k - 4]! + j };
}

/**
 * The {@link TILE_PARTS} parts of a full tile (256 hashes), concatenated in part order
 * (17 × 960 bytes): the tile's hashes and every node folded from them below the next
 * tile level (C2SP tlog-tiles §Merkle Tree; RFC 9162 §2.1.1 node hashes).
 * @throws LedgerError `missing_node` when `tile` is not 256 hashes.
 */
export function tileParts(hasher: Hasher, tile: Uint8Array): Uint8Array {
  if (tile.length !== TILE_WIDTH * HASH) throw new LedgerError('missing_node', `a full tile is ${TILE_WIDTH * HASH} bytes, not ${tile.length}`);
  const subtree = tileSubtree(hasher, tile);
  const levels = Array.from({ length: TILE_HEIGHT }, (_, k) => subtreeLevel(subtree, k));
  const out = new Uint8Array(TILE_PARTS * PART_BYTES);
  for (let p = 0; p <= TOP_PART; p++) {
    let o = p * PART_BYTES;
    for (let k = 0; k < 4; k++) {
      const level = p === TOP_PART ? levels[k + 4]! : levels[k]!;
      const n = 16 >> k;
      const from = p === TOP_PART ? 0 : p * n;
      out.set(level.subarray(from * HASH, (from + n) * HASH), o);
      o += n * HASH;
    }
  }
  return out;
}

/** The hash at `position` of a stored part (960 bytes). */
export function partHash(part: Uint8Array, position: number): Uint8Array {
  return part.subarray(position * HASH, (position + 1) * HASH);
}
