CREATE TABLE "log_witness_state" (
	"key_name" text NOT NULL,
	"key_id" text NOT NULL,
	"size" bigint NOT NULL,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	CONSTRAINT "log_witness_state_key_name_key_id_pk" PRIMARY KEY("key_name","key_id"),
	CONSTRAINT "log_witness_state_key_id" CHECK ("log_witness_state"."key_id" ~ '^[0-9a-f]{8}$'),
	CONSTRAINT "log_witness_state_size_nonneg" CHECK ("log_witness_state"."size" >= 0)
);
--> statement-breakpoint
COMMENT ON TABLE log_witness_state IS 'The registry''s view of each witness of its trust policy (DATADEED_WITNESS_POLICY): the size it last cosigned and the outcome of the last add-checkpoint request. The cosignatures themselves are in log_cosignatures.';
--> statement-breakpoint
COMMENT ON COLUMN log_witness_state.key_name IS 'The witness''s cosigner key name (C2SP signed-note key name).';
--> statement-breakpoint
COMMENT ON COLUMN log_witness_state.key_id IS 'Its key ID, 8 lowercase hex digits.';
--> statement-breakpoint
COMMENT ON COLUMN log_witness_state.size IS 'The tree size the witness last cosigned, as far as the registry knows (the old size of the next request; a 409 corrects it).';
--> statement-breakpoint
COMMENT ON COLUMN log_witness_state.last_success_at IS 'When the witness last returned a valid cosignature.';
--> statement-breakpoint
COMMENT ON COLUMN log_witness_state.last_error IS 'The last failure (code and message), or null after a success.';
--> statement-breakpoint
COMMENT ON COLUMN log_witness_state.last_error_at IS 'When that failure happened.';
