-- The tree is stored as C2SP tlog-tiles instead of one row per Merkle node: a batch of
-- n entries wrote n entry rows and about 2n node rows; it now writes the n entries, a
-- tile row per 256 hashes of a tile level it fills, and the tree state. Only tree
-- levels 0, 8, 16, … are kept; every node between them is folded from at most 128
-- hashes of one tile (src/ledger/tile-store.ts). Full tiles never change (append-only,
-- like every log table); the incomplete tile of each level lives in the tree state row,
-- replaced with it under the sequencer's compare-and-swap.
CREATE TABLE "log_tiles" (
	"level" smallint NOT NULL,
	"idx" bigint NOT NULL,
	"hashes" "bytea" NOT NULL,
	CONSTRAINT "log_tiles_level_idx_pk" PRIMARY KEY("level","idx"),
	CONSTRAINT "log_tiles_full" CHECK (octet_length("log_tiles"."hashes") = 8192),
	CONSTRAINT "log_tiles_idx_nonneg" CHECK ("log_tiles"."idx" >= 0 AND "log_tiles"."level" >= 0)
);
--> statement-breakpoint
-- hashes do not compress: store them out of line without trying
ALTER TABLE "log_tiles" ALTER COLUMN "hashes" SET STORAGE EXTERNAL;
--> statement-breakpoint
ALTER TABLE "log_tree_state" ADD COLUMN "partial_tiles" "bytea" DEFAULT ''::bytea NOT NULL;
--> statement-breakpoint
ALTER TABLE "log_tree_state" ADD CONSTRAINT "log_tree_state_partial_len" CHECK (octet_length("log_tree_state"."partial_tiles") % 32 = 0);
--> statement-breakpoint
ALTER TABLE "log_tree_state" ALTER COLUMN "partial_tiles" SET STORAGE EXTERNAL;
--> statement-breakpoint
-- A log written before this migration: its full tiles and partial tiles from log_nodes.
-- Level 8·L has tree_size >> 8L hashes; the first 256·⌊that / 256⌋ are full tiles.
INSERT INTO log_tiles (level, idx, hashes)
SELECT n.level / 8, n.idx / 256, string_agg(n.hash, ''::bytea ORDER BY n.idx)
FROM log_nodes n, log_tree_state s
WHERE s.id AND n.level % 8 = 0 AND n.idx < ((s.tree_size >> n.level) / 256) * 256
GROUP BY n.level / 8, n.idx / 256;
--> statement-breakpoint
UPDATE log_tree_state s SET partial_tiles = coalesce((
  SELECT string_agg(n.hash, ''::bytea ORDER BY n.level, n.idx) FROM log_nodes n
  WHERE n.level % 8 = 0 AND n.idx >= ((s.tree_size >> n.level) / 256) * 256 AND n.idx < (s.tree_size >> n.level)
), ''::bytea)
WHERE s.id;
--> statement-breakpoint
DROP TABLE "log_nodes";
--> statement-breakpoint
CREATE TRIGGER log_tiles_append_only BEFORE UPDATE OR DELETE ON log_tiles
  FOR EACH ROW EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
CREATE TRIGGER log_tiles_no_truncate BEFORE TRUNCATE ON log_tiles
  FOR EACH STATEMENT EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
COMMENT ON TABLE log_tiles IS 'The full tiles of the RFC 6962 Merkle tree (C2SP tlog-tiles, height 8): tile (level, idx) is the 256 hashes of tree level 8*level at indices idx*256 .. idx*256+255, concatenated. Nodes between tile levels are computed from them. Append-only.';
--> statement-breakpoint
COMMENT ON COLUMN log_tiles.level IS 'Tile level L: the hashes are of tree level 8L (0 = leaf hashes).';
--> statement-breakpoint
COMMENT ON COLUMN log_tiles.idx IS 'Tile index N within its level: hashes N*256 .. N*256+255 of tree level 8L.';
--> statement-breakpoint
COMMENT ON COLUMN log_tiles.hashes IS '256 SHA-256 hashes (8192 bytes), exactly the body served at /tile/L/N.';
--> statement-breakpoint
COMMENT ON COLUMN log_tree_state.partial_tiles IS 'The incomplete tile of each tile level, concatenated from level 0: (tree_size >> 8L) mod 256 hashes of level L. Becomes a log_tiles row when full.';
