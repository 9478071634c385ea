CREATE TABLE "stats_terminal_hourly" (
	"terminal_id" uuid NOT NULL,
	"hour_start" timestamp with time zone NOT NULL,
	"business_id" uuid NOT NULL,
	"invoices" integer DEFAULT 0 NOT NULL,
	"revenue" bigint DEFAULT 0 NOT NULL,
	"vat" bigint DEFAULT 0 NOT NULL,
	"total" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_terminal_hourly_terminal_id_hour_start_pk" PRIMARY KEY("terminal_id","hour_start")
);
--> statement-breakpoint
-- Per-terminal rows move to their own table; stats_hourly keeps one row per business and hour.
INSERT INTO "stats_terminal_hourly" ("terminal_id", "hour_start", "business_id", "invoices", "revenue", "vat", "total")
SELECT "terminal_id", "hour_start", "business_id", sum("invoices"), sum("revenue"), sum("vat"), sum("total")
FROM "stats_hourly" WHERE "terminal_id" IS NOT NULL GROUP BY 1, 2, 3;--> statement-breakpoint
ALTER TABLE "stats_hourly" DROP CONSTRAINT "stats_hourly_key";--> statement-breakpoint
DROP INDEX "stats_hourly_terminal_idx";--> statement-breakpoint
WITH "old" AS (DELETE FROM "stats_hourly" RETURNING *)
INSERT INTO "stats_hourly" ("business_id", "terminal_id", "hour_start", "province_code", "invoices", "revenue", "vat", "total", "late")
SELECT "business_id", NULL, "hour_start", min("province_code"), sum("invoices"), sum("revenue"), sum("vat"), sum("total"), sum("late")
FROM "old" GROUP BY "business_id", "hour_start";--> statement-breakpoint
ALTER TABLE "stats_hourly" DROP COLUMN "terminal_id";--> statement-breakpoint
ALTER TABLE "stats_hourly" ADD CONSTRAINT "stats_hourly_business_id_hour_start_pk" PRIMARY KEY("business_id","hour_start");--> statement-breakpoint
CREATE INDEX "stats_terminal_hourly_hour_idx" ON "stats_terminal_hourly" USING btree ("hour_start");
