CREATE TABLE "log_timestamps" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"token" "bytea" NOT NULL,
	"gen_time" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "log_timestamps_token_len" CHECK (octet_length("log_timestamps"."token") BETWEEN 1 AND 65536)
);
--> statement-breakpoint
-- Custom part: append-only, comments.
CREATE TRIGGER log_timestamps_append_only BEFORE UPDATE OR DELETE ON log_timestamps
  FOR EACH ROW EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
CREATE TRIGGER log_timestamps_no_truncate BEFORE TRUNCATE ON log_timestamps
  FOR EACH STATEMENT EXECUTE FUNCTION datadeed_reject_log_change();
--> statement-breakpoint
COMMENT ON TABLE log_timestamps IS 'RFC 3161 time-stamp tokens over published checkpoints (DATADEED_TSA_URL; at most one per checkpoint interval): trusted time for the entries they include. Append-only.';
--> statement-breakpoint
COMMENT ON COLUMN log_timestamps.tree_size IS 'The checkpoint time-stamped (log_checkpoints.tree_size).';
--> statement-breakpoint
COMMENT ON COLUMN log_timestamps.token IS 'The TimeStampToken (CMS ContentInfo, DER) over SHA-256 of the checkpoint body, as the TSA returned it.';
--> statement-breakpoint
COMMENT ON COLUMN log_timestamps.gen_time IS 'The time the TSA vouches for (TSTInfo genTime).';
--> statement-breakpoint
COMMENT ON COLUMN log_timestamps.created_at IS 'When the registry stored it.';
