CREATE TABLE "notary_attestations" (
	"id" text PRIMARY KEY NOT NULL,
	"deposit_id" text NOT NULL,
	"digest" text NOT NULL,
	"notary_org_id" text NOT NULL,
	"created_by" text NOT NULL,
	"notarial_number" text NOT NULL,
	"office" text NOT NULL,
	"attested_at" timestamp with time zone NOT NULL,
	"notary_key" text NOT NULL,
	"signature" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"log_index" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notary_attestations" ADD CONSTRAINT "notary_attestations_deposit_id_deposits_id_fk" FOREIGN KEY ("deposit_id") REFERENCES "public"."deposits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notary_attestations" ADD CONSTRAINT "notary_attestations_notary_org_id_organisations_id_fk" FOREIGN KEY ("notary_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notary_attestations" ADD CONSTRAINT "notary_attestations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notary_attestations_org_number" ON "notary_attestations" USING btree ("notary_org_id","notarial_number");--> statement-breakpoint
CREATE INDEX "notary_attestations_digest_idx" ON "notary_attestations" USING btree ("digest","log_index");--> statement-breakpoint
CREATE INDEX "notary_attestations_org_idx" ON "notary_attestations" USING btree ("notary_org_id","log_index");--> statement-breakpoint
COMMENT ON TABLE notary_attestations IS 'Notarial attestations (公证) of deposits, one notary.attested log entry each: a notary office states under its own Ed25519 key that a digest is the one of the data it witnessed.';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.id IS 'Random UUID (the entry''s attestationId).';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.deposit_id IS 'The earliest deposit of the digest when the attestation was recorded.';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.digest IS 'The digest or manifest root attested, 64 lowercase hex digits.';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.notary_org_id IS 'The notary office''s organisation (kind notary).';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.created_by IS 'The notary user who recorded it.';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.notarial_number IS 'The notarial certificate''s number (公证书编号), unique per office.';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.office IS 'The notary office''s name as it signed it.';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.attested_at IS 'When the notarial act took place (signed by the notary).';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.notary_key IS 'The notary''s cosigner verifier key <name>+<hex id>+<base64(0x04 || public key)>.';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.signature IS 'Base64 of the notary''s 64-byte Ed25519 signature over the attestation message.';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.recorded_at IS 'The time of its log entry.';--> statement-breakpoint
COMMENT ON COLUMN notary_attestations.log_index IS 'Index of its notary.attested log entry.';
