-- The state map's nodes are no longer stored: the state committer keeps its map in memory,
-- derived from the log (built from the replayed state when a process starts, updated with
-- the keys each commitment changes; src/state/pg/committer.ts). A commitment of 1,000
-- changed certificates wrote ~9,000 node rows (≈ 70 % of its time on PGlite); it now
-- writes its entry alone. The rows are not needed by anything: every committed root is
-- recomputed from the log by the map, audit and monitors alike.
DROP TABLE IF EXISTS "state_map_nodes";
