CREATE TABLE "log_checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" "bytea" NOT NULL,
	"note" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "log_checkpoints_root_len" CHECK (octet_length("log_checkpoints"."root_hash") = 32)
);
--> statement-breakpoint
CREATE TABLE "log_entries" (
	"idx" bigint PRIMARY KEY NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "log_entries_idx_nonneg" CHECK ("log_entries"."idx" >= 0),
	CONSTRAINT "log_entries_data_size" CHECK (octet_length("log_entries"."data") <= 65535)
);
--> statement-breakpoint
CREATE TABLE "log_nodes" (
	"level" smallint NOT NULL,
	"idx" bigint NOT NULL,
	"hash" "bytea" NOT NULL,
	CONSTRAINT "log_nodes_level_idx_pk" PRIMARY KEY("level","idx"),
	CONSTRAINT "log_nodes_hash_len" CHECK (octet_length("log_nodes"."hash") = 32)
);
--> statement-breakpoint
CREATE TABLE "datadeed_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"purpose" text NOT NULL,
	"vkey" text NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone,
	"log_index" bigint
);
