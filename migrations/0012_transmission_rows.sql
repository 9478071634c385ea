CREATE TABLE "invoice_transmissions" (
	"invoice_id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"message_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"result" jsonb,
	"sent_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"rejected_at" timestamp with time zone,
	"late" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
-- Invoices that have left (or were refused on the way) keep their state; pending ones need no row.
INSERT INTO "invoice_transmissions" ("invoice_id", "status", "message_id", "attempts", "last_error", "result", "sent_at", "accepted_at", "rejected_at", "late")
SELECT "id", "tx_status", "message_id", "tx_attempts", "tx_last_error", "tx_result", "sent_at", "accepted_at", "rejected_at", "late"
FROM "invoices" WHERE "tx_status" <> 'pending' OR "tx_attempts" > 0 OR "tx_last_error" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" DROP COLUMN "tx_status";--> statement-breakpoint
ALTER TABLE "invoices" DROP COLUMN "message_id";--> statement-breakpoint
ALTER TABLE "invoices" DROP COLUMN "tx_attempts";--> statement-breakpoint
ALTER TABLE "invoices" DROP COLUMN "tx_last_error";--> statement-breakpoint
ALTER TABLE "invoices" DROP COLUMN "tx_result";--> statement-breakpoint
ALTER TABLE "invoices" DROP COLUMN "sent_at";--> statement-breakpoint
ALTER TABLE "invoices" DROP COLUMN "accepted_at";--> statement-breakpoint
ALTER TABLE "invoices" DROP COLUMN "rejected_at";--> statement-breakpoint
ALTER TABLE "invoices" DROP COLUMN "late";