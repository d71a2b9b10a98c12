-- Full tiles are stored as 17 small parts instead of one 8 KB row (issue 14). An 8 KB
-- row is moved to TOAST, so a proof's cold read of a tile cost the row, the TOAST index
-- and ~5 TOAST chunks, then hashing up to 255 nodes to get the tile's interior. Each
-- part is now the perfect subtree of height 4 below one node, without its root (30
-- hashes, 960 bytes, kept in the row: STORAGE PLAIN): parts 0–15 are the tile's hashes
-- 16p … 16p+15 with the nodes of the tile's levels 1–3 above them, part 16 is the 16
-- stripe roots (level 4) with the nodes of levels 5–7. A proof reads at most two parts
-- per tile level, O(log n) stored hashes, and hashes nothing (src/ledger/tile-store.ts:
-- tileParts, nodeInPart). The served tile is the first 512 bytes of parts 0–15, in order.
CREATE TABLE "log_tile_parts" (
	"level" smallint NOT NULL,
	"idx" bigint NOT NULL,
	"part" smallint NOT NULL,
	"hashes" "bytea" NOT NULL,
	CONSTRAINT "log_tiles_level_idx_part_pk" PRIMARY KEY("level","idx","part"),
	CONSTRAINT "log_tiles_part_len" CHECK (octet_length("hashes") = 960),
	CONSTRAINT "log_tiles_part_range" CHECK ("idx" >= 0 AND "level" >= 0 AND "part" >= 0 AND "part" <= 16)
);
--> statement-breakpoint
-- 960 bytes: never compressed (hashes do not compress) nor moved out of line
ALTER TABLE "log_tile_parts" ALTER COLUMN "hashes" SET STORAGE PLAIN;
--> statement-breakpoint
-- The tiles written before this migration, folded level by level (node = SHA-256(0x01 ‖
-- left ‖ right), RFC 9162 §2.1.1: a level's 2j-th and (2j+1)-th hashes are 64 consecutive
-- bytes). Each step is MATERIALIZED: inlined, the nested correlated subqueries took
-- PostgreSQL 15 ~0.9 s to plan, on every new database, empty or not.
INSERT INTO log_tile_parts (level, idx, part, hashes)
WITH l0 AS MATERIALIZED (SELECT level, idx, hashes AS b FROM log_tiles),
l1 AS MATERIALIZED (SELECT level, idx, b AS b0, (SELECT string_agg(sha256('\x01'::bytea || substring(b FROM 64 * j + 1 FOR 64)), ''::bytea ORDER BY j) FROM generate_series(0, 127) AS j) AS b FROM l0),
l2 AS MATERIALIZED (SELECT level, idx, b0, b AS b1, (SELECT string_agg(sha256('\x01'::bytea || substring(b FROM 64 * j + 1 FOR 64)), ''::bytea ORDER BY j) FROM generate_series(0, 63) AS j) AS b FROM l1),
l3 AS MATERIALIZED (SELECT level, idx, b0, b1, b AS b2, (SELECT string_agg(sha256('\x01'::bytea || substring(b FROM 64 * j + 1 FOR 64)), ''::bytea ORDER BY j) FROM generate_series(0, 31) AS j) AS b FROM l2),
l4 AS MATERIALIZED (SELECT level, idx, b0, b1, b2, b AS b3, (SELECT string_agg(sha256('\x01'::bytea || substring(b FROM 64 * j + 1 FOR 64)), ''::bytea ORDER BY j) FROM generate_series(0, 15) AS j) AS b FROM l3),
l5 AS MATERIALIZED (SELECT level, idx, b0, b1, b2, b3, b AS b4, (SELECT string_agg(sha256('\x01'::bytea || substring(b FROM 64 * j + 1 FOR 64)), ''::bytea ORDER BY j) FROM generate_series(0, 7) AS j) AS b FROM l4),
l6 AS MATERIALIZED (SELECT level, idx, b0, b1, b2, b3, b4, b AS b5, (SELECT string_agg(sha256('\x01'::bytea || substring(b FROM 64 * j + 1 FOR 64)), ''::bytea ORDER BY j) FROM generate_series(0, 3) AS j) AS b FROM l5),
l7 AS MATERIALIZED (SELECT level, idx, b0, b1, b2, b3, b4, b5, b AS b6, (SELECT string_agg(sha256('\x01'::bytea || substring(b FROM 64 * j + 1 FOR 64)), ''::bytea ORDER BY j) FROM generate_series(0, 1) AS j) AS b7 FROM l6)
SELECT level, idx, p,
  CASE WHEN p < 16
    THEN substring(b0 FROM 512 * p + 1 FOR 512) || substring(b1 FROM 256 * p + 1 FOR 256) || substring(b2 FROM 128 * p + 1 FOR 128) || substring(b3 FROM 64 * p + 1 FOR 64)
    ELSE b4 || b5 || b6 || b7 END
FROM l7, generate_series(0, 16) AS p;
--> statement-breakpoint
DROP TABLE "log_tiles";
--> statement-breakpoint
ALTER TABLE "log_tile_parts" RENAME TO "log_tiles";
--> statement-breakpoint
CREATE TRIGGER log_tiles_append_only BEFORE UPDATE OR DELETE ON log_tiles
  FOR EACH ROW EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
CREATE TRIGGER log_tiles_no_truncate BEFORE TRUNCATE ON log_tiles
  FOR EACH STATEMENT EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
COMMENT ON TABLE log_tiles IS 'The full tiles of the RFC 6962 Merkle tree (C2SP tlog-tiles, height 8), each as 17 parts: tile (level, idx) holds the 256 hashes of tree level 8*level at indices idx*256 .. idx*256+255 and the nodes of tree levels 8*level+1 .. 8*level+7 folded from them. Nodes of a partial tile are computed from log_tree_state.partial_tiles. Append-only.';
--> statement-breakpoint
COMMENT ON COLUMN log_tiles.level IS 'Tile level L: the tile holds tree levels 8L (its hashes) to 8L+7 (0 = leaf hashes).';
--> statement-breakpoint
COMMENT ON COLUMN log_tiles.idx IS 'Tile index N within its level: hashes N*256 .. N*256+255 of tree level 8L.';
--> statement-breakpoint
COMMENT ON COLUMN log_tiles.part IS 'Part of the tile, each a perfect subtree of height 4 without its root: 0..15 = the tile hashes 16*part .. 16*part+15 and the nodes of tile levels 1, 2, 3 above them; 16 = the nodes of tile levels 4, 5, 6, 7.';
--> statement-breakpoint
COMMENT ON COLUMN log_tiles.hashes IS '30 SHA-256 hashes (960 bytes), by tile level then index: 16 of the lowest level, then 8, 4 and 2. The body served at /tile/L/N is the first 512 bytes of parts 0..15, in order.';
