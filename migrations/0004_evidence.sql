CREATE TABLE "deposit_counters" (
	"year" integer PRIMARY KEY NOT NULL,
	"last_seq" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deposits" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"created_by" text NOT NULL,
	"digest" text NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"files" bigint,
	"bytes" bigint,
	"previous" text,
	"log_index" bigint NOT NULL,
	"leaf_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deposits" ADD CONSTRAINT "deposits_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deposits" ADD CONSTRAINT "deposits_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deposits_org_digest" ON "deposits" USING btree ("org_id","digest");--> statement-breakpoint
CREATE INDEX "deposits_digest_idx" ON "deposits" USING btree ("digest","log_index");