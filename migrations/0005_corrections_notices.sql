CREATE TABLE "invoice_notices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"invoice_id" uuid NOT NULL,
	"business_id" uuid NOT NULL,
	"action" smallint NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'waiting' NOT NULL,
	"message_id" text,
	"result" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "stats_daily" ADD COLUMN "replacements" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_daily" ADD COLUMN "adjustments" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_hourly" ADD COLUMN "replacements" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_hourly" ADD COLUMN "adjustments" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "invoice_notices_invoice_idx" ON "invoice_notices" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "invoice_notices_waiting_idx" ON "invoice_notices" USING btree ("business_id") WHERE status = 'waiting';--> statement-breakpoint
CREATE INDEX "invoice_notices_message_idx" ON "invoice_notices" USING btree ("message_id");