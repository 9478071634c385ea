CREATE TABLE "demo_seeds" (
	"name" text PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"manifest" jsonb
);
--> statement-breakpoint
CREATE TABLE "risk_evaluations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"evaluated_at" timestamp with time zone NOT NULL,
	"businesses" integer NOT NULL,
	"flagged" integer NOT NULL,
	"duration_ms" integer NOT NULL,
	"rules" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "risk_scores" (
	"evaluation_id" bigint NOT NULL,
	"business_id" uuid NOT NULL,
	"tax_code" text NOT NULL,
	"name" text NOT NULL,
	"province_code" text NOT NULL,
	"score" smallint NOT NULL,
	"signals" jsonb NOT NULL,
	CONSTRAINT "risk_scores_evaluation_id_business_id_pk" PRIMARY KEY("evaluation_id","business_id")
);
--> statement-breakpoint
CREATE TABLE "stats_daily" (
	"business_id" uuid NOT NULL,
	"day" date NOT NULL,
	"province_code" text NOT NULL,
	"invoices" integer DEFAULT 0 NOT NULL,
	"revenue" bigint DEFAULT 0 NOT NULL,
	"vat" bigint DEFAULT 0 NOT NULL,
	"total" bigint DEFAULT 0 NOT NULL,
	"late" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_daily_business_id_day_pk" PRIMARY KEY("business_id","day")
);
--> statement-breakpoint
CREATE TABLE "stats_hourly" (
	"business_id" uuid NOT NULL,
	"terminal_id" uuid,
	"hour_start" timestamp with time zone NOT NULL,
	"province_code" text NOT NULL,
	"invoices" integer DEFAULT 0 NOT NULL,
	"revenue" bigint DEFAULT 0 NOT NULL,
	"vat" bigint DEFAULT 0 NOT NULL,
	"total" bigint DEFAULT 0 NOT NULL,
	"late" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "stats_hourly_key" UNIQUE NULLS NOT DISTINCT("business_id","hour_start","terminal_id")
);
--> statement-breakpoint
ALTER TABLE "risk_scores" ADD CONSTRAINT "risk_scores_evaluation_id_risk_evaluations_id_fk" FOREIGN KEY ("evaluation_id") REFERENCES "public"."risk_evaluations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "risk_evaluations_at_idx" ON "risk_evaluations" USING btree ("evaluated_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "risk_scores_rank_idx" ON "risk_scores" USING btree ("evaluation_id","score" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "stats_daily_province_idx" ON "stats_daily" USING btree ("province_code","day");--> statement-breakpoint
CREATE INDEX "stats_daily_day_idx" ON "stats_daily" USING btree ("day");--> statement-breakpoint
CREATE INDEX "stats_hourly_province_idx" ON "stats_hourly" USING btree ("province_code","hour_start");--> statement-breakpoint
CREATE INDEX "stats_hourly_hour_idx" ON "stats_hourly" USING btree ("hour_start");--> statement-breakpoint
CREATE INDEX "stats_hourly_terminal_idx" ON "stats_hourly" USING btree ("terminal_id","hour_start") WHERE terminal_id is not null;--> statement-breakpoint
-- Backfill: invoices stored before the rollups existed (replaced originals drop out, their late count stays).
INSERT INTO "stats_hourly" ("business_id", "terminal_id", "hour_start", "province_code", "invoices", "revenue", "vat", "total", "late")
SELECT "business_id", "terminal_id", date_trunc('hour', "issued_at", 'UTC'), "province_code",
  count(*) FILTER (WHERE "status" <> 'replaced'),
  coalesce(sum("before_vat") FILTER (WHERE "status" <> 'replaced'), 0),
  coalesce(sum("vat") FILTER (WHERE "status" <> 'replaced'), 0),
  coalesce(sum("total") FILTER (WHERE "status" <> 'replaced'), 0),
  count(*) FILTER (WHERE "late")
FROM "invoices" GROUP BY 1, 2, 3, 4;--> statement-breakpoint
INSERT INTO "stats_daily" ("business_id", "day", "province_code", "invoices", "revenue", "vat", "total", "late")
SELECT "business_id", "business_date", "province_code",
  count(*) FILTER (WHERE "status" <> 'replaced'),
  coalesce(sum("before_vat") FILTER (WHERE "status" <> 'replaced'), 0),
  coalesce(sum("vat") FILTER (WHERE "status" <> 'replaced'), 0),
  coalesce(sum("total") FILTER (WHERE "status" <> 'replaced'), 0),
  count(*) FILTER (WHERE "late")
FROM "invoices" GROUP BY 1, 2, 3;
