/**
 * The integration step of the log, as a pure function (the shape of Tessera's
 * `integrate`): what the sequencer read under the lock goes in, what it must write
 * comes out. No I/O, no clock: the caller passes the time it read.
 *
 * The tree state is the log's internal head — size, RFC 9162 root and right edge
 * (the compact range, one hash per set bit of the size) — kept apart from the
 * signed checkpoints that are published from it (`publisher`). Integration never
 * signs.
 */
import { isNonNegativeSafeInteger } from './bits.ts';
import { bytesEqual } from './bytes.ts';
import { CompactRange } from './compact.ts';
import { LedgerError } from './errors.ts';
import type { Hasher } from './hasher.ts';
import { integrateTiles, partialTilesLength, type FullTile } from './tile-store.ts';
import type { NodeId } from './tree.ts';

/** The head of the stored tree: one row, replaced per batch by compare-and-swap. */
export interface TreeState {
  /** Number of entries integrated. */
  size: number;
  /** RFC 9162 §2.1.1 Merkle Tree Hash of the first `size` entries. */
  rootHash: Uint8Array;
  /** The right edge: hashes of the perfect subtrees `compactNodeIds(size)`, largest first. */
  edge: Uint8Array[];
  /** When the state was integrated (the injected clock); never goes back. */
  time: Date;
  /**
   * The partial tiles of the tree (C2SP tlog-tiles), concatenated by tile level: the
   * hashes of each level's incomplete tile, whose length the size fixes
   * (`partialTileWidths`). Full tiles are stored apart and never change.
   */
  partialTiles: Uint8Array;
}

/** What the sequencer read, under the lock, in the batch transaction. */
export interface IntegrateReads {
  /** The tree state row as read (the compare-and-swap expectation). */
  state: TreeState;
  /** Leaf hashes (RFC 9162 §2.1.1 MTH({d}) of each entry) of the batch, in index order. */
  leaves: readonly Uint8Array[];
  /** The clock's time. */
  now: Date;
  /** How far the clock may read behind the stored time before it is an error (ms, default 0). */
  maxClockSkewMs?: number;
}

/** What the sequencer must write in the same transaction. */
export interface IntegrateWrites {
  /** Index of the first leaf of the batch (= the size read). */
  firstIndex: number;
  /** The new tree state, to replace `reads.state` (compare-and-swap on its size and root). */
  state: TreeState;
  /** Every node that became complete, ascending by level within each leaf. */
  nodes: { id: NodeId; hash: Uint8Array }[];
  /** The tiles the batch filled (256 hashes each): exactly the new tile rows. */
  tiles: FullTile[];
}

/**
 * Opens a stored tree state: checks that the edge fits the size and folds to the root,
 * and that the partial tiles have the length the size gives them.
 * @throws LedgerError `tree_state_corrupt`.
 */
export function openTreeState(hasher: Hasher, state: TreeState): CompactRange {
  let range: CompactRange;
  try {
    if (!isNonNegativeSafeInteger(state.size)) throw new Error('invalid size');
    range = CompactRange.fromHashes(hasher, state.size, state.edge);
  } catch {
    throw new LedgerError('tree_state_corrupt', `the tree state's right edge does not fit its size ${state.size}`);
  }
  if (!bytesEqual(range.root(), state.rootHash))
    throw new LedgerError('tree_state_corrupt', `the tree state's right edge does not fold to its root at size ${state.size}`);
  if (!(state.partialTiles instanceof Uint8Array) || state.partialTiles.length !== partialTilesLength(state.size))
    throw new LedgerError('tree_state_corrupt', `the tree state's partial tiles do not fit its size ${state.size}`);
  return range;
}

/**
 * The time of the next state or checkpoint after one stamped `previous`: the clock's
 * time, or `previous` when the clock reads slightly earlier (within `maxSkewMs`, as two
 * servers' clocks may), so stored times never go back.
 * @throws LedgerError `clock_went_back` when the clock is more than `maxSkewMs` behind.
 */
export function nextTime(previous: Date | undefined, now: Date, maxSkewMs = 0): Date {
  if (!previous || now.getTime() >= previous.getTime()) return new Date(now.getTime());
  if (previous.getTime() - now.getTime() > maxSkewMs)
    throw new LedgerError(
      'clock_went_back',
      `the clock reads ${now.toISOString()}, before the stored ${previous.toISOString()} (more than ${maxSkewMs} ms)`,
    );
  return new Date(previous.getTime());
}

/**
 * Integrates a batch of leaves on top of the state read (RFC 9162 §2.1.1 append).
 * Preconditions: `reads.state` is the state read under the lock (it is checked with
 * {@link openTreeState}); leaves are 32-byte hashes.
 * @throws LedgerError `tree_state_corrupt`, `clock_went_back`, `invalid_tree_size` (the tree is full).
 */
export function integrate(hasher: Hasher, reads: IntegrateReads): IntegrateWrites {
  const range = openTreeState(hasher, reads.state);
  const time = nextTime(reads.state.time, reads.now, reads.maxClockSkewMs ?? 0);
  const nodes: { id: NodeId; hash: Uint8Array }[] = [];
  for (const leaf of reads.leaves) range.append(leaf, (id, hash) => nodes.push({ id, hash }));
  const tiles = integrateTiles(reads.state.size, reads.state.partialTiles, nodes, range.size);
  return {
    firstIndex: reads.state.size,
    state: { size: range.size, rootHash: range.root(), edge: range.hashes(), time, partialTiles: tiles.partials },
    nodes,
    tiles: tiles.full,
  };
}

/** The tree state of the empty log. */
export function emptyTreeState(hasher: Hasher, time: Date): TreeState {
  return { size: 0, rootHash: hasher.emptyRoot(), edge: [], time, partialTiles: new Uint8Array(0) };
}
