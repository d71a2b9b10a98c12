/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles) geometry and encodings, tile height 8:
 * tile paths, which tree nodes a tile holds, tile widths for a tree size, and entry
 * bundles.
 */
import { LedgerError } from './errors.ts';
import type { NodeId } from './tree.ts';

/** Tile height: each tile spans 8 tree levels (C2SP tlog-tiles §Merkle Tree). */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile: 2^8 = 256 (C2SP tlog-tiles §Merkle Tree). */
export const TILE_WIDTH = 256;

/**
 * A tile: `level` L (0–63), `index` N within the level and `width` W, the number of
 * hashes it holds (1–255 for a partial tile, 256 for a full one). For an entry bundle,
 * `level` is 0.
 */
export interface TileId {
  level: number;
  index: number;
  width: number;
}

/** A parsed tile path: a hash tile, or an entry bundle (C2SP tlog-tiles §APIs). */
export type TilePath =
  | { kind: 'hash'; level: number; index: number; width: number }
  | { kind: 'entries'; index: number; width: number };

/** Largest tile index N with N·256 still a safe integer. */
const MAX_TILE_INDEX = Math.floor(Number.MAX_SAFE_INTEGER / TILE_WIDTH);
const MAX_LEVEL = 63;
const MAX_ENTRY_BYTES = 0xffff;

function badPath(): never {
  throw new LedgerError('malformed_tile_path', 'malformed tile path');
}

/**
 * Encodes a tile index N as zero-padded 3-digit path elements, all but the last
 * prefixed with `x` (C2SP tlog-tiles §Merkle Tree): 1234067 → `x001/x234/067`, 5 → `005`.
 * @throws LedgerError `malformed_tile_path` unless 0 ≤ n ≤ ⌊(2^53 − 1)/256⌋.
 */
export function formatTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_TILE_INDEX) badPath();
  let digits = String(n);
  digits = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/**
 * Parses the index encoding of {@link formatTileIndex}, accepting only the canonical
 * form (no leading all-zero `x000` element), so each index has one path.
 * @throws LedgerError `malformed_tile_path`.
 */
export function parseTileIndex(text: string): number {
  if (typeof text !== 'string') badPath();
  const parts = text.split('/');
  let digits = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const group = last ? part : part.startsWith('x') ? part.slice(1) : '';
    if (!/^[0-9]{3}$/.test(group)) badPath();
    if (i === 0 && !last && group === '000') badPath();
    digits += group;
  }
  // Bound the work on hostile input: the cap has 14 digits.
  if (digits.length > 18) badPath();
  const n = Number(digits);
  if (!Number.isSafeInteger(n) || n > MAX_TILE_INDEX) badPath();
  return n;
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) badPath();
}

function widthSuffix(width: number): string {
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

/**
 * The path of a hash tile, `tile/<L>/<N>[.p/<W>]` (C2SP tlog-tiles §Merkle Tree),
 * relative to the log prefix; full tiles (W = 256) have no `.p/` suffix.
 * @throws LedgerError `malformed_tile_path` for an out-of-range level, index or width.
 */
export function tilePath(t: TileId): string {
  if (!Number.isInteger(t.level) || t.level < 0 || t.level > MAX_LEVEL) badPath();
  checkWidth(t.width);
  return `tile/${t.level}/${formatTileIndex(t.index)}${widthSuffix(t.width)}`;
}

/**
 * The path of an entry bundle, `tile/entries/<N>[.p/<W>]` (C2SP tlog-tiles §Log entries).
 * @throws LedgerError `malformed_tile_path` for an out-of-range index or width.
 */
export function entriesPath(index: number, width: number): string {
  checkWidth(width);
  return `tile/entries/${formatTileIndex(index)}${widthSuffix(width)}`;
}

/**
 * Parses a tile or entry-bundle path relative to the log prefix (no leading slash), as
 * produced by {@link tilePath} / {@link entriesPath}. Strict (C2SP tlog-tiles §Merkle
 * Tree): L is 0–63 in decimal without leading zeros; N is in canonical `x…/…` form
 * with N·256 a safe integer; `.p/<W>` has 1 ≤ W ≤ 255 without leading zeros; nothing
 * else is accepted.
 * @throws LedgerError `malformed_tile_path`.
 */
export function parseTilePath(path: string): TilePath {
  if (typeof path !== 'string' || !path.startsWith('tile/')) badPath();
  let rest = path.slice('tile/'.length);
  let level: number | undefined;
  if (rest.startsWith('entries/')) {
    rest = rest.slice('entries/'.length);
  } else {
    const slash = rest.indexOf('/');
    if (slash < 0) badPath();
    const levelText = rest.slice(0, slash);
    if (!/^(0|[1-9][0-9]?)$/.test(levelText)) badPath();
    level = Number(levelText);
    if (level > MAX_LEVEL) badPath();
    rest = rest.slice(slash + 1);
  }
  let width = TILE_WIDTH;
  const partial = rest.indexOf('.p/');
  if (partial >= 0) {
    const widthText = rest.slice(partial + 3);
    if (!/^[1-9][0-9]{0,2}$/.test(widthText)) badPath();
    width = Number(widthText);
    if (width >= TILE_WIDTH) badPath();
    rest = rest.slice(0, partial);
  }
  const index = parseTileIndex(rest);
  return level === undefined ? { kind: 'entries', index, width } : { kind: 'hash', level, index, width };
}

/**
 * The tree nodes held by a hash tile (C2SP tlog-tiles §Merkle Tree): at tree level 8·L,
 * indices N·256 … N·256 + W − 1, in order. (The n-th tile at level l holds
 * MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]) for i < W.)
 */
export function tileNodes(t: TileId): NodeId[] {
  checkWidth(t.width);
  const level = t.level * TILE_HEIGHT;
  const start = t.index * TILE_WIDTH;
  const out: NodeId[] = [];
  for (let i = 0; i < t.width; i++) out.push({ level, index: start + i });
  return out;
}

/**
 * The current width of tile (level, index) — or of entry bundle `index` with level 0 —
 * in a tree of `treeSize` leaves: 0 if the tile does not exist yet, 256 if full, else
 * the partial width. The level has ⌊treeSize / 256^level⌋ hashes (C2SP tlog-tiles
 * §Partial Tiles).
 */
export function tileWidthFor(level: number, index: number, treeSize: number): number {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new LedgerError('invalid_tree_size', 'invalid tree size');
  }
  if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL || !Number.isSafeInteger(index) || index < 0) {
    badPath();
  }
  const hashesAtLevel = Math.floor(treeSize / 2 ** (TILE_HEIGHT * level));
  const start = index * TILE_WIDTH;
  if (start >= hashesAtLevel) return 0;
  return Math.min(TILE_WIDTH, hashesAtLevel - start);
}

/**
 * Encodes an entry bundle (C2SP tlog-tiles §Log entries): each entry as a big-endian
 * uint16 length followed by its bytes.
 * @throws LedgerError `entry_too_large` for an entry over 65,535 bytes, or
 *   `malformed_entry_bundle` for more than 256 entries.
 */
export function encodeEntryBundle(entries: Uint8Array[]): Uint8Array<ArrayBuffer> {
  if (entries.length > TILE_WIDTH) throw new LedgerError('malformed_entry_bundle', 'more than 256 entries');
  let total = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES) throw new LedgerError('entry_too_large', 'entry exceeds 65535 bytes');
    total += 2 + e.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const e of entries) {
    out[o++] = e.length >>> 8;
    out[o++] = e.length & 0xff;
    out.set(e, o);
    o += e.length;
  }
  return out;
}

/**
 * Decodes an entry bundle (C2SP tlog-tiles §Log entries) into 1–256 entries; the bytes
 * must end exactly after the last entry.
 * @throws LedgerError `malformed_entry_bundle` on a truncated length or entry, an empty
 *   bundle, or more than 256 entries.
 */
export function decodeEntryBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (out.length === TILE_WIDTH) throw new LedgerError('malformed_entry_bundle', 'more than 256 entries');
    if (o + 2 > bytes.length) throw new LedgerError('malformed_entry_bundle', 'truncated entry length');
    const len = (bytes[o]! << 8) | bytes[o + 1]!;
    o += 2;
    if (o + len > bytes.length) throw new LedgerError('malformed_entry_bundle', 'truncated entry');
    out.push(bytes.slice(o, o + len));
    o += len;
  }
  if (out.length === 0) throw new LedgerError('malformed_entry_bundle', 'empty entry bundle');
  return out;
}
