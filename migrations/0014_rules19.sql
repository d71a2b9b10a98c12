CREATE TABLE "pledge_consents" (
	"id" text PRIMARY KEY NOT NULL,
	"pledge_id" text NOT NULL,
	"certificate_number" text NOT NULL,
	"action" text NOT NULL,
	"consented_by" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"log_index" bigint NOT NULL,
	"used_log_index" bigint
);
--> statement-breakpoint
CREATE TABLE "registration_counters" (
	"year" integer PRIMARY KEY NOT NULL,
	"last_seq" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"topic" text NOT NULL,
	"target" text NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"from_log_index" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"subscription_id" text NOT NULL,
	"log_index" bigint NOT NULL,
	"kind" text NOT NULL,
	"body" text NOT NULL,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_status" integer,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "registration_number" text;
--> statement-breakpoint
ALTER TABLE "objections" ADD COLUMN "interest" text;--> statement-breakpoint
ALTER TABLE "pledges" ADD COLUMN "valuation_report_hash" text;
--> statement-breakpoint
ALTER TABLE "pledges" ADD COLUMN "zhongdeng_number" text;
--> statement-breakpoint
ALTER TABLE "pledge_consents" ADD CONSTRAINT "pledge_consents_pledge_id_pledges_id_fk" FOREIGN KEY ("pledge_id") REFERENCES "public"."pledges"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "pledge_consents" ADD CONSTRAINT "pledge_consents_consented_by_users_id_fk" FOREIGN KEY ("consented_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "pledge_consents_cert_idx" ON "pledge_consents" USING btree ("certificate_number","action");
--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_sub_entry" ON "webhook_deliveries" USING btree ("subscription_id","log_index");
--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due" ON "webhook_deliveries" USING btree ("state","next_attempt_at");
--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_registration_number_unique" UNIQUE("registration_number");
--> statement-breakpoint
COMMENT ON TABLE "pledge_consents" IS 'A pledgee''s recorded consent (log entry pledge.consent_recorded) to one change, licence or transfer of its pledged certificate; used_log_index is the entry that used it';
--> statement-breakpoint
COMMENT ON TABLE "registration_counters" IS 'Gap-free sequences of registration numbers (登记号) per application year';
--> statement-breakpoint
COMMENT ON TABLE "subscriptions" IS 'Webhook subscriptions of an organisation: topic certificate|holder|digest|industry, target the number, USCC, digest or GB/T 4754 code; secret keys the HMAC-SHA256 signature';
--> statement-breakpoint
COMMENT ON TABLE "webhook_deliveries" IS 'Delivery log of webhooks: one row per subscription and log entry, attempts with back-off (state pending|delivered|failed)';
--> statement-breakpoint
COMMENT ON COLUMN "certificates"."registration_number" IS 'The 16-character registration number (登记号) with its ISO 7064 MOD 37,36 check character (null for certificates issued before it existed)';
--> statement-breakpoint
COMMENT ON COLUMN "pledges"."valuation_report_hash" IS 'SHA-256 of the valuation report (评估报告) the pledge rests on';
--> statement-breakpoint
COMMENT ON COLUMN "pledges"."zhongdeng_number" IS 'Registration number at 动产融资统一登记公示系统 (中登网), when the bank registered there too';
--> statement-breakpoint
COMMENT ON COLUMN "pledge_consents"."id" IS 'Record id (UUID) of the consent';
--> statement-breakpoint
COMMENT ON COLUMN "pledge_consents"."pledge_id" IS 'The pledge whose pledgee consents';
--> statement-breakpoint
COMMENT ON COLUMN "pledge_consents"."certificate_number" IS 'The pledged certificate the consent is about';
--> statement-breakpoint
COMMENT ON COLUMN "pledge_consents"."action" IS 'What the pledgee consents to: change, licence or transfer';
--> statement-breakpoint
COMMENT ON COLUMN "pledge_consents"."consented_by" IS 'The pledgees user who recorded the consent';
--> statement-breakpoint
COMMENT ON COLUMN "pledge_consents"."at" IS 'When the consent was recorded';
--> statement-breakpoint
COMMENT ON COLUMN "pledge_consents"."log_index" IS 'Log index of the pledge.consent_recorded entry';
--> statement-breakpoint
COMMENT ON COLUMN "pledge_consents"."used_log_index" IS 'Log index of the entry that used the consent (null while unused)';
--> statement-breakpoint
COMMENT ON COLUMN "registration_counters"."year" IS 'Application year (registry time zone)';
--> statement-breakpoint
COMMENT ON COLUMN "registration_counters"."last_seq" IS 'Last sequence number handed out for that year';
--> statement-breakpoint
COMMENT ON COLUMN "subscriptions"."id" IS 'Record id (UUID)';
--> statement-breakpoint
COMMENT ON COLUMN "subscriptions"."org_id" IS 'The subscribing organisation';
--> statement-breakpoint
COMMENT ON COLUMN "subscriptions"."topic" IS 'certificate, holder, digest or industry';
--> statement-breakpoint
COMMENT ON COLUMN "subscriptions"."target" IS 'Certificate number, holder USCC, SHA-256 digest or GB/T 4754 industry code';
--> statement-breakpoint
COMMENT ON COLUMN "subscriptions"."url" IS 'Where webhooks are POSTed';
--> statement-breakpoint
COMMENT ON COLUMN "subscriptions"."secret" IS 'HMAC-SHA256 key of the signature header (shown once at creation)';
--> statement-breakpoint
COMMENT ON COLUMN "subscriptions"."active" IS 'Whether deliveries are made';
--> statement-breakpoint
COMMENT ON COLUMN "subscriptions"."created_at" IS 'When subscribed';
--> statement-breakpoint
COMMENT ON COLUMN "subscriptions"."from_log_index" IS 'The next log index the dispatcher examines for this subscription (it starts at the log size when subscribing and advances as entries are scanned)';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."id" IS 'Record id (UUID)';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."subscription_id" IS 'The subscription delivered to';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."log_index" IS 'The log entry the event is';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."kind" IS 'The entry kind';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."body" IS 'The JSON body sent (signed)';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."state" IS 'pending, delivered or failed (after the last attempt)';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."attempts" IS 'Attempts made';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."next_attempt_at" IS 'When the next attempt is due (exponential back-off)';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."last_status" IS 'HTTP status of the last attempt (null: no answer)';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."last_error" IS 'Why the last attempt failed';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."created_at" IS 'When the delivery was queued';
--> statement-breakpoint
COMMENT ON COLUMN "webhook_deliveries"."delivered_at" IS 'When a 2xx answer was received';
--> statement-breakpoint
COMMENT ON COLUMN "objections"."interest" IS 'The objector''s stated interest (利害关系), logged as interestHash; required when DATADEED_OBJECTORS=interested';
