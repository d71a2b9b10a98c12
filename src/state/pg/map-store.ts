/**
 * Kept for callers that still hand the state committer a node store: the state map no
 * longer lives in the database (table `state_map_nodes` was dropped by migration 0016).
 * The committer keeps its map in memory, derived from the log (./committer.ts); this is
 * that in-memory store under its old name, and the database handle is not used.
 * @deprecated Omit `store` (the committer makes its own) or pass a `MemoryNodeStore`.
 */
import { MemoryNodeStore } from '../map/index.ts';

export class PgMapNodeStore extends MemoryNodeStore {
  constructor(_db?: unknown) {
    super();
  }
}
