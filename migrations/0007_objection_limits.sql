ALTER TABLE "objections" ADD COLUMN "filed_from_hash" text;--> statement-breakpoint
CREATE INDEX "objections_app_state_idx" ON "objections" USING btree ("application_id","state");--> statement-breakpoint
-- Issue 15, finding 7: an objector's open objections per application are limited per
-- client address. Only a SHA-256 of the address is kept, never the address; it is not logged.
COMMENT ON COLUMN objections.filed_from_hash IS 'SHA-256 (hex) of the client address the objection was filed from (limits open objections per address and application); null when filed without an address. Private; not in the log.';
