CREATE SCHEMA "authority_sim";
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"subject_hash" text,
	"reason" text,
	"result_count" integer,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "businesses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tax_code" text NOT NULL,
	"name" text NOT NULL,
	"address" text NOT NULL,
	"province_code" text NOT NULL,
	"sector" text DEFAULT 'restaurant' NOT NULL,
	"tax_office_code" text NOT NULL,
	"phone" text,
	"email" text NOT NULL,
	"invoice_form" smallint NOT NULL,
	"symbol_series" text DEFAULT 'AA' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"mtt_code" text,
	"rejection_reasons" jsonb,
	"legal_representative" jsonb NOT NULL,
	"legal_representative_secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"serial" text NOT NULL,
	"subject" text NOT NULL,
	"issuer" text NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"fingerprint" text NOT NULL,
	"cert_der" "bytea" NOT NULL,
	"key_encrypted" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"token_hash" "bytea" NOT NULL,
	"business_id" uuid,
	"terminal_id" uuid,
	"staff_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"provinces" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "terminals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"name" text NOT NULL,
	"location" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "buyer_links" (
	"invoice_id" uuid PRIMARY KEY NOT NULL,
	"id_hash" text NOT NULL,
	"business_id" uuid NOT NULL,
	"province_code" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"terminal_id" uuid NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"invoice_id" uuid,
	"status_code" smallint NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_terminal_id_key_pk" PRIMARY KEY("terminal_id","key")
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"business_id" uuid NOT NULL,
	"terminal_id" uuid,
	"tax_code" text NOT NULL,
	"province_code" text NOT NULL,
	"kind" text DEFAULT 'original' NOT NULL,
	"related_invoice_id" uuid,
	"form" smallint NOT NULL,
	"symbol" text NOT NULL,
	"number" integer NOT NULL,
	"mtt_code" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"business_date" date NOT NULL,
	"sold_at" timestamp with time zone NOT NULL,
	"sale_date" date NOT NULL,
	"issued_late" boolean DEFAULT false NOT NULL,
	"prices_include_vat" boolean NOT NULL,
	"payment_method" text NOT NULL,
	"buyer" jsonb,
	"lines" jsonb NOT NULL,
	"before_vat" bigint NOT NULL,
	"vat" bigint NOT NULL,
	"total" bigint NOT NULL,
	"by_rate" jsonb NOT NULL,
	"total_in_words" text NOT NULL,
	"qr" text NOT NULL,
	"xml" text NOT NULL,
	"status" text DEFAULT 'issued' NOT NULL,
	"tx_status" text DEFAULT 'pending' NOT NULL,
	"message_id" text,
	"tx_attempts" integer DEFAULT 0 NOT NULL,
	"tx_last_error" text,
	"tx_result" jsonb,
	"sent_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"rejected_at" timestamp with time zone,
	"late" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sequences" (
	"business_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"year" integer NOT NULL,
	"last_value" bigint NOT NULL,
	CONSTRAINT "sequences_business_id_scope_year_pk" PRIMARY KEY("business_id","scope","year")
);
--> statement-breakpoint
CREATE TABLE "message_items" (
	"message_id" text NOT NULL,
	"invoice_id" uuid NOT NULL,
	CONSTRAINT "message_items_message_id_invoice_id_pk" PRIMARY KEY("message_id","invoice_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" text PRIMARY KEY NOT NULL,
	"type" smallint NOT NULL,
	"business_id" uuid NOT NULL,
	"status" text DEFAULT 'ready' NOT NULL,
	"xml" text NOT NULL,
	"item_count" integer NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"step" integer DEFAULT 0 NOT NULL,
	"batch_key" text,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ambiguous" boolean DEFAULT false NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"received_at" timestamp with time zone,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "transmission_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"message_id" text,
	"invoice_id" uuid,
	"event" text NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "authority_sim"."accepted_invoices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tax_code" text NOT NULL,
	"mtt_code" text NOT NULL,
	"form" smallint NOT NULL,
	"symbol" text NOT NULL,
	"number" integer NOT NULL,
	"message_id" text NOT NULL,
	"accepted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authority_sim"."messages" (
	"id" text PRIMARY KEY NOT NULL,
	"type" integer NOT NULL,
	"sha256" text NOT NULL,
	"sender" text NOT NULL,
	"tax_code" text,
	"taken_in" boolean NOT NULL,
	"body" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authority_sim"."replies" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"type" integer NOT NULL,
	"xml" text NOT NULL,
	"ready_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authority_sim"."sellers" (
	"tax_code" text PRIMARY KEY NOT NULL,
	"mtt_code" text NOT NULL,
	"name" text,
	"certificate_fingerprint" text,
	"certificates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sim_sellers_mtt_code_uq" UNIQUE("mtt_code")
);
--> statement-breakpoint
CREATE TABLE "authority_sim"."settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_terminal_id_terminals_id_fk" FOREIGN KEY ("terminal_id") REFERENCES "public"."terminals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminals" ADD CONSTRAINT "terminals_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "buyer_links" ADD CONSTRAINT "buyer_links_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_terminal_id_terminals_id_fk" FOREIGN KEY ("terminal_id") REFERENCES "public"."terminals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "businesses_live_tax_code_uq" ON "businesses" USING btree ("tax_code") WHERE status in ('pending', 'active');--> statement-breakpoint
CREATE INDEX "businesses_tax_code_idx" ON "businesses" USING btree ("tax_code");--> statement-breakpoint
CREATE INDEX "businesses_province_idx" ON "businesses" USING btree ("province_code");--> statement-breakpoint
CREATE INDEX "certificates_business_idx" ON "certificates" USING btree ("business_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "credentials_token_hash_uq" ON "credentials" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "terminals_business_idx" ON "terminals" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX "buyer_links_hash_idx" ON "buyer_links" USING btree ("id_hash","issued_at");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_number_uq" ON "invoices" USING btree ("business_id","form","symbol","number");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_mtt_code_uq" ON "invoices" USING btree ("business_id","mtt_code");--> statement-breakpoint
CREATE INDEX "invoices_unbatched_idx" ON "invoices" USING btree ("business_id","form","symbol","issued_at") WHERE tx_status = 'pending' and message_id is null;--> statement-breakpoint
CREATE INDEX "invoices_message_idx" ON "invoices" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "invoices_open_idx" ON "invoices" USING btree ("issued_at") WHERE tx_status in ('pending', 'sent');--> statement-breakpoint
CREATE INDEX "invoices_late_idx" ON "invoices" USING btree ("issued_at") WHERE late;--> statement-breakpoint
CREATE INDEX "invoices_rejected_idx" ON "invoices" USING btree ("issued_at") WHERE tx_status = 'rejected';--> statement-breakpoint
CREATE INDEX "invoices_business_issued_idx" ON "invoices" USING btree ("business_id","issued_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "invoices_province_issued_idx" ON "invoices" USING btree ("province_code","issued_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "invoices_issued_idx" ON "invoices" USING btree ("issued_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "message_items_invoice_idx" ON "message_items" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "messages_due_idx" ON "messages" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "messages_business_idx" ON "messages" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX "transmission_events_invoice_idx" ON "transmission_events" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "transmission_events_message_idx" ON "transmission_events" USING btree ("message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sim_invoices_code_uq" ON "authority_sim"."accepted_invoices" USING btree ("tax_code","mtt_code");--> statement-breakpoint
CREATE UNIQUE INDEX "sim_invoices_number_uq" ON "authority_sim"."accepted_invoices" USING btree ("tax_code","form","symbol","number");--> statement-breakpoint
CREATE INDEX "sim_invoices_message_idx" ON "authority_sim"."accepted_invoices" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "sim_messages_type_idx" ON "authority_sim"."messages" USING btree ("type");--> statement-breakpoint
CREATE INDEX "sim_replies_message_idx" ON "authority_sim"."replies" USING btree ("message_id","ready_at");