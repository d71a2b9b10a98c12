ALTER TABLE "signing_keys" ALTER COLUMN "vkey" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "certificate" text;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "ca_certificate" text;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_material" CHECK (CASE WHEN "signing_keys"."purpose" = 'document' THEN "signing_keys"."vkey" IS NULL AND "signing_keys"."certificate" IS NOT NULL AND "signing_keys"."ca_certificate" IS NOT NULL ELSE "signing_keys"."vkey" IS NOT NULL AND "signing_keys"."certificate" IS NULL AND "signing_keys"."ca_certificate" IS NULL END);--> statement-breakpoint
COMMENT ON TABLE signing_keys IS 'Published signing keys and their validity windows, as served at /v1/keys: verifier keys (log, certificate) and document-signing certificates with their CA''s. Private keys never enter the database.';--> statement-breakpoint
COMMENT ON COLUMN signing_keys.key_id IS 'C2SP signed-note key ID, 8 lowercase hex digits; for a document key the first 16 hex digits of its certificate''s SHA-256.';--> statement-breakpoint
COMMENT ON COLUMN signing_keys.purpose IS 'log (checkpoints), certificate (certificate signatures) or document (PDF signatures).';--> statement-breakpoint
COMMENT ON COLUMN signing_keys.vkey IS 'Verifier key string <name>+<hex id>+<base64(0x01 || public key)>; null for a document key.';--> statement-breakpoint
COMMENT ON COLUMN signing_keys.certificate IS 'A document key''s X.509 certificate, base64 DER (its key.added entry carries the same, with its SHA-256).';--> statement-breakpoint
COMMENT ON COLUMN signing_keys.ca_certificate IS 'The certificate of the registry CA that issued the document key''s certificate, base64 DER.';
