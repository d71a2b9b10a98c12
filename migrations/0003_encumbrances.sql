CREATE TABLE "licences" (
	"id" text PRIMARY KEY NOT NULL,
	"certificate_number" text NOT NULL,
	"licensee" text NOT NULL,
	"licensee_uscc" text,
	"scope" text NOT NULL,
	"term_start" text NOT NULL,
	"term_end" text NOT NULL,
	"exclusive" boolean NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"log_index" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pledge_counters" (
	"year" integer PRIMARY KEY NOT NULL,
	"last_seq" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pledges" (
	"id" text PRIMARY KEY NOT NULL,
	"pledge_number" text,
	"certificate_number" text NOT NULL,
	"pledgee_org_id" text NOT NULL,
	"requested_by" text NOT NULL,
	"loan_reference" text NOT NULL,
	"amount" text NOT NULL,
	"currency" text NOT NULL,
	"amount_nonce" text NOT NULL,
	"term_start" text NOT NULL,
	"term_end" text NOT NULL,
	"state" text NOT NULL,
	"subsequent_allowed" boolean DEFAULT false NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"consented_by" text,
	"recorded_at" timestamp with time zone,
	"recorded_log_index" bigint,
	"released_at" timestamp with time zone,
	"released_log_index" bigint,
	CONSTRAINT "pledges_pledge_number_unique" UNIQUE("pledge_number")
);
--> statement-breakpoint
CREATE TABLE "policies" (
	"id" text PRIMARY KEY NOT NULL,
	"certificate_number" text NOT NULL,
	"insurer_org_id" text NOT NULL,
	"policy_number" text NOT NULL,
	"insured_amount" text NOT NULL,
	"currency" text NOT NULL,
	"coverage_type" text NOT NULL,
	"term_start" text NOT NULL,
	"term_end" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"log_index" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "licences" ADD CONSTRAINT "licences_certificate_number_certificates_number_fk" FOREIGN KEY ("certificate_number") REFERENCES "public"."certificates"("number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledges" ADD CONSTRAINT "pledges_certificate_number_certificates_number_fk" FOREIGN KEY ("certificate_number") REFERENCES "public"."certificates"("number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledges" ADD CONSTRAINT "pledges_pledgee_org_id_organisations_id_fk" FOREIGN KEY ("pledgee_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledges" ADD CONSTRAINT "pledges_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledges" ADD CONSTRAINT "pledges_consented_by_users_id_fk" FOREIGN KEY ("consented_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies" ADD CONSTRAINT "policies_certificate_number_certificates_number_fk" FOREIGN KEY ("certificate_number") REFERENCES "public"."certificates"("number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies" ADD CONSTRAINT "policies_insurer_org_id_organisations_id_fk" FOREIGN KEY ("insurer_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pledges_cert_idx" ON "pledges" USING btree ("certificate_number","state");--> statement-breakpoint
CREATE UNIQUE INDEX "policies_insurer_number" ON "policies" USING btree ("insurer_org_id","policy_number");