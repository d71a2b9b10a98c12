CREATE TABLE "log_cosignatures" (
	"tree_size" bigint NOT NULL,
	"key_name" text NOT NULL,
	"key_id" text NOT NULL,
	"line" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "log_cosignatures_tree_size_key_name_key_id_pk" PRIMARY KEY("tree_size","key_name","key_id"),
	CONSTRAINT "log_cosignatures_key_id" CHECK ("log_cosignatures"."key_id" ~ '^[0-9a-f]{8}$'),
	CONSTRAINT "log_cosignatures_line" CHECK ("log_cosignatures"."line" LIKE '— %' AND position(chr(10) in "log_cosignatures"."line") = 0)
);
--> statement-breakpoint
CREATE TABLE "log_tree_state" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"tree_size" bigint NOT NULL,
	"root_hash" "bytea" NOT NULL,
	"right_edge" "bytea" NOT NULL,
	"integrated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "log_tree_state_one_row" CHECK ("log_tree_state"."id"),
	CONSTRAINT "log_tree_state_size_nonneg" CHECK ("log_tree_state"."tree_size" >= 0),
	CONSTRAINT "log_tree_state_root_len" CHECK (octet_length("log_tree_state"."root_hash") = 32),
	CONSTRAINT "log_tree_state_edge_len" CHECK (octet_length("log_tree_state"."right_edge") % 32 = 0)
);
--> statement-breakpoint
-- Custom part: the tree state row of an existing log, its guard trigger, the
-- append-only rule for cosignatures, comments.
-- The tree state of a log written before this migration is its newest checkpoint
-- (then every batch wrote one); its right edge is read from log_nodes (one node per
-- set bit b of the size: level b, index (size >> b) - 1, largest first). The
-- sequencer checks at its first read that the edge folds to the root. An empty log
-- starts at the epoch: there is no earlier time to keep.
INSERT INTO log_tree_state (id, tree_size, root_hash, right_edge, integrated_at)
SELECT true,
       coalesce(c.tree_size, 0),
       coalesce(c.root_hash, sha256(''::bytea)),
       coalesce((SELECT string_agg(n.hash, ''::bytea ORDER BY n.level DESC)
                 FROM generate_series(0, 62) AS b(l)
                 JOIN log_nodes n ON n.level = b.l AND n.idx = (c.tree_size >> b.l) - 1
                 WHERE ((c.tree_size >> b.l) & 1) = 1), ''::bytea),
       coalesce(c.created_at, 'epoch'::timestamptz)
FROM (SELECT 1) AS one
LEFT JOIN (SELECT tree_size, root_hash, created_at FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1) AS c ON true;
--> statement-breakpoint
-- The tree state only grows, whoever writes it: a smaller size, another root for the
-- same size or an earlier time is refused, and the row cannot be deleted. (A superuser
-- can disable the trigger; the signer's own checkpoint file and `audit
-- --trusted-checkpoint` find that.)
CREATE OR REPLACE FUNCTION datadeed_check_tree_state() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'datadeed: % on log_tree_state is forbidden: the tree state only grows', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.tree_size < OLD.tree_size THEN
    RAISE EXCEPTION 'datadeed: the tree cannot shrink (% to %)', OLD.tree_size, NEW.tree_size
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.tree_size = OLD.tree_size AND NEW.root_hash <> OLD.root_hash THEN
    RAISE EXCEPTION 'datadeed: the tree of size % cannot change its root', OLD.tree_size
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.integrated_at < OLD.integrated_at THEN
    RAISE EXCEPTION 'datadeed: the tree state time cannot go back'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER log_tree_state_only_grows BEFORE UPDATE OR DELETE ON log_tree_state
  FOR EACH ROW EXECUTE FUNCTION datadeed_check_tree_state();
--> statement-breakpoint
CREATE TRIGGER log_tree_state_no_truncate BEFORE TRUNCATE ON log_tree_state
  FOR EACH STATEMENT EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
CREATE TRIGGER log_cosignatures_append_only BEFORE UPDATE OR DELETE ON log_cosignatures
  FOR EACH ROW EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
CREATE TRIGGER log_cosignatures_no_truncate BEFORE TRUNCATE ON log_cosignatures
  FOR EACH STATEMENT EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
COMMENT ON TABLE log_checkpoints IS 'Every signed checkpoint (C2SP tlog-checkpoint in a signed note) the log published: on an interval and on demand, not per batch; receipts and consistency proofs refer to them by size. Append-only.';
--> statement-breakpoint
COMMENT ON COLUMN log_checkpoints.created_at IS 'When the publisher signed it (injected clock); never earlier than the previous one.';
--> statement-breakpoint
COMMENT ON TABLE log_tree_state IS 'The head of the stored tree, one row: replaced per batch by the sequencer under its row lock with compare-and-swap; checkpoints are published from it. Only grows (trigger).';
--> statement-breakpoint
COMMENT ON COLUMN log_tree_state.id IS 'Always true: there is exactly one row.';
--> statement-breakpoint
COMMENT ON COLUMN log_tree_state.tree_size IS 'Number of entries integrated (committed, acknowledged); entries 0 .. tree_size-1 are stored.';
--> statement-breakpoint
COMMENT ON COLUMN log_tree_state.root_hash IS 'RFC 6962 root hash of the first tree_size entries.';
--> statement-breakpoint
COMMENT ON COLUMN log_tree_state.right_edge IS 'The compact range of the tree: the 32-byte hashes of its perfect subtrees, one per set bit of tree_size, largest first, concatenated.';
--> statement-breakpoint
COMMENT ON COLUMN log_tree_state.integrated_at IS 'When the last batch was integrated (injected clock); never goes back.';
--> statement-breakpoint
COMMENT ON TABLE log_cosignatures IS 'Signatures added to a published checkpoint after it was signed (witnesses, notaries); served as further signature lines of its note. Append-only.';
--> statement-breakpoint
COMMENT ON COLUMN log_cosignatures.tree_size IS 'The checkpoint cosigned (log_checkpoints.tree_size).';
--> statement-breakpoint
COMMENT ON COLUMN log_cosignatures.key_name IS 'Name of the cosigning key (C2SP signed-note key name).';
--> statement-breakpoint
COMMENT ON COLUMN log_cosignatures.key_id IS 'Its key ID, 8 lowercase hex digits.';
--> statement-breakpoint
COMMENT ON COLUMN log_cosignatures.line IS 'The signature line exactly as served, without its newline: an em dash, a space, the key name, a space, base64(key ID || signature).';
--> statement-breakpoint
COMMENT ON COLUMN log_cosignatures.created_at IS 'When the cosignature was added.';
