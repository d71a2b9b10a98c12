/**
 * The rollback and fork guard, as a pure check: does a tree extend one already
 * signed (or acknowledged, or saved by a client)? An append-only log only grows,
 * and a size once signed keeps its root forever (RFC 9162 §2.1.4).
 */
import { bytesEqual, toHex } from './bytes.ts';
import { LedgerError } from './errors.ts';
import type { Hasher } from './hasher.ts';
import { verifyConsistency } from './proof.ts';

/** A tree head: a size and its root. */
export interface TreeHead {
  size: number;
  rootHash: Uint8Array;
}

/**
 * Checks that `current` is `trusted` or an append-only extension of it.
 * `proof` is the RFC 9162 §2.1.4.1 consistency proof from `trusted.size` to
 * `current.size` (ignored unless current is larger; may come from the untrusted
 * store: a proof that verifies cannot be forged).
 * @throws LedgerError `tree_rolled_back` when current is smaller; `tree_forked` when a
 *   size has another root or the consistency proof fails.
 */
export function checkExtends(hasher: Hasher, trusted: TreeHead, current: TreeHead, proof: readonly Uint8Array[] = []): void {
  if (current.size < trusted.size)
    throw new LedgerError('tree_rolled_back', `the tree has ${current.size} entries, fewer than the ${trusted.size} of a tree already signed: the log was rolled back`);
  if (current.size === trusted.size) {
    if (!bytesEqual(current.rootHash, trusted.rootHash))
      throw new LedgerError(
        'tree_forked',
        `the tree of size ${current.size} has root ${toHex(current.rootHash)}, but ${toHex(trusted.rootHash)} was signed for that size: the log forked`,
      );
    return;
  }
  try {
    verifyConsistency(hasher, trusted.size, current.size, [...proof], trusted.rootHash, current.rootHash);
  } catch (err) {
    throw new LedgerError(
      'tree_forked',
      `the tree of size ${current.size} does not extend the tree of size ${trusted.size} signed before (${err instanceof LedgerError ? err.code : 'error'}): the log forked`,
    );
  }
}
