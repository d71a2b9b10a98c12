-- The evidence log is append-only in the database itself: no UPDATE, DELETE or
-- TRUNCATE on its tables, whoever asks. An attacker with superuser rights can
-- still disable the trigger; `datadeed audit` then finds what was changed.
CREATE OR REPLACE FUNCTION datadeed_reject_log_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'datadeed: % on % is forbidden: the log is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries
  FOR EACH ROW EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
CREATE TRIGGER log_entries_no_truncate BEFORE TRUNCATE ON log_entries
  FOR EACH STATEMENT EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
CREATE TRIGGER log_nodes_append_only BEFORE UPDATE OR DELETE ON log_nodes
  FOR EACH ROW EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
CREATE TRIGGER log_nodes_no_truncate BEFORE TRUNCATE ON log_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints
  FOR EACH ROW EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
CREATE TRIGGER log_checkpoints_no_truncate BEFORE TRUNCATE ON log_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
COMMENT ON TABLE datadeed_meta IS 'Facts about this database fixed at first start (log origin).';
--> statement-breakpoint
COMMENT ON COLUMN datadeed_meta.key IS 'Name of the fact, e.g. origin.';
--> statement-breakpoint
COMMENT ON COLUMN datadeed_meta.value IS 'Its value.';
--> statement-breakpoint
COMMENT ON TABLE log_entries IS 'Evidence log entries (RFC 8785 canonical JSON, UTF-8), append-only.';
--> statement-breakpoint
COMMENT ON COLUMN log_entries.idx IS 'Zero-based position in the log; gap-free.';
--> statement-breakpoint
COMMENT ON COLUMN log_entries.data IS 'The entry bytes; the leaf hash is SHA-256(0x00 || data) (RFC 6962).';
--> statement-breakpoint
COMMENT ON TABLE log_nodes IS 'Every complete node of the RFC 6962 Merkle tree; tiles and proofs are read from here. Append-only.';
--> statement-breakpoint
COMMENT ON COLUMN log_nodes.level IS 'Height above the leaves: 0 = leaf hash.';
--> statement-breakpoint
COMMENT ON COLUMN log_nodes.idx IS 'Index within the level: the node covers leaves [idx*2^level, (idx+1)*2^level).';
--> statement-breakpoint
COMMENT ON COLUMN log_nodes.hash IS 'SHA-256 Merkle tree hash of that subtree (32 bytes).';
--> statement-breakpoint
COMMENT ON TABLE log_checkpoints IS 'Every signed checkpoint (C2SP tlog-checkpoint in a signed note), one per committed batch. Append-only.';
--> statement-breakpoint
COMMENT ON COLUMN log_checkpoints.tree_size IS 'Number of entries the checkpoint commits to.';
--> statement-breakpoint
COMMENT ON COLUMN log_checkpoints.root_hash IS 'RFC 6962 root hash of the first tree_size entries.';
--> statement-breakpoint
COMMENT ON COLUMN log_checkpoints.note IS 'The signed note exactly as served at /checkpoint.';
--> statement-breakpoint
COMMENT ON COLUMN log_checkpoints.created_at IS 'When the sequencer signed it (injected clock).';
--> statement-breakpoint
COMMENT ON TABLE signing_keys IS 'Public verifier keys and their validity windows, as published at /v1/keys. Private keys never enter the database.';
--> statement-breakpoint
COMMENT ON COLUMN signing_keys.key_id IS 'C2SP signed-note key ID, 8 lowercase hex digits.';
--> statement-breakpoint
COMMENT ON COLUMN signing_keys.name IS 'Key name (for the log key: the log origin).';
--> statement-breakpoint
COMMENT ON COLUMN signing_keys.purpose IS 'log (checkpoints) or certificate (certificate signatures).';
--> statement-breakpoint
COMMENT ON COLUMN signing_keys.vkey IS 'Verifier key string <name>+<hex id>+<base64(0x01 || public key)>.';
--> statement-breakpoint
COMMENT ON COLUMN signing_keys.valid_from IS 'Start of the window in which the key may sign.';
--> statement-breakpoint
COMMENT ON COLUMN signing_keys.valid_until IS 'End of that window (retirement); null while active.';
--> statement-breakpoint
COMMENT ON COLUMN signing_keys.log_index IS 'Index of the log entry that announced the key.';
